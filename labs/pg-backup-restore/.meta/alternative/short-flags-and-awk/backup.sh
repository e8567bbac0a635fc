#!/usr/bin/env bash
set -eu
pg_dump -Fc -Z 9 -f "$1"
