"""Drawable primitives in model coordinates, one projection, and the fitted scene the backends draw.

Model coordinates: x runs along a grid's columns, y along its rows, z up (planes stack along z). Sizes of text,
line widths and dashes are in output pixels. A primitive with `frame=None` is drawn in every frame; otherwise only in
that frame. Paint order is list order.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from convanim.fonts import font
from convanim.theme import RGB, Theme

Point3 = tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class Polygon:
    points: tuple[Point3, ...]
    fill: RGB
    opacity: float = 1.0
    frame: int | None = None


@dataclass(frozen=True, slots=True)
class Line:
    start: Point3
    end: Point3
    color: RGB
    width: float = 1.0
    dash: tuple[float, float] | None = None  # (on, off) in pixels
    opacity: float = 1.0
    frame: int | None = None


@dataclass(frozen=True, slots=True)
class Text:
    at: Point3
    text: str
    size: float
    color: RGB
    anchor: str = "mm"  # Pillow's anchors: horizontal l/m/r, vertical a/m/s/d
    bold: bool = False
    opacity: float = 1.0
    frame: int | None = None
    screen: bool = False  # `at` is already in pixels (captions placed after fitting)
    halo: RGB | None = None  # a plate of this colour behind the text, so that lines pass behind it


def halo_width(size: float) -> int:
    """Pixels of plate round a text of this size."""
    return max(2, round(size * 0.16))


def text_plate(text: Text, x: float, y: float) -> tuple[int, int, int, int]:
    """The plate behind a text anchored at pixel (x, y): its (left, top, right, bottom), whole pixels. One box, not
    a rim round each glyph: lines crossing a label stop at its edge instead of leaving stubs between the words."""
    from convanim.fonts import font

    left, top, right, bottom = map(int, font(round(text.size), text.bold).getbbox(text.text, anchor=text.anchor))
    pad = halo_width(text.size)
    ax, ay = round(x), round(y)
    return ax + left - pad, ay + top - pad, ax + right + pad, ay + bottom + pad


Item = Polygon | Line | Text


@dataclass(frozen=True, slots=True)
class Projection:
    """Model to pixels: `px = ox + cell*(x*ax + y*bx)`, `py = oy + cell*(x*ay + y*by - z)`."""

    ax: float
    ay: float
    bx: float
    by: float
    cell: float = 1.0
    ox: float = 0.0
    oy: float = 0.0

    def __call__(self, point: Point3) -> tuple[float, float]:
        x, y, z = point
        return (self.ox + self.cell * (x * self.ax + y * self.bx),
                self.oy + self.cell * (x * self.ay + y * self.by - z))

    def unit(self, point: Point3) -> tuple[float, float]:
        """The point on screen in cells, before scaling and placing: what layouts compare to stack planes."""
        x, y, z = point
        return x * self.ax + y * self.bx, x * self.ay + y * self.by - z


OBLIQUE = Projection(ax=1.0, ay=-0.48, bx=0.66, by=0.63)
FLAT = Projection(ax=1.0, ay=0.0, bx=0.0, by=1.0)


@dataclass(frozen=True)
class Scene:
    """Everything a backend needs: fitted projection, canvas size, paint-ordered items, and timing."""

    items: tuple[Item, ...]
    frame_count: int
    projection: Projection
    width: int
    height: int
    theme: Theme
    durations_ms: tuple[int, ...]
    loop: int
    transparent: bool
    title: str = ""
    frame_titles: tuple[str, ...] = field(default=())

    def point(self, item_point: Point3, screen: bool = False) -> tuple[float, float]:
        return (item_point[0], item_point[1]) if screen else self.projection(item_point)


def text_extent(item: Text, projection: Projection) -> tuple[float, float, float, float]:
    x, y = item.at[:2] if item.screen else projection(item.at)
    left, top, right, bottom = font(round(item.size), item.bold).getbbox(item.text, anchor=item.anchor)
    return x + left, y + top, x + right, y + bottom


def item_extent(item: Item, projection: Projection) -> tuple[float, float, float, float]:
    if isinstance(item, Text):
        return text_extent(item, projection)
    points = [projection(p) for p in (item.points if isinstance(item, Polygon) else (item.start, item.end))]
    pad = item.width / 2 if isinstance(item, Line) else 0.0
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad


def fit(items: Iterable[Item], base: Projection, cell: float, margin: float) -> tuple[Projection, int, int]:
    """Scale `base` to `cell` pixels and shift it so that every item lies inside the canvas with `margin`."""
    projection = replace(base, cell=cell, ox=0.0, oy=0.0)
    boxes = [item_extent(item, projection) for item in items if not (isinstance(item, Text) and item.screen)]
    left = min(b[0] for b in boxes)
    top = min(b[1] for b in boxes)
    right = max(b[2] for b in boxes)
    bottom = max(b[3] for b in boxes)
    projection = replace(projection, ox=margin - left, oy=margin - top)
    return projection, int(math.ceil(right - left + 2 * margin)), int(math.ceil(bottom - top + 2 * margin))


def quad(x: float, y: float, z: float, w: float = 1.0, h: float = 1.0) -> tuple[Point3, ...]:
    """The corners of an axis-aligned rectangle in the plane at height z, in drawing order."""
    return ((x, y, z), (x + w, y, z), (x + w, y + h, z), (x, y + h, z))
