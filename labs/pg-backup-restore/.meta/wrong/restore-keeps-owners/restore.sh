#!/usr/bin/env bash
set -euo pipefail
# Without --no-owner: ALTER TABLE audit_log OWNER TO <a role that does not exist here> fails.
pg_restore --exit-on-error --single-transaction --dbname="$PGDATABASE" "$1"
