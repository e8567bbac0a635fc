#!/usr/bin/env bash
# restore.sh DUMPFILE — restore a custom-format dump into the empty database $PGDATABASE.
set -euo pipefail
# Your commands here (see README).
