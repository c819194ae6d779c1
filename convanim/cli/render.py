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
@click.option("--stack", "stack_file", type=click.Path(dir_okay=False),
              help="Animate the receptive field through a stack: print(model) text, layer expressions one per line, "
                   "or a .toml stack file (with --input and --in-channels).")
@click.option("--forward", is_flag=True, default=None,
              help="With --stack or a receptive-field template: sweep the input's elements and show which units "
                   "each one reaches (instead of each top unit's receptive field).")
@view_options
def render_command(output: str | None, output_format: str | None, frames_dir: str | None, quiet: bool,
                   template: str | None, stack_file: str | None, forward: bool | None, **options: Any) -> None:
    """Render an animation of the spec to a file (and/or per-frame files).

    LAYER may be a PyTorch layer such as "Conv2d(1, 1, 3, stride=2, padding=1)"; options override it."""
    from convanim.animation import Animation, StagedAnimation, figure_animation
    from convanim.view import make_view

    if output is None and frames_dir is None:
        raise click.UsageError("give -o FILE and/or --frames DIR")
    view_args: dict[str, Any] = {}
    base: dict[str, Any] | None = None
    spec_given = {name: options.get(name) for name in SPEC_OPTION_NAMES}
    if stack_file:
        _render_stack(stack_file, template, spec_given, options, output, frames_dir, bool(forward), output_format,
                      quiet)
        return
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
            if chosen.block == "receptive_field":
                from convanim.animation import StackAnimation

                chosen_forward = chosen.spec_args.get("forward", False) if forward is None else forward
                write_outputs(StackAnimation(chosen.staged_block, view, chosen_forward), output, frames_dir,
                              output_format, quiet)
                return
            write_outputs(StagedAnimation(chosen.staged_block, view), output, frames_dir, output_format, quiet)
            return
    if forward is not None:
        raise SpecError("forward: shows the units an input element reaches through a stack; give --stack FILE or a "
                        "receptive-field template")
    view = make_view(**{**view_args, **given_view_args(options)})
    write_outputs(Animation(spec_from_options(spec_given, base=base), view), output, frames_dir, output_format,
                  quiet)



def _render_stack(stack_file: str, template: str | None, spec_given: dict[str, Any], options: dict[str, Any],
                  output: str | None, frames_dir: str | None, forward: bool = False, output_format: str | None = None,
                  quiet: bool = False) -> None:
    from convanim.animation import StackAnimation
    from convanim.parse import parse_size
    from convanim.stack import load_stack
    from convanim.view import make_view

    if template:
        raise SpecError("stack: give a template or a stack, not both")
    for name, value in spec_given.items():
        if value is not None and name not in ("input_size", "in_channels", "dims"):
            raise SpecError(f"{'bias' if name == 'no_bias' else name}: sets one layer; in a stack each layer says "
                            f"its own")
    size = parse_size(spec_given["input_size"], "input_size") if spec_given["input_size"] is not None else None
    stack = load_stack(stack_file, input_size=size, in_channels=spec_given["in_channels"], dims=spec_given["dims"])
    view = make_view(**given_view_args(options))
    write_outputs(StackAnimation(stack, view, forward), output, frames_dir, output_format, quiet)


COMMANDS = (render_command,)
