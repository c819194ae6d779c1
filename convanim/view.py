"""The view spec: how an animation looks and plays (not what it shows)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from convanim.positions import PositionsSpec, parse_positions
from convanim.spec import SpecError
from convanim.theme import RGB, THEMES, Theme, hex_rgb

VIEWS = ("oblique", "flat")
DEFAULT_RENDER_MAX_FRAMES = 4096
MAX_RENDER_FRAMES = 100_000  # the most max_frames may allow: 28 hours at one frame a second
MAX_CANVAS_SIDE = 8000
DEFAULT_LOOP_SECONDS = 60.0  # a loop whose frame rate nobody chose is sped up to last at most this long
SLIDE = (1920, 1080)  # the box a default figure is kept within (a 16:9 1080p slide)
FIT_NAMES = {"720p": (1280, 720), "1080p": SLIDE, "1440p": (2560, 1440), "4k": (3840, 2160), "2160p": (3840, 2160)}
MIN_FRAME_SECONDS = 0.02  # browsers show shorter GIF frames at 0.1 s


@dataclass(frozen=True, slots=True)
class ViewSpec:
    view: str  # "oblique" (stacked planes, the classic look) or "flat" (side by side)
    theme: Theme
    numbers: bool  # values in the cells, computed outputs
    caption: bool
    labels: bool
    cell_size: int | None  # pixels per cell before `scale`; None picks one from the grid size
    scale: float
    seconds_per_frame: float
    loop: int  # 0 loops forever
    pause: float  # extra seconds on the last frame
    transparent: bool
    max_frames: int
    channel: int | None = None  # which output channel a single-plane view follows (None: all, where shown)
    background: RGB | None = None  # the page colour: painted behind the figure, or, in a transparent GIF (one
    # transparent index, no partial alpha), what antialiased edges are blended against; None: the theme's
    positions: PositionsSpec = PositionsSpec()  # which output positions the frames show
    duration: float | None = None  # one loop in seconds, pause included; None: frames last seconds_per_frame
    loop_limit: float | None = None  # when nobody chose the frame rate: a loop is sped up to last at most this long
    fit: tuple[int, int] | None = None  # the box the whole figure is scaled into
    fit_grow: bool = False  # scale up to fill `fit` too (an explicit fit), not only down (the default slide box)


HEX_COLOUR = re.compile(r"#?[0-9a-fA-F]{6}")


def make_view(view: str = "auto", theme: str = "classic", numbers: bool = False, caption: bool = True,
              labels: bool = True, cell_size: int | None = None, scale: float = 1.0,
              seconds_per_frame: float | None = None, loop: int = 0, pause: float = 0.0, transparent: bool = False,
              max_frames: int = DEFAULT_RENDER_MAX_FRAMES, channel: int | None = None,
              background: str | None = None, positions: str | PositionsSpec | None = None,
              duration: float | None = None, fps: float | None = None,
              fit: str | tuple[int, int] | None = None) -> ViewSpec:
    """Validate view options; `view="auto"` is flat for numbers (like the numerical figures), oblique otherwise.

    Timing: give at most one of `seconds_per_frame`, `fps` (both only when they agree) and `duration` (one loop).
    With none, frames last 1 s and a loop longer than `DEFAULT_LOOP_SECONDS` is sped up to that.
    `fit`: "1920x1080", "1080p", "4k"... scales the whole figure, text included, to fill that box; "none" leaves
    it at its drawn size; by default (None) a figure drawn at the default cell size and scale is shrunk, if need
    be, into a 1920x1080 slide."""
    if view == "auto":
        view = "flat" if numbers else "oblique"
    if view not in VIEWS:
        raise SpecError(f"view: must be one of auto, {', '.join(VIEWS)}; got {view!r}")
    if theme not in THEMES:
        raise SpecError(f"theme: must be one of {', '.join(THEMES)}; got {theme!r}")
    if cell_size is not None and not 4 <= cell_size <= 400:
        raise SpecError(f"cell_size: must be between 4 and 400 pixels, got {cell_size}")
    if not 0.1 <= scale <= 8:
        raise SpecError(f"scale: must be between 0.1 and 8, got {scale}")
    if seconds_per_frame is not None and not 0.01 <= seconds_per_frame <= 60:
        raise SpecError(f"seconds_per_frame: must be between 0.01 and 60, got {seconds_per_frame}")
    if fps is not None:
        if not 1 / 60 <= fps <= 100:
            raise SpecError(f"fps: must be between 1/60 and 100 frames a second, got {fps}")
        if seconds_per_frame is not None and abs(seconds_per_frame * fps - 1) > 1e-9:
            raise SpecError(f"fps: {fps:g} frames a second is {1 / fps:g} s a frame, not seconds_per_frame="
                            f"{seconds_per_frame:g}; give one of them")
    if duration is not None:
        if not 0.1 <= duration <= 3600:
            raise SpecError(f"duration: must be between 0.1 and 3600 seconds (one loop), got {duration}")
        if seconds_per_frame is not None or fps is not None:
            raise SpecError("duration: give either duration (one loop) or a frame rate (seconds_per_frame or fps), "
                            "not both: together they fix the number of frames, which the positions decide")
        if pause >= duration:
            raise SpecError(f"duration: a loop of {duration:g} s leaves no time for frames after a pause of "
                            f"{pause:g} s")
    chosen_rate = seconds_per_frame is not None or fps is not None
    frame_seconds = seconds_per_frame if seconds_per_frame is not None else 1 / fps if fps is not None else 1.0
    if not 0 <= loop <= 65535:
        raise SpecError(f"loop: must be between 0 (forever) and 65535, got {loop}")
    if not 0 <= pause <= 600:
        raise SpecError(f"pause: must be between 0 and 600 seconds, got {pause}")
    if not 1 <= max_frames <= MAX_RENDER_FRAMES:
        raise SpecError(f"max_frames: must be between 1 and {MAX_RENDER_FRAMES:,}, got {max_frames}")
    if channel is not None and channel < 0:  # the upper bound depends on the spec: checked where it is drawn
        raise SpecError(f"channel: must be an output channel (0 or more), got {channel}")
    if background is not None and (not isinstance(background, str) or not HEX_COLOUR.fullmatch(background)):
        raise SpecError(f"background: must be a colour as six hex digits, e.g. '#1e1e1e', got {background!r}")
    box, grow = _fit_box(fit, cell_size is None and scale == 1.0)
    return ViewSpec(view=view, theme=THEMES[theme], numbers=bool(numbers), caption=bool(caption),
                    labels=bool(labels), cell_size=cell_size, scale=float(scale),
                    seconds_per_frame=float(frame_seconds), loop=int(loop), pause=float(pause),
                    transparent=bool(transparent), max_frames=int(max_frames),
                    channel=None if channel is None else int(channel),
                    background=None if background is None else hex_rgb(background),
                    positions=parse_positions(positions),
                    duration=None if duration is None else float(duration),
                    loop_limit=None if chosen_rate or duration is not None else DEFAULT_LOOP_SECONDS,
                    fit=box, fit_grow=grow)


def _fit_box(fit: str | tuple[int, int] | None, default_size: bool) -> tuple[tuple[int, int] | None, bool]:
    """(box, grow): the default keeps a default-sized figure within a slide; an explicit box is filled."""
    if fit is None:
        return (SLIDE if default_size else None), False
    if isinstance(fit, str):
        text = fit.strip().lower()
        if text == "none":
            return None, False
        if text in FIT_NAMES:
            return FIT_NAMES[text], True
        parts = text.split("x")
        if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
            raise SpecError(f"fit: must be WIDTHxHEIGHT (e.g. 1920x1080), one of {', '.join(FIT_NAMES)}, or none; "
                            f"got {fit!r}")
        fit = (int(parts[0]), int(parts[1]))
    if len(fit) != 2 or not all(isinstance(v, int) for v in fit):
        raise SpecError(f"fit: must be a (width, height) pair of pixels, got {fit!r}")
    width, height = fit
    if not (64 <= width <= MAX_CANVAS_SIDE and 64 <= height <= MAX_CANVAS_SIDE):
        raise SpecError(f"fit: each side must be between 64 and {MAX_CANVAS_SIDE} pixels, got {width}x{height}")
    return (width, height), True
