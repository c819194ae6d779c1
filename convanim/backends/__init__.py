"""Backends: each turns a `Scene` into the bytes of one file format. `FORMATS` is the one registry of them: adding a
format means adding its module and one entry here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
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
    size: str = ""  # in the module: size(scene) -> (width, height) of the file, when it is not the scene's
    unit: str = "px"  # of that size
    needs: str = ""  # a module that is not a dependency of convanim, from the optional extra `extra`
    extra: str = ""

    @property
    def extension(self) -> str:
        return f".{self.name}"

    def writer(self) -> Callable[..., None]:
        return getattr(import_module(self.module), self.function)

    def write(self, scene: Any, stream: IO[Any], progress: Callable[[int, int], None] | None = None) -> None:
        """`progress(done, total)` is called as frames are made."""
        extra = {"progress": progress} if progress is not None else {}
        self.writer()(scene, stream, **extra, **self.options)

    def check_installed(self) -> None:
        """Refuse before rendering, with the one command that installs what is missing."""
        if self.needs and find_spec(self.needs) is None:
            raise SpecError(f"output: writing {self.extension} needs {self.needs}, which is not installed: "
                            f"pip install 'convanim[{self.extra}]'")

    def file_size(self, scene: Any) -> tuple[int, int]:
        """The written file's own size: a sheet of frames, a video padded to even sides, a page in points."""
        if not self.size:
            return scene.width, scene.height
        return getattr(import_module(self.module), self.size)(scene)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("gif", "convanim.backends.gif", "write_gif", description="an animated GIF"),
    Format("svg", "convanim.backends.svg", "write_svg", text=True,
           description="one self-contained animated SVG (no script; plays inside <img>)"),
    Format("png", "convanim.backends.raster_formats", "write_png_sheet", size="sheet_size",
           description="a sheet of every frame"),
    Format("webp", "convanim.backends.raster_formats", "write_animated", options={"fmt": "webp"},
           description="an animated lossless WebP"),
    Format("apng", "convanim.backends.raster_formats", "write_animated", options={"fmt": "apng"},
           description="an animated PNG"),
    Format("pdf", "convanim.backends.pdf", "write_pdf", size="page_size", unit="pt",
           description="the last frame as a vector page (text as DejaVu Sans text), one point per pixel"),
    Format("mp4", "convanim.backends.video", "write_mp4", size="video_size", needs="av", extra="video",
           description="H.264 video (yuv420p, even sides) for PowerPoint, Keynote and Google Slides"),
    Format("webm", "convanim.backends.video", "write_webm", size="video_size", needs="av", extra="video",
           description="VP9 video for web pages"),
)}


def format_for(path: Path | str, format: str | None = None) -> Format:
    """The format named by `format`, else the one a file name asks for by its extension; a `SpecError` naming the
    known ones otherwise, or when the two disagree (`x.gif` written as SVG would mislead every program that opens
    it)."""
    path = Path(path)
    by_extension = FORMATS.get(path.suffix.lower().lstrip("."))
    if format is not None:
        named = format_named(format)
        if by_extension is not None and by_extension is not named:
            raise SpecError(f"format: {named.name!r} disagrees with the extension of {str(path)!r}; drop one of them")
        return named
    if by_extension is None:
        raise SpecError(f"output: unknown format {path.suffix or '(no extension)'!r} for {str(path)!r}; use one of "
                        f"{', '.join(f.extension for f in FORMATS.values())}")
    by_extension.check_installed()
    return by_extension


def format_named(name: str) -> Format:
    """The format called `name` (`gif`, `svg`, ...; a leading dot and capitals allowed)."""
    found = FORMATS.get(name.lower().lstrip("."))
    if found is None:
        raise SpecError(f"format: unknown format {name!r}; use one of {', '.join(FORMATS)}")
    found.check_installed()
    return found
