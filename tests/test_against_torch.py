"""Cross-check of the geometry engine against real PyTorch (a local check: skipped where torch is absent, as in CI).

For random 1d/2d/3d parameter sets it compares with torch's Conv/ConvTranspose/MaxPool/AvgPool layers:
- validity: `make_spec` raises `SpecError` exactly when torch refuses the layer or its forward pass;
- output shape and channel count, and the parameter count;
- connections: which input element each (output position, kernel index) tap reads, found by probing torch with a
  one-hot weight over an input holding 1..N (float64, exact), and for pooling which inputs each window contains,
  found by pooling one-hot inputs;
- channel connectivity of grouped and depthwise convolutions, found by probing torch one input channel at a time;
- PyTorch layer strings (`parse_layer`, the CLI's LAYER): `nn.<text>` evaluated by torch vs the engine's reading.

Engine inputs torch cannot take directly are translated, not skipped:
- (before, after) padding pairs: a conv pads the input with F.pad and uses padding 0; a transposed conv uses padding 0
  and crops `before`/`after` from its output (the crop being empty counts as torch refusing it). Pooling has no
  pairs in torch (the engine refuses asymmetric pooling padding, so it is not generated).
- 'full' padding is dilation*(kernel-1) on both sides of each axis; 'valid' for a transposed conv or a pool is 0
  (torch takes padding strings only for a direct conv; the engine's extension of them is deliberate).

torch's rules, as found with torch 2.13 (CPU):
- direct conv: any padding >= 0 (also wider than the kernel); refused when d*(k-1)+1 > n + padding on both sides
  ("Kernel size can't be greater than actual input size"); 'same' needs stride 1 and puts the odd extra at the end.
- transposed conv: output (n-1)*s - 2p + d*(k-1) + output_padding + 1 must be >= 1 (padding may exceed d*(k-1));
  output_padding < stride OR output_padding < dilation, per axis; no padding strings at all.
- pooling: padding <= kernel_size // 2 per axis (max pool: the undilated kernel, whatever the dilation); output
  floor-or-ceil((n + 2p - d*(k-1) - 1) / s) + 1 must be >= 1, where ceil_mode drops a last window that would start
  past n + p. So with ceil_mode a window may run past the end of the padded input: valid iff d*(k-1)+1 <= n+2p+s-1.
- AvgPool3d alone also refuses an input smaller than the kernel on any axis, padding or not
  ("input image (T: 2 H: 2 W: 2) smaller than kernel size (kT: 3 kH: 3 kW: 3)"); AvgPool1d/2d and MaxPool3d do not.

Known, deliberate differences (not generated here):
- torch builds and runs a Conv with in_channels=0 (its output is the bias alone); the engine asks for >= 1 channel.
- engine-only arguments torch has no place for (groups or out_channels on a pool, ceil_mode on a conv,
  output_padding on a direct conv, 'same' on a pool) are refused by the engine and never reach torch.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from convanim.geometry import mapping  # noqa: E402
from convanim.spec import SpecError, make_spec  # noqa: E402

try:  # optional in the engine's API
    from convanim.counts import parameter_count
except ImportError:  # pragma: no cover
    parameter_count = None

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
CONV_T = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}
MAXPOOL = {1: nn.MaxPool1d, 2: nn.MaxPool2d, 3: nn.MaxPool3d}
AVGPOOL = {1: nn.AvgPool1d, 2: nn.AvgPool2d, 3: nn.AvgPool3d}


class Unexpressible(Exception):
    """A parameter set torch has no way to say, even through F.pad or cropping."""


def _axes(value, dims):
    return (value,) * dims if isinstance(value, int) else tuple(value)


def _is_pairs(padding) -> bool:
    return not isinstance(padding, (int, str))


class TorchLayer:
    """The torch counterpart of engine arguments `p`; building it runs torch's own checks (it may raise)."""

    def __init__(self, p: dict, *, in_channels=None, out_channels=None, groups=None, bias=None):
        self.p = p
        dims, op = p["dims"], p.get("op", "conv")
        self.dims, self.op = dims, op
        self.transposed = bool(p.get("transposed", False))
        self.pre = self.post = None
        kernel, dilation = p["kernel_size"], p.get("dilation", 1)
        padding = p.get("padding", 0)
        if isinstance(padding, str):
            if padding == "full":
                padding = tuple(d * (k - 1) for k, d in zip(_axes(kernel, dims), _axes(dilation, dims)))
            elif padding == "valid" and (self.transposed or op != "conv"):
                padding = 0
        elif _is_pairs(padding):
            pairs = [(v, v) if isinstance(v, int) else tuple(v) for v in padding]
            if all(b == a for b, a in pairs):
                padding = tuple(b for b, _ in pairs)
            elif op != "conv":
                raise Unexpressible("asymmetric pooling padding")
            elif not self.transposed:
                flat = [v for pair in reversed(pairs) for v in pair]  # F.pad wants the last axis first
                self.pre = lambda x: F.pad(x, flat)
                padding = 0
            else:
                self.crop = pairs
                self.post = self._crop
                padding = 0
        if op == "conv":
            cin = p.get("in_channels", 1) if in_channels is None else in_channels
            if groups is None:
                groups = cin if p.get("depthwise") else (1 if p.get("groups") is None else p["groups"])
            if out_channels is None:
                out_channels = p.get("out_channels")
                if out_channels is None:
                    out_channels = cin if p.get("depthwise") else 1
            bias = p.get("bias", True) if bias is None else bias
            stride = 1 if p.get("stride") is None else p["stride"]
            if self.transposed:
                self.module = CONV_T[dims](cin, out_channels, kernel, stride=stride, padding=padding,
                                           output_padding=p.get("output_padding", 0), groups=groups, bias=bias,
                                           dilation=dilation, dtype=torch.float64)
            else:
                self.module = CONV[dims](cin, out_channels, kernel, stride=stride, padding=padding,
                                         dilation=dilation, groups=groups, bias=bias, dtype=torch.float64)
            self.in_channels = cin
        elif op == "maxpool":
            self.module = MAXPOOL[dims](kernel, stride=p.get("stride"), padding=padding, dilation=dilation,
                                        ceil_mode=p.get("ceil_mode", False))
            self.in_channels = p.get("in_channels", 1) if in_channels is None else in_channels
        else:
            self.module = AVGPOOL[dims](kernel, stride=p.get("stride"), padding=padding,
                                        ceil_mode=p.get("ceil_mode", False), count_include_pad=True)
            self.in_channels = p.get("in_channels", 1) if in_channels is None else in_channels

    def _crop(self, y):
        index = [slice(None), slice(None)]
        for axis, (before, after) in enumerate(self.crop):
            n = y.shape[2 + axis]
            if n - before - after < 1:
                raise RuntimeError(f"emulated padding pair: output size {n}-{before}-{after} too small")
            index.append(slice(before, n - after))
        return y[tuple(index)]

    def __call__(self, x):
        if self.pre is not None:
            x = self.pre(x)
        y = self.module(x)
        return self.post(y) if self.post is not None else y


