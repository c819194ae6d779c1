"""How an animation shows in Jupyter: light, and scaled to the notebook's width.

The animated SVG as `image/svg+xml` when it is at most `SVG_LIMIT` bytes (it plays without script, also where the
front end shows it in an `<img>`); otherwise the animated GIF as a base64 `<img>` in `text/html` if that fits in
`EMBED_LIMIT`; otherwise the last frame as a PNG with a line saying how to save the whole animation (every position
of a 3x3 kernel over a 40x40 input: 1444 frames, 3.1 MB as SVG; a 32x32 input's 900 frames are 1.9 MB and play inline).
`controls=True` adds step controls (previous, play/pause, next, a frame slider) in a few lines of script over the
inline SVG: no widget library. Nothing here imports the animation module: it is handed an animation."""

from __future__ import annotations

import base64
import html
import io
import itertools
import re
from typing import Any

EMBED_LIMIT = 2_000_000  # the most one output puts into a notebook (after base64)
SVG_LIMIT = EMBED_LIMIT  # the SVG is the smallest of the animated formats (a GIF frame costs about 3x more)
_ids = itertools.count()


class Shown:
    """What `Animation.show` returns: displays in Jupyter at the chosen width, with or without step controls."""

    def __init__(self, animation: Any, width: int | None = None, controls: bool = False) -> None:
        if width is not None and not 16 <= width <= 8000:
            from convanim.errors import SpecError

            raise SpecError(f"width: must be between 16 and 8000 pixels, got {width}")
        self.animation, self.width, self.controls = animation, width, controls

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return mimebundle(self.animation, self.width, self.controls)


def mimebundle(animation: Any, width: int | None = None, controls: bool = False) -> dict[str, str]:
    """The lightest faithful display: inline SVG, else a GIF, else the last frame; never over `EMBED_LIMIT`."""
    natural, height = animation.size
    svg = animation.to_bytes("svg").decode("utf-8")
    if len(svg.encode("utf-8")) <= SVG_LIMIT:
        sized = _sized_svg(svg, natural, height, width)
        if controls:
            return {"text/html": _player(sized, animation.frame_count, natural if width is None else width)}
        return {"image/svg+xml": sized}
    from convanim.backends.gif import write_gif

    gif = _Capped(EMBED_LIMIT * 3 // 4 - 200)  # base64 grows it by a third
    try:
        write_gif(animation.scene, gif)
        return {"text/html": _img("image/gif", gif.getvalue(), natural, width, animation)}
    except _TooLarge:
        pass  # stopped as soon as it outgrew the limit, not after encoding every frame
    png = io.BytesIO()
    animation.frame(animation.frame_count - 1).save(png, format="PNG", optimize=True)
    note = (f"<p>The last of {animation.frame_count} frames: the whole animation is too large to embed "
            f"({len(svg) / 1e6:.1f} MB as SVG, over {EMBED_LIMIT / 1e6:.0f} MB as a GIF). Save it: "
            f"<code>.save('x.svg')</code> or <code>.save('x.mp4')</code>.</p>")
    return {"text/html": _img("image/png", png.getvalue(), natural, width, animation) + note}


class _TooLarge(Exception):
    pass


class _Capped(io.BytesIO):
    """A buffer that refuses to grow past `limit` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.limit:
            raise _TooLarge
        return super().write(data)


def _sized_svg(svg: str, natural: int, height: int, width: int | None) -> str:
    """The root sized to `width`, or its own width, and never wider than the notebook (the viewBox keeps the
    aspect). Not width="100%": inside an `<img>` that leaves no intrinsic size, and small figures would be blown up."""
    size = f'width="{natural}" height="{height}"'
    if width is None:
        wanted = f'width="{natural}" style="max-width: 100%; height: auto"'
    else:
        wanted = f'width="{width}" height="{round(height * width / natural)}"'
    return svg.replace(size, wanted, 1)


def _img(mime: str, data: bytes, natural: int, width: int | None, animation: Any) -> str:
    style = f"width: 100%; max-width: {natural}px" if width is None else f"width: {width}px; max-width: 100%"
    title = html.escape(getattr(animation.scene, "title", "") or "convanim animation", quote=True)
    return (f'<img src="data:{mime};base64,{base64.b64encode(data).decode("ascii")}" alt="{title}" '
            f'style="{style}; height: auto">')


def _player(svg: str, frames: int, width: int) -> str:
    """The SVG with previous / play-pause / next buttons and a slider: SMIL's own clock, paused and set to the
    middle of a frame (clear of rounded key times), as the gallery page does."""
    ident = f"convanim-player-{next(_ids)}"
    svg = re.sub(r"^<svg ", f'<svg class="{ident}-svg" ', svg, count=1)
    return f"""<div id="{ident}" style="max-width: {width}px">
{svg}
<div style="display: flex; gap: 6px; align-items: center; font: 13px sans-serif">
<button data-action="prev" title="previous frame">&#9664;</button>
<button data-action="toggle" title="play or pause">Pause</button>
<button data-action="next" title="next frame">&#9654;</button>
<input data-action="seek" type="range" min="0" max="{frames - 1}" value="0" style="flex: 1">
<span data-role="label">frame 1 / {frames}</span>
</div>
<script>
(function () {{
  var root = document.getElementById("{ident}");
  var svg = root.querySelector("svg");
  if (!svg || typeof svg.pauseAnimations !== "function") {{ return; }}
  var durations = svg.getAttribute("data-durations-ms").split(",").map(function (ms) {{ return ms / 1000; }});
  var frames = durations.length, starts = [0];
  durations.forEach(function (d) {{ starts.push(starts[starts.length - 1] + d); }});
  var toggle = root.querySelector('[data-action="toggle"]'), seek = root.querySelector('[data-action="seek"]');
  var label = root.querySelector('[data-role="label"]'), playing = true;
  function current() {{
    var t = svg.getCurrentTime() % starts[frames], frame = 0;
    while (frame < frames - 1 && starts[frame + 1] <= t) {{ frame++; }}
    return frame;
  }}
  function show() {{
    var frame = current();
    label.textContent = "frame " + (frame + 1) + " / " + frames;
    seek.value = String(frame);
    root.setAttribute("data-frame", String(frame));
  }}
  function go(frame) {{
    frame = ((frame % frames) + frames) % frames;
    svg.pauseAnimations();
    svg.setCurrentTime(starts[frame] + durations[frame] / 2);
    playing = false;
    toggle.textContent = "Play";
    show();
  }}
  root.querySelector('[data-action="prev"]').onclick = function () {{ go(current() - 1); }};
  root.querySelector('[data-action="next"]').onclick = function () {{ go(current() + 1); }};
  seek.oninput = function () {{ go(parseInt(seek.value, 10)); }};
  toggle.onclick = function () {{
    playing = !playing;
    if (playing) {{ svg.unpauseAnimations(); }} else {{ svg.pauseAnimations(); }}
    toggle.textContent = playing ? "Pause" : "Play";
  }};
  (function tick() {{ if (playing) {{ show(); }} window.requestAnimationFrame(tick); }})();
}})();
</script>
</div>"""
