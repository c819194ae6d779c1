"""convanim: exact, beautiful animations of how convolutions move over data."""

from __future__ import annotations

from .geometry import Geometry, channel_inputs, macs, mapping, parameter_count
from .spec import ConvSpec, SpecError, make_spec

__all__ = ["ConvSpec", "Geometry", "SpecError", "channel_inputs", "macs", "make_spec", "mapping", "parameter_count"]
