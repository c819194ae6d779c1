"""The library's front door: `animate(spec)` gives an `Animation` to save in any format or show in a notebook."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from functools import cached_property, partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from convanim.backends import format_for, format_named
from convanim.backends.files import check_writable_directory, write_atomic, write_error
from convanim.backends.raster import ProgressHook
from convanim.blocks import StagedBlock
from convanim.errors import SpecError
from convanim.primitives import Scene
from convanim.skips import SkipBlock
from convanim.spec import ConvSpec, make_spec
from convanim.templates import Template, load_template
from convanim.view import ViewSpec, make_view

if TYPE_CHECKING:  # a stack's module is imported only when a stack is animated (not by every render)
    from convanim.stack import Stack


class Animation:
    """A rendered-on-demand animation of one spec in one view."""

    def __init__(self, spec: ConvSpec, view: ViewSpec) -> None:
        self.spec = spec
        self.view = view

    @cached_property
    def scene(self) -> Scene:
        from convanim.figures import build_scene

        return build_scene(self.spec, self.view)

    @property
    def frame_count(self) -> int:
        return self.scene.frame_count

    @property
    def size(self) -> tuple[int, int]:
        return self.scene.width, self.scene.height

    @property
    def loop_seconds(self) -> float:
        """How long one loop plays, pause included."""
        return sum(self.scene.durations_ms) / 1000

    def save(self, path: str | Path, format: str | None = None, progress: ProgressHook | None = None) -> Path:
        """Write the animation; the format comes from `format` or else from the extension
        (`convanim.backends.FORMATS`: .gif .svg .png .webp .apng .pdf .mp4 .webm). The file appears only when
        complete. `progress(done, total)` is called as frames are made."""
        path = Path(path)
        fmt = format_for(path, format)
        check_writable_directory(path.resolve() if path.is_symlink() else path)  # before the scene is built
        scene = self.scene
        return write_atomic(path, lambda stream: fmt.write(scene, stream, progress), text=fmt.text)

    def to_bytes(self, format: str, progress: ProgressHook | None = None) -> bytes:
        """The whole file in one format (SVG as UTF-8): for standard output, a web response, or a notebook."""
        fmt = format_named(format)
        scene = self.scene
        if fmt.text:
            text = io.StringIO(newline="\n")
            fmt.write(scene, text, progress)
            return text.getvalue().encode("utf-8")
        binary = io.BytesIO()
        fmt.write(scene, binary, progress)
        return binary.getvalue()

    def file_size(self, format: str) -> tuple[int, int]:
        """(width, height) of the file `save` writes in this format: a PNG sheet holds every frame, a video has
        even sides, a PDF is measured in points (one per pixel)."""
        return format_named(format).file_size(self.scene)

    def save_frames(self, directory: str | Path, stem: str = "frame",
                    progress: Callable[[int, int], None] | None = None) -> str:
        """Numbered PNG, SVG and vector PDF files per frame (and, where frames last differently, as with a `pause`,
        an `animate` timeline file); returns the LaTeX beamer `\\animategraphics` line that plays the PDF frames.

        The directory is made if its parent exists (as `mkdir` would), so a typo deep in a path is still refused.
        `progress(done, total)` is called after each frame (a PDF page takes a few tenths of a second)."""
        from convanim.backends.pdf import PdfPages
        from convanim.backends.raster_formats import frame_images
        from convanim.backends.svg import write_svg

        directory = Path(directory)
        if not directory.is_dir():
            if not directory.absolute().parent.is_dir():
                raise SpecError(f"frames_dir: neither directory {str(directory)!r} nor its parent exists")
            scene = self.scene  # build it first: a refused spec leaves no empty directory behind
            try:
                directory.mkdir()
            except OSError as error:
                raise write_error("frames_dir", directory, error) from None
        scene = self.scene
        digits = max(3, len(str(scene.frame_count - 1)))
        written: set[str] = set()
        pages = PdfPages(scene)
        for t, image in enumerate(frame_images(scene)):
            name = f"{stem}-{t:0{digits}d}"
            write_atomic(directory / f"{name}.png", partial(image.save, format="PNG"), name="frames_dir")
            write_atomic(directory / f"{name}.svg", partial(write_svg, scene, frame=t), text=True, name="frames_dir")
            write_atomic(directory / f"{name}.pdf", partial(pages.write, t), name="frames_dir")
            written |= {f"{name}.png", f"{name}.svg", f"{name}.pdf"}
            if progress is not None:
                progress(t + 1, scene.frame_count)
        remove_stale_frames(directory, stem, written)
        timeline: Path | None = directory / f"{stem}-timeline.txt"
        assert timeline is not None
        if len(set(scene.durations_ms)) > 1:
            write_atomic(timeline, partial(_write_timeline, scene.durations_ms), text=True, name="frames_dir")
        else:  # equal frames need none; one left by an earlier render with a pause would mislead
            timeline.unlink(missing_ok=True)
            timeline = None
        return beamer_line(scene, (directory / stem).as_posix(), digits, timeline)

    def frame(self, index: int):
        """One frame as a Pillow image."""
        from convanim.backends.raster import frame_image

        if not 0 <= index < self.frame_count:
            raise IndexError(f"frame {index} out of range 0..{self.frame_count - 1}")
        return frame_image(self.scene, index)

    def to_svg(self) -> str:
        from convanim.backends.svg import write_svg

        buffer = io.StringIO()
        write_svg(self.scene, buffer)
        return buffer.getvalue()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Jupyter shows the animated SVG scaled to the notebook's width, or a GIF (or the last frame) when the SVG
        would be large: never more than about 2 MB in the notebook (`convanim.notebook`)."""
        from convanim.notebook import mimebundle

        return mimebundle(self)

    def show(self, width: int | None = None, controls: bool = False) -> Any:
        """For a notebook: the animation at `width` pixels (default: the notebook's width, at most its own), with
        step controls (previous, play/pause, next, a frame slider) if `controls`. Display it, or end a cell with it."""
        from convanim.notebook import Shown

        return Shown(self, width, controls)

    def __repr__(self) -> str:
        return f"<Animation {self.scene.title} · {self.frame_count} frames · {self.size[0]}x{self.size[1]} px>"


