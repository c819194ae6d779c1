"""`convanim render`: the command's contract (files written, one line and exit 2 for bad input, templates, frames)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from PIL import Image

from convanim.cli import cli


@pytest.mark.parametrize("existing", [True, False])
def test_frames_directory_and_beamer_line(tmp_path, existing):
    if not existing:  # a new directory is made, as mkdir would
        tmp_path = tmp_path / "frames"
    result = CliRunner().invoke(cli, ["render", "--input", "4", "--kernel", "3", "--frames", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir())[:3] == ["frame-000.pdf", "frame-000.png", "frame-000.svg"]
    assert all(len(list(tmp_path.glob(f"*.{ext}"))) == 4 for ext in ("png", "svg", "pdf"))
    assert "\\animategraphics[loop,controls,width=\\linewidth,height=0.8\\textheight" in result.stdout
    assert result.stdout.strip().endswith("{1}{" + (tmp_path / "frame").as_posix() + "-}{000}{003}")


def test_render_cli_writes_a_gif(tmp_path):
    target = tmp_path / "padding_strides.gif"
    result = CliRunner().invoke(cli, ["render", "--input", "5", "--kernel", "3", "--stride", "2", "--padding", "1",
                                      "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert Image.open(target).n_frames == 9


@pytest.mark.parametrize("args, words", [
    (["-o", "{tmp}/x.bmp"], "output: unknown format '.bmp'"),
    (["-o", "{tmp}/missing/x.gif"], "does not exist"),
    (["--input", "100", "--positions", "all", "-o", "{tmp}/x.gif"], "more than --max-frames 4,096"),
    (["--input", "20", "--positions", "all", "--max-frames", "100", "-o", "{tmp}/x.gif"], "raise --max-frames"),
    (["--cell-size", "2", "-o", "{tmp}/x.gif"], "--cell-size: must be between 4 and 400"),
    (["--input", "60", "--cell-size", "400", "-o", "{tmp}/x.gif"], "more than 8000 on a side"),
    ([], "give -o FILE and/or --frames DIR"),
    (["--frames", "{tmp}/nowhere/deeper"], "frames: neither directory"),
    (["--frames", "{tmp}/new", "--input", "100", "--positions", "all"], "more than --max-frames 4,096"),
])
def test_render_bad_input_is_one_line_exit_2_and_no_file(tmp_path, args, words):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = CliRunner().invoke(cli, ["render", *args])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and words in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_render_block_template_renders_the_whole_block(tmp_path):
    from convanim.animation import animate

    target = tmp_path / "sep.gif"
    result = CliRunner().invoke(cli, ["render", "--template", "depthwise_separable", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert Image.open(target).n_frames == animate(template="depthwise_separable").frame_count
    refused = CliRunner().invoke(cli, ["render", "--template", "depthwise_separable", "--kernel", "3",
                                       "-o", str(tmp_path / "x.gif")])
    assert refused.exit_code == 2 and "do not apply" in refused.output
