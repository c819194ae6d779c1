"""The 2d renderer: shaded cells per frame are exactly the geometry's taps (pixels in GIF frames, groups in SVG),
the files decode, bad requests are refused without leaving files behind, and output is deterministic."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from convanim.animation import animate
from convanim.backends.gif import write_gif
from convanim.geometry import REAL, Geometry
from convanim.primitives import Polygon
from convanim.spec import SpecError, make_spec
from convanim.view import make_view

# name: input, kernel, stride, padding, dilation (the classic convolution-arithmetic figures)
REFERENCE = {
    "no_padding_no_strides": (4, 3, 1, 0, 1),
    "arbitrary_padding_no_strides": (5, 4, 1, 2, 1),
    "same_padding_no_strides": (5, 3, 1, 1, 1),
    "full_padding_no_strides": (5, 3, 1, 2, 1),
    "no_padding_strides": (5, 3, 2, 0, 1),
    "padding_strides": (5, 3, 2, 1, 1),
    "padding_strides_odd": (6, 3, 2, 1, 1),
    "dilation": (7, 3, 1, 0, 2),
}


def reference_spec(name: str, transposed: bool):
    size, kernel, stride, padding, dilation = REFERENCE[name]
    if not transposed:
        return make_spec(input_size=size, kernel_size=kernel, stride=stride, padding=padding, dilation=dilation)
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    return make_spec(input_size=span // stride + 1, kernel_size=kernel, stride=stride, padding=padding,
                     dilation=dilation, transposed=True, output_padding=span % stride)


def blend(top, under, opacity):
    alpha = round(opacity * 255)
    return tuple((t * alpha + u * (255 - alpha) + 127) // 255 for t, u in zip(top, under))


def majority(image: np.ndarray, x: float, y: float) -> tuple[int, int, int]:
    """The most common colour in a 5x5 patch: a thin connector line crossing the centre does not fool it."""
    cx, cy = int(round(x)), int(round(y))
    patch = image[cy - 2:cy + 3, cx - 2:cx + 3].reshape(-1, image.shape[2])[:, :3]
    colours, counts = np.unique(patch, axis=0, return_counts=True)
    return tuple(int(v) for v in colours[counts.argmax()])


def decode_gif(data: bytes) -> list[np.ndarray]:
    image = Image.open(io.BytesIO(data))
    frames = []
    for t in range(image.n_frames):
        image.seek(t)
        frames.append(np.asarray(image.convert("RGB")))
    return frames


def check_frames_against_geometry(spec, frames: list[np.ndarray], scene) -> None:
    geometry = Geometry(spec)
    theme = scene.theme
    rows, cols = geometry.grid_shape
    out_rows, out_cols = geometry.output_shape
    # Where the planes sit: the input grid's corner is model (0, 0, 0); the output plane's position is read off the
    # scene's unshaded output cells, which are the static polygons filled with the output colour.
    output_cells = [p for p in scene.items if isinstance(p, Polygon) and p.frame is None and p.fill == theme.output_fill]
    out_x, out_y, out_z = output_cells[0].points[0]
    assert len(frames) == geometry.frame_count
    for t, pixels in enumerate(frames):
        frame = geometry.frame(t)
        tapped = {tuple(g) for g in frame.grid.tolist()}
        for r in range(rows):
            for c in range(cols):
                under = theme.input_fill if geometry.grid_zero[r, c] == REAL else theme.zero_fill
                expected = blend(theme.shade, under, theme.shade_opacity) if (r, c) in tapped else under
                x, y = scene.projection((c + 0.5, r + 0.5, 0.0))
                assert majority(pixels, x, y) == expected, (t, (r, c))
        for r in range(out_rows):
            for c in range(out_cols):
                shaded = (r, c) == frame.output
                expected = blend(theme.shade, theme.output_fill, theme.shade_opacity) if shaded else theme.output_fill
                x, y = scene.projection((out_x + c + 0.5, out_y + r + 0.5, out_z))
                assert majority(pixels, x, y) == expected, (t, "output", (r, c))


@pytest.mark.parametrize("transposed", [False, True], ids=["direct", "transposed"])
@pytest.mark.parametrize("name", [n for n in REFERENCE])
def test_reference_gif_frames_shade_exactly_the_taps(name, transposed):
    if name == "dilation" and transposed:
        pytest.skip("the classic set has no transposed dilation figure")
    spec = reference_spec(name, transposed)
    animation = animate(spec, cell_size=22)
    buffer = io.BytesIO()
    write_gif(animation.scene, buffer)
    check_frames_against_geometry(spec, decode_gif(buffer.getvalue()), animation.scene)


def test_odd_transposed_extra_row_and_column_are_at_the_end():
    spec = reference_spec("padding_strides_odd", transposed=True)
    geometry = Geometry(spec)
    assert geometry.output_shape == (6, 6)
    # drawn grid: 1 padding, inputs at 1,3,5, then 2 padding cells (1 + output_padding) at the end
    assert [int(v) for v in geometry.axes[0].grid_input] == [-1, 0, -1, 1, -1, 2, -1, -1]


@pytest.mark.parametrize("kwargs", [dict(view="flat"), dict(theme="dark"), dict(theme="colorblind"),
                                    dict(transparent=True)])
def test_views_and_themes_shade_the_taps(kwargs):
    spec = make_spec(input_size=(5, 6), kernel_size=(3, 2), stride=(2, 1), padding=((1, 0), (0, 1)))
    animation = animate(spec, cell_size=22, **kwargs)
    frames = [np.asarray(animation.frame(t).convert("RGBA" if kwargs.get("transparent") else "RGB"))
              for t in range(animation.frame_count)]
    if kwargs.get("transparent"):
        assert frames[0][0, 0, 3] == 0  # the corner is background, and transparent
        frames = [f[..., :3] for f in frames]
    check_frames_against_geometry(spec, frames, animation.scene)


def _inverse(projection, x: float, y: float) -> tuple[float, float]:
    """Model (column, row) on the plane z=0 of a pixel."""
    matrix = np.array([[projection.ax, projection.bx], [projection.ay, projection.by]]) * projection.cell
    return tuple(np.linalg.solve(matrix, [x - projection.ox, y - projection.oy]))


def _path_points(d: str) -> tuple[list[float], list[float]]:
    """The vertices of one subpath in SVG path syntax (M/L absolute, m/l relative, z), from the SVG specification."""
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
    commands = re.findall(r"[MLmlZz]", d)
    assert commands[0] == "M" and set(commands[1:]) <= {"L", "l", "Z", "z"}
    relative = "l" in commands
    xs, ys = [numbers[0]], [numbers[1]]
    for x, y in zip(numbers[2::2], numbers[3::2]):
        xs.append(xs[-1] + x if relative else x)
        ys.append(ys[-1] + y if relative else y)
    return xs, ys


def test_svg_has_one_state_per_frame_and_shades_the_taps():
    spec = reference_spec("padding_strides", transposed=False)
    animation = animate(spec)
    root = ET.fromstring(animation.to_svg())
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.get("data-frames") == "9"
    groups = root.findall("s:g[@class='convanim-frame']", ns)
    geometry = Geometry(spec)
    shading_groups = groups[:geometry.frame_count]  # the first moving run: the window on the input plane
    assert [int(g.get("data-frame")) for g in shading_groups] == list(range(9))
    for t, group in enumerate(shading_groups):
        animations = group.findall("s:animate", ns)
        assert len(animations) == 1 and animations[0].get("attributeName") == "visibility"
        cells = set()
        translucent = [p for p in group.findall("s:path", ns) if p.get("fill-opacity") is not None]
        for fills in group.findall("s:g[@fill-opacity]", ns):  # paths sharing one fill sit in a group
            translucent += fills.findall("s:path", ns)
        for path in translucent:
            xs, ys = _path_points(path.get("d"))
            column, row = _inverse(animation.scene.projection, sum(xs) / len(xs), sum(ys) / len(ys))
            cells.add((int(np.floor(row)), int(np.floor(column))))
        assert cells == {tuple(g) for g in geometry.frame(t).grid.tolist()}


def test_numbers_are_computed_from_the_taps():
    from convanim.figures.values import input_values, kernel_values, output_values

    for op, stride in (("conv", 2), ("maxpool", 1), ("avgpool", 1)):
        spec = make_spec(input_size=5, kernel_size=3, stride=stride, padding=1 if op == "conv" else 0, op=op)
        geometry = Geometry(spec)
        x, w = input_values(geometry), kernel_values(geometry)
        got = output_values(geometry, x, w)
        # an independent direct computation
        pad = 1 if op == "conv" else 0
        padded = np.pad(x.astype(float), pad, constant_values=0)
        expected = np.zeros(geometry.output_shape)
        for r in range(expected.shape[0]):
            for c in range(expected.shape[1]):
                window = padded[r * stride:r * stride + 3, c * stride:c * stride + 3]
                expected[r, c] = {"conv": (window * w).sum(), "maxpool": window.max(),
                                  "avgpool": window.mean()}[op]
        assert np.allclose(got, expected)
        if op == "maxpool":  # distinct values, so that window maxima differ
            assert sorted(x.ravel()) == list(range(25))
        else:
            assert set(np.unique(x)) <= {0, 1, 2, 3} and len(np.unique(x)) > 1


def test_numbers_mode_renders_with_the_flat_view():
    animation = animate(make_spec(input_size=5, kernel_size=3, stride=2, padding=1), numbers=True)
    assert animation.view.view == "flat"
    texts = [item.text for item in animation.scene.items if getattr(item, "text", None) is not None]
    assert "0" in texts  # padding cells show their zero


@pytest.mark.parametrize("suffix", [".gif", ".svg", ".png", ".webp", ".apng"])
def test_every_format_decodes_and_is_deterministic(tmp_path, suffix):
    spec = make_spec(input_size=4, kernel_size=3, padding=1, stride=2)
    first = animate(spec, cell_size=16).save(tmp_path / f"a{suffix}")
    second = animate(spec, cell_size=16).save(tmp_path / f"b{suffix}")
    assert first.read_bytes() == second.read_bytes()
    if suffix == ".svg":
        ET.fromstring(first.read_text())
        return
    image = Image.open(first)
    expected = 1 if suffix == ".png" and image.format == "PNG" and not getattr(image, "is_animated", False) else 4
    assert getattr(image, "n_frames", 1) == expected








def test_a_too_large_picture_suggests_a_cell_size_that_fits():
    import re

    from convanim.figures import build_scene

    spec = make_spec(dims=1, input_size=1000, kernel_size=5, padding=2)
    with pytest.raises(SpecError, match="more than 8000 on a side") as refused:
        build_scene(spec, make_view(max_frames=2000, positions="all", fit="none"))
    size = int(re.search(r"cell_size=(\d+) or less", str(refused.value)).group(1))
    scene = build_scene(spec, make_view(max_frames=2000, cell_size=size, positions="all"))
    assert max(scene.width, scene.height) <= 8000
    with pytest.raises(SpecError, match="too many cells to draw even at cell_size=4"):
        build_scene(make_spec(dims=1, input_size=3000, kernel_size=5),
                    make_view(max_frames=3000, positions="all", fit="none"))


def test_a_failed_write_leaves_no_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    import convanim.backends.gif as gif

    target = tmp_path / "x.gif"
    target.write_bytes(b"old")

    def broken(scene, stream):
        stream.write(b"GIF89a partial")
        raise RuntimeError("disk full")

    monkeypatch.setattr(gif, "write_gif", broken)
    with pytest.raises(RuntimeError):
        animate(make_spec(input_size=4)).save(target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.gif"]


def test_python_api_rejects_unknown_format(tmp_path):
    with pytest.raises(SpecError, match="unknown format"):
        animate(make_spec(input_size=4)).save(tmp_path / "x.jpeg")


def test_notebook_display_is_the_svg():
    bundle = animate(make_spec(input_size=4))._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    assert bundle["image/svg+xml"].startswith("<svg") and 'data-frames="4"' in bundle["image/svg+xml"]




@pytest.mark.parametrize("args, lines", [
    (dict(input_size=2, kernel_size=3), ["drawn 6×6:", "padded 2"]),  # no_padding_no_strides_transposed
    (dict(input_size=7, kernel_size=3, padding=2), ["drawn 7×7:", "no zeros inserted, no padding"]),
    (dict(input_size=3, kernel_size=3, stride=2, padding=1, output_padding=1),
     ["drawn 8×8:", "1 zero inserted between elements", "padded 1 before, 2 after",
      "(output_padding adds 1 after)"]),
    (dict(input_size=2, kernel_size=3, stride=3, padding=1, output_padding=1),
     ["drawn 7×7:", "2 zeros inserted between elements", "padded 1 before, 2 after",
      "(output_padding adds 1 after)"]),
    (dict(input_size=3, kernel_size=3, dilation=2, padding=1), ["drawn 9×9:", "padded 3"]),
    (dict(input_size=4, kernel_size=3, stride=2, padding=3), ["drawn 5×5:", "1 zero inserted between elements",
                                                              "cropped 1"]),
])
def test_transposed_label_says_exactly_what_the_drawn_grid_adds(args, lines):
    """Readers of the classic figures could not tell input from output; the label must not add to the confusion."""
    from convanim.figures import build_scene
    from convanim.primitives import Text

    spec = make_spec(transposed=True, **args)
    geometry = Geometry(spec)
    scene = build_scene(spec, make_view())
    texts = [item.text for item in scene.items if isinstance(item, Text)]
    start = texts.index(f"input {spec.input_size[0]}×{spec.input_size[1]}") + 1
    assert texts[start:start + len(lines)] == lines
    assert lines[0] == f"drawn {geometry.grid_shape[0]}×{geometry.grid_shape[1]}:"
    if not any("cropped" in line for line in lines):  # the amounts agree with the grid the geometry draws
        holds_input = (geometry.grid_zero == REAL).any(axis=1)
        first, last = np.flatnonzero(holds_input)[[0, -1]]
        before, after = int(first), int(len(holds_input) - 1 - last)
        said = [line for line in lines if line.startswith("padded")]
        assert said == ([] if before == after == 0 else [f"padded {before}"] if before == after else
                        [f"padded {before} before, {after} after"])


@pytest.mark.parametrize("args", [dict(input_size=8, kernel_size=3, padding=1),
                                  dict(input_size=5, kernel_size=3, stride=2, transposed=True, output_padding=1)])
def test_1d_figure_puts_the_output_row_above_the_input_row_joined_by_lines(args):
    """The classic figure's idea in 1d: input below, output above, the window joined to its output cell."""
    from convanim.figures import build_scene
    from convanim.primitives import Line

    spec = make_spec(dims=1, **args)
    geometry = Geometry(spec)
    scene = build_scene(spec, make_view())
    static = [item for item in scene.items if isinstance(item, Polygon) and item.frame is None]
    rows = sorted({round(scene.projection(item.points[0])[1], 3) for item in static})
    assert len(rows) == 2  # level rows: the output's top edge above the input's
    grid = min(item.width for item in scene.items if isinstance(item, Line) and item.frame is None)
    for t in range(scene.frame_count):
        frame = geometry.frame(t)
        lines = [item for item in scene.items if isinstance(item, Line) and item.frame == t
                 and item.width < grid]  # connectors, not the window's cell borders
        window = [int(g[0]) for g in frame.grid]
        starts = sorted(scene.projection(line.start) for line in lines)
        ends = sorted(scene.projection(line.end) for line in lines)
        assert len(lines) == 2 and all(y0 > y1 for (_, y0), (_, y1) in zip(starts, ends))  # they rise
        left, right = scene.projection((min(window), 0.0, 0.0)), scene.projection((max(window) + 1, 0.0, 0.0))
        assert starts == sorted([left, right]), t
        out_cell = next(item for item in scene.items if isinstance(item, Polygon) and item.frame == t
                        and item.fill == scene.theme.shade and scene.projection(item.points[0])[1] < rows[1] - 1)
        xs = sorted({round(scene.projection(p)[0], 6) for p in out_cell.points})
        assert [round(x, 6) for x, _ in ends] == xs, t


