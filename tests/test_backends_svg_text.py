"""SVG text keeps the scene's anchors whatever font a viewer renders it with: the horizontal anchor is the SVG's own
`text-anchor` at the anchor point (a substitute font's width cannot unalign it), and the baseline sits where DejaVu's
ascent and descent put it for the anchor's vertical letter, as in the raster."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator

import pytest

from convanim.animation import animate
from convanim.backends.svg import write_svg
from convanim.fonts import font
from convanim.primitives import Scene, Text
from convanim.spec import make_spec

SVG = "{http://www.w3.org/2000/svg}"
TEXT_ANCHOR = {"l": "start", "m": "middle", "r": "end"}

CASES = {
    "padding_strides": (dict(input_size=5, kernel_size=3, stride=2, padding=1), {}),
    "transposed": (dict(input_size=3, kernel_size=3, stride=2, padding=1, output_padding=1, transposed=True), {}),
    "numbers": (dict(input_size=5, kernel_size=3), dict(numbers=True)),
    "channels": (dict(input_size=6, in_channels=3, out_channels=2, kernel_size=3, padding=1), {}),
    "sequence": (dict(dims=1, input_size=12, in_channels=6, out_channels=4, kernel_size=3), {}),
}


def scene_of(case: str) -> Scene:
    spec_options, view_options = CASES[case]
    return animate(make_spec(**spec_options), **view_options).scene


def svg_texts(element: ET.Element, inherited: str = "start") -> Iterator[tuple[ET.Element, str]]:
    """Every <text> with the text-anchor in effect on it (an inherited property; SVG's initial value is start)."""
    anchor = element.get("text-anchor", inherited)
    if element.tag == SVG + "text":
        yield element, anchor
    for child in element:
        yield from svg_texts(child, anchor)


def svg_root(scene: Scene, frame: int | None = None) -> ET.Element:
    stream = io.StringIO()
    write_svg(scene, stream, frame)
    return ET.fromstring(stream.getvalue())


def placed(scene: Scene, texts: list[Text]) -> Counter:
    """What each scene text must become: its string, its anchor point (in whole pixels, as the raster) and the
    SVG text-anchor of its horizontal letter."""
    points = [scene.point(t.at, t.screen) for t in texts]
    return Counter((t.text, round(x), TEXT_ANCHOR[t.anchor[0]]) for t, (x, _) in zip(texts, points))


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_text_is_anchored_at_its_point_as_the_scene_says(case: str) -> None:
    scene = scene_of(case)
    texts = [item for item in scene.items if isinstance(item, Text)]
    drawn = Counter((e.text, int(e.get("x")), anchor) for e, anchor in svg_texts(svg_root(scene)))
    assert drawn == placed(scene, texts)
    still = Counter((e.text, int(e.get("x")), anchor) for e, anchor in svg_texts(svg_root(scene, frame=1)))
    assert still == placed(scene, [t for t in texts if t.frame in (None, 1)])


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_baseline_is_where_dejavus_metrics_put_the_anchors_vertical_letter(case: str) -> None:
    scene = scene_of(case)
    expected = Counter()
    for t in (item for item in scene.items if isinstance(item, Text)):
        ascent, descent = font(round(t.size), t.bold).getmetrics()
        to_baseline = {"a": ascent, "s": 0, "d": -descent, "m": round((ascent - descent) / 2 + 0.01)}[t.anchor[1]]
        expected[t.text, round(scene.point(t.at, t.screen)[1]) + to_baseline] += 1
    drawn = Counter((e.text, int(e.get("y"))) for e, _ in svg_texts(svg_root(scene)))
    assert drawn == expected


def test_plane_labels_end_at_their_point_and_captions_are_centred() -> None:
    scene = scene_of("padding_strides")
    texts = {e.text: (int(e.get("x")), anchor) for e, anchor in svg_texts(svg_root(scene))}
    label = next(t for t in scene.items if isinstance(t, Text) and t.text == "input 5×5")
    assert label.anchor[0] == "r" and texts["input 5×5"] == (round(scene.point(label.at)[0]), "end")
    assert texts["padded 7×7"][1] == "end" and texts["padded 7×7"][0] == texts["input 5×5"][0]  # one right edge
    caption = texts["Conv2d(1, 1, kernel_size=3, stride=2, padding=1)"]
    assert caption[1] == "middle" and abs(caption[0] - scene.width / 2) <= 1
    assert texts["frame 1/9: output (0, 0)"] == caption


def test_numbers_are_centred_in_their_cells() -> None:
    scene = scene_of("numbers")
    values = [t for t in scene.items if isinstance(t, Text) and t.anchor == "mm" and t.text.isdigit()]
    assert values
    drawn = Counter((e.text, int(e.get("x")), anchor) for e, anchor in svg_texts(svg_root(scene)))
    assert placed(scene, values) <= drawn and all(anchor == "middle" for _, _, anchor in placed(scene, values))


def test_font_family_starts_with_dejavu_and_falls_back_to_sans_serif() -> None:
    root = svg_root(scene_of("padding_strides"))
    families = [f.strip().strip("'") for f in root.get("font-family").split(",")]
    assert families[0] == "DejaVu Sans" and families[-1] == "sans-serif"
