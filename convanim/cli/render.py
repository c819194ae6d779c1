"""`convanim render`: one layer (or a template, a block included) to a file and/or per-frame files."""

from __future__ import annotations

from typing import Any

import click

from convanim.cli.options import (
    FLAGS,
    SPEC_OPTION_NAMES,
    examples,
    given_view_args,
    output_options,
    spec_from_options,
    spec_options,
    view_options,
    write_outputs,
)
from convanim.errors import SpecError


@click.command("render", epilog=examples(
    "convanim render --input 5 --kernel 3 --stride 2 --padding 1 -o strided.gif",
    'convanim render "Conv2d(1, 1, 3, dilation=2)" --input 7 --pause 2 --frames slides',
    "convanim render --template padding_strides --theme dark -o - --format svg",
))
@spec_options
@output_options
@click.option("--template", help="Start from a template (a name from 'convanim list', or a .toml file); "
                                 "options given here override it.")
@view_options
def render_command(output: str | None, output_format: str | None, frames_dir: str | None, quiet: bool,
                   template: str | None,
                   **options: Any) -> None:
    """Render an animation of the spec to a file (and/or per-frame files).

    LAYER may be a PyTorch layer such as "Conv2d(1, 1, 3, stride=2, padding=1)"; options override it."""
    from convanim.animation import Animation, StagedAnimation, figure_animation
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
        if chosen.block or chosen.figure:  # a block of several layers or a figure: only view options apply
            given = [name for name, value in spec_given.items() if value is not None]
            if given:
                flag = FLAGS.get(given[0], given[0]) if given[0] != "no_bias" else "--no-bias"
                what, use = ((f"{chosen.block} block", "convanim stages") if chosen.block else
                             (f"{chosen.figure} figure", f"convanim {chosen.figure}"))
                raise SpecError(f"template: {chosen.name!r} is a {what}; layer options such as {flag} do not apply "
                                f"(use '{use}')")
            view = make_view(**{**view_args, **given_view_args(options)})
            if chosen.figure:
                write_outputs(figure_animation(chosen, view), output, frames_dir, output_format, quiet)
                return
            write_outputs(StagedAnimation(chosen.staged_block, view), output, frames_dir, output_format, quiet)
            return
    view = make_view(**{**view_args, **given_view_args(options)})
    write_outputs(Animation(spec_from_options(spec_given, base=base), view), output, frames_dir, output_format,
                  quiet)


COMMANDS = (render_command,)
