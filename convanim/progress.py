"""A progress bar for work that takes more than about a second: one line on a terminal's stderr with the frames done
of the total, the rate and the time left; nothing at all anywhere else (pipes, logs, CI, `--quiet`), so that
output stays deterministic.

click's own bar was considered: it prints its label even when the stream is not a terminal and cannot wait a
second before appearing; tqdm would be a fourth runtime dependency for a dozen lines.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

DELAY = 1.0  # seconds of work before the bar appears: short runs stay silent
REDRAW = 0.1  # seconds between redraws
WIDTH = 24  # characters of the bar itself


class Progress:
    """Call `update(done, total)` as work advances; use as a context manager so that the line is ended."""

    def __init__(self, label: str, stream: TextIO | None, clock: Callable[[], float] = time.monotonic,
                 delay: float = DELAY, unit: str = "frames") -> None:
        self.label, self.unit, self.clock, self.delay = label, unit, clock, delay
        self.stream = stream if stream is not None and _is_terminal(stream) else None
        self.start = clock()
        self.shown = False
        self.last = -REDRAW

    def update(self, done: int, total: int, note: str = "") -> None:
        if self.stream is None:
            return
        now = self.clock()
        elapsed = now - self.start
        if elapsed < self.delay or (now - self.last < REDRAW and done < total):
            return
        self.last, self.shown = now, True
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (total - done) / rate if rate > 0 else 0.0
        filled = WIDTH * done // max(total, 1)
        line = (f"\r{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total} {self.unit}, "
                f"{rate:.1f}/s, {_clock(left)} left")
        if note:
            line += f" {note:<30.30}"
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None and self.shown:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


def _clock(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"
