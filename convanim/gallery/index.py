"""The gallery's index pages: README.md (a table that renders on a code-hosting site) and index.html (one
self-contained page for a lecturer: every animation inline, with its parameters, the output-size formula and
controls to play, pause and step frame by frame)."""

from __future__ import annotations

import dataclasses
import html
import math
import re
from pathlib import Path

from convanim.describe import AXIS_NAMES, general_formula, layer_name, output_formula, pytorch_code, shape_text
from convanim.counts import macs, parameter_count, standard_convolution, weight_shape
from convanim.spec import ConvSpec, make_spec, output_shape
from convanim.templates import Template

README_INTRO = """\
# Gallery

Every animation below is built from a template in [`templates/`](../templates) by `convanim gallery`; the numbers and
the cells come from convanim's geometry engine, which agrees with PyTorch. Open [`index.html`](index.html) in a browser
to step through each one frame by frame. Render one yourself with `convanim render --template NAME -o NAME.gif`.
"""


def index_files(templates: list[Template], out_dir: Path) -> dict[str, str]:
    """File name -> text of each index page, from the templates and the SVGs already in `out_dir`."""
    return {"README.md": readme_text(templates, out_dir), "index.html": html_text(templates, out_dir)}


def figure_width(template: Template, out_dir: Path) -> int | None:
    """The animation's width in pixels (its SVG's `width`, the same as the GIF's), None without an SVG."""
    path = out_dir / f"{template.name}.svg"
    if "svg" not in template.formats or not path.is_file():
        return None
    with path.open(encoding="utf-8") as handle:
        width = _SVG_WIDTH.search(handle.read(2000))
    return int(width.group(1)) if width else None


# Sections of the gallery by the templates' `order`: [first, end) -> heading. The packaged templates use one range
# per section; a template outside every range goes under OTHER_SECTION.
SECTIONS = ((0, 100, "Convolution arithmetic"), (100, 200, "Transposed convolution"), (200, 300, "Numbers"),
            (300, 400, "More shapes and padding"), (400, 440, "1d and 3d"), (440, 500, "Channels and blocks"))
OTHER_SECTION = "More"


def section(template: Template) -> str:
    return next((heading for first, end, heading in SECTIONS if first <= template.order < end), OTHER_SECTION)


def sections(templates: list[Template]) -> list[tuple[str, list[Template]]]:
    """(heading, templates) runs in gallery order; one run with heading "" when everything is in one section
    (a folder of templates without `order` gets no headings that would not fit it)."""
    runs: list[tuple[str, list[Template]]] = []
    for template in templates:
        heading = section(template)
        if runs and runs[-1][0] == heading:
            runs[-1][1].append(template)
        else:
            runs.append((heading, [template]))
    return [("", list(templates))] if len(runs) <= 1 else runs


def short_title(title: str, heading: str) -> str:
    """The title without a prefix its section heading already says: "Transposed: no padding" under "Transposed
    convolution" is "No padding"."""
    prefix, colon, rest = title.partition(": ")
    if colon and rest and heading.lower().startswith(prefix.lower()):
        return rest[0].upper() + rest[1:]
    return title


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


# README.md on a code-hosting site (a column about 900 px wide). Each section is one HTML table (a Markdown table
# would let a long caption squeeze its figure to a sliver): figures up to README_WIDE px sit beside their text at
# their drawn size (scaled down, their 12-14 px labels became unreadable), in a cell held at that width; wider ones
# span both columns at full size, which the site scales down to the column if need be.
README_WIDE = 520
README_SCALE = 1.0
README_DEFAULT_WIDTH = 380  # a figure whose size is unknown (no SVG)
CELL_PADDING = 26  # the site's padding either side of a table cell


def readme_text(templates: list[Template], out_dir: Path) -> str:
    groups = sections(templates)
    lines = [README_INTRO]
    if len(groups) > 1:
        lines += [" \u00b7 ".join(f"[{heading}](#{_github_anchor(heading)})" for heading, _ in groups), ""]
    for heading, members in groups:
        if heading:
            lines += [f"## {heading}", ""]
        lines.append("<table>")
        lines += [_readme_row(template, figure_width(template, out_dir)) for template in members]
        lines += ["</table>", ""]
    return "\n".join(lines)


