"""Numbers with channels: every number the figure writes (each channel's sum, the bias, the output in its cell) equals
an independent numpy computation written from the definition of a (grouped) convolution with bias."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from convanim.figures import build_scene
from convanim.figures.channel_numbers import MAX_CHANNELS, channel_values, numbers_fit, numbers_limit_note
from convanim.primitives import Text
from convanim.spec import SpecError, make_spec
from convanim.templates import load_template
from convanim.view import make_view


def oracle(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, padding: int, groups: int):
    """y[o, i, j] = b[o] + sum over the group's input channels c and taps (u, v) of
    xpad[c, i*s + u, j*s + v] * w[o, c - first, u, v]; also each channel's share of the sum."""
    c_in, h, wd = x.shape
    c_out, per_in, k, _ = w.shape
    per_out = c_out // groups
    xpad = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    oh, ow = (h + 2 * padding - k) // stride + 1, (wd + 2 * padding - k) // stride + 1
    shares = np.zeros((c_out, per_in, oh, ow), dtype=np.int64)
    for o in range(c_out):
        first = (o // per_out) * per_in
        for c in range(per_in):
            for i in range(oh):
                for j in range(ow):
                    patch = xpad[first + c, i * stride:i * stride + k, j * stride:j * stride + k]
                    shares[o, c, i, j] = int((patch * w[o, c]).sum())
    return shares.sum(axis=1) + b[:, None, None], shares


def frame_texts(scene, t):
    return [item.text for item in scene.items if isinstance(item, Text) and item.frame == t]


@settings(max_examples=20, deadline=None)
@given(size=st.integers(3, 6), kernel=st.sampled_from([1, 2, 3]), stride=st.integers(1, 2), padding=st.integers(0, 1),
       groups=st.sampled_from([1, 2]), per_in=st.integers(1, 2), per_out=st.integers(1, 2), bias=st.booleans())
def test_every_number_matches_the_definition(size, kernel, stride, padding, groups, per_in, per_out, bias):
    assume(per_in * groups <= MAX_CHANNELS and per_out * groups <= MAX_CHANNELS and per_in * per_out * groups > 1)
    try:
        spec = make_spec(dims=2, input_size=size, kernel_size=kernel, stride=stride, padding=padding,
                         in_channels=per_in * groups, out_channels=per_out * groups, groups=groups, bias=bias)
    except SpecError:
        assume(False)
    scene = build_scene(spec, make_view(numbers=True))
    if not numbers_fit(spec):  # too wide for 1920 px at a readable cell: no numbers, and the caption says so
        assert scene.width <= 1920
        assert not any("Σ" in item.text for item in scene.items if isinstance(item, Text))
        assert any(numbers_limit_note(spec) in item.text for item in scene.items if isinstance(item, Text))
        return
    values = channel_values(spec)
    expected, shares = oracle(values.inputs, values.weights, values.biases, stride, padding, groups)
    if not bias:
        assert not values.biases.any()
    out_h, out_w = expected.shape[1:]
    seen = set()
    for t, title in enumerate(scene.frame_titles):
        oc, r, c = map(int, re.search(r"output channel (\d+) at \((\d+), (\d+)\)", title).groups())
        seen.add((oc, r, c))
        texts = frame_texts(scene, t)
        first = (oc // per_out) * per_in
        sums = {int(m.group(1)): int(m.group(2)) for m in map(re.compile(r"channel (\d+): Σ = (-?\d+)").fullmatch,
                                                              texts) if m}
        assert sums == {first + i: int(shares[oc, i, r, c]) for i in range(per_in)}
        equation = next(text for text in texts if text.endswith(f"= {expected[oc, r, c]}") and "+" in text
                        or re.fullmatch(r"-?\d+ = -?\d+", text))
        assert equation.endswith(f"= {expected[oc, r, c]}")
        assert (f"+ {values.biases[oc]} (bias)" in equation) == bias
        assert str(expected[oc, r, c]) in texts  # written into its (shaded) cell
    every = {(oc, r, c) for oc in range(spec.out_channels) for r in range(out_h) for c in range(out_w)}
    assert seen <= every and {oc for oc, _, _ in seen} == set(range(spec.out_channels))
    if len(every) <= 64:  # small layers sweep every output channel (frames.FULL_SWEEP_FRAMES)
        assert seen == every
    static = [item.text for item in scene.items if isinstance(item, Text) and item.frame is None]
    for value in expected.ravel():  # every output is also written in its cell in every frame
        assert str(value) in static


def test_lecture_demo_template():
    """The classic demo: 7×7×3 drawn (5×5 padded 1), two 3×3×3 filters with biases, stride 2, 3×3×2 out."""
    template = load_template("numerical_channels")
    from convanim.animation import animate

    scene = animate(template=template).scene
    assert scene.frame_count == 18
    texts = {item.text for item in scene.items if isinstance(item, Text)}
    assert {"input channel 0", "input channel 2", "output channel 0, bias 2", "output channel 1, bias 2"} <= texts
    assert scene.width <= 1920 and scene.height <= 1080


def test_past_the_limit_the_caption_says_where_numbers_stop():
    spec = make_spec(dims=2, input_size=4, kernel_size=3, in_channels=MAX_CHANNELS + 1, out_channels=2)
    scene = build_scene(spec, make_view(numbers=True))
    lines = [item.text for item in scene.items if isinstance(item, Text) and "numbers are drawn" in item.text]
    assert [line[line.index("(numbers"):] for line in lines] == [f"(numbers are drawn for up to {MAX_CHANNELS} input and {MAX_CHANNELS} output channels whose "
                     f"planes fit 1920 px side by side; this layer has {MAX_CHANNELS + 1} in, 2 out, a 4×4 grid)"]
    assert not any(isinstance(item, Text) and item.text.startswith("channel ") for item in scene.items)


def test_oblique_numbers_fall_back_to_flat_with_a_note():
    spec = make_spec(dims=2, input_size=5, kernel_size=3, padding=1, stride=2, in_channels=3, out_channels=2)
    oblique = build_scene(spec, make_view("oblique", numbers=True))
    flat = build_scene(spec, make_view("flat", numbers=True))
    assert oblique.projection.ay == 0 and oblique.projection.bx == 0  # level planes
    texts = [item.text for item in oblique.items if isinstance(item, Text)]
    assert any(text.endswith("; (numbers are drawn in the flat view)") for text in texts)
    assert oblique.frame_titles == flat.frame_titles
