"""Scenes with channels, volumes and stages: every shaded cell is a tap the geometry lists, on a channel the output
channel reads, and it shows in the rendered pixels."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from convanim import make_spec
from convanim.backends.raster import frame_image
from convanim.figures import build_scene
from convanim.figures.frames import frame_plan
from convanim.geometry import Geometry, channel_inputs
from convanim.primitives import Polygon, Text
from convanim.spec import SpecError
from convanim.view import make_view

Cell = tuple[int, int, int, int]  # (stack, plane, row, col)


def cell_map(scene) -> dict[tuple, tuple[Cell, tuple[int, int, int]]]:
    """Static cell polygons by their corners -> ((stack, plane, row, col), fill). Stacks are ordered by their left x,
    planes within a stack from the top (largest z) down."""
    cells = [item for item in scene.items if isinstance(item, Polygon) and item.frame is None]
    by_z: dict[float, list[Polygon]] = defaultdict(list)
    for item in cells:
        by_z[round(item.points[0][2], 6)].append(item)
    planes: dict[tuple[float, float], list[Polygon]] = {}  # (left x, z) -> cells; planes at one z split at x gaps
    for z, members in by_z.items():
        members.sort(key=lambda m: m.points[0][0])
        start = 0
        for i in range(1, len(members) + 1):
            if i == len(members) or members[i].points[0][0] > members[i - 1].points[1][0] + 0.5:
                planes[(round(members[start].points[0][0], 6), z)] = members[start:i]
                start = i
    xs = sorted({x for x, _ in planes})
    mapping = {}
    for (x, z), members in planes.items():
        stack = xs.index(x)
        zs = sorted({pz for px, pz in planes if px == x}, reverse=True)
        y0 = min(p[1] for m in members for p in m.points)
        for m in members:
            cell = (stack, zs.index(z), round(m.points[0][1] - y0), round(m.points[0][0] - x))
            mapping[m.points] = (cell, m.fill)
    return mapping


def shaded(scene, frame: int, mapping) -> set[Cell]:
    theme = scene.theme
    return {mapping[item.points][0] for item in scene.items
            if isinstance(item, Polygon) and item.frame == frame and item.fill == theme.shade}


def check_pixels(scene, frame: int, mapping) -> None:
    """Each shaded cell's centre shows the shade blended over the cell's own fill."""
    theme = scene.theme
    image = np.asarray(frame_image(scene, frame).convert("RGB")).astype(int)
    for item in scene.items:
        if not (isinstance(item, Polygon) and item.frame == frame and item.fill == theme.shade):
            continue
        fill = np.array(mapping[item.points][1])
        expected = fill * (1 - theme.shade_opacity) + np.array(theme.shade) * theme.shade_opacity
        cx, cy = scene.projection(tuple(np.mean(item.points, axis=0)))
        patch = image[round(cy) - 2:round(cy) + 3, round(cx) - 2:round(cx) + 3].reshape(-1, 3)
        # most of the patch shows the blend; lines may cross it (a tall 3d stack is drawn with cells of 18 px, where
        # the window's bold outline passes a few pixels from a corner cell's centre)
        close = (np.abs(patch - expected).max(axis=1) <= 6).mean()
        assert close >= 0.4, (frame, mapping[item.points][0], close)


def plan_of(spec, view):
    return frame_plan(Geometry(spec).frame_count, spec.out_channels, view).steps


def expected_channel_taps(spec, view, frame: int, in_stack=0, out_stack=1) -> set[Cell]:
    """Taps of the frame's output position on every input channel its output channel reads, plus the output cell."""
    geometry = Geometry(spec)
    p, oc = plan_of(spec, view)[frame]
    f = geometry.frame(p)
    cells = {(in_stack, ic, int(r), int(c)) for ic in channel_inputs(spec)[oc] for r, c in f.grid}
    return cells | {(out_stack, oc, *f.output)}


def expected_sequence_taps(spec, view, frame: int) -> set[Cell]:
    geometry = Geometry(spec)
    p, oc = plan_of(spec, view)[frame]
    f = geometry.frame(p)
    return {(0, 0, ic, int(g[0])) for ic in channel_inputs(spec)[oc] for g in f.grid} | {(1, 0, oc, f.output[0])}


