"""Normalisation layers as exact sets: which elements of a tensor share one mean and one variance.

Batch, layer, instance and group normalisation (Wu and He 2018, figure 2) differ only in the sets of elements they
pool statistics over; weight normalisation divides each output channel's weights by their norm. `make_norm` builds a
validated `NormSpec`; `statistic_index` numbers each element's set, and everything else (the sets as index lists,
counts, the numbers of a small example, the JSON contract and the text) is read from it. Pure numbers, no drawing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from convanim.errors import SpecError

if TYPE_CHECKING:
    import numpy as np

KINDS = ("batch", "layer", "instance", "group", "weight")
DEFAULT_EPS = 1e-5
BATCH_NORM_MOMENTUM = 0.1  # PyTorch's default: running = (1 - momentum) * running + momentum * batch
MAX_LISTED = 100_000  # elements: more is too many to list in JSON, compute as numbers or draw
MAX_ELEMENTS = 10**12  # a sanity bound for counting (explain works on real layer shapes)
KIND_NAMES = {"batch": "batch norm", "layer": "layer norm", "instance": "instance norm", "group": "group norm",
              "weight": "weight norm"}


@dataclass(frozen=True, slots=True)
class NormSpec:
    """One normalisation on one tensor shape. Every field is explicit after `make_norm`."""

    kind: str  # one of KINDS
    shape: tuple[int, ...]  # (N, C, *spatial); a sequence's (N, L, D); weight norm: (out, in, *kernel)
    groups: int  # channel groups per sample sharing statistics: G for group, 1 for layer, C for instance; 0 for
    # batch (which pools over samples) and weight norm
    sequence: bool  # layer norm over the last dimension of an (N, L, D) sequence, as transformers use it
    eps: float
    affine: bool  # learnable gamma and beta (PyTorch's default: True, False for instance norm)

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def elements(self) -> int:
        return math.prod(self.shape)

    @property
    def statistic_count(self) -> int:
        """How many means (and as many variances, or norms for weight norm) are computed."""
        n, c = self.shape[0], self.shape[1]
        return {"batch": c, "layer": n * (self.shape[1] if self.sequence else 1), "instance": n * c,
                "group": n * self.groups, "weight": n}[self.kind]

    @property
    def elements_per_statistic(self) -> int:
        return self.elements // self.statistic_count

    @property
    def normalized_shape(self) -> tuple[int, ...]:
        """LayerNorm's `normalized_shape`: the trailing dimensions it pools over."""
        return self.shape[2:] if self.sequence else self.shape[1:]

    @property
    def parameters(self) -> int:
        """Learnable parameters: gamma and beta (per channel; per element of `normalized_shape` for layer norm's
        elementwise_affine); for weight norm g (one per output channel) and v (the direction, as many as weights)."""
        if self.kind == "weight":
            return self.shape[0] + self.elements
        if not self.affine:
            return 0
        return 2 * (math.prod(self.normalized_shape) if self.kind == "layer" else self.shape[1])

    @property
    def running_statistics(self) -> int:
        """Buffers a batch norm keeps for eval time: running_mean and running_var, one each per channel."""
        return 2 * self.shape[1] if self.kind == "batch" else 0


def default_shape(kind: str, sequence: bool = False, numbers: bool = False) -> tuple[int, ...]:
    """The shape drawn when none is given: the Group Norm paper's proportions (N×C×H×W = 4×6×3×3), a weight of
    8×3×3×3, a 2×6×8 sequence; with numbers small enough for every value to be read on a slide."""
    if sequence:
        return (2, 4, 5) if numbers else (2, 6, 8)
    if kind == "weight":
        return (2, 3, 2, 2) if numbers else (8, 3, 3, 3)
    return (2, 4, 2, 2) if numbers else (4, 6, 3, 3)


