"""Lines go where they mean: every connector runs from its filter box to its output cell without crossing a plane it
neither starts nor ends on, and without crossing any text, and is drawn whole. Checked from the scene's primitives
with `connector_check` (written independently of the figure code), over every gallery template with connectors, the
issue's commands, the blocks, and a sweep over small channel, group, kernel and stride parameters."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from convanim import make_spec
from convanim.animation import animate, animate_stages
from convanim.blocks import inverted_residual, separable
from convanim.figures import build_scene
from convanim.figures.clearance import apart
from convanim.primitives import Line, Text
from convanim.spec import SpecError
from convanim.templates import load_templates
from convanim.view import make_view
from tests.connector_check import CLEARANCE, connectors, crossings, frame_cells, home, overlap, planes


def _scene(template):
    return animate(template=template).scene


# Layer and block figures (norm and dropout figures draw no window and no connector) that draw connectors.
TEMPLATES = [t for t in load_templates() if not t.figure and connectors(_scene(t))]


def check(scene, what: str) -> None:
    found = connectors(scene)
    problems = crossings(scene)
    assert not problems, (what, len(problems), len(found), problems[:3])
    assert found, what  # every figure checked here has connectors
    _whole(scene, found, what)


def _whole(scene, found: list[Line], what: str) -> None:
    """No connector was cut short by a plane: each one ends on the cell of an output plane, or runs on into another
    connector of its frame that does (a path routed round the stacks, such as a shortcut's); a piece cut under a
    plane would end in mid-air."""
    flat = planes(scene)
    cells = frame_cells(scene)
    starts: dict[tuple, list[Line]] = {}
    solid = [item for item in scene.items if isinstance(item, Line) and item.frame is not None
             and item.color == scene.theme.connector and item.dash is None]  # with the vertical runs of a path
    for line in solid:
        starts.setdefault((line.frame, *(round(v, 6) for v in line.start)), []).append(line)
    for line in found:
        path = [line]
        while home(path[-1].end, line.frame, flat, cells) is None:
            following = starts.get((line.frame, *(round(v, 6) for v in path[-1].end)), [])
            assert following and len(path) < len(solid), (what, "ends in mid-air", path)
            path.append(following[0])


def test_the_gallery_has_templates_with_connectors():
    assert {"channels", "depthwise", "grouped", "pointwise", "conv3d", "conv1d_channels", "depthwise_separable",
            "inverted_residual", "resnet_basic", "resnet_bottleneck", "dense_block", "unet_level",
            "receptive_field_three_3x3", "receptive_field_strided_conv", "receptive_field_fcn_head"
            } <= {t.name for t in TEMPLATES}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.name)
def test_gallery_template_connectors_cross_nothing(template):
    check(_scene(template), template.name)


@pytest.mark.parametrize("layer, size", [
    ("Conv2d(3, 2, 3, padding=1)", 6),
    ("Conv2d(4, 3, 1)", 5),
    ("Conv2d(3, 3, 5, groups=3)", 12),
    ("Conv2d(4, 8, 3, groups=2)", 6),
    ("Conv2d(2, 6, 3, groups=2)", 5),  # a flat box feeding several outputs: carried down
    ("Conv3d(1, 1, 3, padding=1)", 4),
    ("Conv3d(1, 1, 3, dilation=2)", 6),  # a dilated box skips slices
])
def test_the_issue_s_commands_connect_cleanly(layer, size):
    check(animate(layer, input_size=size).scene, layer)


@pytest.mark.parametrize("args", [dict(op="maxpool", in_channels=3, kernel_size=2, input_size=4),
                                  dict(op="avgpool", in_channels=2, kernel_size=3, stride=1, padding=1, input_size=5)])
def test_pooling_with_channels_connects_cleanly(args):
    check(build_scene(make_spec(**args), make_view()), repr(args))


REAL_SIZE = [
    dict(input_size=32, in_channels=3, out_channels=10, kernel_size=5, padding=2),  # CIFAR's first layer
    dict(dims=1, input_size=1000, in_channels=100, out_channels=100, kernel_size=5, padding=2),  # long sequence
    dict(dims=3, input_size=16),  # a volume with more slices than a stack draws
    dict(dims=3, input_size=16, in_channels=2, out_channels=3, kernel_size=5, padding=2),
    dict(input_size=64, in_channels=16, out_channels=32, kernel_size=3, stride=2, padding=1),
    dict(input_size=56, in_channels=32, out_channels=32, kernel_size=3, padding=1, groups=32),  # depthwise
    dict(input_size=32, kernel_size=5, padding=2),  # one channel: the classic figure, elided
    dict(dims=1, input_size=200, in_channels=4, out_channels=6, kernel_size=3),  # every channel row, long time
]


@pytest.mark.parametrize("args", REAL_SIZE, ids=lambda args: ",".join(f"{k}={v}" for k, v in args.items()))
def test_real_size_layers_connect_cleanly(args):
    """Long axes and channels elided (sampled positions, cells drawn at their cut places): the connectors still run
    level from the box to the output cell, crossing nothing, and end on it."""
    scene = build_scene(make_spec(**args), make_view())
    notes = [item for item in scene.items if isinstance(item, Text) and " more " in item.text]
    assert notes, args  # these sizes are drawn with elided axes, channels or slices: the cases this test is for
    check(scene, repr(args))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(size=st.integers(17, 72), dims=st.sampled_from([1, 2, 2, 3]), in_channels=st.integers(1, 40),
       out_channels=st.integers(1, 40), kernel=st.integers(1, 5), stride=st.integers(1, 2), padding=st.integers(0, 2))
def test_connectors_cross_nothing_over_real_size_layers(size, dims, in_channels, out_channels, kernel, stride,
                                                        padding):
    if dims == 3:
        size = min(size, 24)  # a volume's slices are whole planes: its long axis is its depth
    try:
        spec = make_spec(dims=dims, input_size=size, in_channels=in_channels, out_channels=out_channels,
                         kernel_size=kernel, stride=stride, padding=padding)
    except SpecError:
        assume(False)
    scene = build_scene(spec, make_view())
    if connectors(scene):  # a one-channel 1d layer is drawn flat, without connectors
        check(scene, repr(spec))


@pytest.mark.parametrize("block", [separable(12, 3, 5, 4), separable(6, 2, 3, 5, multiplier=2),
                                   inverted_residual(), inverted_residual(5, 3, 2, 4)],
                         ids=["separable", "separable_multiplier", "inverted_residual", "inverted_residual_wide"])
def test_block_connectors_cross_nothing(block):
    check(animate_stages(block).scene, block.name)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(groups=st.integers(1, 3), per_in=st.integers(1, 3), per_out=st.integers(1, 3), kernel=st.integers(1, 4),
       stride=st.integers(1, 2), padding=st.integers(0, 1), size=st.integers(2, 6), depthwise=st.booleans())
def test_connectors_cross_nothing_over_small_layers(groups, per_in, per_out, kernel, stride, padding, size, depthwise):
    in_channels, out_channels = groups * per_in, groups * per_out
    if depthwise:
        in_channels, out_channels = groups, groups * per_out
    assume(in_channels * out_channels > 1)
    try:
        spec = make_spec(input_size=size, in_channels=in_channels, out_channels=out_channels, groups=groups,
                         kernel_size=kernel, stride=stride, padding=padding)
    except SpecError:
        assume(False)
    check(build_scene(spec, make_view()), repr(spec))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(size=st.integers(3, 6), channels=st.integers(1, 3), kernel=st.sampled_from([1, 3]),
       out_channels=st.integers(1, 5), multiplier=st.integers(1, 2))
def test_separable_blocks_connect_cleanly(size, channels, kernel, out_channels, multiplier):
    check(animate_stages(separable(size, channels, kernel, out_channels, multiplier=multiplier)).scene, "separable")


# The checker itself: it must see a crossing where there is one.

def test_the_checker_sees_a_segment_through_a_square_and_not_one_beside_it():
    square = ((0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0))
    assert overlap(((-5.0, 5.0), (15.0, 5.0)), square)
    assert overlap(((5.0, 5.0), (6.0, 6.0)), square)  # inside entirely
    assert not overlap(((-5.0, -5.0), (15.0, -5.0)), square)
    assert not overlap(((-8.0, 5.0), (5.0, -8.0)), square)  # passes the corner 2.1 px outside
    assert not overlap(((10.0 + CLEARANCE + 0.1, -5.0), (10.0 + CLEARANCE + 0.1, 15.0)), square)
    assert overlap(((10.0 + CLEARANCE / 2, -5.0), (10.0 + CLEARANCE / 2, 15.0)), square)  # too close counts


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(-20, 20), st.floats(-20, 20)), min_size=2, max_size=2))
def test_the_checker_agrees_with_sampling(segment):
    """Where the segment has a point strictly inside the square (by sampling), the check says it overlaps; where it
    lies wholly beyond the clearance on one side, it says it does not."""
    square = ((0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0))
    (x0, y0), (x1, y1) = segment
    t = np.linspace(0, 1, 401)
    xs, ys = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
    inside = (xs > 0.01) & (xs < 9.99) & (ys > 0.01) & (ys < 9.99)
    if inside.any():
        assert overlap(((x0, y0), (x1, y1)), square)
    if min(x0, x1) > 10 + CLEARANCE + 0.1 or max(x0, x1) < -CLEARANCE - 0.1 or \
            min(y0, y1) > 10 + CLEARANCE + 0.1 or max(y0, y1) < -CLEARANCE - 0.1:
        assert not overlap(((x0, y0), (x1, y1)), square)


def test_label_placement_apart_agrees_with_the_checker():
    """The library's own test (`clearance.apart`) and the independent checker agree on simple cases."""
    square = ((0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0))
    for segment in (((-5.0, 5.0), (15.0, 5.0)), ((-5.0, -5.0), (15.0, -5.0)), ((12.0, 0.0), (12.0, 10.0))):
        assert apart(segment, square) == (not overlap(segment, square, 0.0))


@pytest.mark.parametrize("args, count", [
    (dict(input_size=32, in_channels=3, out_channels=10, kernel_size=5, padding=2), 3 + 4),  # 3 in, 4 of 10 out
    (dict(input_size=32, kernel_size=5, padding=2), 2),
    (dict(dims=1, input_size=200, in_channels=4, out_channels=6, kernel_size=3), 2),  # one grid each, rows in it
    (dict(dims=3, input_size=16), 4 + 2),  # 4 of 16 input slices, 2 of 14 output slices
])
def test_the_checker_sees_an_elided_plane_as_one_plane(args, count):
    """A plane drawn in pieces (long axes elided) is one plane to the checker, and two planes are never one: else a
    connector over its own plane's far piece would be reported, or one over another plane missed."""
    assert len(planes(build_scene(make_spec(**args), make_view()))) == count


def test_a_connector_across_another_plane_is_reported():
    """The check is not vacuous: a connector drawn to the middle of a plane it does not end on is reported."""
    scene = animate("Conv2d(3, 2, 3, padding=1)", input_size=6).scene
    line = connectors(scene)[0]
    others = [p for p in planes(scene) if not (p.holds(line.start) or p.holds(line.end))]
    target = others[0]
    x = (target.x0 + target.x1) / 2
    y = (target.y0 + target.y1) / 2
    across = Line(line.start, (x, y, target.z + 0.001), line.color, line.width, frame=line.frame)
    from dataclasses import replace

    bad = replace(scene, items=scene.items + (across,))
    assert crossings(bad)


def test_padding_a_frame_draws_is_its_planes_surface_and_mid_air_is_not():
    """A receptive field's region runs over padding drawn in its frame only: a point there lies on that level's plane
    (cone edges end there), while a point at the same height beyond every drawn cell lies on nothing, and a line
    ending there is reported as ending in mid-air."""
    scene = animate(template=next(t for t in TEMPLATES if t.name == "receptive_field_strided_conv")).scene
    flat, cells = planes(scene), frame_cells(scene)
    (frame, z), rects = next((key, rects) for key, rects in sorted(cells.items()) if rects)
    x0, y0, x1, y1 = rects[0]
    inside = ((x0 + x1) / 2, (y0 + y1) / 2, z)
    level = [plane for plane in flat if abs(plane.z - z) < 1e-6]
    assert level and not any(plane.holds(inside) for plane in level)  # padding, outside the map
    assert home(inside, frame, flat, cells) in level
    assert home(inside, None, flat, cells) is None  # the same point in a static drawing: not on any plane
    far = (max(p.x1 for p in flat) + 50.0, 0.0, z)
    assert home(far, frame, flat, cells) is None
    line = connectors(scene)[0]
    from dataclasses import replace

    broken = replace(scene, items=scene.items + (Line(line.start, far, line.color, line.width, frame=line.frame),))
    with pytest.raises(AssertionError, match="mid-air"):
        _whole(broken, connectors(broken), "broken")
