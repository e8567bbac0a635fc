#!/usr/bin/env bash
# Build the local stand-in images the grader's docker backend uses:
#
#   backend-labs/postgres:15-local   PostgreSQL 15 (Debian bookworm's postgresql-15)
#   backend-labs/redis:7-local       Redis 7 (Debian bookworm's redis-server)
#
# No image registry is reachable on the dev/CI machines, only the Debian
# mirrors, so the images are made from a debootstrap root filesystem and
# `docker import`, with no `FROM` and no pull. See docker/README.md.
#
# Why ONE root filesystem for both images: debootstrap plus the package
# install is the slow part (minutes), and the two servers together add only a
# few MB to the Debian base. So the script builds one rootfs holding both
# servers and both entrypoints, caches it, and imports the same (byte-for-
# byte identical, name-sorted) tar stream twice, with different --change
# lines. Docker stores a layer once per content digest, so the two images
# share their single layer on disk.
#
# Idempotent: an image whose tag already exists is skipped, and the rootfs is
# reused from the cache.
#
# Environment:
#   GRADER_DOCKER_IMAGES_FORCE=1       re-import both images from the cached rootfs
#                                      (picks up changed entrypoints)
#   GRADER_DOCKER_IMAGES_FORCE=rootfs  also rebuild the rootfs (fresh packages)
#   DOCKER_IMAGES_CACHE                cache directory (default /var/cache/backend-labs/rootfs)
#   DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR   Debian mirrors (default deb.debian.org)
#
# Building the rootfs needs root (debootstrap, chroot); importing needs a
# running Docker engine.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
CACHE=${DOCKER_IMAGES_CACHE:-/var/cache/backend-labs/rootfs}
FORCE=${GRADER_DOCKER_IMAGES_FORCE:-}
case "$FORCE" in "" | 0 | false | no) FORCE="" ;; esac
PACKAGES=(postgresql-15 redis-server)
# Bump when the way the rootfs is made changes, so cached ones are rebuilt.
ROOTFS_RECIPE=1

PG_TAG=backend-labs/postgres:15-local
REDIS_TAG=backend-labs/redis:7-local
PG_BIN=/usr/lib/postgresql/15/bin
DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

ROOTFS=$CACHE/$SUITE
PARTIAL=$CACHE/$SUITE.partial
STAMP=$CACHE/$SUITE.stamp
LOG=$CACHE/build.log
STAMP_TEXT="recipe=$ROOTFS_RECIPE suite=$SUITE mirror=$MIRROR packages=${PACKAGES[*]}"

step() { printf '==> %s\n' "$*"; }
die() {
	printf 'build-images: error: %s\n' "$*" >&2
	exit 1
}

