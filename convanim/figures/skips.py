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
from convanim.figures.stacks import (
    PLANE_GAP,
    PlaneStack,
    StackShape,
    base_projection,
    connector_items,
    drawn_channels,
    drawn_stacks,
    place_stacks,
    reach_items,
    read_channels_text,
    shade_items,
)
from convanim.fonts import font
from convanim.geometry import REAL, Geometry, channel_inputs
from convanim.primitives import Item, Line, Scene, Text
from convanim.skips import Merge, SkipBlock
from convanim.spec import SpecError
from convanim.theme import RGB, Theme
from convanim.view import ViewSpec


def middle_fill(theme: Theme) -> RGB:
    """The third hue of intermediate tensors (the theme's, where it has one)."""
    return theme.middle_fill


SCREEN = (1920, 1080)  # a default figure fits a 1080p slide
SMALLEST_CELL = 8.0
SHORTCUT_OFFSET = 12.0  # pixels below its dashed path that a shortcut's connector runs along it
CLEAR_PX = 3.0  # pixels between a path's label and the path (a shortcut's connector runs along it)


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
    oblique = view.view == "oblique"
    levelled = oblique and _chain(block)
    last = len(block.tensors) - 1

    shapes = []
    drawn_per = []
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
        drawn_per.append(drawn)
        elided = len(drawn) < tensor.channels
        shapes.append(StackShape(real, offset, tuple(fills[t][c] for c in drawn),
                                 tuple(f"{tensor.name} · {c}" for c in drawn),
                                 (note,) * len(drawn), channels=drawn if elided else (),
                                 total=tensor.channels if elided else 0,
                                 labels_right=levelled and t == last))  # clear of the connectors coming in
    if levelled:
        # A tensor between two stages is labelled above its band (`clear_labels`): the gap holds a name and a note.
        gap = max(PLANE_GAP, (style.label_font * 1.15 + style.note_font * 1.25 + 3 * max(2.0, style.cell * 0.12))
                  / style.cell)
        stacks = place_stacks(shapes, view, style, reads=_chain_reads(block, drawn_per), gap=gap,
                              spacing=_header_room(block, style))
    else:
        stacks = place_stacks(shapes, view, style, spacing=_header_room(block, style))
    paths = _path_depths(block, stacks, view, style)

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
        shades += shade_items(reads, cells, t, theme, style, box=oblique, window=levelled)
        shades += shade_items(writes, [(out_plane, *frame.output)], t, theme, style, element=True)
        if oblique and planes:
            shades += reach_items(reads, planes, read, window, t, theme, style)
            target = writes.grid_of(*frame.output)  # past padding and, stretched for an up-convolution, zeros
            if levelled and stage.shortcut:  # along the shortcut's path, under the stacks between
                depth = next(d for source, sink, _, d, _ in paths if (source, sink) == (stage.reads, stage.writes))
                wedges += _shortcut_route(reads, planes, window, writes, out_plane, target, depth, t, view, style)
            else:
                wedges += connector_items(reads, planes, window, writes, out_plane, target, t, theme, style)
        read_text = read_channels_text(read, len(planes))
        written = block.tensors[stage.writes].name
        frame_titles.append(f"frame {t + 1}/{total}, stage {s + 1} ({stage.name}): {written} channel "
                            f"{stage.offset + oc} at ({', '.join(map(str, frame.output))}) reads "
                            f"{block.tensors[stage.reads].name} {read_text}"
                            + (f"  [{note.replace('output channel', written + ' channel')}]" if note else ""))
    headers = _stage_headers(block, stacks, view, style, above_labels=levelled)
    items = drawn_stacks(stacks, view, style, shades, wedges, headers, _skip_paths(paths, stacks, view, style),
                         place_labels=levelled)

    title = f"{block.name}: {' → '.join(stage.name for stage in block.stages if not stage.shortcut)}"
    captions = caption_lines(title, caption_notes(block, stacks), tuple(frame_titles), style, theme) \
        if view.caption else []
    return finish(items, captions, view, style, total, title, tuple(frame_titles))


def _chain(block: SkipBlock) -> bool:
    """Whether the main path runs tensor 0 -> 1 -> ... -> last, one stage each (a shortcut may join any two): then the
    stacks can be laid out by levels (`assign_levels`), so that every main-path connector runs level."""
    main = [stage for stage in block.stages if not stage.shortcut]
    return len(main) == len(block.tensors) - 1 and all(
        stage.reads == k and stage.writes == k + 1 for k, stage in enumerate(main))


