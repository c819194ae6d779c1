"""Formats Pillow writes from whole frames: a PNG sheet of every frame, animated WebP and APNG, per-frame PNGs."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import BinaryIO

from PIL import Image

from convanim.backends.raster import ProgressHook, Rasterizer
from convanim.primitives import Scene
from convanim.spec import SpecError

MAX_SHEET_SIDE = 16000
MAX_HELD_BYTES = 2 * 2**30  # formats that hold every frame (APNG) may use this much for them
SHEET_GAP = 12


def frame_images(scene: Scene, progress: ProgressHook | None = None) -> Iterator[Image.Image]:
    mode = "RGBA" if scene.transparent else "RGB"
    for image, _ in Rasterizer(scene, progress).frames():
        yield Image.fromarray(image.copy(), mode)


def check_held_frames(scene: Scene) -> None:
    """Refuse, before any pixel is drawn, a format that holds every frame when they would need more than
    `MAX_HELD_BYTES`, naming a frame count that would fit."""
    frame_bytes = scene.width * scene.height * 4
    needed = scene.frame_count * frame_bytes
    if needed > MAX_HELD_BYTES:
        fitting = max(1, MAX_HELD_BYTES // frame_bytes)
        raise SpecError(f"positions: {scene.frame_count:,} frames of {scene.width}x{scene.height} px would hold "
                        f"{needed / 2**30:.1f} GiB in memory (the limit is {MAX_HELD_BYTES / 2**30:g} GiB); show "
                        f"{fitting:,} frames or fewer, draw smaller (fit), or write a .gif or .webp, which stream")


def sheet_layout(scene: Scene) -> tuple[int, int]:
    """(columns, rows) for a roughly square sheet."""
    n = scene.frame_count
    columns = max(1, min(n, round(math.sqrt(n * scene.height / scene.width))))
    return columns, math.ceil(n / columns)


def write_png_sheet(scene: Scene, stream: BinaryIO, progress: ProgressHook | None = None) -> None:
    """Every frame in a grid, row-major like the animation: one static picture for handouts and papers."""
    columns, rows = sheet_layout(scene)
    width = columns * scene.width + (columns - 1) * SHEET_GAP
    height = rows * scene.height + (rows - 1) * SHEET_GAP
    if max(width, height) > MAX_SHEET_SIDE:
        raise SpecError(f"output: a sheet of {scene.frame_count} frames would be {width}x{height} pixels, more than "
                        f"{MAX_SHEET_SIDE} on a side; write per-frame files (frames), or use a smaller cell_size")
    mode = "RGBA" if scene.transparent else "RGB"
    fill = (0, 0, 0, 0) if scene.transparent else scene.theme.background
    sheet = Image.new(mode, (width, height), fill)
    for t, image in enumerate(frame_images(scene, progress)):
        row, column = divmod(t, columns)
        sheet.paste(image, (column * (scene.width + SHEET_GAP), row * (scene.height + SHEET_GAP)))
    sheet.save(stream, format="PNG", optimize=False)


def write_animated(scene: Scene, stream: BinaryIO, fmt: str, progress: ProgressHook | None = None) -> None:
    """Animated WebP (lossless) or APNG; APNG holds every frame in memory, so it is checked against
    `MAX_HELD_BYTES` first."""
    if fmt == "apng":
        check_held_frames(scene)
    frames = frame_images(scene, progress)
    first = next(frames)
    # WebP encodes frames as they come; Pillow's APNG writer needs a list (it ignores an iterator).
    rest = frames if fmt == "webp" else list(frames)
    options = {"save_all": True, "append_images": rest, "duration": list(scene.durations_ms), "loop": scene.loop}
    if fmt == "webp":
        first.save(stream, format="WEBP", lossless=True, method=4, **options)
    else:
        first.save(stream, format="PNG", **options)
