"""The numbers view, read back from the scene: every drawn output follows from the drawn inputs and weights (numpy as
the oracle), text is legible on whatever is painted under it in each frame, max pooling marks its argmax, and every
figure uses one number format and a projector-friendly size."""

from __future__ import annotations

import re

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from convanim.animation import animate
from convanim.figures.contrast import contrast_ratio, over
from convanim.primitives import Line, Polygon, Scene, Text, text_extent
from convanim.spec import make_spec
from convanim.templates import load_template
from convanim.theme import THEMES
from convanim.view import make_view

TEMPLATES = ("numerical_no_padding_no_strides", "numerical_padding_strides", "numerical_max_pooling",
             "numerical_average_pooling")


def template_scene(name: str, **view_options) -> tuple[Scene, object]:
    template = load_template(name)
    animation = animate(template.spec, make_view(**{**template.view_args, **view_options}))
    return animation.scene, template.spec


def _inside(point: tuple[float, float], polygon: list[tuple[float, float]]) -> bool:
    """Strictly inside a convex polygon (any winding)."""
    signs = []
    for (x0, y0), (x1, y1) in zip(polygon, polygon[1:] + polygon[:1]):
        signs.append((x1 - x0) * (point[1] - y0) - (y1 - y0) * (point[0] - x0))
    return all(s > 0 for s in signs) or all(s < 0 for s in signs)


def visible_texts(scene: Scene, frame: int) -> list[tuple[Text, tuple[int, int, int]]]:
    """Each text visible in `frame` with the colour painted under its anchor before it (texts covered afterwards by
    an opaque polygon are hidden and left out)."""
    items = [item for item in scene.items if item.frame in (None, frame)]
    result = []
    for k, item in enumerate(items):
        if not isinstance(item, Text) or item.screen:
            continue
        at = scene.point(item.at)
        shapes = [(i, [scene.point(p) for p in shape.points], shape) for i, shape in enumerate(items)
                  if isinstance(shape, Polygon)]
        if any(i > k and shape.opacity >= 1 and _inside(at, points) for i, points, shape in shapes):
            continue
        background = scene.theme.background
        for i, points, shape in shapes:
            if i < k and _inside(at, points):
                background = over(background, shape.fill, shape.opacity)
        result.append((item, background))
    return result


def cell_of(scene: Scene, text: Text, origin: tuple[float, float]) -> tuple[int, int]:
    """The (row, column) of the cell a text sits in, on a plane whose top-left model corner is `origin`."""
    x, y = text.at[0] - origin[0], text.at[1] - origin[1]
    return int(np.floor(y)), int(np.floor(x))


def read_numbers(scene: Scene, spec) -> dict:
    """Input values, per-frame weights and outputs as drawn (texts sorted into cells by position)."""
    texts = [item for item in scene.items if isinstance(item, Text) and not item.screen]
    grid = {}
    outputs = {}
    fills = {}
    for item in scene.items:
        if isinstance(item, Polygon) and item.frame is None:
            fills.setdefault(item.fill, []).append(item.points[0][:2])
    output_corner = min(fills[scene.theme.output_fill])
    for t in texts:
        if t.frame is not None or not _is_number(t.text):
            continue
        if t.at[0] > output_corner[0]:
            outputs[cell_of(scene, t, output_corner)] = t.text
        else:
            grid[cell_of(scene, t, (0.0, 0.0))] = t.text
    weights: dict[int, dict[tuple[int, int], str]] = {}
    for t in texts:
        if t.frame is not None and t.anchor != "mm" and t.at[0] < output_corner[0]:
            weights.setdefault(t.frame, {})[cell_of(scene, t, (0.0, 0.0))] = t.text
    rows = 1 + max(r for r, _ in grid)
    cols = 1 + max(c for _, c in grid)
    drawn = np.array([[float(grid[r, c]) for c in range(cols)] for r in range(rows)])
    out_rows = 1 + max(r for r, _ in outputs)
    out_cols = 1 + max(c for _, c in outputs)
    drawn_out = np.array([[outputs[r, c] for c in range(out_cols)] for r in range(out_rows)], dtype=object)
    return {"grid": drawn, "outputs": drawn_out, "weights": weights}


def _is_number(text: str) -> bool:
    return re.fullmatch(r"\d+(\.\d+)?", text) is not None


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_drawn_output_follows_from_the_drawn_inputs_and_weights(name):
    scene, spec = template_scene(name)
    drawn = read_numbers(scene, spec)
    grid, outputs = drawn["grid"], drawn["outputs"]
    (stride, _), k = spec.stride, spec.kernel_size[0]
    windows = sliding_window_view(grid, (k, k))[::stride, ::stride]
    assert windows.shape[:2] == outputs.shape
    if spec.op == "conv":
        # the weights drawn in frame 0's window are the kernel, cell by cell, and every frame draws the same kernel
        (r0, c0) = min(drawn["weights"][0])
        kernel = np.array([[float(drawn["weights"][0][r0 + i, c0 + j]) for j in range(k)] for i in range(k)])
        for frame, cells in drawn["weights"].items():
            (r, c) = min(cells)
            assert {cell: float(v) for cell, v in cells.items()} == \
                {(r + i, c + j): kernel[i, j] for i in range(k) for j in range(k)}, frame
        expected = (windows * kernel).sum(axis=(2, 3))
    elif spec.op == "maxpool":
        expected = windows.max(axis=(2, 3))
    else:
        expected = windows.mean(axis=(2, 3))
    assert np.allclose(outputs.astype(float), expected, atol=0.05)


