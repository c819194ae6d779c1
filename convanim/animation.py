"""The library's front door: `animate(spec)` gives an `Animation` to save in any format or show in a notebook."""

from __future__ import annotations

import io
from functools import cached_property
from pathlib import Path
from typing import Any

from .backends import FORMATS
from .scene import Scene
from .spec import ConvSpec, SpecError
from .view import ViewSpec, make_view


class Animation:
    """A rendered-on-demand animation of one spec in one view."""

    def __init__(self, spec: ConvSpec, view: ViewSpec) -> None:
        self.spec = spec
        self.view = view

    @cached_property
    def scene(self) -> Scene:
        from .scenes import build_scene

        return build_scene(self.spec, self.view)

    @property
    def frame_count(self) -> int:
        return self.scene.frame_count

    @property
    def size(self) -> tuple[int, int]:
        return self.scene.width, self.scene.height

    def save(self, path: str | Path) -> Path:
        """Write the animation; the format comes from the extension (.gif .svg .png .webp .apng). The file appears
        only when complete."""
        from .output import check_writable_directory, write_atomic

        path = Path(path)
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise SpecError(f"output: unknown format {path.suffix or '(no extension)'!r} for {str(path)!r}; "
                            f"use one of {', '.join(FORMATS)}")
        check_writable_directory(path)
        scene = self.scene
        if fmt == "svg":
            from .backends.svg import write_svg

            return write_atomic(path, lambda f: write_svg(scene, f), text=True)
        if fmt == "gif":
            from .backends.gif import write_gif

            return write_atomic(path, lambda f: write_gif(scene, f))
        from .backends.raster_formats import write_animated, write_png_sheet

        if fmt == "png":
            return write_atomic(path, lambda f: write_png_sheet(scene, f))
        return write_atomic(path, lambda f: write_animated(scene, f, fmt))

    def save_frames(self, directory: str | Path, stem: str = "frame") -> str:
        """Numbered PNG and SVG files per frame; returns the LaTeX beamer `\\animategraphics` line that plays them.

        The directory is made if its parent exists (as `mkdir` would), so a typo deep in a path is still refused."""
        from .backends.raster_formats import frame_images
        from .backends.svg import write_svg
        from .output import write_atomic

        directory = Path(directory)
        if not directory.is_dir():
            if not directory.absolute().parent.is_dir():
                raise SpecError(f"frames: neither directory {str(directory)!r} nor its parent exists")
            scene = self.scene  # build it first: a refused spec leaves no empty directory behind
            directory.mkdir()
        scene = self.scene
        digits = max(3, len(str(scene.frame_count - 1)))
        for t, image in enumerate(frame_images(scene)):
            name = f"{stem}-{t:0{digits}d}"
            write_atomic(directory / f"{name}.png", lambda f, im=image: im.save(f, format="PNG"))
            write_atomic(directory / f"{name}.svg", lambda f, t=t: write_svg(scene, f, frame=t), text=True)
        rate = 1 / self.view.seconds_per_frame
        return (f"\\animategraphics[loop,controls,width=\\linewidth]{{{rate:g}}}{{{(directory / stem).as_posix()}-}}"
                f"{{{0:0{digits}d}}}{{{scene.frame_count - 1:0{digits}d}}}")

    def frame(self, index: int):
        """One frame as a Pillow image."""
        from .raster import frame_image

        if not 0 <= index < self.frame_count:
            raise IndexError(f"frame {index} out of range 0..{self.frame_count - 1}")
        return frame_image(self.scene, index)

    def to_svg(self) -> str:
        from .backends.svg import write_svg

        buffer = io.StringIO()
        write_svg(self.scene, buffer)
        return buffer.getvalue()

    def _repr_html_(self) -> str:
        """Jupyter shows the animated SVG inline."""
        return self.to_svg()

    def __repr__(self) -> str:
        return f"<Animation {self.scene.title} · {self.frame_count} frames · {self.size[0]}x{self.size[1]} px>"


def animate(spec: ConvSpec, view: ViewSpec | str | None = None, **view_options: Any) -> Animation:
    """`animate(make_spec(input_size=5, kernel_size=3, stride=2, padding=1), theme="dark").save("x.gif")`.

    `view` is a `ViewSpec`, or the name of a view ("oblique", "flat") alongside other view options."""
    if isinstance(view, str):
        view_options["view"], view = view, None
    if view is not None and view_options:
        raise SpecError("view: give either a ViewSpec or view options, not both")
    return Animation(spec, view or make_view(**view_options))