def remove_stale_frames(directory: Path, stem: str, written: set[str]) -> list[str]:
    """Remove the frames of an earlier, longer run (files named as `save_frames` names them, `stem-NNN.png`,
    `.svg` or `.pdf`, that this run did not write); nothing else in the directory is touched."""
    own = re.compile(rf"{re.escape(stem)}-\d+\.(png|svg|pdf)")
    stale = sorted(p.name for p in directory.iterdir()
                   if own.fullmatch(p.name) and p.name not in written and (p.is_file() or p.is_symlink()))
    for name in stale:
        (directory / name).unlink(missing_ok=True)
    return stale


BEAMER_SIZE = r"width=\linewidth,height=0.8\textheight,keepaspectratio"
"""Fits the slide's text area at 16:9 and 4:3 under a frame title, with animate's controls below."""


def beamer_line(scene: Scene, stem: str, digits: int, timeline: Path | None = None) -> str:
    """`\\animategraphics` for the PDF frames `stem-000.pdf` ...: looping when the animation loops forever, with
    controls, scaled to fit the slide, at the frame rate (or, per frame, the timeline's)."""
    options = ["loop"] if scene.loop == 0 else []
    options += ["controls", BEAMER_SIZE, "type=pdf"]
    if timeline is not None:
        options.append(f"timeline={timeline.as_posix()}")
    rate = 1000 / scene.durations_ms[0]
    last = scene.frame_count - 1
    return (f"\\animategraphics[{','.join(options)}]{{{_rate(rate)}}}{{{stem}-}}{{{0:0{digits}d}}}"
            f"{{{last:0{digits}d}}}")


def _rate(frames_per_second: float) -> str:
    return f"{frames_per_second:.6f}".rstrip("0").rstrip(".")


def _write_timeline(durations_ms: tuple[int, ...], stream: IO[str]) -> None:
    """animate's timeline: one line per frame, `:<frame rate>:<picture>`; each frame states its own rate, so a
    loop starts again at the first frame's."""
    stream.write("".join(f":{_rate(1000 / ms)}:{t}\n" for t, ms in enumerate(durations_ms)))


SPEC_PARAMETERS = ("dims", "input_size", "kernel_size", "stride", "padding", "dilation", "transposed",
                   "output_padding", "in_channels", "out_channels", "groups", "depthwise", "bias", "op", "ceil_mode")


