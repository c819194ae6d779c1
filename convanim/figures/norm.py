"""Normalisation figures: the Group Norm paper's cube (Wu and He 2018, figure 2), the four kinds side by side, the
numbers of a small example; and dropout against channel dropout.

The cube: samples N go back into the page, channels C run across, the spatial axes (H, W flattened) run down. The
elements that share one mean and variance are a box inside it; each frame shades one statistic's box, seen through
the cube (paler) where another sample or channel hides it. Every shaded cell comes from
`convanim.normalisation.statistic_index`; nothing here re-derives a set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from convanim.dropout import DropoutSpec, channel_masks, element_masks, variance_words
from convanim.figures.canvas import Style, finish, fitted_size, style_for
from convanim.figures.contrast import BLACK, WHITE, over, readable
from convanim.figures.grid import grid_lines
from convanim.normalisation import (
    KIND_NAMES,
    NormSpec,
    check_listable,
    describe_set,
    example_values,
    norm_numbers,
    pytorch_layer,
    spatial_names,
    statistic_index,
)
from convanim.primitives import FLAT, Item, Line, Polygon, Projection, Scene, Text, quad
from convanim.theme import RGB, Theme
from convanim.view import ViewSpec

CUBE = Projection(ax=1.0, ay=0.0, bx=0.6, by=-0.46)  # x across, y back and up to the right, z up
AXIS_UNITS = 9.0  # an axis longer than this many cells is drawn this long, its cells thinner
PANEL_GAP = 3.2  # cells between the four panels
MAX_NUMBERS = 400  # values drawn by the numbers view


def check_frames(count: int, view: ViewSpec) -> None:
    from convanim.errors import SpecError

    if count > view.max_frames:
        raise SpecError(f"max_frames: this figure has {count:,} statistics (frames), more than the limit of "
                        f"{view.max_frames:,}; raise max_frames, or draw a smaller shape")


def cube_index(spec: NormSpec) -> np.ndarray:
    """`statistic_index` as the cube (depth, across, down): (N, C, H·W); a sequence's (N, D, L); a weight's
    (out, in, kernel)."""
    index = statistic_index(spec)
    if spec.sequence:
        return index.transpose(0, 2, 1)
    return index.reshape(spec.shape[0], spec.shape[1], -1)


def axis_labels(spec: NormSpec) -> tuple[str, str, tuple[str, str]]:
    """Labels of the depth, across and down axes (the down one in two lines)."""
    spatial = "×".join(map(str, spec.shape[2:]))
    if spec.sequence:
        n, length, d = spec.shape
        return f"N = {n} batch", f"D = {d} features", ("L tokens", str(length))
    if spec.kind == "weight":
        names = ", ".join(spatial_names(spec))
        return f"out = {spec.shape[0]}", f"in = {spec.shape[1]}", (names, spatial)
    names = ", ".join(spatial_names(spec))
    return f"N = {spec.shape[0]}", f"C = {spec.shape[1]}", (names, spatial)


@dataclass(frozen=True, slots=True)
class Cube:
    """Where a cube's cells are: cell (n, c, s) spans x in x0 + [c, c+1)·ux, y in [n, n+1)·uy, z down from the top."""

    counts: tuple[int, int, int]  # depth, across, down
    units: tuple[float, float, float]  # model units per cell along depth (y), across (x), down (z)
    x0: float = 0.0

    @property
    def size(self) -> tuple[float, float, float]:
        return tuple(c * u for c, u in zip(self.counts, self.units))  # type: ignore[return-value]

    def x(self, c: float) -> float:
        return self.x0 + c * self.units[1]

    def y(self, n: float) -> float:
        return n * self.units[0]

    def z(self, s: float) -> float:
        return (self.counts[2] - s) * self.units[2]


def make_cube(counts: tuple[int, int, int], x0: float = 0.0) -> Cube:
    units = tuple(1.0 if c <= AXIS_UNITS else AXIS_UNITS / c for c in counts)
    return Cube(counts, units, x0)  # type: ignore[arg-type]


