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
SHEET_GAP = 12
MEMORY_BUDGET = 1024**3  # bytes of frames a format that holds all of them may take (APNG, WebP; Pillow copies them)


def held_bytes(scene: Scene) -> int:
    """Memory of every frame at once: frames x width x height x channels."""
    return scene.frame_count * scene.width * scene.height * (4 if scene.transparent else 3)


def check_memory(scene: Scene, fmt: str) -> None:
    needed = held_bytes(scene)
    if needed > MEMORY_BUDGET:
        fitting = max(1, scene.frame_count * MEMORY_BUDGET // needed)
        raise SpecError(f"output: an animated {fmt.upper()} holds every frame in memory while it is written: "
                        f"{scene.frame_count:,} frames of {scene.width}x{scene.height} px need "
                        f"{needed / 1024**3:.1f} GB, more than the budget of {MEMORY_BUDGET / 1024**3:.0f} GB; "
                        f"{fitting:,} frames would fit at this size (a smaller input_size or cell_size), or write "
                        f".gif or .svg (they stream) or per-frame files (frames_dir)")


def frame_images(scene: Scene, progress: ProgressHook | None = None) -> Iterator[Image.Image]:
    mode = "RGBA" if scene.transparent else "RGB"
    for image, _ in Rasterizer(scene, progress).frames():
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


def write_png_sheet(scene: Scene, stream: BinaryIO, progress: ProgressHook | None = None) -> None:
    """Every frame in a grid, row-major like the animation: one static picture for handouts and papers."""
    columns, _ = sheet_layout(scene)
    width, height = sheet_size(scene)
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
    """Animated WebP (lossless) or APNG. Pillow holds every frame of both while it writes, so a request past
    `MEMORY_BUDGET` is refused before the first frame is drawn."""
    check_memory(scene, fmt)
    frames = frame_images(scene, progress)
    first = next(frames)
    # WebP encodes frames as they come; Pillow's APNG writer needs a list (it ignores an iterator).
    rest = frames if fmt == "webp" else list(frames)
    options = {"save_all": True, "append_images": rest, "duration": list(scene.durations_ms), "loop": scene.loop}
    if fmt == "webp":
        first.save(stream, format="WEBP", lossless=True, method=4, **options)
    else:
        first.save(stream, format="PNG", **options)
