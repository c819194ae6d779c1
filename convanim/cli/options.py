"""What the commands share: the spec options (PyTorch's names), one set of view options with the library's defaults,
turning options into library calls, writing the outputs, and the one table from Python parameter names to flags."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import click

from convanim.errors import SpecError
from convanim.parse import parse_padding, parse_size

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

# Python parameter -> command-line flag. Library messages name Python parameters; `cli_message` shows flags.
FLAGS: dict[str, str] = {
    "layer": "LAYER", "dims": "--dims", "input_size": "--input", "kernel_size": "--kernel", "stride": "--stride",
    "padding": "--padding", "dilation": "--dilation", "output_padding": "--output-padding",
    "transposed": "--transposed", "in_channels": "--in-channels", "out_channels": "--out-channels",
    "groups": "--groups", "depthwise": "--depthwise", "bias": "--no-bias", "op": "--op", "ceil_mode": "--ceil-mode",
    "view": "--view", "theme": "--theme", "numbers": "--numbers", "caption": "--caption", "labels": "--labels",
    "cell_size": "--cell-size", "scale": "--scale", "seconds_per_frame": "--seconds-per-frame", "loop": "--loop",
    "pause": "--pause", "transparent": "--transparent", "max_frames": "--max-frames", "channel": "--channel",
    "background": "--background",
    "output": "--output", "frames": "--frames", "template": "--template", "only": "--only",
    "templates": "--templates", "clean": "--clean", "frames_dir": "--frames", "expansion": "--expansion",
    "multiplier": "--multiplier", "out_dir": "--out", "format": "--format",
    "kind": "KIND", "shape": "--shape", "sequence": "--sequence", "eps": "--eps", "affine": "--affine", "p": "--p",
    "steps": "--steps", "seed": "--seed", "positions": "--positions", "duration": "--duration", "fps": "--fps",
    "fit": "--fit", "quiet": "--quiet",
    "layers": "LAYER", "stack": "--stack", "compare_dense": "--compare-dense",
    "width": "--width", "growth_rate": "--growth-rate", "num_layers": "--layers", "forward": "--forward",
}
_NAMED = re.compile(r"(?<![\w-])(\w+):")  # `name:` names a parameter, at the start or within
_SNAKE_NAMES = re.compile(r"\b(" + "|".join(sorted((n for n in FLAGS if "_" in n), key=len, reverse=True)) + r")\b")
_TRUE_FLAG = re.compile(r"\bpass (\w+)=True\b")
_KEYWORD_VALUE = re.compile(r"\b(\w+)=(\S+?)(?=[\s,;)]|$)")
_TEMPLATE_MESSAGE = re.compile(r"[^:\n]*\.toml: ")
_QUOTED = re.compile(r"""((?<!\w)'(?:[^'\\]|\\.)*'(?!\w)|(?<!\w)"(?:[^"\\]|\\.)*"(?!\w))""")


def cli_message(message: str) -> str:
    """A library message with its Python parameter names shown as the flags that set them, from `FLAGS`:
    `input_size: must be positive` -> `--input: must be positive`, `try cell_size=12` -> `try --cell-size 12`."""
    if _TEMPLATE_MESSAGE.match(message):  # about a template file: its keys are the names to show
        return message
    parts = _QUOTED.split(message)  # quoted text (a layer string, a file name) is shown as it was written
    return "".join(part if i % 2 else _flags(part) for i, part in enumerate(parts))


def _flags(message: str) -> str:
    message = _TRUE_FLAG.sub(lambda m: f"add {FLAGS[m.group(1)]}" if m.group(1) in FLAGS else m.group(0), message)
    message = _KEYWORD_VALUE.sub(
        lambda m: f"{FLAGS[m.group(1)]} {m.group(2)}" if m.group(1) in FLAGS and "_" in m.group(1) else m.group(0),
        message)
    message = _NAMED.sub(lambda m: f"{FLAGS[m.group(1)]}:" if m.group(1) in FLAGS else m.group(0), message)
    return _SNAKE_NAMES.sub(lambda m: FLAGS[m.group(1)], message)