@pytest.mark.parametrize("args, lines", [
    (dict(input_size=5, kernel_size=3, padding=1), ["padded 7×7"]),
    (dict(input_size=5, kernel_size=4, padding="same"), ["padded 8×8:", "top 1, bottom 2, left 1, right 2"]),
    (dict(input_size=5, kernel_size=3, padding=((1, 0), (0, 2))), ["padded 6×7:", "top 1, bottom 0, left 0, right 2"]),
    (dict(dims=1, input_size=5, kernel_size=2, padding=((0, 1),)), ["padded 6:", "left 0, right 1"]),
])
def test_asymmetric_padding_label_gives_each_side(args, lines):
    from convanim.figures import build_scene
    from convanim.primitives import Text

    spec = make_spec(**args)
    scene = build_scene(spec, make_view())
    texts = [item.text for item in scene.items if isinstance(item, Text)]
    start = texts.index("input " + "×".join(map(str, spec.input_size))) + 1
    assert texts[start:start + len(lines)] == lines
    if len(lines) > 1:  # the amounts are the geometry's: zero cells before and after the real ones, per axis
        real = Geometry(spec).grid_zero == REAL
        names = (("top", "bottom"), ("left", "right")) if spec.dims == 2 else (("left", "right"),)
        for axis, (before, after) in enumerate(names):
            held = real.any(axis=1 - axis) if spec.dims == 2 else real
            first, last = np.flatnonzero(held)[[0, -1]]
            assert f"{before} {first}" in lines[1] and f"{after} {len(held) - 1 - last}" in lines[1]


def test_gif_palette_lookup_is_the_nearest_colour_first_on_ties():
    from convanim.backends.gif import Quantizer

    rng = np.random.default_rng(7)
    palette = rng.integers(0, 256, (60, 3))
    palette[30] = palette[10]  # a repeated entry: the first one must win
    quantize = Quantizer(palette, 0)
    rgb = np.concatenate([rng.integers(0, 256, (3000, 3)), palette[[10, 30]]]).astype(np.uint8)
    expected = ((rgb.astype(int)[:, None, :] - palette[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    assert (quantize(rgb) == expected).all() and (quantize(rgb) != 30).all()
