"""Lines that pass under an opaque plane are cut there; text with a halo stays legible over lines."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from convanim import make_spec
from convanim.backends.raster import frame_image
from convanim.figures import build_scene
from convanim.figures.occlusion import hide_under_planes
from convanim.primitives import OBLIQUE, Line, Polygon, Scene, Text, quad
from convanim.theme import THEMES
from convanim.view import make_view

PLANE = quad(0.0, 0.0, 2.0, 4, 4)  # a 4x4 plane at height 2


def screen(point):
    x, y, z = point
    return x * OBLIQUE.ax + y * OBLIQUE.bx, x * OBLIQUE.ay + y * OBLIQUE.by - z


def inside_plane(point) -> bool:
    """Brute force: does the point's projection fall inside the plane's outline?"""
    px, py = screen(point)
    corners = [screen(p) for p in PLANE]
    signs = []
    for (x0, y0), (x1, y1) in zip(corners, corners[1:] + corners[:1]):
        signs.append((x1 - x0) * (py - y0) - (y1 - y0) * (px - x0))
    return all(s >= -1e-9 for s in signs) or all(s <= 1e-9 for s in signs)


coordinate = st.floats(-3, 7, allow_nan=False)
height = st.floats(-1, 5, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(coordinate, coordinate, height, coordinate, coordinate, height)
def test_a_point_of_a_line_is_drawn_exactly_when_no_plane_covers_it(x0, y0, z0, x1, y1, z1):
    assume(np.hypot(np.hypot(x1 - x0, y1 - y0), z1 - z0) > 0.1)
    line = Line((x0, y0, z0), (x1, y1, z1), (0, 0, 0))
    pieces = hide_under_planes([line], [PLANE], OBLIQUE)
    for t in np.linspace(0, 1, 41):
        point = tuple(a + (b - a) * t for a, b in zip(line.start, line.end))
        hidden = inside_plane(point) and point[2] < 2.0 - 1e-6
        drawn = any(_on(point, piece) for piece in pieces)
        if abs(point[2] - 2.0) > 1e-3 and not _near_outline(point):  # skip the boundaries' rounding
            assert drawn != hidden, (t, point)


def _on(point, piece: Line) -> bool:
    a, b, p = np.array(piece.start), np.array(piece.end), np.array(point)
    ab = b - a
    if not ab.any():
        return bool(np.allclose(p, a))
    t = float(np.dot(p - a, ab) / np.dot(ab, ab))
    return -1e-6 <= t <= 1 + 1e-6 and bool(np.allclose(a + t * ab, p, atol=1e-6))


def _near_outline(point) -> bool:
    px, py = screen(point)
    corners = [screen(p) for p in PLANE]
    for (x0, y0), (x1, y1) in zip(corners, corners[1:] + corners[:1]):
        ex, ey = x1 - x0, y1 - y0
        t = max(0.0, min(1.0, ((px - x0) * ex + (py - y0) * ey) / (ex * ex + ey * ey)))
        if np.hypot(px - x0 - t * ex, py - y0 - t * ey) < 0.02:  # pieces this short are dropped on purpose
            return True
    return False


def test_a_box_edge_under_the_top_plane_is_cut_and_shows_in_the_gap():
    """The filter box's vertical edge from a window corner on the top plane down to the bottom plane."""
    top, bottom = quad(0.0, 0.0, 4.0, 3, 3), quad(0.0, 0.0, 0.0, 3, 3)
    edge = Line((1.0, 1.0, 4.0), (1.0, 1.0, 0.0), (0, 0, 0))
    pieces = hide_under_planes([edge], [top, bottom], OBLIQUE)
    assert len(pieces) == 1
    (piece,) = pieces
    assert np.allclose(piece.end, edge.end)  # reaches its corner on the bottom plane
    assert 0.0 < piece.start[2] < 4.0  # starts where it leaves the top plane's outline, below the top plane


@pytest.mark.parametrize("transparent", [False, True])
def test_a_halo_keeps_text_legible_over_a_line(transparent):
    theme = THEMES["classic"]
    line = Line((0.0, 30.0, 0.0), (200.0, 30.0, 0.0), theme.connector, 3.0, frame=0)

    def scene(halo) -> Scene:
        text = Text((100.0, 30.0, 0.0), "output channel 1", 20, theme.text, "mm", bold=True, halo=halo)
        return Scene(items=(Polygon(quad(0, 0, 0, 1, 1), theme.input_fill), line, text), frame_count=1,
                     projection=OBLIQUE.__class__(1, 0, 0, 1), width=200, height=60, theme=theme,
                     durations_ms=(100,), loop=0, transparent=transparent, title="", frame_titles=("",))

    plain = np.asarray(frame_image(scene(None), 0).convert("RGBA")).astype(int)
    rimmed = np.asarray(frame_image(scene(theme.background), 0).convert("RGBA")).astype(int)
    row = rimmed[29:32, 20:180]
    # the line runs through the text: without a halo its colour fills the gaps between glyphs on that row;
    # with one, the background shows round every glyph
    background = np.array([*theme.background, 255])
    assert (np.abs(row - background).max(axis=-1) <= 8).sum() > (
        np.abs(plain[29:32, 20:180] - background).max(axis=-1) <= 8).sum() + 20


def test_3d_figures_join_the_kernel_box_to_the_output_voxel():
    spec = make_spec(dims=3, input_size=3, kernel_size=2)
    scene = build_scene(spec, make_view())
    for t in range(scene.frame_count):
        lines = [item for item in scene.items if isinstance(item, Line) and item.frame == t and item.dash is None
                 and item.opacity == 1.0]
        shaded_outputs = [item for item in scene.items if isinstance(item, Polygon) and item.frame == t
                          and item.fill == scene.theme.shade and item.points[0][0] > 4]
        (out_cell,) = shaded_outputs
        centre = tuple(np.mean([p[i] for p in out_cell.points]) for i in range(3))
        assert [line for line in lines if np.allclose(line.end, centre)], t
