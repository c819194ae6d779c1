"""The classic figure: one input plane (the drawn grid), one output plane, the kernel window moving over them.

Every shaded cell, connector and number comes from `Geometry`; nothing here re-derives an index.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from convanim.describe import pytorch_code
from convanim.figures.canvas import Style, finish, fitted_size, shape_str, style_for
from convanim.figures.contrast import over, readable
from convanim.figures.cuts import LONG_TIME_AXIS, AxisCut, cut_axis, gap_glyphs, gap_notes
from convanim.figures.grid import grid_lines, window_lines
from convanim.figures.labels import caption_items, label_items
from convanim.figures.values import format_values, input_values, kernel_values, max_taps, output_values
from convanim.geometry import REAL, Geometry
from convanim.positions import resolve_positions
from convanim.primitives import FLAT, OBLIQUE, Item, Line, Polygon, Text, quad
from convanim.spec import ConvSpec
from convanim.theme import RGB, Theme
from convanim.view import ViewSpec

ROW_GAP = 2.5  # cells between the input row and the output row of a 1d figure


def build_plane_scene(spec: ConvSpec, view: ViewSpec):
    """Scene of a 2d convolution or pooling on one channel (1d specs are drawn as a one-row plane)."""
    geometry = Geometry(spec)
    chosen = resolve_positions(view.positions, geometry.output_shape, view.max_frames)
    theme = view.theme
    frames = [geometry.frame(p) for p in chosen.indices]
    rows_cut, cols_cut, out_rows_cut, out_cols_cut = _cuts(geometry, frames)
    grid_rows, grid_cols = rows_cut.extent, cols_cut.extent  # drawn sizes, in cells
    out_rows, out_cols = out_rows_cut.extent, out_cols_cut.extent
    oblique = view.view == "oblique"
    # A 1d row seen obliquely is a thin slanted strip; the same idea (input below, output above, lines joining the
    # window to its output) reads better with both rows level, one above the other.
    stacked = oblique and spec.dims == 1
    auto_cell = _numbers_cell(grid_cols + out_cols + 1.6) if view.numbers and not oblique else None
    style = style_for(view, max(grid_rows, grid_cols, out_rows, out_cols), auto_cell)

    if stacked:
        out_x, out_y, out_z = (grid_cols - out_cols) / 2, -ROW_GAP - 1.0, 0.0
    elif oblique:
        out_x, out_y = (grid_cols - out_cols) / 2, (grid_rows - out_rows) / 2
        out_z = _lift(grid_rows, grid_cols, out_rows, out_cols, out_x, out_y)
    else:
        out_x, out_y, out_z = grid_cols + 1.6, (grid_rows - out_rows) / 2, 0.0

    grid_zero = geometry.grid_zero.reshape(rows_cut.length, cols_cut.length)
    items: list = []
    # Input plane: cell fills, then each grid line once (solid next to a real cell, dashed between zeros).
    for r in rows_cut.kept:
        for c in cols_cut.kept:
            fill = theme.input_fill if grid_zero[r, c] == REAL else theme.zero_fill
            items.append(_cell(cols_cut.at(c), rows_cut.at(r), 0.0, fill))
    for r0, r1 in rows_cut.segments():
        for c0, c1 in cols_cut.segments():
            items += grid_lines(grid_zero[r0:r1, c0:c1] == REAL, cols_cut.at(c0), rows_cut.at(r0), 0.0, theme, style)
    # Labels are static and beside the planes: painting them early puts them in the background layer.
    labels: list[Item] = []
    if view.labels:
        unit = "step" if spec.dims == 1 else "column"
        labels += label_items(("input", shape_str(spec.input_size),
                              "\n".join(filter(None, [_grid_note(spec, geometry),
                                                       *gap_notes(rows_cut, cols_cut, unit, grid_zero == REAL)]))),
                             (0.0, 0.0, 0.0), oblique, style, theme)
        labels += label_items(("output", shape_str(geometry.output_shape),
                              "\n".join(gap_notes(out_rows_cut, out_cols_cut, unit))), (out_x, out_y, out_z),
                             oblique, style, theme, notes_above=not stacked)
    items += labels
    in_glyphs_at = len(items)  # the input's gap glyphs go here, placed clear of the connectors (drawn below)

    taps_rc = [_as2d_rows(frame.grid) for frame in frames]
    taps_at = [[(rows_cut.at(r), cols_cut.at(c)) for r, c in cells] for cells in taps_rc]
    outputs_at = [(out_rows_cut.at(r), out_cols_cut.at(c)) for r, c in (_as2d_point(f.output) for f in frames)]
    if view.numbers:
        inputs = input_values(geometry)
        weights = kernel_values(geometry)
        outputs = output_values(geometry, inputs, weights).reshape(out_rows_cut.length, out_cols_cut.length)
        items += _input_numbers(geometry, frames, taps_rc, inputs, weights, rows_cut, cols_cut, theme, style)
    else:
        for t, cells in enumerate(taps_at):
            items += [_cell(c, r, 0.0, theme.shade, theme.shade_opacity, t) for r, c in cells]
            items += window_lines(cells, 0.0, 0.0, 0.0, theme, style, t)

    links: list[Line] = []
    if stacked:
        for t, cells in enumerate(taps_at):
            links += _row_connectors(cells, outputs_at[t][1], out_x, out_y, theme, style, t)
    elif oblique:
        for t, cells in enumerate(taps_at):
            links += _connectors(cells, outputs_at[t], out_x, out_y, out_z, theme, style, t)
    items += links
    base = FLAT if stacked else (OBLIQUE if oblique else FLAT)
    glyph_size = style.label_font * 1.2
    items[in_glyphs_at:in_glyphs_at] = gap_glyphs(rows_cut, cols_cut, (0.0, 0.0, 0.0), glyph_size, theme.muted_text,
                                                  links, base, style.cell, labels)

    for r in out_rows_cut.kept:
        for c in out_cols_cut.kept:
            items.append(_cell(out_x + out_cols_cut.at(c), out_y + out_rows_cut.at(r), out_z, theme.output_fill))
    for r0, r1 in out_rows_cut.segments():
        for c0, c1 in out_cols_cut.segments():
            items += grid_lines(np.ones((r1 - r0, c1 - c0), bool), out_x + out_cols_cut.at(c0),
                                out_y + out_rows_cut.at(r0), out_z, theme, style)
    items += gap_glyphs(out_rows_cut, out_cols_cut, (out_x, out_y, out_z), glyph_size, theme.muted_text, links, base,
                        style.cell, labels)
    if view.numbers:
        items += _output_numbers(frames, outputs, (out_x, out_y, out_z), out_rows_cut, out_cols_cut, theme, style)
    else:
        for t, (at_y, at_x) in enumerate(outputs_at):
            items.append(_cell(out_x + at_x, out_y + at_y, out_z, theme.shade, theme.shade_opacity, t))

    frame_titles = tuple(f"frame {t + 1}/{len(frames)}: output ({', '.join(map(str, f.output))})"
                         for t, f in enumerate(frames))
    title = pytorch_code(spec).removeprefix("nn.")
    notes = [chosen.note] if chosen.note else []
    captions = caption_items(title, frame_titles, style, theme, notes) if view.caption else []
    return finish(items, captions, view, style, len(frames), title, frame_titles, base=FLAT if stacked else None)


def _cuts(geometry: Geometry, frames: list) -> tuple[AxisCut, AxisCut, AxisCut, AxisCut]:
    """How the grid's and the output's rows and columns are drawn: long axes keep the cells the shown frames
    touch (and both ends); a 1d layer is one row, with a longer readable length."""
    grid = np.concatenate([f.grid for f in frames])
    outputs = np.array([f.output for f in frames])
    if geometry.spec.dims == 1:
        return (AxisCut(1), cut_axis(geometry.grid_shape[0], grid[:, 0].tolist(), LONG_TIME_AXIS), AxisCut(1),
                cut_axis(geometry.output_shape[0], outputs[:, 0].tolist(), LONG_TIME_AXIS))
    return (cut_axis(geometry.grid_shape[0], grid[:, 0].tolist()),
            cut_axis(geometry.grid_shape[1], grid[:, 1].tolist()),
            cut_axis(geometry.output_shape[0], outputs[:, 0].tolist()),
            cut_axis(geometry.output_shape[1], outputs[:, 1].tolist()))


def _row_connectors(cells: Sequence[tuple[float, float]], output: float, out_x: float, out_y: float, theme: Theme,
                    style: Style, frame: int) -> list:
    """Two lines from the top corners of a 1d window up to the bottom corners of its output cell."""
    c0, c1 = min(c for _, c in cells), max(c for _, c in cells) + 1
    return [Line((x, 0.0, 0.0), (out_x + o, out_y + 1.0, 0.0), theme.connector, style.connector_width, frame=frame)
            for x, o in ((c0, output), (c1, output + 1))]


def _numbers_cell(width_cells: float) -> float:
    """Default cell size of the flat numbers view: its planes together about 540 px wide, as large as the oblique
    figures, so that digits stay sharp when projected (clamped for tiny and huge inputs)."""
    return float(min(64, max(16, round(540 / width_cells))))


def _as2d(shape: tuple[int, ...]) -> tuple[int, int]:
    return (1, shape[0]) if len(shape) == 1 else (shape[0], shape[1])


def _as2d_point(index: tuple[int, ...]) -> tuple[int, int]:
    return (0, index[0]) if len(index) == 1 else (index[0], index[1])


def _as2d_rows(grid: np.ndarray) -> list[tuple[int, int]]:
    return [(0, int(g[0])) if len(g) == 1 else (int(g[0]), int(g[1])) for g in grid]


def _lift(grid_rows: float, grid_cols: float, out_rows: float, out_cols: float, out_x: float,
          out_y: float) -> float:
    """Height of the output plane: its lowest corner sits clearly above the input plane's highest corner."""
    def ys(x0: float, y0: float, rows: float, cols: float) -> list[float]:
        return [OBLIQUE((x, y, 0.0))[1] for x in (x0, x0 + cols) for y in (y0, y0 + rows)]

    return max(ys(out_x, out_y, out_rows, out_cols)) - min(ys(0, 0, grid_rows, grid_cols)) + 1.4


