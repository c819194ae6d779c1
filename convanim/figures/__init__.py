"""Scene builders: a spec and a view in, a `Scene` of drawable primitives out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from convanim.primitives import Scene
from convanim.spec import ConvSpec
from convanim.view import ViewSpec

FIT_ROUNDS = 4  # rebuilds at a corrected scale until the figure is inside its box (text sizes round to pixels)


def build_scene(spec: ConvSpec, view: ViewSpec) -> Scene:
    """The figure of `spec`, scaled as a whole (cells, lines and text alike) into `view.fit` when it has one: an
    explicit box is filled, the default slide box only shrinks a figure that is larger."""
    return fitted(lambda v: _figure(spec, v), view)


def fitted(build: Callable[[ViewSpec], Scene], view: ViewSpec) -> Scene:
    """`build(view)`, rebuilt at the scale that makes it fill `view.fit` (or shrink into it)."""
    scene = build(view)  # with a fit, `finish` lets it pass the canvas limit: it is only measured
    if view.fit is None:
        return scene
    box_w, box_h = view.fit
    factor = min(box_w / scene.width, box_h / scene.height)
    if factor >= 1 and not view.fit_grow:
        return scene
    if not view.fit_grow and view.cell_size is None:
        # The default slide box: smaller cells first, text at its size (its floor is what keeps it readable).
        for _ in range(FIT_ROUNDS):
            cell = int(scene.projection.cell / view.scale * factor)
            if cell < 4:
                break
            scene = build(replace(view, cell_size=cell, fit=None))
            factor = min(box_w / scene.width, box_h / scene.height)
            if factor >= 1:
                return scene
    scale = view.scale
    for _ in range(FIT_ROUNDS):  # sizes are not quite proportional (text and lines round to pixels): correct
        scale *= factor * (0.995 if factor < 1 else 1.0)
        scene = build(replace(view, scale=scale, fit=None))
        factor = min(box_w / scene.width, box_h / scene.height)
        if factor >= 1 and (not view.fit_grow or factor < 1.02):
            return scene
    while factor < 1:  # still a pixel or two over: step down until inside
        scale *= factor * 0.98
        scene = build(replace(view, scale=scale, fit=None))
        factor = min(box_w / scene.width, box_h / scene.height)
    return scene


def _figure(spec: ConvSpec, view: ViewSpec) -> Scene:
    """Pick the figure: a channelled sequence, a volume, a stack of channel planes, or the classic single plane."""
    several = spec.in_channels > 1 or spec.out_channels > 1
    if spec.dims == 1 and several:
        from convanim.figures.sequence import build_sequence_scene

        return build_sequence_scene(spec, view)
    if spec.dims == 3:
        from convanim.figures.volume import build_volume_scene

        return build_volume_scene(spec, view)
    if spec.dims == 2 and several:
        from convanim.figures.channels import build_channels_scene

        return build_channels_scene(spec, view)
    from convanim.figures.plane import build_plane_scene

    return build_plane_scene(spec, view)
