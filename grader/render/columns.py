"""A plain table in aligned columns, for listings read many times a day (`grader list`): written
directly instead of through rich's table layout, which cost more than the rest of the command."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence


def aligned(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int, gap: int = 2) -> list[str]:
    """The header line and the rows' lines. Every column is as wide as its longest cell, except the last:
    it wraps onto lines of its own column when the line would be wider than `width` (no cell is cut)."""
    widths = [max([len(header), *(len(row[i]) for row in rows)]) for i, header in enumerate(headers)]
    lead = sum(widths[:-1]) + gap * (len(widths) - 1)
    room = max(20, width - lead - 1)
    lines = []
    for cells in [list(headers), *map(list, rows)]:
        padded = (" " * gap).join(cell.ljust(widths[i]) for i, cell in enumerate(cells[:-1]))
        first, *more = textwrap.wrap(cells[-1], room) or [""]
        lines.append(f"{padded}{' ' * gap}{first}".rstrip())
        lines.extend(" " * lead + line for line in more)
    return lines
