"""Channels view of a 2d layer: input channels as an exploded stack of planes, one output plane per output channel.

The same stacks draw a 3d volume's depth slices (`volume.py`) and the tensors of a staged block (`stages.py`). A frame
shades, on every drawn input plane an output channel reads (`channel_inputs`), exactly the taps `Geometry` lists, and
the output cell on that output channel's plane. Stacks of many channels are elided (`drawn_channels`); labels, a
marker in each gap and the caption say which channels are left out, and how many the filter reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from convanim.describe import pytorch_code
from convanim.figures.common import Style, finish, grid_lines, shape_str, style_for
from convanim.figures.occlusion import hide_under_planes
from convanim.fonts import font
from convanim.geometry import REAL, Geometry, channel_inputs
from convanim.primitives import FLAT, OBLIQUE, Item, Line, Polygon, Projection, Text, quad
from convanim.spec import ConvSpec, SpecError
from convanim.theme import RGB, Theme
from convanim.view import ViewSpec

FULL_SWEEP_FRAMES = 64  # up to this many (position, output channel) pairs, every output channel is swept fully
PLANE_GAP = 0.9  # cells between the planes of a stack
STACK_GAP = 2.2  # cells between stacks, besides the room their labels need
MAX_PLANES = 8  # a stack of up to this many channels is drawn in full; see `drawn_channels`
CONNECTOR_ROOM = 1.5  # cells between stacks, in place of labels, where connectors run
MARKER_ROOM = 1.3  # extra cells of height for the "⋮ N more channels" marker in a gap of an elided stack
GROUP_ROOM = 0.9  # extra cells of height between the groups of a grouped stack, so that they read as groups


def drawn_channels(count: int, focus: int = 0, limit: int = MAX_PLANES) -> tuple[int, ...]:
    """The channels of a stack that get a plane: all of them up to `limit`, else the first three and the last
    (or the first, `focus` and the last, when `focus` is none of those).

    Why 8: eight planes at the default cell size make a stack about 1,200 px tall, about what a slide or a screen
    shows at once, and a lecturer can still point at each plane. Past that, every further plane behaves like its
    neighbours (a filter treats all channels of its group alike), so more planes add height, not information: 16 to 32
    channels made a 2,500-5,000 px canvas, and about 64 passed the canvas limit. Four planes keep the first, the next
    ones (so a plane and its neighbour can be compared) and the last, which says how many there are.
    """
    if count <= limit:
        return tuple(range(count))
    kept = (0, 1, 2, count - 1)
    return kept if focus in kept else (0, focus, count - 1)


def channel_list(channels: tuple[int, ...], total: int) -> str:
    """"0-2, …, 15": runs of drawn channels, an ellipsis for each left-out run."""
    runs: list[list[int]] = []
    for c in channels:
        if runs and c == runs[-1][-1] + 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    parts = [str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" if len(r) > 2 else f"{r[0]}, {r[1]}" for r in runs]
    return ("…, " if channels[0] > 0 else "") + ", …, ".join(parts) + (", …" if channels[-1] < total - 1 else "")


@dataclass(frozen=True, slots=True)
class FramePlan:
    """Which (output position index, output channel) each frame shows, and a caption line saying so."""

    steps: tuple[tuple[int, int], ...]
    note: str


def frame_plan(positions: int, out_channels: int, view: ViewSpec, limit: int | None = None,
               shown: tuple[int, ...] | None = None) -> FramePlan:
    """Every output channel swept when that is small; else one channel swept and the others at the last position.

    `shown` limits the frames to the output channels that are drawn (all of them by default)."""
    limit = view.max_frames if limit is None else limit
    shown = tuple(range(out_channels)) if shown is None else shown
    chosen = shown[0] if view.channel is None else view.channel
    if not 0 <= chosen < out_channels:
        raise SpecError(f"channel: must be between 0 and {out_channels - 1}, got {chosen}")
    others = [oc for oc in shown if oc != chosen]
    elided = len(shown) < out_channels
    if view.channel is None and positions * len(shown) <= min(FULL_SWEEP_FRAMES, limit):
        steps = tuple((p, oc) for oc in shown for p in range(positions))
        note = (f"each drawn output channel in turn ({channel_list(shown, out_channels)} of {out_channels})"
                if elided else "both output channels, one after the other" if out_channels == 2 else
                f"each of the {out_channels} output channels in turn" if out_channels > 2 else "")
    else:
        steps = tuple([(p, chosen) for p in range(positions)] + [(positions - 1, oc) for oc in others])
        note = (f"output channel {chosen} of {out_channels} swept; the other drawn ones "
                f"({', '.join(map(str, others))}) at the last position" if elided else
                f"output channel {chosen} of {out_channels} swept; others at the last position"
                if out_channels > 1 else "")
    if len(steps) > limit:
        raise SpecError(f"max_frames: this view needs {len(steps):,} frames ({positions:,} output positions"
                        f"{f' + {len(others)} other output channels' if others else ''}), more than "
                        f"the limit of {limit:,}; raise max_frames")
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
    channels: tuple[int, ...] = ()  # the channel each plane draws, when the stack is elided (else plane = channel)
    total: int = 0  # channels in the tensor, when elided
    markers: tuple[tuple[tuple[float, float, float], tuple[float, float, float], str], ...] = ()  # (label point,
    # glyph point, text) of each gap's "⋮ N more channels"
    labels_right: bool = False  # labels right of the planes (keeps the way clear for connectors coming from the left)

    def plane(self, channel: int) -> int | None:
        """The plane drawing a channel, or None if the channel is left out."""
        if not self.channels:
            return channel
        return self.channels.index(channel) if channel in self.channels else None

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
    channels: tuple[int, ...] = ()  # drawn channels of an elided stack (names, fills... are for these only)
    total: int = 0  # channels in the tensor, when elided
    labels_right: bool = False  # labels right of the planes, not left
    groups: tuple[int, ...] = ()  # group of each plane, when a grouped layer's groups span several planes


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
            x += (CONNECTOR_ROOM if shape.labels_right else label_width(shape, style) + 0.35) + STACK_GAP - left
        count = len(shape.names)
        gaps = [j for j in range(1, count) if shape.channels and shape.channels[j] - shape.channels[j - 1] > 1]
        splits = [j for j in range(1, count) if shape.groups and shape.groups[j] != shape.groups[j - 1]]
        drop = [j * pitch + MARKER_ROOM * sum(g <= j for g in gaps) + GROUP_ROOM * sum(g <= j for g in splits)
                for j in range(count)]  # screen offset of each plane
        height = drop[-1] + bottom - top
        origins = []
        for j in range(count):
            centre = -height / 2 + (bottom - top) / 2 + drop[j]  # wanted screen centre of plane j
            own = x * p.ay + (top + bottom) / 2  # its screen centre at z = 0
            origins.append((x, 0.0, own - centre))
        markers = []
        for j in range(count):
            if j not in gaps:
                continue
            middle = -height / 2 + (drop[j - 1] + drop[j] + bottom - top) / 2  # screen y halfway through the gap
            hidden = shape.channels[j] - shape.channels[j - 1] - 1
            first, last = shape.channels[j - 1] + 1, shape.channels[j] - 1
            text = f"{hidden} more channels ({first}-{last})"
            glyph = (x + cols / 2, rows / 2)
            label = (x + cols + 0.35, float(rows)) if shape.labels_right else (x - 0.35, 0.0)
            markers.append(((*label, label[0] * p.ay + label[1] * p.by - middle),
                            (*glyph, glyph[0] * p.ay + glyph[1] * p.by - middle), text))
        real = np.broadcast_to(shape.real, (count, rows, cols))
        stacks.append(PlaneStack(real, shape.offset, tuple(origins), shape.fills, shape.names, shape.notes,
                                 shape.borders, shape.channels, shape.total, tuple(markers), shape.labels_right))
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
            side = "l" if stack.labels_right else "r"
            if stack.labels_right:
                at = (x + stack.cols + 0.35, y + (stack.rows if view.view == "oblique" else min(1.0, stack.rows / 2)),
                      z)
            else:
                at = (x - 0.35, y + (0.0 if view.view == "oblique" else min(1.0, stack.rows / 2)), z)
            items.append(Text(at, stack.names[j], style.label_font, theme.text, side + "s", bold=True))
            if stack.notes[j]:
                items.append(Text(at, stack.notes[j], style.note_font, theme.muted_text, side + "a"))
    for label, glyph, text in stack.markers:
        items.append(Text(glyph, "⋮", style.label_font * 1.6, theme.muted_text, "mm", bold=True))
        if view.labels:
            items.append(Text(label, text, style.note_font * 1.1, theme.muted_text,
                              "lm" if stack.labels_right else "rm"))
    return items


def stack_outlines(stack: PlaneStack) -> list[tuple[tuple[float, float, float], ...]]:
    """Each plane's outline, for `hide_under_planes`."""
    return [quad(x, y, z, stack.cols, stack.rows) for x, y, z in stack.origins]