def test_the_conv_templates_give_the_hand_computed_sums():
    """numerical_no_padding_no_strides, frame 0, worked by hand from the drawn inputs and weights."""
    scene, spec = template_scene("numerical_no_padding_no_strides")
    drawn = read_numbers(scene, spec)
    window = drawn["grid"][:3, :3]
    kernel = np.array([[float(drawn["weights"][0][r, c]) for c in range(3)] for r in range(3)])
    assert drawn["outputs"][0, 0] == str(int(sum(window[r, c] * kernel[r, c] for r in range(3) for c in range(3))))


@pytest.mark.parametrize("theme", sorted(THEMES))
@pytest.mark.parametrize("name", TEMPLATES)
def test_every_visible_number_has_at_least_4_5_to_1_contrast_in_every_frame(name, theme):
    scene, _ = template_scene(name, theme=theme)
    for frame in range(scene.frame_count):
        for text, background in visible_texts(scene, frame):
            if _is_number(text.text):
                assert contrast_ratio(text.color, background) >= 4.5, (frame, text.text, text.color, background)


def test_the_window_recolours_its_values_rather_than_stacking_them():
    """Under the window each value is drawn once, in the shaded colour: the unshaded one is covered."""
    scene, _ = template_scene("numerical_padding_strides")
    for frame in range(scene.frame_count):
        anchors = [scene.point(text.at) for text, _ in visible_texts(scene, frame) if text.anchor == "mm"]
        assert len(anchors) == len(set(anchors)), frame


def test_max_pooling_outputs_differ_and_each_frame_marks_the_first_maximum():
    scene, spec = template_scene("numerical_max_pooling")
    drawn = read_numbers(scene, spec)
    grid, outputs = drawn["grid"], drawn["outputs"]
    assert len(set(outputs.ravel())) >= 4
    for frame in range(scene.frame_count):
        r0, c0 = divmod(frame, outputs.shape[1])
        window = grid[r0:r0 + 3, c0:c0 + 3]
        i, j = np.unravel_index(np.argmax(window), window.shape)  # the first maximum, as PyTorch's indices
        marked = {cell_of(scene, t, (0.0, 0.0)) for t in scene.items if isinstance(t, Text) and t.frame == frame
                  and t.bold}
        outline = [item for item in scene.items if isinstance(item, Line) and item.frame == frame
                   and not all(float(v).is_integer() for v in (*item.start, *item.end))]  # inside a cell, not
        # on the window's cell borders
        boxed = {(int(np.floor(min(p[1] for line in outline for p in (line.start, line.end)))),
                  int(np.floor(min(p[0] for line in outline for p in (line.start, line.end)))))}
        assert marked == boxed == {(r0 + i, c0 + j)}, frame
        assert (window == window.max()).sum() == 1  # distinct values: the maximum is unambiguous


def test_average_pooling_outputs_share_one_format_with_room_in_their_cells():
    scene, spec = template_scene("numerical_average_pooling")
    outputs = read_numbers(scene, spec)["outputs"].ravel()
    assert all(re.fullmatch(r"\d+\.\d", text) for text in outputs), outputs
    assert len(set(outputs)) > 1
    cell = scene.projection.cell
    for text in (t for t in scene.items if isinstance(t, Text) and t.text in outputs):
        left, _, right, _ = text_extent(text, scene.projection)
        assert right - left <= 0.75 * cell


def test_whole_outputs_are_drawn_as_integers():
    from convanim.figures.values import format_values

    assert list(format_values(np.array([2.0, 3.0]))) == ["2", "3"]
    assert list(format_values(np.array([2.0, 5 / 3, 14 / 9]))) == ["2.0", "1.7", "1.6"]


def test_kernel_weights_are_legible_and_clear_of_the_grid_lines():
    scene, _ = template_scene("numerical_padding_strides")
    weights = [t for t in scene.items if isinstance(t, Text) and t.frame is not None and t.anchor == "rd"]
    assert weights
    for text in weights:
        left, top, right, bottom = text_extent(text, scene.projection)
        assert bottom - top >= 9  # pixels of ink: a digit readable from the back of a lecture hall
        x, y = scene.point((np.floor(text.at[0]) + 1, np.floor(text.at[1]) + 1, 0.0))  # the cell's corner
        assert x - right >= 3 and y - bottom >= 3
    values = [t for t in scene.items if isinstance(t, Text) and t.frame == 0 and t.anchor == "mm"]
    assert all(w.size < 0.8 * v.size for w in weights for v in values)


@pytest.mark.parametrize("name", TEMPLATES)
def test_numbers_figures_are_drawn_large_unless_a_cell_size_is_given(name):
    scene, _ = template_scene(name)
    assert 500 <= scene.width <= 650 and scene.projection.cell >= 40
    small, _ = template_scene(name, cell_size=20)
    assert small.projection.cell == 20


def test_oblique_figures_keep_their_size():
    spec = make_spec(input_size=5, kernel_size=3, stride=2, padding=1)
    assert animate(spec).scene.projection.cell == 36