def _chain_reads(block: SkipBlock, drawn: list[tuple[int, ...]]) -> list[list[list[int]]]:
    """`assign_levels`'s reads for the main path: per stage, per drawn plane of the tensor it writes, the drawn planes
    of the tensor it reads; a channel the stage does not write (copied in by a concatenation) reads nothing."""
    reads = []
    for k, stage in enumerate(stage for stage in block.stages if not stage.shortcut):
        inputs = channel_inputs(stage.spec)
        written = range(stage.offset, stage.offset + stage.spec.out_channels)
        reads.append([[drawn[k].index(ic) for ic in inputs[c - stage.offset] if ic in drawn[k]] if c in written else []
                      for c in drawn[k + 1]])
    return reads


def _shortcut_route(inputs: PlaneStack, planes: list[int], window: np.ndarray, outputs: PlaneStack, out_plane: int,
                    output: tuple[int, int], depth: float, frame: int, view: ViewSpec, style: Style) -> list[Item]:
    """A shortcut's connector, where a straight one would cross the stacks between: from the window on the lowest
    plane it reads, forward across that plane to its front edge, down to the shortcut's path under the stacks, along
    beside it (a little below, clear of its label), up just left of the output stack (labelled on its right) to the
    output plane's height, and in along the output cell's row, as the main path's connectors come in."""
    p = base_projection(view)
    theme = view.theme
    lowest = min(planes, key=lambda j: inputs.origins[j][2])
    r0, c0 = (int(v) for v in window.min(axis=0))
    r1, c1 = (int(v) + 1 for v in window.max(axis=0))
    (ax0, ay0, z0), (ax1, ay1, _) = inputs.cell(lowest, r0, c0), inputs.cell(lowest, r1, c1)
    x, front = (ax0 + ax1) / 2, inputs.origins[lowest][1] + inputs.rows
    ox, oy, oz = outputs.cell(out_plane, *output)
    cx, cy = ox + 0.5, oy + 0.5
    bx, by, _ = outputs.origins[out_plane]
    left = min(p.unit((bx + c, by + r, 0.0))[0] for c in (0, outputs.cols) for r in (0, outputs.rows)) - 1.0
    rise_x = (left - cy * p.bx) / p.ax  # screen column `left`, on the output cell's row

    beside = depth + SHORTCUT_OFFSET / style.cell

    def at(px: float, py: float) -> tuple[float, float, float]:
        return px, py, px * p.ay + py * p.by - beside

    points = [((ax0 + ax1) / 2, (ay0 + ay1) / 2, z0), (x, front, z0), at(x, front), at(rise_x, cy), (rise_x, cy, oz),
              (cx, cy, oz)]
    return [Line(a, b, theme.connector, style.connector_width, frame=frame) for a, b in zip(points, points[1:])]


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
        return f"skip: {target.name} += {source.name} (identity shortcut)"
    last = merge.offset + source.channels - 1
    return f"skip: {target.name} channels {merge.offset}-{last} = {source.name} (concatenated)"


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


def _header_text(s: int, stage) -> str:
    return f"{s + 1}: {stage.name} →"


def _header_room(block: SkipBlock, style: Style) -> list[float]:
    """Per tensor, the least gap in cells before its stack: room for the header of the main-path stage writing it."""
    room = [0.0] * len(block.tensors)
    for s, stage in enumerate(block.stages):
        if not stage.shortcut:
            width = font(round(style.label_font), True).getlength(_header_text(s, stage)) / style.cell
            room[stage.writes] = max(room[stage.writes], width + 1.0)
    return room


def _stage_headers(block: SkipBlock, stacks: list[PlaneStack], view: ViewSpec, style: Style,
                   above_labels: bool = False) -> list[Item]:
    """`1: conv1 3×3 →` over the gap between the tensors a main-path stage joins (above the two-line labels placed
    over the planes' bands, with `above_labels`)."""
    p = base_projection(view)
    top = _header_line(stacks, view, style, above_labels)

    def screen_x(stack: PlaneStack) -> tuple[float, float]:
        xs = [p.unit((x + c, y + r, z))[0] for x, y, z in stack.origins for c in (0, stack.cols)
              for r in (0, stack.rows)]
        return min(xs), max(xs)

    items: list[Item] = []
    for s, stage in enumerate(block.stages):
        if stage.shortcut:
            continue
        x = (screen_x(stacks[stage.reads])[1] + screen_x(stacks[stage.writes])[0]) / 2 / p.ax  # at y = 0
        items.append(Text((x, 0.0, x * p.ay - top), _header_text(s, stage), style.label_font, view.theme.text,
                          "ms", bold=True))
    return items


