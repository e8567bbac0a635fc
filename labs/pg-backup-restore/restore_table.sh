#!/usr/bin/env bash
# restore_table.sh DUMPFILE TABLE — bring back one dropped table (with everything that belongs to it).
set -euo pipefail
# Your commands here (see README).
