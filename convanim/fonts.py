"""The one font every machine has: DejaVu Sans from matplotlib's package data (found without importing matplotlib),
so that text, and so the output bytes, are the same everywhere."""

from __future__ import annotations

import importlib.util
import os
from functools import cache, lru_cache

from PIL import ImageFont


@cache
def font_path(bold: bool = False) -> str:
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib is not installed: convanim needs its DejaVu Sans font")
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return os.path.join(list(spec.submodule_search_locations)[0], "mpl-data", "fonts", "ttf", name)


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(bold), max(1, size))


def text_box(text: str, size: int, bold: bool = False) -> tuple[int, int, int, int]:
    """Pixel box (left, top, right, bottom) of `text` drawn with its anchor at (0, 0), anchor 'ls'."""
    return tuple(int(v) for v in font(size, bold).getbbox(text, anchor="ls"))  # type: ignore[return-value]
