#!/usr/bin/env bash
# restore_table.sh DUMPFILE TABLE — bring back one dropped table (with everything that belongs to it).
set -euo pipefail
dump="$1"
table="$2"
list="$(mktemp)"
trap 'rm -f "$list"' EXIT
# pg_restore -t restores the table and its rows only. The table's catalogue entries name it
# (TABLE, TABLE DATA, DEFAULT, CONSTRAINT, FK CONSTRAINT); its sequence and its indexes are named
# after it (orders_id_seq, orders_placed_at_idx). Keep exactly those lines of the archive's list.
pg_restore --list "$dump" | grep -E "^[0-9]+; [0-9]+ [0-9]+ [A-Z ]+ public ${table}( |_)" > "$list"
pg_restore --no-owner --exit-on-error --single-transaction --use-list="$list" --dbname="$PGDATABASE" "$dump"