def _apply(options: list[Decorator]) -> Decorator:
    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            command = option(command)
        return command
    return decorate


def examples(*commands: str) -> str:
    """A command's `--help` epilog: real invocations, one a line, unwrapped (click's \\b marker); tests run them."""
    return "\b\nExamples:\n" + "\n".join(f"  {command}" for command in commands)


SIZE_HELP = "one integer for every axis, or one per axis joined by 'x' (e.g. 5x7)"

_SPEC_FLAGS: list[Decorator] = [
    click.option("--dims", type=int, help="Spatial dimensions: 1, 2 or 3 [default: 2, or the length of a "
                                          "per-axis size]."),
    click.option("--input", "input_size", metavar="SIZE", help=f"Spatial input size: {SIZE_HELP} [default: 5]."),
    click.option("--kernel", "kernel_size", metavar="SIZE", help=f"Kernel size: {SIZE_HELP} [default: 3]."),
    click.option("--stride", metavar="SIZE", help="Stride [default: 1; the kernel size for pooling]."),
    click.option("--padding", metavar="PAD", help="Padding: an integer, per axis (1x2), before:after pairs "
                                                  "(0:1x1:1), or valid / same / full [default: 0]."),
    click.option("--dilation", metavar="SIZE", help="Dilation [default: 1]."),
    click.option("--output-padding", metavar="SIZE", help="Extra size at the end of each axis of a transposed "
                                                          "convolution [default: 0]."),
    click.option("--transposed", is_flag=True, default=None, help="A transposed convolution."),
    click.option("--in-channels", type=int, help="Input channels [default: 1]."),
    click.option("--out-channels", type=int, help="Output channels [default: 1; in-channels if depthwise]."),
    click.option("--groups", type=int, help="Groups: each output channel reads in-channels/groups inputs."),
    click.option("--depthwise", is_flag=True, default=None, help="Depthwise: groups = in-channels."),
    click.option("--op", type=click.Choice(["conv", "maxpool", "avgpool"]), help="Operation [default: conv]."),
    click.option("--ceil-mode", is_flag=True, default=None, help="Pooling: round the output size up."),
    click.option("--no-bias", "no_bias", is_flag=True, default=None, help="No bias term."),
]
spec_flag_options = _apply(_SPEC_FLAGS)
"""The spec options without the LAYER argument (`explain` takes several layers)."""
spec_options = _apply([click.argument("layer", required=False), *_SPEC_FLAGS])
"""The spec options shared by `map`, `explain` and `render` (PyTorch's names)."""

SPEC_OPTION_NAMES = ("layer", "dims", "input_size", "kernel_size", "stride", "padding", "dilation", "output_padding",
                     "transposed", "in_channels", "out_channels", "groups", "depthwise", "op", "ceil_mode", "no_bias")

def _format_names() -> list[str]:
    from convanim.backends import FORMATS  # the registry alone: no backend (and no numpy) is imported

    return list(FORMATS)


output_options = _apply([
    click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
                 help="Output file: .gif .svg .png (a sheet of every frame) .webp .apng .pdf (the last frame) "
                      ".mp4 .webm; - for standard output (with --format)."),
    click.option("--format", "output_format", type=click.Choice(_format_names(), case_sensitive=False),
                 help="The output's format, for -o - or a name without its extension [default: from the "
                      "extension]."),
    click.option("--frames", "frames_dir", type=click.Path(file_okay=False),
                 help="Also write numbered per-frame PNG, SVG and PDF files into this directory, and print the "
                      "beamer line that plays them."),
    click.option("-q", "--quiet", is_flag=True, default=False, help="No progress bar and no 'wrote' line."),
])

