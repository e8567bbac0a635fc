"""The few GitHub REST calls the grader makes: find, create or update its one comment on a pull request.

The base URL comes from GITHUB_API_URL (GitHub Enterprise sets it; tests point it at a local server).
Every failure is a GitHubApiError with a message that says what to do; callers decide whether it matters.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import requests

DEFAULT_API_URL = "https://api.github.com"
MAX_COMMENT = 65_000  # GitHub rejects comment bodies over 65,536 characters
TIMEOUT_S = 20.0


class GitHubApiError(Exception):
    """A call to the GitHub API that did not succeed (network, permissions, a server error)."""


_ADVICE = {
    401: "the token was refused: pass GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }} to the step",
    403: "the token may not write comments: give the workflow 'permissions: pull-requests: write' "
         "(pull requests from forks only get a read-only token)",
    404: "the repository or pull request was not found, or the token cannot see it",
}


@dataclass(frozen=True)
class PullRequestTarget:
    """Where the comment goes, as found in the environment of a GitHub Actions job."""

    api_url: str
    token: str
    repository: str
    number: int


def _event(env: Mapping[str, str]) -> dict[str, Any]:
    """The JSON of the event that started the workflow (GITHUB_EVENT_PATH), or {}."""
    event_path = env.get("GITHUB_EVENT_PATH")
    if not event_path or not Path(event_path).is_file():
        return {}
    try:
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return event if isinstance(event, dict) else {}


def pull_request_number(env: Mapping[str, str]) -> int | None:
    """GRADER_PR_NUMBER if set, else pull_request.number from the event file GitHub Actions writes."""
    explicit = env.get("GRADER_PR_NUMBER", "").strip()
    if explicit:
        return int(explicit) if explicit.isdigit() else None
    pull_request = _event(env).get("pull_request")
    number = pull_request.get("number") if isinstance(pull_request, dict) else None
    return number if isinstance(number, int) else None


def graded_commit(env: Mapping[str, str]) -> str | None:
    """The pull request's head commit (what the learner pushed); GITHUB_SHA is GitHub's merge commit."""
    pull_request = _event(env).get("pull_request")
    head = pull_request.get("head") if isinstance(pull_request, dict) else None
    sha = head.get("sha") if isinstance(head, dict) else None
    return sha if isinstance(sha, str) and sha else env.get("GITHUB_SHA") or None


def target_from_env(env: Mapping[str, str] | None = None) -> PullRequestTarget | None:
    """The pull request to comment on, or None when the token, repository or PR number is missing."""
    env = os.environ if env is None else env
    token, repository = env.get("GITHUB_TOKEN", ""), env.get("GITHUB_REPOSITORY", "")
    number = pull_request_number(env)
    if not token or "/" not in repository or number is None:
        return None
    api_url = (env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    return PullRequestTarget(api_url, token, repository, number)


class GitHubApi:
    def __init__(self, target: PullRequestTarget, session: requests.Session | None = None) -> None:
        self.target = target
        self.session = session or requests.Session()
        self.session.headers.update({
            "Authorization": f"Bearer {target.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "backend-labs-grader",
        })

    def _call(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(method, url, timeout=TIMEOUT_S, **kwargs)
        except requests.RequestException as exc:
            raise GitHubApiError(f"{method} {url} failed: {exc}") from None
        if response.status_code >= 400:
            try:
                detail = str(response.json().get("message", ""))
            except ValueError:
                detail = response.text[:200]
            advice = _ADVICE.get(response.status_code, "")
            raise GitHubApiError(
                f"{method} {url} answered {response.status_code} {detail}".rstrip()
                + (f"; {advice}" if advice else "")
            )
        return response

    def comments(self) -> list[dict[str, Any]]:
        """Every comment on the pull request, following the Link: rel="next" pages."""
        repo, number = self.target.repository, self.target.number
        url: str | None = f"{self.target.api_url}/repos/{repo}/issues/{number}/comments?per_page=100"
        found: list[dict[str, Any]] = []
        while url:
            response = self._call("GET", url)
            try:
                page = response.json()
            except ValueError:
                page = None
            if not isinstance(page, list):
                raise GitHubApiError(f"GET {url} did not return a list of comments")
            found.extend(c for c in page if isinstance(c, dict))
            url = response.links.get("next", {}).get("url")
            if url and not url.startswith(self.target.api_url):
                raise GitHubApiError(f"the next page of comments is on another host ({url}); not following it")
        return found

    def upsert_comment(self, marker: str, body: str) -> Literal["created", "updated"]:
        """Update the comment that contains `marker`, else create it: one comment per pull request."""
        if marker not in body:
            body = f"{marker}\n{body}"
        if len(body) > MAX_COMMENT:
            body = body[:MAX_COMMENT] + "\n\n… (cut: the full report is in the job summary)"
        for comment in self.comments():
            if marker in str(comment.get("body") or ""):
                url = f"{self.target.api_url}/repos/{self.target.repository}/issues/comments/{comment['id']}"
                self._call("PATCH", url, json={"body": body})
                return "updated"
        url = f"{self.target.api_url}/repos/{self.target.repository}/issues/{self.target.number}/comments"
        self._call("POST", url, json={"body": body})
        return "created"
