"""Scenes of the normalisation and dropout figures: which cells each frame shades, read back from the primitives and
compared with the statistic sets (themselves checked against the textbook definitions in test_norm.py); the default
figures fit a 1080p slide with readable text; the same spec gives the same bytes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convanim
from convanim.dropout import channel_masks, element_masks, make_dropout
from convanim.figures.norm import build_dropout_scene, build_four_scene, build_norm_scene
from convanim.normalisation import four_specs, make_norm, statistic_sets
from convanim.primitives import Polygon, Text
from convanim.view import make_view


def cube_cell(spec, element: tuple[int, ...]) -> tuple[int, int, int]:
    """(depth, across, down) of a tensor element in the paper's cube: (n, c, flattened spatial position); a
    sequence's (n, feature, token)."""
    if spec.sequence:
        n, token, feature = element
        return n, feature, token
    return element[0], element[1], int(np.ravel_multi_index(element[2:], spec.shape[2:]))


def shaded_box(scene, frame: int, units: tuple[float, float, float], down: int) -> tuple[tuple[int, int], ...]:
    """The cells the filled polygons of one frame cover, back in cube cells: (n0, n1), (c0, c1), (s0, s1)."""
    points = [p for item in scene.items if isinstance(item, Polygon) and item.frame == frame for p in item.points]
    xs, ys, zs = zip(*points)
    dy, dx, dz = units
    return ((round(min(ys) / dy), round(max(ys) / dy)), (round(min(xs) / dx), round(max(xs) / dx)),
            (round(down - max(zs) / dz), round(down - min(zs) / dz)))


@st.composite
def cube_cases(draw):
    kind = draw(st.sampled_from(["batch", "layer", "instance", "group", "weight", "sequence"]))
    sequence = kind == "sequence"
    kind = "layer" if sequence else kind
    shape = [draw(st.integers(1, 5)) for _ in range(3 if sequence else draw(st.integers(3, 5)))]
    if kind in ("batch", "instance"):
        shape[-1] = max(shape[-1], 2)
    groups = draw(st.sampled_from([g for g in range(1, shape[1] + 1) if shape[1] % g == 0])) \
        if kind == "group" else None
    return make_norm(kind, tuple(shape), groups, sequence=sequence)


@settings(max_examples=40, deadline=None)
@given(cube_cases())
def test_each_frame_shades_exactly_one_statistics_elements(spec):
    from convanim.figures.norm import make_cube

    scene = build_norm_scene(spec, make_view(labels=False, caption=False))
    sets = statistic_sets(spec)
    assert scene.frame_count == len(sets)
    cells = [[cube_cell(spec, e) for e in elements] for elements in sets]
    counts = tuple(max(c[i] for s in cells for c in s) + 1 for i in range(3))
    cube = make_cube(counts)
    for t, members in enumerate(cells):
        box = shaded_box(scene, t, cube.units, counts[2])
        low = tuple(min(c[i] for c in members) for i in range(3))
        high = tuple(max(c[i] for c in members) + 1 for i in range(3))
        assert box == tuple(zip(low, high))
        assert int(np.prod([b - a for a, b in box])) == len(members)  # the box holds nothing else


