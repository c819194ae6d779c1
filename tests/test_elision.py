"""Long axes are elided in the drawing, not in the truth. Read back from the drawn scene alone (cell polygons, the
gap glyphs and the labels' "⋯ N more columns (a-b)" lines), every shaded window cell is a true tap of its frame's
output position at its true offset, every shaded output cell is that position, and the gaps count exactly the cells
they hide."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from convanim import make_spec, make_view
from convanim.figures import build_scene
from convanim.figures.cuts import GAP_CELLS, MIN_HIDDEN, AxisCut, cut_axis
from convanim.geometry import Geometry
from convanim.primitives import Polygon, Text

# "⋯ 21 more columns (8-28)": the tensor's indices; "+ 2 zeros": padding or inserted zeros the gap also hides
GAP_LINE = re.compile(r"^([⋯⋮]) ([\d,]+) more (\w+?)s? \((\d+)-(\d+)\)(?: \+ ([\d,]+) zeros?)?$")


def hidden_cells(m: re.Match) -> int:
    """Grid cells a gap hides: the tensor's elements it names and the zeros besides."""
    return int(m.group(2).replace(",", "")) + int((m.group(6) or "0").replace(",", ""))


@settings(max_examples=300, deadline=None)
@given(length=st.integers(1, 400), needed=st.lists(st.integers(0, 399), max_size=30), long=st.integers(4, 40))
def test_a_cut_keeps_what_is_needed_and_counts_what_it_hides(length, needed, long):
    cut = cut_axis(length, needed, long)
    if length <= long:
        assert cut.kept == tuple(range(length)) and not cut.gaps
        return
    kept = set(cut.kept)
    assert {i for i in needed if i < length} | {0, length - 1} <= kept
    assert len(kept) + sum(last - first + 1 for _, first, last in cut.gaps) == length
    for _, first, last in cut.gaps:
        assert last - first + 1 >= MIN_HIDDEN and not kept & set(range(first, last + 1))
        assert first - 1 in kept and last + 1 in kept
    drawn = [cut.at(i) for i in cut.kept]
    assert all(b > a for a, b in zip(drawn, drawn[1:]))
    for i, j in zip(cut.kept, cut.kept[1:]):  # neighbours touch; a hidden run leaves exactly one gap's room
        assert cut.at(j) - cut.at(i) == pytest.approx(1.0 if j == i + 1 else 1.0 + GAP_CELLS)
    assert cut.extent == pytest.approx(len(kept) + GAP_CELLS * len(cut.gaps))
    assert AxisCut(length).extent == length


def decode_axis(cell_starts: list[float], glyphs: list[float], counts: list[int]):
    """Drawn coordinate -> true index, from the drawing: the drawn cells before it plus the cells hidden by the
    gaps (glyphs) before it."""
    starts = sorted(set(cell_starts))
    gaps = sorted(zip(glyphs, counts))

    def true_index(x: float) -> int:
        return sum(s < x - 1e-6 for s in starts) + sum(n for g, n in gaps if g < x)
    return true_index, len(starts) + sum(counts)


def read_plane(scene, x_range: tuple[float, float], labels_x: float):
    """The drawn cells of the plane whose cells start within `x_range` (model x), decoded per axis."""
    theme = scene.theme
    fills = (theme.input_fill, theme.zero_fill, theme.output_fill)
    cells = [i for i in scene.items if isinstance(i, Polygon) and i.frame is None and i.fill in fills and
             x_range[0] - 1e-6 <= i.points[0][0] < x_range[1]]
    texts = [i for i in scene.items if isinstance(i, Text) and i.frame is None and not i.screen]
    glyph_x = [t.at[0] for t in texts if t.text == "⋯" and x_range[0] <= t.at[0] < x_range[1]]
    glyph_y = [t.at[1] for t in texts if t.text == "⋮" and x_range[0] <= t.at[0] < x_range[1]]
    lines = [GAP_LINE.match(t.text) for t in texts if abs(t.at[0] - labels_x) < 1e-6]
    col_counts = [hidden_cells(m) for m in lines if m and m.group(1) == "⋯"]
    row_counts = [hidden_cells(m) for m in lines if m and m.group(1) == "⋮"]
    for m in lines:
        if m:
            assert int(m.group(2).replace(",", "")) == int(m.group(5)) - int(m.group(4)) + 1
    assert len(glyph_x) == len(col_counts) and len(glyph_y) == len(row_counts)
    col, cols = decode_axis([c.points[0][0] for c in cells], glyph_x, col_counts)
    row, rows = decode_axis([c.points[0][1] for c in cells], glyph_y, row_counts)
    return (lambda p: (row(p[1]), col(p[0]))), (rows, cols), cells


