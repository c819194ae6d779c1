"""Numbers with channels, the classic lecture demo: every input channel as a flat plane of values side by side, the
window on each channel with the filter's weights, each channel's sum under its plane, the bias, and the output value
in its cell on the output channel's plane.

Every number is computed here from the taps `Geometry` lists (a sum over input channels of window times weights,
plus the bias); nothing is typed in. Layers past `MAX_CHANNELS` channels or a `MAX_SIDE` grid fall back to the
channels view without numbers, and its caption says where numbers stop (`numbers_limit_note`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convanim.describe import pytorch_code
from convanim.figures.canvas import finish, fitted_size, shape_str, style_for
from convanim.figures.captions import caption_lines, layer_note
from convanim.figures.frames import frame_plan
from convanim.figures.grid import grid_lines, window_lines
from convanim.figures.plane import _cell, _cover, _text_colors
from convanim.figures.values import INPUT_LEVELS, WEIGHT_LEVELS, format_values
from convanim.geometry import REAL, Geometry, channel_inputs
from convanim.patterns import hashed_integers
from convanim.primitives import Item, Text
from convanim.spec import ConvSpec
from convanim.view import ViewSpec

MAX_CHANNELS = 4  # input and output channels with numbers: each input channel is a plane of values side by side
MIN_CELL = 32  # pixels: values at 0.42 of a cell stay >= 13 px; a layer too wide for 1920 px at this size is refused
MAX_WIDTH = 1920
PLANE_GAP = 1.2  # cells between input planes
OUTPUT_GAP = 3.0  # cells between the last input plane and the output planes
BIAS_LEVELS = 3
OUTPUT_COLUMNS_FROM = 3  # this many output channels or more: their planes in two columns, so the figure stays low


def _width_cells(spec: ConvSpec, grid: tuple[int, ...], output: tuple[int, ...]) -> float:
    """The figure's width in cells: the input planes side by side, the output planes, room for the equation."""
    columns = 2 if spec.out_channels >= OUTPUT_COLUMNS_FROM else 1
    return (spec.in_channels * grid[1] + (spec.in_channels - 1) * PLANE_GAP + OUTPUT_GAP
            + columns * output[1] + (columns - 1) * PLANE_GAP + 5)


@dataclass(frozen=True, slots=True)
class ChannelValues:
    """The demo's numbers: inputs (C_in, *size), weights in PyTorch's layout (C_out, C_in/groups, *k), biases
    (C_out,), all small integers from a fixed hash (the same on every machine)."""

    inputs: np.ndarray
    weights: np.ndarray
    biases: np.ndarray


def channel_values(spec: ConvSpec) -> ChannelValues:
    per_in = spec.in_channels // spec.groups
    inputs = hashed_integers((spec.in_channels, *spec.input_size), INPUT_LEVELS, salt=1)
    weights = hashed_integers((spec.out_channels, per_in, *spec.kernel_size), WEIGHT_LEVELS, salt=5)
    biases = (hashed_integers((spec.out_channels,), BIAS_LEVELS, salt=9) if spec.bias
              else np.zeros(spec.out_channels, dtype=np.int64))
    return ChannelValues(inputs, weights, biases)


def channel_sums(geometry: Geometry, values: ChannelValues, position: int, out_channel: int) -> list[int]:
    """For one output position and channel, each read input channel's window times the filter's weights, summed
    over the real taps (padding and inserted zeros add nothing)."""
    spec = geometry.spec
    frame = geometry.frame(position)
    real = frame.real
    read = channel_inputs(spec)[out_channel]
    sums = []
    for local, ic in enumerate(read):
        taps = values.inputs[ic][tuple(frame.input[real].T)] if real.any() else np.zeros(0, np.int64)
        weights = values.weights[out_channel, local][tuple(frame.kernel[real].T)] if real.any() else np.zeros(0)
        sums.append(int((taps * weights).sum()))
    return sums


