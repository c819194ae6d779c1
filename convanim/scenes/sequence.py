"""A 1d layer with channels: a time x channel grid (time along x, channels along y) under each of input and output.

A frame shades, for one output channel at one output step, the kernel's taps on every input channel that output
channel reads (`channel_inputs`, so a filter never leaves its group), and that output cell.
"""

from __future__ import annotations

import numpy as np

from ..explain import pytorch_code
from ..geometry import REAL, Geometry, channel_inputs
from ..scene import Item, Polygon, Text, quad
from ..spec import ConvSpec
from ..view import ViewSpec
from .channels import caption_lines, frame_plan, group_fill, layer_note, numbers_note
from .common import finish, grid_lines, label_items, shape_str, style_for
from .plane import _connectors, _lift


def build_sequence_scene(spec: ConvSpec, view: ViewSpec):
    geometry = Geometry(spec)
    theme = view.theme
    plan = frame_plan(geometry.frame_count, spec.out_channels, view)
    steps, out_steps = geometry.grid_shape[0], geometry.output_shape[0]
    rows, out_rows = spec.in_channels, spec.out_channels
    style = style_for(view, max(steps, out_steps, rows + out_rows) + 2)
    oblique = view.view == "oblique"
    grouped = spec.groups > 1 and not spec.is_pool
    per_in, per_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    reads = channel_inputs(spec)

    if oblique:
        out_x, out_y = (steps - out_steps) / 2, (rows - out_rows) / 2
        out_z = _lift(rows, steps, out_rows, out_steps, out_x, out_y)
    else:
        out_x, out_y, out_z = steps + 4.0, (rows - out_rows) / 2, 0.0

    real_steps = geometry.grid_zero == REAL
    real = np.repeat(real_steps[None, :], rows, axis=0)
    items: list[Item] = []
    for ic in range(rows):
        fill = group_fill(theme, ic // per_in) if grouped else theme.input_fill
        for t in range(steps):
            items.append(Polygon(quad(t, ic, 0.0), fill if real[ic, t] else theme.zero_fill))
    items += grid_lines(real, 0.0, 0.0, 0.0, theme, style)
    if view.labels:
        note = f"time × channels{', padded ' + str(steps) if steps != spec.input_size[0] else ''}"
        items += label_items(("input", shape_str((spec.input_size[0], rows)), note), (0.0, 0.0, 0.0), oblique,
                             style, theme)
        items += label_items(("output", shape_str((out_steps, out_rows)), ""), (out_x, out_y, out_z), oblique,
                             style, theme)
        items += _row_labels(rows, steps, 0.0, 0.0, 0.0, per_in, grouped, theme, style)
        items += _row_labels(out_rows, out_steps, out_x, out_y, out_z, per_out, grouped, theme, style)

    frame_titles = []
    connectors: list[Item] = []
    shades: list[Item] = []
    for t, (p, oc) in enumerate(plan.steps):
        frame = geometry.frame(p)
        cells = [(ic, int(g[0])) for ic in reads[oc] for g in frame.grid]
        shades += [Polygon(quad(c, r, 0.0), theme.shade, theme.shade_opacity, t) for r, c in cells]
        if oblique:
            connectors += _connectors(cells, (oc, frame.output[0]), out_x, out_y, out_z, theme, style, t)
        read = reads[oc]
        read_text = f"input channel {read[0]}" if len(read) == 1 else f"input channels {read[0]}-{read[-1]}"
        frame_titles.append(f"frame {t + 1}/{len(plan.steps)}: output channel {oc} at step {frame.output[0]} "
                            f"reads {read_text}")
    items += shades + connectors
    for oc in range(out_rows):
        for t in range(out_steps):
            items.append(Polygon(quad(out_x + t, out_y + oc, out_z), theme.output_fill))
    items += grid_lines(np.ones((out_rows, out_steps), bool), out_x, out_y, out_z, theme, style)
    for t, (p, oc) in enumerate(plan.steps):
        items.append(Polygon(quad(out_x + geometry.frame(p).output[0], out_y + oc, out_z), theme.shade,
                             theme.shade_opacity, t))

    title = pytorch_code(spec).removeprefix("nn.")
    notes = [layer_note(spec)] + ([plan.note] if plan.note else []) + numbers_note(view)
    captions = caption_lines(title, notes, tuple(frame_titles), style, theme) if view.caption else []
    return finish(items, captions, view, style, len(plan.steps), title, tuple(frame_titles))


def _row_labels(rows: int, cols: int, x: float, y: float, z: float, per_group: int, grouped: bool, theme,
                style) -> list[Item]:
    """`c0`, `c1`, ... right of each channel row, in the group's colour when grouped."""
    return [Text((x + cols + 0.25, y + r + 0.5, z), f"c{r}", style.note_font,
                 group_fill(theme, r // per_group) if grouped else theme.muted_text, "lm", bold=grouped)
            for r in range(rows)]
