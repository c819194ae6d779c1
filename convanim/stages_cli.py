"""`convanim stages separable|inverted-residual`: animate a block of several layers as one figure.

A thin layer over `convanim.stages`; heavy imports stay inside the commands."""

from __future__ import annotations

from typing import Any, Callable

import click


def _view_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("-o", "--output", type=click.Path(dir_okay=False),
                     help="Output file: .gif .svg .png (a sheet of frames) .webp .apng."),
        click.option("--frames", "frames_dir", type=click.Path(file_okay=False),
                     help="Also write numbered per-frame PNG and SVG files into this directory."),
        click.option("--view", type=click.Choice(["oblique", "flat"]), default="oblique", show_default=True,
                     help="Stacked planes in perspective, or flat."),
        click.option("--theme", type=click.Choice(["classic", "colorblind", "dark"]), default="classic",
                     show_default=True, help="Colours."),
        click.option("--caption/--no-caption", default=True, help="The layers, counts and frame line."),
        click.option("--labels/--no-labels", default=True, help="Plane names and shapes."),
        click.option("--cell-size", type=int, help="Pixels per cell [default: from the sizes]."),
        click.option("--scale", type=float, default=1.0, show_default=True, help="Scale everything."),
        click.option("--seconds-per-frame", type=float, default=0.5, show_default=True, help="Frame duration."),
        click.option("--loop", type=int, default=0, show_default=True, help="Times to loop; 0 loops forever."),
        click.option("--pause", type=float, default=0.0, show_default=True, help="Extra seconds on the last frame."),
        click.option("--transparent", is_flag=True, help="Transparent background."),
        click.option("--max-frames", type=int, default=4096, show_default=True,
                     help="Refuse more frames than this (all stages together)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _save(block: Any, output: str | None, view_args: dict[str, Any]) -> None:
    from .cli import write_outputs
    from .stages import animate_stages
    from .view import make_view

    frames_dir = view_args.pop("frames_dir")
    write_outputs(animate_stages(block, make_view(**view_args)), output, frames_dir)


def _size(text: str) -> Any:
    from .parse import parse_size

    return parse_size(text, "input")


@click.group("stages")
def stages_command() -> None:
    """Blocks of several layers animated stage after stage, with parameter and MAC counts."""


@stages_command.command("separable")
@click.option("--input", "input_size", default="12", show_default=True, metavar="SIZE",
              help="Spatial input size: 12, or 12x10.")
@click.option("--in-channels", type=int, default=3, show_default=True, help="Input channels.")
@click.option("--kernel", "kernel_size", type=int, default=5, show_default=True, help="Depthwise kernel size.")
@click.option("--out-channels", type=int, default=4, show_default=True, help="Channels after the pointwise 1x1.")
@click.option("--stride", type=int, default=1, show_default=True, help="Stride of the depthwise stage.")
@click.option("--padding", type=int, default=0, show_default=True, help="Padding of the depthwise stage.")
@click.option("--multiplier", type=int, default=1, show_default=True,
              help="Depthwise channel multiplier (filters per input channel).")
@_view_options
def separable_command(input_size: str, in_channels: int, kernel_size: int, out_channels: int, stride: int,
                      padding: int, multiplier: int, output: str | None, **view_args: Any) -> None:
    """Depthwise k x k convolution, then a pointwise 1x1 convolution (MobileNet v1, Xception)."""
    from .stages import separable

    block = separable(input_size=_size(input_size), in_channels=in_channels, kernel_size=kernel_size,
                      out_channels=out_channels, stride=stride, padding=padding, multiplier=multiplier)
    _save(block, output, view_args)


@stages_command.command("inverted-residual")
@click.option("--input", "input_size", default="5", show_default=True, metavar="SIZE",
              help="Spatial input size: 5, or 5x6.")
@click.option("--in-channels", type=int, default=2, show_default=True, help="Input channels.")
@click.option("--expansion", type=int, default=3, show_default=True, help="Expansion factor t of the 1x1 expand.")
@click.option("--out-channels", type=int, help="Channels after the 1x1 project [default: in-channels].")
@click.option("--kernel", "kernel_size", type=int, default=3, show_default=True, help="Depthwise kernel size (odd).")
@click.option("--stride", type=int, default=1, show_default=True,
              help="Stride of the depthwise stage (the skip connection needs 1).")
@_view_options
def inverted_residual_command(input_size: str, in_channels: int, expansion: int, out_channels: int | None,
                              kernel_size: int, stride: int, output: str | None, **view_args: Any) -> None:
    """MobileNet v2's block: 1x1 expand, k x k depthwise, 1x1 project, and the skip connection."""
    from .stages import inverted_residual

    block = inverted_residual(input_size=_size(input_size), in_channels=in_channels, expansion=expansion,
                              out_channels=out_channels, kernel_size=kernel_size, stride=stride)
    _save(block, output, view_args)
