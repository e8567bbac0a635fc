"""The batch's progress bar (rich): done / total, elapsed, time left, the submission just graded."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

Ticker = Callable[[str], None]


@contextlib.contextmanager
def no_progress(total: int) -> Iterator[Ticker]:
    yield lambda label: None


def bar(console: Console) -> Callable[[int], contextlib.AbstractContextManager[Ticker]]:
    @contextlib.contextmanager
    def show(total: int) -> Iterator[Ticker]:
        lock = threading.Lock()
        with Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TextColumn("elapsed"),
                      TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                      TextColumn("[dim]{task.description}"), console=console, transient=False) as progress:
            task = progress.add_task("", total=total)

            def tick(label: str) -> None:
                with lock:
                    progress.update(task, advance=1, description=label)

            yield tick

    return show
