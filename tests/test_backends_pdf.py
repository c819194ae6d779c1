"""The PDF backend: a vector page per frame (paths, and text as real DejaVu Sans text), the raster's picture, text
where the raster puts it, and the same bytes every time."""

from __future__ import annotations

import io
import re
import subprocess

import numpy as np
import pytest
from external import require_tool
from PIL import Image

from convanim import animate, make_spec
from convanim.backends.pdf import PdfPages, write_pdf
from convanim.fonts import font
from convanim.primitives import Text

POPPLER = "apt-get install -y poppler-utils"
FIGURES = {
    "padding_strides": dict(input_size=5, kernel_size=3, stride=2, padding=1),
    "numbers": dict(input_size=4, kernel_size=3, numbers=True),
    "transposed": dict(input_size=3, kernel_size=3, stride=2, padding=1, transposed=True, output_padding=1),
    "channels_dark": dict(input_size=4, in_channels=3, out_channels=2, kernel_size=3, theme="dark"),
}


def pdf_bytes(animation, frame: int) -> bytes:
    buffer = io.BytesIO()
    PdfPages(animation.scene).write(frame, buffer)
    return buffer.getvalue()


def frame_texts(scene, frame: int) -> list[Text]:
    return [i for i in scene.items if isinstance(i, Text) and i.frame in (None, frame) and i.text.strip()]


@pytest.mark.parametrize("name", FIGURES)
def test_the_page_is_vector_with_embedded_dejavu_and_the_same_bytes_every_time(name):
    first = pdf_bytes(animate(make_spec(**_spec(name)), **_view(name)), 1)
    again = pdf_bytes(animate(make_spec(**_spec(name)), **_view(name)), 1)
    assert first == again
    assert first.startswith(b"%PDF-") and b"/Subtype /Image" not in first  # no raster anywhere
    assert b"/FontFile2" in first and b"DejaVuSans" in first  # TrueType, embedded
    assert b"CreationDate" not in first and b"Producer" not in first


def _spec(name: str) -> dict:
    return {k: v for k, v in FIGURES[name].items() if k not in ("numbers", "theme")}


def _view(name: str) -> dict:
    return {k: v for k, v in FIGURES[name].items() if k in ("numbers", "theme")}


@pytest.mark.external
@pytest.mark.parametrize("name", FIGURES)
def test_pdftotext_extracts_every_label_of_the_frame(name, tmp_path):
    pdftotext = require_tool("pdftotext", POPPLER)
    animation = animate(make_spec(**_spec(name)), **_view(name))
    frame = animation.frame_count - 1
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf_bytes(animation, frame))
    extracted = subprocess.run([pdftotext, "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    words = extracted.split()
    for item in frame_texts(animation.scene, frame):
        for word in item.text.split():
            assert word in words or word in extracted, f"{word!r} of {item.text!r} not in the PDF's text"


@pytest.mark.external
@pytest.mark.parametrize("name", ["padding_strides", "numbers"])
def test_text_sits_where_the_raster_puts_it(name, tmp_path):
    """Each label's first word starts at the raster's pen position and its last word ends at the pen's end (poppler
    measures words by advance widths), and the label's ink lies within the words' line box."""
    pdftotext = require_tool("pdftotext", POPPLER)
    animation = animate(make_spec(**_spec(name)), **_view(name))
    scene, frame = animation.scene, 0
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf_bytes(animation, frame))
    html = subprocess.run([pdftotext, "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    boxes = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in
             re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)]
    checked = 0
    for item in frame_texts(scene, frame):
        x, y = scene.point(item.at, item.screen)
        face = font(round(item.size), item.bold)
        pen = round(x) - {"l": 0.0, "m": 0.5, "r": 1.0}[item.anchor[0]] * face.getlength(item.text)
        words = item.text.split()
        left, top, right, bottom = face.getbbox(item.text, anchor=item.anchor)
        ink_top, ink_bottom = round(y) + top, round(y) + bottom
        end = pen + face.getlength(item.text)

        def on_line(box, ink_top=ink_top, ink_bottom=ink_bottom) -> bool:  # the line box holds the ink
            return box[1] - 1 <= ink_top and ink_bottom <= box[3] + 1

        assert any(b[4] == _escaped(words[0]) and abs(b[0] - pen) < 1.0 and on_line(b) for b in boxes), \
            f"{item.text!r}: no word {words[0]!r} starting at x={pen:.1f} around y={ink_top}..{ink_bottom}"
        assert any(b[4] == _escaped(words[-1]) and abs(b[2] - end) < 1.5 and on_line(b) for b in boxes), \
            f"{item.text!r}: no word {words[-1]!r} ending at x={end:.1f} around y={ink_top}..{ink_bottom}"
        checked += 1
    assert checked >= 4


def _escaped(word: str) -> str:
    return word.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@pytest.mark.external
@pytest.mark.parametrize("name", FIGURES)
def test_the_page_draws_the_rasters_picture(name, tmp_path):
    """Rasterised by poppler at one pixel per point, the page is the raster's frame: the same cells, colours,
    window, lines and labels (only antialiasing differs, along edges)."""
    pdftoppm = require_tool("pdftoppm", POPPLER)
    animation = animate(make_spec(**_spec(name)), **_view(name))
    frame = animation.frame_count // 2
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf_bytes(animation, frame))
    subprocess.run([pdftoppm, "-png", "-r", "72", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    page = np.asarray(Image.open(tmp_path / "page.png").convert("RGB"), dtype=np.int32)
    raster = np.asarray(animation.frame(frame).convert("RGB"), dtype=np.int32)
    assert page.shape == raster.shape
    difference = np.abs(page - raster).max(axis=2)
    assert np.mean(difference > 48) < 0.02, f"{np.mean(difference > 48):.3%} of pixels differ"
    assert difference.mean() < 4
    other = np.asarray(animation.frame((frame + 1) % animation.frame_count).convert("RGB"), dtype=np.int32)
    assert np.abs(page - raster).sum() < np.abs(page - other).sum()  # it is this frame, not a neighbour


def test_save_pdf_is_the_last_frame_and_transparent_when_asked(tmp_path):
    animation = animate(make_spec(input_size=4, kernel_size=3))
    path = animation.save(tmp_path / "x.pdf")
    assert path.read_bytes() == pdf_bytes(animation, animation.frame_count - 1)
    assert animation.file_size("pdf") == animation.size
    opaque, clear = io.BytesIO(), io.BytesIO()
    write_pdf(animation.scene, opaque)
    write_pdf(animate(make_spec(input_size=4, kernel_size=3), transparent=True).scene, clear)
    assert opaque.getvalue() != clear.getvalue()


def test_cached_font_subsets_change_no_byte(monkeypatch):
    """The pages of a scene reuse font subsets (a page's costliest step); without the cache the bytes are the same."""
    import contextlib

    import convanim.backends.pdf as pdf

    animation = animate(make_spec(input_size=5, kernel_size=3, stride=2, padding=1))
    cached = [pdf_bytes(animation, t) for t in range(animation.frame_count)]
    monkeypatch.setattr(pdf, "_cached_subsets", contextlib.nullcontext)
    assert [pdf_bytes(animation, t) for t in range(animation.frame_count)] == cached
