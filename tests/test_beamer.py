"""Beamer: `--frames DIR` writes PNG, SVG and vector PDF frames and prints an `\\animategraphics` line that fits the
slide, loops, and keeps every frame's duration (a `--pause` too, through animate's timeline file). The line is
compiled into 16:9 and 4:3 beamer documents with pdflatex and the animate package, and any overfull box fails."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from external import require_latex_file, require_tool

from convanim import animate, make_spec
from convanim.cli import cli

TEXLIVE = "apt-get install -y texlive-latex-extra (beamer, animate)"
POPPLER = "apt-get install -y poppler-utils"
PADDING_STRIDES = ["--input", "5", "--kernel", "3", "--stride", "2", "--padding", "1"]
FIGURES = {  # the usual figure with a pause (a timeline), a wide one (1d) and a tall one (3d depth slices)
    "padding_strides_pause": [*PADDING_STRIDES, "--pause", "2"],
    "wide_1d": ["--dims", "1", "--input", "12", "--kernel", "3", "--seconds-per-frame", "0.5"],
    "tall_3d": ["--input", "4x4x4", "--kernel", "3", "--padding", "1", "--stride", "2"],
}


def frames_line(tmp_path: Path, args: list[str], directory: str = "frames") -> str:
    """Render with `--frames` from `tmp_path`, as a user in their slides folder would; the printed line."""
    result = CliRunner().invoke(cli, ["render", *args, "--frames", directory], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 1, "standard output is the line alone"
    return result.stdout.strip()


def test_the_line_fits_loops_and_names_the_pdf_frames(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = frames_line(tmp_path, PADDING_STRIDES)
    assert line == ("\\animategraphics[loop,controls,width=\\linewidth,height=0.8\\textheight,keepaspectratio,"
                    "type=pdf]{1}{frames/frame-}{000}{008}")
    names = sorted(p.name for p in (tmp_path / "frames").iterdir())
    assert names == sorted(f"frame-{t:03d}.{ext}" for t in range(9) for ext in ("png", "svg", "pdf"))


def test_a_pause_and_a_frame_rate_go_into_the_timeline(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = frames_line(tmp_path, [*PADDING_STRIDES, "--seconds-per-frame", "0.4", "--pause", "1.1"])
    assert ",timeline=frames/frame-timeline.txt]{2.5}{frames/frame-}{000}{008}" in line
    rows = (tmp_path / "frames" / "frame-timeline.txt").read_text().splitlines()
    assert [row.split(":")[2] for row in rows] == [str(t) for t in range(9)]  # each frame shows its own picture
    seconds = [1 / float(row.split(":")[1]) for row in rows]
    assert seconds == pytest.approx([0.4] * 8 + [1.5], abs=1e-6)


def test_a_loop_count_plays_once_in_beamer_and_a_stale_timeline_is_not_used(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    frames_line(tmp_path, FIGURES["padding_strides_pause"])
    line = frames_line(tmp_path, [*PADDING_STRIDES, "--loop", "1"])
    assert line.startswith("\\animategraphics[controls,") and "timeline" not in line
    assert not (tmp_path / "frames" / "frame-timeline.txt").exists()


@pytest.mark.external
def test_each_pdf_frame_is_its_own_frame_with_extractable_labels(tmp_path):
    pdftotext = require_tool("pdftotext", POPPLER)
    animation = animate(make_spec(input_size=4, kernel_size=3))
    animation.save_frames(tmp_path)
    for t in range(animation.frame_count):
        text = subprocess.run([pdftotext, str(tmp_path / f"frame-{t:03d}.pdf"), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert f"frame {t + 1}/{animation.frame_count}" in text
        assert "input 4×4" in text and "output 2×2" in text and "Conv2d(1, 1, kernel_size=3)" in text


DOCUMENT = r"""\documentclass[aspectratio=%(ratio)s]{beamer}
\usepackage{animate}
\begin{document}
\begin{frame}{A convolution, frame by frame}
\centering
%(line)s
\end{frame}
\end{document}
"""


@pytest.fixture(scope="module")
def slides(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """Each figure's frames, rendered once for both slide shapes: figure -> (folder, printed line)."""
    made: dict[str, tuple[Path, str]] = {}
    for figure, args in FIGURES.items():
        folder = tmp_path_factory.mktemp(figure)
        result = CliRunner().invoke(cli, ["render", *args, "--frames", str(folder / "frames")])
        assert result.exit_code == 0, result.output
        made[figure] = folder, result.stdout.strip().replace(f"{folder.as_posix()}/", "")
    return made


@pytest.mark.external
@pytest.mark.slow
@pytest.mark.parametrize("ratio", ["169", "43"])
@pytest.mark.parametrize("figure", FIGURES)
def test_the_printed_line_compiles_into_a_slide_without_an_overfull_box(figure, ratio, slides, tmp_path):
    pdflatex = require_tool("pdflatex", TEXLIVE)
    for name in ("beamer.cls", "animate.sty"):
        require_latex_file(name, TEXLIVE)
    folder, line = slides[figure]
    assert "frames/frame-" in line and "type=pdf" in line
    (tmp_path / "frames").symlink_to(folder / "frames")
    (tmp_path / "slides.tex").write_text(DOCUMENT % {"ratio": ratio, "line": line})
    for _ in range(2):  # animate settles its widgets on the second run
        done = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "slides.tex"],
                              capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert done.returncode == 0, done.stdout[-3000:]
    log = (tmp_path / "slides.log").read_text(errors="replace")
    boxes = re.findall(r"^(Overfull \\[hv]box .*)$", log, flags=re.MULTILINE)
    assert boxes == [], "\n".join(boxes)
    assert "Error" not in log
    frames = len(list((folder / "frames").glob("frame-*.pdf")))
    used = set(re.findall(r"<use frames/frame-(\d+)\.pdf", log))
    assert used == {f"{t:03d}" for t in range(frames)}, "animate placed every PDF frame"
    assert re.search(r"Output written on slides\.pdf \(1 page", log), "one slide, no page spilled over"
