"""Whether shapes on screen touch: what label placement needs to keep text clear of connectors and planes.

Shapes are convex point lists in pixels (a segment is two points). Two convex shapes are apart exactly when some axis
(an edge normal of either) separates their projections: the separating axis test.
"""

from __future__ import annotations

from collections.abc import Sequence

Point = tuple[float, float]


def apart(a: Sequence[Point], b: Sequence[Point], margin: float = 0.0) -> bool:
    """Whether convex shapes `a` and `b` are at least `margin` pixels apart along some separating axis."""
    for shape in (a, b):
        n = len(shape)
        for i in range(n if n > 2 else 1):
            (x0, y0), (x1, y1) = shape[i], shape[(i + 1) % n]
            nx, ny = y0 - y1, x1 - x0
            length = (nx * nx + ny * ny) ** 0.5
            if length < 1e-12:
                continue
            pa = [(x * nx + y * ny) / length for x, y in a]
            pb = [(x * nx + y * ny) / length for x, y in b]
            if min(pb) - max(pa) >= margin or min(pa) - max(pb) >= margin:
                return True
    return False


def box(left: float, top: float, right: float, bottom: float, pad: float = 0.0) -> tuple[Point, ...]:
    return ((left - pad, top - pad), (right + pad, top - pad), (right + pad, bottom + pad), (left - pad, bottom + pad))
