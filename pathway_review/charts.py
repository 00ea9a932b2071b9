"""Small charts drawn on the server as SVG: a horizontal bar chart for comparisons and a column chart for
counts over time.

No JavaScript: the SVG is part of the page (and of a PDF report), so it shows wherever HTML does. Each
chart is an image with a title and a description that reads the numbers out (``role="img"`` hides the
SVG's own text from screen readers), its numbers are printed beside the bars, and the same numbers follow in
a table, so nothing depends on seeing the picture.
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 400           # viewBox units; the SVG scales to its container, so the layout is the same at any width
ROW = 36              # one bar: its label above, the bar and its number below
BAR = 14
COLUMN_HEIGHT = 160
FONT = 13
_ids = itertools.count(1)


def _number(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _chart_id(prefix: str | None) -> str:
    return prefix or f"pr-chart-{next(_ids)}"


def _reading(rows: Sequence[tuple[str, float]], unit: str) -> str:
    """The numbers as one sentence, for the SVG's description."""
    return "; ".join(f"{label}: {_number(value)}{' ' + unit if unit else ''}" for label, value in rows) + "."


def _table(chart_id: str, caption: str, rows, header: tuple[str, str]) -> str:
    body = "".join(
        f'<tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="row">{escape(label)}</th>'
        f'<td class="nhsuk-table__cell nhsuk-table__cell--numeric">{_number(value)}</td></tr>'
        for label, value in rows)
    return (f'<details class="nhsuk-details pr-chart__numbers"><summary class="nhsuk-details__summary">'
            f'<span class="nhsuk-details__summary-text">{escape(caption)}: the numbers as a table</span></summary>'
            f'<div class="nhsuk-details__text"><table class="nhsuk-table" id="{chart_id}-table">'
            f'<caption class="nhsuk-table__caption nhsuk-u-visually-hidden">{escape(caption)}</caption>'
            f'<thead class="nhsuk-table__head"><tr class="nhsuk-table__row">'
            f'<th class="nhsuk-table__header" scope="col">{escape(header[0])}</th>'
            f'<th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">{escape(header[1])}</th>'
            f'</tr></thead><tbody class="nhsuk-table__body">{body}</tbody></table></div></details>')


def _svg(chart_id: str, title: str, description: str, height: int, shapes: list[str]) -> str:
    return (f'<svg class="pr-chart__image" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
            f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
            f'xmlns="http://www.w3.org/2000/svg" font-family="Frutiger W01, Arial, sans-serif" font-size="{FONT}">'
            f'<title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(description)}</desc>{"".join(shapes)}</svg>')


def bar_chart(title: str, rows: Sequence[tuple[str, float]], *, unit: str = "", header=("", "Number"),
              chart_id: str | None = None, table: bool = True) -> Markup:
    """A horizontal bar chart of ``(label, value)`` rows in the order given, each number printed beside its
    bar; with ``table`` the numbers follow in a table too. Returns safe HTML (a ``<figure>``)."""
    chart_id = _chart_id(chart_id)
    rows = [(str(label), value or 0) for label, value in rows]
    most = max((value for _, value in rows), default=0)
    room = WIDTH - 60  # the longest bar leaves room for its number
    shapes = []
    for index, (label, value) in enumerate(rows):
        top = index * ROW
        length = 0 if not most else max(2, room * value / most) if value else 0
        shapes.append(f'<text x="0" y="{top + FONT}" fill="#212b32">{escape(label)}</text>')
        if length:
            shapes.append(f'<rect x="0" y="{top + 17}" width="{length:.1f}" height="{BAR}" fill="#005eb8"/>')
        shapes.append(f'<text x="{length + 6:.1f}" y="{top + 17 + BAR - 2}" fill="#212b32" '
                      f'class="pr-chart__value">{_number(value)}</text>')
    height = max(len(rows) * ROW, ROW)
    if not rows:
        shapes.append(f'<text x="0" y="{FONT}" fill="#212b32">No data</text>')
    description = _reading(rows, unit) if rows else "No data."
    html = (f'<figure class="pr-chart" id="{chart_id}"><figcaption class="pr-chart__caption">{escape(title)}'
            f'</figcaption>{_svg(chart_id, title, description, height, shapes)}'
            + (_table(chart_id, title, rows, (header[0] or "", header[1])) if table else "") + "</figure>")
    return Markup(html)


def column_chart(title: str, points: Sequence[tuple[str, float]], *, unit: str = "", header=("", "Number"),
                 chart_id: str | None = None, table: bool = True, labels_every: int | None = None) -> Markup:
    """A column chart of ``(label, value)`` points over time, oldest first. Every column carries its number
    when there is room; the axis is labelled every ``labels_every`` points (by default about eight labels)."""
    chart_id = _chart_id(chart_id)
    points = [(str(label), value or 0) for label, value in points]
    count = len(points)
    most = max((value for _, value in points), default=0)
    slot = WIDTH / max(count, 1)
    every = labels_every or max(1, -(-count // 8))
    top, base = FONT + 4, COLUMN_HEIGHT + FONT + 4
    # Regular labels, and always the last point's, dropping a regular one crowding it.
    labelled = {i for i in range(0, count, every) if i == 0 or count - 1 - i >= every / 2} | {count - 1}
    shapes = [f'<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="#4c6272" stroke-width="1"/>']
    for index, (label, value) in enumerate(points):
        x = index * slot
        height = 0 if not most else COLUMN_HEIGHT * value / most
        if height:
            shapes.append(f'<rect x="{x + slot * 0.15:.1f}" y="{base - height:.1f}" width="{slot * 0.7:.1f}" '
                          f'height="{height:.1f}" fill="#005eb8"/>')
        if slot >= 18:  # a number over each column only while it fits
            shapes.append(f'<text x="{x + slot / 2:.1f}" y="{base - height - 3:.1f}" text-anchor="middle" '
                          f'fill="#212b32" class="pr-chart__value">{_number(value)}</text>')
        if index in labelled:
            anchor = "start" if index == 0 else "end" if index == count - 1 else "middle"
            lx = x if anchor == "start" else x + slot if anchor == "end" else x + slot / 2
            shapes.append(f'<text x="{lx:.1f}" y="{base + FONT + 4}" text-anchor="{anchor}" '
                          f'fill="#212b32">{escape(label)}</text>')
    if not points:
        shapes.append(f'<text x="0" y="{top}" fill="#212b32">No data</text>')
    if points and slot < 18:
        shapes.append(f'<text x="0" y="{FONT}" fill="#212b32">Highest: {_number(most)}</text>')
    total = sum(value for _, value in points)
    description = (f"{count} points, {_number(total)} in all. " + _reading(points, unit)) if points else "No data."
    html = (f'<figure class="pr-chart" id="{chart_id}"><figcaption class="pr-chart__caption">{escape(title)}'
            f'</figcaption>{_svg(chart_id, title, description, base + FONT + 8, shapes)}'
            + (_table(chart_id, title, points, (header[0] or "", header[1])) if table else "") + "</figure>")
    return Markup(html)
