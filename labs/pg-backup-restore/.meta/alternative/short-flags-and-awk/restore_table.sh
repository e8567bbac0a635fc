#!/usr/bin/env bash
set -eu
# Pick the entries from the table of contents with awk: field 6 onwards is "<schema> <name> …".
pg_restore -l "$1" > toc.list
awk -v t="$2" '$0 !~ /^;/ && ($6 == t || index($6, t "_") == 1 || $7 == t || index($7, t "_") == 1)' toc.list > keep.list
pg_restore -O -1 -e -L keep.list -d "$PGDATABASE" "$1"
