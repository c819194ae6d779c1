"""Animated SVG without script: static primitives once, the moving ones in one group per frame, each shown in turn by
a discrete SMIL `<animate>` (plays in browsers, also inside `<img>`). The root carries `data-frames` and
`data-seconds-per-frame` so that a page can pause it and step through frames with `setCurrentTime`."""

from __future__ import annotations

from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

from ..fonts import font
from ..raster import _line_quads
from ..scene import Item, Line, Polygon, Scene, Text

FONT_FAMILY = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', sans-serif"


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _hex(colour: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


def _opacity(name: str, opacity: float) -> str:
    return "" if opacity >= 1.0 else f' {name}="{_num(opacity)}"'


def _element(item: Item, scene: Scene) -> str:
    if isinstance(item, Polygon):
        points = [scene.point(p) for p in item.points]
        d = "M" + "L".join(f"{_num(x)} {_num(y)}" for x, y in points) + "Z"
        return f'<path d="{d}" fill="{_hex(item.fill)}"{_opacity("fill-opacity", item.opacity)}/>'
    if isinstance(item, Line):
        (x0, y0), (x1, y1) = scene.point(item.start), scene.point(item.end)
        style = f'stroke="{_hex(item.color)}" stroke-width="{_num(item.width)}"{_opacity("stroke-opacity", item.opacity)}'
        if item.dash is None:
            return f'<path d="M{_num(x0)} {_num(y0)}L{_num(x1)} {_num(y1)}" {style} stroke-linecap="square"/>'
        # The same dashes as the raster: whole dashes stretched to fit, so both ends of an edge are inked.
        quads = _line_quads((x0, y0), (x1, y1), item.width, item.dash)
        d = "".join(f"M{_num((q[0][0] + q[3][0]) / 2)} {_num((q[0][1] + q[3][1]) / 2)}"
                    f"L{_num((q[1][0] + q[2][0]) / 2)} {_num((q[1][1] + q[2][1]) / 2)}" for q in quads)
        return f'<path d="{d}" {style}/>'
    return _text(item, scene)


def _text(item: Text, scene: Scene) -> str:
    """Placed by its baseline, computed from the same font metrics the raster uses, so both agree."""
    x, y = scene.point(item.at, item.screen)
    face = font(round(item.size), item.bold)
    given = face.getbbox(item.text, anchor=item.anchor)
    baseline = face.getbbox(item.text, anchor="ls")
    bx, by = round(x) + given[0] - baseline[0], round(y) + given[1] - baseline[1]
    weight = ' font-weight="bold"' if item.bold else ""
    return (f'<text x="{_num(bx)}" y="{_num(by)}" font-size="{round(item.size)}"{weight} fill="{_hex(item.color)}"'
            f'{_opacity("fill-opacity", item.opacity)}>{escape(item.text)}</text>')


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


def write_svg(scene: Scene, stream: TextIO, frame: int | None = None) -> None:
    """The animated SVG, or with `frame` a still SVG of that one frame."""
    if frame is not None:
        stream.write(_still(scene, frame))
        return
    seconds = scene.durations_ms[0] / 1000
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{scene.width}" height="{scene.height}" '
           f'viewBox="0 0 {scene.width} {scene.height}" data-frames="{scene.frame_count}" '
           f'data-seconds-per-frame="{seconds:g}" data-durations-ms="{",".join(map(str, scene.durations_ms))}" '
           f'font-family={quoteattr(FONT_FAMILY)}>',
           f"<title>{escape(scene.title)}</title>"]
    if not scene.transparent:
        out.append(f'<rect width="100%" height="100%" fill="{_hex(scene.theme.background)}"/>')
    run: dict[int, list[str]] = {}

    def flush() -> None:
        for frame in sorted(run):
            initial = "visible" if frame == 0 else "hidden"
            out.append(f'<g class="convanim-frame" data-frame="{frame}" visibility="{initial}">'
                       f"{_frame_animation(frame, scene)}{''.join(run[frame])}</g>")
        run.clear()

    for item in scene.items:
        if item.frame is None:
            flush()
            out.append(_element(item, scene))
        else:
            run.setdefault(item.frame, []).append(_element(item, scene))
    flush()
    out.append("</svg>\n")
    stream.write("\n".join(out))


def _still(scene: Scene, frame: int) -> str:
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{scene.width}" height="{scene.height}" '
           f'viewBox="0 0 {scene.width} {scene.height}" font-family={quoteattr(FONT_FAMILY)}>',
           f"<title>{escape(scene.title)}: frame {frame + 1} of {scene.frame_count}</title>"]
    if not scene.transparent:
        out.append(f'<rect width="100%" height="100%" fill="{_hex(scene.theme.background)}"/>')
    out += [_element(item, scene) for item in scene.items if item.frame is None or item.frame == frame]
    out.append("</svg>\n")
    return "\n".join(out)
