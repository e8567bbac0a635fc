#!/usr/bin/env bash
# backup.sh DUMPFILE — a full backup of $PGDATABASE in pg_dump's custom format.
set -euo pipefail
# Your commands here (see README).
