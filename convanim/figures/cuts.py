"""Long axes elided in the drawing, not in the truth: an `AxisCut` draws some cells of an axis (those the shown
frames touch, and both ends) at their true order, and each run of left-out cells as a narrow marked gap.

Figures place everything through a cut: `at(i)` is where true cell i is drawn, `edge(b)` where true boundary b
(between cells b-1 and b) is, so a window, its padding and its output keep their true places relative to what is
drawn, and the labels keep the true shapes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np

from convanim.figures.clearance import apart, box
from convanim.primitives import Item, Line, Projection, Text, text_extent
from convanim.theme import RGB

LONG_AXIS = 16  # an axis of up to this many cells is drawn whole
LONG_TIME_AXIS = 32  # a 1d time axis: its cells are cheap (one row), so more of them are drawn
GAP_CELLS = 1.6  # drawn width of a gap, in cells: room for "⋯"
MIN_HIDDEN = 3  # shorter runs of unneeded cells are drawn anyway (a gap would save almost nothing)


class AxisCut:
    """Where the drawn cells of one axis of `length` cells sit; `kept` are the drawn cells, ascending."""

    __slots__ = ("length", "kept", "extent", "gaps", "_at")

    def __init__(self, length: int, kept: Iterable[int] | None = None) -> None:
        self.length = length
        self.kept: tuple[int, ...] = tuple(range(length)) if kept is None else tuple(sorted(set(kept)))
        self._at: dict[int, float] = {}
        self.gaps: list[tuple[float, int, int]] = []  # (drawn start, first and last left-out cell)
        x = 0.0
        previous = -1
        for i in self.kept:
            if i > previous + 1:
                self.gaps.append((x, previous + 1, i - 1))
                x += GAP_CELLS
            self._at[i] = x
            x += 1.0
            previous = i
        if previous < length - 1:
            self.gaps.append((x, previous + 1, length - 1))
            x += GAP_CELLS
        self.extent = x

    @property
    def elided(self) -> bool:
        return len(self.kept) < self.length

    def drawn(self, i: int) -> bool:
        return i in self._at

    def at(self, i: int) -> float:
        """Drawn coordinate of the start of true cell `i` (which must be drawn)."""
        return self._at[i]

    def edge(self, b: int) -> float:
        """Drawn coordinate of true boundary `b`: the start of cell b, or else the end of cell b-1."""
        if b in self._at:
            return self._at[b]
        return self._at[b - 1] + 1.0

    def segments(self) -> list[tuple[int, int]]:
        """(first, stop) of each unbroken run of drawn cells."""
        runs: list[tuple[int, int]] = []
        for i in self.kept:
            if runs and runs[-1][1] == i:
                runs[-1] = (runs[-1][0], i + 1)
            else:
                runs.append((i, i + 1))
        return runs

    def hidden(self) -> int:
        return self.length - len(self.kept)


def cut_axis(length: int, needed: Iterable[int], long: int = LONG_AXIS) -> AxisCut:
    """Draw an axis whole up to `long` cells; past that, the `needed` cells and both ends, with every run of at
    least `MIN_HIDDEN` other cells left out."""
    if length <= long:
        return AxisCut(length)
    kept = {i for i in needed if 0 <= i < length} | {0, length - 1}
    ordered = sorted(kept)
    for a, b in zip(ordered, ordered[1:]):
        if b - a - 1 < MIN_HIDDEN:
            kept.update(range(a + 1, b))
    return AxisCut(length, kept)


def gap_notes(rows: AxisCut, cols: AxisCut, unit: str = "column", real: np.ndarray | None = None) -> list[str]:
    """"⋯ 53 more columns (8-60)", "⋮ 53 more rows (8-60)": a label line for each gap of a plane, in the tensor's
    own indices. `real` (rows x cols, True where the drawn grid holds a real element, not padding or an inserted
    zero) turns the grid's cells into those indices; without it grid and tensor are the same."""
    if real is None:
        return ([f"⋯ {gap_word(last - first + 1, unit)} ({first}-{last})" for _, first, last in cols.gaps] +
                [f"⋮ {gap_word(last - first + 1, 'row')} ({first}-{last})" for _, first, last in rows.gaps])
    return ([_real_gap(first, last, np.flatnonzero(real.any(axis=0)), "⋯", unit) for _, first, last in cols.gaps] +
            [_real_gap(first, last, np.flatnonzero(real.any(axis=1)), "⋮", "row") for _, first, last in rows.gaps])


