"""A stack of layers (an `nn.Sequential`): each layer's output shape, parameters, MACs, and the receptive field,
effective stride and effective padding of its units with respect to the stack's input.

The receptive-field arithmetic is that of Araujo, Norris and Sim, "Computing Receptive Fields of Convolutional Neural
Networks" (Distill, 2019). Per axis, layer l has a kernel extent k_l = dilation*(kernel-1)+1, a stride s_l and a left
padding p_l; unit u of layer L sees the input elements from u*S_L - P_L to u*S_L - P_L + r_L - 1, where

    r_L = 1 + sum_l (k_l - 1) * prod_{i<l} s_i,   S_L = prod_l s_l,   P_L = sum_l p_l * prod_{i<l} s_i.

A layer that upsamples (a transposed convolution, or nearest `Upsample`, which is a transposed convolution with
kernel = stride = scale and weights 1) has a fractional stride 1/s: its unit o reads the inputs i with
i*s = o + padding - j*dilation for a tap j, all of which lie in the interval [(o+p-d(k-1))/s, (o+p)/s]. It enters the
sums as stride 1/s, extent d(k-1)/s + 1 and padding (d(k-1)-p)/s, so after it r, S and P are the exact bounds of the
input interval that holds a unit's region (the region is the input elements inside it). Hence `Fraction`s.

Pure: numbers in, frozen values out; no numpy. Parsing of `print(model)` text and TOML files lives in `modeltext`.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from convanim.counts import macs as conv_macs
from convanim.counts import parameter_count
from convanim.errors import SpecError
from convanim.parse import parse_layer
from convanim.spec import ConvSpec, make_spec, output_shape

DEFAULT_INPUT_SIZE = 32
MAX_ELEMENTS = 10**12  # a shape this large is a typo, not a network
CONV_FAMILY = re.compile(r"(ConvTranspose|Conv|MaxPool|AvgPool)([123])d")

# Layers that keep the shape and have no parameters, with their parameters in order (anything else is refused).
_ELEMENTWISE: dict[str, tuple[str, ...]] = {
    "ReLU": ("inplace",), "ReLU6": ("inplace",), "GELU": ("approximate",), "SiLU": ("inplace",),
    "Sigmoid": (), "Tanh": (), "LeakyReLU": ("negative_slope", "inplace"), "ELU": ("alpha", "inplace"),
    "CELU": ("alpha", "inplace"), "SELU": ("inplace",), "Hardswish": ("inplace",), "Hardsigmoid": ("inplace",),
    "Hardtanh": ("min_val", "max_val", "inplace"), "Mish": ("inplace",), "Softplus": ("beta", "threshold"),
    "Softsign": (), "Tanhshrink": (), "LogSigmoid": (), "Softmax": ("dim",), "LogSoftmax": ("dim",),
    "Identity": (), "Dropout": ("p", "inplace"), "AlphaDropout": ("p", "inplace"),
    "Dropout1d": ("p", "inplace"), "Dropout2d": ("p", "inplace"), "Dropout3d": ("p", "inplace"),
    "LocalResponseNorm": ("size", "alpha", "beta", "k"),
}
_NORM = ("num_features", "eps", "momentum", "affine", "track_running_stats", "device", "dtype", "bias")
_SIGNATURES: dict[str, tuple[str, ...]] = {
    **_ELEMENTWISE,
    "PReLU": ("num_parameters", "init", "device", "dtype"),
    "BatchNorm": _NORM, "InstanceNorm": _NORM,
    "GroupNorm": ("num_groups", "num_channels", "eps", "affine", "device", "dtype", "bias"),
    "LayerNorm": ("normalized_shape", "eps", "elementwise_affine", "bias", "device", "dtype"),
    "ZeroPad": ("padding",), "ConstantPad": ("padding", "value"),
    "Flatten": ("start_dim", "end_dim"),
    "Linear": ("in_features", "out_features", "bias", "device", "dtype"),
    "AdaptiveAvgPool": ("output_size",), "AdaptiveMaxPool": ("output_size", "return_indices"),
    "Upsample": ("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor"),
    "UpsamplingNearest2d": ("size", "scale_factor"),
}
_NUMBERED = re.compile(r"(BatchNorm|InstanceNorm|ZeroPad|ConstantPad|AdaptiveAvgPool|AdaptiveMaxPool|Dropout)([123])d")
KINDS = ("conv", "pool", "elementwise", "norm", "pad", "flatten", "linear", "adaptive", "upsample", "merge")


@dataclass(frozen=True, slots=True)
class AxisField:
    """One axis of the Araujo et al. recursion: a layer's (extent, stride, left padding) in its input's units."""

    extent: Fraction
    stride: Fraction
    padding: Fraction


@dataclass(frozen=True, slots=True)
class StackLayer:
    """One layer of a stack with everything `explain` shows about it. Shapes are PyTorch's, batch omitted:
    (channels, *spatial), or (features,) after Flatten."""

    index: int
    path: str  # where it sits in the model: "features.3" from print(model), else the index
    expression: str  # the PyTorch expression it was given as
    name: str  # PyTorch's class name, e.g. "Conv2d"
    kind: str  # one of KINDS
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    parameters: int
    macs: int
    receptive_field: tuple[Fraction, ...]  # per axis of the stack's input
    effective_stride: tuple[Fraction, ...]
    effective_padding: tuple[Fraction, ...]
    spec: ConvSpec | None = None  # the convolution or pooling on this layer's input, for conv and pool layers
    upsampled: bool = False  # whether this layer or one before upsamples: then r, S and P bound the region
    shortcut: bool = False  # on a residual block's shortcut (its `downsample`): it reads the block's input


@dataclass(frozen=True, slots=True)
class Stack:
    """Layers applied one after the other to an input of `input_shape` = (channels, *spatial)."""

    input_shape: tuple[int, ...]
    layers: tuple[StackLayer, ...]

    @property
    def dims(self) -> int:
        return len(self.input_shape) - 1

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.layers[-1].output_shape if self.layers else self.input_shape

    @property
    def parameters(self) -> int:
        return sum(layer.parameters for layer in self.layers)

    @property
    def macs(self) -> int:
        return sum(layer.macs for layer in self.layers)

    def to_dict(self) -> dict[str, Any]:
        """The `convanim explain --json` contract. Fractions (after an upsampling layer) become floats; a layer on a
        residual block's shortcut has `"shortcut": true`."""
        return {
            "input_shape": list(self.input_shape),
            "layers": [{"layer": layer.expression, "output_shape": list(layer.output_shape),
                        "parameters": layer.parameters, "macs": layer.macs,
                        "receptive_field": [json_number(v) for v in layer.receptive_field],
                        "effective_stride": [json_number(v) for v in layer.effective_stride],
                        "effective_padding": [json_number(v) for v in layer.effective_padding],
                        **({"shortcut": True} if layer.shortcut else {})}
                       for layer in self.layers],
            "total": {"parameters": self.parameters, "macs": self.macs},
        }


