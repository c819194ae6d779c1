"""Skip-connection blocks from the command line, from Python and as templates: the frames each stage sweeps, the
colours of the tensors, the fit on a 1080p slide, and the one-line errors."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from PIL import Image

import convanim
from convanim.animation import animate_stages
from convanim.cli import cli
from convanim.figures.skips import build_skip_scene
from convanim.primitives import Polygon, Text
from convanim.skips import dense_block, resnet_basic, resnet_bottleneck, unet_level
from convanim.templates import load_template
from convanim.view import make_view


def test_public_api():
    assert convanim.resnet_basic is resnet_basic and convanim.unet_level is unet_level
    assert isinstance(convanim.animate(resnet_basic()), convanim.Animation)
    assert convanim.animate_stages(dense_block(input_size=3, num_layers=1)).frame_count == 9 * 2


@pytest.mark.parametrize("block", [resnet_basic(stride=2, out_channels=4), resnet_bottleneck(in_channels=2),
                                   dense_block(), unet_level(), unet_level(input_size=8, out_channels=3)])
def test_every_stage_sweeps_its_drawn_outputs_and_fits_1080p(block):
    scene = animate_stages(block).scene  # as a user gets it: cells shrink first to keep it within a 1080p slide
    assert min(item.size for item in scene.items if isinstance(item, Text)) >= 13
    expected = 0
    for stage in block.stages:
        out = block.tensors[stage.writes].size
        positions = out[0] * out[1]
        sweep = positions * stage.spec.out_channels
        expected += sweep if sweep <= 64 else positions + stage.spec.out_channels - 1
    assert scene.frame_count == expected
    assert scene.width <= 1920 and scene.height <= 1080
    # one frame title per frame, naming the stage that runs
    titles = scene.frame_titles
    stage_of = [int(re.search(r"stage (\d+)", t).group(1)) for t in titles]
    assert stage_of == sorted(stage_of) and set(stage_of) == set(range(1, len(block.stages) + 1))


def test_colours_input_blue_output_cyan_and_concatenated_copies_keep_theirs():
    theme = make_view().theme
    scene = build_skip_scene(dense_block(input_size=5, in_channels=2, growth_rate=2, num_layers=3), make_view())
    fills = [item.fill for item in scene.items if isinstance(item, Polygon) and item.frame is None]
    # the 2 input channels appear in the input and in each of the 3 concatenations; the last layer writes 2 channels
    assert fills.count(theme.input_fill) == 4 * 2 * 25
    assert fills.count(theme.output_fill) == 2 * 25


def test_commands_write_animations(tmp_path):
    for args, frames in ((["resnet-basic", "--input", "3"], 9 * 2 * 2),
                         (["resnet-bottleneck", "--input", "3", "--in-channels", "4", "--width", "1"], 9 + 9 + 9 * 4),
                         (["dense", "--input", "3", "--layers", "2", "--growth-rate", "1"], 9 * 2),
                         (["unet-level", "--input", "2", "--out-channels", "1"], 4 + 1 + 2 + 4 + 4)):
        out = tmp_path / f"{args[0]}.gif"
        result = CliRunner().invoke(cli, ["stages", *args, "-o", str(out)])
        assert result.exit_code == 0, result.output
        with Image.open(out) as image:
            assert image.n_frames == frames, args


@pytest.mark.parametrize(("args", "message"), [
    (["resnet-basic", "--stride", "3"], "--stride: a ResNet block has stride 1 or 2, got 3"),
    (["resnet-bottleneck", "--width", "0"], "--width: must be a positive integer, got 0"),
    (["dense", "--layers", "40"], "--layers: at most 16, got 40"),
    (["dense", "--growth-rate", "3000"], "--growth-rate: the block would end with"),
    (["unet-level", "--input", "5"], "--input: the 2x2 pooling and the 2x2 up-convolution give the skip's size"),
])
def test_bad_input_is_one_line_exit_2_and_no_file(tmp_path, args, message):
    out = tmp_path / "x.gif"
    result = CliRunner().invoke(cli, ["stages", *args, "-o", str(out)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and message in result.output
    assert not out.exists() and not list(tmp_path.iterdir())


@pytest.mark.parametrize("command", ["resnet-basic", "resnet-bottleneck", "dense", "unet-level"])
def test_help_examples(command):
    result = CliRunner().invoke(cli, ["stages", command, "--help"])
    examples = [line.strip() for line in result.output.split("Examples:")[1].splitlines() if line.strip()]
    assert 2 <= len(examples) <= 3 and all(e.startswith(f"convanim stages {command} ") for e in examples)


@pytest.mark.parametrize("name", ["resnet_basic", "resnet_bottleneck", "dense_block", "unet_level"])
def test_templates(name):
    template = load_template(name)
    block = template.staged_block
    assert template.block == name and block.tensors[0].name == "input"
    animation = convanim.animate(template=name)
    assert animation.frame_count == build_skip_scene(block, template.view).frame_count


@pytest.mark.parametrize("block", [unet_level(), unet_level(input_size=8, out_channels=3), resnet_basic(stride=2),
                                   dense_block(input_size=4)])
def test_every_shaded_cell_lies_on_a_drawn_cell_and_outputs_on_real_elements(block):
    """Windows may cover padding and inserted zeros, but what a frame writes is a real element: every shaded cell
    coincides with a drawn cell of the grid, and every written one (the last shade of each frame) with a filled one
    (not padding, not a zero stretched in for the up-convolution)."""
    scene = build_skip_scene(block, make_view("flat", caption=False, labels=False))
    theme = scene.theme

    def key(polygon):
        return tuple((round(x, 6), round(y, 6)) for x, y, _ in polygon.points)

    filled = {key(p) for p in scene.items if isinstance(p, Polygon) and p.frame is None and p.fill != theme.zero_fill
              and p.fill != theme.background}
    for t in range(scene.frame_count):
        shades = [p for p in scene.items if isinstance(p, Polygon) and p.frame == t and p.fill == theme.shade]
        assert shades and key(shades[-1]) in filled, (t, scene.frame_titles[t])