def _path_depths(block: SkipBlock, stacks: list[PlaneStack], view: ViewSpec, style: Style
                 ) -> list[tuple[int, int, str, float, bool]]:
    """(source, target, label, screen height in cells, over) of each skip's path. A concatenation's path runs over
    the stacks, above the stage headers, and lands on the target's first plane: the copied channels come first. A
    sum's path (and a shortcut's) runs under the stacks, with room for its label between the lowest plane and the
    path (connectors run level there), and rises into the target from below: a sum reaches every channel. Paths on
    one side that overlap or meet at a stack run at different heights."""
    paths: list[tuple[int, int, str, bool]] = []
    for merge in block.merges:
        end = merge.offset + block.tensors[merge.source].channels - 1
        over = merge.kind == "concat"
        what = "+ input (identity)" if not over else f"copy → channels {merge.offset}-{end}"
        paths.append((merge.source, merge.target, what, over))
    paths += [(stage.reads, stage.writes, f"+ {stage.name} of the input", False)
              for stage in block.stages if stage.shortcut]
    low = max(_bounds(stack, view)[1] for stack in stacks) + 0.6 + (style.note_font * 1.3 + 2 * CLEAR_PX) / style.cell
    high = _header_line(stacks, view, style, True) - (style.label_font * 1.3 + style.note_font * 1.3 + 2 * CLEAR_PX
                                                      ) / style.cell - 0.3
    placed = []
    for source, target, text, over in paths:
        before = sum(1 for a, b, _, o in paths if o == over and (a, b) < (source, target) and a <= target
                     and source <= b)
        placed.append((source, target, text, high - 1.6 * before if over else low + 1.4 * before, over))
    return placed


def _header_line(stacks: list[PlaneStack], view: ViewSpec, style: Style, above_labels: bool) -> float:
    """The screen height (cells) of the stage headers' baseline: above the planes and the labels over them."""
    return min(_bounds(stack, view)[0] for stack in stacks) - 0.9 - (
        (style.label_font * 1.15 + style.note_font * 1.25) / style.cell if above_labels else 0.0)


def _skip_paths(paths: list[tuple[int, int, str, float, bool]], stacks: list[PlaneStack], view: ViewSpec,
                style: Style) -> list[Item]:
    """Each skip as a path of long dashes: out of its source stack, along over or under the stacks, and into its
    target stack with a chevron; labelled along the way."""
    p = base_projection(view)
    items: list[Item] = []
    color = view.theme.connector
    width = style.line_width * 1.5
    dash = (style.dash[0] * 3, style.dash[1] * 1.5)  # apart from a window's edge carried down (fine dashes)

    def at(x: float, y: float, sy: float) -> tuple[float, float, float]:
        return x, y, x * p.ay + y * p.by - sy

    for source, target, text, height, over in paths:
        first, last = stacks[source], stacks[target]
        if over:  # out of the source's top corner, into the target's first plane, a third along its back edge
            top = (max(first.origins, key=lambda o: o[2]), max(last.origins, key=lambda o: o[2]))
            a, b = (top[0][0] + first.cols, top[0][1]), (top[1][0] + last.cols * 0.3, top[1][1])
            ends = (top[0][2], top[1][2])
        else:  # out of the lowest corner of the source's lowest plane, into the target's: nothing lies below them
            low = (min(first.origins, key=lambda o: o[2]), min(last.origins, key=lambda o: o[2]))
            a, b = (low[0][0], low[0][1] + first.rows), (low[1][0], low[1][1] + last.rows)
            ends = (low[0][2], low[1][2])
        points = [(a[0], a[1], ends[0]), at(*a, height), at(*b, height), (b[0], b[1], ends[1])]
        items += [Line(u, v, color, width, dash=dash) for u, v in zip(points, points[1:])]
        landing = p.unit(points[-1])[1]
        size = max(0.3, 5.0 / style.cell)
        tip = -size * 1.2 if over else size * 1.2  # the chevron opens away from the plane it points into
        items += [Line(at(b[0] + side / p.ax, b[1], landing + tip), points[-1], color, width)
                  for side in (-size, size)]
        lift = 0.15 + (style.note_font * 0.3 + CLEAR_PX) / style.cell  # the label's descenders clear of the path
        items.append(Text(at((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, height - lift), text, style.note_font,
                          view.theme.text, "ms", bold=True))
    return items
