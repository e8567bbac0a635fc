#!/usr/bin/env bash
# restore.sh DUMPFILE — restore a custom-format dump into the empty database $PGDATABASE.
set -euo pipefail
# --no-owner: the objects belong to whoever restores them; the roles that owned them in production
#             need not exist on this cluster.
# --exit-on-error --single-transaction: all or nothing, and a non-zero exit status if anything failed.
pg_restore --no-owner --exit-on-error --single-transaction --dbname="$PGDATABASE" "$1"
