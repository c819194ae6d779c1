"""Vector PDF of one frame, through matplotlib's PDF backend (already a dependency): polygons and lines as paths, text
as real text in DejaVu Sans (embedded as TrueType, so it is selectable and `pdftotext` extracts it). One point per
pixel, so a page measures what the raster does and every size in the scene carries over unchanged.

Text is placed where the raster places it: the pen starts at the anchor minus the share of the advance width that
the anchor's letter (l, m, r) names, and the baseline is moved from the anchor's vertical letter by DejaVu's metrics,
as in the SVG. Paint order is the scene's: each item's z-order is its index, so the static items drawn once and the
frame's own items interleave exactly as listed. No creation date, producer or other varying metadata: the same scene
gives the same bytes."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

from convanim.backends.raster import _line_quads
from convanim.fonts import font
from convanim.primitives import Line, Polygon, Scene, Text, text_plate

PEN_SHARE = {"l": 0.0, "m": 0.5, "r": 1.0}  # Pillow's horizontal anchor letter -> share of the advance before it
METADATA = {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None}
RC: dict[Any, Any] = {"pdf.fonttype": 42, "pdf.compression": 6, "path.simplify": False, "text.parse_math": False,
      "text.usetex": False, "font.family": "DejaVu Sans"}


def _hex(colour: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


_SUBSETS: dict[tuple[str, frozenset[Any]], tuple[bytes, dict[Any, Any]]] = {}


@contextmanager
def _cached_subsets() -> Iterator[None]:
    """matplotlib subsets the font anew for every page (with fontTools: most of a page's time), and the frames of a
    scene ask for the same few glyph sets again and again. Cached by font file and glyph set, the same bytes come
    out; where matplotlib's private helper is not the one this knows, nothing is cached."""
    try:
        from fontTools.ttLib import TTFont
        from matplotlib.backends import _backend_pdf_ps as shared

        original, results, as_file = shared.get_glyphs_subset, shared.SubsetResults, shared.font_as_file
        results._as_cm  # noqa: B018 (present since matplotlib 3.10's SubsetResults)
    except (ImportError, AttributeError):
        yield
        return

    def cached(fontfile: Any, glyphs: Any) -> Any:
        key = (os.fspath(fontfile), frozenset(glyphs))
        if key not in _SUBSETS:
            with original(fontfile, glyphs) as subset:
                _SUBSETS[key] = (as_file(subset.font).getvalue(), dict(subset.glyph_index_map))
        data, index_map = _SUBSETS[key]
        return results(TTFont(io.BytesIO(data), recalcTimestamp=False), dict(index_map))._as_cm()

    shared.get_glyphs_subset = cached
    try:
        yield
    finally:
        shared.get_glyphs_subset = original


class PdfPages:
    """One figure for the scene; its static artists are made once and each frame adds and removes its own."""

    def __init__(self, scene: Scene) -> None:
        import matplotlib
        from matplotlib.backends.backend_pdf import FigureCanvasPdf
        from matplotlib.figure import Figure

        self.scene = scene
        self._rc = lambda: matplotlib.rc_context(RC)
        with self._rc():
            figure = Figure(figsize=(scene.width / 72, scene.height / 72), dpi=72)
            FigureCanvasPdf(figure)
            axes = figure.add_axes((0.0, 0.0, 1.0, 1.0))
            axes.set_xlim(0, scene.width)
            axes.set_ylim(scene.height, 0)  # pixels: y runs down
            axes.set_axis_off()
            figure.patch.set_facecolor(_hex(scene.theme.background))
            figure.patch.set_alpha(0.0 if scene.transparent else 1.0)
            self.figure, self.axes = figure, axes
            for index, item in enumerate(scene.items):
                if item.frame is None:
                    self._add(index, item)

    def _add(self, index: int, item: Polygon | Line | Text) -> list[Any]:
        from matplotlib.collections import LineCollection
        from matplotlib.patches import Polygon as PolygonPatch
        from matplotlib.patches import Rectangle
        from matplotlib.text import Text as TextArtist

        scene, axes = self.scene, self.axes
        if isinstance(item, Polygon):
            patch = PolygonPatch([scene.point(p) for p in item.points], closed=True, facecolor=_hex(item.fill),
                                 edgecolor="none", linewidth=0, alpha=item.opacity, zorder=index)
            return [axes.add_patch(patch)]
        if isinstance(item, Line):
            start, end = scene.point(item.start), scene.point(item.end)
            if item.dash is None:
                segments, cap = [(start, end)], "projecting"
            else:  # the raster's dashes: whole dashes stretched to fit, both ends of the edge inked
                quads = _line_quads(start, end, item.width, item.dash)
                segments = [(((q[0][0] + q[3][0]) / 2, (q[0][1] + q[3][1]) / 2),
                             ((q[1][0] + q[2][0]) / 2, (q[1][1] + q[2][1]) / 2)) for q in quads]
                cap = "butt"
            lines = LineCollection(segments, colors=_hex(item.color), linewidths=item.width, alpha=item.opacity,
                                   capstyle=cap, zorder=index)
            return [axes.add_collection(lines, autolim=False)]
        x, y = scene.point(item.at, item.screen)
        size = round(item.size)
        face = font(size, item.bold)
        to_baseline = face.getbbox(item.text, anchor=item.anchor)[1] - face.getbbox(item.text, anchor="ls")[1]
        pen = round(x) - PEN_SHARE[item.anchor[0]] * face.getlength(item.text)
        artists: list[Any] = []
        if item.halo is not None:
            left, top, right, bottom = text_plate(item, x, y)
            artists.append(axes.add_patch(Rectangle((left, top), right - left, bottom - top,
                                                    facecolor=_hex(item.halo), edgecolor="none", linewidth=0,
                                                    alpha=item.opacity, zorder=index - 0.5)))
        text = TextArtist(pen, round(y) + to_baseline, item.text, color=_hex(item.color), alpha=item.opacity,
                          fontsize=size, fontweight="bold" if item.bold else "normal", fontfamily="DejaVu Sans",
                          horizontalalignment="left", verticalalignment="baseline", zorder=index, clip_on=False)
        axes.add_artist(text)
        artists.append(text)
        return artists

    def write(self, frame: int, stream: BinaryIO) -> None:
        """One page: the static items and this frame's."""
        with self._rc():
            added = [artist for index, item in enumerate(self.scene.items) if item.frame == frame
                     for artist in self._add(index, item)]
        try:
            with self._rc(), _cached_subsets():
                self.figure.savefig(stream, format="pdf", metadata=METADATA, transparent=self.scene.transparent)
        finally:
            for artist in added:
                artist.remove()


def write_pdf(scene: Scene, stream: BinaryIO, frame: int | None = None,
              progress: Callable[[int, int], None] | None = None) -> None:
    """A vector still: the last frame (the whole output drawn), or `frame`; one page, so `progress` hears once."""
    PdfPages(scene).write(scene.frame_count - 1 if frame is None else frame, stream)
    if progress is not None:
        progress(1, 1)


def page_size(scene: Scene) -> tuple[int, int]:
    """The page in points: one per pixel."""
    return scene.width, scene.height
