"""Video: MP4 (H.264, yuv420p, even sides) and WebM (VP9) decode back (with PyAV) to the animation's frames, at its
size, for its duration, a pause included; the frame rate is constant; the bytes are the same every time; without
PyAV the refusal names the one command that installs it."""

from __future__ import annotations

import importlib.util
import os
from fractions import Fraction

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from convanim import animate, make_spec
from convanim.backends.video import MAX_FPS, frame_ticks
from convanim.cli import cli
from convanim.errors import SpecError

if importlib.util.find_spec("av") is None and os.environ.get("CI") == "true":
    raise RuntimeError("CI=true but PyAV is missing: the test extra installs it (pip install -e '.[test]')")
av = pytest.importorskip("av", reason="pip install 'convanim[video]'")


@given(st.lists(st.integers(10, 60_000), min_size=1, max_size=40))
def test_ticks_keep_every_duration_or_the_total_at_a_constant_rate(durations):
    fps, ticks = frame_ticks(tuple(durations))
    assert len(ticks) == len(durations) and min(ticks) >= 1 and fps <= MAX_FPS
    if fps < MAX_FPS:  # the tick is the durations' common divisor
        assert [Fraction(t) / fps for t in ticks] == [Fraction(ms, 1000) for ms in durations]  # exact
    else:  # rounded to 1/60 s, cumulatively: the total is kept within one tick (or grows by forced minimums)
        total = Fraction(sum(ticks)) / fps
        assert total >= Fraction(sum(durations), 1000) - Fraction(1, 2) / fps
        ends = np.cumsum(ticks)
        wanted = np.cumsum(durations) * MAX_FPS / 1000
        assert all(end >= want - 0.5 or end == previous + 1
                   for end, want, previous in zip(ends, wanted, [0, *ends[:-1]]))


def decode(path):
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        context = stream.codec_context
        frames = [(frame.pts * frame.time_base, frame.to_ndarray(format="rgb24")) for frame in container.decode(stream)]
        return context.name, context.pix_fmt, (context.width, context.height), stream.average_rate, frames


@pytest.mark.parametrize("suffix, codec", [(".mp4", "h264"), (".webm", "vp9")])
def test_the_video_decodes_to_the_animations_frames_size_and_duration(suffix, codec, tmp_path):
    # stride 2 on 6x5: an odd picture width, padded to even with the background
    animation = animate(make_spec(input_size=(5, 6), kernel_size=3, stride=2), seconds_per_frame=0.5, pause=1.5)
    scene = animation.scene
    path = animation.save(tmp_path / f"x{suffix}")
    name, pix_fmt, size, rate, frames = decode(path)
    assert (name, pix_fmt) == (codec, "yuv420p")
    assert size == (scene.width + scene.width % 2, scene.height + scene.height % 2) == animation.file_size(suffix[1:])
    assert size[0] % 2 == 0 and size[1] % 2 == 0
    assert rate == 2  # 500 ms per frame, the pause in 500 ms ticks
    assert len(frames) == animation.frame_count - 1 + 4
    assert [t for t, _ in frames] == [Fraction(i, 2) for i in range(len(frames))]
    duration = len(frames) / rate
    assert duration == sum(scene.durations_ms) / 1000 == 0.5 * animation.frame_count + 1.5
    raster = [np.asarray(animation.frame(t).convert("RGB"), dtype=np.int32) for t in range(animation.frame_count)]
    shown = list(range(animation.frame_count)) + [animation.frame_count - 1] * 3
    for (_, picture), t in zip(frames, shown):
        picture = picture.astype(np.int32)
        near = np.abs(picture[:scene.height, :scene.width] - raster[t]).mean()
        others = [np.abs(picture[:scene.height, :scene.width] - r).mean() for i, r in enumerate(raster) if i != t]
        assert near < 4 and near < min(others), (t, near, min(others))
        padding = picture[:, scene.width:] if scene.width % 2 else picture[scene.height:]
        assert np.abs(padding - np.array(scene.theme.background)).max() <= 12  # the padding is background


@pytest.mark.parametrize("suffix", [".mp4", ".webm"])
def test_the_same_scene_gives_the_same_bytes(suffix, tmp_path):
    first = animate(make_spec(input_size=4, kernel_size=3)).save(tmp_path / f"a{suffix}")
    second = animate(make_spec(input_size=4, kernel_size=3)).save(tmp_path / f"b{suffix}")
    assert first.read_bytes() == second.read_bytes()


def test_without_pyav_the_refusal_names_the_install_command(tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr("convanim.backends.find_spec", lambda name: None if name == "av" else real(name))
    with pytest.raises(SpecError, match=r"^output: writing \.mp4 needs av, which is not installed: "
                                        r"pip install 'convanim\[video\]'$"):
        animate(make_spec(input_size=4)).save(tmp_path / "x.mp4")
    result = CliRunner().invoke(cli, ["render", "--input", "4", "-o", str(tmp_path / "x.webm")])
    assert result.exit_code == 2
    assert result.output == ("convanim: error: --output: writing .webm needs av, which is not installed: "
                             "pip install 'convanim[video]'\n")
    assert list(tmp_path.iterdir()) == []