def _real_gap(first: int, last: int, real_at: np.ndarray, glyph: str, unit: str) -> str:
    """The tensor indices whose grid cells fall in the gap [first, last] (`real_at`: grid index of each element),
    and how many padding or inserted zeros it hides besides: "⋯ 3 more columns (10-12) + 1 zero"."""
    hidden = np.flatnonzero((real_at >= first) & (real_at <= last))
    zeros = last - first + 1 - len(hidden)
    if not len(hidden):
        return f"{glyph} {zeros:,} zero {unit}{'s' if zeros != 1 else ''}"
    extra = f" + {zeros:,} zero{'s' if zeros != 1 else ''}" if zeros else ""
    return f"{glyph} {gap_word(len(hidden), unit)} ({hidden[0]}-{hidden[-1]}){extra}"


def gap_word(count: int, unit: str) -> str:
    """"990 more steps", "1 more row"."""
    return f"{count:,} more {unit}{'s' if count != 1 else ''}"


def gap_glyphs(rows: AxisCut, cols: AxisCut, corner: tuple[float, float, float], size: float, colour: RGB,
               avoid: Sequence[Item] = (), projection: Projection | None = None, cell: float = 1.0,
               labels: Sequence[Item] = ()) -> list[Text]:
    """"⋯" in each column gap and "⋮" in each row gap of a plane whose top-left corner is `corner` (the plane's label
    says how many cells each leaves out), each placed by `clear_place` clear of the lines of `avoid` (connectors,
    projected with `projection` at `cell` pixels): in the middle of the plane, else level with the drawn row (or
    column) nearest the middle that is clear, else just beyond the plane's edge (clear of `labels` too), else not
    at all."""
    x0, y0, z = corner
    segments = screen_segments(avoid, projection, cell)
    glyphs = [clear_place([Text((x0 + start + GAP_CELLS / 2, y0 + y, z), "⋯", size, colour, "mm", bold=True)
                           for y in places_across(rows.extent, [rows.at(i) for i in rows.kept], True)], segments,
                          projection, cell) for start, _, _ in cols.gaps]
    glyphs += [clear_place([Text((x0 + x, y0 + start + GAP_CELLS / 2, z), "⋮", size, colour, "mm", bold=True)
                            for x in places_across(cols.extent, [cols.at(i) for i in cols.kept], True)], segments,
                           projection, cell, labels) for start, _, _ in rows.gaps]
    return [glyph for glyph in glyphs if glyph is not None]


def places_across(extent: float, starts: Iterable[float], outside: bool = False) -> list[float]:
    """Where along a gap (across the plane's `extent`, whose drawn cells start at `starts`) a glyph may go: the
    middle, then each drawn cell's middle, nearest the plane's middle first, then (`outside`) just beyond either
    edge."""
    middle = extent / 2
    inside = sorted((v + 0.5 for v in starts), key=lambda v: (abs(v - middle), v))
    return [middle, *inside] + ([-0.6, extent + 0.6] if outside else [])


Segment = tuple[tuple[float, float], tuple[float, float]]


def screen_segments(avoid: Sequence[Item], projection: Projection | None, cell: float) -> list[Segment]:
    """The lines of `avoid` on screen, in pixels at `cell` pixels a cell."""
    if projection is None:
        return []
    scale = replace(projection, cell=cell)
    return [(scale(item.start), scale(item.end)) for item in avoid if isinstance(item, Line)]


def clear_place(candidates: Sequence[Text], segments: Sequence[Segment], projection: Projection | None,
                cell: float, labels: Sequence[Item] = ()) -> Text | None:
    """The first of `candidates` whose box keeps 3 pixels from every segment and clear of every text of `labels`;
    None if none does (lines go where they mean, never through a mark: the break in the grid, and the plane's
    label, still say what is left out)."""
    if not segments or projection is None:
        return candidates[0]
    scale = replace(projection, cell=cell)
    taken = [box(*text_extent(label, scale)) for label in labels if isinstance(label, Text)]
    for text in candidates:
        left, top, right, bottom = text_extent(text, scale)
        outline = box(left, top, right, bottom, 2.0)
        if not all(apart(outline, other) for other in taken):
            continue
        near = [(a, b) for a, b in segments
                if not (max(a[0], b[0]) < left - 4 or min(a[0], b[0]) > right + 4 or max(a[1], b[1]) < top - 4
                        or min(a[1], b[1]) > bottom + 4)]
        if all(apart(outline, segment, 1.0) for segment in near):
            return text
    return None