def _readme_row(template: Template, width: int | None) -> str:
    def esc(text: str) -> str:
        return html.escape(text, quote=False)

    alt = html.escape(template.title)
    text = (f"<b>{esc(template.title)}</b> (<code>{template.name}</code>)<br>{esc(template.caption)}<br>"
            f"<code>{esc(code(template))}</code>, {esc(shapes(template))}")
    picture = _picture(template)
    if width is not None and width > README_WIDE:
        image = f'<p align="center"><img src="{picture}" width="{width}" alt="{alt}"></p>\n' if picture else ""
        return f'<tr><td colspan="2">\n{image}{text}\n</td></tr>'
    shown = README_DEFAULT_WIDTH if width is None else round(width * README_SCALE)
    image = f'<img src="{picture}" width="{shown}" alt="{alt}">' if picture else ""
    return f'<tr>\n<td width="{shown + CELL_PADDING}" align="center">{image}</td>\n<td>{text}</td>\n</tr>'


def _github_anchor(heading: str) -> str:
    """The anchor a code-hosting site gives a Markdown heading: lower case, punctuation dropped, spaces to -."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def _picture(template: Template) -> str | None:
    for fmt in ("gif", "webp", "apng", "png", "svg"):
        if fmt in template.formats:
            return f"{template.name}.{fmt}"
    return None


def html_text(templates: list[Template], out_dir: Path) -> str:
    toc: list[str] = []
    cards: list[str] = []
    number = 1
    for heading, members in sections(templates):
        entries = "\n".join(f'<li><a href="#{t.name}">{html.escape(short_title(t.title, heading))}</a></li>'
                             for t in members)
        label = ""
        if heading:
            anchor = section_id(heading)
            label = f'<p class="toc-heading"><a href="#{anchor}">{html.escape(heading)}</a></p>\n'
            cards.append(f'<h2 class="section-heading" id="{anchor}">{html.escape(heading)}</h2>')
        toc.append(f'<div class="toc-section">\n{label}<ol start="{number}">\n{entries}\n</ol>\n</div>')
        cards.extend(_card(template, out_dir) for template in members)
        number += len(members)
    return PAGE.replace("{{toc}}", "\n".join(toc)).replace("{{cards}}", "\n".join(cards))


def section_id(heading: str) -> str:
    """`section-1d-and-3d`: an element id (never a template's name, which has no `section-` prefix)."""
    return "section-" + re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


def _card(template: Template, out_dir: Path) -> str:
    esc = html.escape
    svg_path = out_dir / f"{template.name}.svg"
    wide = ""
    if "svg" in template.formats and svg_path.is_file():
        stage = inline_svg(svg_path.read_text(encoding="utf-8"), prefix=f"{template.name}-")
        controls = CONTROLS
        width = _SVG_WIDTH.search(stage)
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
<h3>{esc(template.title)}</h3>
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
            f"<dt>Output size</dt><dd><code>{esc(general_formula(spec))}</code><ul class=\"anim-axes\">{axes}</ul></dd>\n"
            + _cost_details(spec))


def _times(values: tuple[int, ...]) -> str:
    return "\u00d7".join(str(v) for v in values)


def _count(number: int, noun: str, plural: str = "") -> str:
    """`1 channel`, `3 channels`."""
    return f"{number:,}\u00a0{noun if number == 1 else plural or noun + 's'}"


def _counted(values: tuple[int, ...], noun: str) -> str:
    """`9 output positions (3x3)`; a 1d size needs no brackets."""
    total = _count(math.prod(values), noun)
    return total if len(values) == 1 else f"{total} ({_times(values)})"


def _cost_details(spec: ConvSpec) -> str:
    """Parameters (weights and biases), MACs (window reads for pooling) and, for a grouped, depthwise or 1x1
    layer, the standard convolution between the same shapes."""
    muted = '<span class="anim-muted">{}</span>'.format
    if spec.is_pool:
        return (f"<dt>Parameters</dt><dd>0 {muted('(pooling has no weights)')}</dd>\n"
                f"<dt>Window reads</dt><dd>{macs(spec):,} = {_counted(output_shape(spec), 'output position')} "
                f"\u00d7 {_count(spec.in_channels, 'channel')} \u00d7 {_counted(spec.kernel_size, 'window cell')}"
                f"</dd>")
    weights, biases = parameter_count(spec)
    per_group = "/groups" if spec.groups > 1 else ""
    axes = f"in \u00d7 out{per_group}" if spec.transposed else f"out \u00d7 in{per_group}"
    bias = f" + {_count(biases, 'bias', 'biases')}" if spec.bias else f" {muted('(no bias)')}"
    layout = muted(f"({_times(weight_shape(spec))}: {axes} \u00d7 kernel)")
    lines = [f"<dt>Parameters</dt><dd>{weights + biases:,} = {_count(weights, 'weight')} {layout}{bias}</dd>"]
    group = " per group" if spec.groups > 1 else ""
    if spec.transposed:
        reads = (f"{_counted(spec.input_size, 'input position')} \u00d7 {_count(spec.in_channels, 'input channel')} "
                 f"\u00d7 {_count(spec.out_channels // spec.groups, 'output channel')}{group}")
    else:
        reads = (f"{_counted(output_shape(spec), 'output position')} \u00d7 "
                 f"{_count(spec.out_channels, 'output channel')} \u00d7 "
                 f"{_count(spec.in_channels // spec.groups, 'input channel')}{group}")
    note = (" " + muted("(each input is scattered through the kernel; the figure's direct view also multiplies the "
                        "inserted and padding zeros, which costs nothing)") if spec.transposed else "")
    lines.append(f"<dt>MACs</dt><dd>{macs(spec):,} = {reads} \u00d7 {_counted(spec.kernel_size, 'kernel tap')}"
                 f"{note}</dd>")
    comparison = standard_comparison(spec)
    if comparison:
        lines.append(f"<dt>Standard conv</dt><dd>{comparison}</dd>")
    return "\n".join(lines)


