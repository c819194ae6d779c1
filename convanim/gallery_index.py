"""The gallery's index pages: README.md (a table that renders on a code-hosting site) and index.html (one
self-contained page for a lecturer: every animation inline, with its parameters, the output-size formula and
controls to play, pause and step frame by frame)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from .explain import AXIS_NAMES, general_formula, layer_name, output_formula, pytorch_code, shape_text
from .spec import output_shape
from .templates import Template

README_INTRO = """\
# Gallery

Every animation below is built from a template in [`templates/`](../templates) by `convanim gallery`; the numbers and
the cells come from convanim's geometry engine, which agrees with PyTorch. Open [`index.html`](index.html) in a browser
to step through each one frame by frame. Render one yourself with `convanim render --template NAME -o NAME.gif`.
"""


def index_files(templates: list[Template], out_dir: Path) -> dict[str, str]:
    """File name -> text of each index page, from the templates and the SVGs already in `out_dir`."""
    return {"README.md": readme_text(templates), "index.html": html_text(templates, out_dir)}


def shapes(template: Template) -> str:
    """`5x5x1 → 3x3x1`: the first layer's input and the last layer's output (spatial sizes, then channels)."""
    first, last = template.layers[0][1], template.layers[-1][1]
    return (f"{shape_text(first.input_size, first.in_channels)} \u2192 "
            f"{shape_text(output_shape(last), last.out_channels)}")


def layer_summary(template: Template) -> str:
    """`Conv2d 5x5x1 → 3x3x1`, or the block's kind for a block of several layers."""
    kind = template.block.replace("_", " ") if template.block else layer_name(template.spec)
    return f"{kind} {shapes(template)}"


def code(template: Template) -> str:
    """The PyTorch layer, or the layers of a block joined by arrows."""
    return " \u2192 ".join(pytorch_code(spec) for _, spec in template.layers)


def readme_text(templates: list[Template]) -> str:
    lines = [README_INTRO, "| Animation | What it shows |", "| :---: | --- |"]
    for template in templates:
        picture = _picture(template)
        cell = picture if picture is None else (f'<img src="{picture}" width="300" '
                                                f'alt="{html.escape(template.title)}">')
        text = (f"**{_md(template.title)}** (`{template.name}`)<br>{_md(template.caption)}<br>"
                f"`{code(template)}`, {shapes(template)}")
        lines.append(f"| {cell or ''} | {text} |")
    return "\n".join(lines) + "\n"


def _picture(template: Template) -> str | None:
    for fmt in ("gif", "webp", "apng", "png", "svg"):
        if fmt in template.formats:
            return f"{template.name}.{fmt}"
    return None


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def html_text(templates: list[Template], out_dir: Path) -> str:
    cards = "\n".join(_card(template, out_dir) for template in templates)
    toc = "\n".join(f'<li><a href="#{t.name}">{html.escape(t.title)}</a></li>' for t in templates)
    return PAGE.replace("{{toc}}", toc).replace("{{cards}}", cards)


def _card(template: Template, out_dir: Path) -> str:
    esc = html.escape
    svg_path = out_dir / f"{template.name}.svg"
    wide = ""
    if "svg" in template.formats and svg_path.is_file():
        stage = inline_svg(svg_path.read_text(encoding="utf-8"), prefix=f"{template.name}-")
        controls = CONTROLS
        width = re.search(r'<svg\b[^>]*?\swidth="(\d+)', stage)
        wide = " anim-wide" if width and int(width.group(1)) > WIDE else ""
    else:
        picture = _picture(template)
        stage = f'<img src="{picture}" alt="{esc(template.title)}">' if picture else ""
        controls = ""
    details = _block_details(template) if template.block else _layer_details(template)
    files = " \u00b7 ".join(f'<a href="{template.name}.{fmt}">{fmt.upper()}</a>' for fmt in template.formats)
    return f"""<section class="anim{wide}" id="{template.name}" tabindex="0" aria-label="{esc(template.title)}">
<div class="anim-stage">{stage}</div>
{controls}<div class="anim-info">
<h2>{esc(template.title)}</h2>
<p class="anim-caption">{esc(template.caption)}</p>
<dl>
{details}
</dl>
<p class="anim-files">{files} \u00b7 <code>convanim render --template {template.name} -o {template.name}.gif</code></p>
</div>
</section>"""


def _layer_details(template: Template) -> str:
    spec, esc = template.spec, html.escape
    axes = "".join(f"<li><span>{name}</span> <code>{esc(output_formula(spec, axis))}</code></li>"
                   for axis, name in enumerate(AXIS_NAMES[spec.dims]))
    return (f"<dt>Layer</dt><dd><code>{esc(pytorch_code(spec))}</code></dd>\n"
            f"<dt>Shape</dt><dd>{esc(layer_summary(template))} <span class=\"anim-muted\">(spatial \u00d7 channels)"
            f"</span></dd>\n"
            f"<dt>Output size</dt><dd><code>{esc(general_formula(spec))}</code><ul class=\"anim-axes\">{axes}</ul></dd>")


