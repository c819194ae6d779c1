"""An independent check, from a scene's primitives alone, that connector lines cross no plane and no text.

Written from the definitions, not from the figure code: planes are recovered from the static cell polygons (cells at
one height, split where their x ranges leave a gap), projected with the scene's projection; a connector is a solid,
fully opaque line in the theme's connector colour drawn in one frame. Two convex shapes overlap with positive depth
exactly when no axis (an edge normal of either) separates them: the separating axis test.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from convanim.primitives import Line, Polygon, Scene, Text, text_extent

CLEARANCE = 2.0  # pixels: a connector passing closer than this to a plane or a text reads as touching it

Point = tuple[float, float]


@dataclass(frozen=True)
class Plane:
    """A plane's model rectangle (x0, y0, x1, y1) at height z, and its outline on screen."""

    x0: float
    y0: float
    x1: float
    y1: float
    z: float
    outline: tuple[Point, ...]

    def holds(self, point: tuple[float, float, float]) -> bool:
        """Whether a model point lies on this plane (its rectangle at its height)."""
        x, y, z = point
        e = 1e-6
        return abs(z - self.z) < e and self.x0 - e <= x <= self.x1 + e and self.y0 - e <= y <= self.y1 + e


def planes(scene: Scene) -> list[Plane]:
    cells = [item for item in scene.items if isinstance(item, Polygon) and item.frame is None]
    by_z: dict[float, list[Polygon]] = defaultdict(list)
    for item in cells:
        by_z[round(item.points[0][2], 6)].append(item)
    found = []
    for z, members in sorted(by_z.items()):
        members.sort(key=lambda m: min(p[0] for p in m.points))
        group: list[Polygon] = []
        right = -float("inf")
        for m in members + [None]:  # type: ignore[list-item]
            if m is None or (group and min(p[0] for p in m.points) > right + 0.5
                             and not _same_plane(group, m, min(p[0] for p in m.points) - right)):
                xs = [p[0] for g in group for p in g.points]
                ys = [p[1] for g in group for p in g.points]
                corners = ((min(xs), min(ys)), (max(xs), min(ys)), (max(xs), max(ys)), (min(xs), max(ys)))
                found.append(Plane(min(xs), min(ys), max(xs), max(ys), z,
                                   tuple(scene.projection((x, y, z)) for x, y in corners)))
                group, right = [], -float("inf")
            if m is not None:
                group.append(m)
                right = max(right, max(p[0] for p in m.points))
    return found


def _same_plane(group: list[Polygon], cell: Polygon, gap: float) -> bool:
    """Whether `cell` continues the plane of `group` across an elided run of columns: the same rows (the same y
    extent, at the same height) less than 2 cells further along x. Two planes at one height never line up so:
    their stacks stand apart and each plane's rows sit where its own stack puts them."""
    ys = [p[1] for g in group for p in g.points]
    own = [p[1] for g in group + [cell] for p in g.points]
    return gap < 2.0 and abs(min(ys) - min(own)) < 1e-6 and abs(max(ys) - max(own)) < 1e-6


def connectors(scene: Scene, found: list[Plane] | None = None) -> list[Line]:
    """Lines of one frame in the connector colour, solid and opaque, that do not lie on one plane (those are window
    outlines) and do not run straight up and down (those are the filter box's edges)."""
    colour = scene.theme.connector
    found = planes(scene) if found is None else found
    return [item for item in scene.items if isinstance(item, Line) and item.frame is not None
            and item.color == colour and item.dash is None and item.opacity == 1.0
            and not any(plane.holds(item.start) and plane.holds(item.end) for plane in found)
            and not (abs(item.start[0] - item.end[0]) < 1e-9 and abs(item.start[1] - item.end[1]) < 1e-9)]


def _axes(shape: tuple[Point, ...]) -> list[Point]:
    n = len(shape)
    return [(shape[i][1] - shape[(i + 1) % n][1], shape[(i + 1) % n][0] - shape[i][0]) for i in range(n)]


def overlap(a: tuple[Point, ...], b: tuple[Point, ...], clearance: float = CLEARANCE) -> bool:
    """Whether two convex shapes on screen (a segment is a two-point shape) come within `clearance` pixels of each
    other along every axis that could separate them."""
    for ax, ay in _axes(a) + _axes(b):
        length = (ax * ax + ay * ay) ** 0.5
        if length < 1e-12:
            continue
        pa = [(x * ax + y * ay) / length for x, y in a]
        pb = [(x * ax + y * ay) / length for x, y in b]
        if max(min(pa), min(pb)) - min(max(pa), max(pb)) > clearance:
            return False
    return True


def crossings(scene: Scene) -> list[str]:
    """Every (connector, plane or text) pair where the connector crosses a plane it neither starts nor ends on, or
    a text's box, described for an assertion message."""
    found_planes = planes(scene)
    texts = [item for item in scene.items if isinstance(item, Text)]
    problems = []
    for line in connectors(scene, found_planes):
        segment = (scene.projection(line.start), scene.projection(line.end))
        for plane in found_planes:
            if plane.holds(line.start) or plane.holds(line.end):
                continue
            if overlap(segment, plane.outline):
                problems.append(f"frame {line.frame}: {line.start}->{line.end} crosses plane at z={plane.z} "
                                f"x={plane.x0}")
        for text in texts:
            if text.frame is not None and text.frame != line.frame:
                continue
            left, top, right, bottom = text_extent(text, scene.projection)
            box = ((left, top), (right, top), (right, bottom), (left, bottom))
            if overlap(segment, box):
                problems.append(f"frame {line.frame}: {line.start}->{line.end} crosses text {text.text!r}")
    return problems
