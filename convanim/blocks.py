"""Blocks made of several layers (depthwise separable, MobileNet v2's inverted residual), animated as one scene.

`separable(...)` and `inverted_residual(...)` build a validated `StagedBlock`, a plain value;
`convanim.animation.animate_stages(block, view)` animates it stage after stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from convanim.counts import macs, parameter_count
from convanim.describe import shape_str
from convanim.spec import ConvSpec, SpecError, make_spec, output_shape

MAX_BLOCK_CHANNELS = 4096  # channels of any tensor in a block: far past any course example, far below a hang


def _check_channels(**counts: int) -> None:
    """Refuse, from the arithmetic, a block whose tensors would have more channels than a figure can sweep."""
    for name, count in counts.items():
        if isinstance(count, int) and not isinstance(count, bool) and count > MAX_BLOCK_CHANNELS:
            raise SpecError(f"{name}: a block's tensors may have at most {MAX_BLOCK_CHANNELS:,} channels, "
                            f"this one asks for {count:,}")


@dataclass(frozen=True, slots=True)
class Stage:
    name: str  # what lecturers call the step: "depthwise", "pointwise", "expand", "project"
    spec: ConvSpec
    tensor: str  # name of the tensor it produces ("depthwise channel", "output channel", ...)


@dataclass(frozen=True, slots=True)
class StagedBlock:
    name: str
    stages: tuple[Stage, ...]
    reference: ConvSpec  # the standard convolution the block replaces, for the parameter and MAC comparison
    skip: bool  # the block's input is added to its output (residual connection)

    def parameters(self) -> tuple[int, int]:
        """(block, reference) parameters, biases included."""
        return sum(sum(parameter_count(s.spec)) for s in self.stages), sum(parameter_count(self.reference))

    def macs(self) -> tuple[int, int]:
        return sum(macs(s.spec) for s in self.stages), macs(self.reference)


def separable(input_size: int | tuple[int, int] = 12, in_channels: int = 3, kernel_size: int = 5,
              out_channels: int = 4, stride: int = 1, padding: Any = 0, multiplier: int = 1,
              bias: bool = True) -> StagedBlock:
    """Depthwise k x k convolution (one filter per channel, times `multiplier`) then a pointwise 1x1 convolution."""
    if all(isinstance(v, int) for v in (in_channels, multiplier, out_channels)):
        _check_channels(in_channels=in_channels, multiplier=in_channels * multiplier, out_channels=out_channels)
    depthwise = make_spec(dims=2, input_size=input_size, kernel_size=kernel_size, stride=stride, padding=padding,
                          in_channels=in_channels, out_channels=in_channels * multiplier, depthwise=True, bias=bias)
    mid = in_channels * multiplier
    pointwise = make_spec(dims=2, input_size=output_shape(depthwise), kernel_size=1, in_channels=mid,
                          out_channels=out_channels, bias=bias)
    reference = make_spec(dims=2, input_size=input_size, kernel_size=kernel_size, stride=stride, padding=padding,
                          in_channels=in_channels, out_channels=out_channels, bias=bias)
    return StagedBlock("depthwise separable convolution",
                       (Stage(f"depthwise {shape_str(depthwise.kernel_size)}", depthwise, "depthwise channel"),
                        Stage("pointwise 1×1", pointwise, "output channel")), reference, skip=False)


def inverted_residual(input_size: int | tuple[int, int] = 5, in_channels: int = 2, expansion: int = 3,
                      out_channels: int | None = None, kernel_size: int = 3, stride: int = 1) -> StagedBlock:
    """MobileNet v2: 1x1 expand to `expansion` x channels, k x k depthwise ('same' padding), 1x1 project; the input
    is added to the output when stride is 1 and the channel count is kept."""
    if not isinstance(expansion, int) or expansion < 1:
        raise SpecError(f"expansion: must be a positive integer, got {expansion!r}")
    if isinstance(in_channels, int) and (out_channels is None or isinstance(out_channels, int)):
        _check_channels(in_channels=in_channels, expansion=in_channels * expansion,
                        out_channels=in_channels if out_channels is None else out_channels)
    if kernel_size % 2 == 0:
        raise SpecError(f"kernel_size: the depthwise stage pads k//2 on each side, so it must be odd, "
                        f"got {kernel_size}")
    out_channels = in_channels if out_channels is None else out_channels
    wide = in_channels * expansion
    expand = make_spec(dims=2, input_size=input_size, kernel_size=1, in_channels=in_channels, out_channels=wide,
                       bias=False)
    depthwise = make_spec(dims=2, input_size=input_size, kernel_size=kernel_size, stride=stride,
                          padding=kernel_size // 2, in_channels=wide, depthwise=True, bias=False)
    project = make_spec(dims=2, input_size=output_shape(depthwise), kernel_size=1, in_channels=wide,
                        out_channels=out_channels, bias=False)
    reference = make_spec(dims=2, input_size=input_size, kernel_size=kernel_size, stride=stride,
                          padding=kernel_size // 2, in_channels=in_channels, out_channels=out_channels, bias=False)
    return StagedBlock("inverted residual (MobileNet v2)",
                       (Stage("expand 1×1", expand, "expanded channel"),
                        Stage(f"depthwise {kernel_size}×{kernel_size}", depthwise, "depthwise channel"),
                        Stage("project 1×1", project, "output channel")),
                       reference, skip=stride == 1 and out_channels == in_channels)