SEQUENCES = [
    dict(dims=1, input_size=12, kernel_size=3, in_channels=6, out_channels=4),
    dict(dims=1, input_size=12, kernel_size=3, padding=1, stride=2, in_channels=6, out_channels=4, groups=2),
    dict(dims=1, input_size=8, kernel_size=3, in_channels=3, depthwise=True),
]


@pytest.mark.parametrize("args", SEQUENCES)
@pytest.mark.parametrize("view_name", ["oblique", "flat"])
def test_sequence_shades_exactly_the_taps(args, view_name):
    spec = make_spec(**args)
    view = make_view(view_name)
    scene = build_scene(spec, view)
    mapping = cell_map(scene)
    assert scene.frame_count == len(plan_of(spec, view))
    for t in range(scene.frame_count):
        assert shaded(scene, t, mapping) == expected_sequence_taps(spec, view, t), t
    for t in (0, scene.frame_count - 1):
        check_pixels(scene, t, mapping)


ELIDED_SEQUENCES = [
    dict(dims=1, input_size=12, kernel_size=5, padding=2, in_channels=100, out_channels=100),  # the 1000x100 example
    dict(dims=1, input_size=10, kernel_size=3, stride=2, in_channels=40, out_channels=20, groups=4),
    dict(dims=1, input_size=8, kernel_size=3, in_channels=24, depthwise=True),
]


@pytest.mark.parametrize("args", ELIDED_SEQUENCES)
@pytest.mark.parametrize("view_name", ["oblique", "flat"])
def test_elided_sequence_shades_exactly_the_drawn_rows_the_filter_reads(args, view_name):
    from convanim.figures.sequence import MAX_ROWS
    from convanim.figures.stacks import drawn_channels

    spec = make_spec(**args)
    view = make_view(view_name)
    scene = build_scene(spec, view)
    mapping = cell_map(scene)
    reads = channel_inputs(spec)
    in_drawn = drawn_channels(spec.in_channels, reads[0][0], MAX_ROWS)
    out_drawn = drawn_channels(spec.out_channels, 0, MAX_ROWS)
    assert len(in_drawn) < spec.in_channels and len(out_drawn) < spec.out_channels

    def row(drawn, channel):  # drawn rows stack from the top, a one-row gap before each left-out run
        j = drawn.index(channel)
        return j + sum(1 for i in range(1, j + 1) if drawn[i] - drawn[i - 1] > 1)

    geometry = Geometry(spec)
    steps = frame_plan(geometry.frame_count, spec.out_channels, view, shown=out_drawn).steps
    assert scene.frame_count == len(steps) and {oc for _, oc in steps} == set(out_drawn)
    for t, (p, oc) in enumerate(steps):
        f = geometry.frame(p)
        expected = {(0, 0, row(in_drawn, ic), int(g[0])) for ic in reads[oc] if ic in in_drawn for g in f.grid}
        assert shaded(scene, t, mapping) == expected | {(1, 0, row(out_drawn, oc), f.output[0])}, t
        hidden = sum(ic not in in_drawn for ic in reads[oc])
        assert ("drawn" in scene.frame_titles[t]) == (hidden > 0), t  # the frame line owns up to what is left out
    texts = {item.text for item in scene.items if isinstance(item, Text)}
    assert f"{spec.in_channels - 4} more channels (3-{spec.in_channels - 2})" in texts
    assert any("drawn: input channels 0-2, …," in text for text in texts)
    check_pixels(scene, 0, mapping)


def test_sequence_labels_name_the_planes():
    scene = build_scene(make_spec(dims=1, input_size=12, kernel_size=3, in_channels=6, out_channels=2), make_view())
    texts = {item.text for item in scene.items if isinstance(item, Text)}
    assert {"input 12×6", "output 10×2", "c5"} <= texts
    assert any(text.startswith("standard convolution: each filter is 3 steps × 6 channels and reads 6 of 6 input "
                               "channels") for text in texts)