def _cell(x: float, y: float, z: float, fill, opacity: float = 1.0, frame: int | None = None, size: float = 1.0):
    return Polygon(quad(x, y, z, size, size), fill, opacity, frame)


def _text_at(x: float, y: float, z: float, text: str, size: float, color, anchor: str, frame: int | None = None):
    return Text((x, y, z), text, size, color, anchor, frame=frame)


def _text_colors(fill: RGB, theme: Theme, muted: bool = False) -> tuple[RGB, RGB]:
    """Value text colours on a cell of `fill`: unshaded and under the window's shade, each with >= 4.5:1 contrast."""
    preferred = ((theme.muted_text,) if muted else ()) + (theme.text, theme.background)
    shaded = over(fill, theme.shade, theme.shade_opacity)
    return readable(fill, preferred), readable(shaded, preferred)


def _cover(x: float, y: float, z: float, fill: RGB, style: Style, frame: int):
    """The cell's own fill over its unshaded text (clear of the grid lines), so that a frame can redraw the text
    in the colour its shade needs."""
    inset = (style.line_width / 2 + 1) / style.cell
    return _cell(x + inset, y + inset, z, fill, frame=frame, size=1 - 2 * inset)


def _input_numbers(geometry: Geometry, frames: list, taps_rc: list[list[tuple[int, int]]], inputs: np.ndarray,
                   weights: np.ndarray, rows: AxisCut, cols: AxisCut, theme: Theme, style: Style) -> list:
    """Every cell's value; in each frame the window's cells shaded, their values recoloured for contrast, the
    kernel weights as subscripts (convolution) or the maximum outlined and bold (max pooling)."""
    spec = geometry.spec
    value_at = (0.5, 0.44 if spec.op == "conv" else 0.5)  # conv: a little higher, clear of the weight
    texts: dict[tuple[int, int], tuple[str, RGB, RGB, RGB]] = {}
    items = []
    for r in rows.kept:
        for c in cols.kept:
            read = geometry.grid_input((r, c) if spec.dims == 2 else (c,))
            fill = theme.zero_fill if read is None else theme.input_fill
            text = "0" if read is None else str(int(inputs[read]))
            plain, shaded = _text_colors(fill, theme, muted=read is None)
            texts[r, c] = (text, fill, plain, shaded)
            items.append(_text_at(cols.at(c) + value_at[0], rows.at(r) + value_at[1], 0.0, text, style.value_font,
                                  plain, "mm"))
    weight_font = style.small_font
    weight_inset = 0.09  # of a cell, from the bottom-right grid lines to the weight's baseline and right edge
    maxima = max_taps(geometry, inputs) if spec.op == "maxpool" else [-1] * len(frames)
    for t, frame in enumerate(frames):
        cells = taps_rc[t]
        items += [_cover(cols.at(c), rows.at(r), 0.0, texts[r, c][1], style, t) for r, c in cells]
        items += [_cell(cols.at(c), rows.at(r), 0.0, theme.shade, theme.shade_opacity, t) for r, c in cells]
        items += window_lines([(rows.at(r), cols.at(c)) for r, c in cells], 0.0, 0.0, 0.0, theme, style, t)
        for tap, (r, c) in enumerate(cells):
            text, _, _, shaded = texts[r, c]
            x, y = cols.at(c), rows.at(r)
            items.append(Text((x + value_at[0], y + value_at[1], 0.0), text, style.value_font, shaded, "mm",
                              bold=tap == maxima[t], frame=t))
            if spec.op == "conv":
                weight = str(int(weights[tuple(frame.kernel[tap])]))
                items.append(_text_at(x + 1 - weight_inset, y + 1 - weight_inset, 0.0, weight, weight_font, shaded,
                                      "rd", frame=t))
        if maxima[t] >= 0:
            r, c = cells[maxima[t]]
            items += _outline(cols.at(c), rows.at(r), 0.0, texts[r, c][3], style, t)
    return items


