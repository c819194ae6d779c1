"""convanim: exact, beautiful animations of how convolutions move over data.

The public API, imported on first use so that `import convanim` (and the `convanim` command's start-up) costs no
numpy until something needs it::

    import convanim
    spec = convanim.make_spec("Conv2d(3, 8, 3, stride=2)", input_size=32)
    print(convanim.explain(spec))
    convanim.animate(spec, theme="dark").save("conv.gif")
    convanim.animate(template="padding_strides").save("padding_strides.svg")
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS = {
    "ConvSpec": "convanim.spec", "make_spec": "convanim.spec", "output_shape": "convanim.spec",
    "SpecError": "convanim.errors",
    "Geometry": "convanim.geometry", "channel_inputs": "convanim.geometry", "mapping": "convanim.geometry",
    "macs": "convanim.counts", "parameter_count": "convanim.counts", "weight_shape": "convanim.counts",
    "explain": "convanim.describe",
    "ViewSpec": "convanim.view", "make_view": "convanim.view",
    "Animation": "convanim.animation", "animate": "convanim.animation", "animate_stages": "convanim.animation",
    "animate_stack": "convanim.animation",
    "separable": "convanim.blocks", "inverted_residual": "convanim.blocks", "StagedBlock": "convanim.blocks",
    "load_template": "convanim.templates",
    "NormSpec": "convanim.normalisation", "make_norm": "convanim.normalisation",
    "explain_norm": "convanim.normalisation", "norm_json": "convanim.normalisation",
    "DropoutSpec": "convanim.dropout", "make_dropout": "convanim.dropout",
    "explain_dropout": "convanim.dropout", "dropout_json": "convanim.dropout",
    "FigureAnimation": "convanim.animation", "animate_norm": "convanim.animation",
    "animate_dropout": "convanim.animation",
    "Stack": "convanim.stack", "make_stack": "convanim.stack", "load_stack": "convanim.stack",
    "SkipBlock": "convanim.skips", "resnet_basic": "convanim.skips", "resnet_bottleneck": "convanim.skips",
    "dense_block": "convanim.skips", "unet_level": "convanim.skips",
}

__all__ = [  # written out (not derived from _EXPORTS) so that linters and IDEs see what is public
    "Animation", "ConvSpec", "DropoutSpec", "FigureAnimation", "Geometry", "NormSpec", "SkipBlock", "SpecError",
    "Stack", "StagedBlock", "ViewSpec", "__version__", "animate", "animate_dropout", "animate_norm", "animate_stack",
    "animate_stages", "channel_inputs", "dense_block", "dropout_json", "explain", "explain_dropout", "explain_norm",
    "inverted_residual", "load_stack", "load_template", "macs", "make_dropout", "make_norm", "make_spec",
    "make_stack", "make_view", "mapping", "norm_json", "output_shape", "parameter_count", "resnet_basic",
    "resnet_bottleneck", "separable", "unet_level", "weight_shape",
]

if TYPE_CHECKING:
    from convanim.animation import (
        Animation,
        FigureAnimation,
        animate,
        animate_dropout,
        animate_norm,
        animate_stack,
        animate_stages,
    )
    from convanim.blocks import StagedBlock, inverted_residual, separable
    from convanim.counts import macs, parameter_count, weight_shape
    from convanim.describe import explain
    from convanim.dropout import DropoutSpec, dropout_json, explain_dropout, make_dropout
    from convanim.errors import SpecError
    from convanim.geometry import Geometry, channel_inputs, mapping
    from convanim.normalisation import NormSpec, explain_norm, make_norm, norm_json
    from convanim.skips import SkipBlock, dense_block, resnet_basic, resnet_bottleneck, unet_level
    from convanim.spec import ConvSpec, make_spec, output_shape
    from convanim.stack import Stack, load_stack, make_stack
    from convanim.templates import load_template
    from convanim.view import ViewSpec, make_view


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'convanim' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return __all__
