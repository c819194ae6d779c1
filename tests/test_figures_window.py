"""The window as a block: in every frame, solid cell borders round each of the window's cells (also over padding and
inserted zeros, whose own grid lines are dashed) and a bolder outline where the window ends, read from the scene."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from convanim.figures import build_scene
from convanim.geometry import Geometry
from convanim.primitives import Line
from convanim.spec import SpecError, make_spec
from convanim.view import make_view


def unit_edges(line: Line) -> set[tuple[tuple[int, int], tuple[int, int]]]:
    """The unit cell edges a solid axis-aligned line covers, as ((x, y), (x, y)) corners in model cells."""
    (x0, y0, _), (x1, y1, _) = line.start, line.end
    assert x0 == x1 or y0 == y1
    a, b = sorted([(round(x0), round(y0)), (round(x1), round(y1))])
    if a[0] == b[0]:
        return {((a[0], y), (a[0], y + 1)) for y in range(a[1], b[1])}
    return {((x, a[1]), (x + 1, a[1])) for x in range(a[0], b[0])}


def cell_edges(row: int, col: int) -> set[tuple[tuple[int, int], tuple[int, int]]]:
    return {((col, row), (col + 1, row)), ((col, row + 1), (col + 1, row + 1)),
            ((col, row), (col, row + 1)), ((col + 1, row), (col + 1, row + 1))}


@settings(max_examples=40, deadline=None)
@given(size=st.integers(2, 6), kernel=st.integers(1, 3), stride=st.integers(1, 3), padding=st.integers(0, 2),
       dilation=st.integers(1, 2), transposed=st.booleans())
def test_every_frame_outlines_its_window_over_zeros_too(size, kernel, stride, padding, dilation, transposed):
    try:
        spec = make_spec(dims=2, input_size=size, kernel_size=kernel, stride=stride, padding=padding,
                         dilation=dilation, transposed=transposed)
    except SpecError:
        assume(False)  # e.g. a window wider than the padded input
    scene = build_scene(spec, make_view("flat", caption=False, labels=False, positions="all"))  # frame t = position t
    geometry = Geometry(spec)
    base_width = min(item.width for item in scene.items if isinstance(item, Line) and item.frame is None)
    for t, frame in enumerate(geometry.frames()):
        lines = [item for item in scene.items if isinstance(item, Line) and item.frame == t and item.dash is None
                 and item.color == scene.theme.outline]
        drawn = set().union(*(unit_edges(line) for line in lines))
        bold = set().union(*(unit_edges(line) for line in lines if line.width > base_width))
        taps = {(int(r), int(c)) for r, c in frame.grid}
        expected = set().union(*(cell_edges(r, c) for r, c in taps))
        # an edge is on the outline when exactly one of the two cells beside it is a tap
        counts: dict = {}
        for r, c in taps:
            for edge in cell_edges(r, c):
                counts[edge] = counts.get(edge, 0) + 1
        assert drawn == expected
        assert bold == {edge for edge, n in counts.items() if n == 1}


def test_channel_stack_window_is_outlined_on_every_read_plane():
    """Flat view (no plane hides another): each input plane's window has its 24 unit edges, none on the outputs."""
    spec = make_spec(dims=2, input_size=4, kernel_size=3, padding=1, in_channels=3, out_channels=2)
    scene = build_scene(spec, make_view("flat", caption=False))
    for t in range(scene.frame_count):
        lines = [item for item in scene.items if isinstance(item, Line) and item.frame == t
                 and item.color == scene.theme.outline and item.dash is None]
        by_plane: dict = {}
        for line in lines:
            by_plane.setdefault(round(line.start[2], 6), set()).update(unit_edges(line))
        assert len(by_plane) == 3  # one window on each of the three input planes (planes stack along z)
        assert all(len(edges) == 2 * 3 * 4 for edges in by_plane.values())
