"""`convanim explain`: one layer's shapes, output-size formula, parameters, MACs and receptive field; or, for several
layers or a model file, a table through the stack with receptive field, effective stride and padding."""

from __future__ import annotations

import json
import re
from typing import Any

import click

from convanim.cli.options import SPEC_OPTION_NAMES, examples, spec_flag_options, spec_from_options
from convanim.errors import SpecError

_ONE_LAYER = re.compile(r"\s*(?:[\w.]+\.)?(ConvTranspose|Conv|MaxPool|AvgPool)[123]d\s*\(.*", re.DOTALL)
_STACK_OPTIONS = ("input_size", "in_channels", "dims")


@click.command("explain", epilog=examples(
    "convanim explain --input 32 --in-channels 3 --out-channels 10 --kernel 5 --padding 2",
    'convanim explain "Conv2d(3, 64, 3, padding=1)" "ReLU()" "MaxPool2d(2)" --input 32   # a stack: a table',
    "convanim explain --dims 1 --input 1000 --in-channels 100 --out-channels 100 --kernel 5 --compare-dense",
))
@click.argument("layers", nargs=-1, metavar="[LAYER]...")
@spec_flag_options
@click.option("--stack", "stack_file", type=click.Path(dir_okay=False),
              help="A stack from a file: what print(model) shows for an nn.Sequential, layer expressions one per "
                   "line, or a .toml stack file.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the documented contract) for the stack.")
@click.option("--compare-dense", is_flag=True, help="Also count a fully connected layer between the same shapes.")
def explain_command(layers: tuple[str, ...], stack_file: str | None, as_json: bool, compare_dense: bool,
                    **options: Any) -> None:
    """Shapes, the output-size formula with numbers, parameters, MACs and receptive field, for a person.

    LAYER may be a PyTorch layer such as "Conv2d(3, 10, 5, padding=2)"; options override it. Several LAYERs (or
    --stack FILE) make a stack, e.g. "Conv2d(3, 64, 3, padding=1)" "ReLU()" "MaxPool2d(2)": a table with each
    layer's output shape, parameters, MACs, and the receptive field, effective stride and effective padding of its
    units in the input. A stack's input is --input (default 32 per axis) with --in-channels (default: what the first
    layer takes)."""
    if not stack_file and not as_json and len(layers) <= 1 and (not layers or _ONE_LAYER.fullmatch(layers[0])):
        from convanim.describe import explain

        click.echo(explain(spec_from_options({**options, "layer": layers[0] if layers else None}),
                           compare_dense=compare_dense))
        return
    from convanim.describe import explain_stack

    stack = _stack(layers, stack_file, compare_dense, options)
    click.echo(json.dumps(stack.to_dict(), separators=(",", ":")) if as_json else explain_stack(stack))


def _stack(layers: tuple[str, ...], stack_file: str | None, compare_dense: bool, options: dict[str, Any]) -> Any:
    from convanim.parse import parse_size
    from convanim.stack import load_stack, make_stack

    for name in SPEC_OPTION_NAMES:
        if name not in (*_STACK_OPTIONS, "layer") and options.get(name) is not None:
            name = "bias" if name == "no_bias" else name
            raise SpecError(f"{name}: sets one layer; in a stack each layer says its own (write it in the layer)")
    if compare_dense:
        raise SpecError("compare_dense: compares one layer with a dense one; give a single LAYER")
    if stack_file and layers:
        raise SpecError("stack: give the layers as LAYER arguments or in a --stack file, not both")
    size = parse_size(options["input_size"], "input_size") if options.get("input_size") is not None else None
    args: dict[str, Any] = {"input_size": size, "in_channels": options.get("in_channels"), "dims": options.get("dims")}
    if stack_file:
        return load_stack(stack_file, **args)
    return make_stack(list(layers), **args)


COMMANDS = (explain_command,)
