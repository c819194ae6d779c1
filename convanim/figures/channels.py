"""Channels view of a 2d layer: input channels as an exploded stack of planes, one output plane per output channel.

The same stacks draw a 3d volume's depth slices (`volume.py`) and the tensors of a staged block (`stages.py`). A frame
shades, on every drawn input plane an output channel reads (`channel_inputs`), exactly the taps `Geometry` lists, and
the output cell on that output channel's plane. Stacks of many channels are elided (`drawn_channels`); labels, a
marker in each gap and the caption say which channels are left out, and how many the filter reads.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from convanim.describe import pytorch_code
from convanim.figures.canvas import finish, shape_str, style_for
from convanim.figures.captions import caption_lines, elision_notes, grid_note, layer_note, read_phrase
from convanim.figures.channel_numbers import numbers_limit_note
from convanim.figures.cuts import AxisCut, cut_axis
from convanim.figures.frames import frame_plan
from convanim.figures.occlusion import hide_under_planes
from convanim.figures.stacks import (
    MAX_PLANES,
    StackShape,
    connector_items,
    drawn_channels,
    group_fill,
    place_stacks,
    reach_items,
    shade_items,
    stack_cell,
    stack_items,
    stack_outlines,
)
from convanim.geometry import REAL, Geometry, channel_inputs
from convanim.positions import resolve_positions
from convanim.primitives import OBLIQUE, Item
from convanim.spec import ConvSpec, SpecError
from convanim.theme import RGB
from convanim.view import ViewSpec


def plane_cuts(geometry: Geometry, positions: list[int]) -> tuple[tuple[AxisCut, AxisCut], tuple[AxisCut, AxisCut]]:
    """How a 2d grid's and output's long rows and columns are drawn, keeping what the shown positions touch."""
    frames = [geometry.frame(p) for p in positions]
    grid = np.concatenate([f.grid for f in frames])
    outputs = np.array([f.output for f in frames])
    grid_cuts = (cut_axis(geometry.grid_shape[0], grid[:, 0].tolist()),
                 cut_axis(geometry.grid_shape[1], grid[:, 1].tolist()))
    out_cuts = (cut_axis(geometry.output_shape[0], outputs[:, 0].tolist()),
                cut_axis(geometry.output_shape[1], outputs[:, 1].tolist()))
    return grid_cuts, out_cuts


def input_shape(spec: ConvSpec, geometry: Geometry, fills: tuple[RGB, ...], name: str = "input",
                channels: tuple[int, ...] | None = None,
                cuts: tuple[AxisCut, AxisCut] | None = None) -> StackShape:
    """The input channels (all, or the drawn `channels`) as planes of the (2d) drawn grid, with the padding before
    element (0, 0) as offset; `fills` has one entry per input channel."""
    real = geometry.grid_zero == REAL
    per_in = spec.in_channels // spec.groups
    grouped = spec.groups > 1 and not spec.is_pool
    drawn = tuple(range(spec.in_channels)) if channels is None else channels
    elided = len(drawn) < spec.in_channels
    names = tuple(f"{name} channel {c}" for c in drawn)
    notes = tuple(grid_note(spec, geometry, spec.input_size) + (f", group {c // per_in}" if grouped else "")
                  for c in drawn)
    offset = (0, 0) if spec.transposed else (spec.padding[0][0], spec.padding[1][0])
    spaced = grouped and per_in > 1  # depthwise planes are each their own group: no extra room needed
    return StackShape(real, offset, tuple(fills[c] for c in drawn), names, notes,
                      channels=drawn if elided else (), total=spec.in_channels if elided else 0,
                      groups=tuple(c // per_in for c in drawn) if spaced else (), cuts=cuts)


SMALLEST_CELL = 4  # pixels: the smallest cell the default slide box shrinks a figure to (see `fitted`)
SLIDE = (1920, 1080)
FEWER_PLANES = 4  # planes of an elided stack: the first three and the last (see `drawn_channels`)


def build_channels_scene(spec: ConvSpec, view: ViewSpec):
    """Scene of a 2d layer with several input or output channels (standard, grouped, depthwise, 1x1, pooling).

    Stacks of up to 8 planes are drawn in full unless they would not fit a 1080p slide even at the smallest cell (a
    long plane's level band sets the pitch of every level): then they are drawn elided, the first three planes and
    the last, so that the text keeps a size a slide can show instead of being scaled down with the whole figure.
    The choice depends on the layer and the scale only, so that every rebuild while fitting makes the same one."""
    if view.view != "oblique" or not any(FEWER_PLANES < count <= MAX_PLANES
                                         for count in (spec.in_channels, spec.out_channels)):
        return _channels_scene(spec, view, MAX_PLANES)
    box_w, box_h = SLIDE[0] * view.scale, SLIDE[1] * view.scale

    def fits(scene) -> bool:
        return scene.width <= box_w and scene.height <= box_h

    # Measured with a fit (`finish` then measures a figure past the canvas limit instead of refusing it; a figure
    # that fits a slide is the same either way).
    full = _channels_scene(spec, replace(view, fit=view.fit or SLIDE), MAX_PLANES)
    if fits(full) and full.projection.cell >= SMALLEST_CELL * view.scale:  # fits at this cell, so at the smallest
        return full
    smallest = _channels_scene(spec, replace(view, cell_size=SMALLEST_CELL, fit=SLIDE), MAX_PLANES)
    return _channels_scene(spec, view, MAX_PLANES if fits(smallest) else FEWER_PLANES)


def _channels_scene(spec: ConvSpec, view: ViewSpec, limit: int):
    geometry = Geometry(spec)
    theme = view.theme
    reads = channel_inputs(spec)
    focus = 0 if view.channel is None else view.channel
    if not 0 <= focus < spec.out_channels:
        raise SpecError(f"channel: must be between 0 and {spec.out_channels - 1}, got {focus}")
    out_drawn = drawn_channels(spec.out_channels, focus, limit)
    in_drawn = drawn_channels(spec.in_channels, reads[focus][0], limit)
    plan = frame_plan(resolve_positions(view.positions, geometry.output_shape, view.max_frames), spec.out_channels,
                      view, shown=out_drawn)
    grid_cuts, out_cuts = plane_cuts(geometry, sorted({p for p, _ in plan.steps}))
    out_rows, out_cols = geometry.output_shape
    extent = 2 * max(grid_cuts[0].extent, grid_cuts[1].extent, out_cuts[0].extent, out_cuts[1].extent) + 4
    tallest = max((grid_cuts, in_drawn, spec.in_channels), (out_cuts, out_drawn, spec.out_channels),
                  key=lambda side: len(side[1]) * side[0][0].extent)
    style = style_for(view, extent, stack_cell(view, extent, tallest[0][0].extent, tallest[0][1].extent,
                                               len(tallest[1]), int(len(tallest[1]) < tallest[2])))
    grouped = spec.groups > 1 and not spec.is_pool
    per_in, per_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    oblique = view.view == "oblique"

    source = input_shape(spec, geometry, tuple(group_fill(theme, c // per_in) if grouped else theme.input_fill
                                               for c in range(spec.in_channels)), channels=in_drawn,
                         cuts=_elided(grid_cuts))
    out_elided = len(out_drawn) < spec.out_channels
    target = StackShape(np.ones((out_rows, out_cols), bool), (0, 0),
                        tuple(group_fill(theme, oc // per_out, theme.output_fill) if grouped else theme.output_fill
                              for oc in out_drawn),
                        tuple(f"output channel {oc}" for oc in out_drawn),
                        tuple(shape_str(geometry.output_shape) + (f", group {oc // per_out}" if grouped else "")
                              for oc in out_drawn),
                        channels=out_drawn if out_elided else (), total=spec.out_channels if out_elided else 0,
                        labels_right=oblique,
                        groups=tuple(oc // per_out for oc in out_drawn) if grouped and per_out > 1 else (),
                        cuts=_elided(out_cuts))
    read_planes = [[in_drawn.index(ic) for ic in reads[oc] if ic in in_drawn] for oc in out_drawn]
    inputs, outputs = place_stacks([source, target], view, style, reads=[read_planes] if oblique else None)

    shades: list[Item] = []
    links: list[Item] = []  # connectors, painted last: seen to leave the window and to reach the output cell
    frame_titles = []
    for t, (p, oc) in enumerate(plan.steps):
        frame = geometry.frame(p)
        planes = [j for j in (inputs.plane(ic) for ic in reads[oc]) if j is not None]
        cells = [(j, int(r), int(c)) for j in planes for r, c in frame.grid]
        shades += shade_items(inputs, cells, t, theme, style, box=oblique, window=True)
        if oblique and planes:
            shades += reach_items(inputs, planes, reads[oc], frame.grid, t, theme, style)
        out_plane = outputs.plane(oc)
        assert out_plane is not None  # a swept output channel is always drawn (see drawn_channels)
        if oblique and planes:
            links += connector_items(inputs, planes, frame.grid, outputs, out_plane, frame.output, t, theme, style)
        frame_titles.append(f"frame {t + 1}/{len(plan.steps)}: output channel {oc} at "
                            f"({', '.join(map(str, frame.output))}) reads "
                            f"{read_phrase(reads[oc], len(planes), spec.in_channels)}")
    if oblique:
        shades = hide_under_planes(shades, stack_outlines(inputs), OBLIQUE)
        links = hide_under_planes(links, stack_outlines(inputs) + stack_outlines(outputs), OBLIQUE, spare_ends=True)
    items: list[Item] = stack_items(inputs, view, style, avoid=links) + shades + stack_items(outputs, view, style,
                                                                                            avoid=links)
    for t, (p, oc) in enumerate(plan.steps):
        out_plane = outputs.plane(oc)
        assert out_plane is not None
        items += shade_items(outputs, [(out_plane, *geometry.frame(p).output)], t, theme, style)
    items += links
    title = pytorch_code(spec).removeprefix("nn.")
    notes = [layer_note(spec)] + elision_notes(spec, in_drawn, out_drawn) + plan.notes
    notes += [numbers_limit_note(spec)] if view.numbers else []
    captions = caption_lines(title, notes, tuple(frame_titles), style, theme) if view.caption else []
    return finish(items, captions, view, style, len(plan.steps), title, tuple(frame_titles))














def _elided(cuts: tuple[AxisCut, AxisCut]) -> tuple[AxisCut, AxisCut] | None:
    """The cuts of a plane with an elided axis; None for a plane drawn whole."""
    return cuts if any(c.elided for c in cuts) else None
