"""Scene builders: a spec and a view in, a `Scene` of drawable primitives out."""

from __future__ import annotations

from ..scene import Scene
from ..spec import ConvSpec
from ..view import ViewSpec


def build_scene(spec: ConvSpec, view: ViewSpec) -> Scene:
    from .plane import build_plane_scene

    return build_plane_scene(spec, view)