def standard_comparison(spec: ConvSpec) -> str:
    """HTML comparing the layer's parameters and MACs with `standard_convolution`'s; "" when there is none."""
    standard = standard_convolution(spec)
    if standard is None:
        return ""
    params, standard_params = sum(parameter_count(spec)), sum(parameter_count(standard))
    if spec.groups > 1:
        kind = "Depthwise, with" if spec.groups == spec.in_channels else "With"
        why = (f"{kind} <code>groups={spec.groups}</code> each filter reads {spec.in_channels // spec.groups} of the "
               f"{spec.in_channels} input channels: 1/{spec.groups} of the weights and MACs.")
    else:
        why = (f"A 1\u00d71 kernel mixes the channels at each position and sees no neighbours: "
               f"1/{math.prod(standard.kernel_size)} of the weights and MACs.")
    return (f"<code>{html.escape(pytorch_code(standard))}</code> between the same shapes: "
            f"{standard_params:,} parameters and {macs(standard):,} MACs, against this layer's {params:,} and "
            f"{macs(spec):,}. {why}")


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
_SVG_WIDTH = re.compile(r'<svg\b[^>]*?\swidth="(\d+)')


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
:root { --ink: #1d2330; --muted: #5d6678; --line: #dde1e8; --paper: #ffffff; --ground: #f3f4f7; --accent: #2b5fb3;
  color-scheme: light dark; }
@media (prefers-color-scheme: dark) {  /* every text colour keeps >= 4.5:1 on the card and on the page */
  :root { --ink: #e4e7ee; --muted: #a6afc0; --line: #353c4a; --paper: #1c2029; --ground: #13161c; --accent: #8db4f5; }
  .anim-stage svg, .anim-stage img { border-radius: 6px; }  /* the figures keep their own light ground */
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--ground); color: var(--ink);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header { max-width: 1240px; margin: 0 auto; padding: 40px 24px 8px; }
h1 { font-size: 2rem; margin: 0 0 6px; letter-spacing: -0.01em; }
header p { margin: 0 0 14px; color: var(--muted); max-width: 70ch; }
kbd { font: 0.85em ui-monospace, monospace; border: 1px solid var(--line); border-bottom-width: 2px;
  border-radius: 4px; padding: 0 5px; background: var(--paper); }
nav { columns: 3 17em; column-gap: 2.5em; font-size: 0.92rem; line-height: 1.45; }
.toc-section { break-inside: avoid; padding-bottom: 14px; }
.toc-heading { margin: 0 0 3px; font-size: 0.8rem; font-weight: 600; letter-spacing: 0.05em; text-transform: uppercase; }
.toc-heading a { color: var(--muted); }
nav ol { margin: 0; padding-left: 2.2em; color: var(--muted); }  /* room for "33." inside the column */
nav li { margin: 1px 0; }
nav a { color: var(--accent); text-decoration: none; }
nav a:hover { text-decoration: underline; }
.section-heading { font-size: 1.1rem; font-weight: 600; letter-spacing: 0.05em; text-transform: uppercase;
  color: var(--muted); margin: 40px 0 14px; }
main > .section-heading:first-child { margin-top: 12px; }
main { max-width: 1240px; margin: 0 auto; padding: 16px 24px 48px; }
.anim { display: grid; grid-template-columns: fit-content(600px) minmax(0, 1fr); grid-template-rows: auto 1fr;
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
.anim-info h3 { font-size: 1.35rem; margin: 0 0 6px; }
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
<nav aria-label="Contents">
{{toc}}
</nav>
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
