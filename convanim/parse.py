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


# PyTorch's parameters of each layer family, in positional order (`nn.Conv2d(in_channels, out_channels, ...)`).
_LAYER_SIGNATURES: dict[str, tuple[str, ...]] = {
    "Conv": ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias",
             "padding_mode", "device", "dtype"),
    "ConvTranspose": ("in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups",
                      "bias", "dilation", "padding_mode", "device", "dtype"),
    "MaxPool": ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"),
    "AvgPool": ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"),
}
_REQUIRED: dict[str, tuple[str, ...]] = {"Conv": ("in_channels", "out_channels", "kernel_size"),
                                         "ConvTranspose": ("in_channels", "out_channels", "kernel_size"),
                                         "MaxPool": ("kernel_size",), "AvgPool": ("kernel_size",)}
# Parameters PyTorch takes that convanim draws only at one value: (the values drawn, PyTorch's type rule).
_DRAWN_ONLY: dict[str, tuple[tuple[Any, ...], str]] = {
    "return_indices": ((False, True), "bool"), "padding_mode": (("zeros",), "str"),
    "count_include_pad": ((True,), "bool"), "divisor_override": ((None,), "int"), "device": ((None,), "any"),
    "dtype": ((None,), "any"),
}
_TORCH_PADDING_WORDS = ("valid", "same")  # PyTorch's padding strings: a direct convolution's, lower case only


def parse_layer(text: str) -> dict[str, Any]:
    """`ConvTranspose2d(1, 1, 3, stride=2, padding=1)` -> make_spec keyword arguments.

    Accepts what PyTorch's constructor and forward pass accept: integer literals (not bools or floats), tuples or
    lists of one value per axis or of one value for all, the padding strings 'valid' and 'same' of a direct
    convolution, a bool ceil_mode; the arguments are read, never evaluated."""
    if not isinstance(text, str):
        raise SpecError(f"layer: must be a PyTorch layer expression such as 'Conv2d(3, 8, 3)', got {text!r}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise SpecError(f"layer: not valid UTF-8 text: {text!r}") from None
    try:
        call = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError):
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
    if family == "AvgPool" and dims == 1:
        signature = signature[:-1]  # AvgPool1d has no divisor_override
    values = _arguments(call, name, signature, text)
    for param in _REQUIRED[family]:
        if param not in values:
            raise SpecError(f"layer: {name}() missing required argument {param!r}")
    spec_args: dict[str, Any] = {"dims": dims, "op": {"Conv": "conv", "ConvTranspose": "conv", "MaxPool": "maxpool",
                                                       "AvgPool": "avgpool"}[family]}
    if family == "ConvTranspose":
        spec_args["transposed"] = True
    pool = family in ("MaxPool", "AvgPool")
    for param, value in values.items():
        if param in _DRAWN_ONLY:
            drawn, kind = _DRAWN_ONLY[param]
            if kind == "bool" and not isinstance(value, bool):
                raise SpecError(f"layer: {param} must be True or False, got {value!r}")
            if value not in drawn or type(value) is not type(drawn[0]):
                raise SpecError(f"layer: {param}={value!r} is not supported (convanim draws {param}={drawn[0]!r})")
        elif param in ("in_channels", "out_channels", "groups"):
            spec_args[param] = _literal_int(param, value)
        elif param == "bias":
            spec_args[param] = bool(value)  # PyTorch asks only whether it is true
        elif param == "ceil_mode":
            if not isinstance(value, bool):
                raise SpecError(f"ceil_mode: must be True or False, got {value!r}")
            spec_args[param] = value
        elif param == "padding" and isinstance(value, str):
            if family != "Conv":
                raise SpecError(f"padding: {name} takes an integer or one per axis (PyTorch has padding strings "
                                f"only for Conv1d/2d/3d); got {value!r}")
            if value not in _TORCH_PADDING_WORDS:
                raise SpecError(f"padding: {name} takes an integer, one per axis, or 'valid' or 'same' (lower case, "
                                f"as in PyTorch); got {value!r}")
            spec_args[param] = value
        elif param == "stride" and pool and (value is None or value == ()):
            continue  # PyTorch's pooling: no stride means the kernel size
        else:  # kernel_size, stride, padding, dilation, output_padding
            spec_args[param] = _per_axis(param, value, dims, one_allowed=pool or param != "kernel_size")
    return spec_args


def _arguments(call: ast.Call, name: str, signature: tuple[str, ...], text: str) -> dict[str, Any]:
    """The call's arguments by parameter name, with Python's rules for positional and keyword arguments."""
    if len(call.args) > len(signature):
        raise SpecError(f"layer: {name}() takes at most {len(signature)} positional arguments, "
                        f"got {len(call.args)}")
    values: dict[str, Any] = {}
    for param, node in zip(signature, call.args):
        if isinstance(node, ast.Starred):
            raise SpecError(f"layer: *args are not supported in {text!r}")
        values[param] = _literal(node, param, text)
    for keyword in call.keywords:
        if keyword.arg is None:
            raise SpecError(f"layer: **kwargs are not supported in {text!r}")
        if keyword.arg not in signature:
            raise SpecError(f"layer: {name} has no parameter {keyword.arg!r}")
        if keyword.arg in values:
            raise SpecError(f"layer: {name}() got multiple values for argument {keyword.arg!r} "
                            f"(by position and by keyword)")
        values[keyword.arg] = _literal(keyword.value, keyword.arg, text)
    return values


def _literal(node: ast.expr, param: str, text: str) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise SpecError(f"layer: {param} must be a literal number, tuple, string or boolean in {text!r}") from None


def _literal_int(param: str, value: Any) -> int:
    if isinstance(value, bool):
        raise SpecError(f"{param}: must be an integer, got {value!r} (write {int(value)} if you mean it)")
    if not isinstance(value, int):
        raise SpecError(f"{param}: must be an integer, got {value!r}")
    return value


def _per_axis(param: str, value: Any, dims: int, one_allowed: bool) -> int | tuple[int, ...]:
    """An integer, or a tuple/list of `dims` integers (or of one, where PyTorch repeats it over the axes)."""
    if isinstance(value, (set, frozenset)):
        raise SpecError(f"{param}: must be an integer or a tuple (a set has no order), got {value!r}")
    if isinstance(value, (tuple, list)):
        lengths = f"1 or {dims}" if one_allowed and dims > 1 else f"{dims}"
        if len(value) != dims and not (one_allowed and len(value) == 1):
            raise SpecError(f"{param}: must be an integer or a tuple of {lengths} integers (one per axis), "
                            f"got {value!r}")
        for item in value:
            _literal_int(param, item)
        return tuple(value) * (dims if len(value) == 1 else 1)
    return _literal_int(param, value)
