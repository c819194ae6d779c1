"""The gallery: builds what is stale and nothing else, checks by hashes, writes atomically, indexes every animation.

Most tests use a fake renderer (deterministic bytes per template) so that they test the gallery, not the drawing;
the last ones build real animations."""

from __future__ import annotations

import importlib.util
import io
import json
import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from gallery_fakes import RENDERS, SMALL, failing_render, fake_render

from convanim import make_spec
from convanim.counts import macs, parameter_count
from convanim.describe import pytorch_code
from convanim.gallery import builder as gallery
from convanim.gallery import index as gallery_index
from convanim.gallery.index import inline_svg
from convanim.spec import SpecError, output_shape
from convanim.templates import load_templates

ROOT = Path(__file__).resolve().parent.parent
HAS_RENDERER = importlib.util.find_spec("convanim.animation") is not None


def build(templates_dir: Path, out: Path, **options: object) -> gallery.BuildReport:
    return gallery.build(load_templates(templates_dir), out, render=fake_render, **options)  # type: ignore[arg-type]


def test_a_first_build_renders_everything_and_a_second_nothing(templates_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "gallery"
    first = build(templates_dir, out, jobs=1)
    assert first.built == sorted(f"{n}.{f}" for n in SMALL for f in ("gif", "svg"))
    assert sorted(p.name for p in out.iterdir()) == sorted([*first.built, "README.md", "index.html", "manifest.json"])
    manifest = json.loads((out / "manifest.json").read_text())["outputs"]
    assert set(manifest) == set(first.built)
    assert all(set(entry) == {"template", "renderer", "sha256"} for entry in manifest.values())
    assert gallery.check(load_templates(templates_dir), out) == []
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    RENDERS.clear()
    second = build(templates_dir, out, jobs=1)
    assert (second.built, RENDERS, len(second.up_to_date)) == ([], [], 6)
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()} == before  # nothing rewritten


