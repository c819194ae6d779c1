"""`convanim render`: one layer (or a template, a block included) to a file and/or per-frame files."""

from __future__ import annotations

from typing import Any

import click

from convanim.cli.options import (
    FLAGS,
    SPEC_OPTION_NAMES,
    given_view_args,
    output_options,
    spec_from_options,
    spec_options,
    view_options,
    write_outputs,
)
from convanim.errors import SpecError


@click.command("render")
@spec_options
@output_options
@click.option("--template", help="Start from a template (a name from 'convanim list', or a .toml file); "
                                 "options given here override it.")
@view_options
def render_command(output: str | None, frames_dir: str | None, quiet: bool, template: str | None,
                   **options: Any) -> None:
    """Render an animation of the spec to a file (and/or per-frame files).

    LAYER may be a PyTorch layer such as "Conv2d(1, 1, 3, stride=2, padding=1)"; options override it."""
    from convanim.animation import Animation, StagedAnimation
    from convanim.view import make_view

    if output is None and frames_dir is None:
        raise click.UsageError("give -o FILE and/or --frames DIR")
    view_args: dict[str, Any] = {}
    base: dict[str, Any] | None = None
    spec_given = {name: options.get(name) for name in SPEC_OPTION_NAMES}
    if template:
        from convanim.templates import load_template

        chosen = load_template(template)
        base, view_args = dict(chosen.spec_args), dict(chosen.view_args)
        if chosen.block:  # a block of several layers: its own animation, only view options apply
            given = [name for name, value in spec_given.items() if value is not None]
            if given:
                flag = FLAGS.get(given[0], given[0]) if given[0] != "no_bias" else "--no-bias"
                raise SpecError(f"template: {chosen.name!r} is a {chosen.block} block; layer options such as "
                                f"{flag} do not apply (use 'convanim stages')")
            view = make_view(**{**view_args, **given_view_args(options)})
            write_outputs(StagedAnimation(chosen.staged_block, view), output, frames_dir, quiet)
            return
    view = make_view(**{**view_args, **given_view_args(options)})
    write_outputs(Animation(spec_from_options(spec_given, base=base), view), output, frames_dir, quiet)


COMMANDS = (render_command,)