def torch_outcome(p: dict):
    """(layer, output shape) if torch builds the layer and runs it on a random input, else None."""
    input_size = _axes(p["input_size"], p["dims"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layer = TorchLayer(p)
            x = torch.randn(1, layer.in_channels, *input_size, dtype=torch.float64)
            y = layer(x)
    except (RuntimeError, ValueError, TypeError):
        return None
    return layer, tuple(y.shape[1:])


def engine_outcome(p: dict):
    try:
        return make_spec(**p)
    except SpecError:
        return None


# ---- strategies ----------------------------------------------------------------------------------------------

MAX_INPUT = {1: 9, 2: 6, 3: 4}
MAX_KERNEL = {1: 5, 2: 4, 3: 3}


def _per_axis(draw, dims, values):
    if draw(st.booleans()):
        return draw(values)
    return tuple(draw(values) for _ in range(dims))


@st.composite
def layer_params(draw):
    """Mostly-valid engine arguments, with every padding form, for the comparison of shapes and connections."""
    dims = draw(st.integers(1, 3))
    op = draw(st.sampled_from(["conv", "conv", "conv", "maxpool", "avgpool"]))
    transposed = op == "conv" and draw(st.booleans())
    p = {"dims": dims, "op": op, "transposed": transposed,
         "input_size": _per_axis(draw, dims, st.integers(1, MAX_INPUT[dims])),
         "kernel_size": _per_axis(draw, dims, st.integers(1, MAX_KERNEL[dims]))}
    if op == "conv" or draw(st.booleans()):
        p["stride"] = _per_axis(draw, dims, st.integers(1, 3))
    if op != "avgpool":
        p["dilation"] = _per_axis(draw, dims, st.integers(1, 3))
    if op == "conv":
        kind = draw(st.sampled_from(["int", "axes", "pairs", "valid", "same", "full"]))
        if kind == "pairs":
            p["padding"] = tuple(draw(st.one_of(st.integers(0, 4), st.tuples(st.integers(0, 4), st.integers(0, 4))))
                                 for _ in range(dims))
        elif kind in ("int", "axes"):
            p["padding"] = _per_axis(draw, dims, st.integers(0, 4))
        elif kind != "same" or not transposed:
            p["padding"] = kind
        if transposed:
            p["output_padding"] = _per_axis(draw, dims, st.integers(0, 2))
        cin = draw(st.integers(1, 4))
        p["in_channels"] = cin
        if draw(st.integers(0, 4)) == 0:
            p["depthwise"] = True
            p["out_channels"] = cin * draw(st.integers(1, 2))
        else:
            groups = draw(st.sampled_from([g for g in range(1, cin + 1) if cin % g == 0]))
            p["groups"] = groups
            p["out_channels"] = groups * draw(st.integers(1, 3))
        p["bias"] = draw(st.booleans())
    else:
        p["padding"] = _per_axis(draw, dims, st.integers(0, 2))
        p["ceil_mode"] = draw(st.booleans())
        p["in_channels"] = draw(st.integers(1, 3))
    return p


@st.composite
def raw_params(draw):
    """Arguments with no regard for validity, for the validity comparison: each field is usually in range and now and
    then zero, negative or oversized, so that most examples sit near the edge between valid and invalid."""
    dims = draw(st.integers(1, 3))
    op = draw(st.sampled_from(["conv", "conv", "maxpool", "avgpool"]))
    transposed = op == "conv" and draw(st.booleans())

    def field(good, bad):
        return _per_axis(draw, dims, bad if draw(st.integers(0, 5)) == 0 else good)

    p = {"dims": dims, "op": op, "transposed": transposed,
         "input_size": field(st.integers(1, 6), st.integers(1, 2)),
         "kernel_size": field(st.integers(1, 5), st.integers(0, 6))}
    if op == "conv" or draw(st.booleans()):
        p["stride"] = field(st.integers(1, 3), st.integers(0, 5))
    if op != "avgpool":
        p["dilation"] = field(st.integers(1, 3), st.integers(0, 4))
    if op == "conv" and draw(st.integers(0, 3)) == 0:
        p["padding"] = draw(st.sampled_from(["valid", "same", "full"]) if not transposed else st.just("full"))
    else:
        p["padding"] = field(st.integers(0, 3), st.integers(-1, 7))
    if transposed:
        p["output_padding"] = field(st.integers(0, 2), st.integers(-1, 4))
    if op == "conv":
        p["in_channels"] = draw(st.integers(1, 4))
        p["out_channels"] = draw(st.integers(0, 5))
        if draw(st.integers(0, 5)) == 0:
            p["depthwise"] = True
        else:
            p["groups"] = draw(st.integers(-1, 4))
    else:
        p["ceil_mode"] = draw(st.booleans())
    return p


# ---- probes ----------------------------------------------------------------------------------------------------

def _probe_conv_taps(p: dict, input_shape, kernel_shape) -> np.ndarray:
    """(kernel taps, *output) array of the flat input index each tap reads, -1 for an implicit zero, from torch.

    One conv with in_channels=1, groups=1, bias=False and one output channel per kernel tap whose weight is one-hot at
    that tap, over an input holding 1..N: each output value is then 1 + the flat index of the input it read, or 0.
    """
    taps = math.prod(kernel_shape)
    layer = TorchLayer(p, in_channels=1, out_channels=taps, groups=1, bias=False)
    onehot = torch.eye(taps, dtype=torch.float64).reshape(taps, *kernel_shape)
    with torch.no_grad():
        layer.module.weight.copy_(onehot.unsqueeze(0) if p.get("transposed") else onehot.unsqueeze(1))
        x = torch.arange(1, math.prod(input_shape) + 1, dtype=torch.float64).reshape(1, 1, *input_shape)
        y = layer(x)[0]
    return np.rint(y.numpy()).astype(np.int64) - 1


def _probe_pool_windows(p: dict, input_shape) -> np.ndarray:
    """(inputs, *output) boolean array: does the window of each output contain each input, from torch.

    Pools a batch of one-hot inputs (+1 at one position over zeros; max pool pads with -inf, avg pool here counts
    padding in its divisor, so a window's result is positive exactly when it contains the hot input).
    """
    n = math.prod(input_shape)
    layer = TorchLayer(p, in_channels=1)
    x = torch.eye(n, dtype=torch.float64).reshape(n, 1, *input_shape)
    with torch.no_grad():
        y = layer(x)[:, 0]
    return (y > 0).numpy()


def _engine_taps(d: dict, input_shape, kernel_shape) -> np.ndarray:
    out = np.full((math.prod(kernel_shape), *d["output_shape"]), -2, dtype=np.int64)
    for frame in d["frames"]:
        for tap in frame["taps"]:
            t = int(np.ravel_multi_index(tap["kernel"], kernel_shape))
            i = -1 if tap["input"] is None else int(np.ravel_multi_index(tap["input"], input_shape))
            assert out[(t, *frame["output"])] == -2, "a kernel tap appears twice in one frame"
            assert (tap["input"] is None) == tap["padding"] == (tap["zero"] is not None)
            out[(t, *frame["output"])] = i
    return out


def _engine_windows(d: dict, input_shape) -> np.ndarray:
    out = np.zeros((math.prod(input_shape), *d["output_shape"]), dtype=bool)
    for frame in d["frames"]:
        for tap in frame["taps"]:
            if tap["input"] is not None:
                out[(int(np.ravel_multi_index(tap["input"], input_shape)), *frame["output"])] = True
    return out


# ---- tests -----------------------------------------------------------------------------------------------------

@SETTINGS
@given(layer_params())
# Edge cases, always run. ceil_mode lets the last window run past the end of the padded input (torch accepts these):
@example({"dims": 1, "op": "maxpool", "input_size": 1, "kernel_size": 2, "ceil_mode": True})
@example({"dims": 1, "op": "avgpool", "input_size": 1, "kernel_size": 2, "ceil_mode": True})
@example({"dims": 2, "op": "maxpool", "input_size": 4, "kernel_size": 3, "stride": 2, "dilation": 2, "ceil_mode": True})
@example({"dims": 1, "op": "maxpool", "input_size": 5, "kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": True})
# AvgPool3d (only the 3d one) refuses an unpadded input smaller than the kernel, padding or not:
@example({"dims": 3, "op": "avgpool", "input_size": 2, "kernel_size": 3, "stride": 1, "padding": 1})
@example({"dims": 2, "op": "avgpool", "input_size": 2, "kernel_size": 3, "stride": 1, "padding": 1})
@example({"dims": 3, "op": "maxpool", "input_size": 2, "kernel_size": 3, "stride": 1, "padding": 1})
# Max pool padding is bounded by half the kernel size, not half the dilated extent:
@example({"dims": 2, "op": "maxpool", "input_size": 9, "kernel_size": 3, "stride": 1, "padding": 2, "dilation": 3})
# 'same' with an even dilated extent puts the odd extra padding at the end; 'same' survives a kernel wider than the input:
@example({"dims": 1, "input_size": 5, "kernel_size": 4, "padding": "same", "dilation": 1})
@example({"dims": 2, "input_size": 2, "kernel_size": (4, 2), "padding": "same", "dilation": (3, 2)})
# Transposed: padding beyond dilation*(kernel-1) crops into the input; output_padding < dilation with stride 1:
@example({"dims": 1, "transposed": True, "input_size": 5, "kernel_size": 3, "stride": 2, "padding": 3})
@example({"dims": 2, "transposed": True, "input_size": 3, "kernel_size": 3, "dilation": 3, "output_padding": 2})
@example({"dims": 1, "transposed": True, "input_size": 2, "kernel_size": 3, "padding": 2})
@example({"dims": 2, "transposed": True, "input_size": 3, "kernel_size": 2, "stride": 2, "padding": ((1, 0), (0, 2))})
@example({"dims": 1, "input_size": 1, "kernel_size": 2, "padding": 5})
@example({"dims": 2, "input_size": 3, "kernel_size": 3, "padding": ((0, 2), 1), "stride": 2})
def test_shape_connections_and_parameters_match_torch(p):
    found = torch_outcome(p)
    spec = engine_outcome(p)
    assert (found is None) == (spec is None), (
        f"torch {'refuses' if found is None else 'accepts'} but the engine "
        f"{'refuses' if spec is None else 'accepts'}: {p}")
    if spec is None:
        return
    layer, shape = found
    d = mapping(spec)
    assert (d["out_channels"], *d["output_shape"]) == shape, p
    input_shape = tuple(d["input_shape"])
    assert input_shape == _axes(p["input_size"], p["dims"])
    assert len(d["frames"]) == math.prod(d["output_shape"])

    if parameter_count is not None:
        expected = sum(t.numel() for t in layer.module.parameters())
        assert sum(parameter_count(spec)) == expected, p

    kernel_shape = tuple(spec.kernel_size)
    if p.get("op", "conv") == "conv":
        assert d["groups"] == layer.module.groups and d["in_channels"] == layer.module.in_channels
        torch_taps = _probe_conv_taps(p, input_shape, kernel_shape)
        engine_taps = _engine_taps(d, input_shape, kernel_shape)
        assert engine_taps.shape == torch_taps.shape, p
        bad = np.argwhere(engine_taps != torch_taps)
        assert not len(bad), (f"{p}: first differing (tap, *output) {tuple(bad[0])}: torch reads "
                              f"{torch_taps[tuple(bad[0])]}, engine {engine_taps[tuple(bad[0])]} (flat, -1 = zero)")
    else:
        torch_windows = _probe_pool_windows(p, input_shape)
        engine_windows = _engine_windows(d, input_shape)
        assert engine_windows.shape == torch_windows.shape, p
        bad = np.argwhere(engine_windows != torch_windows)
        assert not len(bad), (f"{p}: first differing (input, *output) {tuple(bad[0])}: torch "
                              f"{torch_windows[tuple(bad[0])]}, engine {engine_windows[tuple(bad[0])]}")


@SETTINGS
@given(raw_params())
def test_validity_matches_torch(p):
    found = torch_outcome(p)
    spec = engine_outcome(p)
    assert (found is None) == (spec is None), (
        f"torch {'refuses' if found is None else 'accepts'} but the engine "
        f"{'refuses' if spec is None else 'accepts'}: {p}")
    if spec is not None:
        assert (spec.out_channels, *mapping(spec)["output_shape"]) == found[1]


@st.composite
def grouped_params(draw):
    dims = draw(st.integers(1, 3))
    groups = draw(st.integers(1, 4))
    p = {"dims": dims, "input_size": 3, "kernel_size": draw(st.integers(1, 2)), "padding": "valid",
         "transposed": draw(st.booleans()), "bias": draw(st.booleans())}
    cin = groups * draw(st.integers(1, 3))
    p["in_channels"] = cin
    if draw(st.integers(0, 3)) == 0:
        p["depthwise"] = True
        p["out_channels"] = cin * draw(st.integers(1, 2))
    else:
        p["groups"] = groups
        p["out_channels"] = groups * draw(st.integers(1, 3))
    return p


@SETTINGS
@given(grouped_params())
def test_channel_connectivity_matches_torch(p):
    spec = make_spec(**p)
    d = mapping(spec)
    layer = TorchLayer(p)
    cin, cout = spec.in_channels, spec.out_channels
    with torch.no_grad():
        layer.module.weight.fill_(1.0)
        if layer.module.bias is not None:
            layer.module.bias.zero_()
        x = torch.zeros(cin, cin, *((3,) * p["dims"]), dtype=torch.float64)
        for c in range(cin):
            x[c, c] = 1.0  # batch c: only input channel c is on
        y = layer(x)
    reads = y.flatten(2).abs().sum(-1).T > 0  # (out channel, in channel)
    expected = [{"output": oc, "inputs": [ic for ic in range(cin) if reads[oc, ic]]} for oc in range(cout)]
    assert d["channels"] == expected, p
    assert (d["in_channels"], d["out_channels"], d["groups"]) == (cin, cout, layer.module.groups)
    if parameter_count is not None:
        assert sum(parameter_count(spec)) == sum(t.numel() for t in layer.module.parameters())


# ---- PyTorch layer strings -------------------------------------------------------------------------------------

try:  # the CLI's `LAYER` argument; optional in the engine's API
    from convanim.parse import parse_layer
except ImportError:  # pragma: no cover
    parse_layer = None

_SIGNATURES = {  # PyTorch's positional order
    "Conv": ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias"),
    "ConvTranspose": ("in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups",
                      "bias", "dilation"),
    "MaxPool": ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"),
    "AvgPool": ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"),
}


@st.composite
def layer_strings(draw):
    """A PyTorch layer expression with a random split of positional and keyword arguments, and an input size."""
    family = draw(st.sampled_from(sorted(_SIGNATURES)))
    dims = draw(st.integers(1, 3))
    size = lambda lo, hi: _per_axis(draw, dims, st.integers(lo, hi))  # noqa: E731
    values = {"kernel_size": size(1, 4)}
    if family.startswith("Conv"):
        groups = draw(st.integers(1, 3))
        values["in_channels"] = groups * draw(st.integers(1, 2))
        values["out_channels"] = groups * draw(st.integers(1, 2))
        if groups > 1 or draw(st.booleans()):
            values["groups"] = groups
        if draw(st.booleans()):
            values["bias"] = draw(st.booleans())
        if draw(st.booleans()):
            values["padding"] = (draw(st.sampled_from(["valid", "same"])) if family == "Conv" and draw(st.booleans())
                                 else size(0, 3))
        if family == "ConvTranspose" and draw(st.booleans()):
            values["output_padding"] = size(0, 2)
    else:
        if draw(st.booleans()):
            values["padding"] = size(0, 2)
        if draw(st.booleans()):
            values["ceil_mode"] = draw(st.booleans())
        if family == "MaxPool" and draw(st.booleans()):
            values["return_indices"] = False
        if family == "AvgPool" and draw(st.booleans()):
            values["count_include_pad"] = True
    if draw(st.booleans()):
        values["stride"] = size(1, 3) if family.startswith("Conv") or draw(st.booleans()) else None
    if family != "AvgPool" and draw(st.booleans()):
        values["dilation"] = size(1, 3)
    signature = _SIGNATURES[family]
    # positional up to a random cut, as long as no earlier positional parameter is missing; keywords after
    cut = draw(st.integers(0, len(signature)))
    positional = []
    for name in signature[:cut]:
        if name not in values:
            break
        positional.append(name)
    args = [repr(values[name]) for name in positional]
    args += [f"{name}={values[name]!r}" for name in values if name not in positional]
    text = f"{family}{dims}d({', '.join(args)})"
    return text, dims, size(1, MAX_INPUT[dims])


@pytest.mark.skipif(parse_layer is None, reason="the engine has no layer-string parser")
@SETTINGS
@given(layer_strings())
def test_layer_strings_mean_what_torch_means(case):
    text, dims, input_size = case
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = eval(text, {name: getattr(nn, name) for name in dir(nn) if name[0].isupper()})
            module = module.double()
            cin = getattr(module, "in_channels", 1)
            found = tuple(module(torch.randn(1, cin, *_axes(input_size, dims), dtype=torch.float64)).shape[1:])
    except (RuntimeError, ValueError, TypeError):
        found = None
    try:
        spec = make_spec(input_size=input_size, **parse_layer(text))
    except SpecError:
        spec = None
    assert (found is None) == (spec is None), (
        f"torch {'refuses' if found is None else 'accepts'} {text} on input {input_size}, the engine "
        f"{'refuses' if spec is None else 'accepts'} it")
    if spec is None:
        return
    d = mapping(spec)
    assert (d["out_channels"], *d["output_shape"]) == found, text
    if parameter_count is not None:
        assert sum(parameter_count(spec)) == sum(t.numel() for t in module.parameters()), text
    # the spec holds what the module holds (torch normalises ints to per-axis tuples)
    assert spec.kernel_size == _axes(module.kernel_size, dims) and spec.stride == _axes(module.stride, dims)
    if not isinstance(module.padding, str):
        assert spec.padding == tuple((v, v) for v in _axes(module.padding, dims)), text
    if hasattr(module, "groups"):
        assert (spec.in_channels, spec.out_channels, spec.groups, spec.bias) == (
            module.in_channels, module.out_channels, module.groups, module.bias is not None), text
    if hasattr(module, "dilation"):
        assert spec.dilation == _axes(module.dilation, dims), text
    if hasattr(module, "ceil_mode"):
        assert spec.ceil_mode == module.ceil_mode, text