def _outline(x: float, y: float, z: float, color: RGB, style: Style, frame: int) -> list:
    """A rectangle just inside a cell's grid lines."""
    width = max(1.5, style.line_width * 1.2)
    inset = (style.line_width / 2 + width / 2 + 1.5) / style.cell
    a, b = inset, 1 - inset
    corners = [(x + a, y + a), (x + b, y + a), (x + b, y + b), (x + a, y + b)]
    return [Line((*corners[i], z), (*corners[(i + 1) % 4], z), color, width, frame=frame) for i in range(4)]


def _output_numbers(frames: list, outputs: np.ndarray, corner: tuple[float, float, float], rows_cut: AxisCut,
                    cols_cut: AxisCut, theme: Theme, style: Style) -> list:
    """Every output value in one format and one size (the largest that leaves a margin in the cell for them all);
    the current output's cell shaded and its value recoloured for contrast."""
    x0, y0, z = corner
    texts = format_values(outputs)
    size = min(fitted_size(text, style.value_font, 0.7 * style.cell) for text in texts.ravel())
    plain, shaded = _text_colors(theme.output_fill, theme)
    items = [_text_at(x0 + cols_cut.at(c) + 0.5, y0 + rows_cut.at(r) + 0.5, z, texts[r, c], size, plain, "mm")
             for r in rows_cut.kept for c in cols_cut.kept]
    for t, frame in enumerate(frames):
        r, c = _as2d_point(frame.output)
        x, y = x0 + cols_cut.at(c), y0 + rows_cut.at(r)
        items.append(_cover(x, y, z, theme.output_fill, style, t))
        items.append(_cell(x, y, z, theme.shade, theme.shade_opacity, t))
        items.append(_text_at(x + 0.5, y + 0.5, z, texts[r, c], size, shaded, "mm", frame=t))
    return items


