"""Animated SVG without script: static primitives once, the moving ones in one group per frame, each shown in turn by
a discrete SMIL `<animate>` (plays in browsers, also inside `<img>`). The root carries `data-frames` and
`data-seconds-per-frame` so that a page can pause it and step through frames with `setCurrentTime`.

Text is anchored the way the scene anchors it, so that it stays in place whatever font a viewer substitutes for
DejaVu Sans: horizontally by `text-anchor` at the anchor point (the root's default is `middle`, the most common), and
vertically by a baseline computed from DejaVu's ascent and descent (the raster's metrics), which other sans-serifs
share closely enough; `dominant-baseline` is left out because viewers disagree about it."""

from __future__ import annotations

from itertools import groupby
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

from convanim.backends.raster import _line_quads
from convanim.fonts import font
from convanim.primitives import Item, Line, Polygon, Scene, Text, text_plate

FONT_FAMILY = "'DejaVu Sans', 'Bitstream Vera Sans', Verdana, 'Liberation Sans', Arial, Helvetica, sans-serif"
TEXT_ANCHORS = {"l": "start", "m": "middle", "r": "end"}  # Pillow's horizontal anchor letter -> SVG text-anchor
DEFAULT_TEXT_ANCHOR = "middle"  # on the root; other anchors on a group of texts, or on a lone text


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _hundredths(value: float) -> int:
    return round(value * 100)


def _fixed(hundredths: int) -> str:
    whole, part = divmod(abs(hundredths), 100)
    text = f"{whole}.{part:02d}".rstrip("0").rstrip(".")
    return f"-{text}" if hundredths < 0 else text


def _pair(x: int, y: int) -> str:
    """Two coordinates in SVG's shortest unambiguous form: a minus sign separates as well as a space."""
    second = _fixed(y)
    return f"{_fixed(x)}{'' if second.startswith('-') else ' '}{second}"


def _path_data(points: list[tuple[float, float]], closed: bool) -> str:
    """The first point absolute, the others relative to the one before, all in exact hundredths of a pixel (so the
    relative steps add up to the same points as absolute ones would): a third shorter."""
    coords = [(_hundredths(x), _hundredths(y)) for x, y in points]
    (x0, y0), rest = coords[0], coords[1:]
    steps = "".join(("" if _pair(x1 - xp, y1 - yp).startswith("-") else " ") + _pair(x1 - xp, y1 - yp)
                    for (xp, yp), (x1, y1) in zip(coords, rest))
    return f"M{_pair(x0, y0)}l{steps.lstrip()}{'z' if closed else ''}"


