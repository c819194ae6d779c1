"""Pieces every scene shares: sizes, grid lines, plane labels, captions and the final fitting."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convanim.describe import shape_str  # noqa: F401  (figures name shapes as explain does)
from convanim.fonts import font
from convanim.primitives import FLAT, OBLIQUE, Item, Line, Scene, Text, fit
from convanim.spec import SpecError
from convanim.theme import Theme
from convanim.view import MAX_CANVAS_SIDE, ViewSpec


@dataclass(frozen=True, slots=True)
class Style:
    """Pixel sizes derived from the cell size (and so from the view's scale)."""

    cell: float
    line_width: float
    connector_width: float
    dash: tuple[float, float]
    label_font: float
    note_font: float
    value_font: float
    small_font: float
    caption_font: float
    margin: float


def style_for(view: ViewSpec, extent_cells: int, auto_cell: float | None = None) -> Style:
    """Sizes for a scene whose largest plane spans `extent_cells` cells; `auto_cell` replaces the default cell size
    (an explicit `view.cell_size` still wins)."""
    cell = float(view.cell_size or auto_cell or min(36, max(14, round(480 / max(extent_cells, 1)))))
    cell *= view.scale
    s = view.scale
    return Style(cell=cell, line_width=max(1.0, cell * 0.045), connector_width=max(0.8, cell * 0.028),
                 dash=(max(2.0, cell * 0.15), max(1.5, cell * 0.1)), label_font=max(13.0 * s, cell * 0.42),
                 note_font=max(11.0 * s, cell * 0.32), value_font=max(9.0 * s, cell * 0.42),
                 small_font=max(8.0 * s, cell * 0.3), caption_font=max(14.0 * s, min(cell * 0.32, 20.0 * s)),
                 margin=max(12.0 * s, cell * 0.4))


def fitted_size(text: str, size: float, width: float) -> float:
    """`size`, or smaller so that `text` fits in `width` pixels (e.g. "1.67" in a small cell)."""
    length = font(round(size)).getlength(text)
    return size if length <= width else max(6.0, size * width / length)


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


def label_items(lines: tuple[str, str, str], corner: tuple[float, float, float], oblique: bool, style: Style,
                theme: Theme) -> list[Item]:
    """A plane's name and shape (bold) with an optional note, beside its top-left corner; a note with newlines
    is drawn as that many lines, so that a long one does not push the figure sideways."""
    name, shape, note = lines
    x, y, z = corner
    main = f"{name} {shape}"
    notes = note.split("\n") if note else []
    gap = (style.note_font * 1.3) / style.cell  # one note line, in cells (z and flat y are both screen-vertical)
    if oblique:
        at = (x - 0.35, y, z)
        items: list[Item] = [Text(at, main, style.label_font, theme.text, "rs", bold=True)]
        items += [Text((x - 0.35, y, z - i * gap), line, style.note_font, theme.muted_text, "ra")
                  for i, line in enumerate(notes)]
        return items
    first = y - 0.25 - gap * len(notes) * 1.04
    items = [Text((x, first, z), main, style.label_font, theme.text, "ls", bold=True)]
    items += [Text((x, y - 0.25 - gap * (len(notes) - 1 - i), z), line, style.note_font, theme.muted_text, "ls")
              for i, line in enumerate(notes)]
    return items


def caption_items(title: str, frame_titles: tuple[str, ...], style: Style, theme: Theme) -> list[Text]:
    """Caption lines in pixels relative to the caption's top centre; `finish` moves them under the figure."""
    line = style.caption_font * 1.45
    items = [Text((0.0, 0.0, 0.0), title, style.caption_font, theme.text, "ma", screen=True)]
    items += [Text((0.0, line, 0.0), text, style.caption_font * 0.9, theme.muted_text, "ma", frame=t, screen=True)
              for t, text in enumerate(frame_titles)]
    return items


def finish(items: list[Item], captions: list[Text], view: ViewSpec, style: Style, frame_count: int, title: str,
           frame_titles: tuple[str, ...], base=None) -> Scene:
    """Fit the figure to a canvas, hang the caption below it, and attach timing."""
    projection, width, height = fit(items, base or (OBLIQUE if view.view == "oblique" else FLAT), style.cell,
                                    style.margin)
    if captions:
        caption_width = max(font(round(t.size)).getlength(t.text) for t in captions)
        extra = max(0.0, caption_width + 2 * style.margin - width)
        if extra:
            from dataclasses import replace

            projection = replace(projection, ox=projection.ox + extra / 2)
            width = int(np.ceil(width + extra))
        top = height - style.margin * 0.4 + (style.margin * 0.5 if projection.ay == 0 else 0.0)  # flat: a level edge
        placed = [Text((width / 2, top + t.at[1], 0.0), t.text, t.size, t.color, t.anchor, t.bold, t.opacity,
                       t.frame, screen=True) for t in captions]
        bottom = max(top + t.at[1] + font(round(t.size)).getbbox(t.text, anchor=t.anchor)[3] for t in captions)
        height = int(np.ceil(bottom + style.margin))
        # Static caption lines overlap nothing: paint them first, into the background, which costs no frame time.
        items = [t for t in placed if t.frame is None] + items + [t for t in placed if t.frame is not None]
    if max(width, height) > MAX_CANVAS_SIDE:
        fitting = int(style.cell / view.scale * MAX_CANVAS_SIDE / max(width, height))  # text does not shrink: a guess
        hint = (f"try cell_size={fitting} or less, or a smaller input_size" if fitting >= 4 else
                "too many cells to draw even at cell_size=4; draw a smaller input_size (the geometry is the same "
                "at any size: 'convanim explain' gives the numbers)")
        raise SpecError(f"cell_size: the picture would be {width}x{height} pixels, more than {MAX_CANVAS_SIDE} on a "
                        f"side; {hint}")
    ms = max(10, round(view.seconds_per_frame * 1000))
    durations = [ms] * frame_count
    durations[-1] += round(view.pause * 1000)
    return Scene(items=tuple(items), frame_count=frame_count, projection=projection, width=width, height=height,
                 theme=view.theme, durations_ms=tuple(durations), loop=view.loop, transparent=view.transparent,
                 title=title, frame_titles=frame_titles)
