"""A 1d layer with channels: a time x channel grid (time along x, channels along y) under each of input and output.

A frame shades, for one output channel at one output step, the kernel's taps on every input channel that output
channel reads (`channel_inputs`, so a filter never leaves its group), and that output cell. Past `MAX_ROWS` channels
a grid draws the first three and the last (`drawn_channels`), with a "⋮ N more channels" gap that the window's edges
cross, dashed, when the filter reads channels there too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from convanim.describe import pytorch_code
from convanim.figures.canvas import Style, finish, shape_str, style_for
from convanim.figures.captions import caption_lines, elision_notes, layer_note, numbers_note, read_phrase
from convanim.figures.cuts import (
    GAP_CELLS,
    LONG_TIME_AXIS,
    AxisCut,
    clear_place,
    cut_axis,
    gap_notes,
    places_across,
    screen_segments,
)
from convanim.figures.frames import frame_plan
from convanim.figures.grid import grid_lines, window_lines
from convanim.figures.labels import label_items
from convanim.figures.plane import _connectors, _lift
from convanim.figures.stacks import drawn_channels, group_fill
from convanim.geometry import REAL, Geometry, channel_inputs
from convanim.positions import resolve_positions
from convanim.primitives import FLAT, OBLIQUE, Item, Line, Polygon, Projection, Text, quad
from convanim.spec import ConvSpec, SpecError
from convanim.theme import Theme
from convanim.view import ViewSpec

MAX_ROWS = 16  # a grid of up to this many channels draws every channel row; rows are thin, so more fit than planes
GAP_ROWS = 1.0  # height, in rows, of the gap that stands for left-out channels


class Rows:
    """Where each drawn channel's row of a time x channel grid sits (y, in rows), with a gap for each left-out run."""

    def __init__(self, drawn: tuple[int, ...]):
        self.drawn = drawn
        self.y: dict[int, float] = {}
        self.gaps: list[tuple[float, int, int]] = []  # (top y, first and last left-out channel)
        y = 0.0
        for j, c in enumerate(drawn):
            if j and c - drawn[j - 1] > 1:
                self.gaps.append((y, drawn[j - 1] + 1, c - 1))
                y += GAP_ROWS
            self.y[c] = y
            y += 1.0
        self.height = y

    def runs(self) -> list[tuple[float, int]]:
        """(top y, rows) of each unbroken run of drawn rows."""
        runs: list[tuple[float, int]] = []
        for c in self.drawn:
            if runs and self.y[c] == runs[-1][0] + runs[-1][1]:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            else:
                runs.append((self.y[c], 1))
        return runs


