"""The view spec: how an animation looks and plays (not what it shows)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from convanim.spec import SpecError
from convanim.theme import RGB, THEMES, Theme, hex_rgb

VIEWS = ("oblique", "flat")
DEFAULT_RENDER_MAX_FRAMES = 4096
MAX_RENDER_FRAMES = 100_000  # the most max_frames may allow: 28 hours at one frame a second
MAX_CANVAS_SIDE = 8000


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


HEX_COLOUR = re.compile(r"#?[0-9a-fA-F]{6}")


def make_view(view: str = "auto", theme: str = "classic", numbers: bool = False, caption: bool = True,
              labels: bool = True, cell_size: int | None = None, scale: float = 1.0, seconds_per_frame: float = 1.0,
              loop: int = 0, pause: float = 0.0, transparent: bool = False,
              max_frames: int = DEFAULT_RENDER_MAX_FRAMES, channel: int | None = None,
              background: str | None = None) -> ViewSpec:
    """Validate view options; `view="auto"` is flat for numbers (like the numerical figures), oblique otherwise."""
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
    if not 0.01 <= seconds_per_frame <= 60:
        raise SpecError(f"seconds_per_frame: must be between 0.01 and 60, got {seconds_per_frame}")
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
    return ViewSpec(view=view, theme=THEMES[theme], numbers=bool(numbers), caption=bool(caption),
                    labels=bool(labels), cell_size=cell_size, scale=float(scale),
                    seconds_per_frame=float(seconds_per_frame), loop=int(loop), pause=float(pause),
                    transparent=bool(transparent), max_frames=int(max_frames),
                    channel=None if channel is None else int(channel),
                    background=None if background is None else hex_rgb(background))
