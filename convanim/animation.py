"""The library's front door: `animate(spec)` gives an `Animation` to save in any format or show in a notebook."""

from __future__ import annotations

import io
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from convanim.backends import format_for
from convanim.backends.files import check_writable_directory, write_atomic
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

    def save(self, path: str | Path) -> Path:
        """Write the animation; the format comes from the extension (`convanim.backends.FORMATS`: .gif .svg .png
        .webp .apng). The file appears only when complete."""
        path = Path(path)
        fmt = format_for(path)
        check_writable_directory(path)
        scene = self.scene
        return write_atomic(path, lambda stream: fmt.write(scene, stream), text=fmt.text)

    def save_frames(self, directory: str | Path, stem: str = "frame") -> str:
        """Numbered PNG and SVG files per frame; returns the LaTeX beamer `\\animategraphics` line that plays them.

        The directory is made if its parent exists (as `mkdir` would), so a typo deep in a path is still refused."""
        from convanim.backends.raster_formats import frame_images
        from convanim.backends.svg import write_svg

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
            write_atomic(directory / f"{name}.png", partial(image.save, format="PNG"))
            write_atomic(directory / f"{name}.svg", partial(write_svg, scene, frame=t), text=True)
        rate = 1 / self.view.seconds_per_frame
        return (f"\\animategraphics[loop,controls,width=\\linewidth]{{{rate:g}}}{{{(directory / stem).as_posix()}-}}"
                f"{{{0:0{digits}d}}}{{{scene.frame_count - 1:0{digits}d}}}")

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

    def _repr_html_(self) -> str:
        """Jupyter shows the animated SVG inline."""
        return self.to_svg()

    def __repr__(self) -> str:
        return f"<Animation {self.scene.title} · {self.frame_count} frames · {self.size[0]}x{self.size[1]} px>"


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
        if isinstance(self.block, SkipBlock):
            from convanim.figures.skips import build_skip_scene

            return build_skip_scene(self.block, self.view)
        from convanim.figures.blocks import build_staged_scene

        return build_staged_scene(self.block, self.view)


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
        from convanim.figures.receptive import build_receptive_scene

        return build_receptive_scene(self.stack, self.view, forward=self.forward)


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
