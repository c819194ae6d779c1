"""The numbers of a numerical animation: small deterministic inputs and weights, outputs computed from the taps."""

from __future__ import annotations

import numpy as np

from .geometry import REAL, Geometry

INPUT_LEVELS = 4  # inputs 0..3 and weights 0..2, as in the classic numerical figures
WEIGHT_LEVELS = 3


def _pattern(shape: tuple[int, ...], levels: int, salt: int) -> np.ndarray:
    """A fixed, irregular-looking pattern of integers in [0, levels) (a splitmix64 hash of the index): the same on
    every machine and numpy version."""
    with np.errstate(over="ignore"):
        x = (np.arange(int(np.prod(shape)), dtype=np.uint64) + np.uint64(salt)) * np.uint64(0x9E3779B97F4A7C15)
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return (x % np.uint64(levels)).astype(np.int64).reshape(shape)


def input_values(geometry: Geometry) -> np.ndarray:
    return _pattern(geometry.input_shape, INPUT_LEVELS, salt=1)


def kernel_values(geometry: Geometry) -> np.ndarray:
    return _pattern(geometry.spec.kernel_size, WEIGHT_LEVELS, salt=5)


def output_values(geometry: Geometry, inputs: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each output from its own taps: a sum of products, a maximum, or PyTorch's average (count_include_pad=True)."""
    spec = geometry.spec
    out = np.zeros(geometry.output_shape, dtype=np.float64)
    padded_end = np.array([n + b + a for n, (b, a) in zip(spec.input_size, spec.padding)])
    for frame in geometry.frames():
        real = frame.real
        read = inputs[tuple(frame.input[real].T)] if real.any() else np.zeros(0)
        if spec.op == "conv":
            value = float((read * weights[tuple(frame.kernel[real].T)]).sum())
        elif spec.op == "maxpool":
            value = float(read.max())
        else:  # the divisor counts padding but not the ceil_mode overhang past it
            inside = (frame.grid < padded_end).all(axis=1).sum()
            value = float(read.sum()) / float(inside)
        out[frame.output] = value
    return out


def format_value(value: float, op: str) -> str:
    if op == "avgpool":
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text if "." in text else f"{text}.0"
    return str(int(round(value)))


def zero_mask(geometry: Geometry) -> np.ndarray:
    return geometry.grid_zero != REAL
