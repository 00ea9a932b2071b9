"""The heatmap as server-rendered SVG: a picture of one measure, boards across and pathways down.

It is an image (``role="img"`` with a title and a description); the table beside it carries the same
numbers and the links. The cells are not links themselves: an image's content is presentational, so links
inside it would be focusable yet nameless (axe's nested-interactive rule). Every cell also shows its count, so the
colour is never the only way to read it. Colours are attributes, not styles (the CSP forbids inline styles).
"""
from __future__ import annotations

import math

from markupsafe import Markup, escape

from .grid import Picture

# Light to dark blue, each with the text colour that keeps 4.5:1 contrast on it.
SHADES = [("#ffffff", "#212b32"), ("#deebf7", "#212b32"), ("#9ecae1", "#212b32"), ("#4292c6", "#000000"),
          ("#08519c", "#ffffff")]
CELL_W, CELL_H, HEADER_H, CHAR_W, GAP = 46, 30, 170, 7.4, 12


def shade(count: int, highest: int) -> int:
    """0 for an empty cell, else 1..4 by the count's share of the highest count."""
    if count <= 0 or highest <= 0:
        return 0
    return max(1, min(4, math.ceil(4 * count / highest)))


def short_board_name(name: str) -> str:
    return name.removeprefix("NHS ")


def heatmap_svg(picture: Picture, measure_key: str) -> Markup:
    measure = picture.measure(measure_key)
    label = measure.label if measure else measure_key
    highest = picture.highest(measure_key)
    left = int(max((len(title) for _, title in picture.pathways), default=10) * CHAR_W) + GAP
    # Board names are drawn slanting up to the right: the last ones reach past the grid.
    longest_board = max((len(short_board_name(b.name)) for b in picture.boards), default=0)
    width = left + CELL_W * len(picture.boards) + int(longest_board * CHAR_W * 0.6) + GAP
    legend_y = HEADER_H + CELL_H * len(picture.pathways) + 24
    height = legend_y + 40
    total = picture.total(measure_key)
    busiest = max(((picture.count(measure_key, b.slug, p), b.name, t) for b in picture.boards
                   for p, t in picture.pathways), default=(0, "", ""))
    desc = (f"{label}: {total} in all, across {len(picture.boards)} boards and {len(picture.pathways)} pathways. "
            + (f"The most, {busiest[0]}, are from {busiest[1]} on {busiest[2]}. " if busiest[0] else "")
            + "Darker cells have more; each cell shows its number. The table below gives every number.")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="pr-heatmap" role="img" '
           f'aria-labelledby="heatmap-title heatmap-desc" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" font-family="Frutiger W01, Arial, sans-serif" font-size="13">',
           f'<title id="heatmap-title">{escape(label)} by board and pathway</title>',
           f'<desc id="heatmap-desc">{escape(desc)}</desc>']
    for column, board in enumerate(picture.boards):
        x = left + column * CELL_W + CELL_W / 2
        out.append(f'<text x="{x:g}" y="{HEADER_H - 8}" transform="rotate(-55 {x:g} {HEADER_H - 8})" '
                   f'fill="#212b32">{escape(short_board_name(board.name))}</text>')
    for row, (slug, title) in enumerate(picture.pathways):
        y = HEADER_H + row * CELL_H
        out.append(f'<text x="{left - GAP}" y="{y + CELL_H / 2 + 4:g}" text-anchor="end" '
                   f'fill="#212b32">{escape(title)}</text>')
        for column, board in enumerate(picture.boards):
            count = picture.count(measure_key, board.slug, slug)
            fill, ink = SHADES[shade(count, highest)]
            x = left + column * CELL_W
            out.append(f'<rect x="{x}" y="{y}" width="{CELL_W}" height="{CELL_H}" fill="{fill}" '
                       f'stroke="#aeb7bd" stroke-width="1"/>')
            out.append(f'<text x="{x + CELL_W / 2:g}" y="{y + CELL_H / 2 + 4:g}" text-anchor="middle" '
                       f'fill="{ink}">{count}</text>')
    out.append(f'<text x="{left}" y="{legend_y}" fill="#212b32">Fewer</text>')
    for step, (fill, _) in enumerate(SHADES):
        out.append(f'<rect x="{left + 48 + step * 28}" y="{legend_y - 14}" width="26" height="18" fill="{fill}" '
                   f'stroke="#aeb7bd" stroke-width="1"/>')
    out.append(f'<text x="{left + 48 + len(SHADES) * 28 + 6}" y="{legend_y}" fill="#212b32">More '
               f'(the darkest is {highest})</text>')
    out.append("</svg>")
    return Markup("".join(out))
