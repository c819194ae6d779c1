"""One colour language, read from the scene's primitives: input planes only in the input blue family, output planes
only in the output family, intermediate tensors of a block in the theme's third hue; groups only as lightness steps."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from convanim.blocks import inverted_residual, separable
from convanim.figures import build_scene
from convanim.figures.blocks import build_staged_scene
from convanim.primitives import Line
from convanim.spec import make_spec
from convanim.theme import THEMES
from convanim.view import make_view
from tests.test_figures_channels import cell_map


def families(theme):
    """Each role's colours: the fill at every lightness step, and the padding/zero colour everywhere."""
    return {role: set(theme.tints(fill)) | {theme.zero_fill}
            for role, fill in (("input", theme.input_fill), ("output", theme.output_fill),
                               ("middle", theme.middle_fill))}


def stack_fills(scene) -> dict[int, set]:
    fills: dict[int, set] = {}
    for (stack, _, _, _), fill in cell_map(scene).values():
        fills.setdefault(stack, set()).add(fill)
    return fills


def test_families_do_not_overlap():
    for theme in THEMES.values():
        fam = families(theme)
        assert not (fam["input"] & fam["output"]) - {theme.zero_fill}
        assert not (fam["input"] & fam["middle"]) - {theme.zero_fill}
        assert not (fam["output"] & fam["middle"]) - {theme.zero_fill}
    assert THEMES["classic"].input_fill == THEMES["dark"].input_fill  # classic and dark keep blue and cyan
    assert THEMES["classic"].output_fill == THEMES["dark"].output_fill


@settings(max_examples=25, deadline=None)
@given(per_group_in=st.integers(1, 3), groups=st.integers(1, 4), mult=st.integers(1, 2), kernel=st.sampled_from([1, 3]),
       theme=st.sampled_from(sorted(THEMES)), view=st.sampled_from(["oblique", "flat"]))
def test_channel_planes_keep_their_role_colour(per_group_in, groups, mult, kernel, theme, view):
    assume(per_group_in * groups > 1 or mult > 1)  # one channel in and out is the single-plane figure
    spec = make_spec(dims=2, input_size=4, kernel_size=kernel, padding=kernel // 2, in_channels=per_group_in * groups,
                     out_channels=groups * mult, groups=groups)
    scene = build_scene(spec, make_view(view, theme=theme, caption=False))
    fam = families(scene.theme)
    fills = stack_fills(scene)
    assert sorted(fills) == [0, 1]
    assert fills[0] <= fam["input"] and scene.theme.input_fill in fills[0]
    assert fills[1] <= fam["output"] and scene.theme.output_fill in fills[1]


@pytest.mark.parametrize("theme", sorted(THEMES))
@pytest.mark.parametrize("block", [separable(input_size=6, in_channels=3, kernel_size=3, out_channels=4),
                                   inverted_residual(input_size=5, in_channels=2, expansion=2, kernel_size=3,
                                                     out_channels=2)])
def test_block_tensors_input_middle_output(block, theme):
    scene = build_staged_scene(block, make_view(theme=theme, caption=False))
    fam = families(scene.theme)
    fills = stack_fills(scene)
    last = max(fills)
    assert last == len(block.stages)
    assert fills[0] <= fam["input"]
    assert fills[last] <= fam["output"]
    for middle in range(1, last):
        assert fills[middle] <= fam["middle"] and scene.theme.middle_fill in fills[middle]


def test_no_group_border_lines_in_another_role_colour():
    """Groups used to draw a thick border in a group hue round output planes; no line may carry a fill colour."""
    spec = make_spec(dims=2, input_size=4, kernel_size=3, in_channels=4, out_channels=4, groups=2)
    scene = build_scene(spec, make_view())
    fam = families(scene.theme)
    fill_colours = (fam["input"] | fam["output"]) - {scene.theme.zero_fill}
    assert not {item.color for item in scene.items if isinstance(item, Line)} & fill_colours
