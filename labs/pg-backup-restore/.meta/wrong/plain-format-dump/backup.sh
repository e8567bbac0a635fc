#!/usr/bin/env bash
set -euo pipefail
# A plain SQL script: pg_restore cannot read it, nor restore one table from it.
pg_dump --file="$1" "$PGDATABASE"
