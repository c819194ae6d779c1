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
from convanim.figures.frames import frame_plan
from convanim.figures.grid import grid_lines, window_lines
from convanim.figures.labels import label_items
from convanim.figures.plane import _connectors, _lift
from convanim.figures.stacks import drawn_channels, group_fill
from convanim.geometry import REAL, Geometry, channel_inputs
from convanim.primitives import Item, Line, Polygon, Text, quad
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
    plan = frame_plan(geometry.frame_count, spec.out_channels, view, shown=out_rows.drawn)
    steps, out_steps = geometry.grid_shape[0], geometry.output_shape[0]
    style = style_for(view, max(steps, out_steps, round(in_rows.height + out_rows.height)) + 2)
    oblique = view.view == "oblique"
    grouped = spec.groups > 1 and not spec.is_pool
    per_in, per_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups

    if oblique:
        out_x, out_y = (steps - out_steps) / 2, (in_rows.height - out_rows.height) / 2
        out_z = _lift(round(in_rows.height), steps, round(out_rows.height), out_steps, out_x, out_y)
    else:
        out_x, out_y, out_z = steps + 4.0, (in_rows.height - out_rows.height) / 2, 0.0

    real_steps = geometry.grid_zero == REAL
    items: list[Item] = []
    for ic in in_rows.drawn:
        fill = group_fill(theme, ic // per_in) if grouped else theme.input_fill
        for t in range(steps):
            items.append(Polygon(quad(t, in_rows.y[ic], 0.0), fill if real_steps[t] else theme.zero_fill))
    for top, count in in_rows.runs():
        items += grid_lines(np.repeat(real_steps[None, :], count, axis=0), 0.0, top, 0.0, theme, style)
    items += _gap_markers(in_rows, steps, 0.0, 0.0, 0.0, view, theme, style)
    if view.labels:
        note = f"time × channels{', padded ' + str(steps) if steps != spec.input_size[0] else ''}"
        items += label_items(("input", shape_str((spec.input_size[0], spec.in_channels)), note), (0.0, 0.0, 0.0),
                             oblique, style, theme)
        items += label_items(("output", shape_str((out_steps, spec.out_channels)), ""), (out_x, out_y, out_z),
                             oblique, style, theme)
        items += _row_labels(in_rows, steps, 0.0, 0.0, 0.0, per_in, grouped, theme, style)
        items += _row_labels(out_rows, out_steps, out_x, out_y, out_z, per_out, grouped, theme, style)

    frame_titles = []
    connectors: list[Item] = []
    shades: list[Item] = []
    for t, (p, oc) in enumerate(plan.steps):
        frame = geometry.frame(p)
        read = reads[oc]
        drawn_read = [ic for ic in read if ic in in_rows.y]
        shades += [Polygon(quad(int(g[0]), in_rows.y[ic], 0.0), theme.shade, theme.shade_opacity, t)
                   for ic in drawn_read for g in frame.grid]
        for ic in drawn_read:
            shades += window_lines([(0, int(g[0])) for g in frame.grid], 0.0, in_rows.y[ic], 0.0, theme, style, t)
        shades += _gap_crossings(in_rows, read, frame.grid, t, theme, style)
        if oblique and drawn_read:
            cells = [(in_rows.y[ic], int(g[0])) for ic in (drawn_read[0], drawn_read[-1]) for g in frame.grid]
            connectors += _connectors(cells, (out_rows.y[oc], frame.output[0]), out_x, out_y, out_z, theme, style,
                                      t)
        frame_titles.append(f"frame {t + 1}/{len(plan.steps)}: output channel {oc} at step {frame.output[0]} "
                            f"reads {read_phrase(read, len(drawn_read), spec.in_channels)}")
    items += shades + connectors
    for oc in out_rows.drawn:
        for t in range(out_steps):
            items.append(Polygon(quad(out_x + t, out_y + out_rows.y[oc], out_z),
                                 group_fill(theme, oc // per_out, theme.output_fill) if grouped else theme.output_fill))
    for top, count in out_rows.runs():
        items += grid_lines(np.ones((count, out_steps), bool), out_x, out_y + top, out_z, theme, style)
    items += _gap_markers(out_rows, out_steps, out_x, out_y, out_z, view, theme, style)
    for t, (p, oc) in enumerate(plan.steps):
        items.append(Polygon(quad(out_x + geometry.frame(p).output[0], out_y + out_rows.y[oc], out_z), theme.shade,
                             theme.shade_opacity, t))

    title = pytorch_code(spec).removeprefix("nn.")
    notes = [layer_note(spec)] + elision_notes(spec, in_rows.drawn, out_rows.drawn)
    notes += ([plan.note] if plan.note else []) + numbers_note(view)
    captions = caption_lines(title, notes, tuple(frame_titles), style, theme) if view.caption else []
    return finish(items, captions, view, style, len(plan.steps), title, tuple(frame_titles))


def _gap_markers(rows: Rows, cols: int, x: float, y: float, z: float, view: ViewSpec, theme: Theme,
                 style: Style) -> list[Item]:
    """A "⋮" in the middle of each gap and, with labels, "N more channels (a-b)" where the row labels run."""
    items: list[Item] = []
    for top, first, last in rows.gaps:
        middle = y + top + GAP_ROWS / 2
        items.append(Text((x + cols / 2, middle, z), "⋮", style.label_font * 1.2, theme.muted_text, "mm", bold=True))
        if view.labels:
            items.append(Text((x + cols + 0.25, middle, z), f"{last - first + 1} more channel"
                              f"{f's ({first}-{last})' if last > first else f' ({first})'}",
                              style.note_font, theme.muted_text, "lm"))
    return items


def _gap_crossings(rows: Rows, read: Sequence[int], window: np.ndarray, frame: int, theme: Theme,
                   style: Style) -> list[Item]:
    """Dashed lines along the window's two edges through each gap whose left-out channels the filter reads."""
    left, right = int(window[:, 0].min()), int(window[:, 0].max()) + 1
    return [Line((x, top, 0.0), (x, top + GAP_ROWS, 0.0), theme.connector, style.connector_width, style.dash, 0.8,
                 frame)
            for top, first, last in rows.gaps if any(first <= c <= last for c in read) for x in (left, right)]


def _row_labels(rows: Rows, cols: int, x: float, y: float, z: float, per_group: int, grouped: bool, theme: Theme,
                style: Style) -> list[Item]:
    """`c0`, `c1`, ... right of each drawn channel row; grouped: `c2 g1`, its group."""
    return [Text((x + cols + 0.25, y + rows.y[r] + 0.5, z), f"c{r}" + (f" g{r // per_group}" if grouped else ""),
                 style.note_font, theme.muted_text, "lm") for r in rows.drawn]
