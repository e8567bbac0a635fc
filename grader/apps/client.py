"""An HTTP client bound to the learner's app. Every request is bounded by the lab's request timeout,
and what can go wrong on the app's side becomes a learner's fail that says what happened:
a request that hangs (the app is then restarted, so the next check is not stuck behind it),
an app that stopped mid-run (how it ended, its last lines), a connection it refused or dropped."""

from __future__ import annotations

from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx

from grader.apps.running import RunningApp
from grader.apps.tls import shared_context
from grader.checks.problems import SubmissionProblem

EXIT_GRACE_S = 0.5  # a dropped connection: how long the app gets to be seen exiting before it counts as alive


def describe(method: str, path: str) -> str:
    return f"{method.upper()} {path}"


class AppClient:
    def __init__(self, app: RunningApp) -> None:
        self.app = app
        # No cookie jar: a check that holds several users' sessions sends each cookie itself
        # (grader.attacks.cookies), so no request carries a session the check did not choose.
        no_cookies = CookieJar(DefaultCookiePolicy(allowed_domains=[]))
        self._client = httpx.Client(timeout=app.spec.request_timeout_s, follow_redirects=False, cookies=no_cookies,
                                    verify=shared_context())

    @property
    def reveal(self) -> bool:
        return self.app.reveal

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send one request to the app (`path` relative to it, e.g. "/books/3")."""
        self.app.ensure_running()
        what = describe(method, path)
        mark = self.app.mark()
        try:
            return self._client.request(method, self.app.base_url + path, **kwargs)
        except httpx.TimeoutException:
            timeout = self.app.spec.request_timeout_s
            lines = self.app.last_lines(mark)
            self.app.kill(fault=False)  # a stuck app would stall every later check; the next one starts it again
            raise SubmissionProblem(
                f"{what} got no answer within {timeout:g} s: look for an endless loop, a lock that is never "
                f"released or a call that waits forever{lines}") from None
        except httpx.HTTPError as exc:
            if not self.app.still_running_after(EXIT_GRACE_S):
                raise self.app.crashed_problem(what, mark) from None
            raise SubmissionProblem(f"{what} failed: your app broke the connection ({type(exc).__name__}: {exc})"
                                    f"{self.app.last_lines(mark)}") from None

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def close(self) -> None:
        self._client.close()