def json_number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def load_stack(path: str | Path, *, input_size: int | Sequence[int] | None = None, in_channels: int | None = None,
               dims: int | None = None) -> Stack:
    """A `Stack` from a file: a TOML stack (`.toml`) or the text `print(model)` showed (or layer expressions, one
    per line). Arguments given here override the TOML file's `input_size`, `in_channels` and `dims`."""
    from convanim.modeltext import read_stack_file

    found = read_stack_file(path)
    return make_stack(found.layers if isinstance(found.layers, str) else list(found.layers),
                      input_size=found.input_size if input_size is None else input_size,
                      in_channels=found.in_channels if in_channels is None else in_channels,
                      dims=found.dims if dims is None else dims, source="stack")


def make_stack(
    layers: str | Sequence[str],
    *,
    input_size: int | Sequence[int] | None = None,
    in_channels: int | None = None,
    dims: int | None = None,
    paths: Sequence[str] | None = None,
    source: str = "layers",
) -> Stack:
    """Build a `Stack` from PyTorch layer expressions (`["Conv2d(3, 8, 3)", "ReLU()", "MaxPool2d(2)"]`) or from the
    text `print(model)` shows for an `nn.Sequential`, on an input of `input_size` (spatial, default 32 per axis)
    with `in_channels` channels (default: what the first layer that names them takes, else 1).

    Every mistake is a `SpecError` starting with `source` (the Python parameter the layers came from) and naming the
    layer's index."""
    containers: list[tuple[tuple[str, str], ...]] | None = None
    if isinstance(layers, str):
        from convanim.modeltext import parse_model_text

        parsed = parse_model_text(layers, source=source)
        expressions, paths = [layer.expression for layer in parsed], [layer.path for layer in parsed]
        containers = [layer.containers for layer in parsed]
    else:
        expressions = list(layers)
    for i, text in enumerate(expressions):
        if not isinstance(text, str):
            raise SpecError(f"{source}: layer {i} must be a PyTorch layer expression such as 'Conv2d(3, 8, 3)', "
                            f"got {text!r}")
    if not expressions:
        raise SpecError(f"{source}: a stack needs at least one layer")
    calls = [_parse_call(text, i, source) for i, text in enumerate(expressions)]
    if dims is None:
        dims = _dims_from(input_size, calls)
    if not isinstance(dims, int) or isinstance(dims, bool) or not 1 <= dims <= 3:
        raise SpecError(f"dims: must be 1, 2 or 3, got {dims!r}")
    spatial = _input_spatial(input_size, dims)
    channels = _first_channels(expressions, calls) if in_channels is None else in_channels
    if not isinstance(channels, int) or isinstance(channels, bool) or channels < 1:
        raise SpecError(f"in_channels: must be a positive integer, got {channels!r}")
    builder = _Builder(dims, (channels, *spatial), source)
    graph = _Graph(builder)
    for i, (text, call) in enumerate(zip(expressions, calls)):
        path = paths[i] if paths is not None else str(i)
        if containers is not None:
            graph.before(i, path, text.strip(), containers[i])
        builder.add(i, path, text.strip(), call)
        if containers is not None:
            graph.after(path, containers[i])
    graph.before(len(expressions), "", "", ())
    return Stack((channels, *spatial), tuple(builder.layers))


