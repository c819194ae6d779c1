"""Grid lines of a plane: each line once, solid beside real cells and dashed between implicit zeros."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from convanim.figures.canvas import Style
from convanim.primitives import Item, Line
from convanim.theme import Theme


def grid_lines(real: np.ndarray, x0: float, y0: float, z: float, theme: Theme, style: Style) -> list[Item]:
    """Each grid line of a plane once: solid where it borders a real cell, dashed between implicit zeros.

    Runs of equal style are merged into one line so that dashes flow evenly along them."""
    rows, cols = real.shape
    items: list[Item] = []

    def solid_h(r: int, c: int) -> bool:
        return bool((r > 0 and real[r - 1, c]) or (r < rows and real[r, c]))

    def solid_v(r: int, c: int) -> bool:
        return bool((c > 0 and real[r, c - 1]) or (c < cols and real[r, c]))

    for r in range(rows + 1):
        for start, end, solid in _runs([solid_h(r, c) for c in range(cols)]):
            items.append(_edge((x0 + start, y0 + r, z), (x0 + end, y0 + r, z), solid, theme, style))
    for c in range(cols + 1):
        for start, end, solid in _runs([solid_v(r, c) for r in range(rows)]):
            items.append(_edge((x0 + c, y0 + start, z), (x0 + c, y0 + end, z), solid, theme, style))
    lines = [item for item in items if isinstance(item, Line)]
    return [*(line for line in lines if not line.dash), *(line for line in lines if line.dash)]  # solid wins corners


def _runs(flags: list[bool]) -> list[tuple[int, int, bool]]:
    runs: list[tuple[int, int, bool]] = []
    start = 0
    for i in range(1, len(flags) + 1):
        if i == len(flags) or flags[i] != flags[start]:
            runs.append((start, i, flags[start]))
            start = i
    return runs


def _edge(start, end, solid: bool, theme: Theme, style: Style) -> Line:
    if solid:
        return Line(start, end, theme.outline, style.line_width)
    return Line(start, end, theme.zero_outline, style.line_width, dash=style.dash)


def window_lines(cells: Sequence[tuple[float, float]], x0: float, y0: float, z: float, theme: Theme, style: Style,
                 frame: int) -> list[Item]:
    """The window as a block, as the classic figures draw it: solid borders round each of its (row, col) cells, also
    over padding and inserted zeros (whose own lines are dashed), and its outline, where a tap cell meets a cell
    outside the window, drawn bolder."""
    taps = set(cells)
    Corner = tuple[float, float]
    edges: dict[tuple[Corner, Corner], bool] = {}  # (from, to) in (row, col) corners -> outline
    for r, c in sorted(taps):
        for a, b, neighbour in (((r, c), (r, c + 1), (r - 1, c)), ((r + 1, c), (r + 1, c + 1), (r + 1, c)),
                                ((r, c), (r + 1, c), (r, c - 1)), ((r, c + 1), (r + 1, c + 1), (r, c + 1))):
            edges[a, b] = edges.get((a, b), False) or neighbour not in taps
    inner = [edge for edge, outline in sorted(edges.items()) if not outline]
    outer = [edge for edge, outline in sorted(edges.items()) if outline]
    width = style.line_width
    return [Line((x0 + a[1], y0 + a[0], z), (x0 + b[1], y0 + b[0], z), theme.outline, w, frame=frame)
            for group, w in ((inner, width), (outer, max(width * 1.8, width + 1.0))) for a, b in group]
