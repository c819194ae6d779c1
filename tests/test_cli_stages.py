"""`convanim stages`: blocks of several layers from the command line."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_stages_command_writes_the_animation_and_rejects_bad_input(tmp_path):
    from click.testing import CliRunner
    from PIL import Image

    from convanim.cli import cli

    out = tmp_path / "sep.gif"
    result = CliRunner().invoke(cli, ["stages", "separable", "--input", "6", "--in-channels", "2", "--kernel", "3",
                                      "--out-channels", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with Image.open(out) as image:
        assert image.n_frames == 16 * 2 + 16 * 2  # both stages sweep both channels
    bad = CliRunner().invoke(cli, ["stages", "inverted-residual", "--kernel", "2", "-o", str(tmp_path / "x.gif")])
    assert bad.exit_code == 2 and "--kernel:" in bad.output
    frames = tmp_path / "frames"  # per-frame files and the beamer line, as from render
    result = CliRunner().invoke(cli, ["stages", "inverted-residual", "--input", "3", "--frames", str(frames)])
    assert result.exit_code == 0, result.output
    count = len(list(frames.glob("frame-*.png")))
    assert count == len(list(frames.glob("frame-*.svg"))) == len(list(frames.glob("frame-*.pdf"))) > 0
    assert result.stdout.strip().endswith(f"{{{count - 1:03d}}}")
    for args, words in ((["-o", str(tmp_path / "x.bmp")], "unknown format '.bmp'"), ([], "give -o FILE")):
        bad = CliRunner().invoke(cli, ["stages", "separable", *args])
        assert bad.exit_code == 2 and words in bad.output


@pytest.mark.parametrize("args", [["separable", "--in-channels", "1000000000"],
                                  ["separable", "--multiplier", "1000000000"],
                                  ["inverted-residual", "--expansion", "1000000000"],
                                  ["inverted-residual", "--in-channels", "5000"]])
def test_a_huge_block_is_refused_from_the_arithmetic(args, tmp_path):
    from click.testing import CliRunner

    from convanim.cli import cli

    result = CliRunner().invoke(cli, ["stages", *args, "-o", str(tmp_path / "x.gif")])
    assert result.exit_code == 2 and "at most 4,096 channels" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not list(tmp_path.iterdir())