@dataclass(frozen=True, slots=True)
class _Call:
    name: str  # class name without module prefix
    family: str  # the name with its 1d/2d/3d suffix removed, or the name
    dims: int | None  # from the suffix
    args: dict[str, Any]  # bound by position and keyword, literals only


def _parse_call(text: str, index: int, source: str) -> _Call:
    where = f"{source}: layer {index} ({text.strip()!r})"
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise SpecError(f"{where}: not a PyTorch layer expression") from None
    if not isinstance(node, ast.Call):
        raise SpecError(f"{where}: expected a call like Conv2d(3, 8, kernel_size=3)")
    name = ast.unparse(node.func).split(".")[-1]
    conv = CONV_FAMILY.fullmatch(name)
    numbered = _NUMBERED.fullmatch(name)
    if conv:
        return _Call(name, conv.group(1), int(conv.group(2)), {})
    family = numbered.group(1) if numbered else name
    if numbered and family == "Dropout":
        family = name  # Dropout1d/2d/3d keep their names in the signature table
    if family not in _SIGNATURES:
        raise SpecError(f"{where}: unknown layer {name!r}; a stack takes Conv, ConvTranspose, MaxPool, AvgPool, "
                        f"AdaptiveAvgPool, AdaptiveMaxPool (1d/2d/3d), BatchNorm, Upsample, Flatten, Linear, "
                        f"padding layers and shape-keeping layers such as ReLU, Dropout or Identity")
    signature = _SIGNATURES[family]
    if family == "Identity":  # nn.Identity takes and ignores any arguments
        return _Call(name, family, None, {})
    if len(node.args) > len(signature):
        raise SpecError(f"{where}: {name} takes at most {len(signature)} positional arguments")
    args: dict[str, Any] = {}
    try:
        for param, value in zip(signature, node.args):
            args[param] = _literal(value)
        for keyword in node.keywords:
            if keyword.arg is None or keyword.arg not in signature:
                raise SpecError(f"{where}: {name} has no parameter {keyword.arg!r}")
            if keyword.arg in args:
                raise SpecError(f"{where}: {keyword.arg} given twice")
            args[keyword.arg] = _literal(keyword.value)
    except ValueError:
        raise SpecError(f"{where}: arguments must be literal numbers, tuples, strings or booleans") from None
    dims = int(numbered.group(2)) if numbered else (2 if name == "UpsamplingNearest2d" else None)
    return _Call(name, family, dims, args)


