"""A staged block (depthwise separable, inverted residual) as one scene: the tensors as channel stacks left to right,
frames running over stage 1, then stage 2, ...

Each tensor is drawn on the grid its consuming stage reads (padded where that stage pads); the stage before writes
its outputs at the real cells. Shading comes from each stage's `Geometry` and `channel_inputs`, as in the channels
view.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from convanim.blocks import StagedBlock
from convanim.describe import pytorch_code
from convanim.figures.canvas import finish, shape_str, style_for
from convanim.figures.captions import caption_lines, channel_list
from convanim.figures.frames import frame_plan
from convanim.figures.stacks import (
    PLANE_GAP,
    PlaneStack,
    StackShape,
    base_projection,
    connector_items,
    drawn_channels,
    drawn_stacks,
    group_fill,
    place_stacks,
    reach_items,
    read_channels_text,
    shade_items,
)
from convanim.geometry import REAL, Geometry, channel_inputs
from convanim.positions import Positions
from convanim.primitives import Item, Line, Text
from convanim.spec import ConvSpec, SpecError
from convanim.view import ViewSpec

SLIDE_HEIGHT = 1080  # pixels: a block drawn taller at the default cell size is drawn again with smaller cells
SMALLEST_CELL = 8.0  # pixels: the smallest cell a block is shrunk to (its text keeps its size)


def build_staged_scene(block: StagedBlock, view: ViewSpec):
    """The block's scene; at the default cell size, with cells shrunk (down to `SMALLEST_CELL`) where that is what
    it takes to fit a 1080p slide: levels that keep every connector clear make tall stacks of many channels."""
    scene = _staged_scene(block, view, None)
    if view.cell_size is None and scene.height > SLIDE_HEIGHT:
        cell = scene.projection.cell / view.scale
        for _ in range(3):  # text does not shrink with the cells: a few tries close in on the height
            cell = max(SMALLEST_CELL, cell * SLIDE_HEIGHT / scene.height * 0.97)
            scene = _staged_scene(block, view, cell)
            if scene.height <= SLIDE_HEIGHT or cell == SMALLEST_CELL:
                break
    return scene


def _staged_scene(block: StagedBlock, view: ViewSpec, auto_cell: float | None):
    theme = view.theme
    specs = [stage.spec for stage in block.stages]
    geometries = [Geometry(spec) for spec in specs]
    sizes = [spec.input_size for spec in specs] + [geometries[-1].output_shape]
    channels = [spec.in_channels for spec in specs] + [specs[-1].out_channels]
    names = ["input channel"] + [stage.tensor for stage in block.stages]
    side = max(max(g.grid_shape) for g in geometries)
    style = style_for(view, len(sizes) * (side + 3) + 4, auto_cell)

    shapes = []
    for i, (size, count) in enumerate(zip(sizes, channels)):
        consumer = specs[i] if i < len(specs) else None
        if consumer is not None:
            real = geometries[i].grid_zero == REAL
            offset = (consumer.padding[0][0], consumer.padding[1][0])
            note = shape_str(size) + (f", padded {shape_str(geometries[i].grid_shape)}" if real.shape != size else "")
        else:
            real, offset, note = np.ones(size, bool), (0, 0), shape_str(size)
        drawn = drawn_channels(count)
        elided = len(drawn) < count
        # A tensor between two stages is labelled in one line above its band (see `clear_labels`).
        middle = view.view == "oblique" and 0 < i < len(sizes) - 1
        shapes.append(StackShape(real, offset, _fills(specs, i, drawn, view),
                                 tuple(f"{names[i]} {c}" + (f" · {note}" if middle else "") for c in drawn),
                                 ("" if middle else note,) * len(drawn), channels=drawn if elided else (),
                                 total=count if elided else 0,
                                 labels_right=view.view == "oblique" and i == len(sizes) - 1))
    oblique = view.view == "oblique"
    drawn_per = [drawn_channels(count) for count in channels]
    reads = [[[drawn_per[s].index(ic) for ic in channel_inputs(spec)[oc] if ic in drawn_per[s]]
              for oc in drawn_per[s + 1]] for s, spec in enumerate(specs)]
    gap = max(PLANE_GAP, (style.label_font * 1.15 + 3 * max(2.0, style.cell * 0.12)) / style.cell)
    stacks = place_stacks(shapes, view, style, reads=reads if oblique else None, gap=gap if oblique else PLANE_GAP)

    steps = stage_steps(block, view)
    frame_titles = []
    total = len(steps)
    shades: list[Item] = []
    wedges: list[Item] = []  # connectors, painted last: seen to leave the window and to reach the output cell
    for t, (s, p, oc, note) in enumerate(steps):
        frame = geometries[s].frame(p)
        read = channel_inputs(specs[s])[oc]
        planes = [j for j in (stacks[s].plane(ic) for ic in read) if j is not None]
        cells = [(j, int(r), int(c)) for j in planes for r, c in frame.grid]
        out_plane = stacks[s + 1].plane(oc)
        assert out_plane is not None  # a swept output channel is always drawn (see drawn_channels)
        shades += shade_items(stacks[s], cells, t, theme, style, box=oblique, window=True)
        shades += shade_items(stacks[s + 1], [(out_plane, *frame.output)], t, theme, style, element=True)
        if oblique and planes:
            shades += reach_items(stacks[s], planes, read, frame.grid, t, theme, style)
            target = stacks[s + 1].grid_of(*frame.output)
            wedges += connector_items(stacks[s], planes, frame.grid, stacks[s + 1], out_plane, target, t, theme,
                                         style)
        read_text = read_channels_text(read, len(planes))
        frame_titles.append(f"frame {t + 1}/{total}, stage {s + 1} ({block.stages[s].name}): {names[s + 1]} {oc} at "
                            f"({', '.join(map(str, frame.output))}) reads {read_text}"
                            + (f"  [{note.replace('output channel', 'channel')}]" if note else ""))
    items = drawn_stacks(stacks, view, style, shades, wedges, _stage_headers(block, stacks, view, style),
                         _skip_path(stacks, view, style) if block.skip else [], place_labels=oblique)

    ours, theirs = block.parameters()
    our_macs, their_macs = block.macs()
    title = f"{block.name}: {' → '.join(stage.name for stage in block.stages)}"
    # One line of accounting a projector can show; the stage by stage sums are explain's and the gallery card's.
    notes = [f"{ours / theirs:.2f}× the parameters, {our_macs / their_macs:.2f}× the MACs of a standard "
             f"{pytorch_code(block.reference).removeprefix('nn.')}"]
    if block.skip:
        notes.append("skip: input + projected output")
    drawn_notes = [f"{name.removesuffix(' channel')} {channel_list(stack.channels, stack.total)} of {stack.total}"
                   for name, stack in zip(names, stacks) if stack.channels]
    if drawn_notes:
        notes.append("channels drawn: " + "; ".join(drawn_notes))
    captions = caption_lines(title, notes, tuple(frame_titles), style, theme) if view.caption else []
    return finish(items, captions, view, style, total, title, tuple(frame_titles))


def stage_steps(block: StagedBlock, view: ViewSpec) -> list[tuple[int, int, int, str]]:
    """(stage, output position index, output channel, plan note) of every frame, stage after stage, within
    `view.max_frames` in all."""
    steps: list[tuple[int, int, int, str]] = []
    unswept = replace(view, channel=None)
    for s, stage in enumerate(block.stages):
        budget = view.max_frames - len(steps)
        if budget < 1:
            raise SpecError(f"max_frames: {view.max_frames:,} frames are not enough for every stage; raise "
                            f"max_frames")
        every = Positions(tuple(range(Geometry(stage.spec).frame_count)), "")  # a block's stages are small
        plan = frame_plan(every, stage.spec.out_channels, unswept, limit=budget,
                          shown=drawn_channels(stage.spec.out_channels))
        steps += [(s, p, oc, plan.note) for p, oc in plan.steps]
    return steps


def _fills(specs: list[ConvSpec], i: int, drawn: tuple[int, ...], view: ViewSpec) -> tuple:
    """The fill of each drawn channel of tensor `i` (only those: a tensor may have a billion channels): input blue,
    output cyan, every tensor between them the theme's third hue; a tensor a grouped (depthwise) stage reads or writes
    is tinted by group (lightness steps of its own hue), so that each depthwise output shares its input channel's
    step."""
    theme = view.theme
    base = theme.input_fill if i == 0 else theme.output_fill if i == len(specs) else theme.middle_fill
    if i < len(specs) and specs[i].groups > 1:
        per = specs[i].in_channels // specs[i].groups
        return tuple(group_fill(theme, c // per, base) for c in drawn)
    if i > 0 and specs[i - 1].groups > 1:
        per = specs[i - 1].out_channels // specs[i - 1].groups
        return tuple(group_fill(theme, c // per, base) for c in drawn)
    return (base,) * len(drawn)


def _stage_headers(block: StagedBlock, stacks: list[PlaneStack], view: ViewSpec, style) -> list[Item]:
    """`stage 1: depthwise 5×5 →` over the gap between the tensors a stage joins."""
    p = base_projection(view)
    tops = []
    for stack in stacks:
        x, y, z = stack.origins[0]
        tops.append(min(p.unit((x + cx, y + cy, z))[1] for cx, cy in
                        ((0, 0), (stack.cols, 0), (0, stack.rows), (stack.cols, stack.rows))))
    top = min(tops) - 0.9 - (style.label_font * 1.3 / style.cell if view.view == "oblique" else 0.0)  # above labels
    items: list[Item] = []
    for s, stage in enumerate(block.stages):
        x, y, z = stacks[s].origins[0]
        left = p.unit((x + stacks[s].cols, y + stacks[s].rows, z))[0]  # the right corner, on screen
        x, y, z = stacks[s + 1].origins[0]
        right = p.unit((x, y, z))[0]  # the next stack's left corner
        x = (left + right) / 2 / p.ax  # a point at y = 0 with this screen column
        items.append(Text((x, 0.0, x * p.ay - top), f"stage {s + 1}: {stage.name} →", style.label_font,
                          view.theme.text, "ms", bold=True))
    return items


def _skip_path(stacks: list[PlaneStack], view: ViewSpec, style) -> list[Item]:
    """A dashed line from under the input stack to under the output stack, below every stack, labelled."""
    p = base_projection(view)
    first, last = stacks[0], stacks[-1]

    def screen_y(stack: PlaneStack) -> float:
        x, y, z = stack.origins[-1]
        return max(p.unit((x + cx, y + cy, z))[1] for cx, cy in
                   ((0, 0), (stack.cols, 0), (0, stack.rows), (stack.cols, stack.rows)))

    def at(x: float, y: float, sy: float) -> tuple[float, float, float]:
        return x, y, x * p.ay + y * p.by - sy

    low = max(screen_y(stack) for stack in stacks) + 1.0
    a = (first.origins[-1][0] + first.cols / 2, first.origins[-1][1] + first.rows)
    b = (last.origins[-1][0] + last.cols / 2, last.origins[-1][1] + last.rows)
    start = (a[0], a[1], first.origins[-1][2])
    end = (b[0], b[1], last.origins[-1][2])
    points = [start, at(*a, low), at(*b, low), end]
    color = view.theme.connector
    items: list[Item] = [Line(u, v, color, style.line_width * 1.5, dash=style.dash) for u, v in zip(points, points[1:])]
    mid = at((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, low - 0.25)
    items.append(Text(mid, "skip connection: + input", style.note_font, view.theme.text, "ms", bold=True))
    return items