def build_sequence_scene(spec: ConvSpec, view: ViewSpec):
    geometry = Geometry(spec)
    theme = view.theme
    reads = channel_inputs(spec)
    focus = 0 if view.channel is None else view.channel
    if not 0 <= focus < spec.out_channels:
        raise SpecError(f"channel: must be between 0 and {spec.out_channels - 1}, got {focus}")
    in_rows = Rows(drawn_channels(spec.in_channels, reads[focus][0], MAX_ROWS))
    out_rows = Rows(drawn_channels(spec.out_channels, focus, MAX_ROWS))
    plan = frame_plan(resolve_positions(view.positions, geometry.output_shape, view.max_frames), spec.out_channels,
                      view, shown=out_rows.drawn)
    steps, out_steps = geometry.grid_shape[0], geometry.output_shape[0]
    shown = [geometry.frame(p) for p in sorted({p for p, _ in plan.steps})]
    time = cut_axis(steps, [int(g) for f in shown for g in f.grid[:, 0]], LONG_TIME_AXIS)
    out_time = cut_axis(out_steps, [f.output[0] for f in shown], LONG_TIME_AXIS)
    width, out_width = time.extent, out_time.extent  # drawn lengths, in cells
    style = style_for(view, max(width, out_width, round(in_rows.height + out_rows.height)) + 2)
    oblique = view.view == "oblique"
    grouped = spec.groups > 1 and not spec.is_pool
    per_in, per_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups

    if oblique:
        # Centred over the input, but never starting left of it: a connector from the input's first corner would
        # run up and to the left, through the input's name (an elided input can be drawn narrower than its output).
        out_x, out_y = max(0.0, (width - out_width) / 2), (in_rows.height - out_rows.height) / 2
        out_z = _lift(round(in_rows.height), width, round(out_rows.height), out_width, out_x, out_y)
    else:
        out_x, out_y, out_z = width + 4.0, (in_rows.height - out_rows.height) / 2, 0.0

    real_steps = geometry.grid_zero == REAL
    items: list[Item] = []
    for ic in in_rows.drawn:
        fill = group_fill(theme, ic // per_in) if grouped else theme.input_fill
        for t in time.kept:
            items.append(Polygon(quad(time.at(t), in_rows.y[ic], 0.0), fill if real_steps[t] else theme.zero_fill))
    for top, count in in_rows.runs():
        for s0, s1 in time.segments():
            items += grid_lines(np.repeat(real_steps[None, s0:s1], count, axis=0), time.at(s0), top, 0.0, theme,
                                style)
    in_marks_at = len(items)  # the input's gap marks go here, placed clear of the connectors (drawn below)
    if view.labels:
        note = f"time × channels{', padded ' + str(steps) if steps != spec.input_size[0] else ''}"
        notes = [note, *_gap_notes(time, real_steps)]
        if oblique:  # the input's rows are labelled on the left, where no connector rises; its notes go under them
            items += label_items(("input", shape_str((spec.input_size[0], spec.in_channels)), ""), (0.0, 0.0, 0.0),
                                 oblique, style, theme)
            step = (style.note_font * 1.3) / style.cell
            items += [Text((-0.35, in_rows.height + 0.5, -i * step), line, style.note_font, theme.muted_text, "ra")
                      for i, line in enumerate(notes)]
        else:
            items += label_items(("input", shape_str((spec.input_size[0], spec.in_channels)), "\n".join(notes)),
                                 (0.0, 0.0, 0.0), oblique, style, theme)
        items += label_items(("output", shape_str((out_steps, spec.out_channels)), "\n".join(_gap_notes(out_time))),
                             (out_x, out_y, out_z), oblique, style, theme, notes_above=True)
        items += _row_labels(in_rows, width, 0.0, 0.0, 0.0, per_in, grouped, theme, style, left=oblique)
        items += _row_labels(out_rows, out_width, out_x, out_y, out_z, per_out, grouped, theme, style)

    frame_titles = []
    connectors: list[Item] = []
    shades: list[Item] = []
    for t, (p, oc) in enumerate(plan.steps):
        frame = geometry.frame(p)
        read = reads[oc]
        drawn_read = [ic for ic in read if ic in in_rows.y]
        shades += [Polygon(quad(time.at(int(g[0])), in_rows.y[ic], 0.0), theme.shade, theme.shade_opacity, t)
                   for ic in drawn_read for g in frame.grid]
        window = [time.at(int(g[0])) for g in frame.grid]
        for ic in drawn_read:
            shades += window_lines([(0, x) for x in window], 0.0, in_rows.y[ic], 0.0, theme, style, t)
        shades += _gap_crossings(in_rows, read, window, t, theme, style)
        if oblique and drawn_read:
            cells = [(in_rows.y[ic], time.at(int(g[0]))) for ic in (drawn_read[0], drawn_read[-1])
                     for g in frame.grid]
            connectors += _connectors(cells, (out_rows.y[oc], out_time.at(frame.output[0])), out_x, out_y, out_z,
                                      theme, style, t)
        frame_titles.append(f"frame {t + 1}/{len(plan.steps)}: output channel {oc} at step {frame.output[0]} "
                            f"reads {read_phrase(read, len(drawn_read), spec.in_channels)}")
    items += shades + connectors
    base = OBLIQUE if oblique else FLAT
    items[in_marks_at:in_marks_at] = (
        _gap_markers(in_rows, time, 0.0, 0.0, 0.0, view, theme, style, connectors, base, left=oblique) +
        _time_gaps(time, in_rows, (0.0, 0.0, 0.0), view, style, connectors, base))
    for oc in out_rows.drawn:
        for t in out_time.kept:
            items.append(Polygon(quad(out_x + out_time.at(t), out_y + out_rows.y[oc], out_z),
                                 group_fill(theme, oc // per_out, theme.output_fill) if grouped else theme.output_fill))
    for top, count in out_rows.runs():
        for s0, s1 in out_time.segments():
            items += grid_lines(np.ones((count, s1 - s0), bool), out_x + out_time.at(s0), out_y + top, out_z, theme,
                                style)
    items += _gap_markers(out_rows, out_time, out_x, out_y, out_z, view, theme, style, connectors, base)
    items += _time_gaps(out_time, out_rows, (out_x, out_y, out_z), view, style, connectors, base)
    for t, (p, oc) in enumerate(plan.steps):
        items.append(Polygon(quad(out_x + out_time.at(geometry.frame(p).output[0]), out_y + out_rows.y[oc], out_z),
                             theme.shade, theme.shade_opacity, t))

    title = pytorch_code(spec).removeprefix("nn.")
    notes = [layer_note(spec)] + elision_notes(spec, in_rows.drawn, out_rows.drawn)
    notes += plan.notes + numbers_note(view)
    captions = caption_lines(title, notes, tuple(frame_titles), style, theme) if view.caption else []
    return finish(items, captions, view, style, len(plan.steps), title, tuple(frame_titles))


def _gap_markers(rows: Rows, time: AxisCut, x: float, y: float, z: float, view: ViewSpec, theme: Theme, style: Style,
                 avoid: Sequence[Item] = (), projection: Projection | None = None, left: bool = False) -> list[Item]:
    """A "⋮" in each gap (in the middle, else where no line of `avoid` runs: see `clear_place`) and, with labels,
    "N more channels (a-b)" where the row labels run (right, or `left`)."""
    items: list[Item] = []
    segments = screen_segments(avoid, projection, style.cell)
    for top, first, last in rows.gaps:
        middle = y + top + GAP_ROWS / 2
        places = places_across(time.extent, [time.at(t) for t in time.kept])
        glyph = clear_place([Text((x + at, middle, z), "⋮", style.label_font * 1.2, theme.muted_text, "mm",
                                  bold=True) for at in places], segments, projection, style.cell)
        items += [glyph] if glyph else []
        if view.labels:
            words = f"{last - first + 1} more channel{f's ({first}-{last})' if last > first else f' ({first})'}"
            away = _label_room(style)
            items.append(Text((x - away if left else x + time.extent + away, middle, z), words, style.note_font,
                              theme.muted_text, "rm" if left else "lm"))
    return items


def _time_gaps(time: AxisCut, rows: Rows, corner: tuple[float, float, float], view: ViewSpec, style: Style,
               avoid: Sequence[Item] = (), projection: Projection | None = None) -> list[Item]:
    """"⋯" in each gap of an elided time axis, placed clear of `avoid` like the channel gaps' "⋮" (the plane's
    label says how many steps it leaves out: beside the grid, the words would run into the rows and their
    labels)."""
    x, y, z = corner
    segments = screen_segments(avoid, projection, style.cell)
    glyphs = [clear_place([Text((x + start + GAP_CELLS / 2, y + at, z), "⋯", style.label_font * 1.2,
                                view.theme.muted_text, "mm", bold=True)
                           for at in places_across(rows.height, [rows.y[c] for c in rows.drawn], True)],
                          segments, projection, style.cell) for start, _, _ in time.gaps]
    return [glyph for glyph in glyphs if glyph is not None]


def _gap_notes(time: AxisCut, real: np.ndarray | None = None) -> list[str]:
    """"⋯ 991 more steps (8-998)": a label line for each gap of an elided time axis, in the sequence's own indices
    (`real`: True where the drawn axis holds a real step, not padding or an inserted zero)."""
    return gap_notes(AxisCut(1), time, "step", None if real is None else np.asarray(real).reshape(1, -1))


def _gap_crossings(rows: Rows, read: Sequence[int], window: list[float], frame: int, theme: Theme,
                   style: Style) -> list[Item]:
    """Dashed lines along the window's two edges (drawn x of its cells) through each gap whose left-out channels
    the filter reads."""
    left, right = min(window), max(window) + 1
    return [Line((x, top, 0.0), (x, top + GAP_ROWS, 0.0), theme.connector, style.connector_width, style.dash, 0.8,
                 frame)
            for top, first, last in rows.gaps if any(first <= c <= last for c in read) for x in (left, right)]


def _row_labels(rows: Rows, cols: float, x: float, y: float, z: float, per_group: int, grouped: bool, theme: Theme,
                style: Style, left: bool = False) -> list[Item]:
    """`c0`, `c1`, ... right (or `left`) of each drawn channel row; grouped: `c2 g1`, its group. Connectors rise from
    the window's corners up and to the left, across labels on the right of the rows above them, never to the left."""
    away = _label_room(style)
    return [Text((x - away if left else x + cols + away, y + rows.y[r] + 0.5, z),
                 f"c{r}" + (f" g{r // per_group}" if grouped else ""), style.note_font, theme.muted_text,
                 "rm" if left else "lm") for r in rows.drawn]


def _label_room(style: Style) -> float:
    """Cells between a grid's edge and its row labels: a quarter cell and 6 pixels more, so that a connector meeting
    the last step's corner passes clear of the label beside it even when cells are small."""
    return 0.25 + 6.0 / style.cell
