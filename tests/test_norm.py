"""Normalisation and dropout against independent references written from the textbook definitions.

The reference normalises a random float tensor with numpy reductions over the axes each layer's definition names
(Wu and He 2018, equation 2 and figure 2; PyTorch's documentation), never reading convanim's statistic numbering.
Which elements share a statistic is found by perturbing one element and seeing which outputs change.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convanim.dropout import (
    apply_dropout,
    channel_masks,
    dropout_json,
    element_masks,
    explain_dropout,
    make_dropout,
)
from convanim.errors import SpecError
from convanim.normalisation import (
    explain_norm,
    make_norm,
    norm_json,
    norm_numbers,
    pytorch_layer,
    statistic_index,
    statistic_sets,
)

EPS = 1e-5


def reference_normalise(kind: str, x: np.ndarray, groups: int | None = None, sequence: bool = False) -> np.ndarray:
    """The textbook definitions: mean and biased variance over the axes each layer pools (training mode)."""
    rank = x.ndim
    if kind == "weight":  # w = v / ||v|| per output channel (g = 1)
        norm = np.sqrt((x * x).sum(axis=tuple(range(1, rank)), keepdims=True))
        return x / norm
    if kind == "group":
        n, c = x.shape[:2]
        grouped = x.reshape(n, groups, c // groups, *x.shape[2:])
        axes = tuple(range(2, grouped.ndim))
        mean = grouped.mean(axis=axes, keepdims=True)
        var = grouped.var(axis=axes, keepdims=True)
        return ((grouped - mean) / np.sqrt(var + EPS)).reshape(x.shape)
    axes = {"batch": (0, *range(2, rank)), "layer": (rank - 1,) if sequence else tuple(range(1, rank)),
            "instance": tuple(range(2, rank))}[kind]
    mean = x.mean(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(x.var(axis=axes, keepdims=True) + EPS)


def shared_sets(kind: str, x: np.ndarray, groups: int | None, sequence: bool) -> set[frozenset[tuple[int, ...]]]:
    """The partition of elements into statistics, found by perturbing each element: the outputs that change are
    exactly those normalised with the perturbed element's statistic (and the element itself: a statistic of one
    element normalises it to 0 whatever its value)."""
    base = reference_normalise(kind, x, groups, sequence)
    found = set()
    for element in np.ndindex(x.shape):
        moved = x.copy()
        moved[element] += 1.0 if x[element] >= 0 else -1.0  # away from zero: a weight norm always grows
        # Outputs of other statistics are computed from the same numbers, so they stay bit-identical; a tolerance
        # would miss a tiny output whose statistic did change.
        changed = np.argwhere(reference_normalise(kind, moved, groups, sequence) != base)
        found.add(frozenset(map(tuple, changed.tolist())) | {element})
    return found


@st.composite
def norm_cases(draw):
    kind = draw(st.sampled_from(["batch", "layer", "instance", "group", "weight", "sequence"]))
    sequence = kind == "sequence"
    kind = "layer" if sequence else kind
    rank = 3 if sequence else draw(st.integers(3, 5))
    shape = [draw(st.integers(1, 4)) for _ in range(rank)]
    if kind == "group":
        shape[1] = draw(st.sampled_from([1, 2, 3, 4, 6]))
    if kind in ("batch", "instance"):  # more than one value per statistic (PyTorch refuses one)
        pooled = (shape[0] if kind == "batch" else 1) * math.prod(shape[2:])
        if pooled == 1:
            shape[-1] = 2
    groups = draw(st.sampled_from([g for g in range(1, shape[1] + 1) if shape[1] % g == 0])) if kind == "group" \
        else None
    return kind, tuple(shape), groups, sequence


@settings(max_examples=120, deadline=None)
@given(norm_cases(), st.integers(0, 2**32 - 1))
def test_statistic_sets_are_the_elements_that_share_statistics(case, seed):
    kind, shape, groups, sequence = case
    spec = make_norm(kind, shape, groups, sequence=sequence)
    x = np.random.default_rng(seed).normal(size=shape)
    sets = statistic_sets(spec)
    assert {frozenset(s) for s in sets} == shared_sets(kind, x, groups, sequence)
    assert len(sets) == spec.statistic_count
    assert all(len(s) == spec.elements_per_statistic for s in sets)
    index = statistic_index(spec)  # the numbering agrees with the listed sets
    for number, elements in enumerate(sets):
        assert all(index[e] == number for e in elements)


@settings(max_examples=120, deadline=None)
@given(norm_cases(), st.integers(0, 2**32 - 1))
def test_numbers_agree_with_the_definition(case, seed):
    kind, shape, groups, sequence = case
    spec = make_norm(kind, shape, groups, sequence=sequence)
    x = np.random.default_rng(seed).normal(size=shape) * 3 + 1
    numbers = norm_numbers(spec, x)
    np.testing.assert_allclose(numbers.outputs, reference_normalise(kind, x, groups, sequence), rtol=1e-9, atol=1e-9)
    for number, elements in enumerate(statistic_sets(spec)):
        members = np.array([x[e] for e in elements])
        if kind == "weight":
            assert numbers.variances[number] == pytest.approx((members ** 2).sum())
        else:
            assert numbers.means[number] == pytest.approx(members.mean())
            assert numbers.variances[number] == pytest.approx(((members - members.mean()) ** 2).mean())


def test_example_numbers_by_hand():
    """One set worked by hand: group norm, 1 sample, 2 groups of 1 channel of 2 positions."""
    spec = make_norm("group", (1, 2, 2), groups=2)
    numbers = norm_numbers(spec, np.array([[[1.0, 3.0], [2.0, 2.0]]]))
    assert numbers.means.tolist() == [2.0, 2.0]
    assert numbers.variances.tolist() == [1.0, 0.0]
    np.testing.assert_allclose(numbers.outputs[0, 0], [-1 / math.sqrt(1 + EPS), 1 / math.sqrt(1 + EPS)])
    assert numbers.outputs[0, 1].tolist() == [0.0, 0.0]


def test_example_values_are_small_integers_and_fixed():
    numbers = norm_numbers(make_norm("batch", (2, 3, 4)))
    assert numbers.values.min() >= 0 and numbers.values.max() <= 9
    assert np.array_equal(numbers.values, np.round(numbers.values))
    assert np.array_equal(numbers.values, norm_numbers(make_norm("layer", (2, 3, 4))).values)


@settings(max_examples=60, deadline=None)
@given(norm_cases(), st.booleans())
def test_parameter_counts(case, affine):
    """gamma and beta: per channel (batch, instance, group), per element of normalized_shape (layer); PyTorch's
    defaults: instance norm has none; weight norm: g per output channel plus v with the weight's shape."""
    kind, shape, groups, sequence = case
    default = make_norm(kind, shape, groups, sequence=sequence)
    expected_default = {"batch": 2 * shape[1], "group": 2 * shape[1], "instance": 0,
                        "layer": 2 * (shape[-1] if sequence else math.prod(shape[1:])),
                        "weight": shape[0] + math.prod(shape)}[kind]
    assert default.parameters == expected_default
    if kind != "weight":
        chosen = make_norm(kind, shape, groups, sequence=sequence, affine=affine)
        per = shape[-1] if sequence else math.prod(shape[1:]) if kind == "layer" else shape[1]
        assert chosen.parameters == (2 * per if affine else 0)
    assert default.running_statistics == (2 * shape[1] if kind == "batch" else 0)


