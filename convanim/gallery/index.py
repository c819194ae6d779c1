"""The gallery's index pages: README.md (a table that renders on a code-hosting site) and index.html (one
self-contained page for a lecturer: every animation inline, with its parameters, the output-size formula and
controls to play, pause and step frame by frame)."""

from __future__ import annotations

import hashlib
import html
import math
import re
from importlib import resources
from pathlib import Path
from typing import Any

from convanim.counts import macs, parameter_count, standard_convolution, weight_shape
from convanim.describe import AXIS_NAMES, general_formula, layer_name, output_formula, pytorch_code, shape_text
from convanim.spec import ConvSpec, output_shape
from convanim.templates import SKIP_BLOCKS, Template

README_INTRO = """\
# Gallery

Every animation below is built from a template in [`templates/`](../templates) by `convanim gallery`; the numbers and
the cells come from convanim's geometry engine, which agrees with PyTorch. Open [`index.html`](index.html) in a browser
to step through each one frame by frame. Render one yourself with `convanim render --template NAME -o NAME.gif`.
"""


def index_files(templates: list[Template], out_dir: Path,
                manifest: dict[str, dict[str, str]] | None = None) -> dict[str, str]:
    """File name -> text of each index page, from the templates and the SVGs already in `out_dir`. With a
    `manifest`, index.html inlines only an SVG whose hash the build recorded (never a file someone else put there)."""
    return {"README.md": readme_text(templates, out_dir), "index.html": html_text(templates, out_dir, manifest)}


def built_svg(template: Template, out_dir: Path, manifest: dict[str, dict[str, str]] | None) -> str | None:
    """The text of the template's SVG if the build wrote it (its sha256 is the manifest's), else None."""
    path = out_dir / f"{template.name}.svg"
    if "svg" not in template.formats or not path.is_file():
        return None
    data = path.read_bytes()
    if manifest is not None:
        entry = manifest.get(path.name)
        if not isinstance(entry, dict) or entry.get("sha256") != hashlib.sha256(data).hexdigest():
            return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


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
            (300, 400, "More shapes and padding"), (400, 440, "1d and 3d"), (440, 500, "Channels and blocks"),
            (500, 600, "Normalisation and dropout"))
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


def figure_specs(template: Template) -> list[Any]:
    """A norm or dropout template's specs (four for the four-panel figure)."""
    spec = template.figure_spec
    return spec if isinstance(spec, list) else [spec]


def figure_frames(template: Template) -> int:
    """Frames of a norm or dropout figure: one per statistic (the most of the four panels), or per step and eval."""
    if template.figure == "dropout":
        return int(template.figure_spec.steps) + 1
    return max(spec.statistic_count for spec in figure_specs(template))


def figure_layer(template: Template) -> str:
    """`nn.GroupNorm(2, 6)`; the four layers of the four-panel figure; Dropout against Dropout2d."""
    from convanim.normalisation import pytorch_layer

    if template.figure == "dropout":
        spec = template.figure_spec
        return f"{spec.element_layer} vs {spec.channel_layer}"
    return " · ".join(pytorch_layer(spec) for spec in figure_specs(template))


def shapes(template: Template) -> str:
    """`5x5x1 → 3x3x1`: the first layer's input and the last layer's output (spatial sizes, then channels); a
    figure's tensor shape (`4x6x3x3`)."""
    if template.figure:
        return "x".join(map(str, figure_specs(template)[0].shape))
    if template.block == "receptive_field":
        stack = template.staged_block
        return (f"{shape_text(stack.input_shape[1:], stack.input_shape[0])} \u2192 "
                f"{shape_text(stack.output_shape[1:], stack.output_shape[0])}")
    if template.block in SKIP_BLOCKS:
        block = template.staged_block
        return (f"{shape_text(block.input_shape[1:], block.input_shape[0])} \u2192 "
                f"{shape_text(block.output_shape[1:], block.output_shape[0])}")
    first, last = template.layers[0][1], template.layers[-1][1]
    return (f"{shape_text(first.input_size, first.in_channels)} \u2192 "
            f"{shape_text(output_shape(last), last.out_channels)}")


def layer_summary(template: Template) -> str:
    """`Conv2d 5x5x1 → 3x3x1`, or the block's kind for a block of several layers."""
    if template.figure:
        kind = "dropout" if template.figure == "dropout" else ", ".join(
            dict.fromkeys(spec.kind for spec in figure_specs(template))) + " norm"
        return f"{kind} {shapes(template)}"
    kind = template.block.replace("_", " ") if template.block else layer_name(template.spec)
    return f"{kind} {shapes(template)}"


def code(template: Template) -> str:
    """The PyTorch layer, or the layers of a block joined by arrows."""
    if template.figure:
        return figure_layer(template)
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


def html_text(templates: list[Template], out_dir: Path, manifest: dict[str, dict[str, str]] | None = None) -> str:
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
        cards.extend(_card(template, out_dir, manifest) for template in members)
        number += len(members)
    return PAGE.replace("{{toc}}", "\n".join(toc)).replace("{{cards}}", "\n".join(cards))


def section_id(heading: str) -> str:
    """`section-1d-and-3d`: an element id (never a template's name, which has no `section-` prefix)."""
    return "section-" + re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