def _box_faces(cube: Cube, box: tuple[tuple[int, int], tuple[int, int], tuple[int, int]]) -> dict[str, Polygon]:
    """The three visible faces (front, top, right) of the cells n0..n1, c0..c1, s0..s1, unfilled."""
    (n0, n1), (c0, c1), (s0, s1) = box
    xa, xb, ya, yb, za, zb = cube.x(c0), cube.x(c1), cube.y(n0), cube.y(n1), cube.z(s1), cube.z(s0)
    return {"front": Polygon(((xa, ya, za), (xb, ya, za), (xb, ya, zb), (xa, ya, zb)), BLACK),
            "top": Polygon(((xa, ya, zb), (xb, ya, zb), (xb, yb, zb), (xa, yb, zb)), BLACK),
            "right": Polygon(((xb, ya, za), (xb, yb, za), (xb, yb, zb), (xb, ya, zb)), BLACK)}


def _face_lines(cube: Cube, box: tuple[tuple[int, int], tuple[int, int], tuple[int, int]], color: RGB, width: float,
                opacity: float, frame: int | None, min_px: float, cell: float) -> list[Item]:
    """Cell boundaries on the three visible faces of a box (none along an axis whose cells are under `min_px`)."""
    (n0, n1), (c0, c1), (s0, s1) = box
    dy, dx, dz = (u * cell for u in cube.units)
    ya, yb, xa, xb, za, zb = cube.y(n0), cube.y(n1), cube.x(c0), cube.x(c1), cube.z(s1), cube.z(s0)
    lines: list[tuple[tuple[float, float, float], tuple[float, float, float]]] = []
    if dx >= min_px:
        lines += [((cube.x(c), ya, za), (cube.x(c), ya, zb)) for c in range(c0 + 1, c1)]  # front
        lines += [((cube.x(c), ya, zb), (cube.x(c), yb, zb)) for c in range(c0 + 1, c1)]  # top
    if dz >= min_px:
        lines += [((xa, ya, cube.z(s)), (xb, ya, cube.z(s))) for s in range(s0 + 1, s1)]  # front
        lines += [((xb, ya, cube.z(s)), (xb, yb, cube.z(s))) for s in range(s0 + 1, s1)]  # right
    if dy * math.hypot(CUBE.bx, CUBE.by) >= min_px:
        lines += [((xa, cube.y(n), zb), (xb, cube.y(n), zb)) for n in range(n0 + 1, n1)]  # top
        lines += [((xb, cube.y(n), za), (xb, cube.y(n), zb)) for n in range(n0 + 1, n1)]  # right
    return [Line(a, b, color, width, opacity=opacity, frame=frame) for a, b in lines]


def _outline(faces: dict[str, Polygon], color: RGB, width: float, frame: int | None) -> list[Item]:
    edges = set()
    for face in faces.values():
        points = face.points
        for i in range(4):
            a, b = points[i], points[(i + 1) % 4]
            edges.add((min(a, b), max(a, b)))
    return [Line(a, b, color, width, frame=frame) for a, b in sorted(edges)]


def set_box(index: np.ndarray, statistic: int) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    """The box of cube cells holding one statistic's elements (every normalisation's set is one box)."""
    cells = np.argwhere(index == statistic)
    low, high = cells.min(axis=0), cells.max(axis=0) + 1
    assert len(cells) == int(np.prod(high - low)), "a statistic's elements are not a box"
    return tuple((int(a), int(b)) for a, b in zip(low, high))  # type: ignore[return-value]


def cube_items(spec: NormSpec, cube: Cube, statistics: list[int], title: str, theme: Theme, style: Style,
               labels: bool) -> list[Item]:
    """One cube: its pale body, the set of frame t (statistics[t]) shaded, grid lines, labels and a title."""
    index = cube_index(spec)
    depth, across, down = cube.counts
    whole = ((0, depth), (0, across), (0, down))
    pale = {"front": over(theme.background, theme.input_fill, 0.16), "top": over(theme.background, theme.input_fill,
                                                                                  0.09),
            "right": over(theme.background, theme.input_fill, 0.26)}
    solid = {"front": theme.input_fill, "top": over(theme.input_fill, WHITE, 0.28),
             "right": over(theme.input_fill, BLACK, 0.22)}
    items: list[Item] = [Polygon(face.points, pale[name]) for name, face in _box_faces(cube, whole).items()]
    thin = max(0.8, style.line_width * 0.6)
    for t, statistic in enumerate(statistics):
        box = set_box(index, statistic)
        (n0, _), (_, c1), (s0, _) = box
        seen = {"front": n0 == 0, "top": s0 == 0, "right": c1 == across}  # on the cube's surface, or behind it
        faces = _box_faces(cube, box)
        for name, face in faces.items():
            fill = solid[name] if seen[name] else over(pale[name], solid[name], 0.5)
            items.append(Polygon(face.points, fill, frame=t))
        items += _face_lines(cube, box, theme.outline, thin, 0.55, t, 5.0, style.cell)
        items += _outline(faces, theme.outline, style.line_width, t)
    # The cube's own cells, over the set: a set inside the cube is seen through its grid.
    items += _face_lines(cube, whole, theme.outline, thin, 0.3, None, 5.0, style.cell)
    items += _outline(_box_faces(cube, whole), theme.outline, style.line_width, None)
    if labels:
        boxes = [set_box(index, statistic) for statistic in statistics]
        marked = _marked(cube, boxes)
        items += _cube_labels(spec, cube, title, theme, style, marked)
        items += [tick for t, box in enumerate(boxes) for tick in _set_ticks(cube, box, marked, theme, style, t)]
    return items


