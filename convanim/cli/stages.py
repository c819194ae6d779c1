"""`convanim stages separable|inverted-residual`: a block of several layers animated stage after stage, with the
view options and defaults of `render`."""

from __future__ import annotations

from typing import Any

import click

from convanim.cli.options import examples, given_view_args, output_options, view_options, write_outputs


def _save(block: Any, output: str | None, output_format: str | None, frames_dir: str | None,
          options: dict[str, Any]) -> None:
    from convanim.animation import StagedAnimation
    from convanim.view import make_view

    write_outputs(StagedAnimation(block, make_view(**given_view_args(options))), output, frames_dir, output_format,
                  bool(options.get("quiet")))


def _size(text: str) -> Any:
    from convanim.parse import parse_size

    return parse_size(text, "input_size")


@click.group("stages", epilog=examples(
    "convanim stages separable -o separable.gif",
    "convanim stages inverted-residual --expansion 4 -o block.svg",
))
def stages_command() -> None:
    """Blocks of several layers animated stage after stage, with parameter and MAC counts."""


@stages_command.command("separable", epilog=examples(
    "convanim stages separable -o separable.gif",
    "convanim stages separable --input 8 --in-channels 4 --kernel 3 --out-channels 8 -o separable.svg",
))
@click.option("--input", "input_size", default="12", show_default=True, metavar="SIZE",
              help="Spatial input size: 12, or 12x10.")
@click.option("--in-channels", type=int, default=3, show_default=True, help="Input channels.")
@click.option("--kernel", "kernel_size", type=int, default=5, show_default=True, help="Depthwise kernel size.")
@click.option("--out-channels", type=int, default=4, show_default=True, help="Channels after the pointwise 1x1.")
@click.option("--stride", type=int, default=1, show_default=True, help="Stride of the depthwise stage.")
@click.option("--padding", type=int, default=0, show_default=True, help="Padding of the depthwise stage.")
@click.option("--multiplier", type=int, default=1, show_default=True,
              help="Depthwise channel multiplier (filters per input channel).")
@output_options
@view_options
def separable_command(input_size: str, in_channels: int, kernel_size: int, out_channels: int, stride: int,
                      padding: int, multiplier: int, output: str | None, output_format: str | None,
                      frames_dir: str | None,
                      **options: Any) -> None:
    """Depthwise k x k convolution, then a pointwise 1x1 convolution (MobileNet v1, Xception)."""
    from convanim.blocks import separable

    block = separable(input_size=_size(input_size), in_channels=in_channels, kernel_size=kernel_size,
                      out_channels=out_channels, stride=stride, padding=padding, multiplier=multiplier)
    _save(block, output, output_format, frames_dir, options)


@stages_command.command("inverted-residual", epilog=examples(
    "convanim stages inverted-residual -o block.gif",
    "convanim stages inverted-residual --in-channels 3 --expansion 2 --stride 2 -o block.png",
))
@click.option("--input", "input_size", default="5", show_default=True, metavar="SIZE",
              help="Spatial input size: 5, or 5x6.")
@click.option("--in-channels", type=int, default=2, show_default=True, help="Input channels.")
@click.option("--expansion", type=int, default=3, show_default=True, help="Expansion factor t of the 1x1 expand.")
@click.option("--out-channels", type=int, help="Channels after the 1x1 project [default: in-channels].")
@click.option("--kernel", "kernel_size", type=int, default=3, show_default=True, help="Depthwise kernel size (odd).")
@click.option("--stride", type=int, default=1, show_default=True,
              help="Stride of the depthwise stage (the skip connection needs 1).")
@output_options
@view_options
def inverted_residual_command(input_size: str, in_channels: int, expansion: int, out_channels: int | None,
                              kernel_size: int, stride: int, output: str | None, output_format: str | None,
                              frames_dir: str | None,
                              **options: Any) -> None:
    """MobileNet v2's block: 1x1 expand, k x k depthwise, 1x1 project, and the skip connection."""
    from convanim.blocks import inverted_residual

    block = inverted_residual(input_size=_size(input_size), in_channels=in_channels, expansion=expansion,
                              out_channels=out_channels, kernel_size=kernel_size, stride=stride)
    _save(block, output, output_format, frames_dir, options)


COMMANDS = (stages_command,)