@pytest.mark.parametrize("kind, shape, groups, sequence, layer", [
    ("batch", (4, 6, 3, 3), None, False, "nn.BatchNorm2d(6)"),
    ("batch", (4, 6, 5), None, False, "nn.BatchNorm1d(6)"),
    ("batch", (4, 6, 2, 3, 3), None, False, "nn.BatchNorm3d(6)"),
    ("layer", (4, 6, 3, 3), None, False, "nn.LayerNorm([6, 3, 3])"),
    ("layer", (2, 5, 8), None, True, "nn.LayerNorm(8)"),
    ("instance", (4, 6, 3, 3), None, False, "nn.InstanceNorm2d(6)"),
    ("group", (4, 6, 3, 3), 2, False, "nn.GroupNorm(2, 6)"),
    ("weight", (8, 3, 3, 3), None, False, "weight_norm(nn.Conv2d(3, 8, 3, bias=False))"),
])
def test_pytorch_layer(kind, shape, groups, sequence, layer):
    assert pytorch_layer(make_norm(kind, shape, groups, sequence=sequence)) == layer


def test_pytorch_layer_names_non_default_options():
    assert pytorch_layer(make_norm("instance", (2, 3, 4), affine=True)) == "nn.InstanceNorm1d(3, affine=True)"
    assert pytorch_layer(make_norm("batch", (2, 3, 4), eps=1e-3, affine=False)) == \
        "nn.BatchNorm1d(3, eps=0.001, affine=False)"
    assert pytorch_layer(make_norm("layer", (2, 3, 4), affine=False)) == \
        "nn.LayerNorm([3, 4], elementwise_affine=False)"


