"""Which output positions an animation sweeps: a `PositionsSpec` parsed once from words such as "row 3" or
"0:4,2:6", then resolved against a layer's output shape to row-major position indices.

The default ("auto") sweeps every position of a small layer; past `SAMPLE_POSITIONS` it shows a sample that reads
well and keeps a loop short: along each axis the first few positions and the last one (so the window is seen
starting, stepping, and reaching the far edge with its padding), and the caption says so.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import product

from convanim.errors import SpecError

SAMPLE_POSITIONS = 56  # every position up to this many (a minute at 1 s a frame, room for a few channel frames)
MAX_LEAD = 8  # a sample shows at most this many first positions along an axis
SWEEP_AXIS = 24  # every position of an axis up to this long; a longer one (even of few positions) is sampled, or
# the drawing would have to show all of its cells
KINDS = ("auto", "all", "row", "column", "corners", "every", "first", "region")
FORMS = "all, row R, column C, corners, every K, first N, or a region A:B,C:D (one range per axis)"
_WORDED = re.compile(r"^(row|column|col|every|first)\s+(\d+)$")
_RANGE = re.compile(r"^(\d*)(?::(\d*))?$")


@dataclass(frozen=True, slots=True)
class PositionsSpec:
    """A request for output positions: `kind` is one of `KINDS`; `number` is the row, column, K or N; `region` holds
    one (start, stop) per axis (stop exclusive; None for the axis's end)."""

    kind: str = "auto"
    number: int = 0
    region: tuple[tuple[int, int | None], ...] = ()

    def __str__(self) -> str:
        if self.kind in ("row", "column", "every", "first"):
            return f"{self.kind} {self.number}"
        if self.kind == "region":
            return ",".join(f"{a}:{'' if b is None else b}" for a, b in self.region)
        return self.kind


@dataclass(frozen=True, slots=True)
class Positions:
    """Resolved positions: row-major indices into the output, and a caption line saying what is shown ("" when
    every position is)."""

    indices: tuple[int, ...]
    note: str


def parse_positions(value: str | PositionsSpec | None) -> PositionsSpec:
    """"all", "row 3", "column 0", "corners", "every 2", "first 10", "0:4,2:6" (or "5", ":" per axis)."""
    if value is None:
        return PositionsSpec()
    if isinstance(value, PositionsSpec):
        if value.kind not in KINDS:
            raise SpecError(f"positions: unknown kind {value.kind!r}; use {FORMS}")
        return value
    if not isinstance(value, str):
        raise SpecError(f"positions: must be text such as 'row 0' or 'corners', got {value!r}")
    text = " ".join(value.strip().lower().split())
    if text in ("auto", "all", "corners"):
        return PositionsSpec(text)
    worded = _WORDED.match(text)
    if worded:
        kind = "column" if worded.group(1) == "col" else worded.group(1)
        number = int(worded.group(2))
        if kind in ("every", "first") and number < 1:
            raise SpecError(f"positions: {kind} needs a positive count, got {number}")
        return PositionsSpec(kind, number)
    parts = text.replace(" ", "").split(",")
    region = []
    for part in parts:
        found = _RANGE.match(part)
        if not found or part == "":
            raise SpecError(f"positions: cannot read {value!r}; use {FORMS}")
        start = int(found.group(1)) if found.group(1) else 0
        if found.group(2) is None and ":" not in part:  # a single index
            stop: int | None = start + 1
        else:
            stop = int(found.group(2)) if found.group(2) else None
        if stop is not None and stop <= start:
            raise SpecError(f"positions: the range {part!r} is empty (stop must be past start)")
        region.append((start, stop))
    return PositionsSpec("region", region=tuple(region))


def resolve_positions(request: PositionsSpec, shape: tuple[int, ...], max_frames: int) -> Positions:
    """The output positions (row-major indices) a request names in an output of `shape`; an explicit request for
    more than `max_frames` positions, or for positions outside the output, is refused."""
    total = math.prod(shape)
    dims = len(shape)
    if request.kind == "auto":
        sample = _sample(shape)
        if len(sample.indices) > max_frames:
            raise SpecError(f"max_frames: this view needs {len(sample.indices):,} frames (output positions), more "
                            f"than the limit of {max_frames:,}; raise max_frames or ask for fewer positions")
        return sample
    if request.kind == "all":
        cells = [tuple(range(n)) for n in shape]
        note = ""
    elif request.kind in ("row", "column"):
        if dims != 2:
            raise SpecError(f"positions: '{request.kind}' needs a 2d layer; this one is {dims}d (use first N, every "
                            f"K, corners or a region such as {','.join(['0:2'] * dims)})")
        axis = 0 if request.kind == "row" else 1
        if request.number >= shape[axis]:
            raise SpecError(f"positions: {request.kind} {request.number} is outside the output's {shape[axis]} "
                            f"{request.kind}s (0-{shape[axis] - 1})")
        cells = [tuple(range(n)) for n in shape]
        cells[axis] = (request.number,)
        note = f"output {request.kind} {request.number}"
    elif request.kind == "corners":
        cells = [tuple(sorted({0, n - 1})) for n in shape]
        note = "the corners of the output" if dims > 1 else "the first and the last output position"
    elif request.kind == "every":
        cells = [tuple(range(0, n, request.number)) for n in shape]
        note = f"every {_ordinal(request.number)} output position along each axis"
    elif request.kind == "first":
        count = min(request.number, total)
        _check_count(request, count, max_frames)
        return Positions(tuple(range(count)), "" if count == total else
                         f"the first {count:,} of {total:,} output positions (row-major)")
    else:
        if len(request.region) != dims:
            raise SpecError(f"positions: a region needs one range per axis ({dims} for this {dims}d layer), got "
                            f"{len(request.region)}")
        cells = []
        for (start, stop), n in zip(request.region, shape):
            stop = n if stop is None else stop
            if stop > n or start >= n:
                raise SpecError(f"positions: the range {start}:{stop} runs past the output's {n} positions on "
                                f"that axis (0-{n - 1})")
            cells.append(tuple(range(start, stop)))
        note = f"output region {str(request)}"
    count = math.prod(len(c) for c in cells)
    _check_count(request, count, max_frames)
    indices = tuple(_flat(index, shape) for index in product(*cells))
    shown = "" if count == total else f"shown: {note} ({count:,} of {total:,} positions)"
    return Positions(indices, shown)


def _check_count(request: PositionsSpec, count: int, max_frames: int) -> None:
    if count > max_frames:
        raise SpecError(f"positions: '{request}' asks for {count:,} output positions, more than max_frames="
                        f"{max_frames:,}; raise max_frames or ask for fewer (row R, corners, every K, first N or a "
                        f"region)")


def _sample(shape: tuple[int, ...]) -> Positions:
    """Every position when there are few and no axis is long; else the first `lead` and the last along each axis,
    `lead` as large as keeps the sample within `SAMPLE_POSITIONS`."""
    total = math.prod(shape)
    if total <= SAMPLE_POSITIONS and max(shape) <= SWEEP_AXIS:
        return Positions(tuple(range(total)), "")
    # A volume is swept at its first output depth: its depth slices are stacked planes, and the few that depth
    # reads (with the last, which the drawing keeps) fit on a slide; more depths would double the stack.
    depth = (0,) if len(shape) == 3 else ()
    plane = shape[len(depth):]
    for lead in range(MAX_LEAD, 0, -1):
        cells = [depth] * len(depth) + [_lead_and_last(n, lead) for n in plane]
        if math.prod(len(c) for c in cells) <= SAMPLE_POSITIONS:
            break
    indices = tuple(_flat(index, shape) for index in product(*cells))
    where = "" if len(shape) == 1 else " along each axis" if len(shape) == 2 else \
        " of the rows and the columns, at output depth 0"
    return Positions(indices, f"shown: {len(indices):,} of {total:,} output positions (the first {lead} and the "
                              f"last{where})")


def _lead_and_last(n: int, lead: int) -> tuple[int, ...]:
    return tuple(range(n)) if n <= lead + 1 else tuple(range(lead)) + (n - 1,)


def _flat(index: tuple[int, ...], shape: tuple[int, ...]) -> int:
    flat = 0
    for i, n in zip(index, shape):
        flat = flat * n + i
    return flat


def _ordinal(k: int) -> str:
    if k == 1:
        return ""
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"