def channel_outputs(geometry: Geometry, values: ChannelValues) -> np.ndarray:
    """(C_out, *output_shape): every output as the sum of its channel sums plus the bias."""
    spec = geometry.spec
    out = np.zeros((spec.out_channels, *geometry.output_shape), dtype=np.int64)
    for oc in range(spec.out_channels):
        for p in range(geometry.frame_count):
            out[(oc, *geometry.frame(p).output)] = sum(channel_sums(geometry, values, p, oc)) + values.biases[oc]
    return out


def numbers_fit(spec: ConvSpec) -> bool:
    """Whether this layer is small enough to draw with numbers (see `MAX_CHANNELS`, `MAX_SIDE`)."""
    if spec.op != "conv" or spec.dims != 2:
        return False
    geometry = Geometry(spec)
    width = _width_cells(spec, geometry.grid_shape, geometry.output_shape) * MIN_CELL
    return spec.in_channels <= MAX_CHANNELS and spec.out_channels <= MAX_CHANNELS and width <= MAX_WIDTH


def numbers_limit_note(spec: ConvSpec) -> str:
    """One line: where numbers stop, said when a layer is past it."""
    if spec.op != "conv":
        return "(numbers with channels: convolutions only; pooling numbers are drawn for one channel)"
    return (f"(numbers are drawn for up to {MAX_CHANNELS} input and {MAX_CHANNELS} output channels whose planes fit "
            f"{MAX_WIDTH} px side by side; this layer has {spec.in_channels} in, {spec.out_channels} out, a "
            f"{shape_str(Geometry(spec).grid_shape)} grid)")


