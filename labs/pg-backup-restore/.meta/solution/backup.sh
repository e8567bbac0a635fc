#!/usr/bin/env bash
# backup.sh DUMPFILE — a full backup of $PGDATABASE in pg_dump's custom format.
set -euo pipefail
# -Fc: compressed, and pg_restore can pick single objects out of it later (a plain SQL dump cannot).
pg_dump --format=custom --file="$1" "$PGDATABASE"
