"""Channels view of a 2d layer: input channels as an exploded stack of planes, one output plane per output channel.

The same stacks draw a 3d volume's depth slices (`volume.py`) and the tensors of a staged block (`stages.py`). A frame
shades, on every input plane an output channel reads (`channel_inputs`), exactly the taps `Geometry` lists, and the
output cell on that output channel's plane.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..explain import pytorch_code
from ..fonts import font
from ..geometry import REAL, Geometry, channel_inputs
from ..scene import FLAT, OBLIQUE, Item, Line, Polygon, Projection, Text, quad
from ..spec import ConvSpec, SpecError
from ..theme import RGB, Theme
from ..view import ViewSpec
from .common import Style, finish, grid_lines, shape_str, style_for

FULL_SWEEP_FRAMES = 64  # up to this many (position, output channel) pairs, every output channel is swept fully
PLANE_GAP = 0.9  # cells between the planes of a stack
STACK_GAP = 2.2  # cells between stacks, besides the room their labels need


@dataclass(frozen=True, slots=True)
class FramePlan:
    """Which (output position index, output channel) each frame shows, and a caption line saying so."""

    steps: tuple[tuple[int, int], ...]
    note: str


def frame_plan(positions: int, out_channels: int, view: ViewSpec, limit: int | None = None) -> FramePlan:
    """Every output channel swept when that is small; else one channel swept and the others at the last position."""
    limit = view.max_frames if limit is None else limit
    chosen = 0 if view.channel is None else view.channel
    if not 0 <= chosen < out_channels:
        raise SpecError(f"channel: must be between 0 and {out_channels - 1}, got {chosen}")
    if view.channel is None and positions * out_channels <= min(FULL_SWEEP_FRAMES, limit):
        steps = tuple((p, oc) for oc in range(out_channels) for p in range(positions))
        note = ("both output channels, one after the other" if out_channels == 2 else
                f"each of the {out_channels} output channels in turn" if out_channels > 2 else "")
    else:
        steps = tuple([(p, chosen) for p in range(positions)]
                      + [(positions - 1, oc) for oc in range(out_channels) if oc != chosen])
        note = (f"output channel {chosen} of {out_channels} swept; others at the last position"
                if out_channels > 1 else "")
    if len(steps) > limit:
        raise SpecError(f"max_frames: this view needs {len(steps):,} frames ({positions:,} output positions"
                        f"{f' + {out_channels - 1} other output channels' if out_channels > 1 else ''}), more than "
                        f"the limit of {limit:,}; raise it with --max-frames")
    return FramePlan(steps, note)


@dataclass(frozen=True, slots=True)
class PlaneStack:
    """Equal planes drawn one below the other; `offset` is the drawn-grid cell of element (0, 0) (padding before)."""

    real: np.ndarray  # (planes, rows, cols) bool: real cells; the others are implicit zeros, drawn dashed
    offset: tuple[int, int]
    origins: tuple[tuple[float, float, float], ...]  # top-left corner of each plane
    fills: tuple[RGB, ...]
    names: tuple[str, ...]  # bold label of each plane
    notes: tuple[str, ...]  # muted second line of each plane's label
    borders: tuple[RGB | None, ...] = ()  # group colour drawn round a plane

    @property
    def rows(self) -> int:
        return self.real.shape[-2]

    @property
    def cols(self) -> int:
        return self.real.shape[-1]

    def cell(self, plane: int, row: int, col: int) -> tuple[float, float, float]:
        """Model corner of a drawn-grid cell of one plane."""
        x, y, z = self.origins[plane]
        return x + col, y + row, z

    def element(self, plane: int, row: int, col: int) -> tuple[float, float, float]:
        """Model corner of a tensor element (its drawn-grid cell shifted by the padding before it)."""
        return self.cell(plane, row + self.offset[0], col + self.offset[1])


@dataclass(frozen=True, slots=True)
class StackShape:
    """What `place_stacks` needs to lay a stack out; `real` is (rows, cols) for all planes or (planes, rows, cols)."""

    real: np.ndarray
    offset: tuple[int, int]
    fills: tuple[RGB, ...]
    names: tuple[str, ...]
    notes: tuple[str, ...]
    borders: tuple[RGB | None, ...] = ()


def base_projection(view: ViewSpec) -> Projection:
    return OBLIQUE if view.view == "oblique" else FLAT


def _plane_span(rows: int, cols: int, p: Projection) -> tuple[float, float, float, float, float]:
    """(left, right, top, bottom, tallest vertical chord) of a plane's outline in cell units, z = 0."""
    corners = [(x * p.ax + y * p.bx, x * p.ay + y * p.by) for x, y in ((0, 0), (cols, 0), (cols, rows), (0, rows))]
    xs = [c[0] for c in corners]
    ys = [c[1] for c in corners]
    chord = 0.0
    for sx in xs:  # a convex polygon's tallest vertical chord passes through a vertex
        hits = []
        for (x0, y0), (x1, y1) in zip(corners, corners[1:] + corners[:1]):
            if min(x0, x1) - 1e-9 <= sx <= max(x0, x1) + 1e-9:
                hits += [y0, y1] if abs(x1 - x0) < 1e-9 else [y0 + (y1 - y0) * (sx - x0) / (x1 - x0)]
        chord = max(chord, max(hits) - min(hits))
    return min(xs), max(xs), min(ys), max(ys), chord


