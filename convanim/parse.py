"""Text to spec arguments: `5x7` sizes, `1:2x0` padding, and PyTorch layer strings like `Conv2d(3, 8, 3, padding=1)`.

Everything here returns keyword arguments for `make_spec`; every mistake is a `SpecError` naming the parameter.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from convanim.errors import SpecError

PADDING_WORDS: tuple[str, ...] = ("valid", "same", "full")


def parse_size(text: str, name: str) -> int | tuple[int, ...]:
    """`5` -> 5, `5x7` -> (5, 7). A single number applies to every axis."""
    parts = _split_axes(text)
    values = [_parse_int(part, name, text) for part in parts]
    return values[0] if len(values) == 1 else tuple(values)


def parse_shape(text: str, name: str = "shape") -> tuple[int, ...]:
    """A tensor shape: `4,6,3,3` (or `4x6x3x3`) -> (4, 6, 3, 3)."""
    values = []
    for part in _split_axes(text):
        try:
            values.append(int(part))
        except ValueError:
            raise SpecError(f"{name}: must be integers joined by commas, such as 4,6,3,3; got {text!r}") from None
    return tuple(values)


def parse_padding(text: str) -> Any:
    """`1`, `1x2`, `1:2` (before:after), `1:2x0:1`, or `valid` / `same` / `full`."""
    word = text.strip().lower()
    if word in PADDING_WORDS:
        return word
    parts = _split_axes(text)
    axes: list[Any] = []
    for part in parts:
        if ":" in part:
            before, _, after = part.partition(":")
            axes.append((_parse_int(before, "padding", text), _parse_int(after, "padding", text)))
        else:
            axes.append(_parse_int(part, "padding", text))
    if len(axes) == 1:
        return axes[0] if isinstance(axes[0], int) else (axes[0],)
    return tuple(axes)


def axis_count(value: Any) -> int | None:
    """How many axes a parsed value names (None for a scalar, or a single before:after pair, that applies to all)."""
    if isinstance(value, tuple) and len(value) == 1 and isinstance(value[0], tuple):
        return None
    if isinstance(value, tuple):
        return len(value)
    return None


def _split_axes(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[x,×]", text.strip().lower())]


def _parse_int(part: str, name: str, whole: str) -> int:
    try:
        return int(part)
    except ValueError:
        raise SpecError(f"{name}: must be an integer, or one integer per axis joined by 'x' (e.g. 5x7); "
                        f"got {whole!r}") from None


# Positional parameters of PyTorch's layers, in order.
_LAYER_SIGNATURES: dict[str, tuple[str, ...]] = {
    "Conv": ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias"),
    "ConvTranspose": ("in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups",
                      "bias", "dilation"),
    "MaxPool": ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"),
    "AvgPool": ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"),
}
_IGNORED_DEFAULTS = {"return_indices": (False, True), "padding_mode": ("zeros",), "count_include_pad": (True,),
                     "divisor_override": (None,), "device": (None,), "dtype": (None,)}


def parse_layer(text: str) -> dict[str, Any]:
    """`ConvTranspose2d(1, 1, 3, stride=2, padding=1)` -> make_spec keyword arguments."""
    try:
        call = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise SpecError(f"layer: not a PyTorch layer expression: {text!r}") from None
    if not isinstance(call, ast.Call):
        raise SpecError(f"layer: expected a call like Conv2d(3, 8, kernel_size=3), got {text!r}")
    name = ast.unparse(call.func).split(".")[-1]
    match = re.fullmatch(r"(ConvTranspose|Conv|MaxPool|AvgPool)([123])d", name)
    if not match:
        raise SpecError(f"layer: unknown layer {name!r}; use Conv1d/2d/3d, ConvTranspose1d/2d/3d, "
                        f"MaxPool1d/2d/3d or AvgPool1d/2d/3d")
    family, dims = match.group(1), int(match.group(2))
    signature = _LAYER_SIGNATURES[family]
    if len(call.args) > len(signature):
        raise SpecError(f"layer: {name} takes at most {len(signature)} positional arguments")
    values: dict[str, Any] = {}
    try:
        for param, node in zip(signature, call.args):
            values[param] = ast.literal_eval(node)
        for keyword in call.keywords:
            if keyword.arg is None:
                raise SpecError(f"layer: **kwargs are not supported in {text!r}")
            if keyword.arg in values:
                raise SpecError(f"layer: {keyword.arg} given twice in {text!r}")
            values[keyword.arg] = ast.literal_eval(keyword.value)
    except ValueError:
        raise SpecError(f"layer: arguments must be literal numbers, tuples, strings or booleans in {text!r}") from None
    known = set(signature) | set(_IGNORED_DEFAULTS)
    for param, value in values.items():
        if param not in known:
            raise SpecError(f"layer: {name} has no parameter {param!r}")
        if param in _IGNORED_DEFAULTS and value not in _IGNORED_DEFAULTS[param]:
            raise SpecError(f"layer: {param}={value!r} is not supported (convanim draws "
                            f"{param}={_IGNORED_DEFAULTS[param][0]!r})")
    spec_args: dict[str, Any] = {"dims": dims, "op": {"Conv": "conv", "ConvTranspose": "conv", "MaxPool": "maxpool",
                                                       "AvgPool": "avgpool"}[family]}
    if family == "ConvTranspose":
        spec_args["transposed"] = True
    for param in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias",
                  "output_padding", "ceil_mode"):
        if param in values:
            spec_args[param] = _tuple_lists(values[param])
    if "kernel_size" not in spec_args:
        raise SpecError(f"layer: {name} needs a kernel_size")
    return spec_args


def _tuple_lists(value: Any) -> Any:
    return tuple(_tuple_lists(v) for v in value) if isinstance(value, (list, tuple)) else value
