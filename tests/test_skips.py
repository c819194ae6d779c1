"""Blocks with skip connections: shapes, parameters and MACs against a direct count written from the layers'
definitions; the receptive field through every path against a brute force that composes the stages' one-hot
dependency maps (from the geometry engine's taps) and joins the paths where they merge; mistakes.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convanim.errors import SpecError
from convanim.geometry import Geometry
from convanim.skips import SkipBlock, dense_block, resnet_basic, resnet_bottleneck, unet_level

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def conv_out(n: int, k: int, s: int = 1, p: int = 0) -> int:
    return (n + 2 * p - k) // s + 1


# --- direct counts ------------------------------------------------------------------------------------------------

@SETTINGS
@given(st.integers(2, 9), st.integers(1, 5), st.integers(1, 5), st.sampled_from([1, 2]))
def test_resnet_basic_counts(n, cin, cout, stride):
    block = resnet_basic(input_size=n, in_channels=cin, out_channels=cout, stride=stride)
    m = conv_out(n, 3, stride, 1)
    assert block.output_shape == (cout, m, m)
    assert [(t.channels, t.size) for t in block.tensors] == [(cin, (n, n)), (cout, (m, m)), (cout, (m, m))]
    projection = stride != 1 or cin != cout
    parameters = 9 * cin * cout + 2 * cout + 9 * cout * cout + 2 * cout + (cin * cout + 2 * cout) * projection
    assert block.parameters == parameters
    assert block.macs == m * m * cout * (9 * cin + 9 * cout + cin * projection)
    assert [stage.shortcut for stage in block.stages] == [False, False] + [True] * projection
    assert len(block.merges) == (not projection)


@SETTINGS
@given(st.integers(2, 9), st.integers(1, 6), st.integers(1, 3), st.integers(1, 8), st.sampled_from([1, 2]))
def test_resnet_bottleneck_counts(n, cin, width, cout, stride):
    block = resnet_bottleneck(input_size=n, in_channels=cin, width=width, out_channels=cout, stride=stride)
    m = conv_out(n, 3, stride, 1)
    assert block.output_shape == (cout, m, m)
    projection = stride != 1 or cin != cout
    parameters = (cin * width + 2 * width) + (9 * width * width + 2 * width) + (width * cout + 2 * cout) \
        + (cin * cout + 2 * cout) * projection
    assert block.parameters == parameters
    assert block.macs == n * n * width * cin + m * m * (width * width * 9 + cout * width + cout * cin * projection)


def test_bottleneck_default_expands_four_times():
    block = resnet_bottleneck(in_channels=8, width=2)
    assert block.output_shape[0] == 8 and not any(stage.shortcut for stage in block.stages)


@SETTINGS
@given(st.integers(1, 7), st.integers(1, 4), st.integers(1, 3), st.integers(1, 5))
def test_dense_block_counts(n, cin, growth, layers):
    block = dense_block(input_size=n, in_channels=cin, growth_rate=growth, num_layers=layers)
    assert [t.channels for t in block.tensors] == [cin + i * growth for i in range(layers + 1)]
    assert all(t.size == (n, n) for t in block.tensors)
    reads = [cin + i * growth for i in range(layers)]
    assert block.parameters == sum(9 * c * growth + 2 * c for c in reads)  # BatchNorm on what the layer reads
    assert block.macs == sum(n * n * growth * 9 * c for c in reads)
    # each layer writes the channels after those it reads; the rest are copied
    assert [(s.reads, s.writes, s.offset) for s in block.stages] == [(i, i + 1, reads[i]) for i in range(layers)]


@SETTINGS
@given(st.integers(1, 6), st.integers(1, 4), st.integers(1, 4))
def test_unet_level_counts(half, cin, c):
    n = 2 * half
    block = unet_level(input_size=n, in_channels=cin, out_channels=c)
    assert [(t.channels, t.size) for t in block.tensors] == [
        (cin, (n, n)), (c, (n, n)), (c, (half, half)), (2 * c, (half, half)), (2 * c, (n, n)), (c, (n, n))]
    parameters = (9 * cin * c + c) + (9 * c * 2 * c + 2 * c) + (2 * c * c * 4 + c) + (9 * 2 * c * c + c)
    assert block.parameters == parameters
    # the up-convolution: every output element reads one input element of each of the 2c channels
    assert block.macs == n * n * c * cin * 9 + half * half * 2 * c * c * 9 + n * n * c * 2 * c + n * n * c * 2 * c * 9
    assert block.merges[0].source == 1 and block.merges[0].target == 4 and block.merges[0].offset == 0
    assert block.stages[3].offset == c  # the up-convolution fills the channels after the skip's


# --- receptive field against a brute force -------------------------------------------------------------------------

def stage_dependency(spec, in_size, out_size) -> np.ndarray:
    matrix = np.zeros((math.prod(out_size), math.prod(in_size)), dtype=np.int64)
    for frame in Geometry(spec).frames():
        for tap in frame.input[frame.real]:
            matrix[frame.index, np.ravel_multi_index(tuple(tap), in_size)] = 1
    return matrix


def brute_force(block: SkipBlock) -> list[np.ndarray]:
    """Per tensor: (positions, input positions) bool, which input elements each position depends on, through every
    stage and skip that writes it."""
    size0 = block.tensors[0].size
    maps = [np.eye(math.prod(size0), dtype=np.int64)]
    for t in range(1, len(block.tensors)):
        size = block.tensors[t].size
        found = np.zeros((math.prod(size), math.prod(size0)), dtype=np.int64)
        for stage in block.stages:
            if stage.writes == t:
                found += stage_dependency(stage.spec, block.tensors[stage.reads].size, size) @ maps[stage.reads]
        for merge in block.merges:
            if merge.target == t:
                found += maps[merge.source]
        maps.append((found > 0).astype(np.int64))
    return maps


def check(block: SkipBlock, exact: int | None = None) -> int:
    """Each unit's inputs lie in its predicted region; units whose region lies inside the input reach both ends, in
    the first `exact` tensors (all by default; after an upsampling the region is a bound, as in a stack)."""
    inside = 0
    size0 = block.tensors[0].size
    for t, (tensor, regions, deps) in enumerate(zip(block.tensors, block.regions(), brute_force(block))):
        for o, unit in enumerate(np.ndindex(*tensor.size)):
            bounds = [(u * a.stride - a.padding, u * a.stride - a.padding + a.field - 1) for u, a in zip(unit, regions)]
            hits = np.flatnonzero(deps[o])
            assert len(hits)
            coords = np.array(np.unravel_index(hits, size0))
            box = [(int(c.min()), int(c.max())) for c in coords]
            for (lo, hi), (first, last) in zip(bounds, box):
                assert lo <= first and last <= hi, (tensor.name, unit, bounds, box)
            if (exact is None or t < exact) and all(lo >= 0 and hi <= n - 1 for (lo, hi), n in zip(bounds, size0)):
                inside += 1
                assert [(Fraction(a), Fraction(b)) for a, b in box] == bounds, (tensor.name, unit, bounds, box)
    return inside


@SETTINGS
@given(st.integers(4, 10), st.integers(1, 3), st.integers(1, 3), st.sampled_from([1, 2]))
def test_resnet_basic_receptive_field_against_brute_force(n, cin, cout, stride):
    check(resnet_basic(input_size=n, in_channels=cin, out_channels=cout, stride=stride))


@SETTINGS
@given(st.integers(4, 10), st.sampled_from([1, 2]), st.booleans())
def test_resnet_bottleneck_receptive_field_against_brute_force(n, stride, project):
    check(resnet_bottleneck(input_size=n, in_channels=2 if project else 4, width=1, stride=stride))


@SETTINGS
@given(st.integers(3, 12), st.integers(1, 5))
def test_dense_receptive_field_against_brute_force(n, layers):
    block = dense_block(input_size=n, in_channels=1, growth_rate=1, num_layers=layers)
    inside = check(block)
    assert block.receptive_field()[0].field == 2 * layers + 1  # every layer adds 2, the longest path
    assert inside or n < 2 * layers + 1


@SETTINGS
@given(st.integers(2, 8))
def test_unet_receptive_field_against_brute_force(half):
    block = unet_level(input_size=2 * half, in_channels=1, out_channels=1)
    assert check(block, exact=4) and block.stages[3].spec.transposed


def test_largest_path_classics():
    # the projection shortcut (1x1, stride 2) sees 1 element; the main path 3 + 2*2 = 7, which holds it
    fields = resnet_basic(input_size=8, out_channels=4, stride=2).receptive_field()
    assert [(a.field, a.stride, a.padding) for a in fields] == [(7, 2, 3)] * 2
    assert [a.field for a in resnet_basic().receptive_field()] == [5, 5]
    # bottleneck: only the 3x3 grows it
    assert [a.field for a in resnet_bottleneck(stride=2, in_channels=2).receptive_field()] == [3, 3]
    # U-Net: 3 (conv), 4 (pool), 8 (conv at stride 2), 9 (2x2 up-conv at stride 2, back to stride 1), 11 (conv);
    # the skip path (3) lies inside
    assert [(a.field, a.stride, a.padding) for a in unet_level(input_size=8).receptive_field()] == [(11, 1, 5)] * 2


# --- mistakes ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("build", "kwargs", "message"), [
    (resnet_basic, {"stride": 3}, r"^stride: a ResNet block has stride 1 or 2, got 3$"),
    (resnet_basic, {"in_channels": 0}, r"^in_channels: must be a positive integer, got 0$"),
    (resnet_basic, {"input_size": (4, 5, 6)}, r"^input_size: one value or two"),
    (resnet_basic, {"input_size": 0}, r"^input_size: must be a positive integer, got 0$"),
    (resnet_bottleneck, {"width": 0}, r"^width: must be a positive integer"),
    (resnet_bottleneck, {"out_channels": 10**6}, r"^out_channels: at most 4,096"),
    (dense_block, {"num_layers": 17}, r"^num_layers: at most 16, got 17$"),
    (dense_block, {"growth_rate": 2000}, r"^growth_rate: the block would end with 6,002 channels"),
    (unet_level, {"input_size": 7}, r"^input_size: the 2x2 pooling .* even sizes, got 7x7$"),
    (unet_level, {"out_channels": True}, r"^out_channels: must be a positive integer"),
])
def test_mistakes_name_the_parameter(build, kwargs, message):
    with pytest.raises(SpecError, match=message):
        build(**kwargs)