def label_width(shape: StackShape, style: Style) -> float:
    """Width in cells of the widest label of a stack."""
    widths = [font(round(style.label_font), True).getlength(n) for n in shape.names]
    widths += [font(round(style.note_font)).getlength(n) for n in shape.notes if n]
    return max(widths, default=0.0) / style.cell


def place_stacks(shapes: list[StackShape], view: ViewSpec, style: Style) -> list[PlaneStack]:
    """Lay stacks out left to right, labels on the left of each plane, stacks centred on one horizontal line."""
    p = base_projection(view)
    stacks: list[PlaneStack] = []
    x = 0.0
    for k, shape in enumerate(shapes):
        rows, cols = shape.real.shape[-2:]
        left, right, top, bottom, chord = _plane_span(rows, cols, p)
        pitch = chord + PLANE_GAP + (0.0 if view.view == "oblique" else 0.2)
        if k:
            x += label_width(shape, style) + 0.35 + STACK_GAP - left
        count = len(shape.names)
        height = (count - 1) * pitch + bottom - top
        origins = []
        for j in range(count):
            centre = -height / 2 + (bottom - top) / 2 + j * pitch  # wanted screen centre of plane j
            own = x * p.ay + (top + bottom) / 2  # its screen centre at z = 0
            origins.append((x, 0.0, own - centre))
        real = np.broadcast_to(shape.real, (count, rows, cols))
        stacks.append(PlaneStack(real, shape.offset, tuple(origins), shape.fills, shape.names, shape.notes,
                                 shape.borders))
        x += right
    return stacks


def stack_items(stack: PlaneStack, view: ViewSpec, style: Style) -> list[Item]:
    """Every plane's fills, grid lines, group border and label (all static)."""
    theme = view.theme
    items: list[Item] = []
    for j, (x, y, z) in enumerate(stack.origins):
        for r in range(stack.rows):
            for c in range(stack.cols):
                fill = stack.fills[j] if stack.real[j, r, c] else theme.zero_fill
                items.append(Polygon(quad(x + c, y + r, z), fill))
        items += grid_lines(stack.real[j], x, y, z, theme, style)
        border = stack.borders[j] if stack.borders else None
        if border is not None:
            width = style.line_width * 3.2
            corners = quad(x, y, z, stack.cols, stack.rows)
            items += [Line(a, b, border, width) for a, b in zip(corners, corners[1:] + corners[:1])]
        if view.labels:
            at = (x - 0.35, y + (0.0 if view.view == "oblique" else min(1.0, stack.rows / 2)), z)
            items.append(Text(at, stack.names[j], style.label_font, theme.text, "rs", bold=True))
            if stack.notes[j]:
                items.append(Text(at, stack.notes[j], style.note_font, theme.muted_text, "ra"))
    return items


def shade_items(stack: PlaneStack, cells: list[tuple[int, int, int]], frame: int, theme: Theme, style: Style,
                element: bool = False, box: bool = True) -> list[Item]:
    """Shade (plane, row, col) cells in one frame; with several planes and `box`, join the window's corners into a
    box through the stack (the k x k x C filter; only readable in the oblique view)."""
    at = stack.element if element else stack.cell
    items: list[Item] = [Polygon(quad(*at(j, r, c)), theme.shade, theme.shade_opacity, frame) for j, r, c in cells]
    planes = sorted({j for j, _, _ in cells})
    if box and len(planes) > 1:
        rows = [r for _, r, _ in cells]
        cols = [c for _, _, c in cells]
        r0, r1, c0, c1 = min(rows), max(rows) + 1, min(cols), max(cols) + 1
        for r, c in ((r0, c0), (r0, c1), (r1, c1), (r1, c0)):
            top, bottom = at(planes[0], r, c), at(planes[-1], r, c)
            items.append(Line(top, bottom, theme.connector, style.connector_width, opacity=0.8, frame=frame))
    return items


def caption_lines(title: str, notes: list[str], frame_titles: tuple[str, ...], style: Style,
                  theme: Theme) -> list[Text]:
    """Caption: the layer, static notes (what the frames show), then the current frame's line."""
    line = style.caption_font * 1.45
    items = [Text((0.0, 0.0, 0.0), title, style.caption_font, theme.text, "ma", screen=True)]
    items += [Text((0.0, line * (i + 1), 0.0), note, style.caption_font * 0.9, theme.muted_text, "ma", screen=True)
              for i, note in enumerate(notes)]
    row = line * (len(notes) + 1)
    items += [Text((0.0, row, 0.0), text, style.caption_font * 0.9, theme.text, "ma", frame=t, screen=True)
              for t, text in enumerate(frame_titles)]
    return items


