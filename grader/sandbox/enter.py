"""The first step of every sandboxed process: it confines itself, then becomes the learner's program.

Run as a script (`python -I -S enter.py CONFIG -- ARGV…`), standard library only, in the new
process's own session. In order: join the sandbox's cgroups; with root, a private mount namespace in
which the course, the grader's state and /tmp are hidden or replaced; resource limits; no new
privileges; the sandbox account; then exec the program in the private folder. Every step that fails
ends the process with exit code 121 and one line on stderr, before any learner code runs.
"""

import ctypes
import json
import os
import resource
import sys
from typing import Any

CLONE_NEWNS = 0x00020000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 8, 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38
SETUP_FAILED = 121


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _private_mounts(config: dict[str, Any]) -> None:
    """Masks are fresh tmpfs mounts over folders the learner must not see (the grader's /tmp, a home
    folder that holds the Python installation); `keep` paths under a mask are bound back into it."""
    libc = _libc()
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    _check(libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    kept = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in sorted(config["keep"]) if os.path.isdir(path)}
    flags = MS_NOSUID | MS_NODEV
    for mask in config["masks"]:
        if os.path.isdir(mask["path"]):
            options = f"size={mask['size_mb']}m,mode={mask['mode']}".encode()
            _check(libc.mount(b"tmpfs", mask["path"].encode(), b"tmpfs", flags, options), f"mask {mask['path']}")
    for path, fd in kept.items():
        if not os.path.isdir(path):
            os.makedirs(path, mode=0o755)
            _check(libc.mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None, MS_BIND | MS_REC, None),
                   f"keep {path}")
        os.close(fd)
    for path in config["hide"]:
        if os.path.isdir(path):
            hidden = libc.mount(b"tmpfs", path.encode(), b"tmpfs", flags | MS_NOEXEC, b"size=4k,mode=000")
            _check(hidden, f"hide {path}")


def _limits(config: dict[str, Any]) -> None:
    def cap(kind: int, value: int) -> None:
        resource.setrlimit(kind, (value, value))

    seconds = config["cpu_seconds"]
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 2))  # SIGXCPU first, which names the cause
    cap(resource.RLIMIT_FSIZE, config["file_size_mb"] * 1024 * 1024)
    cap(resource.RLIMIT_NOFILE, config["open_files"])
    cap(resource.RLIMIT_CORE, 0)
    if config.get("address_space_mb"):
        cap(resource.RLIMIT_AS, config["address_space_mb"] * 1024 * 1024)
    if config.get("nproc"):
        cap(resource.RLIMIT_NPROC, config["nproc"])


def main() -> None:
    config = json.loads(sys.argv[1])
    argv = sys.argv[sys.argv.index("--") + 1:]
    try:
        for procs in config["cgroups"]:
            with open(procs, "w") as handle:
                handle.write(str(os.getpid()))
        if config["private_mounts"]:
            _private_mounts(config)
        _limits(config)
        _check(_libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
        if config.get("uid") is not None:
            os.setgroups([])
            os.setgid(config["gid"])
            os.setuid(config["uid"])
        os.umask(0o077)
        os.chdir(config["workdir"])
    except OSError as exc:
        print(f"sandbox: could not confine the process: {exc}", file=sys.stderr)
        os._exit(SETUP_FAILED)
    try:
        os.execvp(argv[0], argv)
    except OSError as exc:
        print(f"sandbox: could not start {argv[0]!r}: {exc.strerror}", file=sys.stderr)
        os._exit(127)


if __name__ == "__main__":
    main()
