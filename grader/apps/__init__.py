"""The app stage: a learner's web service started in the sandbox, spoken to over HTTP only.

One module per job: `command` (what to run), `environment` (what the app gets), `readiness` (waiting
for it, with early-exit detection), `running` (start, restart, stop, kill), `client` (requests that
fail clearly), `expect` (mismatches as teaching feedback), `database` (the data behind the app),
`faults` (what architecture labs inject), `shutdown` (nothing left listening, Ctrl-C included),
`gate` (concurrent requests released through a lock), `sql_counter` (statements sent, on the wire),
`contract` (schemathesis from the app's OpenAPI document), `for_run` (a variant's app from a run).
"""

from grader.apps.client import AppClient
from grader.apps.database import AppDatabase
from grader.apps.running import RunningApp

__all__ = ["AppClient", "AppDatabase", "RunningApp"]
