#!/usr/bin/env bash
set -eu
pg_restore -O -x -1 -e -d "$PGDATABASE" "$1"
