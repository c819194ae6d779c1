"""The library speaks Python: what the command does, Python does with the same names, and its messages name Python
parameters (the CLI shows them as flags through one table)."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import convanim
from convanim.cli import cli
from convanim.cli.options import FLAGS, VIEW_OPTION_NAMES, cli_message
from convanim.errors import SpecError


def test_public_api_is_functions_and_a_version() -> None:
    assert callable(convanim.animate) and callable(convanim.explain) and callable(convanim.make_spec)
    assert convanim.__version__ == importlib.metadata.version("convanim")
    assert set(convanim.__all__) <= set(dir(convanim))
    with pytest.raises(AttributeError):
        _ = convanim.no_such_name  # type: ignore[attr-defined]


def test_make_spec_takes_a_layer_string_and_keywords_override_it() -> None:
    spec = convanim.make_spec("Conv2d(3, 8, 3, stride=2)", input_size=32)
    assert (spec.in_channels, spec.out_channels, spec.kernel_size, spec.stride, spec.input_size) == \
        (3, 8, (3, 3), (2, 2), (32, 32))
    assert convanim.make_spec("Conv2d(3, 8, 3, stride=2)", stride=1).stride == (1, 1)
    assert convanim.make_spec("MaxPool1d(2)", input_size=6).dims == 1


@given(st.lists(st.integers(3, 9), min_size=2, max_size=3))
def test_dims_follow_a_per_axis_size_as_on_the_command_line(sizes: list[int]) -> None:
    """`--input 4x5x6` is 3d, and so is `input_size=(4, 5, 6)`; a lone number is every axis of a 2d layer."""
    assert convanim.make_spec(input_size=sizes[0]).dims == 2 and convanim.make_spec(input_size=(sizes[0],)).dims == 1
    spec = convanim.make_spec(input_size=tuple(sizes), kernel_size=3)
    assert spec.dims == len(sizes) and spec.input_size == tuple(sizes)
    flags = CliRunner().invoke(cli, ["map", "--json", "--input", "x".join(map(str, sizes)), "--kernel", "3"])
    assert flags.exit_code == 0 and f'"input_shape":{list(sizes)}'.replace(" ", "") in flags.output


@pytest.mark.parametrize("arguments, parameter", [
    (dict(input_size=0), "input_size"), (dict(kernel_size=0), "kernel_size"), (dict(stride=0), "stride"),
    (dict(output_padding=1), "output_padding"), (dict(input_size=(4, 5), kernel_size=(3, 3, 3)), "dims"),
    (dict(layer="Linear(3, 4)"), "layer"), (dict(dims=4), "dims"),
])
def test_library_messages_name_the_python_parameter(arguments: dict, parameter: str) -> None:
    layer = arguments.pop("layer", None)
    with pytest.raises(SpecError) as refused:
        convanim.make_spec(layer, **arguments)
    assert str(refused.value).startswith(f"{parameter}:") and "--" not in str(refused.value)


@pytest.mark.parametrize("view_arguments, parameter", [
    (dict(cell_size=2), "cell_size"), (dict(max_frames=3), "max_frames"), (dict(seconds_per_frame=0), "seconds_per_frame"),
])
def test_view_messages_name_the_python_parameter(view_arguments: dict, parameter: str, tmp_path: Path) -> None:
    with pytest.raises(SpecError) as refused:
        convanim.animate(convanim.make_spec(input_size=5), **view_arguments).save(tmp_path / "x.gif")
    assert str(refused.value).startswith(f"{parameter}:") and "--" not in str(refused.value)


def test_the_cli_shows_every_python_name_as_its_flag() -> None:
    assert cli_message("input_size: must be positive, got 0") == "--input: must be positive, got 0"
    assert cli_message("cell_size: too big; try cell_size=12 or less, or a smaller input_size") == \
        "--cell-size: too big; try --cell-size 12 or less, or a smaller --input"
    assert cli_message("output_padding: only a transposed convolution has output_padding (pass transposed=True)") == \
        "--output-padding: only a transposed convolution has --output-padding (add --transposed)"
    assert cli_message("dims: axes differ (input_size: 3, padding: 2)") == "--dims: axes differ (--input: 3, --padding: 2)"
    assert cli_message("the padding is 2") == "the padding is 2"  # plain words stay words


def test_every_flag_in_the_table_exists_on_some_command() -> None:
    def options(command) -> set[str]:
        found = {o for p in command.params for o in getattr(p, "opts", []) + getattr(p, "secondary_opts", [])}
        for sub in getattr(command, "commands", {}).values():
            found |= options(sub)
        return found

    known = options(cli)
    for name, flag in FLAGS.items():
        if flag.startswith("--"):
            assert flag in known, f"{name} -> {flag} is no option of any command"


def test_render_and_stages_share_one_set_of_view_options_and_defaults() -> None:
    def view_params(command) -> dict[str, tuple]:
        return {p.name: (tuple(p.opts), p.default) for p in command.params if p.name in VIEW_OPTION_NAMES}

    render = view_params(cli.commands["render"])
    stages = cli.commands["stages"]
    assert set(render) == set(VIEW_OPTION_NAMES)
    for sub in stages.commands.values():  # type: ignore[attr-defined]
        assert view_params(sub) == render


def test_animate_from_a_template_is_what_render_template_writes(tmp_path: Path) -> None:
    convanim.animate(template="padding_strides", theme="dark").save(tmp_path / "api.gif")
    result = CliRunner().invoke(cli, ["render", "--template", "padding_strides", "--theme", "dark", "-o",
                                      str(tmp_path / "cli.gif")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "api.gif").read_bytes() == (tmp_path / "cli.gif").read_bytes()


def test_animate_takes_a_layer_string_a_block_and_overrides(tmp_path: Path) -> None:
    pool = convanim.animate("MaxPool2d(2)", input_size=6)
    assert pool.spec.op == "maxpool" and pool.frame_count == 9
    block = convanim.animate(convanim.separable(input_size=6, in_channels=2, kernel_size=3, out_channels=2))
    assert block.frame_count > 0
    wider = convanim.animate(convanim.make_spec(input_size=5), input_size=7)
    assert wider.spec.input_size == (7, 7)
    with pytest.raises(SpecError, match=r"^template: 'depthwise_separable' is a separable block"):
        convanim.animate(template="depthwise_separable", kernel_size=5)


def test_explain_is_the_function_the_command_prints() -> None:
    text = convanim.explain(convanim.make_spec("Conv2d(3, 10, 5, padding=2)", input_size=32))
    result = CliRunner().invoke(cli, ["explain", "Conv2d(3, 10, 5, padding=2)", "--input", "32"])
    assert result.output.strip() == text.strip()
    assert re.search(r"Parameters: 760\b", text)
