"""MP4 (H.264, yuv420p) and WebM (VP9) through PyAV, whose wheels carry FFmpeg with libx264 and libvpx: no system
ffmpeg. The optional extra `convanim[video]` installs it.

Slides want constant frame rate video (PowerPoint and Keynote step and seek it reliably), so each frame is repeated
for as many ticks as it lasts: the tick is the greatest common divisor of the durations (a `pause` included), or at
most 60 per second, with frame boundaries rounded to ticks cumulatively so the total duration is kept. Repeated
frames cost almost nothing to encode. Sides are padded to even numbers with the background (yuv420p halves the
chroma), and a transparent scene is drawn over its background: neither format here carries alpha that slides show.
One encoder thread and no creation time or encoder string: the same scene gives the same bytes."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import BinaryIO

import numpy as np

from convanim.backends.raster import ProgressHook, Rasterizer
from convanim.primitives import Scene

MAX_FPS = 60
BT709, LIMITED_RANGE = 1, 1  # FFmpeg's AVCOL_SPC_BT709 (also its primaries and transfer) and AVCOL_RANGE_MPEG
CODECS = {"mp4": ("libx264", {"crf": "18", "preset": "medium", "tune": "animation", "threads": "1",
                              "x264-params": "threads=1:lookahead-threads=1"}),
          "webm": ("libvpx-vp9", {"crf": "30", "b": "0", "threads": "1", "row-mt": "0", "deadline": "good",
                                  "cpu-used": "2"})}


def video_size(scene: Scene) -> tuple[int, int]:
    """Even sides, as yuv420p needs."""
    return scene.width + scene.width % 2, scene.height + scene.height % 2


def frame_ticks(durations_ms: tuple[int, ...]) -> tuple[Fraction, list[int]]:
    """(frames per second, ticks each frame is shown): the coarsest constant rate that keeps every duration, or
    `MAX_FPS` with each frame's end rounded to the nearest tick (never below one tick)."""
    tick = math.gcd(*durations_ms)
    if 1000 / tick <= MAX_FPS:
        return Fraction(1000, tick), [ms // tick for ms in durations_ms]
    ticks, shown, elapsed = [], 0, 0
    for ms in durations_ms:
        elapsed += ms
        end = max(shown + 1, round(elapsed * MAX_FPS / 1000))
        ticks.append(end - shown)
        shown = end
    return Fraction(MAX_FPS), ticks


def _rgb(image: np.ndarray, scene: Scene) -> np.ndarray:
    """The frame over the background, padded to even sides."""
    width, height = video_size(scene)
    background = np.array(scene.theme.background, dtype=np.int32)
    if image.shape[2] == 4:
        alpha = image[..., 3:4].astype(np.int32)
        image = ((image[..., :3].astype(np.int32) * alpha + background * (255 - alpha) + 127) // 255)
    out = np.empty((height, width, 3), dtype=np.uint8)
    out[...] = background
    out[:scene.height, :scene.width] = image[..., :3]
    return out


def write_video(scene: Scene, stream: BinaryIO, container: str, progress: ProgressHook | None = None) -> None:
    import av

    codec, options = CODECS[container]
    fps, ticks = frame_ticks(scene.durations_ms)
    width, height = video_size(scene)
    # No +faststart: it reopens the file by name, and the stream may be a pipe's buffer or a temporary file.
    output = av.open(stream, mode="w", format=container, options={"fflags": "+bitexact"})
    try:
        video = output.add_stream(codec, rate=fps, options=options)
        assert isinstance(video, av.video.stream.VideoStream)  # a video codec gives a video stream
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.time_base = Fraction(1) / fps
        video.codec_context.flags |= av.codec.context.Flags.bitexact
        video.codec_context.gop_size = 250  # x264's default: at 1 frame a second, 2 s apart made files 15x larger
        # BT.709, limited range, converted and tagged alike: players then show the theme's colours unshifted.
        context = video.codec_context
        context.colorspace = context.color_primaries = context.color_trc = BT709
        context.color_range = LIMITED_RANGE
        pts = 0
        for (image, _), repeat in zip(Rasterizer(scene, progress).frames(), ticks):
            frame = av.VideoFrame.from_ndarray(_rgb(image, scene), format="rgb24").reformat(
                format="yuv420p", src_colorspace="ITU709", dst_colorspace="ITU709")
            frame.colorspace, frame.color_range = BT709, LIMITED_RANGE
            for _ in range(repeat):
                frame.pts = pts
                pts += 1
                for packet in video.encode(frame):
                    output.mux(packet)
        for packet in video.encode():
            output.mux(packet)
    finally:
        output.close()


def write_mp4(scene: Scene, stream: BinaryIO, progress: ProgressHook | None = None) -> None:
    write_video(scene, stream, "mp4", progress)


def write_webm(scene: Scene, stream: BinaryIO, progress: ProgressHook | None = None) -> None:
    write_video(scene, stream, "webm", progress)
