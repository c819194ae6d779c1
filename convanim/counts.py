"""Counting a layer: the weight tensor's shape, parameters, multiply-accumulates, and the standard convolution a
grouped, depthwise or 1x1 layer stands in for. Pure arithmetic on a `ConvSpec` (no numpy), so that `list` and the
gallery's cards start fast."""

from __future__ import annotations

import dataclasses
import math

from convanim.spec import ConvSpec, make_spec, output_shape


def weight_shape(spec: ConvSpec) -> tuple[int, ...]:
    """The weight tensor's shape as PyTorch lays it out; () for pooling."""
    if spec.is_pool:
        return ()
    if spec.transposed:
        return (spec.in_channels, spec.out_channels // spec.groups, *spec.kernel_size)
    return (spec.out_channels, spec.in_channels // spec.groups, *spec.kernel_size)


def parameter_count(spec: ConvSpec) -> tuple[int, int]:
    """(weights, biases) of the layer."""
    shape = weight_shape(spec)
    weights = math.prod(shape) if shape else 0
    return weights, (spec.out_channels if spec.bias else 0)


def macs(spec: ConvSpec) -> int:
    """Multiply-accumulates of one forward pass, counted the usual way (implicit zeros included).

    Direct: every output element of every output channel reads kernel x in_channels/groups values. Transposed: every
    input element of every input channel scatters into kernel x out_channels/groups outputs. Pooling: window reads.
    """
    kernel = math.prod(spec.kernel_size)
    if spec.is_pool:
        return math.prod(output_shape(spec)) * spec.in_channels * kernel
    if spec.transposed:
        return math.prod(spec.input_size) * spec.in_channels * (spec.out_channels // spec.groups) * kernel
    return math.prod(output_shape(spec)) * spec.out_channels * (spec.in_channels // spec.groups) * kernel


def standard_convolution(spec: ConvSpec) -> ConvSpec | None:
    """The standard convolution between the same shapes that a grouped, depthwise or 1x1 layer stands in for:
    the same layer with groups=1, or for a 1x1 layer a 3x3 one padded by 1. None for any other layer."""
    if spec.is_pool:
        return None
    if spec.groups > 1:
        return dataclasses.replace(spec, groups=1)
    if spec.transposed or any(k != 1 for k in spec.kernel_size) or any(b or a for b, a in spec.padding):
        return None
    wider = make_spec(dims=spec.dims, input_size=spec.input_size, kernel_size=3, stride=spec.stride, padding=1,
                      in_channels=spec.in_channels, out_channels=spec.out_channels, bias=spec.bias)
    return wider if output_shape(wider) == output_shape(spec) else None
