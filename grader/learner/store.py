"""Small JSON state files under `.grader/` (progress, revealed hints), written atomically.

A file that is missing or unreadable counts as empty: losing a learner's progress display is
better than refusing to grade, and the next check writes it again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write(path: Path, data: dict[str, Any]) -> None:
    """Write via a temp file and rename, so a Ctrl-C mid-write never leaves half a file."""
    import tempfile  # here: reading, what most commands do, does not need it

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2, sort_keys=True)
        out.write("\n")
    os.replace(temp, path)
