"""Shell completion for `grader`: commands and options from click, lab ids from course.yaml.

`grader completion bash|zsh|fish` prints the script to source (README, "Shell completion").
"""

from __future__ import annotations

import click
from click.shell_completion import CompletionItem, get_completion_class

from grader.errors import GraderError

SHELLS = ("bash", "zsh", "fish")
ENV_VAR = "_GRADER_COMPLETE"


def lab_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from grader import labs

    try:
        known = labs.course().lab_ids()
    except GraderError:  # outside a checkout: nothing to offer, and never an error while typing
        return []
    return [CompletionItem(lab_id) for lab_id in known if lab_id.startswith(incomplete)]


def script(command: click.Command, shell: str) -> str:
    completion = get_completion_class(shell)
    if completion is None:
        raise click.BadParameter(f"unknown shell {shell}; one of {', '.join(SHELLS)}")
    return completion(command, {}, "grader", ENV_VAR).source()
