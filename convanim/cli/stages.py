"""`convanim stages separable|inverted-residual|resnet-basic|resnet-bottleneck|dense|unet-level`: a block of
several layers animated stage after stage, with the view options and defaults of `render`."""

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



def _skip_block(builder: str, options: dict[str, Any], **arguments: Any) -> None:
    from convanim import skips

    output, output_format, frames_dir = options.pop("output"), options.pop("output_format"), options.pop("frames_dir")
    _save(getattr(skips, builder)(**arguments), output, output_format, frames_dir, options)


@stages_command.command("resnet-basic", epilog=examples(
    "convanim stages resnet-basic -o basic.gif",
    "convanim stages resnet-basic --stride 2 --out-channels 4 -o projection.gif",
    "convanim stages resnet-basic --input 8 --in-channels 3 --out-channels 3 --view flat -o basic.svg"))
@click.option("--input", "input_size", default="6", show_default=True, metavar="SIZE",
              help="Spatial input size: 6, or 6x8.")
@click.option("--in-channels", type=int, default=2, show_default=True, help="Input channels.")
@click.option("--out-channels", type=int, help="Output channels [default: in-channels].")
@click.option("--stride", type=int, default=1, show_default=True,
              help="Stride of the first 3x3 convolution (1 or 2); with 2, or other output channels, the shortcut "
                   "is a 1x1 projection with this stride.")
@output_options
@view_options
def resnet_basic_command(input_size: str, in_channels: int, out_channels: int | None, stride: int,
                         **options: Any) -> None:
    """ResNet's basic block: two 3x3 convolutions and the input added to their result (through a 1x1 projection
    when the shape changes)."""
    _skip_block("resnet_basic", options, input_size=_size(input_size), in_channels=in_channels,
                out_channels=out_channels, stride=stride)


@stages_command.command("resnet-bottleneck", epilog=examples(
    "convanim stages resnet-bottleneck -o bottleneck.gif",
    "convanim stages resnet-bottleneck --in-channels 4 --width 2 --out-channels 8 --stride 2 -o down.gif",
    "convanim stages resnet-bottleneck --frames frames/ -o bottleneck.png"))
@click.option("--input", "input_size", default="6", show_default=True, metavar="SIZE",
              help="Spatial input size: 6, or 6x8.")
@click.option("--in-channels", type=int, default=4, show_default=True, help="Input channels.")
@click.option("--width", type=int, default=1, show_default=True,
              help="Channels of the 1x1 reduction and the 3x3 convolution.")
@click.option("--out-channels", type=int, help="Channels after the 1x1 expansion [default: 4 x width].")
@click.option("--stride", type=int, default=1, show_default=True,
              help="Stride of the 3x3 convolution (1 or 2); with 2, or other output channels, the shortcut is a 1x1 "
                   "projection with this stride.")
@output_options
@view_options
def resnet_bottleneck_command(input_size: str, in_channels: int, width: int, out_channels: int | None, stride: int,
                              **options: Any) -> None:
    """ResNet's bottleneck block: 1x1 reduce, 3x3, 1x1 expand, and the input added to the result (through a 1x1
    projection when the shape changes)."""
    _skip_block("resnet_bottleneck", options, input_size=_size(input_size), in_channels=in_channels, width=width,
                out_channels=out_channels, stride=stride)


@stages_command.command("dense", epilog=examples(
    "convanim stages dense -o dense.gif",
    "convanim stages dense --layers 4 --growth-rate 1 --in-channels 1 -o dense4.gif",
    "convanim stages dense --theme dark --seconds-per-frame 0.3 -o dense.webp"))
@click.option("--input", "input_size", default="5", show_default=True, metavar="SIZE",
              help="Spatial input size: 5, or 5x7.")
@click.option("--in-channels", type=int, default=2, show_default=True, help="Input channels.")
@click.option("--growth-rate", type=int, default=2, show_default=True, help="Channels each layer adds.")
@click.option("--layers", "num_layers", type=int, default=3, show_default=True, help="Layers in the block.")
@output_options
@view_options
def dense_command(input_size: str, in_channels: int, growth_rate: int, num_layers: int, **options: Any) -> None:
    """A DenseNet block: each layer's 3x3 convolution reads every earlier output, and its own output is
    concatenated to them, so the channels grow by the growth rate a layer."""
    _skip_block("dense_block", options, input_size=_size(input_size), in_channels=in_channels,
                growth_rate=growth_rate, num_layers=num_layers)


@stages_command.command("unet-level", epilog=examples(
    "convanim stages unet-level -o unet.gif",
    "convanim stages unet-level --input 8 --in-channels 2 --out-channels 2 -o unet8.gif",
    "convanim stages unet-level --view flat -o unet.svg"))
@click.option("--input", "input_size", default="6", show_default=True, metavar="SIZE",
              help="Spatial input size (even): 6, or 6x8.")
@click.option("--in-channels", type=int, default=1, show_default=True, help="Input channels.")
@click.option("--out-channels", type=int, default=2, show_default=True,
              help="Channels of the level (the skip and the output); the level below has twice as many.")
@output_options
@view_options
def unet_level_command(input_size: str, in_channels: int, out_channels: int, **options: Any) -> None:
    """One U-Net level: 3x3 convolution (kept as the skip), 2x2 max pooling, 3x3 convolution, 2x2 up-convolution,
    the skip concatenated, 3x3 convolution."""
    _skip_block("unet_level", options, input_size=_size(input_size), in_channels=in_channels,
                out_channels=out_channels)


COMMANDS = (stages_command,)
