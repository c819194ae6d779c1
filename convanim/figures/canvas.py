"""A figure's pixel sizes (`Style`, from the cell size and scale) and its final fitting onto the canvas."""

from __future__ import annotations

from dataclasses import dataclass, replace

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
                 dash=(max(2.0, cell * 0.15), max(1.5, cell * 0.1)), label_font=max(14.0 * s, cell * 0.42),
                 note_font=max(13.0 * s, cell * 0.32), value_font=max(13.0 * s, cell * 0.42),
                 small_font=max(13.0 * s, cell * 0.3), caption_font=max(14.5 * s, min(cell * 0.32, 20.0 * s)),
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


WRAP_FACTOR = 1.5  # a caption's notes line wider than this many drawing widths shares the title's line
WRAP_EMS = 64  # ... but lines this many caption ems wide are always fine (in ems: the same at any scale)
NOTE_SEPARATOR = "; "  # how `caption_lines` joins the static notes: where a long line may break
TITLE_SEPARATOR = "  ·  "


def _caption_extent(t: Text) -> float:
    """The width a caption line needs, centred: its length, or twice its reach from the centre when placed off it."""
    length = font(round(t.size)).getlength(t.text)
    if t.anchor[0] == "m":
        return length
    left = t.at[0] if t.anchor[0] == "l" else t.at[0] - length
    return 2 * max(abs(left), abs(left + length))


def balance_caption(captions: list[Text], width: float) -> list[Text]:
    """Keep a caption to three lines when its notes line is much wider than the drawing (a real-size layer says what
    it samples, elides and sweeps): the first notes go up beside the title, the rest stay on the notes line, split at
    note boundaries so that the wider of the two lines is as narrow as it can be."""
    static = sorted((t for t in captions if t.frame is None), key=lambda t: t.at[1])
    if len(static) != 2 or static[0].at[1] != 0.0:
        return captions
    title, notes = static
    note_face, title_face = font(round(notes.size)), font(round(title.size))
    parts = notes.text.split(NOTE_SEPARATOR)
    if note_face.getlength(notes.text) <= width or len(parts) < 2:
        return captions
    lead = title_face.getlength(title.text) + note_face.getlength(TITLE_SEPARATOR)
    def wider(k: int) -> float:
        return max(lead + note_face.getlength(NOTE_SEPARATOR.join(parts[:k])),
                   note_face.getlength(NOTE_SEPARATOR.join(parts[k:])))

    best = min(range(1, len(parts)), key=wider)
    beside = TITLE_SEPARATOR + NOTE_SEPARATOR.join(parts[:best])
    total = title_face.getlength(title.text) + note_face.getlength(beside)
    left = -total / 2
    # Baselines aligned: both are placed by their tops ("a"), and the smaller font's top sits lower by the
    # difference of the ascents.
    drop = title_face.getmetrics()[0] - note_face.getmetrics()[0]
    return [replace(title, at=(left, title.at[1], title.at[2]), anchor="la"),
            replace(notes, text=beside, at=(left + title_face.getlength(title.text), title.at[1] + drop,
                                            notes.at[2]), anchor="la"),
            replace(notes, text=NOTE_SEPARATOR.join(parts[best:]))] + [t for t in captions if t.frame is not None]


def finish(items: list[Item], captions: list[Text], view: ViewSpec, style: Style, frame_count: int, title: str,
           frame_titles: tuple[str, ...], base=None) -> Scene:
    """Fit the figure to a canvas, hang the caption below it, and attach timing."""
    projection, width, height = fit(items, base or (OBLIQUE if view.view == "oblique" else FLAT), style.cell,
                                    style.margin)
    if captions:
        captions = balance_caption(captions, max(WRAP_FACTOR * (width - 2 * style.margin),
                                                 WRAP_EMS * style.caption_font))
        caption_width = max(_caption_extent(t) for t in captions)
        extra = max(0.0, caption_width + 2 * style.margin - width)
        if extra:
            projection = replace(projection, ox=projection.ox + extra / 2)
            width = int(np.ceil(width + extra))
        top = height - style.margin * 0.4 + (style.margin * 0.5 if projection.ay == 0 else 0.0)  # flat: a level edge
        placed = [Text((width / 2 + t.at[0], top + t.at[1], 0.0), t.text, t.size, t.color, t.anchor, t.bold, t.opacity,
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
    theme = view.theme
    if view.background is not None:
        theme = replace(theme, background=view.background)
    return Scene(items=tuple(items), frame_count=frame_count, projection=projection, width=width, height=height,
                 theme=theme, durations_ms=frame_durations(view, frame_count), loop=view.loop,
                 transparent=view.transparent,
                 title=title, frame_titles=frame_titles)
