"""The convolution spec: one frozen, fully explicit description of a layer, validated once.

Everything downstream (geometry, scene, backends) trusts a `ConvSpec`; user input is parsed and checked only here,
with messages that name the parameter and the rule, in PyTorch's vocabulary.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from convanim.errors import SpecError
from convanim.parse import PADDING_WORDS, axis_count, parse_layer

Op = Literal["conv", "maxpool", "avgpool"]
OPS: tuple[str, ...] = ("conv", "maxpool", "avgpool")
MAX_VALUE = 10**12  # the largest size, stride, padding or channel count: index arithmetic stays within int64

SizeArg = int | Sequence[int]
PaddingArg = int | str | Sequence[int | Sequence[int]]


@dataclass(frozen=True, slots=True)
class ConvSpec:
    """A convolution or pooling layer with every field explicit (one entry per spatial axis)."""

    dims: int
    input_size: tuple[int, ...]
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]  # (before, after) per axis
    dilation: tuple[int, ...]
    transposed: bool
    output_padding: tuple[int, ...]
    in_channels: int
    out_channels: int
    groups: int
    bias: bool
    op: Op
    ceil_mode: bool
    padding_mode: str = "explicit"  # how padding was asked for: "explicit", "valid", "same" or "full"

    @property
    def is_pool(self) -> bool:
        return self.op != "conv"

    @property
    def symmetric_padding(self) -> bool:
        return all(before == after for before, after in self.padding)


def _axes(name: str, value: SizeArg, dims: int, minimum: int) -> tuple[int, ...]:
    """Normalise an int or per-axis sequence to a `dims`-tuple of ints >= `minimum`."""
    if _is_int(value):
        values: tuple[Any, ...] = (value,) * dims
    elif _is_sequence(value):
        values = tuple(value)  # type: ignore[arg-type]
    else:
        raise SpecError(f"{name}: must be an integer, or one integer per axis, got {value!r}")
    if len(values) != dims:
        raise SpecError(f"{name}: expected one value or {dims} (one per axis), got {len(values)}")
    for v in values:
        if not _is_int(v):
            raise SpecError(f"{name}: must be an integer, got {v!r}")
        if v < minimum:
            rule = "positive" if minimum == 1 else "non-negative"
            raise SpecError(f"{name}: must be {rule}, got {v}")
        _check_magnitude(name, v)
    return tuple(int(v) for v in values)


def _check_magnitude(name: str, value: Any) -> None:
    if value > MAX_VALUE:
        raise SpecError(f"{name}: must be at most {MAX_VALUE:,}, got {value:,}")


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_sequence(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _count(name: str, value: object) -> int:
    """A channel or group count: one positive integer."""
    if not _is_int(value):
        raise SpecError(f"{name}: must be an integer, got {value!r}")
    if value < 1:  # type: ignore[operator]
        raise SpecError(f"{name}: must be positive, got {value}")
    _check_magnitude(name, value)
    return int(value)  # type: ignore[call-overload]


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise SpecError(f"{name}: must be True or False, got {value!r}")
    return value


def _padding(value: PaddingArg, dims: int) -> tuple[tuple[int, int], ...] | str:
    if isinstance(value, str):
        word = value.lower()
        if word not in PADDING_WORDS:
            raise SpecError(f"padding: must be an integer, per-axis values, (before, after) pairs, "
                            f"or one of {', '.join(PADDING_WORDS)}; got {value!r}")
        return word
    if _is_int(value):
        value = (value,) * dims  # type: ignore[assignment]
    if not _is_sequence(value):
        raise SpecError(f"padding: must be an integer, per-axis values, (before, after) pairs, "
                        f"or one of {', '.join(PADDING_WORDS)}; got {value!r}")
    items = tuple(value)  # type: ignore[arg-type]
    if len(items) == 1:  # one value (an integer or a before/after pair) for every axis
        items *= dims
    if len(items) != dims:
        raise SpecError(f"padding: expected one value or {dims} (one per axis), got {len(items)}")
    pairs = []
    for item in items:
        pair: tuple[Any, ...] = ((item, item) if _is_int(item) else tuple(item)  # type: ignore[arg-type]
                                 if _is_sequence(item) else ())
        if len(pair) != 2 or not all(_is_int(v) for v in pair):
            raise SpecError(f"padding: each axis takes an integer or a (before, after) pair of integers, got {item!r}")
        if min(pair) < 0:
            raise SpecError(f"padding: must be non-negative, got {item!r}")
        _check_magnitude("padding", max(pair))
        pairs.append((int(pair[0]), int(pair[1])))
    return tuple(pairs)


def make_spec(
    layer: str | None = None,
    *,
    dims: int | None = None,
    input_size: SizeArg | None = None,
    kernel_size: SizeArg | None = None,
    stride: SizeArg | None = None,
    padding: PaddingArg | None = None,
    dilation: SizeArg | None = None,
    transposed: bool | None = None,
    output_padding: SizeArg | None = None,
    in_channels: int | None = None,
    out_channels: int | None = None,
    groups: int | None = None,
    depthwise: bool | None = None,
    bias: bool | None = None,
    op: str | None = None,
    ceil_mode: bool | None = None,
) -> ConvSpec:
    """Build a validated `ConvSpec` from PyTorch-style arguments, or raise `SpecError`.

    `layer` is a PyTorch expression such as `"Conv2d(3, 8, 3, stride=2)"`; keyword arguments override it. Without
    `dims` (and without a layer that names it), a per-axis size says how many axes there are (`input_size=(4, 5, 6)`
    is 3d); otherwise 2. `make_spec("MaxPool2d(2)", input_size=6)`, `make_spec(input_size=5, kernel_size=3)`."""
    given: dict[str, Any] = {name: value for name, value in (
        ("dims", dims), ("input_size", input_size), ("kernel_size", kernel_size), ("stride", stride),
        ("padding", padding), ("dilation", dilation), ("transposed", transposed), ("output_padding", output_padding),
        ("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups), ("depthwise", depthwise),
        ("bias", bias), ("op", op), ("ceil_mode", ceil_mode)) if value is not None}
    if layer is not None:
        if not isinstance(layer, str):
            raise SpecError(f"layer: must be a PyTorch layer expression such as 'Conv2d(3, 8, 3)', got {layer!r}")
        given = {**parse_layer(layer), **given}
    if "dims" not in given:
        given["dims"] = inferred_dims(given)
    return _build(**given)


def inferred_dims(args: dict[str, Any]) -> int:
    """How many axes per-axis values name (`input_size=(5, 7, 9)` is 3d); 2 when none does."""
    named = {name: axis_count(args.get(name)) for name in ("input_size", "kernel_size", "stride", "dilation",
                                                           "output_padding", "padding")}
    counts = {count for count in named.values() if count is not None}
    if len(counts) > 1:
        said = ", ".join(f"{name}: {count}" for name, count in named.items() if count)
        raise SpecError(f"dims: per-axis values must have one value per axis, but they name different numbers of "
                        f"axes ({said})")
    return counts.pop() if counts else 2


def _build(
    dims: int = 2,
    input_size: SizeArg = 5,
    kernel_size: SizeArg = 3,
    stride: SizeArg | None = None,
    padding: PaddingArg = 0,
    dilation: SizeArg = 1,
    transposed: bool = False,
    output_padding: SizeArg = 0,
    in_channels: int = 1,
    out_channels: int | None = None,
    groups: int | None = None,
    depthwise: bool = False,
    bias: bool = True,
    op: str = "conv",
    ceil_mode: bool = False,
) -> ConvSpec:
    if not _is_int(dims) or not 1 <= dims <= 3:
        raise SpecError(f"dims: must be 1, 2 or 3, got {dims!r}")
    transposed, depthwise, bias, ceil_mode = (_flag(name, value) for name, value in (
        ("transposed", transposed), ("depthwise", depthwise), ("bias", bias), ("ceil_mode", ceil_mode)))
    if not isinstance(op, str) or op not in OPS:
        raise SpecError(f"op: must be one of {', '.join(OPS)}, got {op!r}")
    is_pool = op != "conv"
    inputs = _axes("input_size", input_size, dims, 1)
    kernel = _axes("kernel_size", kernel_size, dims, 1)
    strides = kernel if (stride is None and is_pool) else _axes("stride", 1 if stride is None else stride, dims, 1)
    dilations = _axes("dilation", dilation, dims, 1)
    out_pad = _axes("output_padding", output_padding, dims, 0)
    padding_arg = _padding(padding, dims)

    if is_pool:
        in_channels, out_channels, groups = _pool_channels(op, in_channels, out_channels, groups, depthwise)
        for name, bad in (("transposed", transposed), ("dilation", op == "avgpool" and any(d != 1 for d in dilations)),
                          ("output_padding", any(out_pad))):
            if bad:
                raise SpecError(f"{name}: {op} has no {name.replace('_', ' ')}")
        if isinstance(padding_arg, str) and padding_arg != "valid":
            raise SpecError(f"padding: {op} takes integer padding (PyTorch has no {padding_arg!r} pooling)")
        if not isinstance(padding_arg, str) and any(b != a for b, a in padding_arg):
            raise SpecError(f"padding: {op} pads both sides of an axis equally (PyTorch has no asymmetric pooling)")
    else:
        in_channels, out_channels, groups = _conv_channels(in_channels, out_channels, groups, depthwise)
        if ceil_mode:
            raise SpecError("ceil_mode: only pooling has ceil_mode")
        if any(out_pad) and not transposed:
            raise SpecError("output_padding: only a transposed convolution has output_padding (pass transposed=True)")

    mode = padding_arg if isinstance(padding_arg, str) else "explicit"
    pads = _resolve_padding(padding_arg, kernel, strides, dilations, transposed)

    spec = ConvSpec(dims=dims, input_size=inputs, kernel_size=kernel, stride=strides, padding=pads,
                    dilation=dilations, transposed=bool(transposed), output_padding=out_pad,
                    in_channels=in_channels, out_channels=out_channels, groups=groups,
                    bias=bool(bias) and not is_pool, op=op, ceil_mode=bool(ceil_mode),  # type: ignore[arg-type]
                    padding_mode=mode)
    _check_fit(spec)
    return spec


def _resolve_padding(padding: tuple[tuple[int, int], ...] | str, kernel: tuple[int, ...], stride: tuple[int, ...],
                     dilation: tuple[int, ...], transposed: bool) -> tuple[tuple[int, int], ...]:
    if not isinstance(padding, str):
        return padding
    extents = [d * (k - 1) for k, d in zip(kernel, dilation)]
    if padding == "valid":
        return tuple((0, 0) for _ in kernel)
    if padding == "full":
        return tuple((e, e) for e in extents)
    if transposed:
        raise SpecError("padding: 'same' is not defined for a transposed convolution (PyTorch refuses it too)")
    if any(s != 1 for s in stride):
        raise SpecError(f"padding: 'same' needs stride 1 on every axis, got stride {'x'.join(map(str, stride))}")
    return tuple((e // 2, e - e // 2) for e in extents)  # the odd extra goes at the end, as in PyTorch


def _conv_channels(in_channels: int, out_channels: int | None, groups: int | None,
                   depthwise: bool) -> tuple[int, int, int]:
    in_channels = _count("in_channels", in_channels)
    if depthwise:
        if groups is not None and (not _is_int(groups) or groups != in_channels):
            raise SpecError(f"groups: depthwise means groups == in_channels ({in_channels}), got groups={groups}")
        groups = in_channels
        if out_channels is None:
            out_channels = in_channels
        elif _is_int(out_channels) and out_channels % in_channels:
            raise SpecError(f"out_channels: depthwise needs a multiple of in_channels ({in_channels}), "
                            f"got {out_channels}")
    out_channels = _count("out_channels", 1 if out_channels is None else out_channels)
    groups = _count("groups", 1 if groups is None else groups)
    for name, count in (("in_channels", in_channels), ("out_channels", out_channels)):
        if count % groups:
            raise SpecError(f"groups: {name} ({count}) must be divisible by groups ({groups})")
    return in_channels, out_channels, groups


def _pool_channels(op: str, in_channels: int, out_channels: int | None, groups: int | None,
                   depthwise: bool) -> tuple[int, int, int]:
    in_channels = _count("in_channels", in_channels)
    if out_channels is not None and out_channels != in_channels:
        raise SpecError(f"out_channels: {op} keeps the channels, so out_channels must equal in_channels "
                        f"({in_channels}), got {out_channels}")
    if groups is not None or depthwise:
        raise SpecError(f"groups: {op} has no groups (it works on each channel alone)")
    return in_channels, in_channels, in_channels


def _check_fit(spec: ConvSpec) -> None:
    """The rules that tie sizes together: the window must fit, and the output must not be empty."""
    for axis in range(spec.dims):
        n, k, s, d = spec.input_size[axis], spec.kernel_size[axis], spec.stride[axis], spec.dilation[axis]
        before, after = spec.padding[axis]
        extent = d * (k - 1) + 1
        where = f" on axis {axis}" if spec.dims > 1 else ""
        if spec.transposed:
            op_ = spec.output_padding[axis]
            if not (op_ < s or op_ < d):
                raise SpecError(f"output_padding: must be smaller than stride or dilation{where} "
                                f"(got output_padding={op_}, stride={s}, dilation={d})")
            out = (n - 1) * s - before - after + extent + op_
            if out < 1:
                raise SpecError(f"padding: too large{where}: the transposed output size would be "
                                f"({n}-1)*{s} - {before + after} + {extent} + {op_} = {out}, must be at least 1")
            continue
        if spec.is_pool:
            if before > k // 2:
                raise SpecError(f"padding: {spec.op} padding must be at most half the kernel size{where} "
                                f"(got padding={before}, kernel_size={k})")
            if spec.op == "avgpool" and spec.dims == 3 and n < k:  # PyTorch's avg_pool3d ignores padding here
                raise SpecError(f"kernel_size: avgpool in 3d needs the input to be at least the kernel size{where}, "
                                f"padding not counted (got input {n}, kernel_size {k})")
            if pooled_length(n, k, s, before, after, d, spec.ceil_mode) >= 1:
                continue  # with ceil_mode the one window may run past the padded input, as in PyTorch
        if extent > n + before + after:
            what = f"dilated kernel extent {d}*({k}-1)+1 = {extent}" if d > 1 else f"kernel size {k}"
            raise SpecError(f"kernel_size: {what} is larger than the padded input {n}+{before}+{after} = "
                            f"{n + before + after}{where}")


def pooled_length(n: int, k: int, s: int, before: int, after: int, d: int, ceil_mode: bool) -> int:
    """Output length of a pooling window along one axis, with PyTorch's ceil_mode rule."""
    span = n + before + after - d * (k - 1) - 1
    if not ceil_mode:
        return span // s + 1
    out = -(-span // s) + 1
    if (out - 1) * s >= n + before:  # the last window must start inside the input or its left padding
        out -= 1
    return out


def output_length(spec: ConvSpec, axis: int) -> int:
    """Output length along one axis (PyTorch's formulas)."""
    n, k, s, d = spec.input_size[axis], spec.kernel_size[axis], spec.stride[axis], spec.dilation[axis]
    before, after = spec.padding[axis]
    if spec.transposed:
        return (n - 1) * s - before - after + d * (k - 1) + spec.output_padding[axis] + 1
    if spec.is_pool:
        return pooled_length(n, k, s, before, after, d, spec.ceil_mode)
    return (n + before + after - d * (k - 1) - 1) // s + 1


def output_shape(spec: ConvSpec) -> tuple[int, ...]:
    return tuple(output_length(spec, axis) for axis in range(spec.dims))


def size_count(shape: Sequence[int]) -> int:
    return math.prod(shape)