def test_a_changed_template_is_named_by_check_and_alone_rebuilt(templates_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "gallery"
    build(templates_dir, out, jobs=1)
    path = templates_dir / "padding_strides.toml"
    path.write_text(path.read_text().replace("stride = 2", "stride = 1"))
    problems = gallery.check(load_templates(templates_dir), out)
    assert problems[:2] == ["padding_strides.gif: template changed", "padding_strides.svg: template changed"]
    assert any(p.startswith("README.md: differs") for p in problems)  # the index shows the new layer
    RENDERS.clear()
    report = build(templates_dir, out, jobs=1)
    assert (report.built, RENDERS) == (["padding_strides.gif", "padding_strides.svg"], ["padding_strides"])
    assert gallery.check(load_templates(templates_dir), out) == []


def test_a_title_change_rebuilds_only_the_index(templates_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "gallery"
    build(templates_dir, out, jobs=1)
    path = templates_dir / "padding_strides.toml"
    path.write_text(path.read_text().replace('title = "Padding and strides"', 'title = "Strided and padded"'))
    assert gallery.check(load_templates(templates_dir), out) == [
        "README.md: differs from the index the templates and outputs give",
        "index.html: differs from the index the templates and outputs give"]
    assert build(templates_dir, out, jobs=1).built == []
    assert "Strided and padded" in (out / "index.html").read_text()


def test_check_names_renderer_changes_edited_missing_and_extra_files(templates_dir: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "gallery"
    build(templates_dir, out, jobs=1)
    templates = load_templates(templates_dir)
    (out / "padding_strides.gif").write_bytes(b"edited by hand")
    (out / "no_padding_no_strides.svg").unlink()
    (out / "old_name.gif").write_bytes(b"GIF89a")
    assert gallery.check(templates, out) == [
        "no_padding_no_strides.svg: missing",
        "padding_strides.gif: file differs from the one built",
        "index.html: differs from the index the templates and outputs give",  # it inlines the SVGs
        "old_name.gif: no template produces it (remove it, or pass clean=True)"]
    monkeypatch.setattr(gallery, "renderer_hash", lambda package_dir=None: "a different renderer")
    assert "numerical_max_pooling.gif: renderer changed" in gallery.check(templates, out)


def test_clean_removes_files_no_template_produces(templates_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "gallery"
    build(templates_dir, out, jobs=1)
    (templates_dir / "padding_strides.toml").unlink()
    report = build(templates_dir, out, jobs=1, clean=True)
    assert report.removed == ["padding_strides.gif", "padding_strides.svg"]
    assert "padding_strides" not in json.loads((out / "manifest.json").read_text())["outputs"]
    assert gallery.check(load_templates(templates_dir), out) == []


def test_only_builds_the_named_templates_and_refuses_unknown_names(templates_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "gallery"
    assert build(templates_dir, out, jobs=1, only=["padding_strides"]).built == [
        "padding_strides.gif", "padding_strides.svg"]
    assert build(templates_dir, out, jobs=1, only=["padding_strides,no_padding_no_strides"], force=True).built == [
        "no_padding_no_strides.gif", "no_padding_no_strides.svg", "padding_strides.gif", "padding_strides.svg"]
    with pytest.raises(SpecError, match="only: no template named 'padding_stride'"):
        build(templates_dir, out, only=["padding_stride"])
    assert build(templates_dir, out, jobs=1, only=["padding_strides"], force=True).built == [
        "padding_strides.gif", "padding_strides.svg"]


def test_parallel_build_writes_the_same_bytes_as_a_serial_one(templates_dir: Path, tmp_path: Path) -> None:
    build(templates_dir, tmp_path / "serial", jobs=1)
    build(templates_dir, tmp_path / "parallel", jobs=2)
    serial = {p.name: p.read_bytes() for p in (tmp_path / "serial").iterdir()}
    assert {p.name: p.read_bytes() for p in (tmp_path / "parallel").iterdir()} == serial


def test_a_failed_render_leaves_every_file_old_or_new_and_is_retried(templates_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "gallery"
    build(templates_dir, out, jobs=1)
    path = templates_dir / "padding_strides.toml"
    path.write_text(path.read_text().replace("stride = 2", "stride = 1"))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(RuntimeError, match="the renderer broke"):
        gallery.build(load_templates(templates_dir), out, jobs=1, render=failing_render)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert build(templates_dir, out, jobs=1).built == ["padding_strides.gif", "padding_strides.svg"]


def test_write_atomic_leaves_the_old_file_when_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "index.html"
    target.write_bytes(b"old")

    def interrupted(source: str, destination: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        gallery.write_atomic(target, b"new")
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"] and target.read_bytes() == b"old"
    monkeypatch.undo()
    assert gallery.write_atomic(target, b"new") and target.read_bytes() == b"new"
    assert not gallery.write_atomic(target, b"new")  # unchanged: not rewritten


def test_leftover_temporary_files_are_removed_by_the_next_build(templates_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "gallery"
    out.mkdir()
    (out / f"{gallery.TEMP_PREFIX}index.html.x1y2").write_text("half")
    build(templates_dir, out, jobs=1)
    assert not list(out.glob(f"{gallery.TEMP_PREFIX}*"))


def test_a_corrupt_manifest_means_a_full_rebuild(templates_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "gallery"
    build(templates_dir, out, jobs=1)
    (out / "manifest.json").write_text("{not json")
    problems = gallery.check(load_templates(templates_dir), out)
    # the 6 outputs, and index.html, which inlines only SVGs the manifest vouches for
    assert len(problems) == 7 and "index.html: differs from the index the templates and outputs give" in problems
    assert len(build(templates_dir, out, jobs=1).built) == 6


def test_the_renderer_hash_covers_renderer_sources_only(tmp_path: Path) -> None:
    package = tmp_path / "convanim"
    for folder in ("backends", "cli", "gallery", "figures"):
        (package / folder).mkdir(parents=True)
    for name in ("primitives.py", "cli/render.py", "gallery/index.py", "templates.py", "backends/svg.py",
                 "figures/plane.py"):
        (package / name).write_text("# v1\n")
    first = gallery.renderer_hash(package)
    for name in ("cli/render.py", "gallery/index.py", "templates.py"):
        (package / name).write_text("# v2\n")
    assert gallery.renderer_hash(package) == first
    for name in ("backends/svg.py", "figures/plane.py", "primitives.py"):
        (package / name).write_text(f"# v2 {name}\n")
        assert gallery.renderer_hash(package) != first
        first = gallery.renderer_hash(package)


def test_every_module_a_render_imports_is_in_the_renderer_allow_list() -> None:
    """A module that takes part in drawing but is missing from RENDERER_MODULES would let a stale gallery pass."""
    code = ("import sys; from convanim import animate, make_spec; from convanim.templates import load_templates\n"
            "for t in load_templates():\n"
            "    a = animate(template=t); a.scene; a.frame(0); a.to_svg()\n"
            "print('\\n'.join(sorted(m for m in sys.modules if m.startswith('convanim'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    root = Path(gallery.__file__).resolve().parent.parent
    not_drawing = {"convanim", "convanim.templates", "convanim.parse", "convanim.errors", "convanim.builtin_templates",
                   "convanim.backends.files"}
    for module in result.stdout.split():
        if module in not_drawing:
            continue
        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin is not None
        relative = Path(spec.origin).resolve().relative_to(root).as_posix()
        assert gallery.is_renderer_module(relative), f"{module} draws but is not in RENDERER_MODULES"


def test_progress_bar_only_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    quiet, terminal = io.StringIO(), Terminal()
    for stream in (quiet, terminal):
        bar = gallery.ProgressBar(2, stream)
        bar.advance("a")
        bar.advance("b")
        bar.close()
    assert quiet.getvalue() == ""
    assert "2/2 b" in terminal.getvalue() and terminal.getvalue().endswith("\n")


def test_readme_and_index_show_every_animation(templates_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "gallery"
    build(templates_dir, out, jobs=1)
    readme = (out / "README.md").read_text()
    page = (out / "index.html").read_text()
    for template in load_templates(templates_dir):
        assert f'<img src="{template.name}.gif"' in readme and template.caption in readme
        assert f'id="{template.name}"' in page and template.title in page
    assert "nn.MaxPool2d(kernel_size=3, stride=1)" in page
    assert "floor((5 + 1 + 1 - 1*(3-1) - 1) / 2) + 1 = 3" in page  # padding_strides, per axis
    assert "http://" not in page.replace("http://www.w3.org/", "") and "https://" not in page  # no network
    assert page.count('<button type="button" data-action="next"') == 3


def test_inline_svg_prefixes_ids_and_their_references() -> None:
    svg = ('<?xml version="1.0"?>\n<svg viewBox="0 0 1 1"><defs><rect id="c"/><clipPath id="k"/></defs>'
           '<use href="#c" clip-path="url(#k)"/><use xlink:href="#c"/><a href="#elsewhere"/>'
           '<animate id="a0" begin="0s;a1.end"/><animate id="a1" begin="a0.end+0.5s"/></svg>')
    assert inline_svg(svg, "p-") == (
        '<svg viewBox="0 0 1 1"><defs><rect id="p-c"/><clipPath id="p-k"/></defs>'
        '<use href="#p-c" clip-path="url(#p-k)"/><use xlink:href="#p-c"/><a href="#elsewhere"/>'
        '<animate id="p-a0" begin="0s;p-a1.end"/><animate id="p-a1" begin="p-a0.end+0.5s"/></svg>')






# --- the real renderer ----------------------------------------------------------------------------------------------

@pytest.mark.skipif(not HAS_RENDERER, reason="the renderer (convanim.animation) is not there yet")
def test_real_build_is_deterministic_and_files_decode(templates_dir: Path, tmp_path: Path) -> None:
    from PIL import Image

    templates = load_templates(templates_dir)
    gallery.build(templates, tmp_path / "a", jobs=2)
    gallery.build(templates, tmp_path / "b", jobs=1)
    first = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    assert {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()} == first
    for template in templates:
        root = ET.parse(tmp_path / "a" / f"{template.name}.svg").getroot()
        frames = int(root.get("data-frames", "0"))
        assert frames == math.prod(output_shape(template.spec))
        assert float(root.get("data-seconds-per-frame", "0")) > 0
        with Image.open(tmp_path / "a" / f"{template.name}.gif") as image:
            assert image.n_frames == frames


# --- what the index pages tell a reader -----------------------------------------------------------------------------

def _card(page: str, name: str) -> str:
    start = page.index('<section class="anim')
    start = page.index(f'id="{name}"', start)
    return page[start:page.index("</section>", start)]


def _row(card: str, label: str) -> str | None:
    """The text of the `<dd>` after `<dt>label</dt>`, tags removed; None when the card has no such row."""
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>(.*?)</dd>", card, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("\u00a0", " ") if match else None


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_the_contents_list_every_template_once_in_order_under_section_headings(tmp_path: Path) -> None:
    templates = load_templates()
    page = gallery_index.html_text(templates, tmp_path)
    nav = page[page.index("<nav"):page.index("</nav>")]
    entries = re.findall(r'<li><a href="#([^"]+)">', nav)
    assert entries == [t.name for t in templates]
    starts = [int(n) for n in re.findall(r'<ol start="(\d+)">', nav)]
    sizes = [len(members) for _, members in gallery_index.sections(templates)]
    assert starts == [1 + sum(sizes[:i]) for i in range(len(sizes))]  # numbered 1..N across the sections
    headings = re.findall(r'<p class="toc-heading"><a href="#([^"]+)">([^<]+)</a>', nav)
    assert [h for _, h in headings] == [heading for heading, _ in gallery_index.sections(templates)]
    assert [h for _, h in headings][:3] == ["Convolution arithmetic", "Transposed convolution", "Numbers"]
    for anchor, _ in headings:  # each heading links to the same heading among the cards
        assert page.count(f'id="{anchor}"') == 1
    assert "<li><a href=\"#no_padding_strides_transposed\">No padding, strides</a></li>" in nav  # prefix dropped
    assert page.count('<section class="anim') == len(templates)


def test_a_template_folder_without_order_gets_no_section_headings(templates_dir: Path, tmp_path: Path) -> None:
    for path in templates_dir.glob("*.toml"):
        path.write_text(re.sub(r"(?m)^order = \d+\n", "", path.read_text()))
    page = gallery_index.html_text(load_templates(templates_dir), tmp_path)
    assert 'class="toc-heading"' not in page and 'class="section-heading"' not in page
    assert page.count("<li><a href=") == len(SMALL)


def test_every_single_layer_card_states_parameters_and_macs_as_the_geometry_counts_them(tmp_path: Path) -> None:
    templates = [t for t in load_templates() if not t.block and not t.figure]
    page = gallery_index.html_text(templates, tmp_path)
    for template in templates:
        spec, card = template.spec, _card(page, template.name)
        weights, biases = parameter_count(spec)
        parameters = _row(card, "Parameters")
        assert parameters is not None, template.name
        assert _number(parameters.split()[0]) == weights + biases, (template.name, parameters)
        if spec.is_pool:
            assert weights + biases == 0 and _row(card, "MACs") is None
            reads = _row(card, "Window reads")
        else:
            stated = re.match(r"[\d,]+ = ([\d,]+) weights?\b.*?(?:\+ ([\d,]+) bias(?:es)?|\(no bias\))$", parameters)
            assert stated, (template.name, parameters)
            assert (_number(stated.group(1)), _number(stated.group(2) or "0")) == (weights, biases)
            reads = _row(card, "MACs")
        assert reads is not None, template.name
        total, breakdown = reads.split(" = ", 1)
        assert _number(total) == macs(spec), (template.name, reads)
        factors = [_number(factor.split()[0]) for factor in breakdown.split(" \u00d7 ")]
        assert math.prod(factors) == macs(spec), (template.name, reads)  # the breakdown multiplies out


def test_grouped_depthwise_and_1x1_cards_compare_with_the_standard_convolution(tmp_path: Path) -> None:
    templates = [t for t in load_templates() if not t.block and not t.figure]
    page = gallery_index.html_text(templates, tmp_path)
    by_name = {t.name: t for t in templates}
    standard = {"grouped": {**by_name["grouped"].spec_args, "groups": 1},
                "depthwise": {**by_name["depthwise"].spec_args, "depthwise": False,
                              "out_channels": by_name["depthwise"].spec.out_channels},
                "pointwise": {**by_name["pointwise"].spec_args, "kernel_size": 3, "padding": 1}}
    for template in templates:
        row = _row(_card(page, template.name), "Standard conv")
        if template.name not in standard:
            assert row is None, (template.name, row)
            continue
        reference = make_spec(**standard[template.name])
        assert output_shape(reference) == output_shape(template.spec)
        assert row is not None and row.startswith(pytorch_code(reference)), (template.name, row)
        numbers = [_number(n) for n in re.findall(r"([\d,]+) (?:parameters|MACs)", row)]
        assert numbers == [sum(parameter_count(reference)), macs(reference)], (template.name, row)
        mine = re.search(r"against this layer's ([\d,]+) and ([\d,]+)", row)
        assert mine and (_number(mine.group(1)), _number(mine.group(2))) == (sum(parameter_count(template.spec)),
                                                                           macs(template.spec))


def test_readme_sizes_each_figure_by_its_width_and_keeps_the_order(templates_dir: Path, tmp_path: Path) -> None:
    templates = load_templates(templates_dir)
    widths = {"no_padding_no_strides": 365, "padding_strides": 822}  # numerical_max_pooling: no SVG
    for name, width in widths.items():
        (tmp_path / f"{name}.svg").write_text(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
                                              f'height="300" viewBox="0 0 {width} 300"></svg>\n')
    readme = gallery_index.readme_text(templates, tmp_path)
    assert re.findall(r'<img src="([^".]+)\.gif"', readme) == [t.name for t in templates]
    narrow = round(365 * gallery_index.README_SCALE)
    assert f'<td width="{narrow + gallery_index.CELL_PADDING}" align="center"><img src="no_padding_no_strides.gif" ' \
           f'width="{narrow}"' in readme
    assert '<tr><td colspan="2">\n<p align="center"><img src="padding_strides.gif" width="822"' in readme
    assert f'<img src="numerical_max_pooling.gif" width="{gallery_index.README_DEFAULT_WIDTH}"' in readme
    assert "## Convolution arithmetic" in readme and "## Numbers" in readme
    assert "[Numbers](#numbers)" in readme
    assert "\n\n\n" not in readme and "|" not in readme.split("## ")[1]  # HTML tables, no Markdown pipes


def test_readme_figures_of_the_packaged_templates_are_legible(tmp_path: Path) -> None:
    """Channels and block figures (the wide ones) get a row of their own at full size; the rest at one scale."""
    templates = load_templates()
    for template in templates:
        width = 822 if template.block or template.figure or template.spec.in_channels > 1 and template.spec.dims > 1 \
            else 544
        (tmp_path / f"{template.name}.svg").write_text(f'<svg width="{width}" height="1"></svg>\n')
    readme = gallery_index.readme_text(templates, tmp_path)
    for name in ("channels", "grouped", "depthwise", "pointwise", "depthwise_separable", "inverted_residual"):
        assert f'<p align="center"><img src="{name}.gif" width="822"' in readme


def test_norm_and_dropout_cards_state_layers_statistics_and_parameters(tmp_path: Path) -> None:
    from convanim.normalisation import pytorch_layer

    templates = [t for t in load_templates() if t.figure]
    page = gallery_index.html_text(templates, tmp_path)
    assert {gallery_index.section(t) for t in templates} == {"Normalisation and dropout"}
    for template in templates:
        card = _card(page, template.name)
        if template.figure == "dropout":
            assert _row(card, "Training") == f"{template.figure_spec.steps} steps, survivors \u00d72 = 1/(1\u2212p); " \
                                             "eval: identity"
            continue
        specs = template.figure_spec if isinstance(template.figure_spec, list) else [template.figure_spec]
        for spec in specs:
            row = _row(card, f"{spec.kind.title()} norm") if len(specs) > 1 else _row(card, "Parameters")
            assert row is not None and pytorch_layer(spec) in card
            assert str(spec.parameters) in row


@pytest.mark.parametrize("cpu_max, cap", [("max 100000\n", None), ("200000 100000\n", 2), ("50000 100000\n", 1),
                                          (None, None), ("garbage\n", None)])
def test_workers_default_to_the_cpus_this_process_may_use(cpu_max, cap, tmp_path, monkeypatch):
    from convanim.gallery import builder

    path = tmp_path / "cpu.max"
    if cpu_max is not None:
        path.write_text(cpu_max)
    monkeypatch.setattr(builder, "CGROUP_CPU_MAX", str(path))
    affinity = len(os.sched_getaffinity(0))
    assert builder.usable_cpus() == (affinity if cap is None else min(affinity, cap))