def _marked(cube: Cube, boxes) -> tuple[set[int], set[int]]:
    """The channels and samples whose numbers some frame marks (where its set takes part of that axis)."""
    channels, samples = set(), set()
    for (n0, n1), (c0, c1), _ in boxes:
        if (c0, c1) != (0, cube.counts[1]):
            channels |= set(range(c0, c1))
        if (n0, n1) != (0, cube.counts[0]):
            samples |= set(range(n0, n1))
    return channels, samples


def _cube_labels(spec: NormSpec, cube: Cube, title: str, theme: Theme, style: Style,
                 marked: tuple[set[int], set[int]] = (set(), set())) -> list[Item]:
    """The title, axis names and sizes, and the channel and sample numbers no frame marks (see `_set_ticks`)."""
    width, height, deep = cube.size[1], cube.size[2], cube.size[0]
    gap = 0.35 * style.label_font / style.cell  # in cells; z is screen-vertical
    depth_label, across_label, (down_name, down_size) = axis_labels(spec)
    items: list[Item] = [Text((cube.x0 + width / 2, deep, height + gap), title, style.label_font * 1.1, theme.text,
                              "ms", bold=True)]
    small = max(13.0, style.small_font)
    channel_ticks, sample_ticks = _tick_kinds(cube, style)
    items += [_channel_tick(cube, c, theme.muted_text, style) for c in range(cube.counts[1])
              if channel_ticks and c not in marked[0]]
    below = -gap * 0.6 - (small * 1.25 / style.cell if channel_ticks else 0.0)
    items += [_sample_tick(cube, n, theme.muted_text, style) for n in range(cube.counts[0])
              if sample_ticks and n not in marked[1]]
    items.append(Text((cube.x0 + width / 2, 0.0, below), across_label, style.label_font, theme.text, "ma"))
    items.append(Text((cube.x0 - gap, 0.0, height / 2 + 0.1), down_name, style.label_font, theme.text, "rs"))
    items.append(Text((cube.x0 - gap, 0.0, height / 2 - 0.1), down_size, style.label_font, theme.text, "ra"))
    # The depth axis's name beyond its far end, where the edge would go on.
    items.append(Text((cube.x0 + width + 0.3, deep + 0.5, -0.1), depth_label, style.label_font, theme.text, "la"))
    return items


def _tick_kinds(cube: Cube, style: Style) -> tuple[bool, bool]:
    """Whether channel numbers (along the front) and sample numbers (along the bottom edge going back) fit."""
    small = max(13.0, style.small_font)
    spacing = cube.units[0] * style.cell * math.hypot(CUBE.bx, CUBE.by)
    return (cube.units[1] * style.cell >= small * 1.1 and cube.counts[1] <= 32,
            spacing >= small * 1.3 and cube.counts[0] <= 32)


def _channel_tick(cube: Cube, c: int, color: RGB, style: Style, frame: int | None = None,
                  bold: bool = False) -> Text:
    """Channel c's number under the front face; bold and larger where a frame marks it."""
    gap = 0.35 * style.label_font / style.cell
    size = max(13.0, style.small_font) * (1.3 if bold else 1.0)
    return Text((cube.x(c + 0.5), 0.0, -gap * 0.6), str(c), size, color, "ma", bold=bold, frame=frame)


