"""Templates: every packaged one loads and means what it says; every mistake names the file, the key and the rule."""

from __future__ import annotations

import importlib.util
import re
from dataclasses import FrozenInstanceError
from importlib import resources
from pathlib import Path

import pytest

from convanim.spec import SpecError, output_shape
from convanim.templates import load_template, load_templates, parse_template

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = {  # name: (input, kernel, stride, padding, dilation, transposed, output_padding) -> output size
    "no_padding_no_strides": ((4, 3, 1, 0, 1, False, 0), 2),
    "arbitrary_padding_no_strides": ((5, 4, 1, 2, 1, False, 0), 6),
    "same_padding_no_strides": ((5, 3, 1, 1, 1, False, 0), 5),
    "full_padding_no_strides": ((5, 3, 1, 2, 1, False, 0), 7),
    "no_padding_strides": ((5, 3, 2, 0, 1, False, 0), 2),
    "padding_strides": ((5, 3, 2, 1, 1, False, 0), 3),
    "padding_strides_odd": ((6, 3, 2, 1, 1, False, 0), 3),
    "dilation": ((7, 3, 1, 0, 2, False, 0), 3),
    "no_padding_no_strides_transposed": ((2, 3, 1, 0, 1, True, 0), 4),
    "arbitrary_padding_no_strides_transposed": ((6, 4, 1, 2, 1, True, 0), 5),
    "same_padding_no_strides_transposed": ((5, 3, 1, 1, 1, True, 0), 5),
    "full_padding_no_strides_transposed": ((7, 3, 1, 2, 1, True, 0), 5),
    "no_padding_strides_transposed": ((2, 3, 2, 0, 1, True, 0), 5),
    "padding_strides_transposed": ((3, 3, 2, 1, 1, True, 0), 5),
    "padding_strides_odd_transposed": ((3, 3, 2, 1, 1, True, 1), 6),
}
NUMERICAL = {"numerical_no_padding_no_strides": "conv", "numerical_padding_strides": "conv",
             "numerical_average_pooling": "avgpool", "numerical_max_pooling": "maxpool"}

GOOD = """\
name = "mine"
title = "Mine"
caption = "A caption."

[spec]
dims = 2
input_size = 5
kernel_size = 3
"""


def parse(text: str) -> object:
    return parse_template(text, "somewhere/mine.toml", "mine")


def test_every_packaged_template_loads_and_is_named_after_its_file() -> None:
    files = sorted(p.stem for p in (ROOT / "templates").glob("*.toml"))
    templates = load_templates()
    assert sorted(t.name for t in templates) == files
    for template in templates:
        if not template.block and not template.figure:  # dims always explicit: CLI overrides stay simple
            assert template.spec.dims == template.spec_args["dims"]
        assert template.title and template.caption and template.formats
        assert bool(template.layers) != bool(template.figure)  # layers, or a figure that is not a convolution


def test_the_fifteen_reference_animations_have_the_classic_parameters() -> None:
    for name, ((size, kernel, stride, padding, dilation, transposed, out_pad), out) in REFERENCE.items():
        spec = load_template(name).spec
        assert (spec.input_size, spec.kernel_size, spec.stride) == ((size,) * 2, (kernel,) * 2, (stride,) * 2), name
        assert spec.padding == ((padding, padding),) * 2, name
        assert (spec.dilation, spec.transposed, spec.output_padding) == ((dilation,) * 2, transposed,
                                                                        (out_pad,) * 2), name
        assert output_shape(spec) == (out, out), name


def test_numerical_templates_show_numbers_on_a_5x5_input_with_a_3x3_window() -> None:
    for name, op in NUMERICAL.items():
        template = load_template(name)
        spec = template.spec
        assert (spec.op, spec.input_size, spec.kernel_size, output_shape(spec)) == (op, (5, 5), (3, 3), (3, 3))
        assert template.view_args.get("numbers") is True
    for name in ("numerical_average_pooling", "numerical_max_pooling"):
        assert load_template(name).spec.stride == (1, 1)  # as the classic figures, not PyTorch's default


