"""Frame planning: which (output position, output channel) pairs a figure sweeps, within the frame budget."""

from __future__ import annotations

from dataclasses import dataclass

from convanim.errors import SpecError
from convanim.figures.captions import channel_list
from convanim.positions import Positions
from convanim.view import ViewSpec

FULL_SWEEP_FRAMES = 64  # up to this many (position, output channel) pairs, every output channel is swept fully


@dataclass(frozen=True, slots=True)
class FramePlan:
    """Which (output position index, output channel) each frame shows, and a caption line saying so."""

    steps: tuple[tuple[int, int], ...]
    note: str  # how the output channels are swept ("" for one)
    positions_note: str = ""  # which output positions are shown ("" for all of them)

    @property
    def notes(self) -> list[str]:
        return [n for n in (self.positions_note, self.note) if n]


def frame_plan(chosen_positions: Positions | int, out_channels: int, view: ViewSpec, limit: int | None = None,
               shown: tuple[int, ...] | None = None) -> FramePlan:
    """Every output channel swept over the chosen positions when that is small; else one channel swept and the
    others at the last chosen position.

    `shown` limits the frames to the output channels that are drawn (all of them by default); a number of
    positions stands for all of them."""
    if isinstance(chosen_positions, int):
        chosen_positions = Positions(tuple(range(chosen_positions)), "")
    sweep = chosen_positions.indices
    positions = len(sweep)
    limit = view.max_frames if limit is None else limit
    shown = tuple(range(out_channels)) if shown is None else shown
    chosen = shown[0] if view.channel is None else view.channel
    if not 0 <= chosen < out_channels:
        raise SpecError(f"channel: must be between 0 and {out_channels - 1}, got {chosen}")
    others = [oc for oc in shown if oc != chosen]
    elided = len(shown) < out_channels
    if view.channel is None and positions * len(shown) <= min(FULL_SWEEP_FRAMES, limit):
        steps = tuple((p, oc) for oc in shown for p in sweep)
        note = (f"each drawn output channel in turn ({channel_list(shown, out_channels)} of {out_channels})"
                if elided else "both output channels, one after the other" if out_channels == 2 else
                f"each of the {out_channels} output channels in turn" if out_channels > 2 else "")
    else:
        steps = tuple([(p, chosen) for p in sweep] + [(sweep[-1], oc) for oc in others])
        # "only": a frame of another channel ("output channel 3 at (4, 4)") must not read as a contradiction
        note = (f"output channel {chosen} of {out_channels} swept; the other drawn ones "
                f"({', '.join(map(str, others))}) at the last position only" if elided else
                f"output channel {chosen} of {out_channels} swept; the others at the last position only"
                if out_channels > 1 else "")
    if len(steps) > limit:
        raise SpecError(f"max_frames: this view needs {len(steps):,} frames ({positions:,} output positions"
                        f"{f' + {len(others)} other output channels' if others else ''}), more than "
                        f"the limit of {limit:,}; raise max_frames or show fewer positions")
    return FramePlan(steps, note, chosen_positions.note)
