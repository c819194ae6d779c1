"""`convanim explain`: shapes, the output-size formula with numbers, parameters, MACs and receptive field."""

from __future__ import annotations

from typing import Any

import click

from convanim.cli.options import examples, spec_from_options, spec_options


@click.command("explain", epilog=examples(
    "convanim explain --input 32 --in-channels 3 --out-channels 10 --kernel 5 --padding 2",
    'convanim explain "MaxPool2d(2, ceil_mode=True)" --input 5',
    "convanim explain --dims 1 --input 1000 --in-channels 100 --out-channels 100 --kernel 5 --compare-dense",
))
@spec_options
@click.option("--compare-dense", is_flag=True, help="Also count a fully connected layer between the same shapes.")
def explain_command(compare_dense: bool, **options: Any) -> None:
    """Shapes, the output-size formula with numbers, parameters, MACs and receptive field, for a person.

    LAYER may be a PyTorch layer such as "Conv2d(3, 10, 5, padding=2)"; options override it."""
    from convanim.describe import explain

    click.echo(explain(spec_from_options(options), compare_dense=compare_dense))


COMMANDS = (explain_command,)