def make_norm(kind: str, shape: tuple[int, ...] | list[int], groups: int | None = None, *, sequence: bool = False,
              eps: float = DEFAULT_EPS, affine: bool | None = None) -> NormSpec:
    """Validate a normalisation: `make_norm("group", (2, 6, 3, 3), groups=3)`, `make_norm("layer", (2, 5, 8),
    sequence=True)`. `affine=None` takes PyTorch's default for the kind."""
    if kind not in KINDS:
        raise SpecError(f"kind: must be one of {', '.join(KINDS)}; got {kind!r}")
    shape = tuple(shape)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in shape):
        raise SpecError(f"shape: must be integers, got {shape!r}")
    what = ("(N, L, D): batch, tokens, features" if sequence else
            "(out_channels, in_channels, *kernel_size) with 1 to 3 kernel axes" if kind == "weight" else
            "N,C,L or N,C,H,W or N,C,D,H,W")
    if sequence and len(shape) != 3:
        raise SpecError(f"shape: a sequence is {what}, 3 sizes; got {len(shape)}: {shape}")
    if not 3 <= len(shape) <= 5:
        raise SpecError(f"shape: must be {what} (3 to 5 sizes); got {len(shape)}: {shape}")
    if any(v < 1 for v in shape):
        raise SpecError(f"shape: every size must be positive, got {shape}")
    if math.prod(shape) > MAX_ELEMENTS:
        raise SpecError(f"shape: at most {MAX_ELEMENTS:.0e} elements, got {math.prod(shape):,}")
    if sequence and kind != "layer":
        raise SpecError(f"sequence: only layer norm normalises a sequence's features (kind='layer'); got "
                        f"kind={kind!r}")
    channels = shape[1]
    if kind == "group":
        if groups is None:
            raise SpecError("groups: group norm needs a number of groups (nn.GroupNorm(num_groups, num_channels))")
        if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
            raise SpecError(f"groups: must be a positive integer, got {groups!r}")
        if channels % groups:
            raise SpecError(f"groups: must divide the {channels} channels, got {groups}")
    elif groups is not None:
        raise SpecError(f"groups: only group norm takes groups (kind='group'), got groups={groups} for "
                        f"kind={kind!r}")
    if not (isinstance(eps, (int, float)) and not isinstance(eps, bool) and 0 < eps < 1):
        raise SpecError(f"eps: must be a number between 0 and 1 (exclusive), got {eps!r}")
    if kind == "weight" and affine is not None:
        raise SpecError("affine: weight norm has no affine option (its parameters are g and v)")
    if affine is None:
        affine = kind not in ("instance", "weight")
    resolved = {"batch": 0, "layer": 1, "instance": channels, "group": groups or 0, "weight": 0}[kind]
    spec = NormSpec(kind=kind, shape=shape, groups=resolved, sequence=bool(sequence), eps=float(eps),
                    affine=bool(affine))
    if kind in ("batch", "instance") and spec.elements_per_statistic == 1:
        over = "N×spatial" if kind == "batch" else "the spatial positions"
        raise SpecError(f"shape: {KIND_NAMES[kind]} needs more than 1 value per statistic in training (PyTorch "
                        f"refuses it); {over} is 1 in {shape}")
    return spec


def default_groups(channels: int) -> int:
    """The group count the four-panel figure draws when none is given: the fewest groups of more than one channel
    (2 groups of 3 for 6 channels, as in the paper's figure), or one group per channel for a prime count."""
    return next((g for g in range(2, channels) if channels % g == 0), channels)


def four_specs(shape: tuple[int, ...], groups: int | None = None) -> list[NormSpec]:
    """Batch, layer, instance and group norm of one shape (the paper's figure 2)."""
    chosen = groups if groups is not None else default_groups(shape[1])
    return [make_norm("batch", shape), make_norm("layer", shape), make_norm("instance", shape),
            make_norm("group", shape, chosen)]


def check_listable(spec: NormSpec) -> None:
    """Refuse, before allocating, a tensor too large to list element by element."""
    if spec.elements > MAX_LISTED:
        raise SpecError(f"shape: {spec.elements:,} elements are too many to list or draw one by one (at most "
                        f"{MAX_LISTED:,}); the counts and the explanation work at any size")


def statistic_index(spec: NormSpec) -> np.ndarray:
    """For every element of the tensor (array of `spec.shape`), the number of the statistic it belongs to.

    Statistics are numbered in the order PyTorch lays them out: per channel (batch), per sample (layer), per sample
    then channel (instance), per sample then group (group), per sample then token (sequence layer norm), per output
    channel (weight)."""
    import numpy as np

    check_listable(spec)
    n = np.arange(spec.shape[0]).reshape((-1,) + (1,) * (spec.rank - 1))
    c = np.arange(spec.shape[1]).reshape((1, -1) + (1,) * (spec.rank - 2))
    if spec.kind == "batch":
        index = c
    elif spec.kind in ("layer", "weight") and not spec.sequence:
        index = n
    elif spec.sequence:  # (N, L, D): one statistic per sample and token
        index = n * spec.shape[1] + c
    else:  # instance (groups = C) and group
        index = n * spec.groups + c // (spec.shape[1] // spec.groups)
    return np.broadcast_to(index, spec.shape).copy()


def statistic_sets(spec: NormSpec) -> list[list[tuple[int, ...]]]:
    """Each statistic's elements as index tuples, in row-major order; statistics in `statistic_index` order."""
    import numpy as np

    index = statistic_index(spec)
    order = np.argsort(index, axis=None, kind="stable")
    positions = np.stack(np.unravel_index(order, spec.shape), axis=1).tolist()
    size = spec.elements_per_statistic
    return [[tuple(p) for p in positions[k * size:(k + 1) * size]] for k in range(spec.statistic_count)]


