"""Timing: seconds_per_frame, fps and duration agree or are refused in one line; a loop of `duration` lasts exactly
that; a loop nobody timed lasts at most a minute; the GIF carries the durations."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from convanim import SpecError, animate, make_spec, make_view
from convanim.cli import cli
from convanim.figures.canvas import frame_durations


def test_fps_is_another_way_to_give_seconds_per_frame():
    assert make_view(fps=4).seconds_per_frame == 0.25
    assert make_view(fps=4, seconds_per_frame=0.25).seconds_per_frame == 0.25  # agreeing is fine


@pytest.mark.parametrize("args, message", [
    (dict(fps=4, seconds_per_frame=0.5), "fps: 4 frames a second is 0.25 s a frame, not seconds_per_frame=0.5"),
    (dict(duration=10, fps=2), "duration: give either duration (one loop) or a frame rate"),
    (dict(duration=10, seconds_per_frame=1), "duration: give either duration (one loop) or a frame rate"),
    (dict(duration=2, pause=2), "duration: a loop of 2 s leaves no time for frames"),
    (dict(fps=0), "fps: must be between"), (dict(duration=0), "duration: must be between"),
])
def test_contradictions_are_refused(args, message):
    with pytest.raises(SpecError) as refused:
        make_view(**args)
    assert str(refused.value).startswith(message)


@settings(max_examples=300, deadline=None)
@given(frames=st.integers(1, 4096), duration=st.floats(0.1, 3600), pause=st.floats(0, 5))
def test_a_duration_is_one_loop_exactly(frames, duration, pause):
    if pause >= duration:
        return
    view = make_view(duration=duration, pause=pause)
    steps = round((duration - pause) * 100)
    if steps < 2 * frames:
        with pytest.raises(SpecError, match="^duration: "):
            frame_durations(view, frames)
        return
    durations = frame_durations(view, frames)
    assert len(durations) == frames and all(d % 10 == 0 and d >= 20 for d in durations[:-1])
    assert sum(durations) == steps * 10 + round(pause * 1000)
    assert max(durations[:-1] or [0]) - min(durations[:-1] or [0]) <= 10  # shared out evenly


@settings(max_examples=300, deadline=None)
@given(frames=st.integers(1, 4096), pause=st.sampled_from([0.0, 0.5, 2.0]))
def test_an_untimed_loop_lasts_at_most_a_minute(frames, pause):
    durations = frame_durations(make_view(pause=pause), frames)
    if frames + pause <= 60:
        assert durations[:-1] == (1000,) * (frames - 1)  # 1 s a frame, as always
    elif frames * 0.02 + pause <= 60:
        assert sum(durations) <= 60_000
    else:  # more frames than a minute can show at 0.02 s each: as fast as players go
        assert set(durations[:-1]) <= {20}


def test_a_chosen_frame_rate_is_kept():
    assert sum(frame_durations(make_view(seconds_per_frame=1), 100)) == 100_000


def test_gif_and_cli_carry_the_duration(tmp_path):
    buffer = io.BytesIO()
    animate(make_spec(input_size=5, kernel_size=3), duration=3).save(tmp_path / "a.gif")
    image = Image.open(tmp_path / "a.gif")
    total = 0
    for t in range(image.n_frames):
        image.seek(t)
        total += image.info["duration"]
    assert image.n_frames == 9 and total == 3000
    del buffer
    result = CliRunner().invoke(cli, ["render", "--input", "5", "--fps", "4", "--seconds-per-frame", "1", "-o",
                                      str(tmp_path / "b.gif")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "convanim: error: --fps: 4 frames a second is 0.25 s a frame, not --seconds-per-frame 1; give one of them"]
