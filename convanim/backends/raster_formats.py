"""Formats Pillow writes from whole frames: a PNG sheet of every frame, animated WebP and APNG, per-frame PNGs."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import BinaryIO

from PIL import Image

from convanim.backends.raster import Rasterizer
from convanim.primitives import Scene
from convanim.spec import SpecError

MAX_SHEET_SIDE = 16000
SHEET_GAP = 12


def frame_images(scene: Scene) -> Iterator[Image.Image]:
    mode = "RGBA" if scene.transparent else "RGB"
    for image, _ in Rasterizer(scene).frames():
        yield Image.fromarray(image.copy(), mode)


def sheet_layout(scene: Scene) -> tuple[int, int]:
    """(columns, rows) for a roughly square sheet."""
    n = scene.frame_count
    columns = max(1, min(n, round(math.sqrt(n * scene.height / scene.width))))
    return columns, math.ceil(n / columns)


def sheet_size(scene: Scene) -> tuple[int, int]:
    """The sheet's (width, height) in pixels."""
    columns, rows = sheet_layout(scene)
    return columns * scene.width + (columns - 1) * SHEET_GAP, rows * scene.height + (rows - 1) * SHEET_GAP


def write_png_sheet(scene: Scene, stream: BinaryIO) -> None:
    """Every frame in a grid, row-major like the animation: one static picture for handouts and papers."""
    columns, _ = sheet_layout(scene)
    width, height = sheet_size(scene)
    if max(width, height) > MAX_SHEET_SIDE:
        raise SpecError(f"output: a sheet of {scene.frame_count} frames would be {width}x{height} pixels, more than "
                        f"{MAX_SHEET_SIDE} on a side; write per-frame files (frames), or use a smaller cell_size")
    mode = "RGBA" if scene.transparent else "RGB"
    fill = (0, 0, 0, 0) if scene.transparent else scene.theme.background
    sheet = Image.new(mode, (width, height), fill)
    for t, image in enumerate(frame_images(scene)):
        row, column = divmod(t, columns)
        sheet.paste(image, (column * (scene.width + SHEET_GAP), row * (scene.height + SHEET_GAP)))
    sheet.save(stream, format="PNG", optimize=False)


def write_animated(scene: Scene, stream: BinaryIO, fmt: str) -> None:
    """Animated WebP (lossless) or APNG."""
    frames = frame_images(scene)
    first = next(frames)
    # WebP encodes frames as they come; Pillow's APNG writer needs a list (it ignores an iterator).
    rest = frames if fmt == "webp" else list(frames)
    options = {"save_all": True, "append_images": rest, "duration": list(scene.durations_ms), "loop": scene.loop}
    if fmt == "webp":
        first.save(stream, format="WEBP", lossless=True, method=4, **options)
    else:
        first.save(stream, format="PNG", **options)
