"""A block with skip connections (ResNet, DenseNet, U-Net) as one scene: its tensors as channel stacks left to right,
frames running over each stage in turn, and each skip drawn as a dashed path under the stacks to where it is added or
concatenated.

A tensor is drawn on the grid of the stage that reads it with the widest grid (padded, or with zeros inserted for a
transposed convolution); another stage reading it (the 1x1 projection shortcut) has its window shifted onto that
grid. A concatenation's copied channels keep the colour of the tensor they come from; the channels a stage writes
take the colour of their tensor (blue input, cyan output, the third hue between).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from convanim.figures.canvas import Style, finish, shape_str, style_for
from convanim.figures.captions import caption_lines, channel_list
from convanim.figures.frames import frame_plan
from convanim.figures.occlusion import hide_under_planes
from convanim.figures.stacks import (
    PlaneStack,
    StackShape,
    base_projection,
    connector_items,
    drawn_channels,
    place_stacks,
    reach_items,
    read_channels_text,
    shade_items,
    stack_items,
    stack_outlines,
)
from convanim.geometry import REAL, Geometry, channel_inputs
from convanim.primitives import OBLIQUE, Item, Line, Scene, Text
from convanim.skips import Merge, SkipBlock
from convanim.spec import SpecError
from convanim.theme import RGB, Theme
from convanim.view import ViewSpec


def middle_fill(theme: Theme) -> RGB:
    """The third hue of intermediate tensors (the theme's, where it has one)."""
    return theme.middle_fill


SCREEN = (1920, 1080)  # a default figure fits a 1080p slide
SMALLEST_CELL = 8.0


def build_skip_scene(block: SkipBlock, view: ViewSpec) -> Scene:
    """The scene at the default cell size, or at a smaller one that fits 1920x1080 (labels keep their size)."""
    geometries = [Geometry(stage.spec) for stage in block.stages]
    side = max(max(g.grid_shape) for g in geometries)
    style = style_for(view, len(block.tensors) * (side + 3) + 4)
    scene = _scene(block, view, geometries, style)
    cell = style.cell / view.scale
    for _ in range(4):  # labels keep their size, so the cells shrink more than the canvas must
        ratio = min(SCREEN[0] * view.scale / scene.width, SCREEN[1] * view.scale / scene.height)
        if view.cell_size is not None or ratio >= 1 or cell <= SMALLEST_CELL:
            break
        cell = max(SMALLEST_CELL, cell * ratio * 0.97)
        scene = _scene(block, view, geometries, style_for(view, 1, auto_cell=cell))
    return scene


def _scene(block: SkipBlock, view: ViewSpec, geometries: list[Geometry], style: Style) -> Scene:
    theme = view.theme
    primary = [_primary(block, geometries, t) for t in range(len(block.tensors))]
    style = replace(style, note_font=max(13.0 * view.scale, style.note_font))
    fills = _fills(block, theme)

    shapes = []
    for t, tensor in enumerate(block.tensors):
        s = primary[t]
        if s is not None:
            stage = block.stages[s]
            real = geometries[s].grid_zero == REAL
            offset = (stage.spec.padding[0][0], stage.spec.padding[1][0])
            grid = geometries[s].grid_shape
            note = shape_str(tensor.size) + (f", {'stretched' if stage.spec.transposed else 'padded'} "
                                             f"{shape_str(grid)}" if tuple(real.shape) != tensor.size else "")
        else:
            real, offset, note = np.ones(tensor.size, bool), (0, 0), shape_str(tensor.size)
        drawn = drawn_channels(tensor.channels)
        elided = len(drawn) < tensor.channels
        shapes.append(StackShape(real, offset, tuple(fills[t][c] for c in drawn),
                                 tuple(f"{tensor.name} · {c}" for c in drawn),
                                 (note,) * len(drawn), channels=drawn if elided else (),
                                 total=tensor.channels if elided else 0))
    stacks = place_stacks(shapes, view, style)
    oblique = view.view == "oblique"

    steps = _steps(block, geometries, stacks, view)
    total = len(steps)
    frame_titles = []
    shades: list[Item] = []
    wedges: list[Item] = []
    for t, (s, p, oc, note) in enumerate(steps):
        stage = block.stages[s]
        frame = geometries[s].frame(p)
        reads, writes = stacks[stage.reads], stacks[stage.writes]
        shift = _shift(block, primary, s)
        window = frame.grid + np.array(shift)
        read = channel_inputs(stage.spec)[oc]
        planes = [j for j in (reads.plane(ic) for ic in read) if j is not None]
        cells = [(j, int(r), int(c)) for j in planes for r, c in window]
        out_plane = writes.plane(stage.offset + oc)
        assert out_plane is not None  # only drawn channels are swept (see _steps)
        shades += shade_items(reads, cells, t, theme, style, box=oblique)
        shades += shade_items(writes, [(out_plane, *frame.output)], t, theme, style, element=True)
        if oblique and planes:
            shades += reach_items(reads, planes, read, window, t, theme, style)
            target = writes.grid_of(*frame.output)  # past padding and, stretched for an up-convolution, zeros
            wedges += connector_items(reads, planes, window, writes, out_plane, target, t, theme, style)
        read_text = read_channels_text(read, len(planes))
        written = block.tensors[stage.writes].name
        frame_titles.append(f"frame {t + 1}/{total}, stage {s + 1} ({stage.name}): {written} "
                            f"{stage.offset + oc} at ({', '.join(map(str, frame.output))}) reads "
                            f"{block.tensors[stage.reads].name} {read_text}"
                            + (f"  [{note.replace('output channel', written + ' channel')}]" if note else ""))
    if oblique:  # lines passing under a plane are hidden by it
        outlines = [outline for stack in stacks for outline in stack_outlines(stack)]
        shades = hide_under_planes(shades, outlines, OBLIQUE)
        wedges = hide_under_planes(wedges, outlines, OBLIQUE, spare_ends=True)
    items: list[Item] = []
    labels: list[Text] = []
    for stack in stacks:
        drawing = stack_items(stack, view, style)
        items += [item for item in drawing if not isinstance(item, Text)]
        labels += [item for item in drawing if isinstance(item, Text)]
    items += _stage_headers(block, stacks, view, style)
    items += _skip_paths(block, stacks, view, style)
    items += shades + wedges
    if oblique and not view.transparent:  # label plates first, so that no plate covers a neighbour's descenders
        items += [replace(label, color=theme.background, halo=theme.background) for label in labels]
    items += labels

    title = f"{block.name}: {' → '.join(stage.name for stage in block.stages if not stage.shortcut)}"
    captions = caption_lines(title, caption_notes(block, stacks), tuple(frame_titles), style, theme) \
        if view.caption else []
    return finish(items, captions, view, style, total, title, tuple(frame_titles))


def caption_notes(block: SkipBlock, stacks: list[PlaneStack] | None = None) -> list[str]:
    """The static caption notes, short enough for one line beside the title (a caption has three lines on a
    projector): the totals and the receptive field, the joins, what is left out. Each stage's layer and counts are
    `convanim explain`'s and the gallery card's."""
    field = block.receptive_field()
    notes = [f"{block.parameters:,} parameters, {block.macs:,} MACs; receptive field "
             f"{'×'.join(_num(a.field) for a in field)} (largest path)"]
    notes += [_merge_text(block, merge) for merge in block.merges]
    notes += [f"shortcut: {stage.name} of the input (stage {s + 1}), added to the {block.tensors[stage.writes].name}"
              for s, stage in enumerate(block.stages) if stage.shortcut]
    if any(stage.spec.transposed for stage in block.stages):
        notes.append("after the up-convolution the receptive field is a bound: every unit's region lies within it")
    notes += list(block.notes)
    if stacks is not None:
        drawn = [f"{t.name} {channel_list(stack.channels, stack.total)} of {stack.total}"
                 for t, stack in zip(block.tensors, stacks) if stack.channels]
        if drawn:
            notes.append("channels drawn: " + "; ".join(drawn))
    return notes


def _num(value) -> str:
    return str(value) if value.denominator == 1 else f"{float(value):g}"


def _merge_text(block: SkipBlock, merge: Merge) -> str:
    source, target = block.tensors[merge.source], block.tensors[merge.target]
    if merge.kind == "add":
        return f"skip connection: the {source.name} is added to the {target.name} (identity shortcut)"
    last = merge.offset + source.channels - 1
    return (f"skip connection: the {source.name} is copied into channels {merge.offset}-{last} of the {target.name} "
            f"(concatenation)")


def _primary(block: SkipBlock, geometries: list[Geometry], t: int) -> int | None:
    """The stage whose grid tensor `t` is drawn on: of the stages reading it, the one with the widest grid."""
    readers = [s for s, stage in enumerate(block.stages) if stage.reads == t]
    if not readers:
        return None
    return max(readers, key=lambda s: (sum(geometries[s].grid_shape), -s))


def _shift(block: SkipBlock, primary: list[int | None], s: int) -> tuple[int, int]:
    """Drawn-grid offset of stage `s`'s own grid (zero unless another stage's grid is drawn for its input)."""
    stage = block.stages[s]
    chosen = primary[stage.reads]
    if chosen is None or chosen == s:
        return (0, 0)
    drawn = block.stages[chosen].spec
    if drawn.transposed or stage.spec.transposed:
        raise SpecError("block: two stages read one tensor, one of them transposed; a figure draws one grid for it")
    return (drawn.padding[0][0] - stage.spec.padding[0][0], drawn.padding[1][0] - stage.spec.padding[1][0])


def _steps(block: SkipBlock, geometries: list[Geometry], stacks: list[PlaneStack], view: ViewSpec
           ) -> list[tuple[int, int, int, str]]:
    """(stage, output position index, output channel, plan note) of every frame, stage after stage, within
    `view.max_frames` in all; a stage sweeps only the output channels that are drawn."""
    steps: list[tuple[int, int, int, str]] = []
    unswept = replace(view, channel=None)
    for s, stage in enumerate(block.stages):
        budget = view.max_frames - len(steps)
        if budget < 1:
            raise SpecError(f"max_frames: {view.max_frames:,} frames are not enough for every stage; raise "
                            f"max_frames")
        target = stacks[stage.writes]
        shown = tuple(oc for oc in range(stage.spec.out_channels) if target.plane(stage.offset + oc) is not None)
        plan = frame_plan(geometries[s].frame_count, stage.spec.out_channels, unswept, limit=budget, shown=shown)
        steps += [(s, p, oc, plan.note) for p, oc in plan.steps]
    return steps


def _fills(block: SkipBlock, theme: Theme) -> list[list[RGB]]:
    """Per tensor, per channel: input blue, output cyan, between them the third hue; a concatenation's copied
    channels keep their source's colours."""
    last = len(block.tensors) - 1
    fills: list[list[RGB]] = []
    for t, tensor in enumerate(block.tensors):
        base = theme.input_fill if t == 0 else theme.output_fill if t == last else middle_fill(theme)
        row = [base] * tensor.channels
        for merge in block.merges:
            if merge.target == t and merge.kind == "concat":
                source = fills[merge.source]
                row[merge.offset:merge.offset + len(source)] = source
        fills.append(row)
    return fills


def _bounds(stack: PlaneStack, view: ViewSpec) -> tuple[float, float]:
    """(top, bottom) screen y of a stack, in cells."""
    p = base_projection(view)
    ys = [p.unit((x + cx, y + cy, z))[1] for x, y, z in stack.origins
          for cx, cy in ((0, 0), (stack.cols, 0), (0, stack.rows), (stack.cols, stack.rows))]
    return min(ys), max(ys)


def _stage_headers(block: SkipBlock, stacks: list[PlaneStack], view: ViewSpec, style: Style) -> list[Item]:
    """`stage 1: conv1 3×3 →` over the gap between the tensors a main-path stage joins."""
    p = base_projection(view)
    top = min(_bounds(stack, view)[0] for stack in stacks) - 0.9
    items: list[Item] = []
    for s, stage in enumerate(block.stages):
        if stage.shortcut:
            continue
        before, after = stacks[stage.reads], stacks[stage.writes]
        left = before.origins[0][0] + before.cols + (0.66 * before.rows if view.view == "oblique" else 0)
        x = (left + after.origins[0][0]) / 2
        items.append(Text((x, 0.0, x * p.ay - top), f"{s + 1}: {stage.name} →", style.label_font, view.theme.text,
                          "ms", bold=True))
    return items


def _skip_paths(block: SkipBlock, stacks: list[PlaneStack], view: ViewSpec, style: Style) -> list[Item]:
    """Each skip as a dashed path from under its source stack down, along and up under its target stack, labelled;
    paths that overlap along the way run at different depths."""
    p = base_projection(view)
    paths: list[tuple[int, int, str]] = []
    for merge in block.merges:
        end = merge.offset + block.tensors[merge.source].channels - 1
        what = "+ input (identity)" if merge.kind == "add" else f"concat → channels {merge.offset}-{end}"
        paths.append((merge.source, merge.target, what))
    paths += [(stage.reads, stage.writes, f"+ {stage.name} of the input") for stage in block.stages if stage.shortcut]
    low = max(_bounds(stack, view)[1] for stack in stacks) + 1.0
    items: list[Item] = []
    color = view.theme.connector

    def at(x: float, y: float, sy: float) -> tuple[float, float, float]:
        return x, y, x * p.ay + y * p.by - sy

    for source, target, text in paths:
        first, last = stacks[source], stacks[target]
        depth = low + 1.4 * sum(1 for a, b, _ in paths if (a, b) < (source, target) and a < target and source < b)
        a = (first.origins[-1][0] + first.cols / 2, float(first.rows))
        b = (last.origins[-1][0] + last.cols / 2, float(last.rows))
        points = [(a[0], a[1], first.origins[-1][2]), at(*a, depth), at(*b, depth), (b[0], b[1], last.origins[-1][2])]
        items += [Line(u, v, color, style.line_width * 1.5, dash=style.dash) for u, v in zip(points, points[1:])]
        items.append(Text(at((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, depth - 0.25), text, style.note_font,
                          view.theme.text, "ms", bold=True))
    return items