def _sample_tick(cube: Cube, n: int, color: RGB, style: Style, frame: int | None = None, bold: bool = False) -> Text:
    """Sample n's number along the bottom edge going back; bold and larger where a frame marks it."""
    size = max(13.0, style.small_font) * (1.3 if bold else 1.0)
    return Text((cube.x0 + cube.size[1] + 0.15, cube.y(n + 0.5), -0.1), str(n), size, color, "la", bold=bold,
                frame=frame)


def _set_ticks(cube: Cube, box, marked: tuple[set[int], set[int]], theme: Theme, style: Style,
               frame: int) -> list[Item]:
    """In one frame, the numbers some frame marks (`marked`, see `_marked`): this frame's set's channels and samples
    bold (where it takes part of an axis), the others plain. A set deep in the cube is drawn shifted by its depth;
    the numbers say where it is."""
    (n0, n1), (c0, c1), _ = box
    channel_ticks, sample_ticks = _tick_kinds(cube, style)
    channels, samples = marked
    own_channels = (c0, c1) != (0, cube.counts[1])
    own_samples = (n0, n1) != (0, cube.counts[0])
    items: list[Item] = []
    if channel_ticks:
        for c in sorted(channels):
            bold = own_channels and c0 <= c < c1
            items.append(_channel_tick(cube, c, theme.text if bold else theme.muted_text, style, frame, bold))
    if sample_ticks:
        for n in sorted(samples):
            bold = own_samples and n0 <= n < n1
            items.append(_sample_tick(cube, n, theme.text if bold else theme.muted_text, style, frame, bold))
    return items


def caption_lines(lines: list[str | tuple[str, ...]], style: Style, theme: Theme) -> list[Text]:
    """Caption lines (at most three) relative to the caption's top centre: a string is the same in every frame, a
    tuple gives each frame's text."""
    step = style.caption_font * 1.45
    items: list[Text] = []
    for i, line in enumerate(lines):
        if isinstance(line, str):
            items.append(Text((0.0, i * step, 0.0), line, style.caption_font, theme.text if i == 0 else
                              theme.muted_text, "ma", screen=True))
        else:
            items += [Text((0.0, i * step, 0.0), text, style.caption_font * 0.95, theme.text, "ma", frame=t,
                           screen=True) for t, text in enumerate(line)]
    return items


def _norm_notes(spec: NormSpec) -> str:
    count, per = spec.statistic_count, spec.elements_per_statistic
    what = "norms" if spec.kind == "weight" else "means and variances"
    params = f"{spec.parameters:,} learnable parameters" + (
        " (g and v)" if spec.kind == "weight" else " (affine=False)" if not spec.affine else
        " (gamma, beta per element)" if spec.kind == "layer" else " (gamma, beta per channel)")
    return f"{count:,} {what}, {per:,} elements each; {params}"


def _eval_note(spec: NormSpec) -> str:
    if spec.kind == "batch":
        return f"eval: running_mean and running_var ({spec.shape[1]} each, kept in training) replace the batch's"
    if spec.kind == "weight":
        return "w = g · v / ‖v‖ for each output channel; the same at eval"
    return "eval: the same (each sample's own statistics)"


def build_norm_scene(spec: NormSpec, view: ViewSpec) -> Scene:
    """The cube of one normalisation, one frame per statistic; the flat numbers view with `view.numbers`."""
    if view.numbers:
        return build_norm_numbers_scene(spec, view)
    check_listable(spec)
    check_frames(spec.statistic_count, view)
    counts = cube_index(spec).shape
    cube = make_cube(counts)
    style = style_for(view, round(max(cube.size)), auto_cell=min(40.0, 380 / max(cube.size)))
    theme = view.theme
    statistics = list(range(spec.statistic_count))
    title = KIND_NAMES[spec.kind].title() if spec.kind != "weight" else "Weight Norm"
    items = cube_items(spec, cube, statistics, title, theme, style, view.labels)
    layer = pytorch_layer(spec)
    frame_titles = tuple(f"{'norm' if spec.kind == 'weight' else 'statistic'} {k + 1}/{spec.statistic_count}: "
                         f"{describe_set(spec, k)}" for k in statistics)
    captions = caption_lines([f"{layer}: {_norm_notes(spec)}", frame_titles, _eval_note(spec)], style, theme) \
        if view.caption else []
    return finish(items, captions, view, style, len(statistics), layer, frame_titles, base=CUBE)