def test_further_capabilities_each_have_a_template() -> None:
    templates = load_templates()
    specs = [t.spec for t in templates if not t.block and not t.figure]
    assert {t.block for t in templates} == {"", "separable", "inverted_residual", "receptive_field", "resnet_basic",
                                            "resnet_bottleneck", "dense_block", "unet_level"}
    assert any(s.transposed and any(s.output_padding) for s in specs)
    assert any(len(set(s.input_size)) > 1 and len(set(s.kernel_size)) > 1 for s in specs)
    assert any(not s.symmetric_padding for s in specs)
    assert any(s.padding_mode == "same" and any(k % 2 == 0 for k in s.kernel_size) for s in specs)
    assert any(s.transposed and any(d > 1 for d in s.dilation) for s in specs)
    assert any(s.dims == 1 and s.in_channels == 1 for s in specs)
    assert any(s.dims == 1 and s.in_channels > 1 for s in specs)
    assert any(s.dims == 3 for s in specs)
    assert any(s.dims == 2 and s.groups == 1 and s.in_channels > 1 and s.out_channels > 1 for s in specs)
    assert any(1 < s.groups < s.in_channels for s in specs)
    assert any(s.groups == s.in_channels > 1 for s in specs)
    assert any(s.kernel_size == (1, 1) and s.in_channels > 1 for s in specs)


def test_templates_are_frozen_and_their_arguments_are_tuples() -> None:
    template = load_template("asymmetric_padding")
    with pytest.raises(FrozenInstanceError):
        template.name = "other"  # type: ignore[misc]
    assert template.spec_args["padding"] == ((1, 0), (0, 2))