CHANNELLED = [
    dict(dims=2, input_size=5, kernel_size=3, padding=1, in_channels=3, out_channels=2),  # standard
    dict(dims=2, input_size=6, kernel_size=3, stride=2, in_channels=3, out_channels=6, depthwise=True),  # multiplier 2
    dict(dims=2, input_size=5, kernel_size=3, in_channels=4, out_channels=6, groups=2),  # grouped
    dict(dims=2, input_size=4, kernel_size=1, in_channels=3, out_channels=4),  # 1x1
    dict(dims=2, input_size=4, kernel_size=2, op="maxpool", in_channels=2),
]


@pytest.mark.parametrize("args", CHANNELLED)
@pytest.mark.parametrize("view_name", ["oblique", "flat"])
def test_channels_view_shades_exactly_the_taps(args, view_name):
    spec = make_spec(**args)
    view = make_view(view_name)
    scene = build_scene(spec, view)
    mapping = cell_map(scene)
    assert scene.frame_count == len(plan_of(spec, view))
    for t in range(scene.frame_count):
        assert shaded(scene, t, mapping) == expected_channel_taps(spec, view, t), t
    for t in (0, scene.frame_count // 2, scene.frame_count - 1):
        check_pixels(scene, t, mapping)


@pytest.mark.parametrize("args", [CHANNELLED[1], CHANNELLED[2], SEQUENCES[1]])
def test_no_filter_reaches_outside_its_group(args):
    spec = make_spec(**args)
    view = make_view()
    scene = build_scene(spec, view)
    mapping = cell_map(scene)
    per_in, per_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    for t, (_, oc) in enumerate(plan_of(spec, view)):
        cells = shaded(scene, t, mapping)
        in_rows = {plane for stack, plane, _, _ in cells if stack == 0} if spec.dims == 2 else \
            {row for stack, _, row, _ in cells if stack == 0}
        assert in_rows and {ic // per_in for ic in in_rows} == {oc // per_out}


def test_group_tints_tie_input_planes_to_their_groups():
    spec = make_spec(**CHANNELLED[2])
    scene = build_scene(spec, make_view())
    fills = defaultdict(set)
    for (stack, plane, _, _), fill in cell_map(scene).values():
        if stack == 0 and fill != scene.theme.zero_fill:
            fills[plane].add(fill)
    groups = [fills[p] for p in range(4)]
    assert groups[0] == groups[1] != groups[2] == groups[3]


def test_frame_budget_sweeps_one_channel_and_says_so():
    spec = make_spec(dims=2, input_size=8, kernel_size=3, in_channels=2, out_channels=5)
    scene = build_scene(spec, make_view())
    assert scene.frame_count == 36 + 4
    captions = [item.text for item in scene.items if isinstance(item, Text) and item.screen]
    assert any(text.endswith("; output channel 0 of 5 swept; the others at the last position only") for text in captions)
    with pytest.raises(SpecError, match="max_frames"):
        build_scene(spec, make_view(max_frames=20))


VOLUMES = [
    dict(dims=3, input_size=4, kernel_size=3, padding=1, stride=2),
    dict(dims=3, input_size=(3, 4, 5), kernel_size=(2, 3, 2), dilation=(1, 1, 2)),
    dict(dims=3, input_size=3, kernel_size=2, stride=2, transposed=True),
]


@pytest.mark.parametrize("args", VOLUMES)
@pytest.mark.parametrize("view_name", ["oblique", "flat"])
def test_volume_shades_exactly_the_taps_on_their_depth_slices(args, view_name):
    spec = make_spec(**args)
    geometry = Geometry(spec)
    scene = build_scene(spec, make_view(view_name, positions="all"))
    mapping = cell_map(scene)
    assert scene.frame_count == geometry.frame_count
    for t in range(scene.frame_count):
        frame = geometry.frame(t)
        expected = {(0, int(d), int(r), int(c)) for d, r, c in frame.grid} | {(1, *frame.output)}
        assert shaded(scene, t, mapping) == expected, t
    for t in (0, scene.frame_count - 1):
        check_pixels(scene, t, mapping)


@pytest.mark.parametrize("block_args", [("separable", dict(input_size=7, in_channels=2, kernel_size=3,
                                                               out_channels=3)),
                                        ("inverted_residual", dict(input_size=4, in_channels=2, expansion=2)),
                                        ("separable", dict(input_size=6, in_channels=12, kernel_size=3,
                                                           out_channels=20))])  # elided: 4 of 12, 4 of 20
def test_stages_shade_exactly_each_stage_s_taps(block_args):
    from convanim import blocks as stages
    from convanim.figures.blocks import build_staged_scene, stage_steps
    from convanim.figures.stacks import drawn_channels

    block = getattr(stages, block_args[0])(**block_args[1])
    view = make_view()
    scene = build_staged_scene(block, view)
    mapping = cell_map(scene)
    steps = stage_steps(block, view)
    assert scene.frame_count == len(steps)
    assert {s for s, *_ in steps} == set(range(len(block.stages)))
    specs = [stage.spec for stage in block.stages]
    drawn = [drawn_channels(spec.in_channels) for spec in specs] + [drawn_channels(specs[-1].out_channels)]
    assert {(s, oc) for s, _, oc, _ in steps} == {(s, oc) for s in range(len(specs)) for oc in drawn[s + 1]}
    for t, (s, p, oc, _) in enumerate(steps):
        frame = Geometry(specs[s]).frame(p)
        pad = specs[s + 1].padding if s + 1 < len(specs) else ((0, 0), (0, 0))
        expected = {(s, drawn[s].index(ic), int(r), int(c)) for ic in channel_inputs(specs[s])[oc]
                    if ic in drawn[s] for r, c in frame.grid}
        expected.add((s + 1, drawn[s + 1].index(oc), frame.output[0] + pad[0][0], frame.output[1] + pad[1][0]))
        assert shaded(scene, t, mapping) == expected, t
        # lines join the filter box's far edge, at the output plane's height, to the output cell in the next tensor
        shades = [item for item in scene.items if isinstance(item, Polygon) and item.frame == t
                  and item.fill == scene.theme.shade]
        out_cell = next(item for item in shades if mapping[item.points][0][0] == s + 1)
        window = [item for item in shades if mapping[item.points][0][0] == s]
        joins_box_to_cell(scene, t, window, out_cell)
    firsts = [next(t for t, step in enumerate(steps) if step[0] == s) for s in range(len(specs))]
    for t in firsts + [scene.frame_count - 1]:
        check_pixels(scene, t, mapping)


def test_separable_caption_compares_parameters_and_macs_with_the_standard_convolution():
    """One line a projector can show: the block's parameters and MACs as multiples of the standard convolution's
    (the stage by stage sums are explain's)."""
    from convanim.animation import animate_stages
    from convanim.blocks import separable
    from convanim.counts import macs, parameter_count

    block = separable(input_size=12, in_channels=3, kernel_size=5, out_channels=4)
    scene = animate_stages(block).scene
    captions = " ".join(item.text for item in scene.items if isinstance(item, Text) and item.screen)
    depthwise, pointwise = (stage.spec for stage in block.stages)
    assert depthwise.groups == 3 and depthwise.kernel_size == (5, 5) and pointwise.kernel_size == (1, 1)
    ours = sum(parameter_count(depthwise)) + sum(parameter_count(pointwise))
    ratio = ours / sum(parameter_count(block.reference))
    mac_ratio = (macs(depthwise) + macs(pointwise)) / macs(block.reference)
    assert f"{ratio:.2f}× the parameters, {mac_ratio:.2f}× the MACs of a standard Conv2d(3, 4" in captions


def test_stages_respect_max_frames_in_all():
    from convanim.blocks import separable
    from convanim.figures.blocks import build_staged_scene

    block = separable(input_size=12, in_channels=3, kernel_size=5, out_channels=4)
    assert build_staged_scene(block, make_view(max_frames=133)).frame_count == 133  # 64+2, then 64+3
    with pytest.raises(SpecError, match="max_frames"):
        build_staged_scene(block, make_view(max_frames=132))


ELIDED = [
    dict(dims=2, input_size=6, kernel_size=3, in_channels=16, out_channels=32),  # standard
    dict(dims=2, input_size=5, kernel_size=3, in_channels=32, out_channels=32, groups=8),  # grouped
    dict(dims=2, input_size=5, kernel_size=3, in_channels=32, depthwise=True),  # depthwise
    dict(dims=2, input_size=4, kernel_size=1, in_channels=64, out_channels=16),  # 1x1
    dict(dims=2, input_size=5, kernel_size=3, in_channels=32, out_channels=16, groups=16),  # reads 2, drawn 4 of 32
]


def drawn_planes(spec):
    from convanim.figures.stacks import drawn_channels

    out_drawn = drawn_channels(spec.out_channels)
    return drawn_channels(spec.in_channels, channel_inputs(spec)[0][0]), out_drawn


@pytest.mark.parametrize("args", ELIDED)
@pytest.mark.parametrize("view_name", ["oblique", "flat"])
def test_elided_stacks_shade_exactly_the_drawn_planes_the_filter_reads(args, view_name):
    spec = make_spec(**args)
    view = make_view(view_name)
    scene = build_scene(spec, view)
    mapping = cell_map(scene)
    in_drawn, out_drawn = drawn_planes(spec)
    assert {(stack, plane) for (stack, plane, _, _), _ in mapping.values()} == \
        {(0, j) for j in range(len(in_drawn))} | {(1, j) for j in range(len(out_drawn))}
    geometry = Geometry(spec)
    steps = frame_plan(geometry.frame_count, spec.out_channels, view, shown=out_drawn).steps
    assert scene.frame_count == len(steps) and {oc for _, oc in steps} == set(out_drawn)
    for t, (p, oc) in enumerate(steps):
        f = geometry.frame(p)
        read = channel_inputs(spec)[oc]
        expected = {(0, in_drawn.index(ic), int(r), int(c)) for ic in read if ic in in_drawn for r, c in f.grid}
        assert shaded(scene, t, mapping) == expected | {(1, out_drawn.index(oc), *f.output)}, t
        drawn_reads = sum(ic in in_drawn for ic in read)
        title = scene.frame_titles[t]
        assert f"output channel {oc} " in title and f"input channel{'s' if len(read) > 1 else ''} {read[0]}" in title
        if drawn_reads < len(read):  # never let a reader think the filter reads only what is drawn
            assert (f"{drawn_reads} drawn" in title or f"{drawn_reads} of {len(read)} drawn" in title
                    or "none of them drawn" in title), title
    for t in (0, scene.frame_count - 1):
        check_pixels(scene, t, mapping)


@pytest.mark.parametrize("channels", [64, 128])
def test_many_channels_keep_the_canvas_small(channels):
    for args in (dict(in_channels=channels, out_channels=channels), dict(in_channels=channels, depthwise=True),
                 dict(in_channels=channels, out_channels=channels, groups=channels // 4)):
        spec = make_spec(dims=2, input_size=6, kernel_size=3, **args)
        for view_name in ("oblique", "flat"):
            scene = build_scene(spec, make_view(view_name))
            assert max(scene.width, scene.height) <= 1600, (args, view_name, scene.width, scene.height)


def test_labels_and_caption_state_what_is_elided():
    spec = make_spec(dims=2, input_size=6, kernel_size=3, in_channels=16, out_channels=32)
    scene = build_scene(spec, make_view())
    texts = [item.text for item in scene.items if isinstance(item, Text)]
    assert {"input channel 0", "input channel 2", "input channel 15", "output channel 31"} <= set(texts)
    assert "input channel 3" not in texts and "output channel 30" not in texts
    assert {"12 more channels (3-14)", "28 more channels (3-30)"} <= set(texts)
    assert texts.count("⋮") == 2
    assert "drawn: input channels 0-2, …, 15 (16 in all); output channels 0-2, …, 31 (32 in all)" in " ".join(texts)
    assert "each filter is 3×3×16 and reads 16 of 16 input channels" in " ".join(texts)
    assert all("reads input channels 0-15 (all 16; 4 drawn)" in title for title in scene.frame_titles)


def test_grouped_elision_keeps_each_drawn_plane_s_group():
    spec = make_spec(dims=2, input_size=5, kernel_size=3, in_channels=32, out_channels=32, groups=8)
    scene = build_scene(spec, make_view())
    texts = {item.text for item in scene.items if isinstance(item, Text)}
    assert {"5×5, group 0", "5×5, group 7", "3×3, group 0", "3×3, group 7"} <= texts
    fills = {plane: fill for (stack, plane, _, _), fill in cell_map(scene).values() if stack == 0}
    tints = scene.theme.tints(scene.theme.input_fill)
    assert fills[0] == fills[1] == fills[2] == tints[0]
    assert fills[3] == tints[7 % len(tints)]


def test_small_stacks_are_drawn_in_full():
    spec = make_spec(dims=2, input_size=4, kernel_size=3, in_channels=8, out_channels=8)
    scene = build_scene(spec, make_view())
    planes = {(stack, plane) for (stack, plane, _, _), _ in cell_map(scene).values()}
    assert planes == {(s, j) for s in (0, 1) for j in range(8)}
    assert not any(isinstance(item, Text) and "more channels" in item.text for item in scene.items)


def connectors(scene, frame: int):
    from convanim.primitives import Line

    grid = min(item.width for item in scene.items if isinstance(item, Line) and item.frame is None)
    return [item for item in scene.items if isinstance(item, Line) and item.frame == frame and item.dash is None
            and item.opacity == 1.0 and item.color == scene.theme.connector
            and item.width < grid]  # not the window's cell borders (grid lines, in the outline colour)


@pytest.mark.parametrize("args", CHANNELLED + ELIDED[:2])
def test_connectors_join_the_filter_box_to_the_output_cell(args):
    """The lines run from the edge of the k x k x C box that faces the outputs (the window's far column, its first
    and last row) to the output cell's centre, level at the output plane's height (see `joins_box_to_cell`), whole,
    and painted after the output planes, so that no plane hides where they leave the box or reach the cell."""
    spec = make_spec(**args)
    scene = build_scene(spec, make_view("oblique"))
    mapping = cell_map(scene)
    for t in range(scene.frame_count):
        shades = [item for item in scene.items if isinstance(item, Polygon) and item.frame == t
                  and item.fill == scene.theme.shade]
        out_cell = next(item for item in shades if mapping[item.points][0][0] == 1)
        window = [item for item in shades if mapping[item.points][0][0] == 0]
        lines = joins_box_to_cell(scene, t, window, out_cell)
        last_out = max(i for i, item in enumerate(scene.items) if isinstance(item, Polygon) and item.frame is None
                       and mapping[item.points][0][0] == 1)
        assert min(scene.items.index(line) for line in lines) > last_out


def joins_box_to_cell(scene, frame: int, window: list, out_cell) -> list:
    """The frame's connectors are exactly two whole lines, from the window's far-column corners (first and last row)
    at the output plane's height to the output cell's centre. That height lies within the box (between its top and
    bottom read planes), or below it, where dashed lines carry the window's far corners down to it."""
    from convanim.primitives import Line

    lines = connectors(scene, frame)
    z_out = out_cell.points[0][2]
    centre = tuple(np.mean([p[i] for p in out_cell.points]) for i in range(3))
    far = max(p[0] for item in window for p in item.points)
    ys = [p[1] for item in window for p in item.points]
    heights = [item.points[0][2] for item in window]
    expected = [((far, y, z_out), centre) for y in (min(ys), max(ys))]
    assert len(lines) == 2, (frame, lines)
    for a, b in expected:
        assert any(np.allclose(line.start, a) and np.allclose(line.end, b) for line in lines), (frame, a, b, lines)
    assert z_out <= max(heights) + 1e-6, frame
    if z_out < min(heights) - 1e-6:
        carried = [item for item in scene.items if isinstance(item, Line) and item.frame == frame and item.dash]
        for y in (min(ys), max(ys)):
            assert any(np.allclose(line.start, (far, y, min(heights))) and np.allclose(line.end, (far, y, z_out))
                       for line in carried), (frame, y)
    return lines


def test_flat_view_has_no_connectors():
    scene = build_scene(make_spec(**CHANNELLED[0]), make_view("flat"))
    assert not any(connectors(scene, t) for t in range(scene.frame_count))


def test_volume_labels_say_what_each_slice_is():
    scene = build_scene(make_spec(dims=3, input_size=4, kernel_size=3, padding=1), make_view())
    texts = [item.text for item in scene.items if isinstance(item, Text)]
    assert texts.count("depth padding") == 2 and texts.count("6×6 of zeros") == 2
    assert texts.count("4×4 slice, padded 6×6") == 4 and "input depth 3" in texts and "output depth 3" in texts
    assert "input 4×4×4 (padded 6×6×6) → output 4×4×4 (depth × height × width)" in " ".join(texts)
    transposed = build_scene(make_spec(dims=3, input_size=2, kernel_size=3, stride=2, transposed=True), make_view())
    texts = [item.text for item in transposed.items if isinstance(item, Text)]
    assert texts.count("inserted zeros") == 1 and texts.count("2×2 slice, drawn 7×7") == 2


def test_grouped_stacks_leave_room_between_groups():
    """Groups read as groups: planes of one group sit closer together than the last and first of two groups."""
    scene = build_scene(make_spec(dims=2, input_size=4, kernel_size=3, in_channels=6, out_channels=4, groups=2),
                        make_view())
    z = {}
    for points, ((stack, plane, _, _), _) in cell_map(scene).items():
        z[stack, plane] = points[0][2]
    for stack, planes in ((0, 6), (1, 4)):
        steps = [z[stack, j] - z[stack, j + 1] for j in range(planes - 1)]
        boundary = planes // 2 - 1  # two groups of equal size
        assert steps[boundary] > max(steps[:boundary] + steps[boundary + 1:]) + 0.5, (stack, steps)


def test_a_chosen_output_channel_is_swept_and_drawn():
    spec = make_spec(dims=2, input_size=5, kernel_size=3, in_channels=16, out_channels=16)
    view = make_view(channel=9)
    scene = build_scene(spec, view)
    positions = Geometry(spec).frame_count
    titles = scene.frame_titles
    assert scene.frame_count == positions + 2  # channel 9 everywhere, the other drawn ones (0, 15) once
    assert all("output channel 9 at" in title for title in titles[:positions])
    assert "output channel 9" in {item.text for item in scene.items if isinstance(item, Text)}
    with pytest.raises(SpecError, match="channel: must be between 0 and 15"):
        build_scene(spec, make_view(channel=16))
    with pytest.raises(SpecError, match="channel: must be an output channel"):
        make_view(channel=-1)


def test_render_takes_a_channel_option(tmp_path):
    from click.testing import CliRunner
    from PIL import Image

    from convanim.cli import cli

    out = tmp_path / "c.gif"
    result = CliRunner().invoke(cli, ["render", "--input", "4", "--kernel", "3", "--in-channels", "2",
                                      "--out-channels", "12", "--channel", "7", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with Image.open(out) as image:
        assert image.n_frames == 4 + 2  # 2x2 positions for channel 7, then channels 0 and 11 at the last one


def test_block_labels_sit_on_plates_above_the_connectors():
    """Connectors between stages run past the next tensor's labels: every label is painted after them, on a
    background plate, and every plate before any label (so that no plate covers a neighbour's descenders)."""
    from convanim import blocks as stages
    from convanim.figures.blocks import build_staged_scene
    from convanim.primitives import Line

    scene = build_staged_scene(stages.separable(input_size=6, in_channels=2, kernel_size=3, out_channels=2),
                               make_view())
    items = list(scene.items)
    plates = [i for i, item in enumerate(items) if isinstance(item, Text) and item.halo is not None]
    labels = [i for i, item in enumerate(items) if isinstance(item, Text) and item.halo is None
              and item.frame is None and item.text.startswith(("input channel", "depthwise channel", "output channel"))]
    last_line = max(i for i, item in enumerate(items) if isinstance(item, Line) and item.frame is not None)
    assert len(plates) >= len(labels) > 0
    assert last_line < min(plates) and max(plates) < min(labels)
    assert all(items[i].halo == scene.theme.background == items[i].color for i in plates)