def _card(template: Template, out_dir: Path, manifest: dict[str, dict[str, str]] | None) -> str:
    esc = html.escape
    svg = built_svg(template, out_dir, manifest)
    wide = ""
    if svg is not None:
        stage = inline_svg(svg, prefix=f"{template.name}-")
        controls = CONTROLS
        width = _SVG_WIDTH.search(stage)
        wide = " anim-wide" if width and int(width.group(1)) > WIDE else ""
    else:
        picture = _picture(template)
        stage = f'<img src="{picture}" alt="{esc(template.title)}">' if picture else ""
        controls = ""
    details = (_block_details(template) if template.block else _figure_details(template) if template.figure else
               _layer_details(template))
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
            f"<dt>Output size</dt><dd><code>{esc(general_formula(spec))}</code>"
            f"<ul class=\"anim-axes\">{axes}</ul></dd>\n"
            + _cost_details(spec))


def _figure_details(template: Template) -> str:
    """A norm figure's layer, shape, statistics and parameters; a dropout figure's layers, p and scale."""
    esc = html.escape
    if template.figure == "dropout":
        spec = template.figure_spec
        return (f"<dt>Layers</dt><dd><code>{esc(spec.element_layer)}</code>, <code>{esc(spec.channel_layer)}</code>"
                f"</dd>\n<dt>Shape</dt><dd>{esc(shapes(template))} <span class=\"anim-muted\">(one sample, "
                f"C first)</span></dd>\n<dt>Training</dt><dd>{_count(spec.steps, 'step')}, survivors ×"
                f"{spec.scale:.3g} = 1/(1−p); eval: identity</dd>")
    from convanim.normalisation import pytorch_layer

    specs = figure_specs(template)
    if len(specs) > 1:  # the four-panel figure: a line per kind
        rows = [f"<dt>{esc(spec.kind.title())} norm</dt><dd><code>{esc(pytorch_layer(spec))}</code>: "
                f"{_count(spec.statistic_count, 'statistic')} of {_count(spec.elements_per_statistic, 'element')}, "
                f"{_count(spec.parameters, 'parameter')}</dd>" for spec in specs]
    else:
        spec = specs[0]
        rows = [f"<dt>Layer</dt><dd><code>{esc(pytorch_layer(spec))}</code></dd>\n"
                f"<dt>Statistics</dt><dd>{_statistics(spec)}, {_count(spec.elements_per_statistic, 'element')} "
                f"each</dd>\n"
                f"<dt>Parameters</dt><dd>{spec.parameters:,}</dd>"]
    return f"<dt>Shape</dt><dd>{esc(shapes(template))}</dd>\n" + "\n".join(rows)


def _statistics(spec: Any) -> str:
    if spec.kind == "weight":
        return _count(spec.statistic_count, "norm")
    return f"{_count(spec.statistic_count, 'mean')} and as many variances"


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
    if template.block == "receptive_field":
        return _stack_details(template)
    stages = "".join(f"<li><span>{esc(stage.name)}</span> <code>{esc(pytorch_code(stage.spec))}</code></li>"
                     for stage in block.stages)
    if template.block in SKIP_BLOCKS:
        field = "\u00d7".join(str(axis.field) for axis in block.receptive_field())
        return (f"<dt>Layers</dt><dd><ul class=\"anim-axes anim-stages\">{stages}</ul></dd>\n"
                f"<dt>Shape</dt><dd>{esc(shapes(template))} "
                f"<span class=\"anim-muted\">(spatial \u00d7 channels)</span></dd>\n"
                f"<dt>Receptive field</dt><dd>{field} through the largest "
                f"path</dd>\n"
                f"<dt>Cost</dt><dd>{block.parameters:,} parameters (BatchNorm included) and {block.macs:,} MACs</dd>")
    (params, reference_params), (macs, reference_macs) = block.parameters(), block.macs()
    return (f"<dt>Layers</dt><dd><ul class=\"anim-axes anim-stages\">{stages}</ul></dd>\n"
            f"<dt>Shape</dt><dd>{esc(shapes(template))} "
            f"<span class=\"anim-muted\">(spatial \u00d7 channels)</span></dd>\n"
            f"<dt>Cost</dt><dd>{params:,} parameters and {macs:,} MACs, against {reference_params:,} and "
            f"{reference_macs:,} for the standard <code>{esc(pytorch_code(block.reference))}</code></dd>")


def _stack_details(template: Template) -> str:
    esc, stack = html.escape, template.staged_block

    def axes(values: tuple[object, ...]) -> str:
        return "\u00d7".join(map(str, values))

    rows = "".join(f"<li><span>r = {axes(layer.receptive_field)}</span> <code>{esc(layer.expression)}</code></li>"
                   for layer in stack.layers)
    last = stack.layers[-1]
    return (f"<dt>Layers</dt><dd><ul class=\"anim-axes anim-stages\">{rows}</ul></dd>\n"
            f"<dt>Receptive field</dt><dd>{axes(last.receptive_field)}, effective stride "
            f"{axes(last.effective_stride)}, effective padding {axes(last.effective_padding)} "
            f"<span class=\"anim-muted\">(Araujo, Norris and Sim, Distill 2019)</span></dd>\n"
            f"<dt>Cost</dt><dd>{stack.parameters:,} parameters and {stack.macs:,} MACs</dd>")


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


# The page around the cards: HTML, CSS and script as one package data file (with {{toc}} and {{cards}} slots).
PAGE = resources.files("convanim.gallery").joinpath("page.html").read_text(encoding="utf-8")