def build_channel_numbers_scene(spec: ConvSpec, view: ViewSpec, note: str = ""):
    """Flat scene of a small multi-channel 2d convolution with every number drawn; `note` is one more caption line
    (e.g. why an oblique request is drawn flat)."""
    geometry = Geometry(spec)
    theme = view.theme
    values = channel_values(spec)
    outputs = channel_outputs(geometry, values)
    reads = channel_inputs(spec)
    plan = frame_plan(geometry.frame_count, spec.out_channels, view)
    rows, cols = geometry.grid_shape
    out_rows, out_cols = geometry.output_shape
    n_in = spec.in_channels
    auto = float(min(56, max(MIN_CELL, (MAX_WIDTH - 120) // _width_cells(spec, (rows, cols), (out_rows, out_cols)))))
    style = style_for(view, max(rows, cols), auto)
    weight_font = max(13.0 * view.scale, style.cell * 0.3)
    real = geometry.grid_zero == REAL
    origins = [(ic * (cols + PLANE_GAP), 0.0) for ic in range(n_in)]
    out_x = n_in * cols + (n_in - 1) * PLANE_GAP + OUTPUT_GAP
    out_pitch = out_rows + 2.2
    columns = 2 if spec.out_channels >= OUTPUT_COLUMNS_FROM else 1
    per_column = -(-spec.out_channels // columns)
    out_top = (rows - (per_column * out_pitch - 2.2)) / 2
    out_origins = [(out_x + (oc // per_column) * (out_cols + PLANE_GAP), out_top + (oc % per_column) * out_pitch)
                   for oc in range(spec.out_channels)]

    items: list[Item] = []
    texts: dict[tuple[int, int, int], tuple[str, tuple, tuple, tuple]] = {}
    value_at = (0.5, 0.44)  # a little higher than the middle, clear of the weight
    for ic, (x0, y0) in enumerate(origins):
        for r in range(rows):
            for c in range(cols):
                read = geometry.grid_input((r, c))
                fill = theme.zero_fill if read is None else theme.input_fill
                items.append(_cell(x0 + c, y0 + r, 0.0, fill))
                text = "0" if read is None else str(int(values.inputs[(ic, *read)]))
                plain, shaded = _text_colors(fill, theme, muted=read is None)
                texts[ic, r, c] = (text, fill, plain, shaded)
        items += grid_lines(real, x0, y0, 0.0, theme, style)
        for (r, c), (text, _, plain, _) in ((rc, texts[(ic, *rc)]) for rc in np.ndindex(rows, cols)):
            items.append(Text((x0 + c + value_at[0], y0 + r + value_at[1], 0.0), text, style.value_font, plain))
        if view.labels:
            shape = shape_str(spec.input_size) + (f", padded {shape_str((rows, cols))}" if (rows, cols) !=
                                                   spec.input_size else "")
            items.append(Text((x0, y0 - 0.3 - style.note_font * 1.3 / style.cell, 0.0), f"input channel {ic}",
                              style.label_font, theme.text, "ls", bold=True))
            items.append(Text((x0, y0 - 0.3, 0.0), shape, style.note_font, theme.muted_text, "ls"))
    out_texts = format_values(outputs)
    out_size = min(fitted_size(t, style.value_font, 0.8 * style.cell) for t in out_texts.ravel())
    out_plain, out_shaded = _text_colors(theme.output_fill, theme)
    for oc, (x0, y0) in enumerate(out_origins):
        for r in range(out_rows):
            for c in range(out_cols):
                items.append(_cell(x0 + c, y0 + r, 0.0, theme.output_fill))
        items += grid_lines(np.ones((out_rows, out_cols), bool), x0, y0, 0.0, theme, style)
        items += [Text((x0 + c + 0.5, y0 + r + 0.5, 0.0), out_texts[oc, r, c], out_size, out_plain)
                  for r in range(out_rows) for c in range(out_cols)]
        if view.labels:
            bias = f", bias {int(values.biases[oc])}" if spec.bias else ""
            items.append(Text((x0, y0 - 0.3, 0.0), f"output channel {oc}{bias}", style.label_font, theme.text, "ls",
                              bold=True))

    frame_titles = []
    sum_y = rows + 0.35
    for t, (p, oc) in enumerate(plan.steps):
        frame = geometry.frame(p)
        cells = [(int(r), int(c)) for r, c in frame.grid]
        sums = channel_sums(geometry, values, p, oc)
        for local, ic in enumerate(reads[oc]):
            x0, y0 = origins[ic]
            items += [_cover(x0 + c, y0 + r, 0.0, texts[ic, r, c][1], style, t) for r, c in cells]
            items += [_cell(x0 + c, y0 + r, 0.0, theme.shade, theme.shade_opacity, t) for r, c in cells]
            items += window_lines(cells, x0, y0, 0.0, theme, style, t)
            for tap, (r, c) in enumerate(cells):
                text, _, _, shaded = texts[ic, r, c]
                items.append(Text((x0 + c + value_at[0], y0 + r + value_at[1], 0.0), text, style.value_font, shaded,
                                  frame=t))
                weight = str(int(values.weights[(oc, local, *frame.kernel[tap])]))
                items.append(Text((x0 + c + 0.91, y0 + r + 0.91, 0.0), weight, weight_font, shaded, "rd", frame=t))
            items.append(Text((x0 + cols / 2, y0 + sum_y, 0.0), f"channel {ic}: Σ = {sums[local]}",
                              style.label_font, theme.text, "ma", bold=True, frame=t))
        ox, oy = out_origins[oc]
        r, c = frame.output
        items.append(_cover(ox + c, oy + r, 0.0, theme.output_fill, style, t))
        items.append(_cell(ox + c, oy + r, 0.0, theme.shade, theme.shade_opacity, t))
        items.append(Text((ox + c + 0.5, oy + r + 0.5, 0.0), out_texts[(oc, r, c)], out_size, out_shaded, frame=t))
        total = int(outputs[(oc, r, c)])
        bias = f" + {int(values.biases[oc])} (bias)" if spec.bias else ""
        equation = " + ".join(map(str, sums)) + bias + f" = {total}"
        items.append(Text((out_x, max(sum_y, max(y for _, y in out_origins) + out_rows + 0.35), 0.0), equation,
                          style.label_font, theme.text, "la", bold=True, frame=t))
        frame_titles.append(f"frame {t + 1}/{len(plan.steps)}: output channel {oc} at ({r}, {c}) = "
                            f"{equation.replace(' (bias)', '')}")
    title = pytorch_code(spec).removeprefix("nn.")
    notes = [layer_note(spec)] + ([plan.note] if plan.note else []) + ([note] if note else [])
    captions = caption_lines(title, notes, tuple(frame_titles), style, theme) if view.caption else []
    return finish(items, captions, view, style, len(plan.steps), title, tuple(frame_titles))
