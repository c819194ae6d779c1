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
from convanim.figures.cuts import cut_axis
from convanim.figures.frames import frame_plan
from convanim.figures.occlusion import hide_under_planes
from convanim.figures.stacks import (
    MAX_PLANES,
    PlaneStack,
    StackShape,
    connector_items,
    place_stacks,
    shade_items,
    stack_cell,
    stack_items,
    stack_outlines,
)
from convanim.geometry import PADDING, REAL, Geometry
from convanim.positions import resolve_positions
from convanim.primitives import OBLIQUE, Item
from convanim.spec import ConvSpec
from convanim.view import ViewSpec


def build_volume_scene(spec: ConvSpec, view: ViewSpec):
    geometry = Geometry(spec)
    theme = view.theme
    plan = frame_plan(resolve_positions(view.positions, geometry.output_shape, view.max_frames), 1,
                      replace(view, channel=None))
    depth, rows, cols = geometry.grid_shape
    out_depth, out_rows, out_cols = geometry.output_shape
    shown = [geometry.frame(p) for p in sorted({p for p, _ in plan.steps})]
    grid = np.concatenate([f.grid for f in shown])
    reached = np.array([f.output for f in shown])
    # Slices are whole planes stacked: more than a stack's worth (`MAX_PLANES`) is elided like channels.
    depth_cut = cut_axis(depth, grid[:, 0].tolist(), MAX_PLANES)
    out_depth_cut = cut_axis(out_depth, reached[:, 0].tolist(), MAX_PLANES)
    cuts = (cut_axis(rows, grid[:, 1].tolist()), cut_axis(cols, grid[:, 2].tolist()))
    out_cuts = (cut_axis(out_rows, reached[:, 1].tolist()), cut_axis(out_cols, reached[:, 2].tolist()))
    extent = 2 * max(c.extent for c in cuts + out_cuts) + 4
    style = style_for(view, extent, stack_cell(view, extent, cuts[0].extent, cuts[1].extent, len(depth_cut.kept),
                                               len(depth_cut.gaps)))
    in_rows, in_cols = spec.input_size[1:]
    slice_note = shape_str((in_rows, in_cols)) + " slice" + (
        f", {'drawn' if spec.transposed else 'padded'} {shape_str((rows, cols))}" if (rows, cols) != (in_rows, in_cols)
        else "")

    axis = geometry.axes[0]
    kept = depth_cut.kept
    names = tuple(f"input depth {int(axis.grid_input[d])}" if axis.grid_input[d] >= 0 else
                  ("depth padding" if axis.grid_zero[d] == PADDING else "inserted zeros") for d in kept)
    notes = tuple(slice_note if axis.grid_input[d] >= 0 else f"{shape_str((rows, cols))} of zeros" for d in kept)
    elided = depth_cut.elided
    source = StackShape(geometry.grid_zero[list(kept)] == REAL, (0, 0), (theme.input_fill,) * len(kept), names, notes,
                        channels=kept if elided else (), total=depth if elided else 0,
                        cuts=cuts if any(c.elided for c in cuts) else None, unit="slices")
    oblique = view.view == "oblique"
    out_kept = out_depth_cut.kept
    out_elided = out_depth_cut.elided
    target = StackShape(np.ones((out_rows, out_cols), bool), (0, 0), (theme.output_fill,) * len(out_kept),
                        tuple(f"output depth {d}" for d in out_kept),
                        (f"{shape_str((out_rows, out_cols))} slice",) * len(out_kept), labels_right=oblique,
                        channels=out_kept if out_elided else (), total=out_depth if out_elided else 0,
                        cuts=out_cuts if any(c.elided for c in out_cuts) else None, unit="slices")
    # The drawn input slices each kept output slice reads (a shown frame's are all drawn: the cut keeps them).
    reads = [[kept.index(d) for d in sorted({int(d) for d in axis.tap_grid[o]}) if d in kept] for o in out_kept]
    inputs, outputs = place_stacks([source, target], view, style, reads=[reads] if oblique else None)

    frame_titles = []
    shades: list[Item] = []
    links: list[Item] = []  # connectors, painted last (see the channels view)
    for t, (p, _) in enumerate(plan.steps):
        frame = geometry.frame(p)
        cells = [(_plane(inputs, int(d)), int(r), int(c)) for d, r, c in frame.grid]
        shades += shade_items(inputs, cells, t, theme, style, box=oblique, window=True)
        if oblique:
            slices = sorted({d for d, _, _ in cells})
            links += connector_items(inputs, slices, frame.grid[:, 1:], outputs, _plane(outputs, frame.output[0]),
                                      tuple(int(v) for v in frame.output[1:]), t, theme, style)
        frame_titles.append(f"frame {t + 1}/{len(plan.steps)}: output ({', '.join(map(str, frame.output))}) reads "
                            f"{int(frame.real.sum())} of {len(frame.zero)} taps from real inputs")
    if oblique:
        shades = hide_under_planes(shades, stack_outlines(inputs), OBLIQUE)
        links = hide_under_planes(links, stack_outlines(inputs) + stack_outlines(outputs), OBLIQUE, spare_ends=True)
    items: list[Item] = stack_items(inputs, view, style, avoid=links) + shades + stack_items(outputs, view, style,
                                                                                            avoid=links)
    for t, (p, _) in enumerate(plan.steps):
        od, orow, ocol = geometry.frame(p).output
        items += shade_items(outputs, [(_plane(outputs, od), orow, ocol)], t, theme, style)
    items += links
    title = pytorch_code(spec).removeprefix("nn.")
    drawn = (f" ({'drawn' if spec.transposed else 'padded'} {shape_str(geometry.grid_shape)})"
             if geometry.grid_shape != spec.input_size else "")
    notes_line = [f"input {shape_str(spec.input_size)}{drawn} → output {shape_str(geometry.output_shape)} (depth × "
                  "height × width): depth slices drawn apart so that every tap stays visible"]
    notes_line += plan.notes
    if spec.in_channels > 1 or spec.out_channels > 1:
        notes_line.append(f"one channel drawn of {spec.in_channels} in, {spec.out_channels} out")
    if view.numbers:
        notes_line.append("(numbers are drawn only in the 1d and 2d single-channel figures)")
    captions = caption_lines(title, notes_line, tuple(frame_titles), style, theme) if view.caption else []
    return finish(items, captions, view, style, len(plan.steps), title, tuple(frame_titles))


def _plane(stack: PlaneStack, depth: int) -> int:
    """The plane drawing a depth slice; a shown frame only touches drawn slices (the cut keeps them)."""
    plane = stack.plane(int(depth))
    assert plane is not None
    return plane
