"""The receptive-field animation: its cone (composed taps) against the stack's Araujo et al. regions, the shaded
cells of each frame, the files the CLI writes, and the layers it refuses."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from PIL import Image

from convanim.animation import animate_stack
from convanim.cli import cli
from convanim.errors import SpecError
from convanim.figures.receptive import cones, drawn_levels, level_maps, regions
from convanim.stack import make_stack
from convanim.view import make_view


@st.composite
def direct_stack(draw):
    dims = draw(st.sampled_from([1, 2]))
    d = f"{dims}d"
    layers = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["conv", "pool", "pad", "relu"]))
        k, s = draw(st.integers(1, 3)), draw(st.integers(1, 2))
        if kind == "conv":
            dilation = draw(st.integers(1, 2))
            layers.append(f"Conv{d}(1, 1, {k}, stride={s}, padding={draw(st.integers(0, k - 1))}, dilation={dilation})")
        elif kind == "pool":
            layers.append(f"MaxPool{d}({k}, stride={s}, padding={draw(st.integers(0, k // 2))})")
        elif kind == "pad":
            layers.append(f"ZeroPad{d}({tuple(draw(st.integers(0, 2)) for _ in range(2 * dims))})")
        else:
            layers.append("ReLU()")
    return layers, dims, draw(st.integers(4, 14 if dims == 1 else 7))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(direct_stack())
def test_cone_and_outlined_region_agree_with_the_stack(case):
    layers, dims, size = case
    try:
        stack = make_stack(layers, input_size=size, dims=dims)
        levels = drawn_levels(stack)
    except SpecError:
        assume(False)
    top = [layer for layer in stack.layers if layer.kind in ("conv", "pool", "pad")][-1]
    all_cones = cones(levels, level_maps(levels))
    for unit, masks in zip(np.ndindex(*levels[-1].shape), all_cones):
        box = regions(levels, unit)
        assert box[-1] == [(u, u) for u in unit]
        # the outlined input region is the stack's: u*S - P .. u*S - P + r - 1 per axis
        assert box[0] == [(u * s - p, u * s - p + r - 1) for u, r, s, p in
                          zip(unit, top.receptive_field, top.effective_stride, top.effective_padding)]
        for mask, level_box in zip(masks, box):
            hits = np.nonzero(mask)
            if not len(hits[0]):
                continue
            for axis, (first, last) in enumerate(level_box):
                assert first <= hits[axis].min() and hits[axis].max() <= last
        inside = all(0 <= first and last < n for (first, last), n in zip(box[0], levels[0].shape))
        if inside:
            hits = np.nonzero(masks[0])
            assert [(int(h.min()), int(h.max())) for h in hits] == [tuple(b) for b in box[0]]


@st.composite
def upsampling_stack(draw):
    dims = draw(st.sampled_from([1, 2]))
    d = f"{dims}d"
    layers = []
    for _ in range(draw(st.integers(1, 3))):
        k, s = draw(st.integers(1, 4)), draw(st.integers(1, 3))
        if draw(st.booleans()):
            dilation = draw(st.integers(1, 2))
            layers.append(f"ConvTranspose{d}(1, 1, {k}, stride={s}, padding={draw(st.integers(0, dilation * (k - 1)))}"
                          f", dilation={dilation})")
        else:
            layers.append(f"Conv{d}(1, 1, {k}, stride={s}, padding={draw(st.integers(0, k - 1))})")
    assume(any("Transpose" in layer for layer in layers))
    return layers, dims, draw(st.integers(2, 9 if dims == 1 else 5))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(upsampling_stack())
def test_regions_through_transposed_convolutions_hold_the_cone_and_lie_in_the_stacks_bounds(case):
    layers, dims, size = case
    try:
        stack = make_stack(layers, input_size=size, dims=dims)
        levels = drawn_levels(stack)
    except SpecError:
        assume(False)
    top = stack.layers[-1]
    maps = level_maps(levels)
    for unit, masks in zip(np.ndindex(*levels[-1].shape), cones(levels, maps)):
        box = regions(levels, unit)
        for mask, level_box in zip(masks, box):  # every unit of the cone is inside the outline
            hits = np.nonzero(mask)
            for axis, (first, last) in enumerate(level_box):
                assert not len(hits[axis]) or first <= hits[axis].min() and hits[axis].max() <= last
        for (first, last), u, r, s, p in zip(box[0], unit, top.receptive_field, top.effective_stride,
                                             top.effective_padding):
            assert u * s - p <= first and last <= u * s - p + r - 1  # inside the stack's fractional bounds
    # one transposed layer: the outline is exactly the taps' span (over padding too), from the definition
    if len(levels) == 2 and levels[1].layer.spec.transposed:
        spec = levels[1].layer.spec
        for unit in np.ndindex(*levels[-1].shape):
            expected = []
            for a, o in enumerate(unit):
                k, s, d, p = spec.kernel_size[a], spec.stride[a], spec.dilation[a], spec.padding[a][0]
                reads = [(o + p - j * d) // s for j in range(k) if (o + p - j * d) % s == 0]
                expected.append((min(reads), max(reads)) if reads else None)
            if all(expected):
                assert regions(levels, unit)[0] == expected


def test_fcn_head_template_upsamples_back():
    from convanim.animation import animate

    animation = animate(template="receptive_field_fcn_head")
    assert animation.frame_count == 64 and animation.size[0] <= 1920 and animation.size[1] <= 1080
    assert "r ≤ " in animation.scene.title


def test_three_3x3_convolutions_shade_the_cone_frame_by_frame():
    animation = animate_stack(["Conv2d(1, 1, 3)", "ReLU(inplace=True)", "Conv2d(1, 1, 3)", "Conv2d(1, 1, 3)"],
                              input_size=9, caption=True)
    scene = animation.scene
    assert scene.frame_count == 9  # the top map is 3x3
    theme = animation.view.theme
    for t in range(scene.frame_count):
        shaded = [item for item in scene.items if getattr(item, "frame", None) == t and
                  getattr(item, "fill", None) == theme.shade]
        by_plane: dict[float, int] = {}
        for item in shaded:
            by_plane[item.points[0][2]] = by_plane.get(item.points[0][2], 0) + 1
        assert sorted(by_plane.values()) == [1, 9, 25, 49]  # 1 top unit, 3x3, 5x5, 7x7 input cells
    assert "r = 7×7" in scene.title and "ReLU keeps every region: not drawn" in scene.title
    assert max(scene.width, scene.height) <= 1080 and scene.width <= 1920


def test_wavenet_rows_fit_and_show_the_padding():
    layers = ["ConstantPad1d((1, 0), 0.0)", "Conv1d(1, 1, 2)"]
    for d in (2, 4, 8):
        layers += [f"ConstantPad1d(({d}, 0), 0.0)", f"Conv1d(1, 1, 2, dilation={d})"]
    animation = animate_stack(layers, input_size=16)
    scene = animation.scene
    assert scene.frame_count == 16 and scene.width <= 1920 and scene.height <= 1080
    assert scene.frame_titles[0] == "frame 1/16: top unit (0) sees input -15..0 (below 0: padding)"
    texts = [item.text for item in scene.items if getattr(item, "frame", None) == 0 and hasattr(item, "text")]
    assert "r = 16 (1 real)" in texts


def test_render_stack_writes_every_frame(tmp_path):
    model = tmp_path / "model.txt"
    model.write_text("Sequential(\n  (0): Conv2d(1, 1, kernel_size=(3, 3), stride=(1, 1))\n"
                     "  (1): ReLU(inplace=True)\n  (2): Conv2d(1, 1, kernel_size=(3, 3), stride=(2, 2))\n)\n")
    out = tmp_path / "rf.gif"
    result = CliRunner().invoke(cli, ["render", "--stack", str(model), "--input", "7", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with Image.open(out) as image:
        assert image.n_frames == 4  # the 2x2 top map


@pytest.mark.parametrize(("args", "message"), [
    (["Conv2d(1, 4, 3)", "Flatten()", "Linear(36, 2)"], "layer 1 (Flatten()): the receptive-field animation draws"),
    (["Conv2d(1, 1, 3)", "Upsample(scale_factor=2)"], "layer 1 (Upsample(scale_factor=2)): the receptive-field "
                                                        "animation draws"),
])
def test_refused_stacks(args, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _ = animate_stack(args, input_size=5).scene


def test_frame_limit():
    with pytest.raises(SpecError, match="max_frames: the top map has 900 units"):
        _ = animate_stack(["Conv2d(1, 1, 3)"], input_size=32, view=make_view(max_frames=100)).scene


def test_large_maps_are_refused_before_anything_is_allocated():
    with pytest.raises(SpecError, match=r"^input_size: layer 0 \(Conv2d\(1, 1, 3\)\) joins 100×100 units to 98×98"):
        _ = animate_stack(["Conv2d(1, 1, 3)"], input_size=100, view=make_view(max_frames=20000)).scene


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(direct_stack())
def test_forward_reach_is_the_cones_read_the_other_way(case):
    from convanim.figures.receptive import reaches, spans

    layers, dims, size = case
    try:
        stack = make_stack(layers, input_size=size, dims=dims)
        levels = drawn_levels(stack)
    except SpecError:
        assume(False)
    maps = level_maps(levels)
    backward = cones(levels, maps)
    forward = reaches(levels, maps)
    top_units = list(np.ndindex(*levels[-1].shape))
    for e, element in enumerate(np.ndindex(*levels[0].shape)):
        masks = forward[e]
        assert masks[0].sum() == 1 and masks[0][element]
        # element e reaches top unit u exactly when u's cone holds e
        assert [bool(masks[-1][u]) for u in top_units] == [bool(cone[0][element]) for cone in backward]
        for mask, box in zip(masks, spans(masks)):
            assert (box is None) == (not mask.any())


def test_forward_animation_from_the_command_line_and_templates(tmp_path):
    from convanim.animation import animate

    path = tmp_path / "stack.txt"
    path.write_text("Conv2d(1, 1, 3)\nConv2d(1, 1, 3, stride=2)\n")
    out = tmp_path / "forward.gif"
    result = CliRunner().invoke(cli, ["render", "--stack", str(path), "--input", "7", "--forward", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with Image.open(out) as image:
        assert image.n_frames == 49  # one frame per input element
    bad = CliRunner().invoke(cli, ["render", "--input", "5", "--forward", "-o", str(tmp_path / "x.gif")])
    assert bad.exit_code == 2 and "--forward: shows the units an input element reaches" in bad.output
    assert not (tmp_path / "x.gif").exists()
    animation = animate(template="receptive_field_wavenet_forward")
    assert animation.frame_count == 16 and animation.scene.title.startswith("Forward")
    # element 3 of the causal stack reaches top units 3..15 and no earlier one
    assert animation.scene.frame_titles[3].endswith("input element (3) reaches top units 3..15")
    backward = animate_stack(["Conv1d(1, 1, 3)"] * 2, input_size=6, forward=True)
    assert backward.frame_count == 6 and backward.scene.frame_titles[0].endswith("reaches top units 0..0")
