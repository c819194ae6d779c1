"""The words of a figure: plane labels, the caption block, and the phrases that say what a frame reads and what the
drawing leaves out."""

from __future__ import annotations

from collections.abc import Sequence

from convanim.describe import shape_str
from convanim.figures.canvas import Style
from convanim.geometry import Geometry
from convanim.primitives import Text
from convanim.spec import ConvSpec
from convanim.theme import Theme
from convanim.view import ViewSpec


def channel_list(channels: tuple[int, ...], total: int) -> str:
    """"0-2, …, 15": runs of drawn channels, an ellipsis for each left-out run."""
    runs: list[list[int]] = []
    for c in channels:
        if runs and c == runs[-1][-1] + 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    parts = [str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" if len(r) > 2 else f"{r[0]}, {r[1]}" for r in runs]
    return ("…, " if channels[0] > 0 else "") + ", …, ".join(parts) + (", …" if channels[-1] < total - 1 else "")


def caption_lines(title: str, notes: list[str], frame_titles: tuple[str, ...], style: Style,
                  theme: Theme) -> list[Text]:
    """Caption of at most three lines, readable on a projector: the layer, the static notes (what the frames show and
    leave out) joined on one line, then the current frame's line. The full accounting is `explain`'s job."""
    line = style.caption_font * 1.45
    notes = ["; ".join(notes)] if notes else []
    items = [Text((0.0, 0.0, 0.0), title, style.caption_font, theme.text, "ma", screen=True)]
    items += [Text((0.0, line * (i + 1), 0.0), note, style.caption_font * 0.9, theme.muted_text, "ma", screen=True)
              for i, note in enumerate(notes)]
    row = line * (len(notes) + 1)
    items += [Text((0.0, row, 0.0), text, style.caption_font * 0.9, theme.text, "ma", frame=t, screen=True)
              for t, text in enumerate(frame_titles)]
    return items


def grid_note(spec: ConvSpec, geometry: Geometry, shape: tuple[int, ...]) -> str:
    """The tensor's spatial shape, and the drawn grid's when padding or inserted zeros change it."""
    text = shape_str(shape)
    if geometry.grid_shape != spec.input_size:
        text += f", {'drawn' if spec.transposed else 'padded'} {shape_str(geometry.grid_shape)}"
    return text


def read_phrase(read: Sequence[int], drawn: int, in_channels: int) -> str:
    """"input channels 0-15 (all 16; 4 drawn)": the channels a filter reads, and how many of them have a plane."""
    text = f"input channel {read[0]}" if len(read) == 1 else f"input channels {read[0]}-{read[-1]}"
    if drawn == len(read):
        return text
    if not drawn:
        return text + ", none of them drawn"
    return text + (f" (all {len(read)}; {drawn} drawn)" if len(read) == in_channels else
                   f" ({drawn} of {len(read)} drawn)")


def elision_notes(spec: ConvSpec, in_drawn: tuple[int, ...], out_drawn: tuple[int, ...]) -> list[str]:
    """Say which channels have a plane, when not all of them do."""
    parts = [f"{side} channels {channel_list(drawn, total)} ({total} in all)"
             for side, drawn, total in (("input", in_drawn, spec.in_channels), ("output", out_drawn,
                                                                                spec.out_channels))
             if len(drawn) < total]
    return ["drawn: " + "; ".join(parts)] if parts else []


def numbers_note(view: ViewSpec) -> list[str]:
    """Values are drawn only in the single-channel figure; say so rather than drop them silently."""
    return ["(numbers are drawn only for one input and one output channel)"] if view.numbers else []


def layer_note(spec: ConvSpec) -> str:
    """What kind of channel mixing this is, in the words lecturers use."""
    k = shape_str(spec.kernel_size)
    if spec.is_pool:
        return f"{spec.op}: each channel pooled on its own with a {k} window"
    per_in = spec.in_channels // spec.groups
    if spec.groups == spec.in_channels and spec.groups > 1:
        mult = spec.out_channels // spec.in_channels
        kind = "depthwise" + (f", channel multiplier {mult}" if mult > 1 else "")
    elif spec.groups > 1:
        kind = f"grouped, {spec.groups} groups"
    elif all(v == 1 for v in spec.kernel_size):
        kind = "pointwise (1×1)"
    else:
        kind = "standard convolution"
    size = (f"{k} step{'s' if spec.kernel_size[0] > 1 else ''} × {per_in} channel{'s' if per_in > 1 else ''}"
            if spec.dims == 1 else f"{k}×{per_in}")  # "3×3" would read as a 2d kernel
    return f"{kind}: each filter is {size} and reads {per_in} of {spec.in_channels} input channels"