def animate(spec: ConvSpec | StagedBlock | SkipBlock | str | None = None, view: ViewSpec | str | None = None, *,
            template: str | Path | Template | None = None, **options: Any) -> Animation:
    """An `Animation` to save or show, from a spec, a block, a PyTorch layer string or a template:

    `animate(make_spec(input_size=5, kernel_size=3, stride=2, padding=1), theme="dark").save("x.gif")`,
    `animate("Conv2d(1, 1, 3, stride=2)", input_size=7)`, `animate(template="padding_strides", theme="dark")`.

    `options` are `make_spec` arguments (which override the layer string or the template's layer) and `make_view`
    arguments; `view` is a `ViewSpec`, or the name of a view ("oblique", "flat")."""
    spec_args = {name: options.pop(name) for name in SPEC_PARAMETERS if name in options}
    view_args = options
    if isinstance(view, str):
        view_args["view"], view = view, None
    if view is not None and view_args:
        raise SpecError("view: give either a ViewSpec or view options, not both")
    if template is not None:
        if spec is not None:
            raise SpecError("template: give either a spec or a template, not both")
        chosen = template if isinstance(template, Template) else load_template(template)
        view = view or make_view(**{**chosen.view_args, **view_args})
        if chosen.figure:
            if spec_args:
                raise SpecError(f"template: {chosen.name!r} is a {chosen.figure} figure; layer arguments such as "
                                f"{next(iter(spec_args))} do not apply to it")
            return figure_animation(chosen, view)
        if chosen.block:
            if spec_args:
                raise SpecError(f"template: {chosen.name!r} is a {chosen.block} block; layer arguments such as "
                                f"{next(iter(spec_args))} do not apply to it")
            if chosen.block == "receptive_field":
                return StackAnimation(chosen.staged_block, view, chosen.spec_args.get("forward", False))
            return StagedAnimation(chosen.staged_block, view)
        return Animation(make_spec(**{**chosen.spec_args, **spec_args}), view)
    view = view or make_view(**view_args)
    if isinstance(spec, (StagedBlock, SkipBlock)):
        if spec_args:
            raise SpecError(f"spec: a block takes no layer arguments such as {next(iter(spec_args))}")
        return StagedAnimation(spec, view)
    if isinstance(spec, ConvSpec):
        if spec_args:
            spec = make_spec(**{**_spec_arguments(spec), **spec_args})
        return Animation(spec, view)
    return Animation(make_spec(spec, **spec_args), view)


def _spec_arguments(spec: ConvSpec) -> dict[str, Any]:
    """`make_spec` arguments that rebuild `spec`, so that some can be overridden."""
    return {"dims": spec.dims, "input_size": spec.input_size, "kernel_size": spec.kernel_size, "stride": spec.stride,
            "padding": spec.padding if spec.padding_mode == "explicit" else spec.padding_mode,
            "dilation": spec.dilation, "transposed": spec.transposed, "output_padding": spec.output_padding,
            "in_channels": spec.in_channels, "out_channels": spec.out_channels, "groups": spec.groups,
            "bias": spec.bias, "op": spec.op, "ceil_mode": spec.ceil_mode}


class StagedAnimation(Animation):
    """An `Animation` of a whole block; saves to every format an `Animation` does."""

    def __init__(self, block: StagedBlock | SkipBlock, view: ViewSpec) -> None:
        super().__init__(block.stages[0].spec, view)
        self.block = block

    @cached_property
    def scene(self) -> Scene:
        from convanim.figures import fitted

        if isinstance(self.block, SkipBlock):
            from convanim.figures.skips import build_skip_scene

            skip = self.block
            return fitted(lambda view: build_skip_scene(skip, view), self.view)
        from convanim.figures.blocks import build_staged_scene

        staged = self.block
        return fitted(lambda view: build_staged_scene(staged, view), self.view)


def animate_stages(block: StagedBlock | SkipBlock, view: ViewSpec | str | None = None,
                   **view_options: Any) -> StagedAnimation:
    """`animate_stages(separable(input_size=12, in_channels=3, kernel_size=5, out_channels=4)).save("sep.gif")`,
    `animate_stages(resnet_basic(stride=2, out_channels=4))`."""
    if isinstance(view, str):
        view = make_view(view, **view_options)
    elif view is None:
        view = make_view(**view_options)
    elif view_options:
        raise TypeError("pass either a ViewSpec or view options, not both")
    return StagedAnimation(block, view)


class FigureAnimation(Animation):
    """An `Animation` of a figure that is not one convolution (normalisation, dropout): `spec` is that figure's
    spec (`NormSpec`, a list of them for the four-panel figure, or `DropoutSpec`); saves to every format."""

    def __init__(self, spec: Any, view: ViewSpec, kind: str) -> None:
        self.spec = spec
        self.view = view
        self.kind = kind  # "norm", "norms" (four panels) or "dropout"

    @cached_property
    def scene(self) -> Scene:
        from convanim.figures import norm

        build = {"norm": norm.build_norm_scene, "norms": norm.build_four_scene,
                 "dropout": norm.build_dropout_scene}[self.kind]
        scene: Scene = build(self.spec, self.view)  # type: ignore[operator]
        return scene


