"""Fixed example values: integers that look irregular but are the same on every machine and numpy version."""

from __future__ import annotations

import math

import numpy as np


def hashed_integers(shape: tuple[int, ...], levels: int, salt: int) -> np.ndarray:
    """Integers in [0, levels), a splitmix64 hash of each element's flat index (plus `salt`), shaped `shape`."""
    with np.errstate(over="ignore"):
        x = (np.arange(math.prod(shape), dtype=np.uint64) + np.uint64(salt)) * np.uint64(0x9E3779B97F4A7C15)
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return (x % np.uint64(levels)).astype(np.int64).reshape(shape)
