"""The receptive field animated: a stack's maps drawn one above the other (1d stacks as rows, 2d as oblique planes),
and for one unit of the top map its cone: the units it depends on in every map below, shaded, with the region of
Araujo et al.'s recursion outlined (over the padding too) and counted. Frames sweep the top map's units.

The cone's cells come from composing each layer's taps (`Geometry`); the outlined region from the layers' kernel
extents, strides and left paddings: tests check that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convanim.describe import shape_str
from convanim.errors import SpecError
from convanim.figures.canvas import finish, style_for
from convanim.figures.labels import caption_items, label_items
from convanim.geometry import Geometry
from convanim.primitives import FLAT, OBLIQUE, Line, Polygon, Text, quad
from convanim.stack import Stack, StackLayer
from convanim.view import ViewSpec

DRAWN_KINDS = ("conv", "pool", "pad")  # layers that move regions; shape-keeping ones are not drawn
ROW_GAP = 2.2  # cells between the rows of a 1d stack
MAX_DRAWN_CELLS = 40_000
MAX_DEPENDENCY_PAIRS = 4_000_000  # 4 MB of booleans per layer: maps of about 44x44, already too many cells to read


@dataclass(frozen=True, slots=True)
class Level:
    """One drawn map: the stack's input (layer None) or a convolution's or pooling's output, with the padding
    layers between it and the map below (`pads`), which are not drawn as maps of their own."""

    layer: StackLayer | None
    shape: tuple[int, ...]  # spatial
    pads: tuple[StackLayer, ...] = ()

    @property
    def steps(self) -> tuple[StackLayer, ...]:
        """The layers from the map below to this one, in order."""
        return (*self.pads, *((self.layer,) if self.layer is not None else ()))


def drawn_levels(stack: Stack) -> list[Level]:
    """The input and each convolution or pooling (padding layers join the next one); refuses layers the figure
    cannot draw, naming them."""
    levels = [Level(None, stack.input_shape[1:])]
    pads: list[StackLayer] = []
    for layer in stack.layers:
        if layer.shortcut or layer.kind == "merge":
            raise SpecError(f"layers: layer {layer.index} ({layer.expression}) is where a skip connection "
                            f"{'starts' if layer.shortcut else 'joins'}; the receptive-field animation draws one "
                            f"path (animate a block with its skip with 'convanim stages'; 'convanim explain' gives "
                            f"the numbers)")
        if layer.kind == "pad":
            pads.append(layer)
        elif layer.kind in DRAWN_KINDS:
            levels.append(Level(layer, layer.output_shape[1:], tuple(pads)))
            pads = []
        elif layer.kind != "elementwise" and layer.kind != "norm":
            raise SpecError(f"layers: layer {layer.index} ({layer.expression}): the receptive-field animation draws "
                            f"convolutions, pooling and padding (shape-keeping layers are passed over); "
                            f"'convanim explain' gives the numbers through {layer.name}")
    if pads:
        levels.append(Level(pads[-1], pads[-1].output_shape[1:], tuple(pads[:-1])))  # a stack ending in padding
    if len(levels) < 2:
        raise SpecError("layers: the receptive-field animation needs at least one convolution, pooling or padding")
    if stack.dims not in (1, 2):
        raise SpecError(f"layers: the receptive-field animation draws 1d and 2d stacks, not {stack.dims}d")
    return levels


def dependency(layer: StackLayer) -> np.ndarray:
    """Boolean (outputs, inputs) over flattened positions: which input elements each output element reads."""
    in_shape, out_shape = layer.input_shape[1:], layer.output_shape[1:]
    matrix = np.zeros((int(np.prod(out_shape)), int(np.prod(in_shape))), dtype=bool)
    if layer.spec is not None:
        for frame in Geometry(layer.spec).frames():
            real = frame.input[frame.real]
            if len(real):
                matrix[frame.index, np.ravel_multi_index(tuple(real.T), in_shape)] = True
        return matrix
    left = [int(p) for p in _own_padding(layer)]
    for o, out in enumerate(np.ndindex(*out_shape)):
        source = tuple(v - p for v, p in zip(out, left))
        if all(0 <= v < n for v, n in zip(source, in_shape)):
            matrix[o, np.ravel_multi_index(source, in_shape)] = True
    return matrix


def _own_padding(layer: StackLayer) -> tuple[int, ...]:
    """A padding layer's left padding per axis, read back from its output and the stack's recursion."""
    from convanim.stack import make_stack

    alone = make_stack([layer.expression], input_size=layer.input_shape[1:], in_channels=layer.input_shape[0])
    return tuple(int(p) for p in alone.layers[0].effective_padding)


def level_maps(levels: list[Level]) -> list[np.ndarray]:
    """Per drawn map above the input: which units of the map below each of its units reads (padding included)."""
    maps = []
    for level in levels[1:]:
        matrix = None
        for step in level.steps:
            own = dependency(step)
            matrix = own if matrix is None else (own.astype(np.int64) @ matrix.astype(np.int64)) > 0
        assert matrix is not None
        maps.append(matrix)
    return maps


def cones(levels: list[Level], maps: list[np.ndarray]) -> list[list[np.ndarray]]:
    """For every unit of the top level (row-major): per level, the boolean mask of the units it depends on."""
    top = int(np.prod(levels[-1].shape))
    result = []
    for unit in range(top):
        masks = [np.zeros(int(np.prod(levels[-1].shape)), dtype=bool)]
        masks[0][unit] = True
        for matrix in reversed(maps):
            masks.insert(0, matrix[masks[0]].any(axis=0))
        result.append([mask.reshape(level.shape) for mask, level in zip(masks, levels)])
    return result


def reaches(levels: list[Level], maps: list[np.ndarray]) -> list[list[np.ndarray]]:
    """For every input element (row-major): per level, the boolean mask of the units that depend on it (the forward
    view: which units one element reaches)."""
    count = int(np.prod(levels[0].shape))
    result = []
    for element in range(count):
        masks: list[np.ndarray] = [np.zeros(count, dtype=bool)]
        masks[0][element] = True
        for matrix in maps:
            masks.append(np.asarray(matrix[:, masks[-1]].any(axis=1)))
        result.append([mask.reshape(level.shape) for mask, level in zip(masks, levels)])
    return result


def spans(masks: list[np.ndarray]) -> list[list[tuple[int, int]] | None]:
    """Per level, the inclusive (first, last) span of a mask per axis, or None where it is empty."""
    boxes: list[list[tuple[int, int]] | None] = []
    for mask in masks:
        hits = np.nonzero(mask)
        boxes.append([(int(h.min()), int(h.max())) for h in hits] if len(hits[0]) else None)
    return boxes


def regions(levels: list[Level], unit: tuple[int, ...]) -> list[list[tuple[int, int]]]:
    """Per level, the inclusive (first, last) region of the top unit per axis, by Araujo et al.'s recursion from the
    top down (it runs over padding, past the map's edges)."""
    boxes = [[(u, u) for u in unit]]
    for level in reversed(levels[1:]):
        box = boxes[0]
        for layer in reversed(level.steps):
            below = []
            for a, (first, last) in enumerate(box):
                if layer.spec is not None and layer.spec.transposed:  # o reads i where i*s = o + p - j*d
                    k, s, d = layer.spec.kernel_size[a], layer.spec.stride[a], layer.spec.dilation[a]
                    p = layer.spec.padding[a][0]
                    reads = [(o + p - j * d) // s for o in range(first, last + 1) for j in range(k)
                             if (o + p - j * d) % s == 0]
                    # no taps at all (a stride past the kernel): the empty interval between the bounds
                    below.append((min(reads), max(reads)) if reads else
                                 (-((-(first + p - d * (k - 1))) // s), (last + p) // s))
                elif layer.spec is not None:
                    k, s, d = layer.spec.kernel_size[a], layer.spec.stride[a], layer.spec.dilation[a]
                    p = layer.spec.padding[a][0]
                    below.append((first * s - p, last * s - p + d * (k - 1)))
                else:
                    p = _own_padding(layer)[a]
                    below.append((first - p, last - p))
            box = below
        boxes.insert(0, box)
    return boxes


def build_receptive_scene(stack: Stack, view: ViewSpec, forward: bool = False):
    """Frames sweep the top map's units, each with its cone down to the input; with `forward`, they sweep the input's
    elements, each with the units it reaches up to the top."""
    levels = drawn_levels(stack)
    swept = int(np.prod(levels[0 if forward else -1].shape))
    if swept > view.max_frames:
        raise SpecError(f"max_frames: the {'input' if forward else 'top map'} has {swept:,} "
                        f"{'elements' if forward else 'units'} (frames), more than the limit of {view.max_frames:,}")
    for level in levels[1:]:  # the dependency maps are (units above) x (units below) booleans
        for step in level.steps:
            pairs = int(np.prod(step.input_shape[1:])) * int(np.prod(step.output_shape[1:]))
            if pairs > MAX_DEPENDENCY_PAIRS:
                raise SpecError(f"input_size: layer {step.index} ({step.expression}) joins "
                                f"{shape_str(step.input_shape[1:])} units to {shape_str(step.output_shape[1:])}: "
                                f"too many to draw (at most {MAX_DEPENDENCY_PAIRS:,} pairs); draw a smaller input "
                                f"(regions do not depend on it)")
    cells = sum(int(np.prod(level.shape)) for level in levels)
    if cells > MAX_DRAWN_CELLS:
        raise SpecError(f"input_size: the maps have {cells:,} cells, more than {MAX_DRAWN_CELLS:,} to draw; draw a "
                        f"smaller input (regions do not depend on it)")
    maps = level_maps(levels)
    if forward:
        all_cones = reaches(levels, maps)
        units = list(np.ndindex(*levels[0].shape))
        boxes: list[list[Any]] = [spans(masks) for masks in all_cones]
    else:
        all_cones = cones(levels, maps)
        units = list(np.ndindex(*levels[-1].shape))
        boxes = [regions(levels, unit) for unit in units]
    if stack.dims == 1:
        return _rows(stack, levels, all_cones, boxes, units, view, maps, forward)
    return _planes(stack, levels, all_cones, boxes, units, view, forward)


def _label(level: Level) -> tuple[str, str]:
    if level.layer is None:
        return "input", ""
    return f"{level.layer.index}: {level.layer.expression}", ""


def _rows(stack: Stack, levels: list[Level], all_cones, boxes, units, view: ViewSpec, maps, forward: bool):
    theme = view.theme
    widest = max(level.shape[0] for level in levels)
    reach = max(max(0, -box[i][0][0]) + max(0, box[i][0][1] + 1 - levels[i].shape[0])
                for box in boxes for i in range(len(levels)) if box[i] is not None)
    style = style_for(view, widest + 4, auto_cell=max(8.0, min(36.0, 1100 / (widest + reach),
                                                                    900 / (len(levels) * (1 + ROW_GAP)))))
    items: list = []
    ys = [-(i * (1 + ROW_GAP)) for i in range(len(levels))]
    xs = [(widest - level.shape[0]) / 2 for level in levels]
    label_x = min(min(0.0, xs[i] + min((box[i][0][0] for box in boxes if box[i] is not None), default=0))
                  for i in range(len(levels))) - 0.5
    for i, level in enumerate(levels):
        fill = _fill(theme, i, len(levels))
        n = level.shape[0]
        items += [Polygon(quad(xs[i] + c, ys[i], 0.0), fill) for c in range(n)]
        items += [Line((xs[i] + c, ys[i], 0.0), (xs[i] + c, ys[i] + 1, 0.0), theme.outline, style.line_width)
                  for c in range(n + 1)]
        items += [Line((xs[i], y, 0.0), (xs[i] + n, y, 0.0), theme.outline, style.line_width)
                  for y in (ys[i], ys[i] + 1)]
        if view.labels:
            name = "input" if level.layer is None else level.layer.expression
            items.append(Text((label_x, ys[i] + 0.5, 0.0), f"{name}  {n}", style.label_font, theme.text, "rm",
                              bold=level.layer is None))
            if level.pads:
                items.append(Text((label_x, ys[i] + 1.2, 0.0),
                                  "after " + ", ".join(pad.expression for pad in level.pads), _readable(style, view),
                                  theme.muted_text, "ra"))
    for t, (masks, box) in enumerate(zip(all_cones, boxes)):
        for i, (mask, level) in enumerate(zip(masks, levels)):
            for c in np.flatnonzero(mask):
                items.append(Polygon(quad(xs[i] + c, ys[i], 0.0), theme.shade, theme.shade_opacity, t))
            if box[i] is None:  # forward: no unit of this map reaches back to the element
                if view.labels:
                    items.append(Text((widest + 0.6, ys[i] + 0.5, 0.0), "reaches none", style.label_font,
                                      theme.muted_text, "lm", frame=t))
                continue
            first, last = box[i][0]
            items += _pad_cells(xs[i], ys[i], first, last, level.shape[0], theme, style, t)
            items += _outline_1d(xs[i] + first, xs[i] + last + 1, ys[i], theme, style, t)
            if view.labels:
                span, read = last - first + 1, int(mask.sum())
                if forward:
                    text = f"reaches {read} ({first}..{last})" if i else f"element {first}"
                else:
                    text = f"spans {span}, reads {read}" if i else f"r = {span} ({read} real)"
                items.append(Text((max(widest, xs[i] + last + 1) + 0.6, ys[i] + 0.5, 0.0), text, style.label_font,
                                  theme.text if i == 0 else theme.muted_text, "lm", bold=i == 0, frame=t))
        # the dependency tree: each cone unit joined to the units it reads in the map below
        for i in range(len(levels) - 1, 0, -1):
            matrix = maps[i - 1]
            for o in np.flatnonzero(masks[i]):
                for source in np.flatnonzero(matrix[o] & masks[i - 1].ravel()):
                    items.append(Line((xs[i] + o + 0.5, ys[i] + 1, 0.0), (xs[i - 1] + source + 0.5, ys[i - 1], 0.0),
                                      theme.connector, style.connector_width, frame=t))
    return _finish(stack, levels, boxes, units, items, view, style, FLAT, forward)


def _readable(style, view: ViewSpec) -> float:
    """A note's size, at least 13 px (at scale 1): the counts and padding notes are read on a projected slide."""
    return max(13.0 * view.scale, style.note_font)


def _pad_cells(x0: float, y: float, first: int, last: int, n: int, theme, style, frame: int) -> list:
    """Dashed cells where the region runs over the padding, past the map's edges."""
    items: list = []
    for c in [*range(first, min(0, last + 1)), *range(max(n, first), last + 1)]:
        items.append(Polygon(quad(x0 + c, y, 0.0), theme.zero_fill, frame=frame))
        corners = [(x0 + c, y), (x0 + c + 1, y), (x0 + c + 1, y + 1), (x0 + c, y + 1)]
        items += [Line((*corners[k], 0.0), (*corners[(k + 1) % 4], 0.0), theme.zero_outline, style.line_width,
                       dash=style.dash, frame=frame) for k in range(4)]
    return items


def _outline_1d(x0: float, x1: float, y: float, theme, style, frame: int) -> list:
    width = style.line_width * 2.2
    corners = [(x0, y), (x1, y), (x1, y + 1), (x0, y + 1)]
    return [Line((*corners[k], 0.0), (*corners[(k + 1) % 4], 0.0), theme.connector, width, frame=frame)
            for k in range(4)]


def _planes(stack: Stack, levels: list[Level], all_cones, boxes, units, view: ViewSpec, forward: bool):
    theme = view.theme
    widest = max(max(level.shape) for level in levels)
    origins: list[tuple[float, float, float]] = []
    z = 0.0
    # Each level's extent: its map and every frame's region on it, which may run over the padding outside the map.
    extents = []
    for i, level in enumerate(levels):
        rows, cols = level.shape
        drawn = [box[i] for box in boxes if box[i] is not None]
        extents.append((min([0] + [r0 for (r0, _), _ in drawn]), max([rows] + [r1 + 1 for (_, r1), _ in drawn]),
                        min([0] + [c0 for _, (c0, _) in drawn]), max([cols] + [c1 + 1 for _, (_, c1) in drawn])))
    for i, level in enumerate(levels):
        rows, cols = level.shape
        x0, y0 = (widest - cols) / 2, (widest - rows) / 2
        if i:
            px, py, pz = origins[-1]
            z = pz + _lift(extents[i - 1], px, py, extents[i], x0, y0)
        origins.append((x0, y0, z))
    column = min(OBLIQUE.unit((x0 + c0, y0 + r0, z))[0] for (x0, y0, z), (r0, _, c0, _) in zip(origins, extents)) - 0.4
    corners = [OBLIQUE((x0 + dx, y0 + dy, z)) for (x0, y0, z), level in zip(origins, levels)
               for dx in (0, level.shape[1]) for dy in (0, level.shape[0])]
    tall = max(p[1] for p in corners) - min(p[1] for p in corners)
    wide = max(p[0] for p in corners) - min(p[0] for p in corners)
    style = style_for(view, widest + 2, auto_cell=max(8.0, min(36.0, 860 / tall, 1300 / wide)))  # fits 1920x1080
    items: list = []
    for i, (level, (x0, y0, z)) in enumerate(zip(levels, origins)):
        rows, cols = level.shape
        fill = _fill(theme, i, len(levels))
        items += [Polygon(quad(x0 + c, y0 + r, z), fill) for r in range(rows) for c in range(cols)]
        items += [Line((x0 + c, y0, z), (x0 + c, y0 + rows, z), theme.outline, style.line_width)
                  for c in range(cols + 1)]
        items += [Line((x0, y0 + r, z), (x0 + cols, y0 + r, z), theme.outline, style.line_width)
                  for r in range(rows + 1)]
        for t, (masks, box) in enumerate(zip(all_cones, boxes)):
            if box[i] is None:
                continue
            (r0, r1), (c0, c1) = box[i]
            items += [Polygon(quad(x0 + c, y0 + r, z), theme.shade, theme.shade_opacity, t)
                      for r, c in zip(*np.nonzero(masks[i]))]
            items += _pad_cells_2d(x0, y0, z, box[i], level.shape, theme, style, t)
            items += _outline_2d(x0 + c0, y0 + r0, x0 + c1 + 1, y0 + r1 + 1, z, theme, style, t, dashed=False)
        if view.labels:
            # Labels in one column left of every level's extent: the cone's edges join extents' corners, so they
            # stay right of it (a label beside its own level's corner is met there by the edges leaving it).
            name = "input" if level.layer is None else level.layer.expression
            r0, _, c0, _ = extents[i]
            corner_x = x0 + c0
            label_x = column - OBLIQUE.bx * (y0 + r0)  # screen column `column`, on the extent's first row
            at = (label_x, y0 + r0, z + OBLIQUE.ay * (label_x - corner_x))  # at the corner's screen height
            items += label_items((name, shape_str(level.shape), ""), at, True, style, theme)
            gap = style.note_font * 1.3 / style.cell
            for t, (masks, box) in enumerate(zip(all_cones, boxes)):
                if box[i] is None:
                    text = "reaches none"
                elif forward:
                    (r0, r1), (c0, c1) = box[i]
                    text = (f"reaches {int(masks[i].sum())} within {r1 - r0 + 1}\u00d7{c1 - c0 + 1}" if i else
                            f"element ({r0}, {c0})")
                else:
                    (r0, r1), (c0, c1) = box[i]
                    text = f"region {r1 - r0 + 1}\u00d7{c1 - c0 + 1}, reads {int(masks[i].sum())}"
                items.append(Text((at[0] - 0.35, at[1], at[2] - gap * 0.3), text, _readable(style, view),
                                  theme.text if i == 0 else theme.muted_text, "ra", bold=i == 0, frame=t))
    for t, box in enumerate(boxes):  # the cone's edges: region corners joined map to map
        for i in range(len(levels) - 1, 0, -1):
            if box[i] is None or box[i - 1] is None:
                continue
            (r0, r1), (c0, c1) = box[i]
            (q0, q1), (d0, d1) = box[i - 1]
            x0, y0, z = origins[i]
            bx, by, bz = origins[i - 1]
            for (ux, uy), (lx, ly) in zip(((c0, r0), (c1 + 1, r0), (c1 + 1, r1 + 1), (c0, r1 + 1)),
                                          ((d0, q0), (d1 + 1, q0), (d1 + 1, q1 + 1), (d0, q1 + 1))):
                items.append(Line((x0 + ux, y0 + uy, z), (bx + lx, by + ly, bz), theme.connector,
                                  style.connector_width, frame=t))
    return _finish(stack, levels, boxes, units, items, view, style, OBLIQUE, forward)


def _pad_cells_2d(x0: float, y0: float, z: float, box, shape: tuple[int, ...], theme, style, frame: int) -> list:
    """Dashed cells where a region runs over the padding, outside the map; each grid line once."""
    (r0, r1), (c0, c1) = box
    rows, cols = shape
    outside = [(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1) if not (0 <= r < rows and 0 <= c < cols)]
    if not outside:
        return []
    items: list = [Polygon(quad(x0 + c, y0 + r, z), theme.zero_fill, frame=frame) for r, c in outside]
    edges = set()
    for r, c in outside:
        edges |= {((c, r), (c + 1, r)), ((c, r + 1), (c + 1, r + 1)), ((c, r), (c, r + 1)),
                  ((c + 1, r), (c + 1, r + 1))}
    items += [Line((x0 + a[0], y0 + a[1], z), (x0 + b[0], y0 + b[1], z), theme.zero_outline, style.line_width,
                   dash=style.dash, frame=frame) for a, b in sorted(edges)]
    return items


def _lift(extent: tuple[int, int, int, int], x0: float, y0: float, up_extent: tuple[int, int, int, int], ux: float,
          uy: float) -> float:
    """How far above a level the next one goes so that nothing drawn on them (maps and regions, `extents`) meets."""
    def ys(x: float, y: float, box: tuple[int, int, int, int]) -> list[float]:
        r0, r1, c0, c1 = box
        return [OBLIQUE((px, py, 0.0))[1] for px in (x + c0, x + c1) for py in (y + r0, y + r1)]

    return max(ys(ux, uy, up_extent)) - min(ys(x0, y0, extent)) + 1.2


def _outline_2d(x0: float, y0: float, x1: float, y1: float, z: float, theme, style, frame: int,
                dashed: bool) -> list:
    width = style.line_width * 2.2
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    return [Line((*corners[k], z), (*corners[(k + 1) % 4], z), theme.connector, width,
                 dash=style.dash if dashed else None, frame=frame) for k in range(4)]


def _finish(stack: Stack, levels: list[Level], boxes, units, items: list, view: ViewSpec, style, base,
            forward: bool = False):
    last = stack.layers[[layer.index for layer in stack.layers].index(levels[-1].layer.index)] \
        if levels[-1].layer is not None else None
    assert last is not None
    field = "×".join(_number(v) for v in last.receptive_field)
    skipped = sorted({layer.name for layer in stack.layers if layer.kind not in DRAWN_KINDS})
    title = (f"Receptive field through {len(levels) - 1} layers: r {'≤' if last.upsampled else '='} {field}, "
             f"effective stride {'×'.join(_number(v) for v in last.effective_stride)}")
    if last.upsampled:
        title += " (after upsampling r is a bound; the outlines are each unit's own region)"
    if skipped:
        title += f" ({', '.join(skipped)} {'keeps' if len(skipped) == 1 else 'keep'} every region: not drawn)"
    if forward:
        title = title.replace("Receptive field through", "Forward: which units one input element reaches, through")
        frame_titles = []
        for t, (unit, box) in enumerate(zip(units, boxes)):
            top_box = box[-1]
            reached = ("no top unit" if top_box is None else
                       "top units " + ", ".join(f"{first}..{last_}" for first, last_ in top_box))
            frame_titles.append(f"frame {t + 1}/{len(units)}: input element ({', '.join(map(str, unit))}) reaches "
                                f"{reached}")
        captions = caption_items(title, tuple(frame_titles), style, view.theme) if view.caption else []
        return finish(items, captions, view, style, len(units), title, tuple(frame_titles), base=base)
    frame_titles = []
    for t, (unit, box) in enumerate(zip(units, boxes)):
        span = ", ".join(f"{first}..{last_}" for first, last_ in box[0])
        below = any(first < 0 for first, _ in box[0])
        past = any(last_ >= n for (_, last_), n in zip(box[0], levels[0].shape))
        where = " and ".join(word for word, flag in (("below 0", below), ("past the end", past)) if flag)
        frame_titles.append(f"frame {t + 1}/{len(units)}: top unit ({', '.join(map(str, unit))}) sees input "
                            f"{span}{f' ({where}: padding)' if where else ''}")
    captions = caption_items(title, tuple(frame_titles), style, view.theme) if view.caption else []
    return finish(items, captions, view, style, len(units), title, tuple(frame_titles), base=base)


def _number(value) -> str:
    """`7`, or `11.5` for a fraction (after an upsampling layer)."""
    return str(value) if value.denominator == 1 else f"{float(value):g}"


def _fill(theme, level: int, count: int):
    """Blue input, cyan top map, the theme's third hue for the maps between (the colour language of the blocks)."""
    if level == 0:
        return theme.input_fill
    if level == count - 1:
        return theme.output_fill
    return theme.middle_fill