@pytest.mark.parametrize("args, kwargs, message", [
    (("group", (2, 6, 3, 3), 4), {}, "groups: must divide the 6 channels, got 4"),
    (("group", (2, 6, 3, 3)), {}, "groups: group norm needs a number of groups"),
    (("group", (2, 6, 3, 3), 0), {}, "groups: must be a positive integer, got 0"),
    (("batch", (2, 6, 3, 3), 2), {}, "groups: only group norm takes groups"),
    (("batch", (2, 6)), {}, "shape: must be N,C,L or N,C,H,W or N,C,D,H,W (3 to 5 sizes); got 2"),
    (("batch", (2, 6, 1, 1, 1, 1)), {}, "shape: must be N,C,L"),
    (("batch", (2, 0, 3)), {}, "shape: every size must be positive"),
    (("layer", (2, 3, 4, 5)), {"sequence": True}, "shape: a sequence is (N, L, D)"),
    (("batch", (2, 3, 4)), {"sequence": True}, "sequence: only layer norm"),
    (("batch", (1, 3, 1, 1)), {}, "shape: batch norm needs more than 1 value per statistic"),
    (("instance", (4, 3, 1, 1)), {}, "shape: instance norm needs more than 1 value per statistic"),
    (("norm", (2, 3, 4)), {}, "kind: must be one of batch, layer, instance, group, weight; got 'norm'"),
    (("batch", (2, 3, 4)), {"eps": 0}, "eps: must be a number between 0 and 1"),
])
def test_bad_input_names_the_parameter(args, kwargs, message):
    with pytest.raises(SpecError) as error:
        make_norm(*args, **kwargs)
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_too_many_elements_to_list_is_refused_before_allocating():
    spec = make_norm("batch", (256, 512, 64, 64))  # counting works at any size
    assert spec.statistic_count == 512 and spec.elements_per_statistic == 256 * 64 * 64
    assert "nn.BatchNorm2d(512)" in explain_norm(spec)
    with pytest.raises(SpecError, match="shape: 536,870,912 elements are too many to list"):
        norm_json(spec)


def test_json_contract():
    spec = make_norm("group", (2, 4, 3), groups=2)
    data = norm_json(spec)
    assert data["kind"] == "group" and data["shape"] == [2, 4, 3] and data["parameters"] == 8
    assert len(data["statistics"]) == 4
    assert data["statistics"][1]["elements"] == [[0, c, s] for c in (2, 3) for s in range(3)]
    listed = sorted(tuple(e) for stat in data["statistics"] for e in stat["elements"])
    assert listed == sorted(np.ndindex(2, 4, 3))  # every element exactly once