def shade_items(stack: PlaneStack, cells: Sequence[tuple[int, ...]], frame: int, theme: Theme, style: Style,
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


def input_shape(spec: ConvSpec, geometry: Geometry, fills: tuple[RGB, ...], name: str = "input",
                channels: tuple[int, ...] | None = None) -> StackShape:
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
                      groups=tuple(c // per_in for c in drawn) if spaced else ())


def build_channels_scene(spec: ConvSpec, view: ViewSpec):
    """Scene of a 2d layer with several input or output channels (standard, grouped, depthwise, 1x1, pooling)."""
    geometry = Geometry(spec)
    theme = view.theme
    reads = channel_inputs(spec)
    focus = 0 if view.channel is None else view.channel
    if not 0 <= focus < spec.out_channels:
        raise SpecError(f"channel: must be between 0 and {spec.out_channels - 1}, got {focus}")
    out_drawn = drawn_channels(spec.out_channels, focus)
    in_drawn = drawn_channels(spec.in_channels, reads[focus][0])
    plan = frame_plan(geometry.frame_count, spec.out_channels, view, shown=out_drawn)
    grid_rows, grid_cols = geometry.grid_shape
    out_rows, out_cols = geometry.output_shape
    style = style_for(view, 2 * max(grid_rows, grid_cols, out_rows, out_cols) + 4)
    grouped = spec.groups > 1 and not spec.is_pool
    per_in, per_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    oblique = view.view == "oblique"

    source = input_shape(spec, geometry, tuple(group_fill(theme, c // per_in) if grouped else theme.input_fill
                                               for c in range(spec.in_channels)), channels=in_drawn)
    out_elided = len(out_drawn) < spec.out_channels
    target = StackShape(np.ones((out_rows, out_cols), bool), (0, 0), (theme.output_fill,) * len(out_drawn),
                        tuple(f"output channel {oc}" for oc in out_drawn),
                        tuple(shape_str(geometry.output_shape) + (f", group {oc // per_out}" if grouped else "")
                              for oc in out_drawn),
                        tuple(group_fill(theme, oc // per_out) if grouped else None for oc in out_drawn),
                        channels=out_drawn if out_elided else (), total=spec.out_channels if out_elided else 0,
                        labels_right=oblique,
                        groups=tuple(oc // per_out for oc in out_drawn) if grouped and per_out > 1 else ())
    inputs, outputs = place_stacks([source, target], view, style)

    shades: list[Item] = []
    links: list[Item] = []  # connectors, painted last: seen to leave the window and to reach the output cell
    frame_titles = []
    for t, (p, oc) in enumerate(plan.steps):
        frame = geometry.frame(p)
        planes = [j for j in (inputs.plane(ic) for ic in reads[oc]) if j is not None]
        cells = [(j, int(r), int(c)) for j in planes for r, c in frame.grid]
        shades += shade_items(inputs, cells, t, theme, style, box=oblique)
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
    items: list[Item] = stack_items(inputs, view, style) + shades + stack_items(outputs, view, style)
    for t, (p, oc) in enumerate(plan.steps):
        out_plane = outputs.plane(oc)
        assert out_plane is not None
        items += shade_items(outputs, [(out_plane, *geometry.frame(p).output)], t, theme, style)
    items += links
    title = pytorch_code(spec).removeprefix("nn.")
    notes = [layer_note(spec)] + elision_notes(spec, in_drawn, out_drawn) + ([plan.note] if plan.note else [])
    notes += numbers_note(view)
    captions = caption_lines(title, notes, tuple(frame_titles), style, theme) if view.caption else []
    return finish(items, captions, view, style, len(plan.steps), title, tuple(frame_titles))


def connector_items(inputs: PlaneStack, planes: list[int], window: np.ndarray, outputs: PlaneStack, out_plane: int,
                    output: tuple[int, ...], frame: int, theme: Theme, style: Style) -> list[Item]:
    """A wedge from the filter box's face towards the output stack (the window's far-column edge on the first and
    the last read plane) to the output cell's near edge: the whole box feeds the cell, not one plane (lines from
    one plane's window said "this output comes from that channel"), and the lines start at the window's edge
    instead of crossing it."""
    r0 = int(window[:, 0].min())
    r1, c1 = (int(v) + 1 for v in window.max(axis=0))
    orow, ocol = output
    return [Line(inputs.cell(plane, r, c1), outputs.cell(out_plane, orow + (r == r1), ocol), theme.connector,
                 style.connector_width, frame=frame)
            for plane in sorted({planes[0], planes[-1]}) for r in (r0, r1)]


def reach_items(inputs: PlaneStack, planes: list[int], read: tuple[int, ...], window: np.ndarray, frame: int,
                theme: Theme, style: Style) -> list[Item]:
    """Dashed lines from the window's corners into a gap of left-out channels that the filter also reads, so that the
    box through the stack visibly goes on past the drawn planes."""
    items: list[Item] = []
    r0, c0 = (int(v) for v in window.min(axis=0))
    r1, c1 = (int(v) + 1 for v in window.max(axis=0))
    for edge, step in ((planes[0], -1), (planes[-1], 1)):
        neighbour = edge + step
        if not 0 <= neighbour < len(inputs.channels):
            continue
        hidden = range(min(inputs.channels[edge], inputs.channels[neighbour]) + 1,
                       max(inputs.channels[edge], inputs.channels[neighbour]))
        if not any(c in hidden for c in read):
            continue
        for r, c in ((r0, c0), (r0, c1), (r1, c1), (r1, c0)):
            start = inputs.cell(edge, r, c)
            end = (start[0], start[1], (start[2] + inputs.cell(neighbour, r, c)[2]) / 2)
            items.append(Line(start, end, theme.connector, style.connector_width, style.dash, 0.8, frame))
    return items


def read_phrase(read: tuple[int, ...], drawn: int, in_channels: int) -> str:
    """"input channels 0-15 (all 16; 4 drawn)": the channels a filter reads, and how many of them have a plane."""
    text = f"input channel {read[0]}" if len(read) == 1 else f"input channels {read[0]}-{read[-1]}"
    if drawn == len(read):
        return text
    if not drawn:
        return text + ", none of them drawn"
    return text + (f" (all {len(read)}; {drawn} drawn)" if len(read) == in_channels else
                   f" ({drawn} of {len(read)} drawn)")


def elision_notes(spec: ConvSpec, in_drawn: tuple[int, ...], out_drawn: tuple[int, ...]) -> list[str]:
    """Say which channels have a plane, when not all of them do."""
    parts = [f"{side} channels {channel_list(drawn, total)} ({total} in all)"
             for side, drawn, total in (("input", in_drawn, spec.in_channels), ("output", out_drawn,
                                                                                spec.out_channels))
             if len(drawn) < total]
    return ["drawn: " + "; ".join(parts)] if parts else []


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
        kind = "standard convolution"
    size = (f"{k} step{'s' if spec.kernel_size[0] > 1 else ''} × {per_in} channel{'s' if per_in > 1 else ''}"
            if spec.dims == 1 else f"{k}×{per_in}")  # "3×3" would read as a 2d kernel
    return f"{kind}: each filter is {size} and reads {per_in} of {spec.in_channels} input channels"
