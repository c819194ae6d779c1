"""`convanim map`: every output position with every kernel tap, as a table or as the documented JSON."""

from __future__ import annotations

import json
from typing import Any

import click

from convanim.cli.options import examples, spec_from_options, spec_options


@click.command("map", epilog=examples(
    "convanim map --input 5 --kernel 3 --stride 2 --padding 1",
    'convanim map "ConvTranspose2d(1, 1, 3, stride=2)" --input 3 --json',
))
@spec_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the documented contract).")
@click.option("--max-frames", type=int, default=None, show_default=False,
              help="Refuse to print more output positions than this [default: 20000].")
def map_command(as_json: bool, max_frames: int | None, **options: Any) -> None:
    """Every output position with every kernel tap: the input it reads (or an implicit zero) and its grid cell.

    LAYER may be a PyTorch layer such as "ConvTranspose2d(1, 1, 3, stride=2, padding=1)"; options override it."""
    from convanim.geometry import DEFAULT_MAX_FRAMES, mapping

    spec = spec_from_options(options)
    data = mapping(spec, max_frames=DEFAULT_MAX_FRAMES if max_frames is None else max_frames)
    if as_json:
        click.echo(json.dumps(data, separators=(",", ":")))
    else:
        click.echo(map_table(data, spec))


def map_table(data: dict[str, Any], spec: Any) -> str:
    from convanim.describe import layer_name, shape_text

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


COMMANDS = (map_command,)