# run CMD...: run quietly, output appended to $LOG; on failure show its tail.
run() {
	printf '+ %s\n' "$*" >>"$LOG"
	if ! "$@" >>"$LOG" 2>&1; then
		printf 'build-images: error: command failed: %s\n--- last lines of %s ---\n' "$*" "$LOG" >&2
		tail -n 30 "$LOG" >&2
		exit 1
	fi
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# wants_image TAG: should this run (re)build TAG?
wants_image() { [ -n "$FORCE" ] || ! image_exists "$1"; }

# in_chroot CMD...: run CMD inside the partial rootfs with a clean environment.
in_chroot() {
	run env -i PATH="$DEFAULT_PATH" LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
		chroot "$PARTIAL" "$@"
}

unmount_partial() {
	if [ -d "$PARTIAL/proc" ] && mountpoint -q "$PARTIAL/proc"; then
		umount "$PARTIAL/proc" || umount -l "$PARTIAL/proc"
	fi
}

remove_partial() {
	unmount_partial
	rm -rf --one-file-system "$PARTIAL"
}

build_rootfs() {
	[ "$(id -u)" = 0 ] || die "building the rootfs needs root (debootstrap, chroot); run: sudo $0"
	command -v debootstrap >/dev/null || die "debootstrap is missing; run: apt-get install -y debootstrap"

	remove_partial
	trap unmount_partial EXIT
	: >"$LOG"

	step "debootstrap --variant=minbase $SUITE from $MIRROR (a few minutes; log: $LOG)"
	mkdir -p "$CACHE/debs"
	run debootstrap --variant=minbase --cache-dir="$CACHE/debs" "$SUITE" "$PARTIAL" "$MIRROR"

	step "configure apt and dpkg: $SUITE-updates and -security, no docs/man/locales, no service starts"
	cat >"$PARTIAL/etc/apt/sources.list" <<-EOF
		deb $MIRROR $SUITE main
		deb $MIRROR $SUITE-updates main
		deb $SECURITY_MIRROR $SUITE-security main
	EOF
	cat >"$PARTIAL/etc/dpkg/dpkg.cfg.d/backend-labs-nodoc" <<-'EOF'
		path-exclude /usr/share/doc/*
		path-include /usr/share/doc/*/copyright
		path-exclude /usr/share/man/*
		path-exclude /usr/share/info/*
		path-exclude /usr/share/locale/*
		path-exclude /usr/share/lintian/*
	EOF
	cat >"$PARTIAL/etc/apt/apt.conf.d/backend-labs" <<-'EOF'
		APT::Install-Recommends "false";
		APT::Install-Suggests "false";
		Acquire::Languages "none";
	EOF
	# Keep postinst scripts from starting redis/postgres inside the chroot.
	printf '#!/bin/sh\nexit 101\n' >"$PARTIAL/usr/sbin/policy-rc.d"
	chmod 755 "$PARTIAL/usr/sbin/policy-rc.d"
	# The entrypoint creates the cluster at container start, in PGDATA.
	mkdir -p "$PARTIAL/etc/postgresql-common/createcluster.d"
	printf 'create_main_cluster = false\n' \
		>"$PARTIAL/etc/postgresql-common/createcluster.d/backend-labs.conf"
	mount -t proc proc "$PARTIAL/proc"

	step "apt-get install ${PACKAGES[*]}"
	in_chroot apt-get update
	in_chroot apt-get -y upgrade
	in_chroot apt-get install -y "${PACKAGES[@]}"

	step "prepare directories, trim caches and docs"
	if [ -d "$PARTIAL/etc/postgresql/15/main" ]; then
		in_chroot pg_dropcluster 15 main
	fi
	in_chroot install -d -o postgres -g postgres -m 700 /var/lib/postgresql/data
	in_chroot install -d -o postgres -g postgres -m 3777 /var/run/postgresql
	in_chroot install -d -o redis -g redis -m 755 /data
	in_chroot install -d -m 755 /docker-entrypoint-initdb.d
	in_chroot apt-get clean
	unmount_partial
	trap - EXIT
	rm -f "$PARTIAL/usr/sbin/policy-rc.d"
	rm -rf --one-file-system \
		"$PARTIAL"/var/lib/apt/lists/* \
		"$PARTIAL"/var/cache/apt/*.bin \
		"$PARTIAL"/var/cache/debconf/*-old \
		"$PARTIAL"/var/lib/dpkg/*-old \
		"$PARTIAL"/tmp/* "$PARTIAL"/var/tmp/*
	find "$PARTIAL/var/log" -type f -delete
	# Docs of the packages debootstrap unpacked before the dpkg excludes existed.
	find "$PARTIAL/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
	rm -rf --one-file-system "$PARTIAL"/usr/share/man/* "$PARTIAL"/usr/share/info/* \
		"$PARTIAL"/usr/share/locale/* "$PARTIAL"/usr/share/lintian/*
	# debootstrap copies these from the host; docker provides its own at run time.
	: >"$PARTIAL/etc/resolv.conf"
	: >"$PARTIAL/etc/hostname"

	rm -rf --one-file-system "$ROOTFS"
	mv "$PARTIAL" "$ROOTFS"
	printf '%s\n' "$STAMP_TEXT" >"$STAMP"
	step "rootfs ready: $ROOTFS ($(du -sh --one-file-system "$ROOTFS" | cut -f1))"
}

ensure_rootfs() {
	if [ "$FORCE" != rootfs ] && [ -d "$ROOTFS" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$STAMP_TEXT" ]; then
		step "reuse cached rootfs $ROOTFS"
		return
	fi
	build_rootfs
}

# Copy an entrypoint into the rootfs only when it changed, so that an
# unchanged rootfs gives the same tar stream (and layer digest) every time.
install_entrypoint() {
	local src=$1 dest=$ROOTFS/usr/local/bin/$2
	if ! cmp -s "$src" "$dest"; then
		step "install ${src#"$HERE"/} into the rootfs as /usr/local/bin/$2"
		install -m 755 "$src" "$dest"
	fi
}

# import_image TAG --change ...: import the rootfs as TAG.
import_image() {
	local tag=$1 old_id=""
	shift
	old_id=$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
	step "docker import $tag"
	# --sort=name makes the stream identical for both images, so they share the layer.
	tar --create --sort=name --numeric-owner --one-file-system \
		--exclude=./proc/* --exclude=./sys/* --exclude=./dev/* \
		--directory="$ROOTFS" . |
		docker import "$@" \
			--change "LABEL org.opencontainers.image.source=backend-labs/docker/build-images.sh" \
			--message "backend-labs local image, built by docker/build-images.sh" \
			- "$tag" >/dev/null
	# A forced rebuild leaves the previous image untagged; drop it unless in use.
	if [ -n "$old_id" ] && [ "$old_id" != "$(docker image inspect --format '{{.Id}}' "$tag")" ]; then
		docker image rm "$old_id" >/dev/null 2>&1 || true
	fi
}

main() {
	command -v docker >/dev/null || die "docker is missing; run: apt-get install -y docker.io"
	docker info >/dev/null 2>&1 ||
		die "no Docker engine answers; start one, e.g.: dockerd >/tmp/dockerd.log 2>&1 &"

	local want_pg=0 want_redis=0
	if wants_image "$PG_TAG"; then want_pg=1; else step "skip $PG_TAG: already built (GRADER_DOCKER_IMAGES_FORCE=1 rebuilds)"; fi
	if wants_image "$REDIS_TAG"; then want_redis=1; else step "skip $REDIS_TAG: already built (GRADER_DOCKER_IMAGES_FORCE=1 rebuilds)"; fi
	if [ "$want_pg" = 0 ] && [ "$want_redis" = 0 ]; then
		return
	fi

	mkdir -p "$CACHE"
	exec 9>"$CACHE/.lock"
	flock -n 9 || {
		step "another build holds $CACHE/.lock; waiting"
		flock 9
	}

	ensure_rootfs
	install_entrypoint "$HERE/postgres/entrypoint.sh" postgres-entrypoint.sh
	install_entrypoint "$HERE/redis/entrypoint.sh" redis-entrypoint.sh

	if [ "$want_pg" = 1 ]; then
		import_image "$PG_TAG" \
			--change "ENV PATH=$PG_BIN:$DEFAULT_PATH" \
			--change "ENV LANG=C.UTF-8" \
			--change "ENV PG_MAJOR=15" \
			--change "ENV PGDATA=/var/lib/postgresql/data" \
			--change 'ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]' \
			--change 'CMD ["postgres"]' \
			--change "EXPOSE 5432"
	fi
	if [ "$want_redis" = 1 ]; then
		import_image "$REDIS_TAG" \
			--change "ENV PATH=$DEFAULT_PATH" \
			--change "ENV LANG=C.UTF-8" \
			--change "WORKDIR /data" \
			--change 'ENTRYPOINT ["/usr/local/bin/redis-entrypoint.sh"]' \
			--change 'CMD ["redis-server"]' \
			--change "EXPOSE 6379"
	fi

	step "done in ${SECONDS}s: $(docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' 'backend-labs/*' | paste -sd ' ' | sed 's/ \(backend-labs\)/, \1/g')"
}

main "$@"
