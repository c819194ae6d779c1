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


def frame_cells(scene: Scene) -> dict[tuple[int, float], list[tuple[float, float, float, float]]]:
    """Per (frame, height), the model rectangles of opaque cells drawn in that frame only: padding that a region runs
    over, outside its map, is part of the level's drawn surface in that frame."""
    cells: dict[tuple[int, float], list[tuple[float, float, float, float]]] = defaultdict(list)
    for item in scene.items:
        if isinstance(item, Polygon) and item.frame is not None and item.opacity == 1.0:
            zs = {round(p[2], 6) for p in item.points}
            if len(zs) == 1:
                xs, ys = [p[0] for p in item.points], [p[1] for p in item.points]
                cells[(item.frame, zs.pop())].append((min(xs), min(ys), max(xs), max(ys)))
    return cells


def home(point: tuple[float, float, float], frame: int | None, found: list[Plane],
         cells: dict[tuple[int, float], list[tuple[float, float, float, float]]]) -> Plane | None:
    """The plane a point lies on: one that holds it, or, for a point on a cell drawn in its frame only (padding
    outside a map), the plane at that height nearest to it."""
    for plane in found:
        if plane.holds(point):
            return plane
    x, y, z = point
    e = 1e-6
    if frame is None or not any(x0 - e <= x <= x1 + e and y0 - e <= y <= y1 + e
                                for x0, y0, x1, y1 in cells.get((frame, round(z, 6)), [])):
        return None
    level = [plane for plane in found if abs(plane.z - z) < e]
    return min(level, key=lambda p: max(p.x0 - x, x - p.x1, 0) ** 2 + max(p.y0 - y, y - p.y1, 0) ** 2, default=None)


def connectors(scene: Scene, found: list[Plane] | None = None) -> list[Line]:
    """Lines of one frame in the connector colour, solid and opaque, that do not lie on one plane (those are window
    and region outlines) and do not run straight up and down (those are the filter box's edges)."""
    colour = scene.theme.connector
    found = planes(scene) if found is None else found
    cells = frame_cells(scene)

    def on_one_plane(line: Line) -> bool:
        start = home(line.start, line.frame, found, cells)
        return start is not None and start == home(line.end, line.frame, found, cells)

    return [item for item in scene.items if isinstance(item, Line) and item.frame is not None
            and item.color == colour and item.dash is None and item.opacity == 1.0
            and not on_one_plane(item)
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
    """Every (connector, plane or text) pair where the connector crosses a plane it neither starts nor ends on (see
    `home`), or a text's box, described for an assertion message."""
    found_planes = planes(scene)
    cells = frame_cells(scene)
    texts = [item for item in scene.items if isinstance(item, Text)]
    problems = []
    for line in connectors(scene, found_planes):
        segment = (scene.projection(line.start), scene.projection(line.end))
        ends = {home(line.start, line.frame, found_planes, cells), home(line.end, line.frame, found_planes, cells)}
        for plane in found_planes:
            if plane in ends:
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
