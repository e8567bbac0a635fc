"""The one way learner code is started: a private folder, its own account when the grader is root,
resource limits, a scrubbed environment, output captured with a cap, and the whole process tree
killed at the end (`setsid` escapes included). The worker and the web-service harness both use it."""

from grader.sandbox.limits import SandboxLimits
from grader.sandbox.sandbox import Sandbox, SandboxProcess, hide_course

__all__ = ["Sandbox", "SandboxLimits", "SandboxProcess", "hide_course"]