def _connectors(cells: Sequence[tuple[float, float]], output: tuple[float, float], out_x: float, out_y: float,
                out_z: float, theme: Theme, style: Style, frame: int) -> list:
    rows = [r for r, _ in cells]
    cols = [c for _, c in cells]
    r0, r1, c0, c1 = min(rows), max(rows) + 1, min(cols), max(cols) + 1
    orow, ocol = output
    window = ((c0, r0), (c1, r0), (c1, r1), (c0, r1))
    target = ((out_x + ocol, out_y + orow), (out_x + ocol + 1, out_y + orow), (out_x + ocol + 1, out_y + orow + 1),
              (out_x + ocol, out_y + orow + 1))
    return [Line((wx, wy, 0.0), (tx, ty, out_z), theme.connector, style.connector_width, frame=frame)
            for (wx, wy), (tx, ty) in zip(window, target)]


def _grid_note(spec: ConvSpec, geometry: Geometry) -> str:
    """What the drawn grid adds to the input, in exact amounts: for a transposed convolution the zeros inserted
    between elements (stride - 1) and the edge padding (dilation*(kernel - 1) - padding, plus output_padding at the
    end), which is negative, a crop, when the padding is large."""
    if not spec.transposed:
        if geometry.grid_shape == spec.input_size:
            return ""
        if spec.symmetric_padding and len({b for b, _ in spec.padding}) == 1:
            return f"padded {shape_str(geometry.grid_shape)}"
        sides = (("left", "right"),) if spec.dims == 1 else (("top", "bottom"), ("left", "right"))
        amounts = ", ".join(f"{name} {amount}"
                            for (before_name, after_name), (before, after) in zip(sides, spec.padding)
                            for name, amount in ((before_name, before), (after_name, after)))
        return f"padded {shape_str(geometry.grid_shape)}:\n{amounts}"
    parts = []
    inserted = tuple(s - 1 for s in spec.stride)
    if any(inserted):
        parts.append(f"{_per_axis(inserted)} zero{'s' if max(inserted) > 1 or len(set(inserted)) > 1 else ''} "
                     "inserted between elements")
    edges = [(d * (k - 1) - before, d * (k - 1) - after + extra) for k, d, (before, after), extra
             in zip(spec.kernel_size, spec.dilation, spec.padding, spec.output_padding)]
    parts += _edge_parts(edges)
    if any(spec.output_padding):
        parts.append(f"(output_padding adds {_per_axis(spec.output_padding)} after)")
    return "\n".join([f"drawn {shape_str(geometry.grid_shape)}:"] + (parts or ["no zeros inserted, no padding"]))


def _per_axis(values: tuple[int, ...]) -> str:
    return str(values[0]) if len(set(values)) == 1 else shape_str(values)


def _edge_parts(edges: list[tuple[int, int]]) -> list[str]:
    """"padded 2", "padded 1 before, 2 after", "cropped 1"...: the grid's edges beyond the (zero-inserted) input."""
    befores, afters = tuple(b for b, _ in edges), tuple(a for _, a in edges)
    if not any(befores) and not any(afters):
        return []
    if all(b >= 0 for b in befores + afters):
        verb = "padded"
    elif all(b <= 0 for b in befores + afters):
        verb, befores, afters = "cropped", tuple(-b for b in befores), tuple(-a for a in afters)
    else:
        verb = "padded (negative: cropped)"
    if befores == afters:
        return [f"{verb} {_per_axis(befores)}"]
    return [f"{verb} {_per_axis(befores)} before, {_per_axis(afters)} after"]
