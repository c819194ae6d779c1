"""The numbers of a numerical animation: small deterministic inputs and weights, outputs computed from the taps."""

from __future__ import annotations

import numpy as np

from convanim.geometry import REAL, Geometry
from convanim.patterns import hashed_integers

INPUT_LEVELS = 4  # inputs 0..3 and weights 0..2, as in the classic numerical figures
WEIGHT_LEVELS = 3
MAXPOOL_LEVELS = 100  # max pooling draws distinct values (a shuffle of 0..n-1, at most two digits)
MAXPOOL_SALT = 12  # the shuffle that gives the classic 5x5 input, 3x3 window, stride 1 six different maxima


def _shuffle(shape: tuple[int, ...], salt: int) -> np.ndarray:
    """0..n-1 in a fixed, irregular order (the ranks of a hash), modulo `MAXPOOL_LEVELS`."""
    keys = hashed_integers((int(np.prod(shape)),), 1 << 62, salt)
    ranks = np.empty(keys.size, dtype=np.int64)
    ranks[np.argsort(keys, kind="stable")] = np.arange(keys.size)
    return (ranks % MAXPOOL_LEVELS).reshape(shape)


def input_values(geometry: Geometry) -> np.ndarray:
    """Small integers 0..3; for max pooling distinct values instead, so that each window has one maximum and the
    maxima differ between windows (with 0..3 nearly every window holds a 3 and every output is 3)."""
    if geometry.spec.op == "maxpool":
        return _shuffle(geometry.input_shape, MAXPOOL_SALT)
    return hashed_integers(geometry.input_shape, INPUT_LEVELS, salt=1)


def kernel_values(geometry: Geometry) -> np.ndarray:
    return hashed_integers(geometry.spec.kernel_size, WEIGHT_LEVELS, salt=5)


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


def max_taps(geometry: Geometry, inputs: np.ndarray) -> list[int]:
    """For each frame, the position in `frame.grid` of the tap holding the window's maximum: the first in the
    kernel's row-major order, as PyTorch's `return_indices` reports it (-1 for a window of padding only)."""
    taps = []
    for frame in geometry.frames():
        real = np.flatnonzero(frame.real)
        if real.size == 0:
            taps.append(-1)
            continue
        read = inputs[tuple(frame.input[real].T)]
        taps.append(int(real[int(np.argmax(read))]))
    return taps


def format_values(values: np.ndarray) -> np.ndarray:
    """One format for every value of a figure: integers when all are whole, else one decimal each ("2.0", "1.7")."""
    flat = np.asarray(values, dtype=np.float64)
    whole = bool(np.all(np.isclose(flat, np.round(flat))))
    texts = [str(int(round(v))) if whole else f"{v:.1f}" for v in flat.ravel()]
    return np.array(texts, dtype=object).reshape(flat.shape)


def zero_mask(geometry: Geometry) -> np.ndarray:
    return geometry.grid_zero != REAL
