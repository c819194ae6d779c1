"""Exact index geometry of a `ConvSpec`: which input each kernel tap reads, and where it sits in the drawn grid.

The drawn grid is the plane the classic convolution-arithmetic figures show under the kernel window:
- direct convolution and pooling: the padded input (extended at the end when ceil_mode lets the last window run past
  the padding);
- transposed convolution: the input with `stride - 1` zeros inserted between elements, padded by
  `dilation*(kernel-1) - padding` on each side plus `output_padding` at the end (a negative amount crops), swept by the
  flipped kernel with stride 1. The `kernel` index of a tap is always PyTorch's weight index.

This module is pure: numbers in, numpy arrays and tuples out. The scene and the CLI read everything from here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np

from convanim.spec import ConvSpec, SpecError, output_length, output_shape

# What a tap or grid cell holds: a real input element, or one of two kinds of implicit zero.
REAL, PADDING, INSERTED = 0, 1, 2
ZERO_NAMES = {REAL: None, PADDING: "padding", INSERTED: "inserted"}
DEFAULT_MAX_FRAMES = 20_000
# Limits checked from the spec's arithmetic before any array is made, so that no size exhausts memory.
MAX_AXIS_ENTRIES = 4_000_000  # one axis's tap table (outputs x kernel) plus its drawn grid: 3 arrays of 32 MB at most
MAX_FRAME_TAPS = 1_000_000  # kernel taps of one frame (the product of kernel_size)
MAX_MAP_TAPS = 1_000_000  # taps in all frames of `mapping` (each is a small dict in the JSON data)
MAX_CHANNEL_PAIRS = 1_000_000  # (output channel, input channel) pairs `mapping` lists


@dataclass(frozen=True, slots=True)
class AxisMap:
    """The geometry along one spatial axis. Tap arrays are shaped (output, kernel); grid arrays (grid,)."""

    tap_grid: np.ndarray  # grid coordinate of each tap
    tap_input: np.ndarray  # input index read by each tap, -1 for an implicit zero
    tap_zero: np.ndarray  # REAL, PADDING or INSERTED
    grid_input: np.ndarray  # input index drawn in each grid cell, -1 where the cell is an implicit zero
    grid_zero: np.ndarray  # REAL, PADDING or INSERTED for each grid cell


def _direct_axis(n: int, k: int, s: int, d: int, before: int, after: int, out: int) -> AxisMap:
    grid_len = max(n + before + after, (out - 1) * s + d * (k - 1) + 1)  # ceil_mode may run past the padding
    return _classify(np.arange(out)[:, None] * s + np.arange(k)[None, :] * d, grid_len, start=before, step=1, n=n)


def _transposed_axis(n: int, k: int, s: int, d: int, before: int, after: int, out: int) -> AxisMap:
    grid_len = out + d * (k - 1)
    flipped = (k - 1 - np.arange(k))[None, :] * d  # the drawn grid sees the kernel flipped
    start = d * (k - 1) - before  # grid coordinate of input 0; negative when the grid is cropped
    return _classify(np.arange(out)[:, None] + flipped, grid_len, start=start, step=s, n=n)


def _classify(tap_grid: np.ndarray, grid_len: int, start: int, step: int, n: int) -> AxisMap:
    """Name what each grid coordinate holds, given that input i is drawn at `start + i*step`."""
    grid = np.arange(grid_len)
    grid_input, grid_zero = _holds(grid, start, step, n)
    tap_input, tap_zero = _holds(tap_grid, start, step, n)
    return AxisMap(tap_grid, tap_input, tap_zero, grid_input, grid_zero)


def _holds(coords: np.ndarray, start: int, step: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    offset = coords - start
    inside = (offset >= 0) & (offset <= (n - 1) * step)
    real = inside & (offset % step == 0)
    zero = np.where(real, REAL, np.where(inside, INSERTED, PADDING))
    return np.where(real, offset // step, -1), zero


@dataclass(frozen=True, slots=True)
class Frame:
    """One output position and all of its kernel taps, in row-major kernel order."""

    index: int
    output: tuple[int, ...]
    kernel: np.ndarray  # (taps, dims) PyTorch weight indices
    input: np.ndarray  # (taps, dims), -1 rows for implicit zeros
    zero: np.ndarray  # (taps,) REAL, PADDING or INSERTED
    grid: np.ndarray  # (taps, dims) drawn-grid coordinates

    @property
    def real(self) -> np.ndarray:
        return self.zero == REAL


class Geometry:
    """All index relations of one spec. Cheap to build; frames are produced on demand."""

    def __init__(self, spec: ConvSpec) -> None:
        check_size(spec)
        self.spec = spec
        self.input_shape: tuple[int, ...] = spec.input_size
        self.output_shape: tuple[int, ...] = output_shape(spec)
        build = _transposed_axis if spec.transposed else _direct_axis
        self.axes: tuple[AxisMap, ...] = tuple(
            build(spec.input_size[a], spec.kernel_size[a], spec.stride[a], spec.dilation[a], *spec.padding[a],
                  self.output_shape[a])
            for a in range(spec.dims))
        self.grid_shape: tuple[int, ...] = tuple(len(axis.grid_input) for axis in self.axes)
        self.kernel_indices: np.ndarray = np.indices(spec.kernel_size).reshape(spec.dims, -1).T

    @property
    def frame_count(self) -> int:
        return math.prod(self.output_shape)

    @property
    def taps_per_frame(self) -> int:
        return math.prod(self.spec.kernel_size)

    def frame(self, index: int) -> Frame:
        """The frame of the `index`-th output position in row-major order."""
        output = tuple(int(v) for v in np.unravel_index(index, self.output_shape))
        k = self.kernel_indices
        grid = np.stack([axis.tap_grid[o, k[:, a]] for a, (axis, o) in enumerate(zip(self.axes, output))], axis=1)
        inputs = np.stack([axis.tap_input[o, k[:, a]] for a, (axis, o) in enumerate(zip(self.axes, output))], axis=1)
        zeros = np.stack([axis.tap_zero[o, k[:, a]] for a, (axis, o) in enumerate(zip(self.axes, output))], axis=1)
        zero = _combine(zeros)
        inputs[zero != REAL] = -1
        return Frame(index, output, k, inputs, zero, grid)

    def frames(self) -> Iterator[Frame]:
        for index in range(self.frame_count):
            yield self.frame(index)

    @cached_property
    def grid_zero(self) -> np.ndarray:
        """REAL, PADDING or INSERTED for every cell of the drawn grid (shape `grid_shape`)."""
        return _combine(np.stack(np.meshgrid(*[a.grid_zero for a in self.axes], indexing="ij"), axis=-1))

    def grid_input(self, grid: tuple[int, ...]) -> tuple[int, ...] | None:
        """The input element drawn at a grid cell, or None for an implicit zero."""
        if self.grid_zero[grid] != REAL:
            return None
        return tuple(int(axis.grid_input[g]) for axis, g in zip(self.axes, grid))

    def input_grid(self, input_index: tuple[int, ...]) -> tuple[int, ...] | None:
        """Where an input element is drawn in the grid, or None if the grid crops it away."""
        cells = []
        for axis, i in zip(self.axes, input_index):
            hits = np.flatnonzero(axis.grid_input == i)
            if not len(hits):
                return None
            cells.append(int(hits[0]))
        return tuple(cells)

    def receptive_field(self, output: tuple[int, ...]) -> tuple[tuple[int, int], ...] | None:
        """Inclusive (first, last) input index per axis that an output position reads, or None if only zeros."""
        box = []
        for axis, o in zip(self.axes, output):
            read = axis.tap_input[o][axis.tap_zero[o] == REAL]
            if not len(read):
                return None
            box.append((int(read.min()), int(read.max())))
        return tuple(box)

    def max_inputs_per_axis(self) -> tuple[int, ...]:
        """The most input elements any output reads along each axis (the kernel's reach, less implicit zeros)."""
        return tuple(int((axis.tap_zero == REAL).sum(axis=1).max()) for axis in self.axes)


def _combine(zeros: np.ndarray) -> np.ndarray:
    """Per-axis zero kinds (last axis) to one: padding if any axis is outside, else inserted if any, else real."""
    return np.where((zeros == PADDING).any(axis=-1), PADDING,
                    np.where((zeros == INSERTED).any(axis=-1), INSERTED, REAL))


class ChannelInputs(Sequence[Sequence[int]]):
    """For each output channel, the input channels it reads, as a `range`; each computed when asked for, so that a
    layer of a billion channels costs nothing until a channel is drawn."""

    def __init__(self, spec: ConvSpec) -> None:
        self.spec = spec

    def __len__(self) -> int:
        return self.spec.out_channels

    def __getitem__(self, oc: int) -> range:  # type: ignore[override]
        if not -len(self) <= oc < len(self):
            raise IndexError(oc)
        oc %= len(self)
        if self.spec.is_pool:
            return range(oc, oc + 1)
        per_in = self.spec.in_channels // self.spec.groups
        per_out = self.spec.out_channels // self.spec.groups
        return range((oc // per_out) * per_in, (oc // per_out + 1) * per_in)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(tuple(a) == tuple(b) for a, b in zip(self, other))

    def __hash__(self) -> int:
        return hash(tuple(tuple(inputs) for inputs in self))


def channel_inputs(spec: ConvSpec) -> ChannelInputs:
    """For each output channel, the input channels it reads (groups split both sides evenly)."""
    return ChannelInputs(spec)


def channel_pairs(spec: ConvSpec) -> int:
    """How many (output channel, input channel) connections the layer has."""
    return spec.out_channels if spec.is_pool else spec.out_channels * (spec.in_channels // spec.groups)


def axis_entries(spec: ConvSpec, axis: int) -> int:
    """How many entries one axis's index arrays hold: the tap table (outputs x kernel) and the drawn grid."""
    n, k, s, d = spec.input_size[axis], spec.kernel_size[axis], spec.stride[axis], spec.dilation[axis]
    out = output_length(spec, axis)
    before, after = spec.padding[axis]
    grid = out + d * (k - 1) if spec.transposed else max(n + before + after, (out - 1) * s + d * (k - 1) + 1)
    return out * k + grid


def fitting_input(spec: ConvSpec, fits: Callable[[ConvSpec], bool]) -> int | None:
    """The largest size m such that the spec with every input axis cut to at most m still `fits` (and has an output),
    for messages that say which input_size would work; None when none does."""
    def cut(m: int) -> ConvSpec:
        return replace(spec, input_size=tuple(min(n, m) for n in spec.input_size))

    low, high = 0, max(spec.input_size)
    while low < high:  # what fits shrinks as the input grows
        middle = (low + high + 1) // 2
        if fits(cut(middle)):
            low = middle
        else:
            high = middle - 1
    if low < 1 or any(output_length(cut(low), a) < 1 for a in range(spec.dims)):
        return None
    return low


def _input_hint(spec: ConvSpec, fits: Callable[[ConvSpec], bool]) -> str:
    size = fitting_input(spec, fits)
    return f"input_size={size} would work" if size is not None else "a smaller input_size is needed"


def check_size(spec: ConvSpec) -> None:
    """Refuse, from the spec's arithmetic alone, one whose index arrays would not fit in memory (`MAX_FRAME_TAPS`
    kernel taps per frame, `MAX_AXIS_ENTRIES` per axis)."""
    taps = math.prod(spec.kernel_size)
    if taps > MAX_FRAME_TAPS:
        side = math.floor(MAX_FRAME_TAPS ** (1 / spec.dims) + 1e-9)
        raise SpecError(f"kernel_size: {'x'.join(map(str, spec.kernel_size))} is {taps:,} taps per output, more "
                        f"than the limit of {MAX_FRAME_TAPS:,}; kernel_size={side} would work")
    for axis in range(spec.dims):
        entries = axis_entries(spec, axis)
        if entries > MAX_AXIS_ENTRIES:
            where = f" on axis {axis}" if spec.dims > 1 else ""
            hint = _input_hint(spec, lambda s, a=axis: axis_entries(s, a) <= MAX_AXIS_ENTRIES)  # type: ignore[misc]
            raise SpecError(f"input_size: this spec needs {entries:,} index entries{where} (outputs x kernel taps "
                            f"plus grid cells), more than the limit of {MAX_AXIS_ENTRIES:,}; {hint}")


def frame_count(spec: ConvSpec) -> int:
    """Output positions: the frames of an animation that sweeps the output once."""
    return math.prod(output_shape(spec))


def check_frame_limit(spec: ConvSpec | Geometry, max_frames: int) -> None:
    """Refuse more output positions than `max_frames`, from arithmetic (before any array is made)."""
    spec = spec.spec if isinstance(spec, Geometry) else spec
    frames = frame_count(spec)
    if frames > max_frames:
        hint = _input_hint(spec, lambda s: frame_count(s) <= max_frames)
        raise SpecError(f"max_frames: this spec has {frames:,} output positions (frames), more than the limit of "
                        f"{max_frames:,}; {hint}, or raise max_frames")


def mapping(spec: ConvSpec, max_frames: int = DEFAULT_MAX_FRAMES) -> dict[str, Any]:
    """The whole index map as plain JSON-ready data (the `convanim map --json` contract)."""
    if max_frames < 1:
        raise SpecError(f"max_frames: must be positive, got {max_frames}")
    check_size(spec)
    check_frame_limit(spec, max_frames)
    taps = frame_count(spec) * math.prod(spec.kernel_size)
    if taps > MAX_MAP_TAPS:
        hint = _input_hint(spec, lambda s: frame_count(s) * math.prod(s.kernel_size) <= MAX_MAP_TAPS)
        raise SpecError(f"input_size: the map would list {taps:,} taps (output positions x kernel taps), more than "
                        f"the limit of {MAX_MAP_TAPS:,}; {hint}")
    pairs = channel_pairs(spec)
    if pairs > MAX_CHANNEL_PAIRS:
        raise SpecError(f"out_channels: the map would list {pairs:,} channel connections (output channels x input "
                        f"channels per group), more than the limit of {MAX_CHANNEL_PAIRS:,}; fewer channels or more "
                        f"groups would work")
    geometry = Geometry(spec)
    return {
        "input_shape": list(geometry.input_shape),
        "output_shape": list(geometry.output_shape),
        "grid_shape": list(geometry.grid_shape),
        "in_channels": spec.in_channels,
        "out_channels": spec.out_channels,
        "groups": spec.groups,
        "frames": [_frame_dict(frame) for frame in geometry.frames()],
        "channels": [{"output": oc, "inputs": list(inputs)} for oc, inputs in enumerate(channel_inputs(spec))],
    }


def _frame_dict(frame: Frame) -> dict[str, Any]:
    kernel, inputs, grid = frame.kernel.tolist(), frame.input.tolist(), frame.grid.tolist()
    taps = []
    for t, zero in enumerate(frame.zero.tolist()):
        taps.append({"kernel": kernel[t], "input": inputs[t] if zero == REAL else None, "padding": zero != REAL,
                     "zero": ZERO_NAMES[zero], "grid": grid[t]})
    return {"output": list(frame.output), "taps": taps}
