#!/usr/bin/env bash
# `make services-up` / `make services-down`: the playground servers of compose/docker-compose.yml.
#
#   compose/services.sh up [SERVICE...]     start (default: all), wait until healthy, print the URLs
#   compose/services.sh down                stop and remove the containers; the named volumes stay
#
# Works with `docker compose` (v2) and `docker-compose` (v1). Reads compose/.env when it exists.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROJECT=backend-labs
WAIT_S=${GRADER_COMPOSE_WAIT_S:-120}

if docker compose version >/dev/null 2>&1; then
	COMPOSE=(docker compose)
elif command -v docker-compose >/dev/null; then
	COMPOSE=(docker-compose)
else
	echo "services: neither 'docker compose' nor 'docker-compose' is installed (apt-get install docker-compose)" >&2
	exit 2
fi
ENV_ARGS=()
if [ -f "$HERE/.env" ]; then
	set -a
	# shellcheck disable=SC1091
	. "$HERE/.env"
	set +a
	ENV_ARGS=(--env-file "$HERE/.env")
fi
run_compose() { "${COMPOSE[@]}" -p "$PROJECT" -f "$HERE/docker-compose.yml" "${ENV_ARGS[@]}" "$@"; }

wait_healthy() {
	local deadline=$((SECONDS + WAIT_S)) id status pending
	while :; do
		pending=""
		for id in $(run_compose ps -q "$@"); do
			status=$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$id")
			case "$status" in
			healthy) ;;
			exited | dead | unhealthy)
				echo "services: $(docker inspect --format '{{.Name}}' "$id") is $status; its last log lines:" >&2
				docker logs --tail 20 "$id" >&2 || true
				exit 1
				;;
			*) pending="$pending $(docker inspect --format '{{.Name}}' "$id")" ;;
			esac
		done
		[ -z "$pending" ] && return 0
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "services: not healthy after ${WAIT_S}s:$pending (docker logs <name> shows why)" >&2
			exit 1
		fi
		sleep 1
	done
}

case "${1:-}" in
up)
	shift
	run_compose up -d "$@"
	wait_healthy "$@"
	password=${GRADER_COMPOSE_PASSWORD:-grader}
	echo "healthy. To grade against these servers (the grader's url backend):"
	for service in "${@:-postgres mongo redis}"; do
		for s in $service; do
			case "$s" in
			postgres) echo "  export GRADER_POSTGRES_URL=postgresql://postgres:$password@127.0.0.1:${GRADER_COMPOSE_POSTGRES_PORT:-55432}/postgres" ;;
			mongo) echo "  export GRADER_MONGODB_URL=mongodb://127.0.0.1:${GRADER_COMPOSE_MONGODB_PORT:-57017}/?directConnection=true" ;;
			redis) echo "  export GRADER_REDIS_URL=redis://:$password@127.0.0.1:${GRADER_COMPOSE_REDIS_PORT:-56379}/0" ;;
			esac
		done
	done
	;;
down)
	shift
	run_compose down "$@"
	;;
*)
	echo "usage: $0 up [postgres|mongo|redis ...] | down" >&2
	exit 2
	;;
esac
