"""Scene to pixels: antialiased by 4x4 supersampling per primitive, composited in integers (so the bytes are the same
on every machine), and incremental: each frame recomposes only the region where it differs from the previous one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from convanim.fonts import font
from convanim.primitives import Item, Line, Polygon, Scene, Text, text_plate

ProgressHook = Callable[[int, int], None]  # (frames done, frames in all), called as frames are made

SUPERSAMPLE = 4
Box = tuple[int, int, int, int]  # left, top, right, bottom (exclusive)
Pixels = tuple[np.ndarray, np.ndarray]  # rows, columns


@dataclass(frozen=True, slots=True)
class Coverage:
    """An 8-bit coverage mask placed at (left, top) in the canvas."""

    left: int
    top: int
    alpha: np.ndarray  # uint8 (h, w)

    @property
    def box(self) -> Box:
        return self.left, self.top, self.left + self.alpha.shape[1], self.top + self.alpha.shape[0]


def _polygon_coverage(*polygons: tuple[tuple[float, float], ...]) -> Coverage | None:
    """Coverage of the union of polygons (e.g. all cells of one colour, or the dashes of one line)."""
    xs = [p[0] for points in polygons for p in points]
    ys = [p[1] for points in polygons for p in points]
    left, top = math.floor(min(xs)), math.floor(min(ys))
    right, bottom = math.ceil(max(xs)) + 1, math.ceil(max(ys)) + 1
    if right <= left or bottom <= top:
        return None
    s = SUPERSAMPLE
    mask = Image.new("L", ((right - left) * s, (bottom - top) * s), 0)
    draw = ImageDraw.Draw(mask)
    for points in polygons:
        draw.polygon([((x - left) * s, (y - top) * s) for x, y in points], fill=255)
    return Coverage(left, top, np.asarray(mask.reduce(s)))  # box filter: the covered fraction of each pixel


def _line_quads(start: tuple[float, float], end: tuple[float, float], width: float,
                dash: tuple[float, float] | None) -> list[tuple[tuple[float, float], ...]]:
    (x0, y0), (x1, y1) = start, end
    length = math.hypot(x1 - x0, y1 - y0)
    if length == 0:
        return []
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    nx, ny = -uy * width / 2, ux * width / 2
    if dash is None:  # square caps, so that lines meeting at a corner close it
        spans = [(-width / 2, length + width / 2)]
    else:
        on, off = dash
        period = on + off
        count = max(1, round((length + off) / period))
        stretch = (length + off) / (count * period)  # fit whole dashes so both ends of an edge are inked
        spans = [(i * period * stretch, i * period * stretch + on * stretch) for i in range(count)]
    quads: list[tuple[tuple[float, float], ...]] = []
    for a, b in spans:
        ax, ay, bx, by = x0 + ux * a, y0 + uy * a, x0 + ux * b, y0 + uy * b
        quads.append(((ax + nx, ay + ny), (bx + nx, by + ny), (bx - nx, by - ny), (ax - nx, ay - ny)))
    return quads


def _text_coverage(item: Text, x: float, y: float) -> Coverage | None:
    face = font(round(item.size), item.bold)
    ax, ay = round(x), round(y)
    left, top, right, bottom = map(int, face.getbbox(item.text, anchor=item.anchor))
    if right <= left or bottom <= top:
        return None
    mask = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(mask).text((-left, -top), item.text, fill=255, font=face, anchor=item.anchor)
    return Coverage(ax + left, ay + top, np.asarray(mask, dtype=np.uint8))


def _union(a: Box | None, b: Box | None) -> Box | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


class Rasterizer:
    """Turns a scene into frames. Static runs of primitives are drawn once into premultiplied layers."""

    def __init__(self, scene: Scene, progress: ProgressHook | None = None) -> None:
        self.scene = scene
        self.progress = progress  # called with (frames done, frames in all) after each frame
        self.size = (scene.width, scene.height)
        theme = scene.theme
        base = np.zeros((scene.height, scene.width, 4), dtype=np.uint16)
        if not scene.transparent:
            base[...] = (*theme.background, 255)
        self.base = base
        # Paint order, split into runs: ("static", (box, layer) or None) / ("dynamic", {frame: [items]}).
        self.runs: list[tuple[str, Any]] = []
        self._cached_frame: int | None = None
        self._position = np.full(scene.width * scene.height, -1, dtype=np.intp)  # canvas pixel -> touched index
        self._cached_paint: tuple[list, Box | None] = ([], None)
        run_items: list[Item] = []
        run_static: bool | None = None
        for item in scene.items:
            static = item.frame is None
            if run_static is not None and static != run_static:
                self._close_run(run_static, run_items)
                run_items = []
            run_static = static
            run_items.append(item)
        if run_items:
            self._close_run(bool(run_static), run_items)

    def _shapes(self, item: Polygon | Line) -> list[tuple[tuple[float, float], ...]]:
        """An item's outline(s) in pixels: a polygon's corners, or the quads of a line's dashes."""
        scene = self.scene
        if isinstance(item, Polygon):
            return [tuple(scene.point(p) for p in item.points)]
        return _line_quads(scene.point(item.start), scene.point(item.end), item.width, item.dash)

    def _paints(self, items: list[Item]) -> list[tuple[tuple[int, int, int], float, Coverage]]:
        """(colour, opacity, coverage) to composite in order. Consecutive shapes of one colour share one mask: their
        union is drawn once (cheaper, and crossings are not darkened twice)."""
        paints: list[tuple[tuple[int, int, int], float, Coverage]] = []
        shapes: list[tuple[tuple[float, float], ...]] = []
        key: tuple[tuple[int, int, int], float] | None = None

        def flush() -> None:
            if shapes and key is not None:
                cov = _polygon_coverage(*shapes)
                if cov is not None:
                    paints.append((*key, cov))
            shapes.clear()

        for item in items:
            if isinstance(item, Text):
                flush()
                key = None
                x, y = self.scene.point(item.at, item.screen)
                if item.halo is not None:
                    left, top, right, bottom = text_plate(item, x, y)
                    plate = Coverage(left, top, np.full((bottom - top, right - left), 255, dtype=np.uint8))
                    paints.append((item.halo, item.opacity, plate))
                cov = _text_coverage(item, x, y)
                if cov is not None:
                    paints.append((item.color, item.opacity, cov))
                continue
            item_key = (_colour(item), item.opacity)
            if item_key != key:
                flush()
                key = item_key
            shapes.extend(self._shapes(item))
        flush()
        return paints

    def _paint_base(self, paints: list[tuple[tuple[int, int, int], float, Coverage]]) -> None:
        if self.scene.transparent:
            for colour, opacity, cov in paints:
                _paint(self.base, cov, colour, opacity)
            return
        # An opaque base: Pillow composites a colour through a mask in C, with the same integer rounding.
        image = Image.fromarray(self.base[..., :3].astype(np.uint8), "RGB")
        for colour, opacity, cov in paints:
            alpha = cov.alpha if opacity >= 1.0 else _div255(cov.alpha.astype(np.uint16) * round(opacity * 255))
            image.paste(colour, (cov.left, cov.top), Image.fromarray(alpha.astype(np.uint8), "L"))
        self.base[..., :3] = np.asarray(image)

    def _close_run(self, static: bool, items: list[Item]) -> None:
        if static:
            if not self.runs:  # the first static run goes straight into the base
                self._paint_base(self._paints(items))
                self.runs.append(("static", None))
                return
            layer = np.zeros_like(self.base)
            for colour, opacity, cov in self._paints(items):
                _paint(layer, cov, colour, opacity)
            opaque = layer[..., 3] > 0
            covered = opaque.ravel()  # frames recompose only the pixels this layer touches
            rows, cols = np.flatnonzero(opaque.any(axis=1)), np.flatnonzero(opaque.any(axis=0))
            extent = (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1) if rows.size else None
            self.runs.append(("static", (layer, covered, extent)))
            return
        by_frame: dict[int, list[Item]] = {}
        for item in items:
            by_frame.setdefault(int(item.frame), []).append(item)  # type: ignore[arg-type]
        self.runs.append(("dynamic", by_frame))

    def _frame_paint(self, frame: int) -> tuple[list[list[tuple[tuple[int, int, int], float, Coverage]]], Box | None]:
        """Per dynamic run, what frame `frame` paints; and the box it covers. Computed on demand, kept for one
        frame, so memory does not grow with the number of frames."""
        if self._cached_frame == frame:
            return self._cached_paint
        runs, box = [], None
        for kind, payload in self.runs:
            if kind != "dynamic":
                continue
            paints = self._paints(payload.get(frame, []))
            for _, _, cov in paints:
                box = _union(box, self._clip(cov.box))
            runs.append(paints)
        self._cached_frame, self._cached_paint = frame, (runs, box)
        return runs, box

    def _clip(self, box: Box) -> Box | None:
        left, top = max(0, box[0]), max(0, box[1])
        right, bottom = min(self.size[0], box[2]), min(self.size[1], box[3])
        return (left, top, right, bottom) if right > left and bottom > top else None

    def compose(self, frame: int, box: Box | None = None) -> np.ndarray:
        """Premultiplied int RGBA of `frame` inside `box` (default: the whole canvas)."""
        box = box or (0, 0, *self.size)
        left, top, right, bottom = box
        acc = self.base[top:bottom, left:right].copy()
        dynamic = iter(self._frame_paint(frame)[0])
        for kind, payload in self.runs:
            if kind == "static":
                if payload is not None and payload[2] is not None:
                    # blend only where the layer has pixels: most layers cover a small part of the canvas
                    l0, t0, r0, b0 = payload[2]
                    l1, t1, r1, b1 = max(left, l0), max(top, t0), min(right, r0), min(bottom, b0)
                    if r1 > l1 and b1 > t1:
                        layer = payload[0][t1:b1, l1:r1]
                        region = acc[t1 - top:b1 - top, l1 - left:r1 - left]
                        acc[t1 - top:b1 - top, l1 - left:r1 - left] = layer + _div255(region * (255 - layer[..., 3:4]))
                continue
            for colour, opacity, cov in next(dynamic):
                _paint(acc, cov, colour, opacity, origin=(left, top))
        return acc

    def frames(self) -> Iterator[tuple[np.ndarray, Pixels | None]]:
        """Each frame as a full uint8 image (RGB, or RGBA when transparent) and the pixels (rows, columns) that
        were recomposed since the previous frame (None for the first frame: all of them). The array is reused:
        copy it to keep it."""
        total = self.scene.frame_count
        image = _to_uint8(self.compose(0), self.scene.transparent)
        if self.progress:
            self.progress(1, total)
        yield image, None
        previous = self._frame_paint(0)
        for t in range(1, total):
            if self.progress:
                self.progress(t + 1, total)
            current = self._frame_paint(t)
            box = _union(previous[1], current[1])
            if box is None:
                previous = current
                yield image, (np.zeros(0, np.intp), np.zeros(0, np.intp))
                continue
            # Only the pixels that either frame's moving parts touch can differ: recompose just those.
            left, top, right, bottom = box
            touched = np.zeros((bottom - top, right - left), dtype=bool)
            for paints in (*previous[0], *current[0]):
                for _, _, cov in paints:
                    _mark(touched, cov, left, top)
            ys, xs = np.nonzero(touched)
            ys += top
            xs += left
            pixels = image.reshape(-1, image.shape[2])  # a view: the image is contiguous
            pixels[ys * self.size[0] + xs] = _to_uint8(self._compose_pixels(t, ys, xs), self.scene.transparent)
            previous = current
            yield image, (ys, xs)

    def _compose_pixels(self, frame: int, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
        """`compose` for a scattered set of pixels: premultiplied (n, 4)."""
        width, height = self.size
        flat = ys * width + xs
        position = self._position
        position[flat] = np.arange(len(flat))
        acc = self.base.reshape(-1, 4)[flat]
        dynamic = iter(self._frame_paint(frame)[0])
        for kind, payload in self.runs:
            if kind == "static":
                if payload is not None:
                    layer, covered, _extent = payload
                    sel = np.flatnonzero(covered[flat])
                    src = layer.reshape(-1, 4)[flat[sel]]
                    acc[sel] = src + _div255(acc[sel] * (255 - src[:, 3:4]))
                continue
            for colour, opacity, cov in next(dynamic):
                # This frame's paints lie inside the touched pixels: find their places through `position`.
                local_y, local_x = np.nonzero(cov.alpha)
                canvas_y, canvas_x = local_y + cov.top, local_x + cov.left
                inside = (canvas_y >= 0) & (canvas_y < height) & (canvas_x >= 0) & (canvas_x < width)
                sel = position[canvas_y[inside] * width + canvas_x[inside]]
                alpha = cov.alpha[local_y[inside], local_x[inside]].astype(np.uint16)
                if opacity < 1.0:
                    alpha = _div255(alpha * round(opacity * 255))
                alpha = alpha[:, None]
                source = np.array((*colour, 255), dtype=np.uint16)
                acc[sel] = _div255(source * alpha + acc[sel] * (255 - alpha))
        position[flat] = -1
        return acc


def _mark(touched: np.ndarray, cov: Coverage, left: int, top: int) -> None:
    """Set `touched` (whose corner is at left, top) where `cov` has any coverage."""
    x0, y0 = max(cov.left, left), max(cov.top, top)
    x1 = min(cov.left + cov.alpha.shape[1], left + touched.shape[1])
    y1 = min(cov.top + cov.alpha.shape[0], top + touched.shape[0])
    if x1 > x0 and y1 > y0:
        touched[y0 - top:y1 - top, x0 - left:x1 - left] |= \
            cov.alpha[y0 - cov.top:y1 - cov.top, x0 - cov.left:x1 - cov.left] > 0


def _div255(x: np.ndarray) -> np.ndarray:
    """round(x / 255) for 0 <= x <= 255*255, exactly, without a division."""
    x = x + 128
    return (x + (x >> 8)) >> 8


def _colour(item: Item) -> tuple[int, int, int]:
    return item.fill if isinstance(item, Polygon) else item.color


def _paint(acc: np.ndarray, cov: Coverage, colour: tuple[int, int, int], opacity: float,
           origin: tuple[int, int] = (0, 0)) -> None:
    """Composite a solid colour through a coverage mask onto premultiplied int RGBA `acc` (in place)."""
    height, width = acc.shape[:2]
    left, top = cov.left - origin[0], cov.top - origin[1]
    x0, y0 = max(0, left), max(0, top)
    x1, y1 = min(width, left + cov.alpha.shape[1]), min(height, top + cov.alpha.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    alpha = cov.alpha[y0 - top:y1 - top, x0 - left:x1 - left].astype(np.uint16)
    if opacity < 1.0:
        alpha = _div255(alpha * round(opacity * 255))
    alpha = alpha[..., None]
    source = np.array((*colour, 255), dtype=np.uint16)
    region = acc[y0:y1, x0:x1]
    acc[y0:y1, x0:x1] = _div255(source * alpha + region * (255 - alpha))


def _to_uint8(premultiplied: np.ndarray, transparent: bool) -> np.ndarray:
    if not transparent:
        return premultiplied[..., :3].astype(np.uint8)
    wide = premultiplied.astype(np.int32)
    alpha = wide[..., 3:4]
    rgb = np.where(alpha > 0, (wide[..., :3] * 255 + alpha // 2) // np.maximum(alpha, 1), 0)
    return np.concatenate([np.minimum(rgb, 255), alpha], axis=-1).astype(np.uint8)


def render_frames(scene: Scene) -> Iterator[tuple[np.ndarray, Pixels | None]]:
    return Rasterizer(scene).frames()


def frame_image(scene: Scene, frame: int) -> Image.Image:
    """One frame as a Pillow image (for sheets, thumbnails and tests)."""
    raster = Rasterizer(scene)
    return Image.fromarray(_to_uint8(raster.compose(frame), scene.transparent))
