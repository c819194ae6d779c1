"""Stacks of channel planes: where each plane of a tensor sits, how a stack of many channels is elided, and what a frame
shades and joins on them (window boxes, reach lines, connectors). Shared by the channels, volume and block figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from convanim.figures.canvas import Style
from convanim.figures.cuts import AxisCut, gap_glyphs, gap_notes
from convanim.figures.grid import grid_lines, window_lines
from convanim.figures.occlusion import hide_under_planes
from convanim.fonts import font
from convanim.primitives import FLAT, OBLIQUE, Item, Line, Polygon, Projection, Text, quad
from convanim.theme import RGB, Theme
from convanim.view import ViewSpec

PLANE_GAP = 0.9  # cells between the planes of a stack
STACK_GAP = 2.2  # cells between stacks, besides the room their labels need
MAX_PLANES = 8  # a stack of up to this many channels is drawn in full; see `drawn_channels`
CONNECTOR_ROOM = 1.5  # cells between stacks, in place of labels, where connectors run
MARKER_ROOM = 1.3  # extra cells of height for the "⋮ N more channels" marker in a gap of an elided stack
GROUP_ROOM = 0.9  # extra cells of height between the groups of a grouped stack, so that they read as groups
STACK_HEIGHT = 700  # pixels a stack may take at the default cell size: a 1080p slide less the caption


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
    cuts: tuple[AxisCut, AxisCut] | None = None  # how long rows and columns are drawn (None: whole)

    @property
    def row_cut(self) -> AxisCut:
        return self.cuts[0] if self.cuts else AxisCut(self.real.shape[-2])

    @property
    def col_cut(self) -> AxisCut:
        return self.cuts[1] if self.cuts else AxisCut(self.real.shape[-1])

    def plane(self, channel: int) -> int | None:
        """The plane drawing a channel, or None if the channel is left out."""
        if not self.channels:
            return channel
        return self.channels.index(channel) if channel in self.channels else None

    @property
    def rows(self) -> float:
        """Drawn height of a plane, in cells (its true row count unless long rows are elided)."""
        return self.cuts[0].extent if self.cuts else self.real.shape[-2]

    @property
    def cols(self) -> float:
        return self.cuts[1].extent if self.cuts else self.real.shape[-1]

    def cell(self, plane: int, row: int, col: int) -> tuple[float, float, float]:
        """Model corner of a drawn-grid cell of one plane (a boundary past a drawn cell is its far edge)."""
        x, y, z = self.origins[plane]
        if self.cuts:
            return x + self.cuts[1].edge(col), y + self.cuts[0].edge(row), z
        return x + col, y + row, z

    def element(self, plane: int, row: int, col: int) -> tuple[float, float, float]:
        """Model corner of a tensor element (its drawn-grid cell shifted by the padding before it)."""
        return self.cell(plane, *self.grid_of(row, col))

    def grid_of(self, row: int, col: int) -> tuple[int, int]:
        """The drawn-grid cell of tensor element (row, col): past the padding before it and, in a grid stretched for a
        transposed convolution, the zeros inserted between elements. A boundary past the last element is the far
        edge of its cell."""
        rows, cols = np.flatnonzero(self.real[0].any(axis=1)), np.flatnonzero(self.real[0].any(axis=0))
        if len(rows) == 0 or len(cols) == 0:  # no real element drawn: padding alone
            return row + self.offset[0], col + self.offset[1]
        return (int(rows[row]) if row < len(rows) else int(rows[-1]) + 1 + row - len(rows),
                int(cols[col]) if col < len(cols) else int(cols[-1]) + 1 + col - len(cols))


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
    cuts: tuple[AxisCut, AxisCut] | None = None  # how long rows and columns are drawn (None: whole)
    unit: str = "channels"  # what the planes are, for the "⋮ N more channels" marker


def base_projection(view: ViewSpec) -> Projection:
    return OBLIQUE if view.view == "oblique" else FLAT


def _plane_span(rows: float, cols: float, p: Projection) -> tuple[float, float, float, float, float]:
    """(left, right, top, bottom, tallest vertical chord) of a plane's outline in cell units, z = 0."""
    corners = [p.unit((x, y, 0)) for x, y in ((0, 0), (cols, 0), (cols, rows), (0, rows))]
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