def group_fill(theme: Theme, group: int) -> RGB:
    return theme.group_fills[group % len(theme.group_fills)]


def grid_note(spec: ConvSpec, geometry: Geometry, shape: tuple[int, ...]) -> str:
    """The tensor's spatial shape, and the drawn grid's when padding or inserted zeros change it."""
    text = shape_str(shape)
    if geometry.grid_shape != spec.input_size:
        text += f", {'drawn' if spec.transposed else 'padded'} {shape_str(geometry.grid_shape)}"
    return text


def input_shape(spec: ConvSpec, geometry: Geometry, fills: tuple[RGB, ...], name: str = "input") -> StackShape:
    """The input channels as planes of the (2d) drawn grid, with the padding before element (0, 0) as offset."""
    real = geometry.grid_zero == REAL
    per_in = spec.in_channels // spec.groups
    grouped = spec.groups > 1 and not spec.is_pool
    names = tuple(f"{name} channel {c}" for c in range(spec.in_channels))
    notes = tuple(grid_note(spec, geometry, spec.input_size) + (f", group {c // per_in}" if grouped else "")
                  for c in range(spec.in_channels))
    offset = (0, 0) if spec.transposed else (spec.padding[0][0], spec.padding[1][0])
    return StackShape(real, offset, fills, names, notes)


def build_channels_scene(spec: ConvSpec, view: ViewSpec):
    """Scene of a 2d layer with several input or output channels (standard, grouped, depthwise, 1x1, pooling)."""
    geometry = Geometry(spec)
    theme = view.theme
    plan = frame_plan(geometry.frame_count, spec.out_channels, view)
    grid_rows, grid_cols = geometry.grid_shape
    out_rows, out_cols = geometry.output_shape
    style = style_for(view, 2 * max(grid_rows, grid_cols, out_rows, out_cols) + 4)
    reads = channel_inputs(spec)
    grouped = spec.groups > 1 and not spec.is_pool
    per_in, per_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups

    source = input_shape(spec, geometry, tuple(group_fill(theme, c // per_in) if grouped else theme.input_fill
                                               for c in range(spec.in_channels)))
    out_notes = tuple(shape_str(geometry.output_shape) + (f", group {oc // per_out}" if grouped else "")
                      for oc in range(spec.out_channels))
    target = StackShape(np.ones((out_rows, out_cols), bool), (0, 0), (theme.output_fill,) * spec.out_channels,
                        tuple(f"output channel {oc}" for oc in range(spec.out_channels)), out_notes,
                        tuple(group_fill(theme, oc // per_out) if grouped else None
                              for oc in range(spec.out_channels)))
    inputs, outputs = place_stacks([source, target], view, style)
    items: list[Item] = stack_items(inputs, view, style) + stack_items(outputs, view, style)

    frame_titles = []
    for t, (p, oc) in enumerate(plan.steps):
        frame = geometry.frame(p)
        cells = [(ic, int(r), int(c)) for ic in reads[oc] for r, c in frame.grid]
        items += shade_items(inputs, cells, t, theme, style, box=view.view == "oblique")
        items += shade_items(outputs, [(oc, *frame.output)], t, theme, style)
        read = reads[oc]
        read_text = f"input channel {read[0]}" if len(read) == 1 else f"input channels {read[0]}-{read[-1]}"
        frame_titles.append(f"frame {t + 1}/{len(plan.steps)}: output channel {oc} at "
                            f"({', '.join(map(str, frame.output))}) reads {read_text}")
    title = pytorch_code(spec).removeprefix("nn.")
    notes = [layer_note(spec)] + ([plan.note] if plan.note else []) + numbers_note(view)
    captions = caption_lines(title, notes, tuple(frame_titles), style, theme) if view.caption else []
    return finish(items, captions, view, style, len(plan.steps), title, tuple(frame_titles))


def numbers_note(view: ViewSpec) -> list[str]:
    """Values are drawn only in the single-channel figure; say so rather than drop them silently."""
    return ["(numbers are drawn only for one input and one output channel)"] if view.numbers else []


def layer_note(spec: ConvSpec) -> str:
    """What kind of channel mixing this is, in the words lecturers use."""
    k = shape_str(spec.kernel_size)
    if spec.is_pool:
        return f"{spec.op}: each channel pooled on its own with a {k} window"
    per_in = spec.in_channels // spec.groups
    if spec.groups == spec.in_channels and spec.groups > 1:
        mult = spec.out_channels // spec.in_channels
        kind = "depthwise" + (f", channel multiplier {mult}" if mult > 1 else "")
    elif spec.groups > 1:
        kind = f"grouped, {spec.groups} groups"
    elif all(v == 1 for v in spec.kernel_size):
        kind = "pointwise (1×1)"
    else:
        kind = "standard"
    return f"{kind}: each filter is {k}×{per_in} and reads {per_in} of {spec.in_channels} input channels"
