"""`convanim explain`: shapes, the output-size formula with numbers, parameters, MACs and receptive field."""

from __future__ import annotations

from typing import Any

import click

from convanim.cli.options import spec_from_options, spec_options


@click.command("explain")
@spec_options
@click.option("--compare-dense", is_flag=True, help="Also count a fully connected layer between the same shapes.")
def explain_command(compare_dense: bool, **options: Any) -> None:
    """Shapes, the output-size formula with numbers, parameters, MACs and receptive field, for a person.

    LAYER may be a PyTorch layer such as "Conv2d(3, 10, 5, padding=2)"; options override it."""
    from convanim.describe import explain

    click.echo(explain(spec_from_options(options), compare_dense=compare_dense))


COMMANDS = (explain_command,)
