"""Stacks: receptive field, effective stride and padding against a brute force; shapes and parameters against a
direct count; the errors a user meets.

The brute force composes each layer's one-hot dependency map (which input elements each output element reads, from
the geometry engine's taps, itself checked against tests/reference.py) and reads a unit's region off the product. It
never uses Araujo et al.'s formulas: it checks them.
"""

from __future__ import annotations

import ast
import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from convanim.errors import SpecError
from convanim.geometry import Geometry
from convanim.stack import StackLayer, make_stack

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


# --- the brute force ----------------------------------------------------------------------------------------------

def dependency(layer: StackLayer) -> np.ndarray:
    """Boolean (outputs, inputs) over flattened spatial positions: output o reads input i (implicit zeros excluded)."""
    in_spatial, out_spatial = layer.input_shape[1:], layer.output_shape[1:]
    matrix = np.zeros((math.prod(out_spatial), math.prod(in_spatial)), dtype=bool)
    if layer.spec is not None:
        for frame in Geometry(layer.spec).frames():
            for tap in frame.input[frame.real]:
                matrix[frame.index, np.ravel_multi_index(tuple(tap), in_spatial)] = True
        return matrix
    for o, out in enumerate(np.ndindex(*out_spatial)):
        if layer.kind == "pad":  # ZeroPad1d((left, right)): output o holds input o - left, or a zero
            left = [ast.literal_eval(layer.expression[len("ZeroPad1d"):])[0]]
            source = tuple(v - left_a for v, left_a in zip(out, left))
            if all(0 <= v < n for v, n in zip(source, in_spatial)):
                matrix[o, np.ravel_multi_index(source, in_spatial)] = True
        elif layer.kind == "upsample":  # nearest: output o holds input floor(o * in / out)
            source = tuple(v * n // m for v, n, m in zip(out, in_spatial, out_spatial))
            matrix[o, np.ravel_multi_index(source, in_spatial)] = True
        elif layer.kind == "adaptive":  # PyTorch's windows: [floor(o*in/out), ceil((o+1)*in/out)) per axis
            window = [range(v * n // m, -(-(v + 1) * n // m)) for v, n, m in zip(out, in_spatial, out_spatial)]
            for source in itertools.product(*window):
                matrix[o, np.ravel_multi_index(source, in_spatial)] = True
        else:  # shape-keeping
            matrix[o, o] = True
    return matrix


def regions(stack) -> list[tuple[np.ndarray, dict[tuple[int, ...], tuple[tuple[int, int], ...] | None]]]:
    """Per layer: for every unit (spatial index), the (min, max) input index per axis it depends on, or None."""
    spatial = stack.input_shape[1:]
    composed = np.eye(math.prod(spatial), dtype=bool)
    result = []
    for layer in stack.layers:
        composed = (dependency(layer).astype(np.int64) @ composed.astype(np.int64)) > 0
        boxes = {}
        for o, unit in enumerate(np.ndindex(*layer.output_shape[1:])):
            hits = np.flatnonzero(composed[o])
            if not len(hits):
                boxes[unit] = None
                continue
            coords = np.array(np.unravel_index(hits, spatial))
            boxes[unit] = tuple((int(c.min()), int(c.max())) for c in coords)
        result.append(boxes)
    return result


def predicted(layer: StackLayer, unit: tuple[int, ...]) -> list[tuple[Fraction, Fraction]]:
    return [(u * s - p, u * s - p + r - 1) for u, r, s, p in
            zip(unit, layer.receptive_field, layer.effective_stride, layer.effective_padding)]


def check_exact(stack) -> int:
    """Every unit's inputs lie in its predicted interval; a unit whose interval lies inside the input reaches
    exactly both ends of it on every axis. Returns how many such inside units were checked."""
    inside_units = 0
    spatial = stack.input_shape[1:]
    for layer, boxes in zip(stack.layers, regions(stack)):
        for unit, box in boxes.items():
            bounds = predicted(layer, unit)
            if box is None:  # a unit that sees only padding: its interval must miss the input
                assert any(hi < 0 or lo > n - 1 for (lo, hi), n in zip(bounds, spatial)), (layer.expression, unit)
                continue
            for (lo, hi), (first, last) in zip(bounds, box):
                assert lo <= first and last <= hi, (layer.expression, unit, bounds, box)
            if all(lo >= 0 and hi <= n - 1 for (lo, hi), n in zip(bounds, spatial)):
                inside_units += 1
                assert [(Fraction(a), Fraction(b)) for a, b in box] == bounds, (layer.expression, unit, bounds, box)
    return inside_units


# --- random stacks ------------------------------------------------------------------------------------------------

@st.composite
def direct_layer(draw, dims: int) -> str:
    kind = draw(st.sampled_from(["conv", "conv", "maxpool", "avgpool", "relu"]))
    d = f"{dims}d"
    k = draw(st.integers(1, 4))
    s = draw(st.integers(1, 3))
    if kind == "relu":
        return "ReLU(inplace=True)"
    if kind == "conv":
        dilation = draw(st.integers(1, 3))
        p = draw(st.integers(0, dilation * (k - 1)))
        return f"Conv{d}(1, 1, {k}, stride={s}, padding={p}, dilation={dilation})"
    p = draw(st.integers(0, k // 2))
    if kind == "maxpool":
        dilation = draw(st.integers(1, 2))
        return f"MaxPool{d}({k}, stride={s}, padding={p}, dilation={dilation})"
    return f"AvgPool{d}({k}, stride={s}, padding={p})"


def sized_stack(layers: list[str], dims: int, extra: int, limit: int):
    """The stack on an input just large enough for a unit whose region lies inside it (plus `extra`)."""
    try:
        probe = make_stack(layers, input_size=limit, dims=dims)
    except SpecError:
        assume(False)
    last = probe.layers[-1]
    need = max(math.ceil(r + 2 * p + s) for r, s, p in
               zip(last.receptive_field, last.effective_stride, last.effective_padding)) + extra
    assume(need <= limit)
    try:
        return make_stack(layers, input_size=need, dims=dims)
    except SpecError:
        assume(False)


@SETTINGS
@given(st.data(), st.integers(0, 3))
def test_receptive_field_stride_padding_1d_against_brute_force(data, extra):
    layers = data.draw(st.lists(direct_layer(1), min_size=1, max_size=5))
    stack = sized_stack(layers, 1, extra, 80)
    assert check_exact(stack) > 0


@SETTINGS
@given(st.data(), st.integers(0, 2))
def test_receptive_field_stride_padding_2d_against_brute_force(data, extra):
    layers = data.draw(st.lists(direct_layer(2), min_size=1, max_size=3))
    stack = sized_stack(layers, 2, extra, 18)
    assert check_exact(stack) > 0


@st.composite
def padded_direct_stack(draw):
    left, right = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    return [f"ZeroPad1d(({left}, {right}))", *draw(st.lists(direct_layer(1), min_size=1, max_size=3))]


@SETTINGS
@given(padded_direct_stack(), st.integers(0, 3))
def test_left_only_padding_layer_against_brute_force(layers, extra):
    assert check_exact(sized_stack(layers, 1, extra, 60)) > 0


@st.composite
def upsampling_layer(draw, gapless: bool = False) -> str:
    """A transposed convolution, an Upsample or (unless `gapless`) a strided convolution. `gapless` keeps to layers
    that map a run of units onto a run of input elements: transposed kernels at least as long as their stride."""
    kind = draw(st.sampled_from(["transposed", "upsample"] if gapless else ["transposed", "upsample", "conv"]))
    s = draw(st.integers(1, 3))
    k = draw(st.integers(s if gapless else 1, 4))
    if kind == "upsample":
        return f"Upsample(scale_factor={s}, mode='nearest')"
    if kind == "transposed":
        p = draw(st.integers(0, k - 1))
        return f"ConvTranspose1d(1, 1, {k}, stride={s}, padding={p})"
    return f"Conv1d(1, 1, {k}, stride={s}, padding={draw(st.integers(0, k - 1))})"


def upsampled_stack(layers, size):
    try:
        stack = make_stack(layers, input_size=size, dims=1)
    except SpecError:
        assume(False)
    assume(math.prod(stack.layers[-1].output_shape) <= 400)
    return stack


@SETTINGS
@given(st.lists(upsampling_layer(), min_size=1, max_size=4), st.integers(3, 12))
def test_upsampling_regions_lie_in_the_fractional_interval(layers, size):
    """With a transposed convolution or Upsample, r, S and P are fractions and bound the region: every input element
    a unit reads lies in [u*S - P, u*S - P + r - 1] (a unit reading nothing is allowed, as a lone stride-2
    transposed convolution with kernel 1 shows)."""
    stack = upsampled_stack(layers, size)
    for layer, boxes in zip(stack.layers, regions(stack)):
        for unit, box in boxes.items():
            (lo, hi), = predicted(layer, unit)
            if box is not None:
                (first, last), = box
                assert lo <= first and last <= hi, (layer.expression, unit, lo, hi, box)


@SETTINGS
@given(st.lists(upsampling_layer(gapless=True), min_size=1, max_size=3),
       st.lists(st.sampled_from(["Conv1d(1, 1, 3)", "Conv1d(1, 1, 2, padding=1)", "MaxPool1d(2, stride=1)"]),
                max_size=2), st.integers(3, 12))
def test_upsampling_first_regions_are_exactly_the_input_elements_in_the_interval(upsampling, after, size):
    """Where every upsampling layer comes before any stride and no tap skips an input, the interval is exact: a unit
    whose interval lies inside the input reads exactly the elements from ceil(start) to floor(end)."""
    stack = upsampled_stack([*upsampling, *after], size)
    for layer, boxes in zip(stack.layers, regions(stack)):
        for unit, box in boxes.items():
            (lo, hi), = predicted(layer, unit)
            if lo >= 0 and hi <= size - 1:
                assert box is not None and box[0] == (math.ceil(lo), math.floor(hi)), (layer.expression, unit, box)


# --- classics, checked by hand ------------------------------------------------------------------------------------

def fields(stack):
    return [(tuple(map(int, layer.receptive_field)), tuple(map(int, layer.effective_stride)),
             tuple(map(int, layer.effective_padding))) for layer in stack.layers]


def test_three_3x3_convolutions_see_7x7_like_one_7x7():
    stack = make_stack(["Conv2d(1, 1, 3)"] * 3, input_size=9)
    assert [f[0] for f in fields(stack)] == [(3, 3), (5, 5), (7, 7)]
    assert stack.layers[-1].output_shape == (1, 3, 3)


def test_wavenet_dilations_double_the_receptive_field():
    layers = ["ConstantPad1d((1, 0), 0.0)", "Conv1d(1, 1, 2)", "ConstantPad1d((2, 0), 0.0)", "Conv1d(1, 1, 2, dilation=2)",
              "ConstantPad1d((4, 0), 0.0)", "Conv1d(1, 1, 2, dilation=4)", "ConstantPad1d((8, 0), 0.0)",
              "Conv1d(1, 1, 2, dilation=8)"]
    stack = make_stack(layers, input_size=16)
    convs = [f for layer, f in zip(stack.layers, fields(stack)) if layer.kind == "conv"]
    assert [f[0][0] for f in convs] == [2, 4, 8, 16]
    assert [f[2][0] for f in convs] == [1, 3, 7, 15]  # causal: unit t sees inputs t-15 .. t
    assert stack.output_shape == (1, 16)


def test_stride_jumps_the_receptive_field_growth():
    # AlexNet-like start: 11x11 stride 4, then 3x3 max pool stride 2, then 5x5 padding 2
    stack = make_stack(["Conv2d(3, 64, kernel_size=11, stride=4, padding=2)", "ReLU(inplace=True)",
                        "MaxPool2d(kernel_size=3, stride=2)", "Conv2d(64, 192, kernel_size=5, padding=2)"],
                       input_size=224)
    assert fields(stack)[-1] == ((51, 51), (8, 8), (18, 18))
    assert [layer.output_shape for layer in stack.layers] == [(64, 55, 55), (64, 55, 55), (64, 27, 27),
                                                              (192, 27, 27)]


def test_transposed_convolution_halves_the_stride():
    stack = make_stack(["Conv2d(1, 1, 3, stride=2, padding=1)", "ConvTranspose2d(1, 1, 3, stride=2, padding=1, "
                        "output_padding=1)"], input_size=8)
    last = stack.layers[-1]
    assert last.output_shape == (1, 8, 8)
    assert last.effective_stride == (Fraction(1), Fraction(1))
    assert last.receptive_field == (Fraction(5), Fraction(5))  # 3 + (3-1)/2 * 2
    assert stack.to_dict()["layers"][0]["effective_stride"] == [2, 2]


# --- shapes and parameters against a direct count -----------------------------------------------------------------

def direct_conv_length(n: int, k: int, s: int, p: int, d: int) -> int:
    """Count the window positions that fit in the padded input."""
    return sum(1 for start in range(0, n + 2 * p) if start % s == 0 and start + d * (k - 1) < n + 2 * p)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 8), st.integers(1, 4), st.integers(1, 2), st.integers(0, 2),
                          st.integers(1, 2), st.booleans(), st.booleans()), min_size=1, max_size=4),
       st.integers(1, 4), st.integers(8, 40))
def test_shapes_and_parameters_of_conv_bn_relu_stacks_against_a_direct_count(convs, in_channels, size):
    layers, channels, n, params, macs, shapes = [], in_channels, size, 0, 0, []
    for out, k, s, p, d, bias, norm in convs:
        length = direct_conv_length(n, k, s, p, d)
        assume(length >= 1)
        layers.append(f"Conv2d({channels}, {out}, kernel_size=({k}, {k}), stride=({s}, {s}), padding=({p}, {p}), "
                      f"dilation=({d}, {d}){'' if bias else ', bias=False'})")
        params += out * channels * k * k + (out if bias else 0)
        macs += out * length * length * channels * k * k
        shapes.append((out, length, length))
        if norm:
            layers.append(f"BatchNorm2d({out}, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)")
            params += 2 * out
            shapes.append((out, length, length))
        layers.append("ReLU(inplace=True)")
        shapes.append((out, length, length))
        channels, n = out, length
    stack = make_stack(layers, input_size=size)
    assert [layer.output_shape for layer in stack.layers] == shapes
    assert stack.parameters == params and stack.macs == macs
    assert stack.input_shape == (in_channels, size, size)


def test_classifier_head_counts():
    stack = make_stack(["Conv2d(3, 16, 3, padding=1)", "AdaptiveAvgPool2d(output_size=(1, 1))",
                        "Flatten(start_dim=1, end_dim=-1)", "Dropout(p=0.5, inplace=False)",
                        "Linear(in_features=16, out_features=10, bias=True)"], input_size=(12, 10))
    assert [layer.output_shape for layer in stack.layers] == [(16, 12, 10), (16, 1, 1), (16,), (16,), (10,)]
    assert [layer.parameters for layer in stack.layers] == [16 * 3 * 9 + 16, 0, 0, 0, 16 * 10 + 10]
    assert stack.layers[-1].macs == 160
    # the pooled unit, and so every feature, sees the whole input and the padding: (12+2) x (10+2), from -1
    assert tuple(map(int, stack.layers[1].receptive_field)) == (14, 12)
    assert tuple(map(int, stack.layers[-1].receptive_field)) == (14, 12)
    assert tuple(map(int, stack.layers[-1].effective_padding)) == (1, 1)


def test_flatten_of_a_map_keeps_each_units_region_and_linear_sees_everything():
    stack = make_stack(["Conv1d(2, 4, 3)", "Flatten()", "Linear(32, 5)"], input_size=10)
    assert stack.layers[1].receptive_field == (3,) and stack.layers[1].output_shape == (32,)
    assert stack.layers[2].receptive_field == (10,)


def test_upsample_and_adaptive_pool_shapes():
    stack = make_stack(["Upsample(scale_factor=2.0, mode='nearest')", "AdaptiveMaxPool2d((3, None))",
                        "AdaptiveAvgPool2d(12)"], input_size=3, in_channels=5)
    assert [layer.output_shape for layer in stack.layers] == [(5, 6, 6), (5, 3, 6), (5, 12, 12)]
    for layer, boxes in zip(stack.layers, regions(stack)):
        for unit, box in boxes.items():
            for (lo, hi), (first, last) in zip(predicted(layer, unit), box):
                assert lo <= first and last <= hi


# --- errors -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("layers", "kwargs", "message"), [
    (["Conv2d(3, 8, 3)", "Conv2d(16, 8, 3)"], {}, r"^layers: layer 1 \('Conv2d\(16, 8, 3\)'\)|^layers: layer 1 .*takes 16 input channels, but the layer before gives 8"),
    (["Conv2d(1, 1, 3)"] * 3, {"input_size": 5}, r"^layers: layer 2 \(Conv2d\(1, 1, 3\)\) on a 1x1x1 input: kernel size"),
    (["MaxPool2d(2)", "BatchNorm2d(4)"], {"in_channels": 3}, r"^layers: layer 1 .*num_features is 4, but the layer before gives 3"),
    (["Conv1d(1, 1, 3)", "Conv2d(1, 1, 3)"], {}, r"^layers: layer 1 .*Conv2d works on 2 spatial axes, but the stack has 1"),
    (["Conv2d(1, 4, 3)", "Linear(4, 2)"], {}, r"^layers: layer 1 .*put Flatten\(\) before it"),
    (["Conv2d(1, 4, 3)", "Flatten()", "Linear(5, 2)"], {"input_size": 3}, r"^layers: layer 2 .*in_features is 5, but the layer before gives 4 features"),
    (["Conv2d(1, 4, 3)", "Frobnicate(2)"], {}, r"^layers: layer 1 .*unknown layer 'Frobnicate'"),
    (["Conv2d(1, 4, 3)", "ReLU(__import__('os'))"], {}, r"^layers: layer 1 .*literal"),
    (["Upsample(scale_factor=2, mode='bilinear')"], {}, r"only 'nearest'"),
    (["AdaptiveAvgPool2d(3)"], {"input_size": 7}, r"adaptive windows then differ"),
    ([], {}, r"^layers: a stack needs at least one layer"),
    (["Conv2d(1, 1, 3)"], {"input_size": 0}, r"^input_size: must be positive"),
    (["Conv2d(1, 1, 3)"], {"input_size": (5, 5, 5)}, r"^layers: layer 0 .*Conv2d works on 2 spatial axes, but the stack has 3"),
])
def test_mistakes_name_the_layer_and_the_rule(layers, kwargs, message):
    with pytest.raises(SpecError, match=message):
        make_stack(layers, **kwargs)


def test_default_input_and_channels():
    stack = make_stack(["MaxPool2d(2)", "Conv2d(7, 2, 3)"])
    assert stack.input_shape == (7, 32, 32)
    assert make_stack(["BatchNorm1d(5)", "Conv1d(5, 1, 1)"]).input_shape == (5, 32)


def test_public_api_is_lazy_and_named():
    import convanim

    assert convanim.make_stack is make_stack
    assert "make_stack" in convanim.__all__ and "load_stack" in convanim.__all__
