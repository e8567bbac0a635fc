"""Waiting for a started app: ready when its port opens (or its health path answers), failed the
moment it exits, failed when the start timeout passes. Polled, as CodeCrafters' testers do."""

from __future__ import annotations

import socket
import time

import httpx

from grader.apps.tls import shared_context
from grader.sandbox import SandboxProcess

POLL_S = 0.05


class NotReady(Exception):
    """The app exited, or did not become ready in time; the message says which, for the learner."""


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _answers(base_url: str, path: str) -> bool:
    try:
        return httpx.get(base_url + path, timeout=1.0, verify=shared_context()).status_code < 500
    except httpx.HTTPError:
        return False


def wait_until_ready(process: SandboxProcess, host: str, port: int, ready_path: str | None, timeout_s: float) -> float:
    """Seconds it took; raises NotReady with the reason (the caller adds the app's last lines)."""
    started = time.monotonic()
    deadline = started + timeout_s
    while True:
        if process.poll() is not None:
            raise NotReady(f"your app stopped before it was ready: {process.exit_reason()}")
        ready = _port_open(host, port) and (ready_path is None or _answers(f"http://{host}:{port}", ready_path))
        if ready and process.poll() is None:  # the port may belong to a process that is gone now
            return time.monotonic() - started
        if time.monotonic() >= deadline:
            what = f"GET {ready_path} did not answer" if ready_path else f"nothing listened on {host}:{port}"
            raise NotReady(f"your app did not become ready within {timeout_s:g} s: {what}. It must listen on "
                           f"the port in the PORT environment variable ({port} this time), on {host}")
        time.sleep(POLL_S)