def _block_details(template: Template) -> str:
    esc, block = html.escape, template.staged_block
    stages = "".join(f"<li><span>{esc(stage.name)}</span> <code>{esc(pytorch_code(stage.spec))}</code></li>"
                     for stage in block.stages)
    (params, reference_params), (macs, reference_macs) = block.parameters(), block.macs()
    return (f"<dt>Layers</dt><dd><ul class=\"anim-axes anim-stages\">{stages}</ul></dd>\n"
            f"<dt>Shape</dt><dd>{esc(shapes(template))} <span class=\"anim-muted\">(spatial \u00d7 channels)</span></dd>\n"
            f"<dt>Cost</dt><dd>{params:,} parameters and {macs:,} MACs, against {reference_params:,} and "
            f"{reference_macs:,} for the standard <code>{esc(pytorch_code(block.reference))}</code></dd>")


CONTROLS = """<div class="anim-controls">
<button type="button" data-action="prev" title="Previous frame (left arrow)">&#9664; Prev</button>
<button type="button" data-action="toggle" title="Play or pause (space)">Pause</button>
<button type="button" data-action="next" title="Next frame (right arrow)">Next &#9654;</button>
<span class="anim-frame" aria-live="polite"></span>
</div>
"""

WIDE = 720  # pixels: a wider animation gets the card's whole width, with its text below

_ID = re.compile(r'\bid="([^"]+)"')