def _hex(colour: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


def _opacity(name: str, opacity: float) -> str:
    return "" if opacity >= 1.0 else f' {name}="{_num(opacity)}"'


def _element(item: Item, scene: Scene) -> str:
    if isinstance(item, Polygon):
        return f'<path d="{_polygon_data(item, scene)}" {_fill_style(item)}/>'
    if isinstance(item, Line):
        (x0, y0), (x1, y1) = scene.point(item.start), scene.point(item.end)
        style = (f'stroke="{_hex(item.color)}" stroke-width="{_num(item.width)}"'
                 f'{_opacity("stroke-opacity", item.opacity)}')
        if item.dash is None:
            return f'<path d="{_path_data([(x0, y0), (x1, y1)], False)}" {style} stroke-linecap="square"/>'
        # The same dashes as the raster: whole dashes stretched to fit, so both ends of an edge are inked.
        quads = _line_quads((x0, y0), (x1, y1), item.width, item.dash)
        d = "".join(f"M{_num((q[0][0] + q[3][0]) / 2)} {_num((q[0][1] + q[3][1]) / 2)}"
                    f"L{_num((q[1][0] + q[2][0]) / 2)} {_num((q[1][1] + q[2][1]) / 2)}" for q in quads)
        return f'<path d="{d}" {style}/>'
    return _text(item, scene)


def _polygon_data(item: Polygon, scene: Scene) -> str:
    return _path_data([scene.point(p) for p in item.points], True)


def _fill_style(item: Polygon) -> str:
    return f'fill="{_hex(item.fill)}"{_opacity("fill-opacity", item.opacity)}'


def _solid_line_style(item: Item) -> tuple[tuple[int, int, int], float] | None:
    """Opaque undashed lines of one colour and width paint the same as one path of many segments (an overlap is
    painted once either way); translucent ones would not, so they stay apart."""
    if isinstance(item, Line) and item.dash is None and item.opacity >= 1.0:
        return item.color, item.width
    return None


def _lines_path(lines: list[Line], scene: Scene) -> str:
    segments = [_path_data([scene.point(line.start), scene.point(line.end)], False) for line in lines]
    return (f'<path d="{"".join(segments)}" stroke="{_hex(lines[0].color)}" stroke-width="{_num(lines[0].width)}" '
            f'stroke-linecap="square"/>')


def _run_key(item: Item) -> tuple[object, ...] | None:
    """What consecutive items may share one element: texts of one anchor, opaque solid lines of one style, polygons
    of one fill; None for an item that stands alone."""
    if isinstance(item, Text):
        return "text", TEXT_ANCHORS[item.anchor[0]]
    line = _solid_line_style(item)
    if line is not None:
        return "line", *line
    if isinstance(item, Polygon):
        return "fill", _fill_style(item)
    return None


def _elements(items: list[Item], scene: Scene) -> list[str]:
    """The items' elements in paint order; consecutive texts sharing an anchor other than the root's sit in one
    `<g text-anchor=...>` rather than each repeating it (the weights in the corners of `--numbers` cells),
    consecutive opaque lines of one style in one path (a 900-frame animation's SVG is half the size), and
    consecutive polygons of one fill in one `<g fill=...>`."""
    out: list[str] = []
    for key, same in groupby(items, key=_run_key):
        run = list(same)
        if key is None or len(run) == 1 or key == ("text", DEFAULT_TEXT_ANCHOR):
            out += [_element(item, scene) for item in run]
        elif key[0] == "line":
            out.append(_lines_path(run, scene))  # type: ignore[arg-type]
        elif key[0] == "fill":
            paths = "".join(f'<path d="{_polygon_data(shape, scene)}"/>' for shape in run)  # type: ignore[arg-type]
            out.append(f"<g {key[1]}>{paths}</g>")
        else:
            texts = "".join(_text(item, scene, inherited=str(key[1])) for item in run)  # type: ignore[arg-type]
            out.append(f'<g text-anchor="{key[1]}">{texts}</g>')
    return out


def _text(item: Text, scene: Scene, inherited: str = DEFAULT_TEXT_ANCHOR) -> str:
    """At the anchor point the raster uses (rounded to a pixel), with the baseline moved from the anchor's vertical
    letter (a, m, s, d) by DejaVu's metrics, exactly as far as the raster moves it."""
    x, y = scene.point(item.at, item.screen)
    face = font(round(item.size), item.bold)
    to_baseline = face.getbbox(item.text, anchor=item.anchor)[1] - face.getbbox(item.text, anchor="ls")[1]
    text_anchor = TEXT_ANCHORS[item.anchor[0]]
    anchor = "" if text_anchor == inherited else f' text-anchor="{text_anchor}"'
    weight = ' font-weight="bold"' if item.bold else ""
    plate = ""
    if item.halo is not None:
        left, top, right, bottom = text_plate(item, x, y)
        plate = (f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" '
                 f'fill="{_hex(item.halo)}"{_opacity("fill-opacity", item.opacity)}/>')
    return (f'{plate}<text x="{round(x)}" y="{round(y) + to_baseline}"{anchor} font-size="{round(item.size)}"{weight} '
            f'fill="{_hex(item.color)}"{_opacity("fill-opacity", item.opacity)}>{escape(item.text)}</text>')


def _frame_animation(frame: int, scene: Scene) -> str:
    """Visible from this frame's start to its end, hidden otherwise; frame 0 shows before the animation starts."""
    total = sum(scene.durations_ms)
    start = sum(scene.durations_ms[:frame]) / total
    end = sum(scene.durations_ms[:frame + 1]) / total
    values, times = [], []
    if frame > 0:
        values.append("hidden")
        times.append(0.0)
    values.append("visible")
    times.append(start)
    if frame < scene.frame_count - 1:
        values.append("hidden")
        times.append(end)
    repeat = "indefinite" if scene.loop == 0 else str(scene.loop)
    return (f'<animate attributeName="visibility" values="{";".join(values)}" '
            f'keyTimes="{";".join(f"{t:.6f}".rstrip("0").rstrip(".") or "0" for t in times)}" '
            f'dur="{total / 1000:g}s" calcMode="discrete" repeatCount="{repeat}" fill="freeze"/>')


def write_svg(scene: Scene, stream: TextIO, frame: int | None = None, progress: object = None) -> None:
    """The animated SVG, or with `frame` a still SVG of that one frame (`progress` is accepted like the raster
    writers'; an SVG is quick and reports nothing)."""
    if frame is not None:
        stream.write(_still(scene, frame))
        return
    seconds = scene.durations_ms[0] / 1000
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{scene.width}" height="{scene.height}" '
           f'viewBox="0 0 {scene.width} {scene.height}" data-frames="{scene.frame_count}" '
           f'data-seconds-per-frame="{seconds:g}" data-durations-ms="{",".join(map(str, scene.durations_ms))}" '
           f'font-family={quoteattr(FONT_FAMILY)} text-anchor="{DEFAULT_TEXT_ANCHOR}">',
           f"<title>{escape(scene.title)}</title>"]
    if not scene.transparent:
        out.append(f'<rect width="100%" height="100%" fill="{_hex(scene.theme.background)}"/>')
    static: list[Item] = []
    run: dict[int, list[Item]] = {}

    def flush() -> None:
        out.extend(_elements(static, scene))
        static.clear()
        for frame in sorted(run):
            initial = "visible" if frame == 0 else "hidden"
            out.append(f'<g class="convanim-frame" data-frame="{frame}" visibility="{initial}">'
                       f"{_frame_animation(frame, scene)}{''.join(_elements(run[frame], scene))}</g>")
        run.clear()

    for item in scene.items:
        if item.frame is None:
            if run:
                flush()
            static.append(item)
        else:
            if static:
                flush()
            run.setdefault(item.frame, []).append(item)
    flush()
    out.append("</svg>\n")
    stream.write("\n".join(out))


def _still(scene: Scene, frame: int) -> str:
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{scene.width}" height="{scene.height}" '
           f'viewBox="0 0 {scene.width} {scene.height}" font-family={quoteattr(FONT_FAMILY)} '
           f'text-anchor="{DEFAULT_TEXT_ANCHOR}">',
           f"<title>{escape(scene.title)}: frame {frame + 1} of {scene.frame_count}</title>"]
    if not scene.transparent:
        out.append(f'<rect width="100%" height="100%" fill="{_hex(scene.theme.background)}"/>')
    out += _elements([item for item in scene.items if item.frame is None or item.frame == frame], scene)
    out.append("</svg>\n")
    return "\n".join(out)
