"""The class report as one self-contained HTML page: no script, no font, no CDN — it works offline.

The gradebook (a row per student, a column per lab), each lab's score distribution as an inline SVG
histogram, the item analysis as an inline SVG bar chart (the share of the class that failed each
check, hardest first, with the feedback they got most often), and the similar pairs to look at.
"""

from __future__ import annotations

from html import escape

from grader.batch.model import BatchReport, Entry, Item

BINS = 10
STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd}h3{margin-bottom:.2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f4f4f4}td.num{text-align:right}
.pass{background:#e6f4ea}.fail{background:#fdecea}.error{background:#fff4d6}.missing{background:#eee;color:#777}
svg text{font:11px system-ui,sans-serif;fill:#333}.bar{fill:#c0392b}.track{fill:#eee}.col{fill:#2e86c1}
.note{color:#666}
"""


def _n(value: float) -> str:
    return f"{value:g}"


def _cell(entry: Entry | None) -> str:
    if entry is None:
        return '<td class="missing">—</td>'
    late = f" <small>({entry.late_days} d late, raw {_n(entry.raw_points)})</small>" if entry.late_days else ""
    title = escape(entry.reason, quote=True)
    return (f'<td class="num {entry.status}" title="{title}" data-student="{escape(entry.student, quote=True)}" '
            f'data-lab="{escape(entry.lab, quote=True)}" data-points="{_n(entry.points)}">'
            f"{_n(entry.points)}/{_n(entry.max_points)}{late}</td>")


def _gradebook(report: BatchReport, labs: list[str]) -> str:
    head = "".join(f"<th>{escape(lab)}</th>" for lab in labs)
    rows = []
    for student in report.students:
        cells = "".join(_cell(report.entry(student, lab)) for lab in labs)
        total = sum(e.points for e in report.entries if e.student == student)
        rows.append(f'<tr><th>{escape(student)}</th>{cells}<td class="num">{_n(total)}</td></tr>')
    return (f'<table id="gradebook"><thead><tr><th>student</th>{head}<th>total</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _histogram(report: BatchReport, lab: str) -> str:
    entries = [e for e in report.entries if e.lab == lab and e.max_points > 0 and e.status != "error"]
    counts = [0] * BINS
    for entry in entries:
        counts[min(BINS - 1, int(entry.points / entry.max_points * BINS))] += 1
    width, height, gap = 30, 120, 4
    top = max(counts, default=0) or 1
    bars = []
    for index, count in enumerate(counts):
        h = round(count / top * height)
        x = index * (width + gap)
        low, high = index * 100 // BINS, (index + 1) * 100 // BINS
        bars.append(f'<rect class="col" x="{x}" y="{height - h + 15}" width="{width}" height="{h}" '
                    f'data-count="{count}"><title>{low}–{high} %: {count} student(s)</title></rect>'
                    f'<text x="{x + width / 2}" y="{height - h + 11}" text-anchor="middle">{count or ""}</text>'
                    f'<text x="{x + width / 2}" y="{height + 30}" text-anchor="middle">{low}</text>')
    total_width = BINS * (width + gap)
    return (f'<svg class="histogram" data-lab="{escape(lab, quote=True)}" width="{total_width}" height="{height + 40}" '
            f'viewBox="0 0 {total_width} {height + 40}" role="img" aria-label="score distribution of {escape(lab)}">'
            f"{''.join(bars)}</svg><div class=\"note\">share of the lab's points (%), {len(entries)} graded</div>")


def _item_chart(items: list[Item]) -> str:
    shown = [i for i in items if i.graded][:15]
    label_width, bar_width, row = 330, 360, 22
    rows = []
    for index, item in enumerate(shown):
        y = index * row
        name = item.check if len(item.check) <= 48 else item.check[:47] + "…"
        prefix = f"task {item.task}: " if item.task is not None else ""
        rows.append(
            f'<g class="item" data-check="{escape(item.check, quote=True)}" data-failed="{item.failed}" '
            f'data-graded="{item.graded}"><title>{escape(item.common_feedback)}</title>'
            f'<text x="0" y="{y + 15}">{escape(prefix + name)}</text>'
            f'<rect class="track" x="{label_width}" y="{y + 4}" width="{bar_width}" height="14"/>'
            f'<rect class="bar" x="{label_width}" y="{y + 4}" width="{round(item.failed_share * bar_width, 1)}" '
            f'height="14"/><text x="{label_width + bar_width + 6}" y="{y + 15}">{item.failed}/{item.graded} failed'
            f"</text></g>")
    height = max(row, len(shown) * row)
    total = label_width + bar_width + 110
    return (f'<svg class="items" width="{total}" height="{height}" viewBox="0 0 {total} {height}" role="img" '
            f'aria-label="share of the class that failed each check">{"".join(rows)}</svg>')


def _item_table(items: list[Item]) -> str:
    rows = "".join(
        f"<tr><td>{escape(str(i.task or ''))}</td><td>{escape(i.check)}</td><td class=\"num\">{i.failed}/{i.graded}"
        f"</td><td>{escape(i.common_feedback)}</td><td class=\"num\">{i.common_count}</td></tr>"
        for i in items if i.failed or i.errors)
    return ('<table class="item-table"><thead><tr><th>task</th><th>check</th><th>failed</th>'
            f"<th>most common feedback</th><th>times</th></tr></thead><tbody>{rows}</tbody></table>")


def _similar(report: BatchReport) -> str:
    if not report.similar:
        return "<p>No pair of submissions is identical or near-identical after normalising.</p>"
    rows = "".join(f"<tr><td>{escape(p.lab)}</td><td>{escape(p.students[0])}</td><td>{escape(p.students[1])}</td>"
                   f"<td>{p.kind}</td><td class=\"num\">{p.similarity:.2f}</td><td>{escape(p.note)}</td></tr>"
                   for p in report.similar)
    return ('<p class="note">To look at, never a verdict: short tasks have few sensible answers.</p>'
            '<table id="similar"><thead><tr><th>lab</th><th>student</th><th>student</th><th>kind</th>'
            f"<th>similarity</th><th>note</th></tr></thead><tbody>{rows}</tbody></table>")


def render(report: BatchReport) -> str:
    labs = report.graded_labs()
    sections = []
    for lab in labs:
        title = report.lab_facts[lab].title if lab in report.lab_facts else ""
        items = [i for i in report.items if i.lab == lab]
        sections.append(
            f'<section class="lab" id="lab-{escape(lab, quote=True)}"><h3>{escape(lab)} '
            f'<small class="note">{escape(title)}</small></h3>{_histogram(report, lab)}'
            f"<h4>Checks the class failed most</h4>{_item_chart(items)}{_item_table(items)}</section>")
    deadline = f" · deadline {escape(report.deadline)}" if report.deadline else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Class report</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>
<body><h1>Class report</h1>
<p class="note">{len(report.students)} students · {len(labs)} labs{deadline} · course: {escape(report.course)}</p>
<h2>Gradebook</h2><p class="note">Points after the late policy; the raw mark is in brackets when late.</p>
{_gradebook(report, labs)}
<h2>Labs</h2>{"".join(sections)}
<h2>Similar submissions</h2>{_similar(report)}
</body></html>
"""