def test_four_panels_step_through_every_set_together():
    specs = four_specs((2, 6, 2, 2))
    assert [s.kind for s in specs] == ["batch", "layer", "instance", "group"] and specs[3].groups == 2
    scene = build_four_scene(specs, make_view(labels=False, caption=False))
    assert scene.frame_count == 12  # instance norm's 2×6 statistics, the most
    for t in range(12):  # four shaded boxes per frame (three faces each)
        assert sum(isinstance(i, Polygon) and i.frame == t for i in scene.items) == 12
    shown = {spec.kind: set() for spec in specs}
    for t in range(12):
        for spec in specs:
            shown[spec.kind].add(t * spec.statistic_count // 12)
    assert all(shown[s.kind] == set(range(s.statistic_count)) for s in specs)


def test_numbers_view_shades_each_statistics_cells_in_input_and_output():
    spec = make_norm("group", (2, 4, 2, 2), groups=2)
    view = make_view(numbers=True)
    scene = build_norm_scene(spec, view)
    shade = view.theme.shade
    for t, elements in enumerate(statistic_sets(spec)):
        corners = sorted((p[0], p[1]) for item in scene.items
                         if isinstance(item, Polygon) and item.frame == t and item.fill == shade
                         for p in item.points[:1])
        assert len(corners) == 2 * len(elements)  # each element once in x, once in y
        texts = [item.text for item in scene.items if isinstance(item, Text) and item.frame == t and not item.screen]
        values = convanim.normalisation.norm_numbers(spec)
        assert sorted(texts[0::2]) == sorted(str(int(values.values[e])) for e in elements)


def test_numbers_caption_states_each_sets_mean_and_variance():
    spec = make_norm("batch", (2, 3, 2))
    scene = build_norm_scene(spec, make_view(numbers=True))
    numbers = convanim.normalisation.norm_numbers(spec)
    for t in range(3):
        members = np.array([numbers.values[e] for e in statistic_sets(spec)[t]])
        assert f"mean {members.mean():.3g}, var {members.var():.3g}" in scene.frame_titles[t]


def test_dropout_scene_shades_the_kept_cells():
    spec = make_dropout(0.5, (3, 2, 4), steps=2, seed=3)
    view = make_view(labels=False, caption=False)
    scene = build_dropout_scene(spec, view)
    assert scene.frame_count == 3
    masks = [element_masks(spec), channel_masks(spec)]
    for t in range(3):
        kept = {(round(i.points[0][1]), round(i.points[0][0])) for i in scene.items
                if isinstance(i, Polygon) and i.frame == t and i.fill == view.theme.output_fill}
        expected = set()
        for row, mask in enumerate(masks):
            keep = np.ones(spec.shape, bool) if t == 2 else mask[t]
            band = row * round(scene_band(scene, view))
            expected |= {(band + r, c * 5 + j) for c, r, j in np.argwhere(keep).tolist()}
        assert kept == expected


def scene_band(scene, view) -> float:
    """The second row's offset in cells (from the scene's polygons: the first cell below the first row)."""
    ys = sorted({i.points[0][1] for i in scene.items if isinstance(i, Polygon)})
    return next(y for y in ys if y >= 2)


DEFAULTS = [
    ("batch", {}), ("layer", {}), ("instance", {}), ("group", {"groups": 2}), ("weight", {"shape": (8, 3, 3, 3)}),
    ("layer", {"shape": (2, 6, 8), "sequence": True}), ("all", {}), ("group", {"groups": 2, "numbers": True}), ("weight", {"numbers": True}),
    ("layer", {"sequence": True, "numbers": True}),
    ("batch", {"shape": (2, 3, 2, 2), "numbers": True}), ("group", {"shape": (8, 32, 8, 8), "groups": 8}),
]


@pytest.mark.parametrize("kind, options", DEFAULTS)
def test_default_figures_fit_1080p_with_readable_text(kind, options):
    scene = convanim.animate_norm(kind, **options).scene
    assert scene.width <= 1920 and scene.height <= 1080
    assert min(round(i.size) for i in scene.items if isinstance(i, Text)) >= 13


def test_default_dropout_fits_1080p_with_readable_text():
    for scene in (convanim.animate_dropout().scene, convanim.animate_dropout(numbers=True).scene):
        assert scene.width <= 1920 and scene.height <= 1080
        assert min(round(i.size) for i in scene.items if isinstance(i, Text)) >= 13


def test_same_spec_same_bytes(tmp_path):
    for name, animation in (("norm", lambda: convanim.animate_norm("group", (2, 4, 2, 2), 2)),
                            ("dropout", lambda: convanim.animate_dropout(0.3, (3, 3, 3), seed=4))):
        first, second = animation().save(tmp_path / f"{name}1.gif"), animation().save(tmp_path / f"{name}2.gif")
        assert first.read_bytes() == second.read_bytes()


def test_frame_budget_is_refused_in_one_line():
    with pytest.raises(convanim.SpecError, match="max_frames: this figure has 24 statistics"):
        _ = convanim.animate_norm("instance", (4, 6, 3, 3), max_frames=10).scene


@pytest.mark.parametrize("kind, options, texts", [
    ("group", {"groups": 2}, ["Group Norm", "C = 6", "N = 4", "H, W", "3×3"]),
    ("batch", {"shape": (3, 4, 2, 3, 3)}, ["Batch Norm", "C = 4", "N = 3", "D, H, W", "2×3×3"]),
    ("layer", {"sequence": True}, ["Layer Norm", "D = 8 features", "N = 2 batch", "L tokens", "6"]),
    ("weight", {}, ["Weight Norm", "in = 3", "out = 8", "kH, kW", "3×3"]),
])
def test_cube_axes_are_labelled_with_their_sizes(kind, options, texts):
    scene = convanim.animate_norm(kind, **options).scene
    drawn = {item.text for item in scene.items if isinstance(item, Text) and not item.screen}
    assert set(texts) <= drawn
    assert not set(texts) & {item.text for item in convanim.animate_norm(kind, labels=False, **options).scene.items
                             if isinstance(item, Text) and not item.screen}
