#!/usr/bin/env bash
set -euo pipefail
# -t restores the table and its rows only: no primary key, index, default or sequence.
pg_restore --no-owner --exit-on-error --single-transaction --table="$2" --dbname="$PGDATABASE" "$1"
