#!/bin/bash
# Entrypoint of backend-labs/postgres:15-local (built by docker/build-images.sh).
#
# Behaves like the official `postgres` image as far as the grader and
# testcontainers' PostgresContainer need:
#   - POSTGRES_USER (default postgres), POSTGRES_PASSWORD (default postgres),
#     POSTGRES_DB (default: the user name), each also readable from a file
#     named by the matching *_FILE variable;
#   - POSTGRES_INITDB_ARGS (extra initdb arguments), POSTGRES_HOST_AUTH_METHOD
#     (default scram-sha-256; "md5" or "trust" also work);
#   - *.sh and *.sql files in /docker-entrypoint-initdb.d run once after initdb;
#   - the cluster lives in PGDATA (default /var/lib/postgresql/data) and is
#     created and run by the `postgres` OS user, never by root;
#   - while initialising, a temporary server listens on the unix socket only,
#     so a TCP client (testcontainers runs `psql --host 127.0.0.1` via exec)
#     only succeeds once the real server is up with the database created.
# Unlike the official image, an empty POSTGRES_PASSWORD is not an error: it
# falls back to "postgres", because these images only run on local machines.
set -Eeuo pipefail

log() {
	printf '%s [entrypoint] %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$*"
}

die() {
	log "error: $*" >&2
	exit 1
}

# read_env NAME DEFAULT: NAME from the environment, or from the file named by
# NAME_FILE, or DEFAULT; the result is exported as NAME.
read_env() {
	local name=$1 default=$2 file_var="${1}_FILE"
	local value=${!name:-} file=${!file_var:-}
	if [ -n "$value" ] && [ -n "$file" ]; then
		die "set $name or $file_var, not both"
	fi
	if [ -n "$file" ]; then
		[ -r "$file" ] || die "$file_var=$file is not a readable file"
		value=$(<"$file")
	fi
	printf -v "$name" '%s' "${value:-$default}"
	export "${name?}"
	unset "$file_var"
}

# `docker run IMAGE -c fsync=off` means options for postgres.
if [ $# -eq 0 ] || [ "${1:0:1}" = '-' ]; then
	set -- postgres "$@"
fi

# Anything else (bash, psql, ...) runs as asked.
if [ "$1" != postgres ]; then
	exec "$@"
fi

export PGDATA=${PGDATA:-/var/lib/postgresql/data}
PG_SOCKET_DIR=/var/run/postgresql

if [ "$(id -u)" = 0 ]; then
	# Fix ownership of the data and socket directories (they may be volumes),
	# then run this script again as the postgres user.
	mkdir -p "$PGDATA" "$PG_SOCKET_DIR"
	find "$PGDATA" "$PG_SOCKET_DIR" \! -user postgres -exec chown postgres:postgres '{}' +
	chmod 700 "$PGDATA"
	chmod 3777 "$PG_SOCKET_DIR"
	export HOME=/var/lib/postgresql USER=postgres LOGNAME=postgres
	exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

read_env POSTGRES_USER postgres
read_env POSTGRES_PASSWORD postgres
read_env POSTGRES_DB "$POSTGRES_USER"
POSTGRES_HOST_AUTH_METHOD=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}

run_init_scripts() {
	local f
	[ -d /docker-entrypoint-initdb.d ] || return 0
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
		*.sh)
			log "running $f"
			bash "$f"
			;;
		*.sql)
			log "running $f"
			psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -f "$f"
			;;
		*)
			if [ -e "$f" ]; then
				log "ignoring $f (only *.sh and *.sql run)"
			fi
			;;
		esac
	done
}

init_cluster() {
	if [ -n "$(ls -A "$PGDATA")" ]; then
		die "$PGDATA is not empty but holds no cluster (no PG_VERSION); empty it or set PGDATA to a subdirectory"
	fi

	log "initialising cluster in $PGDATA for user \"$POSTGRES_USER\""
	# Defaults first, so that POSTGRES_INITDB_ARGS can override them.
	# shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is a word list on purpose
	initdb \
		--username="$POSTGRES_USER" \
		--pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
		--auth-local=trust \
		--auth-host="$POSTGRES_HOST_AUTH_METHOD" \
		--encoding=UTF8 \
		--locale=C.UTF-8 \
		${POSTGRES_INITDB_ARGS:-}

	# Accept TCP clients from anywhere (the container is reached through the
	# docker bridge), with a password unless the method is "trust".
	printf '\n# added by the backend-labs entrypoint\nhost all all all %s\n' \
		"$POSTGRES_HOST_AUTH_METHOD" >>"$PGDATA/pg_hba.conf"
	printf "\n# added by the backend-labs entrypoint\nlisten_addresses = '*'\n" \
		>>"$PGDATA/postgresql.conf"

	log "starting a temporary server on the unix socket only"
	pg_ctl --pgdata="$PGDATA" --wait --silent \
		--options="-c listen_addresses='' -c port=5432" start

	if [ "$POSTGRES_DB" != postgres ]; then
		log "creating database \"$POSTGRES_DB\""
		psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "$POSTGRES_USER" --dbname postgres \
			--set db="$POSTGRES_DB" <<-'SQL'
				SELECT format('CREATE DATABASE %I', :'db')
				WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')
				\gexec
			SQL
	fi

	run_init_scripts

	pg_ctl --pgdata="$PGDATA" --wait --silent --mode=fast stop
	log "initialisation complete; starting postgres"
}

if [ -s "$PGDATA/PG_VERSION" ]; then
	log "cluster already initialised in $PGDATA; skipping initdb"
else
	init_cluster
fi

exec "$@"
