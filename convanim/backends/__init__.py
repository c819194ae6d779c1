"""Backends: each turns a `Scene` into the bytes of one file format. `FORMATS` is the one registry of them: adding a
format means adding its module and one entry here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import IO, Any

from convanim.errors import SpecError


@dataclass(frozen=True, slots=True)
class Format:
    """One output format: its name (also its extension), the function that writes a scene, and how."""

    name: str
    module: str  # imported when a file of this format is written, so that start-up pays for none of them
    function: str  # called as function(scene, stream, **options)
    text: bool = False  # a text stream (UTF-8, "\n") rather than a binary one
    options: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    @property
    def extension(self) -> str:
        return f".{self.name}"

    def writer(self) -> Callable[..., None]:
        return getattr(import_module(self.module), self.function)

    def write(self, scene: Any, stream: IO[Any], progress: Callable[[int, int], None] | None = None) -> None:
        """`progress(done, total)` is called as frames are made."""
        extra = {"progress": progress} if progress is not None else {}
        self.writer()(scene, stream, **extra, **self.options)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("gif", "convanim.backends.gif", "write_gif", description="an animated GIF"),
    Format("svg", "convanim.backends.svg", "write_svg", text=True,
           description="one self-contained animated SVG (no script; plays inside <img>)"),
    Format("png", "convanim.backends.raster_formats", "write_png_sheet", description="a sheet of every frame"),
    Format("webp", "convanim.backends.raster_formats", "write_animated", options={"fmt": "webp"},
           description="an animated lossless WebP"),
    Format("apng", "convanim.backends.raster_formats", "write_animated", options={"fmt": "apng"},
           description="an animated PNG"),
)}


def format_for(path: Path | str) -> Format:
    """The format a file name asks for by its extension; a `SpecError` naming the known ones otherwise."""
    path = Path(path)
    found = FORMATS.get(path.suffix.lower().lstrip("."))
    if found is None:
        raise SpecError(f"output: unknown format {path.suffix or '(no extension)'!r} for {str(path)!r}; use one of "
                        f"{', '.join(f.extension for f in FORMATS.values())}")
    return found
