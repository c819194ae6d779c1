"""Dropout against channel dropout, exactly and reproducibly: which elements (nn.Dropout) or whole channels
(nn.Dropout2d) a few training steps zero, the survivors' 1/(1-p) scale, and the identity at eval time.

The masks come from a splitmix64 hash of (seed, mode, step, index) compared with p, so the same spec gives the same
masks on every machine and numpy version (PyTorch's own generator is not reproduced: these are examples of the rule,
not PyTorch's draws). Pure numbers, no drawing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from convanim.errors import SpecError

if TYPE_CHECKING:
    import numpy as np

MAX_STEPS = 64
MAX_DROPOUT_ELEMENTS = 4096  # per step: the figure draws every element


@dataclass(frozen=True, slots=True)
class DropoutSpec:
    p: float  # probability of zeroing an element (nn.Dropout) or a channel (nn.Dropout2d)
    shape: tuple[int, ...]  # (C, L), (C, H, W) or (C, D, H, W): one sample
    steps: int  # training steps drawn, then one eval step
    seed: int

    @property
    def scale(self) -> float:
        """What the survivors are multiplied by in training, so that the expected value is unchanged."""
        return 1.0 / (1.0 - self.p)

    @property
    def channel_layer(self) -> str:
        return f"nn.Dropout{len(self.shape) - 1}d({self.p:g})"

    @property
    def element_layer(self) -> str:
        return f"nn.Dropout({self.p:g})"


def make_dropout(p: float = 0.5, shape: tuple[int, ...] | list[int] = (4, 4, 4), steps: int = 3,
                 seed: int = 0) -> DropoutSpec:
    """Validate: `make_dropout(0.5, (4, 5, 5), steps=3, seed=0)`."""
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 1:
        raise SpecError(f"p: must be a probability in [0, 1) (survivors are scaled by 1/(1-p)), got {p!r}")
    shape = tuple(shape)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in shape) or not 2 <= len(shape) <= 4:
        raise SpecError(f"shape: must be C,L or C,H,W or C,D,H,W (one sample, 2 to 4 sizes), got {shape!r}")
    if any(v < 1 for v in shape):
        raise SpecError(f"shape: every size must be positive, got {shape}")
    if math.prod(shape) > MAX_DROPOUT_ELEMENTS:
        raise SpecError(f"shape: at most {MAX_DROPOUT_ELEMENTS} elements are drawn, got {math.prod(shape):,}")
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise SpecError(f"steps: must be between 1 and {MAX_STEPS} training steps, got {steps!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise SpecError(f"seed: must be an integer in [0, 2**32), got {seed!r}")
    return DropoutSpec(p=float(p), shape=shape, steps=steps, seed=seed)


def uniform(seed: int, stream: int, step: int, count: int) -> np.ndarray:
    """`count` numbers in [0, 1) from a splitmix64 hash: exact, the same everywhere."""
    import numpy as np

    key = (seed * 0x100000001B3 + stream * 0x9E3779B9 + step * 0x85EBCA6B) & 0xFFFFFFFFFFFFFFFF
    with np.errstate(over="ignore"):
        x = (np.arange(count, dtype=np.uint64) + np.uint64(key)) * np.uint64(0x9E3779B97F4A7C15)
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


ELEMENT_STREAM, CHANNEL_STREAM = 1, 2


def element_masks(spec: DropoutSpec) -> np.ndarray:
    """(steps, *shape) booleans: True where nn.Dropout keeps the element in that training step."""
    import numpy as np

    count = math.prod(spec.shape)
    return np.stack([uniform(spec.seed, ELEMENT_STREAM, step, count) >= spec.p
                     for step in range(spec.steps)]).reshape((spec.steps, *spec.shape))


def channel_masks(spec: DropoutSpec) -> np.ndarray:
    """(steps, *shape) booleans: True where nn.Dropout2d keeps the element, i.e. its whole channel survives."""
    import numpy as np

    channels = spec.shape[0]
    keep = np.stack([uniform(spec.seed, CHANNEL_STREAM, step, channels) >= spec.p for step in range(spec.steps)])
    return np.broadcast_to(keep.reshape((spec.steps, channels) + (1,) * (len(spec.shape) - 1)),
                           (spec.steps, *spec.shape)).copy()


def apply_dropout(values: np.ndarray, keep: np.ndarray, p: float) -> np.ndarray:
    """Training-mode output: kept values scaled by 1/(1-p), the rest zero."""
    import numpy as np

    return np.where(keep, values / (1.0 - p), 0.0)


def variance_words(p: float) -> str:
    """The train/eval variance difference (Li et al. 2019, the "variance shift" against batch norm)."""
    factor = 1 / (1 - p)
    return (f"train: Var = (σ² + p·μ²)/(1−p), {factor:.3g}× σ² for zero-mean inputs; eval: identity, Var = σ², "
            f"so a following BatchNorm's running_var no longer fits")


def dropout_json(spec: DropoutSpec) -> dict[str, Any]:
    """Per training step, the kept elements' indices for each layer."""
    import numpy as np

    elements, channels = element_masks(spec), channel_masks(spec)
    return {"p": spec.p, "shape": list(spec.shape), "seed": spec.seed, "scale": spec.scale,
            "steps": [{"dropout_kept": np.argwhere(elements[t]).tolist(),
                       "channel_dropout_kept_channels": np.flatnonzero(channels[t].reshape(spec.shape[0], -1)[:, 0])
                       .tolist()} for t in range(spec.steps)]}


def explain_dropout(spec: DropoutSpec) -> str:
    import numpy as np

    elements, channels = element_masks(spec), channel_masks(spec)
    total = math.prod(spec.shape)
    lines = [f"{spec.element_layer} against {spec.channel_layer} on a {'×'.join(map(str, spec.shape))} tensor "
             f"(seed {spec.seed})",
             f"  training: each element ({spec.element_layer}) or whole channel ({spec.channel_layer}) is zeroed "
             f"with probability {spec.p:g}; survivors ×{spec.scale:.4g} = 1/(1−p)"]
    for t in range(spec.steps):
        zeroed = total - int(elements[t].sum())
        dropped = np.flatnonzero(~channels[t].reshape(spec.shape[0], -1)[:, 0]).tolist()
        lines.append(f"  step {t + 1}: Dropout zeroed {zeroed} of {total} elements; Dropout{len(spec.shape) - 1}d "
                     f"zeroed channel{'s' * (len(dropped) != 1)} {', '.join(map(str, dropped)) or 'none'}")
    lines.append("  eval: identity (nothing zeroed, nothing scaled)")
    lines.append(f"  {variance_words(spec.p)}")
    return "\n".join(lines)