def build_four_scene(specs: list[NormSpec], view: ViewSpec) -> Scene:
    """The four kinds side by side for one shape; frame t shades statistic floor(t·count/T) of each, so that all
    four step through every one of their sets together in T frames (T the largest count, instance norm's)."""
    from convanim.errors import SpecError

    if view.numbers:
        raise SpecError("numbers: the four-panel figure draws no numbers; draw one kind with numbers")
    for spec in specs:
        check_listable(spec)
    total = max(spec.statistic_count for spec in specs)
    check_frames(total, view)
    counts = cube_index(specs[0]).shape
    probe = make_cube(counts)
    style = style_for(view, round(max(probe.size)), auto_cell=min(30.0, 240 / max(probe.size)))
    theme = view.theme
    step = probe.size[1] + probe.size[0] * CUBE.bx + PANEL_GAP + 2.0
    items: list[Item] = []
    for k, spec in enumerate(specs):
        cube = make_cube(counts, x0=k * step)
        statistics = [t * spec.statistic_count // total for t in range(total)]
        title = KIND_NAMES[spec.kind].title()
        items += cube_items(spec, cube, statistics, title, theme, style, view.labels)
        if view.labels:
            size, below = cube.size, -(style.label_font * 2.6 + max(13.0, style.small_font) * 1.3) / style.cell
            items.append(Text((cube.x0 + size[1] / 2, 0.0, below), pytorch_layer(spec),
                              max(13.0, style.note_font), theme.muted_text, "ma"))
    words = "; ".join(f"{KIND_NAMES[s.kind].split()[0]} {s.statistic_count}×{s.elements_per_statistic}"
                      for s in specs)
    shape = "×".join(map(str, specs[0].shape))
    title = f"{shape}: the elements sharing one mean and variance (statistics × elements each: {words})"
    frame_titles = tuple("; ".join(f"{KIND_NAMES[s.kind].split()[0]} {t * s.statistic_count // total + 1}/"
                                   f"{s.statistic_count}" for s in specs) for t in range(total))
    captions = caption_lines([title, frame_titles, "instance norm has no gamma and beta by default (affine=False); "
                              "batch norm alone uses running statistics at eval"], style, theme) \
        if view.caption else []
    return finish(items, captions, view, style, total, f"normalisations of {shape}", frame_titles, base=CUBE)


def _value_text(value: float) -> str:
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text.replace("-", "\u2212")


def build_norm_numbers_scene(spec: NormSpec, view: ViewSpec) -> Scene:
    """Flat: per sample (per output channel for weight norm) a grid of values, channels down and positions across,
    beside the normalised output; each frame shades one statistic's elements in both and states its numbers."""
    from convanim.errors import SpecError

    if spec.elements > MAX_NUMBERS:
        raise SpecError(f"numbers: the numbers view draws at most {MAX_NUMBERS} values, this shape has "
                        f"{spec.elements:,}; draw a smaller shape")
    check_frames(spec.statistic_count, view)
    index = _as_cube(spec, statistic_index(spec))
    numbers = norm_numbers(spec)
    values = _as_cube(spec, numbers.values)
    outputs = _as_cube(spec, numbers.outputs)
    depth, rows, cols = index.shape
    theme = view.theme
    block = 2 * cols + 3.6  # x, a gap, y, a gap before the next sample
    per_row = max(range(1, depth + 1), key=lambda k: (min(1800 / (k * block), 900 / (-(-depth // k) * (rows + 2.6))),
                                                       -k))
    fit = min(1800 / (per_row * block), 900 / (-(-depth // per_row) * (rows + 2.6)))
    from convanim.fonts import font

    widest = max(font(13).getlength(_value_text(v)) for v in outputs.ravel())  # every value readable: >= 13 px
    readable_cell = math.ceil(widest / 0.88)
    style = style_for(view, max(rows, cols), auto_cell=float(max(readable_cell, min(56, max(40, int(fit))))))
    gap = 1.0 + 2.2 * style.label_font / style.cell
    out_x = cols + 2.0

    def origin(n: int) -> tuple[float, float]:
        return (n % per_row) * block, (n // per_row) * (rows + gap)

    items: list[Item] = []
    row_name, column_name = _grid_names(spec)
    for n in range(depth):
        ox, oy = origin(n)
        for x0, fill in ((ox, theme.input_fill), (ox + out_x, theme.output_fill)):
            items += [Polygon(quad(x0 + c, oy + r, 0.0), fill) for r in range(rows) for c in range(cols)]
            items += grid_lines(np.ones((rows, cols), bool), x0, oy, 0.0, theme, style)
        if view.labels:
            name = ("out channel" if spec.kind == "weight" else "sample") + f" {n}"
            before, after = ("v", "v / ‖v‖") if spec.kind == "weight" else ("x", "y")
            items.append(Text((ox, oy - 0.3, 0.0), f"{before}, {name}", style.label_font, theme.text, "ls",
                              bold=True))
            items.append(Text((ox + out_x, oy - 0.3, 0.0), f"{after}, {name}", style.label_font, theme.text, "ls",
                              bold=True))
            if n % per_row == 0:
                items.append(Text((ox - 0.3, oy + rows / 2, 0.0), row_name.split()[0], max(13.0, style.note_font),
                                  theme.muted_text, "rm"))
    value_font = min(fitted_size(_value_text(v), style.value_font, 0.88 * style.cell) for v in outputs.ravel())
    plain_in, shaded_in = _text_pair(theme.input_fill, theme)
    plain_out, shaded_out = _text_pair(theme.output_fill, theme)
    for n in range(depth):
        ox, oy = origin(n)
        for r in range(rows):
            for c in range(cols):
                items.append(Text((ox + c + 0.5, oy + r + 0.5, 0.0), str(int(values[n, r, c])), style.value_font,
                                  plain_in))
                items.append(Text((ox + out_x + c + 0.5, oy + r + 0.5, 0.0), _value_text(outputs[n, r, c]),
                                  value_font, plain_out))
    for t in range(spec.statistic_count):
        for n, r, c in np.argwhere(index == t).tolist():
            ox, oy = origin(n)
            for x0, text, color, size in ((ox, str(int(values[n, r, c])), shaded_in, style.value_font),
                                          (ox + out_x, _value_text(outputs[n, r, c]), shaded_out, value_font)):
                items.append(Polygon(quad(x0 + c, oy + r, 0.0), theme.shade, theme.shade_opacity, frame=t))
                items.append(Text((x0 + c + 0.5, oy + r + 0.5, 0.0), text, size, color, frame=t))
    layer = pytorch_layer(spec)
    frame_titles = tuple(_numbers_line(spec, numbers, t) for t in range(spec.statistic_count))
    note = ("y = v / ‖v‖ (g = 1); PyTorch starts g at ‖v‖, so that w = v" if spec.kind == "weight" else
            f"y = (x − mean) / √(var + {spec.eps:g}): training mode, biased variance, gamma = 1, beta = 0")
    captions = caption_lines([f"{layer} on {'×'.join(map(str, spec.shape))}; rows: {row_name}, columns: "
                              f"{column_name}", frame_titles, note], style, theme) if view.caption else []
    return finish(items, captions, view, style, spec.statistic_count, layer, frame_titles, base=FLAT)


def _as_cube(spec: NormSpec, array: np.ndarray) -> np.ndarray:
    """An array of the tensor's shape laid out as the numbers grids: (depth, rows, columns), rows the channels."""
    if spec.sequence:
        return array  # (N, L, D): a token per row
    return array.reshape(spec.shape[0], spec.shape[1], -1)


def _grid_names(spec: NormSpec) -> tuple[str, str]:
    """What the numbers grids' rows and columns are."""
    if spec.sequence:
        return "L tokens", "D features"
    spatial = ", ".join(spatial_names(spec))
    if spec.kind == "weight":
        return "in channels", f"{spatial} flattened" if spec.rank > 3 else "kernel positions"
    return "C channels", f"{spatial} flattened" if spec.rank > 3 else "L positions"


def _text_pair(fill: RGB, theme: Theme) -> tuple[RGB, RGB]:
    preferred = (theme.text, theme.background)
    return readable(fill, preferred), readable(over(fill, theme.shade, theme.shade_opacity), preferred)


def _numbers_line(spec: NormSpec, numbers, statistic: int) -> str:
    where = describe_set(spec, statistic)
    if spec.kind == "weight":
        return f"{where}: ‖v‖ = √{numbers.variances[statistic]:g} = {math.sqrt(numbers.variances[statistic]):.3f}"
    mean, var = numbers.means[statistic], numbers.variances[statistic]
    return f"{where}: mean {mean:.3g}, var {var:.3g}"


def build_dropout_scene(spec: DropoutSpec, view: ViewSpec) -> Scene:
    """nn.Dropout (top) against nn.Dropout2d (below) on one sample, a frame per training step and one at eval;
    survivors in the output colour (scaled by 1/(1-p)), zeroed elements as empty dashed cells."""
    channels = spec.shape[0]
    rows = int(np.prod(spec.shape[1:-1])) if len(spec.shape) > 2 else 1
    cols = spec.shape[-1]
    steps = spec.steps + 1
    check_frames(steps, view)
    masks = {"elements": element_masks(spec), "channels": channel_masks(spec)}
    values = example_values(spec.shape, salt=11) + 1  # 1..10: a zero is then always a dropped element
    theme = view.theme
    auto = float(min(44, max(16, round(1100 / (channels * (cols + 1))))))
    if view.numbers:
        auto = max(auto, 40.0)
    style = style_for(view, max(rows, cols), auto_cell=auto)
    gap = 1.0
    band = rows + 1.2 + 2.2 * style.label_font / style.cell
    items: list[Item] = []
    layers = (("elements", spec.element_layer, "zeroes elements"),
              ("channels", spec.channel_layer, "zeroes whole channels"))
    for row, (key, layer, what) in enumerate(layers):
        y0 = row * band
        if view.labels:
            items.append(Text((0.0, y0 - 0.35, 0.0), f"{layer}: {what}", style.label_font, theme.text, "ls",
                              bold=True))
        for c in range(channels):
            x0 = c * (cols + gap)
            if view.labels and row == 1:
                items.append(Text((x0 + cols / 2, y0 + rows + 0.25, 0.0), f"channel {c}", style.note_font,
                                  theme.muted_text, "ma"))
            items += grid_lines(np.zeros((rows, cols), bool), x0, y0, 0.0, theme, style)  # dashed: zero
            for t in range(steps):
                keep = np.ones(spec.shape, bool) if t == spec.steps else masks[key][t]
                out = values * keep * (1.0 if t == spec.steps else spec.scale)
                kept = keep[c].reshape(rows, cols)
                items += [Polygon(quad(x0 + j, y0 + i, 0.0), theme.output_fill, frame=t)
                          for i in range(rows) for j in range(cols) if kept[i, j]]
                items += [replace(line, frame=t) for line in grid_lines(kept, x0, y0, 0.0, theme, style)
                          if isinstance(line, Line) and not line.dash]
                if view.numbers:
                    flat = out[c].reshape(rows, cols)
                    color = readable(theme.output_fill, (theme.text, theme.background))
                    for i in range(rows):
                        for j in range(cols):
                            text = f"{flat[i, j]:g}" if kept[i, j] else "0"
                            size = fitted_size(text, style.value_font, 0.8 * style.cell)
                            items.append(Text((x0 + j + 0.5, y0 + i + 0.5, 0.0), text, size,
                                              color if kept[i, j] else theme.muted_text, frame=t))
    total = int(np.prod(spec.shape))
    frame_titles = []
    for t in range(spec.steps):
        zeroed = total - int(masks["elements"][t].sum())
        dropped = [c for c in range(channels) if not masks["channels"][t][c].any()]
        frame_titles.append(f"training step {t + 1}/{spec.steps}: Dropout zeroed {zeroed} of {total}; "
                            f"Dropout{len(spec.shape) - 1}d zeroed channel{'s' * (len(dropped) != 1)} "
                            f"{', '.join(map(str, dropped)) or 'none'}; survivors ×{spec.scale:.3g}")
    frame_titles.append("eval: identity, nothing zeroed or scaled")
    title = (f"{spec.element_layer} against {spec.channel_layer} on {'×'.join(map(str, spec.shape))}, seed "
             f"{spec.seed}" + ("; values 1..10 before dropout" if view.numbers else ""))
    captions = caption_lines([title, tuple(frame_titles), variance_words(spec.p)], style, theme) \
        if view.caption else []
    return finish(items, captions, view, style, steps, title, tuple(frame_titles), base=FLAT)