def _literal(node: ast.expr) -> Any:
    """A literal argument; a bare word (print(model) writes `mode=nearest`, `padding=same` unquoted) is a string."""
    if isinstance(node, ast.Name):
        return node.id
    value = ast.literal_eval(node)
    return list(value) if isinstance(value, tuple) else value


def conv_layer_text(text: str) -> str:
    """A Conv/Pool expression with the bare words print(model) writes (`padding=same`) quoted, for `parse_layer`."""
    node = ast.parse(text.strip(), mode="eval")

    class Quote(ast.NodeTransformer):
        def visit_keyword(self, keyword: ast.keyword) -> ast.keyword:
            if isinstance(keyword.value, ast.Name):
                keyword.value = ast.Constant(keyword.value.id)
            return keyword

    return ast.unparse(Quote().visit(node))


def _dims_from(input_size: Any, calls: list[_Call]) -> int:
    if isinstance(input_size, (list, tuple)):
        return len(input_size)
    for call in calls:
        if call.dims is not None and call.family not in ("BatchNorm", "InstanceNorm", "Dropout1d"):
            return call.dims
    for call in calls:
        if call.dims is not None:
            return call.dims
    return 2


def _input_spatial(input_size: Any, dims: int) -> tuple[int, ...]:
    size = DEFAULT_INPUT_SIZE if input_size is None else input_size
    values = tuple(size) if isinstance(size, (list, tuple)) else (size,) * dims
    if len(values) != dims:
        raise SpecError(f"input_size: expected one value or {dims} (one per axis), got {len(values)}")
    for v in values:
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise SpecError(f"input_size: must be positive integers, got {size!r}")
    return tuple(values)


def _first_channels(expressions: list[str], calls: list[_Call]) -> int:
    """The channels the first layer that names them takes (Conv2d(3, ...) -> 3, BatchNorm2d(64) -> 64), else 1."""
    for text, call in zip(expressions, calls):
        if call.family in ("Conv", "ConvTranspose"):
            try:
                value = parse_layer(conv_layer_text(text)).get("in_channels", 1)
            except SpecError:
                return 1  # the builder reports this layer's mistake with its index
            return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 1
        for key in ("num_features", "num_channels", "in_features"):
            if key in call.args:
                value = call.args[key]
                return value if isinstance(value, int) else 1
    return 1


RESIDUAL = ("BasicBlock", "Bottleneck")


class _Graph:
    """The skip connections of known containers (see `convanim.modeltext`) around the linear walk: a residual block's
    `downsample` reads the block's input and `out += identity` joins the paths; a U-Net `Up` concatenates the input
    of the latest `Down` after its upsampling layer. Joined paths take the union of their regions (the largest)."""

    def __init__(self, builder: _Builder) -> None:
        self.builder = builder
        self.open: dict[str, Any] = {}  # residual block path -> the state at its input
        self.main_end: dict[str, Any] = {}  # residual block path -> the state at the end of its main path
        self.downs: set[str] = set()
        self.skips: list[tuple[str, Any]] = []  # (Down path, state at its input), latest last

    def before(self, index: int, path: str, text: str, containers: tuple[tuple[str, str], ...]) -> None:
        paths = {where for _, where in containers}
        for block in [b for b in self.open if b not in paths]:  # blocks the walk has left, innermost first
            self._join_residual(index, block)
        for kind, where in containers:
            if kind in RESIDUAL and where not in self.open:
                self.open[where] = self.builder.state()
            if kind == "Down" and where not in self.downs:
                self.downs.add(where)
                self.skips.append((where, self.builder.state()))
        residual = [where for kind, where in containers if kind in RESIDUAL]
        if residual:
            block = residual[-1]
            shortcut = any(where == _child(block, "downsample") for _, where in containers)
            if shortcut and block not in self.main_end:
                self.main_end[block] = self.builder.state()
                self.builder.restore(self.open[block])
            elif not shortcut and block in self.main_end:
                raise self.builder.fail(index, text, f"a layer of {block}'s main path after its downsample: "
                                                     f"torchvision prints the downsample last")
            self.builder.shortcut = shortcut
        else:
            self.builder.shortcut = False

    def after(self, path: str, containers: tuple[tuple[str, str], ...]) -> None:
        ups = [where for kind, where in containers if kind == "Up"]
        if not ups or path != _child(ups[-1], "up"):
            return
        if not self.skips:
            raise self.builder.fail(self.builder.index, self.builder.text, "an Up with no Down before it: its "
                                                                           "forward concatenates a Down's input")
        down, skip = self.skips.pop()
        self.builder.join(_child(ups[-1], "(cat)"), "torch.cat([x2, x1], dim=1)", skip, "cat",
                          f"the input of {down} (the skip)")

    def _join_residual(self, index: int, block: str) -> None:
        start = self.open.pop(block)
        main = self.main_end.pop(block, None)
        self.builder.shortcut = False
        if main is None:  # identity: the block's input joins the main path
            self.builder.join(_child(block, "(+)"), "out += identity", start, "add",
                              f"the input of {block or 'the block'}")
        else:
            self.builder.join(_child(block, "(+)"), "out += identity", main, "add",
                              f"{block or 'the block'}'s main path", shortcut_end=True)