def _view_for(view: ViewSpec | str | None, view_options: dict[str, Any]) -> ViewSpec:
    if isinstance(view, str):
        return make_view(view, **view_options)
    if view is None:
        return make_view(**view_options)
    if view_options:
        raise SpecError("view: give either a ViewSpec or view options, not both")
    return view


def animate_norm(kind: Any = "batch", shape: tuple[int, ...] | list[int] | None = None, groups: int | None = None,
                 view: ViewSpec | str | None = None, *, sequence: bool = False, eps: float | None = None,
                 affine: bool | None = None, **view_options: Any) -> FigureAnimation:
    """The Group Norm paper's cube for one normalisation, a frame per statistic:
    `animate_norm("group", (4, 6, 3, 3), groups=2).save("gn.gif")`; `numbers=True` draws a small example's values,
    statistics and outputs. `kind` may also be a `NormSpec`, or "all" for the four kinds side by side. The default
    shape is 4×6×3×3 (2×4×2×2 with numbers, so that every value fits a slide)."""
    from convanim.normalisation import DEFAULT_EPS, NormSpec, default_shape, make_norm

    chosen = _view_for(view, view_options)
    if shape is None:
        shape = default_shape(kind if isinstance(kind, str) else "batch", sequence, chosen.numbers)
    if isinstance(kind, NormSpec):
        return FigureAnimation(kind, chosen, "norm")
    if kind == "all":
        from convanim.normalisation import four_specs

        if sequence or eps is not None or affine is not None:
            raise SpecError("kind: the four-panel figure ('all') takes only shape and groups")
        return FigureAnimation(four_specs(tuple(shape), groups), chosen, "norms")
    spec = make_norm(kind, shape, groups, sequence=sequence, eps=DEFAULT_EPS if eps is None else eps, affine=affine)
    return FigureAnimation(spec, chosen, "norm")


def animate_dropout(p: float = 0.5, shape: tuple[int, ...] | list[int] = (4, 4, 4), steps: int = 3, seed: int = 0,
                    view: ViewSpec | str | None = None, **view_options: Any) -> FigureAnimation:
    """nn.Dropout against nn.Dropout2d on one C×H×W sample, a frame per training step and one at eval:
    `animate_dropout(0.5, (4, 5, 5), seed=1).save("dropout.gif")`."""
    from convanim.dropout import make_dropout

    return FigureAnimation(make_dropout(p, shape, steps, seed), _view_for(view, view_options), "dropout")


def figure_animation(template: Template, view: ViewSpec) -> FigureAnimation:
    """The animation of a norm or dropout template (`figure = "norm"` or `"dropout"`) in `view`."""
    spec = template.figure_spec
    kind = "dropout" if template.figure == "dropout" else "norms" if isinstance(spec, list) else "norm"
    return FigureAnimation(spec, view, kind)


class StackAnimation(Animation):
    """The receptive field through a stack: a unit's cone down to the input, sweeping the top map's units."""

    def __init__(self, stack: Stack, view: ViewSpec, forward: bool = False) -> None:
        first = next((layer.spec for layer in stack.layers if layer.spec is not None), None)
        if first is None:
            raise SpecError("layers: the receptive-field animation needs at least one convolution or pooling")
        if not isinstance(forward, bool):
            raise SpecError(f"forward: must be True or False, got {forward!r}")
        super().__init__(first, view)
        self.stack = stack
        self.forward = forward

    @cached_property
    def scene(self) -> Scene:
        from convanim.figures import fitted
        from convanim.figures.receptive import build_receptive_scene

        return fitted(lambda view: build_receptive_scene(self.stack, view, forward=self.forward), self.view)


def animate_stack(stack: Stack | str | list[str], view: ViewSpec | str | None = None, *,
                  input_size: int | tuple[int, ...] | None = None, in_channels: int | None = None,
                  forward: bool = False, **view_options: Any) -> StackAnimation:
    """The receptive field animated through a stack: `animate_stack(["Conv2d(1, 1, 3)"] * 3, input_size=9)`, or a
    `Stack`, or print(model) text. Shape-keeping layers (ReLU, BatchNorm...) are passed over. With `forward=True`
    the frames sweep the input's elements and show which units each one reaches."""
    from convanim.stack import Stack, make_stack

    if not isinstance(stack, Stack):
        stack = make_stack(stack, input_size=input_size, in_channels=in_channels)
    elif input_size is not None or in_channels is not None:
        raise SpecError("input_size: a Stack has its input already; give it to make_stack")
    if isinstance(view, str):
        view = make_view(view, **view_options)
    elif view is None:
        view = make_view(**view_options)
    elif view_options:
        raise SpecError("view: give either a ViewSpec or view options, not both")
    return StackAnimation(stack, view, forward)
