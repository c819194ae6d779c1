"""Scene builders: a spec and a view in, a `Scene` of drawable primitives out."""

from __future__ import annotations

from convanim.primitives import Scene
from convanim.spec import ConvSpec
from convanim.view import ViewSpec


def build_scene(spec: ConvSpec, view: ViewSpec) -> Scene:
    """Pick the figure: a channelled sequence, a volume, a stack of channel planes, or the classic single plane.

    The limits that need only arithmetic (frames, index arrays, the channel asked for) are checked first, so that a
    refused spec allocates nothing."""
    from convanim.errors import SpecError
    from convanim.geometry import check_frame_limit, check_size

    if view.channel is not None and view.channel >= spec.out_channels:
        raise SpecError(f"channel: must be between 0 and {spec.out_channels - 1}, got {view.channel} "
                        f"(the layer has {spec.out_channels} output channel{'s' if spec.out_channels > 1 else ''})")
    check_frame_limit(spec, view.max_frames)
    check_size(spec)
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