# Every view option defaults to None here: the library's `make_view` defaults apply, the same for every command.
view_options = _apply([
    click.option("--view", type=click.Choice(["auto", "oblique", "flat"]),
                 help="Stacked planes (oblique, the classic look) or side by side (flat) [default: auto, flat for "
                      "--numbers]."),
    click.option("--theme", type=click.Choice(["classic", "colorblind", "dark"]), help="Colours [default: classic]."),
    click.option("--numbers", is_flag=True, default=None,
                 help="Values in the cells, weights in the window, outputs computed."),
    click.option("--caption/--no-caption", default=None, help="The layer and frame line under the figure."),
    click.option("--labels/--no-labels", default=None, help="Plane names and shapes."),
    click.option("--cell-size", type=int, help="Pixels per cell [default: from the grid size]."),
    click.option("--scale", type=float, help="Scale everything, e.g. 2 for a high-DPI screen [default: 1]."),
    click.option("--seconds-per-frame", type=float, help="Frame duration [default: 1, faster when a loop would "
                                                          "last over 60 s]."),
    click.option("--fps", type=float, help="Frames a second (another way to give --seconds-per-frame)."),
    click.option("--duration", type=float, metavar="SECONDS",
                 help="One loop in seconds, shared by the frames (instead of a frame rate)."),
    click.option("--positions", metavar="WHICH",
                 help="Output positions to show: all, row R, column C, corners, every K, first N, or a region "
                      "A:B,C:D (one range per axis) [default: all when few, else the first few and the last along "
                      "each axis]."),
    click.option("--fit", metavar="BOX", help="Scale the whole figure, text included, to fill a box: 1920x1080, "
                                              "1080p, 4k... or none [default: a default-sized figure is kept "
                                              "within 1920x1080]."),
    click.option("--loop", type=int, help="Times to loop; 0 loops forever [default: 0]."),
    click.option("--pause", type=float, help="Extra seconds on the last frame [default: 0]."),
    click.option("--transparent", is_flag=True, default=None, help="Transparent background."),
    click.option("--background", metavar="COLOUR",
                 help="Page colour as hex (#1e1e1e): painted behind the figure, or what a transparent GIF's edges "
                      "blend against (PNG, APNG, WebP and SVG keep true alpha) [default: the theme's]."),
    click.option("--max-frames", type=int, help="Refuse more frames than this [default: 4096]."),
    click.option("--channel", type=int, help="With several output channels: sweep this one over every position (its "
                                             "planes drawn), the others at the last position."),
])
VIEW_OPTION_NAMES = ("view", "theme", "numbers", "caption", "labels", "cell_size", "scale", "seconds_per_frame",
                     "loop", "pause", "transparent", "max_frames", "channel", "background", "fps", "duration",
                     "positions", "fit")


def given_view_args(options: dict[str, Any]) -> dict[str, Any]:
    """The view options given on the command line, as `make_view` keyword arguments."""
    return {name: options[name] for name in VIEW_OPTION_NAMES if options.get(name) is not None}


def spec_args_from_options(options: dict[str, Any]) -> dict[str, Any]:
    """The spec options given on the command line, as `make_spec` keyword arguments (the layer string apart)."""
    args: dict[str, Any] = {}
    for name in ("input_size", "kernel_size", "stride", "dilation", "output_padding"):
        if options.get(name) is not None:
            args[name] = parse_size(options[name], name)
    if options.get("padding") is not None:
        args["padding"] = parse_padding(options["padding"])
    for name in ("dims", "in_channels", "out_channels", "groups", "op"):
        if options.get(name) is not None:
            args[name] = options[name]
    for name in ("transposed", "depthwise", "ceil_mode"):
        if options.get(name):
            args[name] = True
    if options.get("no_bias"):
        args["bias"] = False
    return args


def spec_from_options(options: dict[str, Any], base: dict[str, Any] | None = None) -> Any:
    """Options given on the command line override the layer string, which overrides `base` (a template)."""
    from convanim.parse import parse_layer
    from convanim.spec import make_spec

    args: dict[str, Any] = dict(base or {})
    if options.get("layer"):
        args.update(parse_layer(options["layer"]))
    args.update(spec_args_from_options(options))
    return make_spec(**args)


