"""Hide the parts of lines that pass under an opaque plane.

Stacks of planes are painted before the lines that run through them (the filter box's edges, connectors): without
this, a line that goes under a plane is drawn across its cells like an extra grid line. Planes here are horizontal
rectangles (constant z) in model space, so a point of a line is hidden exactly where its projection falls inside a
plane's outline and the line is below that plane there.
"""

from __future__ import annotations

from dataclasses import replace

from convanim.primitives import Item, Line, Point3, Projection

EPSILON = 1e-9
SHORTEST = 1e-3  # visible pieces shorter than this (in cells, as a fraction of the line) are dropped


def hide_under_planes(items: list[Item], planes: list[tuple[Point3, ...]], projection: Projection,
                      spare_ends: bool = False) -> list[Item]:
    """Every Line of `items` cut down to its visible pieces; other items are passed through unchanged.

    With `spare_ends`, a line is not hidden by the planes it starts or ends on: a connector must be seen to leave
    its window and reach its output cell (hidden under its own plane, it seemed to sprout from the plane's edge)."""
    outlines = [([_screen(p, projection) for p in corners], corners[0][2]) for corners in planes]
    kept: list[Item] = []
    for item in items:
        if not isinstance(item, Line):
            kept.append(item)
            continue
        cover = outlines
        if spare_ends:
            cover = [(outline, z) for outline, z in outlines
                     if not any(abs(end[2] - z) < 1e-6 and _inside(_screen(end, projection), outline)
                                for end in (item.start, item.end))]
        for t0, t1 in _visible(item.start, item.end, cover, projection):
            if t1 - t0 >= SHORTEST:
                kept.append(item if (t0, t1) == (0.0, 1.0) else
                            replace(item, start=_at(item.start, item.end, t0), end=_at(item.start, item.end, t1)))
    return kept


def _screen(point: Point3, projection: Projection) -> tuple[float, float]:
    return projection.unit(point)


def _at(a: Point3, b: Point3, t: float) -> Point3:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t)


def _visible(a: Point3, b: Point3, outlines: list[tuple[list[tuple[float, float]], float]],
             projection: Projection) -> list[tuple[float, float]]:
    sa, sb = _screen(a, projection), _screen(b, projection)
    hidden: list[tuple[float, float]] = []
    for outline, z in outlines:
        inside = _clip(sa, sb, outline)
        if inside is None:
            continue
        lo, hi = inside
        below = _below(a[2], b[2], z)  # where the line is under the plane's height
        if below is None:
            continue
        lo, hi = max(lo, below[0]), min(hi, below[1])
        if hi - lo > EPSILON:
            hidden.append((lo, hi))
    pieces = [(0.0, 1.0)]
    for lo, hi in hidden:
        pieces = [piece for start, end in pieces
                  for piece in ((start, min(end, lo)), (max(start, hi), end)) if piece[1] - piece[0] > EPSILON]
    return pieces


def _below(za: float, zb: float, z: float) -> tuple[float, float] | None:
    """The t-interval where za + t*(zb - za) < z (strictly, so that a line lying on a plane is not hidden by it)."""
    if abs(zb - za) < EPSILON:
        return (0.0, 1.0) if za < z - EPSILON else None
    t = (z - EPSILON - za) / (zb - za)
    if zb > za:  # rising: below before t
        return (0.0, min(1.0, t)) if t > 0 else None
    return (max(0.0, t), 1.0) if t < 1 else None


def _inside(point: tuple[float, float], outline: list[tuple[float, float]]) -> bool:
    """Whether a point lies in a convex outline or on its edge."""
    return _clip(point, point, outline) is not None  # a zero-length segment: inside for all t, or for none


def _clip(a: tuple[float, float], b: tuple[float, float], outline: list[tuple[float, float]]
          ) -> tuple[float, float] | None:
    """Cyrus-Beck: the t-interval of segment a-b inside a convex outline (either winding), or None."""
    n = len(outline)
    area = sum(outline[i][0] * outline[(i + 1) % n][1] - outline[(i + 1) % n][0] * outline[i][1] for i in range(n))
    sign = 1.0 if area > 0 else -1.0
    lo, hi = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for i in range(n):
        (x0, y0), (x1, y1) = outline[i], outline[(i + 1) % n]
        ex, ey = x1 - x0, y1 - y0
        # inside when sign * cross(edge, point - edge start) >= 0
        num = sign * (ex * (a[1] - y0) - ey * (a[0] - x0))
        den = sign * (ex * dy - ey * dx)
        if abs(den) < EPSILON:
            if num < -EPSILON:
                return None
            continue
        t = -num / den
        if den > 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return None
    return (lo, hi) if hi - lo > EPSILON else None
