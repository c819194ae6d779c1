"""A figure's pixel sizes (`Style`, from the cell size and scale) and its final fitting onto the canvas."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convanim.describe import shape_str  # noqa: F401  (figures name shapes as explain does)
from convanim.fonts import font
from convanim.primitives import FLAT, OBLIQUE, Item, Scene, Text, fit
from convanim.spec import SpecError
from convanim.view import MAX_CANVAS_SIDE, MIN_FRAME_SECONDS, ViewSpec


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


def style_for(view: ViewSpec, extent_cells: float, auto_cell: float | None = None) -> Style:
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












def frame_durations(view: ViewSpec, frame_count: int) -> tuple[int, ...]:
    """Milliseconds per frame, the pause added to the last: `seconds_per_frame` each, or a loop of `duration` (or of
    `loop_limit`, when nobody chose a frame rate and the loop would be longer) shared out in GIF's 10 ms steps so
    that the loop lasts exactly that long."""
    pause = round(view.pause * 1000)
    total = view.duration
    if total is None and view.loop_limit is not None and \
            view.seconds_per_frame * frame_count + view.pause > view.loop_limit + 1e-9:
        total = view.loop_limit
    if total is None:
        durations = [max(10, round(view.seconds_per_frame * 1000))] * frame_count
    else:
        steps = round((total - view.pause) * 100)  # of 10 ms
        shortest = round(MIN_FRAME_SECONDS * 100)
        if steps < shortest * frame_count:
            if view.duration is not None:
                raise SpecError(f"duration: {view.duration:g} s is too short for {frame_count:,} frames (each needs "
                                f"at least {MIN_FRAME_SECONDS:g} s: {frame_count * MIN_FRAME_SECONDS + view.pause:g} "
                                f"s in all); give a longer duration or fewer positions")
            steps = shortest * frame_count  # a default loop of very many frames: as fast as players show them
        ends = [steps * (t + 1) // frame_count for t in range(frame_count)]
        durations = [10 * (end - start) for start, end in zip([0] + ends[:-1], ends)]
    durations[-1] += pause
    return tuple(durations)


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
    if max(width, height) > MAX_CANVAS_SIDE and view.fit is None:  # a fitted figure is scaled into its box
        fitting = int(style.cell / view.scale * MAX_CANVAS_SIDE / max(width, height))  # text does not shrink: a guess
        hint = (f"try cell_size={fitting} or less, or a smaller input_size" if fitting >= 4 else
                "too many cells to draw even at cell_size=4; draw a smaller input_size (the geometry is the same "
                "at any size: 'convanim explain' gives the numbers)")
        raise SpecError(f"cell_size: the picture would be {width}x{height} pixels, more than {MAX_CANVAS_SIDE} on a "
                        f"side; {hint}")
    return Scene(items=tuple(items), frame_count=frame_count, projection=projection, width=width, height=height,
                 theme=view.theme, durations_ms=frame_durations(view, frame_count), loop=view.loop,
                 transparent=view.transparent,
                 title=title, frame_titles=frame_titles)
