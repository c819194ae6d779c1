"""Progress on long work (a terminal's stderr only, after about a second) and the memory budget of formats that hold
every frame (refused before any frame is drawn)."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from convanim import SpecError, animate, make_spec
from convanim.cli import cli
from convanim.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_bar_waits_a_second_then_shows_frames_rate_and_time_left():
    clock, stream = Clock(), Terminal()
    with Progress("rendering a.gif", stream, clock=clock) as bar:
        clock.now = 0.5
        bar.update(5, 100)
        assert stream.getvalue() == ""  # quick work stays silent
        clock.now = 2.0
        bar.update(20, 100)
    line = stream.getvalue()
    assert "rendering a.gif" in line and "20/100 frames" in line and "10.0/s" in line and "0:08 left" in line
    assert line.endswith("\n")


def test_the_bar_is_silent_off_a_terminal_and_when_quiet():
    clock, stream = Clock(), io.StringIO()
    with Progress("x", stream, clock=clock) as bar:
        clock.now = 5
        bar.update(1, 2)
    assert stream.getvalue() == ""
    with Progress("x", None, clock=clock) as bar:
        bar.update(1, 2)


def test_quiet_render_writes_nothing(tmp_path):
    result = CliRunner().invoke(cli, ["render", "--input", "5", "-q", "-o", str(tmp_path / "a.gif")])
    assert result.exit_code == 0 and result.output == ""
    assert (tmp_path / "a.gif").stat().st_size > 0


def test_save_reports_every_frame(tmp_path):
    seen: list[tuple[int, int]] = []
    animate(make_spec(input_size=5, kernel_size=3)).save(tmp_path / "a.gif",
                                                         progress=lambda done, total: seen.append((done, total)))
    assert seen == [(t, 9) for t in range(1, 10)]


def test_a_format_holding_every_frame_is_refused_before_drawing(tmp_path, monkeypatch):
    import convanim.backends.raster_formats as formats

    monkeypatch.setattr(formats, "MEMORY_BUDGET", 10_000_000)

    def never(*args, **kwargs):
        raise AssertionError("a frame was drawn before the memory check")

    monkeypatch.setattr(formats, "Rasterizer", never)
    with pytest.raises(SpecError, match=r"^output: an animated APNG holds every frame in memory while it is written: 49 frames of \d+x\d+ px"):
        animate(make_spec(input_size=64, kernel_size=3)).save(tmp_path / "a.apng")
    assert list(tmp_path.iterdir()) == []
