"""The `convanim` command: a thin click layer over the library. It parses options into a spec and calls the library;
every user mistake becomes one line on stderr and exit status 2."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable

import click

from .parse import axis_count, parse_layer, parse_padding, parse_size
from .spec import ConvSpec, SpecError, make_spec

USAGE_ERROR = 2


class ConvanimGroup(click.Group):
    """Turns click's usage errors and our `SpecError` into one line and exit status 2, without a traceback."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = result if isinstance(result, int) else 0
        except click.UsageError as error:
            hint = f" (see '{error.ctx.command_path} --help')" if error.ctx else ""
            code = _fail(f"{error.format_message()}{hint}")
        except SpecError as error:
            code = _fail(str(error))
        except click.ClickException as error:
            click.echo(f"convanim: error: {error.format_message()}", err=True)
            code = error.exit_code
        except click.Abort:
            click.echo("Aborted!", err=True)
            code = 1
        if standalone_mode:
            sys.exit(code)
        return code


def _fail(message: str) -> int:
    click.echo(f"convanim: error: {message}", err=True)
    return USAGE_ERROR


def spec_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The spec options shared by `map`, `explain` and `render` (PyTorch's names)."""
    size_help = "one integer for every axis, or one per axis joined by 'x' (e.g. 5x7)"
    options = [
        click.argument("layer", required=False),
        click.option("--dims", type=int, help="Spatial dimensions: 1, 2 or 3 [default: 2, or the length of a "
                                              "per-axis size]."),
        click.option("--input", "input_size", metavar="SIZE", help=f"Spatial input size: {size_help} [default: 5]."),
        click.option("--kernel", "kernel_size", metavar="SIZE", help=f"Kernel size: {size_help} [default: 3]."),
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
    for option in reversed(options):
        command = option(command)
    return command


SPEC_OPTION_NAMES = ("layer", "dims", "input_size", "kernel_size", "stride", "padding", "dilation", "output_padding",
                     "transposed", "in_channels", "out_channels", "groups", "depthwise", "op", "ceil_mode", "no_bias")


def spec_from_options(options: dict[str, Any], base: dict[str, Any] | None = None) -> ConvSpec:
    """Options given on the command line override `base` (a template or a layer string), which overrides defaults."""
    args: dict[str, Any] = dict(base or {})
    if options.get("layer"):
        args.update(parse_layer(options["layer"]))
    for name in ("input_size", "kernel_size", "stride", "dilation", "output_padding"):
        if options.get(name) is not None:
            args[name] = parse_size(options[name], name.replace("_size", "") if name == "input_size" else name)
    if options.get("padding") is not None:
        args["padding"] = parse_padding(options["padding"])
    for name in ("in_channels", "out_channels", "groups", "op"):
        if options.get(name) is not None:
            args[name] = options[name]
    for name in ("transposed", "depthwise", "ceil_mode"):
        if options.get(name):
            args[name] = True
    if options.get("no_bias"):
        args["bias"] = False
    if options.get("dims") is not None:
        args["dims"] = options["dims"]
    elif "dims" not in args:
        args["dims"] = _inferred_dims(args)
    return make_spec(**args)


def _inferred_dims(args: dict[str, Any]) -> int:
    """Without --dims, a per-axis size like 5x7x9 says how many axes there are; otherwise 2."""
    named = {name: axis_count(args.get(name)) for name in ("input_size", "kernel_size", "stride", "dilation",
                                                           "output_padding", "padding")}
    counts = set(named.values()) - {None}
    if len(counts) > 1:
        said = ", ".join(f"{name.removesuffix('_size')} {count}" for name, count in named.items() if count)
        raise SpecError(f"dims: per-axis values must have one value per axis, but they name different numbers of "
                        f"axes ({said})")
    return counts.pop() if counts else 2


@click.group(cls=ConvanimGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="convanim")
def cli() -> None:
    """Exact, beautiful animations of convolutions: geometry, explanations, renders and a gallery."""


@cli.command("map")
@spec_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the documented contract).")
@click.option("--max-frames", type=int, default=None, show_default=False,
              help="Refuse to print more output positions than this [default: 20000].")
def map_command(as_json: bool, max_frames: int | None, **options: Any) -> None:
    """Every output position with every kernel tap: the input it reads (or an implicit zero) and its grid cell.

    LAYER may be a PyTorch layer such as "ConvTranspose2d(1, 1, 3, stride=2, padding=1)"; options override it."""
    from .geometry import DEFAULT_MAX_FRAMES, Geometry, check_frame_limit, mapping

    spec = spec_from_options(options)
    limit = DEFAULT_MAX_FRAMES if max_frames is None else max_frames
    check_frame_limit(Geometry(spec), limit, "--max-frames")
    data = mapping(spec, max_frames=limit)
    if as_json:
        click.echo(json.dumps(data, separators=(",", ":")))
    else:
        click.echo(_map_table(spec, data))


def _map_table(spec: ConvSpec, data: dict[str, Any]) -> str:
    from .explain import layer_name, shape_text

    def idx(values: list[int]) -> str:
        return ",".join(map(str, values))

    lines = [f"{layer_name(spec)}: input {shape_text(tuple(data['input_shape']))}, output "
             f"{shape_text(tuple(data['output_shape']))}, drawn grid {shape_text(tuple(data['grid_shape']))}; "
             f"{len(data['frames'])} frames",
             "each tap: kernel index -> input index read (or 'pad' / 'ins' for a padding / inserted zero) @ grid cell"]
    for number, frame in enumerate(data["frames"]):
        taps = []
        for tap in frame["taps"]:
            read = idx(tap["input"]) if tap["input"] is not None else ("pad" if tap["zero"] == "padding" else "ins")
            taps.append(f"{idx(tap['kernel'])}->{read}@{idx(tap['grid'])}")
        lines.append(f"frame {number:>3}  output ({idx(frame['output'])}):  " + "  ".join(taps))
    if data["groups"] != 1:
        lines.append("channels: " + "  ".join(f"out {c['output']} <- in {idx(c['inputs'])}" for c in data["channels"]))
    return "\n".join(lines)


@cli.command("explain")
@spec_options
@click.option("--compare-dense", is_flag=True, help="Also count a fully connected layer between the same shapes.")
def explain_command(compare_dense: bool, **options: Any) -> None:
    """Shapes, the output-size formula with numbers, parameters, MACs and receptive field, for a person.

    LAYER may be a PyTorch layer such as "Conv2d(3, 10, 5, padding=2)"; options override it."""
    from .explain import explain

    click.echo(explain(spec_from_options(options), compare_dense=compare_dense))


@cli.command("render")
@spec_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Output file: .gif .svg .png (a sheet of "
                                                                       "every frame) .webp .apng.")
@click.option("--frames", "frames_dir", type=click.Path(file_okay=False), help="Also write numbered per-frame PNG "
                                                                                "and SVG files into this directory.")
@click.option("--template", help="Start from a template (a name from 'convanim list', or a .toml file); "
                                 "options given here override it.")
@click.option("--view", type=click.Choice(["auto", "oblique", "flat"]), help="Stacked planes (oblique, the classic "
                                                                              "look) or side by side (flat).")
@click.option("--theme", type=click.Choice(["classic", "colorblind", "dark"]), help="Colours [default: classic].")
@click.option("--numbers", is_flag=True, default=None, help="Values in the cells, weights in the window, outputs "
                                                            "computed.")
@click.option("--caption/--no-caption", default=None, help="The layer and frame line under the figure.")
@click.option("--labels/--no-labels", default=None, help="Plane names and shapes.")
@click.option("--cell-size", type=int, help="Pixels per cell [default: from the grid size].")
@click.option("--scale", type=float, help="Scale everything, e.g. 2 for a high-DPI screen [default: 1].")
@click.option("--seconds-per-frame", type=float, help="Frame duration [default: 1].")
@click.option("--loop", type=int, help="Times to loop; 0 loops forever [default: 0].")
@click.option("--pause", type=float, help="Extra seconds on the last frame [default: 0].")
@click.option("--transparent", is_flag=True, default=None, help="Transparent background.")
@click.option("--max-frames", "render_max_frames", type=int, help="Refuse more frames than this [default: 4096].")
@click.option("--channel", type=int, help="With several output channels: sweep this one over every position (its "
                                          "planes drawn), the others at the last position.")
def render_command(output: str | None, frames_dir: str | None, template: str | None, **options: Any) -> None:
    """Render an animation of the spec to a file (and/or per-frame files).

    LAYER may be a PyTorch layer such as "Conv2d(1, 1, 3, stride=2, padding=1)"; options override it."""
    from .animation import Animation
    from .view import make_view

    if output is None and frames_dir is None:
        raise click.UsageError("give -o FILE and/or --frames DIR")
    view_names = ("view", "theme", "numbers", "caption", "labels", "cell_size", "scale", "seconds_per_frame", "loop",
                  "pause", "transparent", "channel")
    view_args: dict[str, Any] = {}
    base: dict[str, Any] | None = None
    if template:
        from .templates import load_template

        chosen = load_template(template)
        base, view_args = dict(chosen.spec_args), dict(chosen.view_args)
    view_args.update({name: options[name] for name in view_names if options.get(name) is not None})
    if options.get("render_max_frames") is not None:
        view_args["max_frames"] = options["render_max_frames"]
    spec_options_given = {name: options.get(name) for name in SPEC_OPTION_NAMES}
    if template and chosen.block:  # a block of several layers: its own animation, only view options apply
        given = [name for name, value in spec_options_given.items() if value is not None]
        if given:
            raise SpecError(f"template: {chosen.name!r} is a {chosen.block} block; layer options such as "
                            f"--{given[0].replace('_size', '').replace('_', '-')} do not apply (use 'convanim stages')")
        from .stages import animate_stages

        animation = animate_stages(chosen.staged_block, make_view(**view_args))
    else:
        animation = Animation(spec_from_options(spec_options_given, base=base), make_view(**view_args))
    write_outputs(animation, output, frames_dir)


def write_outputs(animation: Any, output: str | None, frames_dir: str | None) -> None:
    """Check both destinations before writing either, then write the file and/or the per-frame files."""
    if output is None and frames_dir is None:
        raise click.UsageError("give -o FILE and/or --frames DIR")
    if output is not None:
        from .backends import FORMATS

        if FORMATS.get(Path(output).suffix.lower()) is None:
            raise SpecError(f"output: unknown format {Path(output).suffix or '(no extension)'!r} for {output!r}; "
                            f"use one of {', '.join(FORMATS)}")
        from .output import check_writable_directory

        check_writable_directory(Path(output))
    if frames_dir is not None and not (Path(frames_dir).is_dir() or Path(frames_dir).absolute().parent.is_dir()):
        raise SpecError(f"frames: neither directory {frames_dir!r} nor its parent exists")
    if output is not None:
        written = animation.save(output)
        click.echo(f"wrote {written} ({animation.frame_count} frames, {animation.size[0]}x{animation.size[1]} px)",
                   err=True)
    if frames_dir is not None:
        line = animation.save_frames(frames_dir)
        click.echo(f"wrote {animation.frame_count} PNG and SVG frames to {frames_dir}; in beamer (\\usepackage{{animate}}):",
                   err=True)
        click.echo(line)


def main() -> None:
    cli()


from .gallery_cli import gallery_command, list_command  # noqa: E402

cli.add_command(list_command)
cli.add_command(gallery_command)

from .stages_cli import stages_command  # noqa: E402

cli.add_command(stages_command)