STDOUT = "-"


def check_output_path(output: str, output_format: str | None = None) -> None:
    from convanim.backends import format_for
    from convanim.backends.files import check_writable_directory, write_error

    path = Path(output)
    format_for(path, output_format)
    try:
        check_writable_directory(path.resolve() if path.is_symlink() else path)
    except OSError as error:
        raise write_error("output", path, error) from None


def write_outputs(animation: Any, output: str | None, frames_dir: str | None, output_format: str | None = None,
                  quiet: bool = False) -> None:
    """Check both destinations before writing either, then write the file (or standard output) and/or the
    per-frame files, with a progress bar on a terminal's stderr (see `convanim.progress`). Status lines go to
    stderr, so that standard output carries only the file or the beamer line."""
    from convanim.progress import Progress

    if output is None and frames_dir is None:
        raise click.UsageError("give -o FILE and/or --frames DIR")
    if output == STDOUT:
        _check_stdout(output_format, frames_dir)
    elif output is not None:
        check_output_path(output, output_format)
    if frames_dir is not None and not (Path(frames_dir).is_dir() or Path(frames_dir).absolute().parent.is_dir()):
        raise SpecError(f"frames_dir: neither directory {frames_dir!r} nor its parent exists")
    stream = None if quiet else sys.stderr
    if output == STDOUT:
        assert output_format is not None
        with Progress(f"rendering {output_format.lower()}", stream) as bar:
            data = animation.to_bytes(output_format, progress=bar.update)  # whole first: a refusal writes nothing
        stdout = _binary_stdout()
        stdout.write(data)
        stdout.flush()
        if not quiet:
            click.echo(f"wrote {output_format.lower()} to standard output ({_described(animation, output_format)})",
                       err=True)
    elif output is not None:
        with Progress(f"rendering {Path(output).name}", stream) as bar:
            written = animation.save(output, output_format, progress=bar.update)
        if not quiet:
            click.echo(f"wrote {written} ({_described(animation, output_format or Path(output).suffix)})", err=True)
    if frames_dir is not None:
        with Progress(f"writing frames to {frames_dir}", stream) as bar:
            line = animation.save_frames(frames_dir, progress=bar.update)
        if not quiet:
            click.echo(f"wrote {animation.frame_count} PNG, SVG and PDF frames to {frames_dir}; in beamer "
                       f"(\\usepackage{{animate}}):", err=True)
        click.echo(line)


def _binary_stdout() -> BinaryIO:
    """Standard output for bytes: the text stream's buffer (as click's own binary stream is on POSIX; click 8.5's
    type hints make that function an untyped object, which type-checking then refuses)."""
    return sys.stdout.buffer


def _check_stdout(output_format: str | None, frames_dir: str | None) -> None:
    from convanim.backends import format_named

    if output_format is None:
        raise click.UsageError("-o - (standard output) needs --format, e.g. --format gif")
    if frames_dir is not None:
        raise click.UsageError("-o - (standard output) and --frames both print to standard output; give one")
    fmt = format_named(output_format)
    if not fmt.text and _binary_stdout().isatty():
        raise click.UsageError(f"refusing to write {fmt.name} to a terminal; redirect it: -o - > x{fmt.extension}")


def _described(animation: Any, format: str) -> str:
    """`9 frames, 420x310 px, 9 s a loop`: the frame count, the file's own size and how long it plays."""
    from convanim.backends import format_named

    fmt = format_named(format)
    width, height = fmt.file_size(animation.scene)
    frames = f"{animation.frame_count} frames"
    if fmt.name == "pdf":
        frames = f"the last of {animation.frame_count} frames"
    if fmt.name == "png":
        from convanim.backends.raster_formats import sheet_layout

        columns, rows = sheet_layout(animation.scene)
        frames += f" on a {columns}x{rows} sheet"
    timing = "" if fmt.name in ("pdf", "png") else f", {animation.loop_seconds:g} s a loop"
    return f"{frames}, {width}x{height} {fmt.unit}{timing}"