def test_a_path_loads_a_file_directly(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(GOOD)
    template = load_template(str(path))
    assert (template.name, template.formats, template.spec.input_size) == ("mine", ("gif", "svg"), (5, 5))


def test_an_unknown_name_is_refused_with_a_suggestion() -> None:
    with pytest.raises(SpecError, match=r"no template named 'padding_stride'; did you mean 'padding_strides'"):
        load_template("padding_stride")
    with pytest.raises(SpecError, match=r"no such file"):
        load_template("nowhere/mine.toml")


@pytest.mark.parametrize(("change", "message"), [
    ('title = "Mine"', r"somewhere/mine\.toml: (title: missing|name: must match the file name 'mine')"),
    ('colour = "red"', r"somewhere/mine\.toml: colour: unknown key; takes name, title"),
    ('formats = ["gif", "bmp"]', r"somewhere/mine\.toml: formats: must be a non-empty array of distinct formats"),
    ('name = "yours"', r"somewhere/mine\.toml: name: must match the file name 'mine', got 'yours'"),
    ("order = 1.5", r"somewhere/mine\.toml: order: must be an integer, got 1\.5"),
    ("[spec]\nkernel = 3", r"somewhere/mine\.toml: spec\.kernel: unknown key; did you mean 'kernel_size'\? \[spec\] takes"),
    ("[spec]\nstride = 1.5", r"somewhere/mine\.toml: spec\.stride: must be an integer, or an array of integers"),
    ("[spec]\nstride = -1", r"somewhere/mine\.toml: spec\.stride: must be positive, got -1"),
    ("[spec]\npadding = [[1, 2, 3], 0]", r"somewhere/mine\.toml: spec\.padding: must be an integer, an array"),
    ("[spec]\npadding = \"half\"", r"somewhere/mine\.toml: spec\.padding: must be .*valid, same, full; got 'half'"),
    ("[spec]\ntransposed = 1", r"somewhere/mine\.toml: spec\.transposed: must be true or false, got 1"),
    ("[spec]\nkernel_size = 9", r"somewhere/mine\.toml: spec\.kernel_size: kernel size 9 is larger than the padded"),
    ("[view]\ncolour = 1", r"somewhere/mine\.toml: view\.colour: unknown key; \[view\] takes view, theme"),
    ("[view]\nnumbers = \"yes\"", r"somewhere/mine\.toml: view\.numbers: must be true or false, got 'yes'"),
    ("name = ", r"somewhere/mine\.toml: not valid TOML"),
])
def test_mistakes_name_the_file_the_key_and_the_rule(change: str, message: str) -> None:
    text = GOOD
    if change.startswith("[spec]"):
        text = text.replace("kernel_size = 3\n", "kernel_size = 3\n" + change.split("\n", 1)[1] + "\n")
        if "kernel_size = 9" in change:
            text = text.replace("kernel_size = 3\n", "")
    elif change.startswith("[view]"):
        text = text + "\n" + change + "\n"
    else:
        key = change.split("=")[0].strip()
        lines = [line for line in text.splitlines() if not line.startswith(key + " ")]
        if key != "title":
            lines.insert(0, change)
        text = "\n".join(lines) + "\n"
    with pytest.raises(SpecError, match=message):
        parse(text)


def test_a_block_template_takes_the_blocks_arguments() -> None:
    template = load_template("depthwise_separable")
    assert [spec.groups for _, spec in template.layers] == [3, 1]
    assert [spec.kernel_size for _, spec in template.layers] == [(3, 3), (1, 1)]
    with pytest.raises(SpecError, match="is a separable block of several layers, not one layer"):
        _ = template.spec
    block = 'block = "separable"\n' + GOOD.replace("dims = 2\n", "")
    assert parse(block).layers[1][1].kernel_size == (1, 1)  # type: ignore[attr-defined]
    with pytest.raises(SpecError, match=r"mine\.toml: spec\.dims: unknown key; \[spec\] takes input_size, in_channels"):
        parse('block = "separable"\n' + GOOD)
    with pytest.raises(SpecError, match=r"mine\.toml: block: must be one of separable, inverted_residual"):
        parse('block = "resnet"\n' + GOOD)
    with pytest.raises(SpecError, match=r"mine\.toml: spec\.kernel_size: the depthwise stage pads k//2"):
        parse('block = "inverted_residual"\n' + GOOD.replace("dims = 2\n", "").replace("= 3", "= 4"))


@pytest.mark.skipif(importlib.util.find_spec("convanim.view") is None, reason="the renderer's view module is absent")
def test_bad_view_values_are_refused_at_load_time() -> None:
    with pytest.raises(SpecError, match=r"somewhere/mine\.toml: view\.theme"):
        parse(GOOD + '\n[view]\ntheme = "neon"\n')


def test_the_packaged_templates_are_the_repository_templates() -> None:
    """templates/ ships as convanim.builtin_templates through the symlink convanim/builtin_templates."""
    link = ROOT / "convanim" / "builtin_templates"
    assert link.is_symlink() and link.resolve() == (ROOT / "templates").resolve()
    packaged = sorted(e.name for e in resources.files("convanim.builtin_templates").iterdir() if e.name.endswith(".toml"))
    assert packaged == sorted(p.name for p in (ROOT / "templates").glob("*.toml"))


def test_template_names_are_simple() -> None:
    assert all(re.fullmatch(r"[a-z0-9_]+", t.name) for t in load_templates())


def test_norm_and_dropout_templates_describe_their_figures() -> None:
    from convanim.dropout import DropoutSpec
    from convanim.normalisation import NormSpec

    figures = {t.name: t for t in load_templates() if t.figure}
    kinds = {spec.kind for t in figures.values() if t.figure == "norm"
             for spec in (t.figure_spec if isinstance(t.figure_spec, list) else [t.figure_spec])}
    assert kinds == {"batch", "layer", "instance", "group", "weight"}
    assert [s.kind for s in figures["norm_four"].figure_spec] == ["batch", "layer", "instance", "group"]
    assert isinstance(figures["norm_group"].figure_spec, NormSpec) and figures["norm_group"].figure_spec.groups == 2
    assert isinstance(figures["dropout"].figure_spec, DropoutSpec)
    with pytest.raises(SpecError, match="is a norm figure, not a convolution"):
        _ = figures["norm_batch"].spec


@pytest.mark.parametrize("text, message", [
    ('figure = "norm"\n[spec]\nkind = "group"\nshape = [2, 6, 3, 3]\ngroups = 4\n',
     "somewhere/mine.toml: spec.groups: must divide the 6 channels, got 4"),
    ('figure = "norm"\n[spec]\nkind = "batch"\nshape = 5\n', "spec.shape: must be an array of integers, got 5"),
    ('figure = "norm"\n[spec]\nkernel_size = 3\n', "spec.kernel_size: unknown key"),
    ('figure = "norm"\n[spec]\nshape = [2, 3, 4]\n', "spec.kind: a norm figure needs a kind"),
    ('figure = "norm"\n[spec]\nkind = "all"\n[view]\nnumbers = true\n', "view.numbers: the four-panel figure (kind \"all\") draws "
     "no numbers"),
    ('figure = "dropout"\n[spec]\np = 1.5\n', "spec.p: must be a probability in [0, 1)"),
    ('figure = "pictures"\n[spec]\n', "figure: must be one of norm, dropout"),
    ('figure = "norm"\nblock = "separable"\n[spec]\n', "figure: a template is a block or a figure, not both"),
])
def test_bad_figure_templates_name_the_key(text: str, message: str) -> None:
    head = 'name = "mine"\ntitle = "Mine"\ncaption = "Mine."\n'
    with pytest.raises(SpecError) as error:
        parse_template(head + text, "somewhere/mine.toml", "mine")
    assert message in str(error.value)