specs = st.builds(
    dict, input_size=st.tuples(st.integers(3, 70), st.integers(3, 70)), kernel_size=st.integers(1, 5),
    stride=st.integers(1, 3), padding=st.integers(0, 2), dilation=st.integers(1, 2))


@settings(max_examples=40, deadline=None)
@given(args=specs, positions=st.sampled_from([None, "corners", "row 0", "every 9", "column 1"]))
def test_every_drawn_window_cell_is_a_true_tap_at_its_true_offset(args, positions):
    try:
        spec = make_spec(**args)
    except Exception:
        assume(False)
    geometry = Geometry(spec)
    assume(min(geometry.output_shape) >= 2)
    view = make_view("flat", positions=positions, fit="none", caption=True)
    scene = build_scene(spec, view)
    labels = sorted({t.at[0] for t in scene.items if isinstance(t, Text) and t.bold and not t.screen
                     and t.text not in ("⋯", "⋮")})
    assert len(labels) == 2  # "input ..." at the input plane's left edge, "output ..." at the output's
    out_x = labels[1]
    to_grid, grid_shape, _ = read_plane(scene, (0.0, out_x), labels[0])
    to_output, output_shape, _ = read_plane(scene, (out_x, 1e9), out_x)
    assert grid_shape == geometry.grid_shape and output_shape == geometry.output_shape
    shade = scene.theme.shade
    for t, title in enumerate(scene.frame_titles):
        output = tuple(int(v) for v in title.split("(")[1].split(")")[0].split(", "))
        frame = geometry.frame(int(output[0] * geometry.output_shape[1] + output[1]))
        drawn = [i for i in scene.items if isinstance(i, Polygon) and i.frame == t and i.fill == shade]
        taps = {to_grid(i.points[0]) for i in drawn if i.points[0][0] < out_x}
        outs = {to_output(i.points[0]) for i in drawn if i.points[0][0] >= out_x}
        assert taps == {tuple(int(v) for v in g) for g in frame.grid}, t
        assert outs == {output}, t


@settings(max_examples=25, deadline=None)
@given(length=st.integers(40, 3000), kernel=st.integers(1, 7), stride=st.integers(1, 4), padding=st.integers(0, 3))
def test_a_long_time_axis_is_drawn_short_and_counted_exactly(length, kernel, stride, padding):
    spec = make_spec(dims=1, input_size=length, kernel_size=kernel, stride=stride, padding=padding)
    geometry = Geometry(spec)
    scene = build_scene(spec, make_view(fit="none"))
    assert scene.width <= 1920 and scene.height <= 1080
    notes = [GAP_LINE.match(t.text) for t in scene.items if isinstance(t, Text)]
    hidden = [hidden_cells(m) for m in notes if m]
    cells = [i for i in scene.items if isinstance(i, Polygon) and i.frame is None]
    drawn_input = sum(1 for c in cells if c.fill in (scene.theme.input_fill, scene.theme.zero_fill))
    drawn_output = sum(1 for c in cells if c.fill == scene.theme.output_fill)
    assert drawn_input + drawn_output + sum(hidden) == geometry.grid_shape[0] + geometry.output_shape[0]


def test_the_course_examples_keep_their_true_shapes_in_the_labels():
    spec = make_spec(dims=1, input_size=1000, in_channels=100, out_channels=100, kernel_size=5, padding=2)
    scene = build_scene(spec, make_view())
    texts = {t.text for t in scene.items if isinstance(t, Text)}
    assert {"input 1000×100", "output 1000×100", "⋯ 987 more steps (10-996)", "⋯ 991 more steps (8-998)"} <= texts
    spec = make_spec(input_size=32, in_channels=3, out_channels=10, kernel_size=5, padding=2)
    scene = build_scene(spec, make_view())
    texts = {t.text for t in scene.items if isinstance(t, Text)}
    assert {"input channel 0", "32×32, padded 36×36", "⋯ 21 more columns (8-28)", "⋮ 21 more rows (8-28)",
            "⋯ 25 more columns (6-30)", "⋮ 25 more rows (6-30)"} <= texts