def inline_svg(svg: str, prefix: str) -> str:
    """An SVG file's root element, ready to sit inside an HTML page beside others: its ids get `prefix`, so that
    the `<use>` references and SMIL timings of one animation never reach into another."""
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    ids = set(_ID.findall(body))
    if not ids:
        return body.strip()

    def rename(match: re.Match[str]) -> str:
        name = match.group(2)
        return f"{match.group(1)}{prefix}{name}" if name in ids else match.group(0)

    body = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', body)
    body = re.sub(r'((?:xlink:)?href="#|url\(#)([^")]+)', rename, body)
    # SMIL sync-base timing: begin="f3.end" or begin="0s;f3.end+1s" names another animation element by id
    body = re.sub(r'\b((?:begin|end)=")([^"]*)"',
                  lambda m: m.group(1) + re.sub(r'(^|[;\s])([\w.-]+?)(\.(?:begin|end|repeat))',
                                                lambda t: (t.group(1) + (prefix if t.group(2) in ids else "")
                                                           + t.group(2) + t.group(3)), m.group(2)) + '"', body)
    return body.strip()


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>convanim gallery</title>
<style>
:root { --ink: #1d2330; --muted: #5d6678; --line: #dde1e8; --paper: #ffffff; --ground: #f3f4f7; --accent: #2b5fb3; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--ground); color: var(--ink);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header { max-width: 1240px; margin: 0 auto; padding: 40px 24px 8px; }
h1 { font-size: 2rem; margin: 0 0 6px; letter-spacing: -0.01em; }
header p { margin: 0 0 14px; color: var(--muted); max-width: 70ch; }
kbd { font: 0.85em ui-monospace, monospace; border: 1px solid var(--line); border-bottom-width: 2px;
  border-radius: 4px; padding: 0 5px; background: var(--paper); }
nav ol { columns: 3 16em; margin: 0; padding-left: 1.4em; color: var(--muted); font-size: 0.92rem; }
nav a { color: var(--accent); text-decoration: none; }
nav a:hover { text-decoration: underline; }
main { max-width: 1240px; margin: 0 auto; padding: 16px 24px 48px; }
.anim { display: grid; grid-template-columns: minmax(0, 600px) minmax(0, 1fr); grid-template-rows: auto 1fr;
  column-gap: 36px; background: var(--paper); border: 1px solid var(--line); border-radius: 12px;
  padding: 28px; margin: 0 0 28px; box-shadow: 0 1px 2px rgba(20, 30, 50, 0.05); outline: none; }
.anim:focus-visible { border-color: var(--accent); box-shadow: 0 0 0 3px rgba(43, 95, 179, 0.2); }
.anim-stage { grid-column: 1; grid-row: 1; display: flex; align-items: center; justify-content: center; min-height: 200px; }
.anim-stage svg, .anim-stage img { display: block; width: auto; max-width: 100%; height: auto; }  /* one scale for all */
.anim-controls { grid-column: 1; grid-row: 2; display: flex; gap: 8px; align-items: center; justify-content: center;
  margin-top: 14px; align-self: start; }
.anim-controls button { font: inherit; font-size: 0.92rem; padding: 6px 14px; border: 1px solid var(--line);
  border-radius: 8px; background: var(--ground); color: var(--ink); cursor: pointer; min-width: 5.5em; }
.anim-controls button:hover { border-color: var(--accent); color: var(--accent); }
.anim-frame { font: 0.9rem ui-monospace, "DejaVu Sans Mono", monospace; color: var(--muted); min-width: 9em;
  text-align: right; }
.anim-info { grid-column: 2; grid-row: 1 / span 2; min-width: 0; }
.anim-info h2 { font-size: 1.35rem; margin: 0 0 6px; }
.anim-caption { margin: 0 0 18px; }
dl { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 8px 16px; font-size: 0.95rem; }
dt { color: var(--muted); }
dd { margin: 0; min-width: 0; }
code { font: 0.88em ui-monospace, "DejaVu Sans Mono", Menlo, monospace; background: var(--ground);
  border-radius: 4px; padding: 1px 5px; overflow-wrap: anywhere; }
.anim-axes { list-style: none; margin: 6px 0 0; padding: 0; }
.anim-axes li { margin: 4px 0; display: grid; grid-template-columns: 4.5em 1fr; align-items: baseline; }
.anim-axes span { color: var(--muted); }
.anim-stages li { grid-template-columns: 9.5em 1fr; }
.anim-axes code { justify-self: start; line-height: 1.45; padding: 2px 6px; }
.anim-muted { color: var(--muted); }
.anim-files { margin: 18px 0 0; font-size: 0.9rem; color: var(--muted); }
.anim-files a { color: var(--accent); }
.anim-wide { grid-template-columns: 1fr; grid-template-rows: auto; }
.anim-wide .anim-stage, .anim-wide .anim-controls, .anim-wide .anim-info { grid-column: 1; grid-row: auto; }
.anim-wide .anim-info { margin-top: 20px; max-width: 860px; justify-self: center; width: 100%; }
@media (max-width: 900px) {
  .anim { grid-template-columns: 1fr; grid-template-rows: auto; }
  .anim-stage, .anim-controls, .anim-info { grid-column: 1; grid-row: auto; }
  .anim-info { margin-top: 20px; }
}
</style>
</head>
<body>
<header>
<h1>Convolution animations</h1>
<p>Each animation shows exactly which input cells a layer reads for each output cell, computed by convanim's geometry
engine, which agrees with PyTorch. Click an animation's buttons, or focus it and press <kbd>&larr;</kbd> and
<kbd>&rarr;</kbd> to step, <kbd>space</kbd> to play or pause.</p>
<nav><ol>
{{toc}}
</ol></nav>
</header>
<main>
{{cards}}
</main>
<script>
"use strict";
(function () {
  function setUp(card) {
    var svg = card.querySelector(".anim-stage > svg");
    var label = card.querySelector(".anim-frame");
    var toggle = card.querySelector('[data-action="toggle"]');
    if (!svg || !label || typeof svg.pauseAnimations !== "function") { return null; }
    var frames = Math.max(1, parseInt(svg.getAttribute("data-frames") || "1", 10));
    var perFrame = parseFloat(svg.getAttribute("data-seconds-per-frame") || "1") || 1;
    var durations = (svg.getAttribute("data-durations-ms") || "").split(",").map(function (ms) {
      return parseFloat(ms) / 1000;
    });
    if (durations.length !== frames || durations.some(isNaN)) {
      durations = [];
      for (var i = 0; i < frames; i++) { durations.push(perFrame); }
    }
    var starts = [0];
    durations.forEach(function (d) { starts.push(starts[starts.length - 1] + d); });
    var cycle = starts[frames];
    var playing = true;
    function current() {
      var t = svg.getCurrentTime() % cycle;
      var frame = 0;
      while (frame < frames - 1 && starts[frame + 1] <= t) { frame++; }
      return frame;
    }
    function show() {
      var frame = current();
      label.textContent = "frame " + (frame + 1) + " / " + frames;
      card.setAttribute("data-frame", String(frame));
    }
    function go(frame) {
      frame = ((frame % frames) + frames) % frames;
      svg.pauseAnimations();
      svg.setCurrentTime(starts[frame] + durations[frame] / 2);  /* mid-frame: clear of rounded key times */
      playing = false;
      toggle.textContent = "Play";
      show();
    }
    function play(on) {
      playing = on;
      if (on) { svg.unpauseAnimations(); } else { svg.pauseAnimations(); }
      toggle.textContent = on ? "Pause" : "Play";
      show();
    }
    card.querySelector('[data-action="prev"]').addEventListener("click", function () { go(current() - 1); });
    card.querySelector('[data-action="next"]').addEventListener("click", function () { go(current() + 1); });
    toggle.addEventListener("click", function () { play(!playing); });
    card.addEventListener("keydown", function (event) {
      if (event.target !== card) { return; }
      if (event.key === "ArrowLeft") { go(current() - 1); event.preventDefault(); }
      else if (event.key === "ArrowRight") { go(current() + 1); event.preventDefault(); }
      else if (event.key === " ") { play(!playing); event.preventDefault(); }
    });
    show();
    return function () { if (playing) { show(); } };
  }
  var ticks = [];
  document.querySelectorAll(".anim").forEach(function (card) {
    var tick = setUp(card);
    if (tick) { ticks.push(tick); }
  });
  function loop() { ticks.forEach(function (tick) { tick(); }); window.requestAnimationFrame(loop); }
  window.requestAnimationFrame(loop);
})();
</script>
</body>
</html>
"""
