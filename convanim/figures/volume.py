"""A 3d layer as an exploded view: every depth slice of the drawn grid is its own plane, stacked, so that the kernel's
inner taps stay visible; the output volume's slices stand beside it.

A frame shades exactly the taps `Geometry` lists for one output position (on the slices they lie in) and that output
cell. Channels are not drawn: the caption says so when the layer has several.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from convanim.describe import pytorch_code
from convanim.figures.canvas import finish, shape_str, style_for
from convanim.figures.captions import caption_lines
from convanim.figures.frames import frame_plan
from convanim.figures.occlusion import hide_under_planes
from convanim.figures.stacks import StackShape, connector_items, place_stacks, shade_items, stack_items, stack_outlines
from convanim.geometry import PADDING, REAL, Geometry
from convanim.primitives import OBLIQUE, Item
from convanim.spec import ConvSpec
from convanim.view import ViewSpec


def build_volume_scene(spec: ConvSpec, view: ViewSpec):
    geometry = Geometry(spec)
    theme = view.theme
    plan = frame_plan(geometry.frame_count, 1, replace(view, channel=None))
    depth, rows, cols = geometry.grid_shape
    out_depth, out_rows, out_cols = geometry.output_shape
    # Cells small enough that the stack of depth slices (about 1.1 cells of screen height per row, plus the gap) stays
    # within about 820 px, so that the figure and its caption fit a 1080p slide.
    tallest = max(depth * (1.11 * max(rows, cols) + 0.9), out_depth * (1.11 * max(out_rows, out_cols) + 0.9))
    default = min(36, max(14, round(480 / (2 * max(rows, cols, out_rows, out_cols) + 4))))
    style = style_for(view, 2 * max(rows, cols, out_rows, out_cols) + 4, min(default, max(8, int(820 / tallest))))
    in_rows, in_cols = spec.input_size[1:]
    slice_note = shape_str((in_rows, in_cols)) + " slice" + (
        f", {'drawn' if spec.transposed else 'padded'} {shape_str((rows, cols))}" if (rows, cols) != (in_rows, in_cols)
        else "")

    axis = geometry.axes[0]
    names = tuple(f"input depth {int(i)}" if i >= 0 else ("depth padding" if kind == PADDING else "inserted zeros")
                  for i, kind in zip(axis.grid_input, axis.grid_zero))
    notes = tuple(slice_note if i >= 0 else f"{shape_str((rows, cols))} of zeros" for i in axis.grid_input)
    source = StackShape(geometry.grid_zero == REAL, (0, 0), (theme.input_fill,) * depth, names, notes)
    oblique = view.view == "oblique"
    target = StackShape(np.ones((out_rows, out_cols), bool), (0, 0), (theme.output_fill,) * out_depth,
                        tuple(f"output depth {d}" for d in range(out_depth)),
                        (f"{shape_str((out_rows, out_cols))} slice",) * out_depth, labels_right=oblique)
    inputs, outputs = place_stacks([source, target], view, style)

    frame_titles = []
    shades: list[Item] = []
    links: list[Item] = []  # connectors, painted last (see the channels view)
    for t, (p, _) in enumerate(plan.steps):
        frame = geometry.frame(p)
        cells = [(int(d), int(r), int(c)) for d, r, c in frame.grid]
        shades += shade_items(inputs, cells, t, theme, style, box=oblique, window=True)
        if oblique:
            slices = sorted({d for d, _, _ in cells})
            links += connector_items(inputs, slices, frame.grid[:, 1:], outputs, int(frame.output[0]),
                                      tuple(int(v) for v in frame.output[1:]), t, theme, style)
        frame_titles.append(f"frame {t + 1}/{len(plan.steps)}: output ({', '.join(map(str, frame.output))}) reads "
                            f"{int(frame.real.sum())} of {len(frame.zero)} taps from real inputs")
    if oblique:
        shades = hide_under_planes(shades, stack_outlines(inputs), OBLIQUE)
        links = hide_under_planes(links, stack_outlines(inputs) + stack_outlines(outputs), OBLIQUE, spare_ends=True)
    items: list[Item] = stack_items(inputs, view, style) + shades + stack_items(outputs, view, style)
    for t, (p, _) in enumerate(plan.steps):
        items += shade_items(outputs, [tuple(geometry.frame(p).output)], t, theme, style)
    items += links
    title = pytorch_code(spec).removeprefix("nn.")
    drawn = (f" ({'drawn' if spec.transposed else 'padded'} {shape_str(geometry.grid_shape)})"
             if geometry.grid_shape != spec.input_size else "")
    notes_line = [f"input {shape_str(spec.input_size)}{drawn} → output {shape_str(geometry.output_shape)} (depth × "
                  "height × width): depth slices drawn apart so that every tap stays visible"]
    if spec.in_channels > 1 or spec.out_channels > 1:
        notes_line.append(f"one channel drawn of {spec.in_channels} in, {spec.out_channels} out")
    if view.numbers:
        notes_line.append("(numbers are drawn only in the 1d and 2d single-channel figures)")
    captions = caption_lines(title, notes_line, tuple(frame_titles), style, theme) if view.caption else []
    return finish(items, captions, view, style, len(plan.steps), title, tuple(frame_titles))