# Dropout ------------------------------------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.floats(0, 0.95), st.lists(st.integers(1, 5), min_size=2, max_size=4), st.integers(1, 5),
       st.integers(0, 2**32 - 1))
def test_dropout_masks(p, shape, steps, seed):
    spec = make_dropout(p, tuple(shape), steps=steps, seed=seed)
    elements, channels = element_masks(spec), channel_masks(spec)
    assert elements.shape == channels.shape == (steps, *shape)
    for t in range(steps):  # channel dropout keeps or zeroes each channel whole
        per_channel = channels[t].reshape(shape[0], -1)
        assert np.all(per_channel.all(axis=1) | ~per_channel.any(axis=1))
    again = make_dropout(p, tuple(shape), steps=steps, seed=seed)
    assert np.array_equal(element_masks(again), elements) and np.array_equal(channel_masks(again), channels)
    values = np.random.default_rng(seed).normal(size=shape)
    out = apply_dropout(values, elements[0], p)
    np.testing.assert_allclose(out[elements[0]], values[elements[0]] / (1 - p))
    assert np.all(out[~elements[0]] == 0)


def test_dropout_rate_and_scale_keep_the_mean():
    """Over many draws about p of the elements are zeroed, and the scaled output keeps the input's mean."""
    spec = make_dropout(0.3, (4, 16, 16), steps=64, seed=5)
    kept = element_masks(spec)
    assert abs(1 - kept.mean() - 0.3) < 0.01
    assert abs(1 - channel_masks(spec)[:, :, 0, 0].mean() - 0.3) < 0.1
    ones = np.ones(spec.shape)
    assert abs(np.mean([apply_dropout(ones, kept[t], 0.3).mean() for t in range(64)]) - 1) < 0.02


def test_dropout_differs_between_seeds_and_steps():
    a, b = make_dropout(0.5, (4, 5, 5), seed=0), make_dropout(0.5, (4, 5, 5), seed=1)
    assert not np.array_equal(element_masks(a), element_masks(b))
    assert not np.array_equal(element_masks(a)[0], element_masks(a)[1])


@pytest.mark.parametrize("kwargs, message", [
    ({"p": 1.0}, "p: must be a probability in [0, 1)"),
    ({"p": -0.1}, "p: must be a probability in [0, 1)"),
    ({"shape": (4,)}, "shape: must be C,L or C,H,W or C,D,H,W"),
    ({"shape": (4, 0, 2)}, "shape: every size must be positive"),
    ({"steps": 0}, "steps: must be between 1 and 64"),
    ({"seed": -1}, "seed: must be an integer"),
])
def test_dropout_bad_input(kwargs, message):
    with pytest.raises(SpecError) as error:
        make_dropout(**kwargs)
    assert str(error.value).startswith(message)


def test_dropout_text_and_json():
    spec = make_dropout(0.5, (4, 3, 3), steps=2, seed=0)
    text = explain_dropout(spec)
    assert "nn.Dropout(0.5) against nn.Dropout2d(0.5)" in text and "eval: identity" in text
    data = dropout_json(spec)
    kept = element_masks(spec)
    assert data["steps"][1]["dropout_kept"] == np.argwhere(kept[1]).tolist()
    assert data["steps"][0]["channel_dropout_kept_channels"] == [
        c for c in range(4) if channel_masks(spec)[0, c].all()]


@pytest.mark.parametrize("kind, shape, words", [
    ("batch", (2, 3, 7), "2×3×7 (N×C×L)"), ("batch", (2, 3, 4, 4), "2×3×4×4 (N×C×H×W)"),
    ("batch", (2, 3, 2, 4, 4), "2×3×2×4×4 (N×C×D×H×W)"), ("weight", (4, 3, 5), "4×3×5 (out×in×k)"),
    ("weight", (4, 3, 3, 3), "4×3×3×3 (out×in×kH×kW)"),
])
def test_axes_are_named_as_pytorch_documents_them(kind, shape, words):
    assert explain_norm(make_norm(kind, shape)).split(" on a ")[1].startswith(words)
