"""`convanim norm KIND` and `convanim dropout`: which elements share a normalisation's statistics (the Group Norm
paper's cube, the four kinds side by side, a small example's numbers), and dropout against channel dropout. Without
-o or --frames they print the explanation (or --json); with them they render, with the view options of `render`."""

from __future__ import annotations

import json
from typing import Any

import click

from convanim.cli.options import examples, given_view_args, output_options, view_options, write_outputs

KIND_CHOICES = ("batch", "layer", "instance", "group", "weight", "all")


def _shape(text: str | None, default: tuple[int, ...]) -> tuple[int, ...]:
    from convanim.parse import parse_shape

    return default if text is None else parse_shape(text, "shape")


@click.command("norm", epilog=examples(
    "convanim norm group --shape 4,6,3,3 --groups 2     # nn.GroupNorm(2, 6): the sets, counts, eval time",
    "convanim norm all --shape 4,6,3,3 -o norms.gif     # batch, layer, instance, group side by side",
    "convanim norm layer --shape 2,6,8 --sequence --json",
))
@click.argument("kind", type=click.Choice(KIND_CHOICES))
@click.option("--shape", metavar="N,C,H,W", help="The tensor: N,C,L or N,C,H,W or N,C,D,H,W; with --sequence N,L,D; "
                                                 "for weight norm the weight out,in,kH,kW [default: 4,6,3,3; "
                                                 "2,4,2,2 with --numbers].")
@click.option("--groups", type=int, help="Group norm: the number of groups (divides C) [default for 'all': the "
                                         "fewest groups of more than one channel].")
@click.option("--sequence", is_flag=True, help="Layer norm over the last dimension of an N,L,D sequence "
                                               "(transformers).")
@click.option("--eps", type=float, help="Added to the variance under the root [default: 1e-05].")
@click.option("--affine/--no-affine", default=None, help="Learnable gamma and beta [default: PyTorch's: on, off "
                                                         "for instance norm].")
@click.option("--json", "as_json", is_flag=True, help="Every element index of every statistic's set, as JSON.")
@output_options
@view_options
def norm_command(kind: str, shape: str | None, groups: int | None, sequence: bool, eps: float | None,
                 affine: bool | None, as_json: bool, output: str | None, frames_dir: str | None,
                 **options: Any) -> None:
    """Which elements share one mean and variance: KIND is batch, layer, instance, group (with --groups), weight
    (weight normalisation of a convolution's weight), or all (the four kinds side by side, as the Group Norm paper's
    figure 2). Prints the explanation, or renders with -o / --frames."""
    from convanim.animation import animate_norm
    from convanim.normalisation import DEFAULT_EPS, default_shape, explain_norm, make_norm, norm_json

    tensor = _shape(shape, default_shape(kind, sequence, bool(options.get("numbers"))))
    view_args = given_view_args(options)
    if kind == "all":
        from convanim.normalisation import four_specs

        specs = four_specs(tensor, groups)
        if sequence or eps is not None or affine is not None:
            from convanim.errors import SpecError

            raise SpecError("kind: 'all' (the four-panel figure) takes only shape and groups")
        if output is None and frames_dir is None:
            if as_json:
                click.echo(json.dumps([norm_json(spec) for spec in specs]))
            else:
                click.echo("\n\n".join(explain_norm(spec) for spec in specs))
            return
        write_outputs(animate_norm("all", tensor, groups, **view_args), output, frames_dir,
                      options.get("output_format"), bool(options.get("quiet")))
        return
    spec = make_norm(kind, tensor, groups, sequence=sequence, eps=DEFAULT_EPS if eps is None else eps,
                     affine=affine)
    if output is None and frames_dir is None:
        click.echo(json.dumps(norm_json(spec)) if as_json else explain_norm(spec))
        return
    if as_json:
        raise click.UsageError("--json prints; give it without -o / --frames")
    write_outputs(animate_norm(spec, **view_args), output, frames_dir, options.get("output_format"),
                  bool(options.get("quiet")))


@click.command("dropout", epilog=examples(
    "convanim dropout -p 0.5 --shape 4,4,4 --seed 2     # nn.Dropout against nn.Dropout2d, in words",
    "convanim dropout --shape 4,4,4 --numbers -o dropout.gif",
))
@click.option("-p", "--p", "p", type=float, default=0.5, show_default=True,
              help="Probability of zeroing an element (nn.Dropout) or a channel (nn.Dropout2d).")
@click.option("--shape", metavar="C,H,W", help="One sample: C,L or C,H,W or C,D,H,W [default: 4,4,4].")
@click.option("--steps", type=int, default=3, show_default=True, help="Training steps drawn (then one at eval).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the masks (the same file every run).")
@click.option("--json", "as_json", is_flag=True, help="The kept elements and channels of each step, as JSON.")
@output_options
@view_options
def dropout_command(p: float, shape: str | None, steps: int, seed: int, as_json: bool, output: str | None,
                    frames_dir: str | None, **options: Any) -> None:
    """nn.Dropout (single elements zeroed) against nn.Dropout2d (whole channels zeroed) over a few training steps,
    survivors scaled by 1/(1-p), and the identity at eval. Prints the explanation, or renders with -o / --frames."""
    from convanim.animation import FigureAnimation
    from convanim.dropout import dropout_json, explain_dropout, make_dropout
    from convanim.view import make_view

    spec = make_dropout(p, _shape(shape, (4, 4, 4)), steps, seed)
    if output is None and frames_dir is None:
        click.echo(json.dumps(dropout_json(spec)) if as_json else explain_dropout(spec))
        return
    if as_json:
        raise click.UsageError("--json prints; give it without -o / --frames")
    write_outputs(FigureAnimation(spec, make_view(**given_view_args(options)), "dropout"), output, frames_dir,
                  options.get("output_format"), bool(options.get("quiet")))


COMMANDS = (norm_command, dropout_command)