def _child(parent: str, name: str) -> str:
    return f"{parent}.{name}" if parent else name


class _Builder:
    """Walks the layers, carrying the shape and the per-axis (r, S, P) recursion."""

    def __init__(self, dims: int, input_shape: tuple[int, ...], source: str) -> None:
        self.dims = dims
        self.source = source
        self.shape = input_shape
        self.flat = False
        self.spatial = input_shape[1:]  # the spatial shape the units' regions tile (kept through Flatten)
        self.field = [Fraction(1)] * dims
        self.stride = [Fraction(1)] * dims
        self.padding = [Fraction(0)] * dims
        self.layers: list[StackLayer] = []
        self.upsampled = False
        self.shortcut = False
        self.index, self.text = 0, ""

    def state(self) -> tuple[Any, ...]:
        return (self.shape, self.flat, self.spatial, list(self.field), list(self.stride), list(self.padding),
                self.upsampled)

    def restore(self, state: tuple[Any, ...]) -> None:
        shape, self.flat, self.spatial, field, stride, padding, self.upsampled = state
        self.shape = shape
        self.field, self.stride, self.padding = list(field), list(stride), list(padding)

    def join(self, path: str, expression: str, other: tuple[Any, ...], how: str, what: str,
             shortcut_end: bool = False) -> None:
        """A row where the current path meets `other` (a saved state): added ("add") or concatenated after it along
        the channels ("cat"); the region is the union of both paths' regions."""
        index = len(self.layers)
        shape, flat, _, field, stride, padding, upsampled = other
        here = "the shortcut" if shortcut_end else "this path"
        if flat or self.flat:
            raise self.fail(index, expression, f"{what} and {here} must both be maps, not flattened")
        if how == "add" and shape != self.shape or how == "cat" and shape[1:] != self.shape[1:]:
            raise self.fail(index, expression, f"{what} is {'x'.join(map(str, shape))}, {here} "
                                               f"{'x'.join(map(str, self.shape))}: they cannot be "
                                               f"{'added' if how == 'add' else 'concatenated'}")
        for a in range(self.dims):
            if stride[a] != self.stride[a]:
                raise self.fail(index, expression, f"{what} and {here} have effective strides {stride[a]} and "
                                                   f"{self.stride[a]}: their units do not line up")
            start = max(padding[a], self.padding[a])
            end = max(field[a] - padding[a], self.field[a] - self.padding[a])
            self.field[a], self.padding[a] = end + start, start
        self.upsampled = self.upsampled or upsampled
        out = self.shape if how == "add" else (shape[0] + self.shape[0], *self.shape[1:])
        self.layers.append(StackLayer(index, path, expression, how, "merge", self.shape, out, 0, 0,
                                      tuple(self.field), tuple(self.stride), tuple(self.padding), None,
                                      self.upsampled))
        self.shape = out

    def fail(self, index: int, text: str, rule: str) -> SpecError:
        shape = "x".join(map(str, self.shape))
        return SpecError(f"{self.source}: layer {index} ({text}) on a {shape} input: {rule}")

    def add(self, index: int, path: str, text: str, call: _Call) -> None:
        self.index, self.text = index, text
        if call.dims is not None and call.dims != self.dims and call.family not in ("BatchNorm", "InstanceNorm"):
            raise self.fail(index, text, f"{call.name} works on {call.dims} spatial axes, but the stack has "
                                         f"{self.dims}")
        handler = getattr(self, f"_{_HANDLERS.get(call.family, 'elementwise')}")
        kind, out_shape, parameters, macs, axes, spec = handler(call)
        for v in out_shape:
            if v < 1:
                raise self.fail(index, text, f"the output would be empty ({'x'.join(map(str, out_shape))})")
        if math.prod(out_shape) > MAX_ELEMENTS:
            raise self.fail(index, text, f"the output would have {math.prod(out_shape):,} elements, more than "
                                         f"{MAX_ELEMENTS:,}")
        self.upsampled = self.upsampled or any(axis.stride < 1 for axis in axes)
        for a, axis in enumerate(axes):
            self.field[a] += (axis.extent - 1) * self.stride[a]
            self.padding[a] += axis.padding * self.stride[a]
            self.stride[a] *= axis.stride
        self.layers.append(StackLayer(len(self.layers), path, text, call.name, kind, self.shape, tuple(out_shape),
                                      parameters, macs, tuple(self.field), tuple(self.stride), tuple(self.padding),
                                      spec, self.upsampled, self.shortcut))
        self.shape = tuple(out_shape)
        if not self.flat:
            self.spatial = self.shape[1:]

    # --- the handlers: each returns (kind, output shape, parameters, MACs, per-axis AxisField, spec or None)

    def _need_spatial(self, call: _Call) -> None:
        if self.flat:
            raise self.fail(self.index, self.text, f"{call.name} needs a (channels, *spatial) input, but Flatten "
                                                   f"came before it")

    def _keep(self) -> list[AxisField]:
        return [AxisField(Fraction(1), Fraction(1), Fraction(0))] * self.dims

    def _conv(self, call: _Call) -> tuple[Any, ...]:
        self._need_spatial(call)
        try:
            args = parse_layer(conv_layer_text(self.text))
        except SpecError as error:
            raise self.fail(self.index, self.text, _inner(error)) from None
        channels = self.shape[0]
        if args["op"] == "conv" and args.get("in_channels", 1) != channels:
            raise self.fail(self.index, self.text, f"it takes {args.get('in_channels', 1)} input channels, but the "
                                                   f"layer before gives {channels}")
        if args["op"] != "conv":
            args["in_channels"] = channels
        try:
            spec = make_spec(**args, input_size=self.spatial)
        except SpecError as error:
            raise self.fail(self.index, self.text, _inner(error)) from None
        weights, biases = parameter_count(spec)
        kind = "conv" if spec.op == "conv" else "pool"
        macs = conv_macs(spec) if kind == "conv" else 0
        axes = []
        for a in range(spec.dims):
            k, s, d, before = spec.kernel_size[a], spec.stride[a], spec.dilation[a], spec.padding[a][0]
            if spec.transposed:
                axes.append(AxisField(Fraction(d * (k - 1), s) + 1, Fraction(1, s), Fraction(d * (k - 1) - before, s)))
            else:
                axes.append(AxisField(Fraction(d * (k - 1) + 1), Fraction(s), Fraction(before)))
        return kind, (spec.out_channels, *output_shape(spec)), weights + biases, macs, axes, spec

    def _elementwise(self, call: _Call) -> tuple[Any, ...]:
        if call.name.startswith("Dropout") and call.dims is not None:
            self._need_spatial(call)
        p = call.args.get("p", 0.5)
        if not isinstance(p, (int, float)) or isinstance(p, bool) or not 0 <= p <= 1:
            raise self.fail(self.index, self.text, f"p must be a probability between 0 and 1, got {p!r}")
        return "elementwise", self.shape, 0, 0, self._keep(), None

    def _prelu(self, call: _Call) -> tuple[Any, ...]:
        count = call.args.get("num_parameters", 1)
        if count not in (1, self.shape[0]):
            raise self.fail(self.index, self.text, f"num_parameters must be 1 or the {self.shape[0]} channels, "
                                                   f"got {count!r}")
        return "elementwise", self.shape, count, 0, self._keep(), None

    def _norm(self, call: _Call) -> tuple[Any, ...]:
        if call.family == "GroupNorm":
            self._need_spatial(call)
            channels, groups = call.args.get("num_channels"), call.args.get("num_groups")
            if not isinstance(groups, int) or isinstance(groups, bool) or groups < 1 or channels != self.shape[0] \
                    or channels % groups:
                raise self.fail(self.index, self.text, f"GroupNorm needs num_channels = the {self.shape[0]} channels "
                                                       f"and a num_groups that divides it")
            affine = call.args.get("affine", True)
        elif call.family == "LayerNorm":
            normalized = call.args.get("normalized_shape")
            normalized = normalized if isinstance(normalized, list) else [normalized]
            if tuple(normalized) != self.shape[len(self.shape) - len(normalized):]:
                raise self.fail(self.index, self.text, f"normalized_shape must be the last axes of the input "
                                                       f"({'x'.join(map(str, self.shape))}), got {normalized!r}")
            size = math.prod(normalized)
            affine = call.args.get("elementwise_affine", True)
            bias = affine and call.args.get("bias", True)
            return "norm", self.shape, (size if affine else 0) + (size if bias else 0), 0, self._keep(), None
        else:
            channels = call.args.get("num_features")
            spatial_axes = len(self.shape) - 1
            expected = {"1": (0, 1), "2": (2,), "3": (3,)}[call.name[-2]]
            if spatial_axes not in expected:
                wanted = "(C) or (C, L)" if expected == (0, 1) else f"(C, {expected[0]} spatial axes)"
                raise self.fail(self.index, self.text, f"{call.name} takes a {wanted} input per sample")
            if channels != self.shape[0]:
                raise self.fail(self.index, self.text, f"num_features is {channels!r}, but the layer before gives "
                                                       f"{self.shape[0]} channels")
            affine = call.args.get("affine", call.family == "BatchNorm")
        bias = affine and call.args.get("bias", True)  # PyTorch >= 2.5 can drop the bias of an affine norm
        parameters = (self.shape[0] if affine else 0) + (self.shape[0] if bias else 0)  # running stats are buffers
        return "norm", self.shape, parameters, 0, self._keep(), None

    def _pad(self, call: _Call) -> tuple[Any, ...]:
        self._need_spatial(call)
        padding = call.args.get("padding")
        if isinstance(padding, int) and not isinstance(padding, bool):
            pairs = [(padding, padding)] * self.dims
        elif isinstance(padding, list) and len(padding) == 2 * self.dims and all(
                isinstance(v, int) and not isinstance(v, bool) for v in padding):
            pairs = [(padding[2 * i], padding[2 * i + 1]) for i in range(self.dims)][::-1]  # F.pad: last axis first
        else:
            raise self.fail(self.index, self.text, f"padding must be an integer or {2 * self.dims} integers "
                                                   f"(left, right{', top, bottom' if self.dims > 1 else ''}...)")
        if any(v < 0 for pair in pairs for v in pair):
            raise self.fail(self.index, self.text, "padding must be non-negative (a negative pad crops)")
        out = (self.shape[0], *(n + b + a for n, (b, a) in zip(self.spatial, pairs)))
        return "pad", out, 0, 0, [AxisField(Fraction(1), Fraction(1), Fraction(b)) for b, _ in pairs], None

    def _flatten(self, call: _Call) -> tuple[Any, ...]:
        if call.args.get("start_dim", 1) != 1 or call.args.get("end_dim", -1) != -1:
            raise self.fail(self.index, self.text, "only Flatten(start_dim=1, end_dim=-1) is supported")
        self.flat = True
        return "flatten", (math.prod(self.shape),), 0, 0, self._keep(), None

    def _linear(self, call: _Call) -> tuple[Any, ...]:
        if not self.flat:
            raise self.fail(self.index, self.text, "Linear acts on the last axis; put Flatten() before it")
        features, out = call.args.get("in_features"), call.args.get("out_features")
        for name, value in (("in_features", features), ("out_features", out)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise self.fail(self.index, self.text, f"{name} must be a positive integer, got {value!r}")
        if features != self.shape[0]:
            raise self.fail(self.index, self.text, f"in_features is {features}, but the layer before gives "
                                                   f"{self.shape[0]} features")
        assert isinstance(out, int) and isinstance(features, int)
        parameters = features * out + (out if call.args.get("bias", True) else 0)
        return "linear", (out,), parameters, features * out, self._global(), None

    def _global(self) -> list[AxisField]:
        """Every unit sees every position: a window the size of the map, with stride its size (as AvgPool)."""
        axes = [AxisField(Fraction(n), Fraction(n), Fraction(0)) for n in self.spatial]
        self.spatial = (1,) * self.dims
        return axes

    def _adaptive(self, call: _Call) -> tuple[Any, ...]:
        self._need_spatial(call)
        size = call.args.get("output_size")
        sizes = size if isinstance(size, list) else [size] * self.dims
        if len(sizes) != self.dims:
            raise self.fail(self.index, self.text, f"output_size needs one value or {self.dims}")
        axes, out = [], []
        for n, o in zip(self.spatial, sizes):
            o = n if o is None else o
            if not isinstance(o, int) or isinstance(o, bool) or o < 1:
                raise self.fail(self.index, self.text, f"output_size must be positive integers or None, got {size!r}")
            if n % o == 0:  # PyTorch's windows [floor(i*n/o), ceil((i+1)*n/o)) are then a pooling by n/o
                axes.append(AxisField(Fraction(n // o), Fraction(n // o), Fraction(0)))
            elif o % n == 0:  # and here each output repeats one input: nearest upsampling by o/n
                axes.append(_nearest(o // n))
            else:
                raise self.fail(self.index, self.text, f"output_size {o} from an input of {n}: PyTorch's adaptive "
                                                       f"windows then differ in size; convanim takes output sizes "
                                                       f"that divide the input size or are multiples of it")
            out.append(o)
        return "adaptive", (self.shape[0], *out), 0, 0, axes, None

    def _upsample(self, call: _Call) -> tuple[Any, ...]:
        self._need_spatial(call)
        mode = call.args.get("mode", "nearest")
        if mode != "nearest":
            raise self.fail(self.index, self.text, f"mode {mode!r}: only 'nearest' upsampling is supported (its "
                                                   f"receptive field is a transposed convolution's)")
        size, scale = call.args.get("size"), call.args.get("scale_factor")
        if (size is None) == (scale is None):
            raise self.fail(self.index, self.text, "give exactly one of size and scale_factor")
        if scale is not None:
            scales = scale if isinstance(scale, list) else [scale] * self.dims
            if len(scales) != self.dims or not all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 1 and float(v).is_integer()
                    for v in scales):
                raise self.fail(self.index, self.text, f"scale_factor must be whole numbers >= 1 (one or "
                                                       f"{self.dims}), got {scale!r}")
            factors = [int(v) for v in scales]
        else:
            sizes = size if isinstance(size, list) else [size] * self.dims
            if len(sizes) != self.dims or not all(isinstance(v, int) and not isinstance(v, bool) and v >= n
                                                  and v % n == 0 for v, n in zip(sizes, self.spatial)):
                raise self.fail(self.index, self.text, f"size must be multiples of the input size "
                                                       f"{'x'.join(map(str, self.spatial))}, got {size!r}")
            factors = [v // n for v, n in zip(sizes, self.spatial)]
        out = (self.shape[0], *(n * f for n, f in zip(self.spatial, factors)))
        return "upsample", out, 0, 0, [_nearest(f) for f in factors], None


_HANDLERS = {
    "Conv": "conv", "ConvTranspose": "conv", "MaxPool": "conv", "AvgPool": "conv", "PReLU": "prelu",
    "BatchNorm": "norm", "InstanceNorm": "norm", "GroupNorm": "norm", "LayerNorm": "norm",
    "ZeroPad": "pad", "ConstantPad": "pad", "Flatten": "flatten", "Linear": "linear",
    "AdaptiveAvgPool": "adaptive", "AdaptiveMaxPool": "adaptive", "Upsample": "upsample",
    "UpsamplingNearest2d": "upsample",
}


def _nearest(factor: int) -> AxisField:
    """Nearest upsampling by `factor` is a transposed convolution with kernel = stride = factor, padding 0."""
    return AxisField(Fraction(factor - 1, factor) + 1, Fraction(1, factor), Fraction(factor - 1, factor))


def _inner(error: SpecError) -> str:
    """A layer's own message, its parameter names kept as the layer's argument words (not the command's flags)."""
    message = str(error).removeprefix("layer: ")
    return re.sub(r"\b[a-z]+(?:_[a-z]+)+\b", lambda match: match.group(0).replace("_", " "), message)
