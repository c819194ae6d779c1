"""Animated GIF, streamed: one shared palette; each later frame stores only the rectangle that changed, with the
unchanged pixels in it transparent, which LZW packs into almost nothing. Frames never pile up in memory."""

from __future__ import annotations

from typing import BinaryIO

import numpy as np
from PIL import GifImagePlugin, Image

from convanim.backends.raster import ProgressHook, Rasterizer
from convanim.primitives import Scene

KEEP = 255  # palette index meaning "unchanged" in a delta frame, or "transparent" in a transparent GIF


class Quantizer:
    """Exact colours map to their palette entry; any other colour to its nearest one (first on ties)."""

    def __init__(self, palette: np.ndarray, exact: int = 0) -> None:
        self.palette = palette.astype(np.int32)  # (n, 3)
        self.lut = np.zeros(1 << 24, dtype=np.uint8)
        self.known = np.zeros(1 << 24, dtype=bool)
        seeds = _pack(self.palette[:exact])
        self.lut[seeds[::-1]] = np.arange(exact)[::-1]  # the first entry wins for a repeated colour
        self.known[seeds] = True

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        packed = _pack(rgb)
        unknown = packed[~self.known[packed]]
        if unknown.size:
            new = np.unique(unknown)
            colours = np.stack([new >> 16, (new >> 8) & 255, new & 255], axis=1)
            # |c - p|^2 = |c|^2 - 2 c.p + |p|^2; |c|^2 is the same along a row, so it cannot change the argmin.
            # Integers throughout: exact, so ties still go to the first entry on every machine.
            norms = (self.palette ** 2).sum(axis=1)
            distance = norms[None, :] - 2 * (colours @ self.palette.T)
            self.lut[new] = distance.argmin(axis=1)
            self.known[new] = True
        return self.lut[packed]


def _pack(rgb: np.ndarray) -> np.ndarray:
    rgb = rgb.astype(np.int32)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


def _unpack(packed: np.ndarray) -> np.ndarray:
    return np.stack([packed >> 16, (packed >> 8) & 255, packed & 255], axis=1).astype(np.int32)


def _quantizer(first: np.ndarray, scene: Scene) -> Quantizer:
    """One palette for every frame: the theme's exact colours, then the first frame's other colours (the
    antialiasing blends), median-cut (deterministic) when there are too many. The first frame already shows every
    kind of cell, the window and the connectors."""
    theme = scene.theme
    fills = [theme.zero_fill, *(tinted for fill in (theme.input_fill, theme.output_fill, theme.middle_fill)
                                for tinted in theme.tints(fill))]
    exact = [theme.background, theme.outline, theme.zero_outline, theme.connector, theme.text, theme.muted_text, *fills]
    exact += [_blend(theme.shade, under, theme.shade_opacity) for under in fills]
    exact_colours = np.array(list(dict.fromkeys(exact)), dtype=np.int32)
    seeded = Quantizer(exact_colours, len(exact_colours))
    packed = _pack(first[..., :3])
    blends = np.unique(packed[~seeded.known[packed]])
    room = KEEP - len(exact_colours)
    if len(blends) <= room:
        found = _unpack(blends)
    else:  # each distinct blend once, so thin edges count as much as large areas
        pixels = _unpack(blends).astype(np.uint8)[None]
        cut = Image.fromarray(np.ascontiguousarray(pixels), "RGB").quantize(
            colors=room, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        palette = cut.getpalette()
        assert palette is not None  # a quantized image always has one
        found = np.array(palette[:3 * room], dtype=np.int32).reshape(-1, 3)
    seeded.palette = np.concatenate([exact_colours, found.astype(np.int32)])  # only exact colours are known yet
    return seeded


def _blend(top: tuple[int, int, int], under: tuple[int, int, int], opacity: float) -> tuple[int, int, int]:
    alpha = round(opacity * 255)
    return tuple((t * alpha + u * (255 - alpha) + 127) // 255 for t, u in zip(top, under))  # type: ignore[return-value]


def _flatten(rgba: np.ndarray, scene: Scene) -> np.ndarray:
    """RGBA over the background (the view's `background`, else the theme's): GIF has one transparent index, not
    partial alpha, so an antialiased edge keeps its pixels, blended against the colour of the page it will sit on."""
    alpha = rgba[..., 3:4].astype(np.int32)
    background = np.array(scene.theme.background, dtype=np.int32)
    return ((rgba[..., :3] * alpha + background * (255 - alpha) + 127) // 255).astype(np.uint8)


def _p_image(indices: np.ndarray, palette_bytes: list[int]) -> Image.Image:
    image = Image.fromarray(np.ascontiguousarray(indices), "P")
    image.putpalette(palette_bytes)
    return image


def write_gif(scene: Scene, stream: BinaryIO, progress: ProgressHook | None = None) -> None:
    raster = Rasterizer(scene, progress)
    quantize: Quantizer | None = None
    palette_bytes: list[int] = []
    shown: np.ndarray | None = None  # palette indices currently on screen
    for t, (image, touched) in enumerate(raster.frames()):
        rgb = _flatten(image, scene) if scene.transparent else image
        if quantize is None:
            quantize = _quantizer(rgb, scene)
            palette = quantize.palette
            palette_bytes = [int(v) for v in palette.ravel()] + [0] * (768 - palette.size)
        params = {"duration": scene.durations_ms[t], "transparency": KEEP}
        if scene.transparent:  # each frame whole, over a cleared canvas: pixels can turn transparent again
            indices = quantize(rgb)
            indices[image[..., 3] == 0] = KEEP  # partly covered pixels stay, blended against the background
            chunk, offset = _p_image(indices, palette_bytes), (0, 0)
            params["disposal"] = 2
        elif shown is None:
            shown = quantize(rgb)
            chunk, offset = _p_image(shown, palette_bytes), (0, 0)
            params["disposal"] = 1
        else:  # only the recomposed pixels can differ; store the box of those that do
            ys, xs = touched if touched is not None else (np.zeros(0, np.intp),) * 2
            fresh = quantize(rgb[ys, xs])
            changed = fresh != shown[ys, xs]
            ys, xs, fresh = ys[changed], xs[changed], fresh[changed]
            shown[ys, xs] = fresh
            if len(ys):
                left, top, right, bottom = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
            else:
                left, top, right, bottom = 0, 0, 1, 1
            delta = np.full((bottom - top, right - left), KEEP, dtype=np.uint8)
            delta[ys - top, xs - left] = fresh
            chunk, offset = _p_image(delta, palette_bytes), (int(left), int(top))
            params["disposal"] = 1
        if t == 0:
            header, _ = GifImagePlugin.getheader(chunk, info={"loop": scene.loop, "optimize": False,
                                                              "background": 0})
            stream.write(b"".join(header))
        stream.write(b"".join(GifImagePlugin.getdata(chunk, offset=offset, **params)))
    stream.write(b";")