def stack_cell(view: ViewSpec, extent: float, rows: float, cols: float, planes: int, gaps: int = 0) -> float:
    """The default cell size for a figure whose largest plane spans `extent` cells, smaller when a stack of
    `planes` planes (rows x cols cells, `gaps` elision markers) would be taller than `STACK_HEIGHT` (text keeps
    its floor of 13 px, so a slide still reads)."""
    default = min(36, max(14, round(480 / max(extent, 1))))
    _, _, top, bottom, chord = _plane_span(rows, cols, base_projection(view))
    pitch = chord + PLANE_GAP + (0.0 if view.view == "oblique" else 0.2)  # as `place_stacks` spaces them
    height = planes * pitch + MARKER_ROOM * gaps + (bottom - top - chord)
    return float(max(4, min(default, STACK_HEIGHT // height)))


def _drawn_size(shape: StackShape) -> tuple[float, float]:
    """Drawn (rows, cols) of a shape's planes, in cells: its true size unless long axes are elided."""
    if shape.cuts:
        return shape.cuts[0].extent, shape.cuts[1].extent
    return float(shape.real.shape[-2]), float(shape.real.shape[-1])


def label_width(shape: StackShape, style: Style) -> float:
    """Width in cells of the widest label of a stack."""
    widths = [font(round(style.label_font), True).getlength(n) for n in shape.names]
    widths += [font(round(style.note_font)).getlength(n) for n in shape.notes if n]
    return max(widths, default=0.0) / style.cell


def assign_levels(counts: Sequence[int], reads: Sequence[Sequence[Sequence[int]]]) -> list[list[int]]:
    """A level (a whole number, 0 at the top) for every plane of a chain of stacks, such that a connector can run
    level, at one height, from the filter's box to every output plane.

    `counts[k]` is the number of planes of stack k; `reads[k][o]` lists the planes of stack k that plane o of stack
    k+1 reads (empty: unknown, no constraint). Plane o is given a level inside the height its filter box spans (the
    levels of the planes it reads), where the connector starts from the box: on a read plane, or from the box's edge
    in the gap between two read planes. A flat box (one read plane) may reach down to just above the next plane it
    does not read, drawn as its window carried down. Levels increase down each stack; where a stack has more outputs
    than its box spans levels, the earlier stacks are spread apart (every level doubled) until they fit. Outputs
    that all read the same planes are centred on them."""
    for scale in (1, 2, 4, 8, 16, 32, 64):
        for extend in (False, True):
            levels, fits = _levels(counts, reads, scale, extend)
            if fits:
                return levels
    return levels


def _levels(counts: Sequence[int], reads: Sequence[Sequence[Sequence[int]]], scale: int,
            extend: bool) -> tuple[list[list[int]], bool]:
    """One try of `assign_levels`: the first stack's planes `scale` levels apart; with `extend`, every box (not only
    a flat one) may be carried down to just above the next plane it does not read."""
    levels = [[j * scale for j in range(counts[0])]]
    fits = True
    for source, stage in zip(levels, reads):
        placed: list[int] = []
        spans = []
        for read in stage:
            if not read:
                spans.append((placed[-1] + 1 if placed else 0, 1 << 30))
                placed.append(spans[-1][0])
                continue
            lo, hi = min(source[r] for r in read), max(source[r] for r in read)
            if hi == lo or extend:
                below = [level for level in source if level > hi]
                hi = below[0] - 1 if below else hi + len(stage)
            level = lo if not placed else max(placed[-1] + 1, lo)
            foreign = set(source) - {source[r] for r in read}  # planes inside a dilated box that it skips
            while level in foreign:
                level += 1
            fits = fits and level <= hi
            spans.append((lo, hi))
            placed.append(level)
        dense = len(stage) > 1 and all(read and list(read) == list(stage[0]) for read in stage)
        if dense and len(stage[0]) > 1:
            top = max(source[r] for r in stage[0])
            shifted = [level + max(0, (top - placed[-1]) // 2) for level in placed]
            if not set(shifted) & (set(source) - {source[r] for r in stage[0]}):
                placed = shifted
        levels.append(placed)
        if len(levels) == len(counts):
            break
    return levels, fits


def place_stacks(shapes: list[StackShape], view: ViewSpec, style: Style,
                 reads: Sequence[Sequence[Sequence[int]]] | None = None, gap: float = PLANE_GAP,
                 spacing: Sequence[float] = ()) -> list[PlaneStack]:
    """Lay stacks out left to right, labels on the left of each plane (or right, `labels_right`); `spacing[k]`, where
    given, is the least screen distance in cells between stack k-1 and stack k (room for a header over the gap).

    With `reads` (see `assign_levels`), in the oblique view, every plane sits at the height of its level, and every
    stack's planes are centred on the same screen line as the other stacks' planes of that level: the planes of a
    level share one horizontal band of the screen, so a level connector (from a window in one band to a cell in the
    same band) stays in it. Levels are spaced so that each stack's bands, and the bands of the connectors that run
    over it, are `gap` cells apart. Without `reads`, each stack is centred on one horizontal line."""
    p = base_projection(view)
    levels = assign_levels([len(shape.names) for shape in shapes], reads) if reads is not None else None
    pitch_all = 0.0
    room: dict[int, float] = {}
    if levels is not None:
        # Over each stack, its planes' bands must clear each other and the bands of the connectors that run there
        # (to its planes' levels from the stack before, from it to the next stack's levels), with `gap` to spare;
        # a connector's band is the taller of the two stacks it joins.
        spans = [_plane_span(*_drawn_size(shape), p) for shape in shapes]
        bands = [bottom - top for _, _, top, bottom, _ in spans]
        for k, own in enumerate(levels):
            others = [(level, max(bands[k], bands[k - 1]) if k else bands[k]) for level in own]
            if k + 1 < len(levels):
                others += [(level, max(bands[k], bands[k + 1])) for level in levels[k + 1]]
            for a in own:
                for b, band in others:
                    if a != b:
                        pitch_all = max(pitch_all, ((bands[k] + band) / 2 + gap) / abs(a - b))
        for shape, own in zip(shapes, levels):
            count = len(shape.names)
            for j in range(1, count):
                if shape.channels and shape.channels[j] - shape.channels[j - 1] > 1:
                    room[own[j]] = max(room.get(own[j], 0.0), MARKER_ROOM)
                if shape.groups and shape.groups[j] != shape.groups[j - 1]:
                    room[own[j]] = max(room.get(own[j], 0.0), GROUP_ROOM)

    def level_drop(level: int) -> float:
        return level * pitch_all + sum(extra for at, extra in room.items() if at <= level)

    stacks: list[PlaneStack] = []
    x = 0.0
    for k, shape in enumerate(shapes):
        rows, cols = _drawn_size(shape)
        left, right, top, bottom, chord = _plane_span(rows, cols, p)
        pitch = chord + gap + (0.0 if view.view == "oblique" else 0.2)
        if k:
            room_between = (CONNECTOR_ROOM if shape.labels_right else label_width(shape, style) + 0.35) + STACK_GAP
            x += max(room_between, spacing[k] if k < len(spacing) else 0.0) - left
        count = len(shape.names)
        gaps = [j for j in range(1, count) if shape.channels and shape.channels[j] - shape.channels[j - 1] > 1]
        splits = [j for j in range(1, count) if shape.groups and shape.groups[j] != shape.groups[j - 1]]
        if levels is not None:
            # Stacks side by side on screen: the origin at screen column x, every plane's vertical middle on the
            # level's line, so that a level's planes across stacks share one horizontal band.
            det = p.ax * p.by - p.bx * p.ay
            middle = -(top + bottom) / 2
            ox, oy = (x * p.by - p.bx * middle) / det, (p.ax * middle - p.ay * x) / det
            origins = [(ox, oy, -level_drop(level)) for level in levels[k]]
        else:
            drop = [j * pitch + MARKER_ROOM * sum(g <= j for g in gaps) + GROUP_ROOM * sum(g <= j for g in splits)
                    for j in range(count)]  # screen offset of each plane
            height = drop[-1] + bottom - top
            origins = []
            for j in range(count):
                centre = -height / 2 + (bottom - top) / 2 + drop[j]  # wanted screen centre of plane j
                at_zero = x * p.ay + (top + bottom) / 2  # its screen centre at z = 0
                origins.append((x, 0.0, at_zero - centre))
        markers = []
        for j in range(count):
            if j not in gaps:
                continue
            middle_z = (origins[j - 1][2] + origins[j][2]) / 2  # halfway through the gap
            hidden = shape.channels[j] - shape.channels[j - 1] - 1
            first, last = shape.channels[j - 1] + 1, shape.channels[j] - 1
            text = f"{hidden} more {shape.unit} ({first}-{last})"
            ox, oy = origins[j][:2]
            glyph = (ox + cols / 2, oy + rows / 2)
            label = (ox + cols + 0.35, oy + rows) if shape.labels_right else (ox - 0.35, oy)
            markers.append(((*label, middle_z), (*glyph, middle_z), text))
        real = np.broadcast_to(shape.real, (count, *shape.real.shape[-2:]))
        stacks.append(PlaneStack(real, shape.offset, tuple(origins), shape.fills, shape.names, shape.notes,
                                 shape.borders, shape.channels, shape.total, tuple(markers), shape.labels_right,
                                 shape.cuts))
        x += right
    return stacks


def stack_items(stack: PlaneStack, view: ViewSpec, style: Style, plane_labels: bool = True,
                avoid: Sequence[Item] = ()) -> list[Item]:
    """Every plane's fills, grid lines, gap glyphs (clear of the connectors in `avoid`), group border and label (all
    static; without `plane_labels`, no plane's label: see `clear_labels`)."""
    theme = view.theme
    items: list[Item] = []
    rows, cols = stack.row_cut, stack.col_cut
    for j, (x, y, z) in enumerate(stack.origins):
        for r in rows.kept:
            for c in cols.kept:
                fill = stack.fills[j] if stack.real[j, r, c] else theme.zero_fill
                items.append(Polygon(quad(x + cols.at(c), y + rows.at(r), z), fill))
        for r0, r1 in rows.segments():
            for c0, c1 in cols.segments():
                items += grid_lines(stack.real[j, r0:r1, c0:c1], x + cols.at(c0), y + rows.at(r0), z, theme, style)
        labels = label_texts(stack, j, view, style, stack.labels_right) if view.labels and plane_labels else []
        items += gap_glyphs(rows, cols, (x, y, z), style.label_font * 1.2, theme.muted_text, avoid,
                            base_projection(view), style.cell, labels)
        border = stack.borders[j] if stack.borders else None
        if border is not None:
            width = style.line_width * 3.2
            corners = quad(x, y, z, stack.cols, stack.rows)
            items += [Line(a, b, border, width) for a, b in zip(corners, corners[1:] + corners[:1])]
        items += labels
    for label, glyph, text in stack.markers:
        items.append(Text(glyph, "⋮", style.label_font * 1.6, theme.muted_text, "mm", bold=True))
        if view.labels:
            items.append(Text(label, text, style.note_font * 1.1, theme.muted_text,
                              "lm" if stack.labels_right else "rm"))
    return items


def label_texts(stack: PlaneStack, plane: int, view: ViewSpec, style: Style, right: bool,
                lift: float = 0.0) -> list[Text]:
    """A plane's bold name and muted note, left of its left corner or right of its right corner, raised by `lift`
    cells (lowered, if negative)."""
    theme = view.theme
    x, y, z = stack.origins[plane]
    z += lift
    side = "l" if right else "r"
    if right:
        at = (x + stack.cols + 0.35, y + (stack.rows if view.view == "oblique" else min(1.0, stack.rows / 2)), z)
    else:
        at = (x - 0.35, y + (0.0 if view.view == "oblique" else min(1.0, stack.rows / 2)), z)
    texts = [Text(at, stack.names[plane], style.label_font, theme.text, side + "s", bold=True)]
    step = style.note_font * 1.3 / style.cell  # one note line, in cells of screen height
    for i, line in enumerate(note_lines(stack, plane)):
        below = (at[0], at[1], at[2] - i * step) if view.view == "oblique" else (at[0], at[1] + i * step, at[2])
        texts.append(Text(below, line, style.note_font, theme.muted_text, side + "a"))
    return texts


def note_lines(stack: PlaneStack, plane: int) -> list[str]:
    """The muted lines under a plane's name: its note, and on the first plane what its elided axes leave out."""
    return ([stack.notes[plane]] if stack.notes[plane] else []) + (
        gap_notes(stack.row_cut, stack.col_cut, real=stack.real[0]) if plane == 0 else [])  # the tensor's indices


def clear_labels(stacks: Sequence[PlaneStack], view: ViewSpec, style: Style, lines: Sequence[Item],
                 fixed: Sequence[Text] = (), above: Sequence[bool] = ()) -> list[Text]:
    """Every plane's label where it touches no line of `lines`, no plane, no `fixed` text and no label placed before
    it: beside its corner on its own side, else the other side, else just above or below the band that the level's
    connectors run in; where none is clear, the first of these. A stack's planes take one place together where one
    is clear for all of them (a column of labels), else each its own. A stack between two stages is reached by
    connectors from the left and left by connectors to the right, so no corner suits its planes: `above[k]` tries the
    place above the band, left of the plane, first (place the stacks with a gap that holds a line of text)."""
    from dataclasses import replace as _replace

    from convanim.figures.clearance import apart, box
    from convanim.primitives import text_extent

    projection = _replace(base_projection(view), cell=style.cell)
    segments = [(projection(item.start), projection(item.end)) for item in lines if isinstance(item, Line)]
    outlines = [[projection(corner) for corner in outline] for stack in stacks for outline in stack_outlines(stack)]
    pad = max(2.0, style.cell * 0.12)
    taken = [box(*text_extent(text, projection), pad) for text in fixed]
    placed: list[Text] = []
    unit = base_projection(view).unit

    def span(stack: PlaneStack, plane: int) -> tuple[float, float]:
        x, y, z = stack.origins[plane]
        heights = [unit((x + c, y + r, z))[1] for c in (0, stack.cols) for r in (0, stack.rows)]
        return min(heights), max(heights)

    band = max(b - a for stack in stacks for a, b in (span(stack, j) for j in range(len(stack.origins))))
    name_height = style.label_font * 1.15 / style.cell
    note_height = style.note_font * 1.25 / style.cell
    descent = style.label_font * 0.25 / style.cell

    def options(k: int, stack: PlaneStack, plane: int) -> list[list[Text]]:
        top, bottom = span(stack, plane)
        middle = (top + bottom) / 2
        x, y, z = stack.origins[plane]
        below_name = note_height * len(note_lines(stack, plane)) or descent
        places = []
        for place in ((1, 0, 2) if k < len(above) and above[k] else (0, 1, 2)):
            for right in (stack.labels_right, not stack.labels_right):
                corner = unit((x + stack.cols, y + stack.rows, z) if right else (x, y, z))[1]
                lift = (0.0, corner - (middle - band / 2) + below_name + 0.1,
                        corner - (middle + band / 2) - name_height - 0.1)[place]
                places.append(label_texts(stack, plane, view, style, right, lift))
        return places

    def clear(texts: list[Text], others: list) -> bool:
        return all(apart(box(*text_extent(text, projection), pad), other)
                   for text in texts for other in [*segments, *outlines, *others])

    for k, stack in enumerate(stacks):
        planes = range(len(stack.origins))
        choices = [options(k, stack, plane) for plane in planes]
        # One place for every plane of a stack reads as a column of labels: the first place clear for all of them
        # (each against the others too); else each plane's own first clear place.
        for i in range(len(choices[0])):
            chosen = [choice[i] for choice in choices]
            boxes = [[box(*text_extent(text, projection), pad) for text in texts] for texts in chosen]
            if all(clear(texts, taken + [b for j, other in enumerate(boxes) if j != plane for b in other])
                   for plane, texts in enumerate(chosen)):
                break
        else:
            chosen = []
            own: list[tuple[tuple[float, float], ...]] = []
            for places in choices:
                texts = next((texts for texts in places if clear(texts, taken + own)), places[0])
                chosen.append(texts)
                own += [box(*text_extent(text, projection), pad) for text in texts]
        for texts in chosen:
            placed += texts
            taken += [box(*text_extent(text, projection), pad) for text in texts]
    return placed


def stack_outlines(stack: PlaneStack) -> list[tuple[tuple[float, float, float], ...]]:
    """Each plane's outline, for `hide_under_planes`."""
    return [quad(x, y, z, stack.cols, stack.rows) for x, y, z in stack.origins]


def shade_items(stack: PlaneStack, cells: Sequence[tuple[int, ...]], frame: int, theme: Theme, style: Style,
                element: bool = False, box: bool = True, window: bool = False) -> list[Item]:
    """Shade (plane, row, col) cells in one frame; with several planes and `box`, join the window's corners into a
    box through the stack (the k x k x C filter; only readable in the oblique view); with `window`, draw the window
    on each plane as a block (`window_lines`)."""
    at = stack.element if element else stack.cell
    items: list[Item] = [Polygon(quad(*at(j, r, c)), theme.shade, theme.shade_opacity, frame) for j, r, c in cells]
    planes = sorted({j for j, _, _ in cells})
    if window:
        rows_at, cols_at = stack.row_cut.edge, stack.col_cut.edge  # drawn positions on an elided plane
        for j in planes:
            x, y, z = stack.origins[j]
            grid = [stack.grid_of(r, c) if element else (r, c) for p, r, c in cells if p == j]
            items += window_lines([(rows_at(r), cols_at(c)) for r, c in grid], x, y, z, theme, style, frame)
    if box and len(planes) > 1:
        rows = [r for _, r, _ in cells]
        cols = [c for _, _, c in cells]
        r0, r1, c0, c1 = min(rows), max(rows) + 1, min(cols), max(cols) + 1
        for r, c in ((r0, c0), (r0, c1), (r1, c1), (r1, c0)):
            top, bottom = at(planes[0], r, c), at(planes[-1], r, c)
            items.append(Line(top, bottom, theme.connector, style.connector_width, opacity=0.8, frame=frame))
    return items


def group_fill(theme: Theme, group: int, fill: RGB | None = None) -> RGB:
    """A group's colour: `fill` (the input blue by default) at the group's lightness step, so that groups differ by
    a light accent and every group of inputs stays blue (of outputs, cyan)."""
    tints = theme.tints(theme.input_fill if fill is None else fill)
    return tints[group % len(tints)]


def connector_items(inputs: PlaneStack, planes: list[int], window: np.ndarray, outputs: PlaneStack, out_plane: int,
                    output: tuple[int, ...], frame: int, theme: Theme, style: Style) -> list[Item]:
    """A wedge from the filter box's face towards the output stack (the window's far-column edge) to the output
    cell's centre: the whole box feeds the cell, and the lines start at the box's edge instead of crossing it (and
    meet inside the cell, so that a level line never runs along a row's grid line there).

    When the output plane's height lies within the box (stacks laid out by levels, see `assign_levels`), the wedge
    runs level at that height, from a read plane or from the box's edges between two of them, and so crosses no
    other plane. Below the box, the window's far edge is carried down to that height, dashed."""
    r0 = int(window[:, 0].min())
    r1, c1 = (int(v) + 1 for v in window.max(axis=0))
    orow, ocol = output
    heights = [inputs.origins[plane][2] for plane in planes]
    z = outputs.origins[out_plane][2]
    items: list[Item] = []
    if min(heights) - 1e-6 <= z <= max(heights) + 1e-6:
        starts = [(r, z) for r in (r0, r1)]
    elif z < min(heights):
        x, y, top = inputs.cell(min(planes, key=lambda plane: inputs.origins[plane][2]), r0, c1)
        items += [Line((x, y + r - r0, top), (x, y + r - r0, z), theme.connector, style.connector_width, style.dash,
                       0.8, frame) for r in (r0, r1)]
        starts = [(r, z) for r in (r0, r1)]
    else:
        starts = [(r, inputs.origins[plane][2]) for plane in sorted({planes[0], planes[-1]}) for r in (r0, r1)]
    ox, oy, oz = outputs.cell(out_plane, orow, ocol)
    for r, height in starts:
        x, y, _ = inputs.cell(planes[0], r, c1)
        items.append(Line((x, y, height), (ox + 0.5, oy + 0.5, oz), theme.connector, style.connector_width,
                          frame=frame))
    return items


def reach_items(inputs: PlaneStack, planes: list[int], read: Sequence[int], window: np.ndarray, frame: int,
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


def read_channels_text(read: Sequence[int], drawn: int) -> str:
    """"channels 0-3 (2 of 4 drawn)": the channels a stage's filter reads, and how many of them have a plane."""
    text = f"channel {read[0]}" if len(read) == 1 else f"channels {read[0]}-{read[-1]}"
    if drawn < len(read):
        text += ", not drawn" if not drawn else f" ({drawn} of {len(read)} drawn)"
    return text


def drawn_stacks(stacks: Sequence[PlaneStack], view: ViewSpec, style: Style, shades: list[Item], wedges: list[Item],
                 headers: list[Item], paths: list[Item], place_labels: bool) -> list[Item]:
    """A block's items in paint order: the planes, `headers` and skip `paths`, the frames' `shades` and connectors
    (`wedges`), and the planes' labels on top. Oblique, lines passing under a plane are hidden by it and labels sit
    on background plates; with `place_labels`, each plane's label goes where no line crosses it (`clear_labels`),
    a stack between two stages above its band."""
    oblique = view.view == "oblique"
    if oblique:
        outlines = [outline for stack in stacks for outline in stack_outlines(stack)]
        shades = hide_under_planes(shades, outlines, OBLIQUE)
        wedges = hide_under_planes(wedges, outlines, OBLIQUE, spare_ends=True)
    items: list[Item] = []
    labels: list[Text] = []
    for stack in stacks:
        drawing = stack_items(stack, view, style, plane_labels=not place_labels)
        items += [item for item in drawing if not isinstance(item, Text)]
        labels += [item for item in drawing if isinstance(item, Text)]
    items += headers + paths + shades + wedges
    if place_labels and view.labels:
        labels += clear_labels(stacks, view, style, wedges + paths,
                               [item for item in headers + paths if isinstance(item, Text)],
                               [0 < k < len(stacks) - 1 for k in range(len(stacks))])
    # Lines between stages run past the next tensor's labels: the labels go on top of background plates, all plates
    # first (a plate drawn in background colour, its text invisible on it) so that no plate covers the descenders of
    # a neighbouring label.
    if oblique and not view.transparent:
        items += [replace(label, color=view.theme.background, halo=view.theme.background) for label in labels]
    return items + labels
