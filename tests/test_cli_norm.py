"""The `convanim norm` and `convanim dropout` contract, invoked for real through click's CliRunner."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from convanim.cli import cli
from convanim.dropout import element_masks, make_dropout


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_norm_json_lists_every_element_of_every_statistic():
    result = run("norm", "group", "--shape", "2,6,2,2", "--groups", "3", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["kind"], data["shape"], data["parameters"]) == ("group", [2, 6, 2, 2], 12)
    assert len(data["statistics"]) == 6
    assert data["statistics"][4]["elements"][0] == [1, 2, 0, 0]  # sample 1, group 1 starts at channel 2
    seen = sorted(tuple(e) for s in data["statistics"] for e in s["elements"])
    assert seen == sorted(np.ndindex(2, 6, 2, 2))


def test_norm_text_names_the_layer_and_counts():
    result = run("norm", "batch", "--shape", "8,16,4,4")
    assert result.exit_code == 0
    assert result.output.startswith("nn.BatchNorm2d(16) on a 8×16×4×4 (N×C×H×W) tensor")
    assert "16 means and as many variances, each over 128 elements" in result.output
    assert "running_mean and running_var (16 each)" in result.output
    sequence = run("norm", "layer", "--shape", "2,5,8", "--sequence")
    assert sequence.output.startswith("nn.LayerNorm(8) on a 2×5×8 (N×L×D) tensor")


@pytest.mark.parametrize("args, message", [
    (["norm", "group", "--shape", "2,6,3,3", "--groups", "4"], "--groups: must divide the 6 channels, got 4"),
    (["norm", "batch", "--shape", "2,6"], "--shape: must be N,C,L or N,C,H,W or N,C,D,H,W"),
    (["norm", "batch", "--shape", "2,six,3"], "--shape: must be integers joined by commas"),
    (["norm", "batch", "--groups", "2"], "--groups: only group norm takes groups"),
    (["norm", "instance", "--shape", "2,3,1,1"], "--shape: instance norm needs more than 1 value per statistic"),
    (["dropout", "--p", "1"], "--p: must be a probability in [0, 1)"),
    (["dropout", "-p", "-0.5"], "--p: must be a probability in [0, 1)"),
    (["dropout", "--shape", "4"], "--shape: must be C,L or C,H,W or C,D,H,W"),
])
def test_bad_input_is_one_line_exit_2_and_no_file(tmp_path, args, message):
    target = tmp_path / "out.gif"
    result = run(*args, "-o", str(target))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"convanim: error: {message}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, frames", [
    (["norm", "group", "--shape", "2,4,2,2", "--groups", "2"], 4),
    (["norm", "all", "--shape", "2,4,2,2"], 8),
    (["norm", "layer", "--numbers"], 2),
    (["norm", "weight", "--shape", "3,2,3,3"], 3),
    (["dropout", "--shape", "3,3,3", "--steps", "2"], 3),
])
def test_renders_a_gif_with_a_frame_per_statistic(tmp_path, args, frames):
    target = tmp_path / "out.gif"
    result = run(*args, "-o", str(target))
    assert result.exit_code == 0, result.output
    with Image.open(target) as image:
        assert image.n_frames == frames
        assert image.width <= 1920 and image.height <= 1080


def test_frames_directory(tmp_path):
    result = run("norm", "batch", "--shape", "2,3,2", "--frames", str(tmp_path / "frames"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == [
        f"frame-{t:03d}.{ext}" for t in range(3) for ext in ("pdf", "png", "svg")]


def test_dropout_json_is_deterministic_and_matches_the_library():
    first = run("dropout", "--p", "0.4", "--shape", "3,2,2", "--seed", "9", "--json")
    second = run("dropout", "--p", "0.4", "--shape", "3,2,2", "--seed", "9", "--json")
    assert first.exit_code == 0 and first.output == second.output
    data = json.loads(first.output)
    kept = element_masks(make_dropout(0.4, (3, 2, 2), seed=9))
    assert [step["dropout_kept"] for step in data["steps"]] == [np.argwhere(k).tolist() for k in kept]


def test_help_imports_no_numpy():
    import subprocess
    import sys

    code = ("import sys; from click.testing import CliRunner; from convanim.cli import cli; "
            "CliRunner().invoke(cli, ['norm', '--help']); CliRunner().invoke(cli, ['dropout', '--help']); "
            "print('numpy' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_the_command_and_python_make_the_same_files(tmp_path):
    import convanim

    run("norm", "group", "--shape", "2,4,2,2", "--groups", "2", "--theme", "dark", "-o", str(tmp_path / "cli.gif"))
    convanim.animate_norm("group", (2, 4, 2, 2), groups=2, theme="dark").save(tmp_path / "api.gif")
    assert (tmp_path / "cli.gif").read_bytes() == (tmp_path / "api.gif").read_bytes()
    run("dropout", "-p", "0.3", "--shape", "3,3,3", "--seed", "4", "--numbers", "-o", str(tmp_path / "cli.svg"))
    convanim.animate_dropout(0.3, (3, 3, 3), seed=4, numbers=True).save(tmp_path / "api.svg")
    assert (tmp_path / "cli.svg").read_bytes() == (tmp_path / "api.svg").read_bytes()
    result = run("norm", "layer", "--shape", "2,5,8", "--sequence", "--json")
    assert json.loads(result.output) == convanim.norm_json(convanim.make_norm("layer", (2, 5, 8), sequence=True))
