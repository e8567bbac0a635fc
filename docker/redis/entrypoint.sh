#!/bin/bash
# Entrypoint of backend-labs/redis:7-local (built by docker/build-images.sh).
#
# Like the official `redis` image:
#   - no arguments, or a first argument that is an option (`--appendonly yes`)
#     or a config file (`/etc/redis.conf`), means `redis-server ...`;
#   - `redis-server [config-file] [options...]` runs in the foreground as the
#     `redis` user (never root), with /data as its working directory, reachable
#     from outside the container: `--protected-mode no --bind 0.0.0.0` come
#     before the caller's options, so the caller can still override them;
#   - a password is set the way testcontainers' RedisContainer (and users of
#     the official image) do it: `redis-server --requirepass SECRET`;
#   - anything else (redis-cli, bash, ...) runs as asked.
set -Eeuo pipefail

if [ $# -eq 0 ] || [ "${1:0:1}" = '-' ] || [[ "$1" == *.conf ]]; then
	set -- redis-server "$@"
fi

if [ "$1" != redis-server ]; then
	exec "$@"
fi
shift

# redis-server wants a config file (or "-" for stdin) before any option.
config=()
if [ $# -gt 0 ] && { [ "$1" = - ] || [ "${1:0:1}" != '-' ]; }; then
	config=("$1")
	shift
fi
set -- redis-server "${config[@]}" --protected-mode no --bind 0.0.0.0 "$@"

if [ "$(id -u)" = 0 ]; then
	mkdir -p /data
	find /data \! -user redis -exec chown redis:redis '{}' +
	export HOME=/var/lib/redis USER=redis LOGNAME=redis
	exec setpriv --reuid=redis --regid=redis --init-groups "$@"
fi

exec "$@"
