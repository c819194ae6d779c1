"""Notebooks: an animation displays light and scaled to the notebook's width. A real notebook is executed (nbclient,
ipykernel) and its saved outputs are checked: MIME type, size in the notebook, what the image decodes to."""

from __future__ import annotations

import base64
import importlib.util
import io
import os
import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from convanim import animate, make_spec
from convanim import notebook as display
from convanim.errors import SpecError

NEEDED = ("nbclient", "nbformat", "ipykernel")
if any(importlib.util.find_spec(name) is None for name in NEEDED) and os.environ.get("CI") == "true":
    raise RuntimeError("CI=true but nbclient, nbformat or ipykernel is missing: the test extra installs them")

CELLS = [
    "from convanim import animate, make_spec\nsmall = animate(make_spec(input_size=5, kernel_size=3))\nsmall",
    "animate(make_spec(input_size=32, kernel_size=3), positions='all')  # 900 frames: 1.9 MB as SVG",
    "animate(make_spec(input_size=40, kernel_size=3), positions='all')  # 1444 frames: 3.1 MB as SVG, more as GIF",
    "small.show(width=300)",
    "small.show(controls=True)",
]


@pytest.fixture(scope="module")
def executed():
    for name in NEEDED:
        pytest.importorskip(name)
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS])
    NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    return [cell.outputs for cell in notebook.cells]


def only_display(outputs) -> dict:
    assert [o.output_type for o in outputs] == ["execute_result"], outputs
    return outputs[0].data


def svg_root(text: str) -> ET.Element:
    return ET.fromstring(text)


@pytest.mark.slow
def test_a_small_animation_is_its_svg_at_its_width_or_the_notebooks(executed):
    data = only_display(executed[0])
    assert set(data) == {"image/svg+xml", "text/plain"}
    root = svg_root(data["image/svg+xml"])
    width, height = animate(make_spec(input_size=5, kernel_size=3)).size
    assert root.get("width") == str(width) and "height" not in root.attrib  # the viewBox gives the aspect
    assert root.get("viewBox") == f"0 0 {width} {height}"
    assert "max-width: 100%" in root.get("style")  # narrower notebooks scale it down
    assert root.get("data-frames") == "9"
    assert len(data["image/svg+xml"].encode()) < display.SVG_LIMIT


@pytest.mark.slow
def test_a_32x32_layer_is_still_its_svg_under_2_mb(executed):
    data = only_display(executed[1])
    assert set(data) == {"image/svg+xml", "text/plain"}
    assert len(data["image/svg+xml"].encode()) <= display.EMBED_LIMIT
    assert svg_root(data["image/svg+xml"]).get("data-frames") == "900"


@pytest.mark.slow
def test_a_larger_animation_stays_under_2_mb(executed):
    """1444 frames are 3.1 MB as SVG and more as GIF: the last frame, and how to get the rest."""
    data = only_display(executed[2])
    assert set(data) == {"text/html", "text/plain"}
    html = data["text/html"]
    assert len(html.encode()) <= display.EMBED_LIMIT
    encoded = re.match(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="[^"]*" style="width: 100%; '
                       r'max-width: (\d+)px; height: auto"><p>The last of 1444 frames', html)
    assert encoded, html[:200]
    png = Image.open(io.BytesIO(base64.b64decode(encoded.group(1))))
    assert png.format == "PNG" and png.width == int(encoded.group(2))


def test_an_svg_past_its_limit_gives_the_animated_gif(monkeypatch):
    monkeypatch.setattr(display, "SVG_LIMIT", 1000)
    animation = animate(make_spec(input_size=5, kernel_size=3))
    html = animation._repr_mimebundle_()["text/html"]
    gif = Image.open(io.BytesIO(base64.b64decode(re.search(r"data:image/gif;base64,([^\"]+)", html).group(1))))
    assert gif.n_frames == 9 and gif.size == animation.size
    assert gif.info["loop"] == 0


@pytest.mark.slow
def test_show_picks_the_width(executed):
    root = svg_root(only_display(executed[3])["image/svg+xml"])
    width, height = animate(make_spec(input_size=5, kernel_size=3)).size
    assert root.get("width") == "300" and root.get("height") == str(round(height * 300 / width))


@pytest.mark.slow
def test_show_with_controls_steps_without_a_widget_library(executed):
    html = only_display(executed[4])["text/html"]
    for action in ("prev", "toggle", "next", "seek"):
        assert f'data-action="{action}"' in html
    assert "<svg " in html and "pauseAnimations" in html and "setCurrentTime" in html
    assert len(html.encode()) < display.SVG_LIMIT + 10_000


def test_past_every_limit_the_last_frame_and_a_note(monkeypatch):
    monkeypatch.setattr(display, "SVG_LIMIT", 1000)
    monkeypatch.setattr(display, "EMBED_LIMIT", 5000)
    animation = animate(make_spec(input_size=5, kernel_size=3))
    html = animation._repr_mimebundle_()["text/html"]
    assert "data:image/png;base64," in html
    png = Image.open(io.BytesIO(base64.b64decode(re.search(r"base64,([^\"]+)", html).group(1))))
    assert png.format == "PNG" and png.size == animation.size
    assert "The last of 9 frames" in html and ".save('x.mp4')" in html


def test_show_refuses_a_silly_width():
    with pytest.raises(SpecError, match="^width: must be between 16 and 8000 pixels, got 0$"):
        animate(make_spec(input_size=4)).show(width=0)
