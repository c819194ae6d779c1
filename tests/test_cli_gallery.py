"""`convanim list` and `convanim gallery`: the commands over the templates and the gallery builder."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from gallery_fakes import fake_render

from convanim.cli import cli
from convanim.gallery import builder as gallery
from convanim.templates import load_templates


def test_list_shows_every_packaged_template() -> None:
    result = CliRunner().invoke(cli, ["list"])
    assert result.exit_code == 0, result.output
    names = [line.split()[0] for line in result.output.splitlines()]
    assert names == [t.name for t in load_templates()]
    assert "padding_strides " in result.output and "Conv2d 5x5x1 \u2192 3x3x1" in result.output


def test_gallery_command_builds_then_checks(templates_dir: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gallery, "render_template", fake_render)
    out = tmp_path / "gallery"
    runner = CliRunner()
    args = ["gallery", "--templates", str(templates_dir), "--out", str(out)]
    result = runner.invoke(cli, [*args, "--check"])
    assert result.exit_code == 1 and "padding_strides.gif: missing" in result.output
    result = runner.invoke(cli, [*args, "--jobs", "1"])
    assert (result.exit_code, result.output) == (0, f"gallery: 6 built, 0 up to date in {out}\n")
    result = runner.invoke(cli, [*args, "--check"])
    assert (result.exit_code, result.output) == (0, f"gallery: {out} is up to date (6 outputs)\n")
    result = runner.invoke(cli, [*args, "--only", "nope"])
    assert result.exit_code == 2 and "--only: no template named 'nope'" in result.output