def pytorch_layer(spec: NormSpec) -> str:
    """The PyTorch expression: `nn.BatchNorm2d(6)`, `nn.LayerNorm([6, 3, 3])`, `nn.GroupNorm(2, 6)`..."""
    d = spec.rank - 2
    c = spec.shape[1]
    extra: list[str] = []
    if spec.eps != DEFAULT_EPS:
        extra.append(f"eps={spec.eps:g}")
    default_affine = spec.kind != "instance"
    if spec.kind != "weight" and spec.affine != default_affine:
        extra.append(f"{'elementwise_affine' if spec.kind == 'layer' else 'affine'}={spec.affine}")
    if spec.kind == "batch":
        args = [str(c)]
        name = f"BatchNorm{d}d"
    elif spec.kind == "layer":
        normalized = spec.normalized_shape
        args = [str(normalized[0]) if len(normalized) == 1 else str(list(normalized))]
        name = "LayerNorm"
    elif spec.kind == "instance":
        args, name = [str(c)], f"InstanceNorm{d}d"
    elif spec.kind == "group":
        args, name = [str(spec.groups), str(c)], "GroupNorm"
    else:
        kernel = spec.shape[2:]
        size = str(kernel[0]) if len(set(kernel)) == 1 else str(kernel)
        return f"weight_norm(nn.Conv{d}d({spec.shape[1]}, {spec.shape[0]}, {size}, bias=False))"
    return f"nn.{name}({', '.join(args + extra)})"


SPATIAL_NAMES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}
KERNEL_NAMES = {1: ("k",), 2: ("kH", "kW"), 3: ("kD", "kH", "kW")}


def spatial_names(spec: NormSpec) -> tuple[str, ...]:
    """The names of the axes after the first two: L, H W or D H W (a kernel's k, kH kW, kD kH kW)."""
    return (KERNEL_NAMES if spec.kind == "weight" else SPATIAL_NAMES)[spec.rank - 2]


def axis_names(spec: NormSpec) -> tuple[str, ...]:
    """A name per tensor dimension, as figures and text write them."""
    if spec.sequence:
        return ("N", "L", "D")
    return ("out", "in") + spatial_names(spec) if spec.kind == "weight" else ("N", "C") + spatial_names(spec)


def shape_words(spec: NormSpec) -> str:
    """`4×6×3×3 (N×C×H×W)`."""
    return f"{'×'.join(map(str, spec.shape))} ({'×'.join(axis_names(spec))})"


def describe_set(spec: NormSpec, statistic: int) -> str:
    """Which elements statistic number `statistic` pools, in words."""
    n, c = spec.shape[0], spec.shape[1]
    spatial = "×".join(map(str, spec.shape[2:]))
    if spec.kind == "batch":
        return f"channel {statistic}: all {n} samples × {spatial} positions"
    if spec.kind == "weight":
        return f"output channel {statistic}: its {c} input channels × {spatial} kernel"
    if spec.sequence:
        return f"sample {statistic // c}, token {statistic % c}: its {spec.shape[2]} features"
    if spec.kind == "layer":
        return f"sample {statistic}: all {c} channels × {spatial} positions"
    sample, group = divmod(statistic, spec.groups)
    if spec.kind == "instance":
        return f"sample {sample}, channel {group}: {spatial} positions"
    width = c // spec.groups
    first = group * width
    channels = f"channel {first}" if width == 1 else f"channels {first}–{first + width - 1}"
    return f"sample {sample}, group {group} ({channels}) × {spatial} positions"


def pooled_words(spec: NormSpec) -> str:
    """What one statistic pools over, e.g. "3 channels × 3×3 positions of one sample"."""
    n, c = spec.shape[0], spec.shape[1]
    spatial = "×".join(map(str, spec.shape[2:]))
    if spec.kind == "batch":
        return f"one channel over {n} samples × {spatial} positions"
    if spec.kind == "weight":
        return f"one output channel's {c} input channels × {spatial} kernel"
    if spec.sequence:
        return f"one token's {spec.shape[2]} features"
    if spec.kind == "layer":
        return f"one sample's {c} channels × {spatial} positions"
    if spec.kind == "instance":
        return f"one sample's one channel × {spatial} positions"
    width = c // spec.groups
    return f"one sample's group of {width} channel{'s' * (width > 1)} × {spatial} positions"


