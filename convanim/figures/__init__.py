"""Scene builders: a spec and a view in, a `Scene` of drawable primitives out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from convanim.primitives import Scene
from convanim.spec import ConvSpec
from convanim.view import ViewSpec

FIT_ROUNDS = 4  # rebuilds at a corrected size until the figure is inside its box (text sizes round to pixels)


def build_scene(spec: ConvSpec, view: ViewSpec) -> Scene:
    """The figure of `spec`, scaled as a whole (cells, lines and text alike) into `view.fit` when it has one: an
    explicit box is filled, the default slide box only shrinks a figure that is larger.

    The limits that need only arithmetic (index arrays, the channel asked for; frames when the positions are
    resolved) are checked first, so that a refused spec allocates nothing."""
    from convanim.errors import SpecError
    from convanim.geometry import check_size

    if view.channel is not None and view.channel >= spec.out_channels:
        raise SpecError(f"channel: must be between 0 and {spec.out_channels - 1}, got {view.channel} "
                        f"(the layer has {spec.out_channels} output channel{'s' if spec.out_channels > 1 else ''})")
    check_size(spec)
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
            current = scene.projection.cell / view.scale
            cell = max(4, int(current * factor))  # down to the smallest cell before any text shrinks
            if cell >= current:
                break
            scene = build(replace(view, cell_size=cell, fit=None))
            factor = min(box_w / scene.width, box_h / scene.height)
            if factor >= 1:
                return scene
    # Sizes are not quite proportional to the scale (text and lines round to pixels, a caption may set the width):
    # search the scale, between one known to fit and one known to overflow, for the largest that fits.
    fits: tuple[float, Scene] | None = None
    overflows: float | None = None
    scale = view.scale * factor
    for _ in range(2 * FIT_ROUNDS):
        scene = build(replace(view, scale=scale, fit=None))
        factor = min(box_w / scene.width, box_h / scene.height)
        if factor >= 1:
            if fits is None or scale > fits[0]:
                fits = (scale, scene)
            if factor < 1.01 or not view.fit_grow:
                break
        else:
            overflows = scale if overflows is None else min(overflows, scale)
        guess = scale * factor * (0.998 if factor < 1 else 1.0)
        low = fits[0] if fits else 0.0
        if overflows is not None and not low < guess < overflows:
            guess = (low + overflows) / 2 if fits else overflows * 0.95
        scale = guess
    for _ in range(4 * FIT_ROUNDS):  # not yet inside after the search: keep stepping down
        if fits is not None:
            break
        scale *= 0.9
        scene = build(replace(view, scale=scale, fit=None))
        if scene.width <= box_w and scene.height <= box_h:
            fits = (scale, scene)
    return fits[1] if fits else scene


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
        from convanim.figures.channel_numbers import build_channel_numbers_scene, numbers_fit
        from convanim.figures.channels import build_channels_scene

        if view.numbers and numbers_fit(spec):
            if view.view == "oblique":  # digits need level cells: drawn flat, and the caption says so
                from dataclasses import replace

                return build_channel_numbers_scene(spec, replace(view, view="flat"),
                                                   "(numbers are drawn in the flat view)")
            return build_channel_numbers_scene(spec, view)

        return build_channels_scene(spec, view)
    from convanim.figures.plane import build_plane_scene

    return build_plane_scene(spec, view)