def parameter_words(spec: NormSpec) -> str:
    """The learnable parameters in words, with their count."""
    if spec.kind == "weight":
        return (f"{spec.parameters:,}: g, one per output channel ({spec.shape[0]}), and the direction v "
                f"({spec.elements:,}, the weight's shape)")
    if not spec.affine:
        return "0 (affine=False: no gamma or beta)"
    if spec.kind == "layer":
        per = "×".join(map(str, spec.normalized_shape))
        return f"{spec.parameters:,}: gamma and beta per element of normalized_shape ({per}, elementwise_affine)"
    return f"{spec.parameters:,}: gamma and beta per channel (2×{spec.shape[1]})"


def eval_words(spec: NormSpec) -> str:
    """What changes at eval time."""
    if spec.kind == "batch":
        c = spec.shape[1]
        return (f"running_mean and running_var ({c} each) are updated in training (momentum {BATCH_NORM_MOMENTUM:g}, "
                f"running_var from the unbiased variance) and used at eval instead of the batch's statistics")
    if spec.kind == "weight":
        return "nothing changes at eval: the weight is g·v/‖v‖ in both modes"
    return "nothing changes at eval: each sample is normalised by its own statistics in both modes"


def explain_norm(spec: NormSpec) -> str:
    """The text `convanim norm` prints: the layer, the sets, the counts and what eval time changes."""
    layer = pytorch_layer(spec)
    if spec.kind == "weight":
        formula = "w = g · v / ‖v‖ (one norm per output channel)"
        stats = f"norms: {spec.statistic_count:,}, each over {spec.elements_per_statistic:,} weights"
    else:
        formula = (f"y = (x − mean) / sqrt(var + eps) · gamma + beta; var biased (divides by "
                   f"{spec.elements_per_statistic:,}), eps = {spec.eps:g}")
        stats = (f"statistics: {spec.statistic_count:,} means and as many variances, each over "
                 f"{spec.elements_per_statistic:,} elements")
    lines = [f"{layer} on a {shape_words(spec)} tensor",
             f"  each statistic pools {pooled_words(spec)}",
             f"  {stats}",
             f"  learnable parameters: {parameter_words(spec)}",
             f"  {formula}",
             f"  {eval_words(spec)}"]
    return "\n".join(lines)


def norm_json(spec: NormSpec) -> dict[str, Any]:
    """The `--json` contract: every element index of every statistic's set."""
    return {"kind": spec.kind, "shape": list(spec.shape), "layer": pytorch_layer(spec),
            "parameters": spec.parameters,
            "statistics": [{"elements": [list(e) for e in elements]} for elements in statistic_sets(spec)]}


@dataclass(frozen=True, slots=True)
class NormNumbers:
    """A small example: integer inputs, each statistic's mean and biased variance (or norm), the output."""

    values: np.ndarray  # spec.shape, small integers
    means: np.ndarray  # per statistic; weight norm: zeros (it subtracts no mean)
    variances: np.ndarray  # per statistic, biased; weight norm: the squared norm ‖v‖²
    outputs: np.ndarray  # spec.shape: normalised (gamma = 1, beta = 0, as initialised); weight norm: v / ‖v‖


VALUE_LEVELS = 10  # inputs 0..9


def example_values(shape: tuple[int, ...], salt: int = 7) -> np.ndarray:
    """A fixed, irregular-looking tensor of integers 0..9: the same on every machine and numpy version."""
    from convanim.patterns import hashed_integers

    return hashed_integers(shape, VALUE_LEVELS, salt)


def norm_numbers(spec: NormSpec, values: np.ndarray | None = None) -> NormNumbers:
    """Statistics and outputs as PyTorch computes them in training mode (biased variance, eps inside the root;
    gamma 1 and beta 0 as initialised). `values` defaults to `example_values`."""
    import numpy as np

    index = statistic_index(spec)
    x = (example_values(spec.shape) if values is None else np.asarray(values)).astype(np.float64)
    if x.shape != spec.shape:
        raise SpecError(f"values: must have the shape {spec.shape}, got {x.shape}")
    count = spec.statistic_count
    sizes = np.bincount(index.ravel(), minlength=count).astype(np.float64)
    means = np.bincount(index.ravel(), weights=x.ravel(), minlength=count) / sizes
    if spec.kind == "weight":
        squares = np.bincount(index.ravel(), weights=(x * x).ravel(), minlength=count)
        norms = np.sqrt(squares)
        safe = np.where(norms > 0, norms, 1.0)
        return NormNumbers(values=x, means=np.zeros(count), variances=squares, outputs=x / safe[index])
    centred = x - means[index]
    variances = np.bincount(index.ravel(), weights=(centred * centred).ravel(), minlength=count) / sizes
    outputs = centred / np.sqrt(variances[index] + spec.eps)
    return NormNumbers(values=x, means=means, variances=variances, outputs=outputs)
