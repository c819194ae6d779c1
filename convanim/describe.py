"""A person-readable account of a spec: shapes, the output-size formula with numbers, parameters, MACs."""

from __future__ import annotations

import math
import textwrap
from fractions import Fraction
from typing import TYPE_CHECKING

from convanim.counts import macs, parameter_count, weight_shape
from convanim.errors import SpecError
from convanim.spec import ConvSpec, make_spec, output_length, output_shape

if TYPE_CHECKING:
    from convanim.geometry import Geometry
    from convanim.stack import Stack

AXIS_NAMES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def shape_str(shape: tuple[int, ...]) -> str:
    """`(5, 7)` -> `5×7`, as figures and captions write shapes."""
    return "\u00d7".join(map(str, shape))


def layer_name(spec: ConvSpec) -> str:
    """PyTorch's class name for the spec, e.g. `ConvTranspose2d`."""
    family = {"conv": "ConvTranspose" if spec.transposed else "Conv", "maxpool": "MaxPool", "avgpool": "AvgPool"}
    return f"{family[spec.op]}{spec.dims}d"


def shape_text(spatial: tuple[int, ...], channels: int | None = None) -> str:
    """`32x32x10`: spatial sizes then channels, the way the exercises write them."""
    return "x".join(str(v) for v in (*spatial, *(() if channels is None else (channels,))))


def _axis_arg(values: tuple[int, ...]) -> str:
    return str(values[0]) if len(set(values)) == 1 else str(values)


def pytorch_code(spec: ConvSpec) -> str:
    """The PyTorch layer (with an explicit pad in front when padding is asymmetric) that computes this spec."""
    args: list[str] = []
    if spec.op == "conv":
        args += [str(spec.in_channels), str(spec.out_channels)]
    args.append(f"kernel_size={_axis_arg(spec.kernel_size)}")
    default_stride = spec.kernel_size if spec.is_pool else (1,) * spec.dims
    if spec.stride != default_stride or spec.is_pool:
        args.append(f"stride={_axis_arg(spec.stride)}")
    pad = ""
    if _is_same_padding(spec) and not spec.symmetric_padding:  # PyTorch pads the odd one at the end, as here
        args.append("padding='same'")
    elif spec.symmetric_padding:
        if any(b for b, _ in spec.padding):
            args.append(f"padding={_axis_arg(tuple(b for b, _ in spec.padding))}")
    elif spec.transposed:
        args.append("padding=0")
        crops = ", ".join(f"{b}:{'-' + str(a) if a else ''}" for b, a in spec.padding)
        pad = f" then crop the output [..., {crops}]"
    else:
        flat = [v for b, a in reversed(spec.padding) for v in (b, a)]  # F.pad lists the last axis first
        pad = f" after F.pad(x, {tuple(flat)})"
    if spec.transposed and any(spec.output_padding):
        args.append(f"output_padding={_axis_arg(spec.output_padding)}")
    if spec.groups != 1 and not spec.is_pool:
        args.append(f"groups={spec.groups}")
    if any(d != 1 for d in spec.dilation):
        args.append(f"dilation={_axis_arg(spec.dilation)}")
    if spec.op == "conv" and not spec.bias:
        args.append("bias=False")
    if spec.ceil_mode:
        args.append("ceil_mode=True")
    return f"nn.{layer_name(spec)}({', '.join(args)}){pad}"


def _is_same_padding(spec: ConvSpec) -> bool:
    """Whether `padding='same'` makes this padding in PyTorch (a convolution with stride 1; the total
    dilation*(kernel-1) split with the extra one at the end)."""
    if spec.op != "conv" or spec.transposed or any(s != 1 for s in spec.stride):
        return False
    return all((before, after) == (d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
               for (before, after), k, d in zip(spec.padding, spec.kernel_size, spec.dilation))


def general_formula(spec: ConvSpec) -> str:
    """PyTorch's output-size formula in words."""
    if spec.transposed:
        return "(in-1)*stride - pad_before - pad_after + dilation*(kernel-1) + output_padding + 1"
    rounding = "ceil" if spec.ceil_mode else "floor"
    return f"{rounding}((in + pad_before + pad_after - dilation*(kernel-1) - 1) / stride) + 1"


def output_formula(spec: ConvSpec, axis: int) -> str:
    """The output-size formula for one axis with the numbers filled in,
    e.g. `floor((5 + 1 + 1 - 1*(3-1) - 1) / 2) + 1 = 3`."""
    n, k, s, d = spec.input_size[axis], spec.kernel_size[axis], spec.stride[axis], spec.dilation[axis]
    before, after = spec.padding[axis]
    out = output_length(spec, axis)
    if spec.transposed:
        return f"({n}-1)*{s} - {before} - {after} + {d}*({k}-1) + {spec.output_padding[axis]} + 1 = {out}"
    rounding = "ceil" if spec.ceil_mode else "floor"
    text = f"{rounding}(({n} + {before} + {after} - {d}*({k}-1) - 1) / {s}) + 1"
    plain = n + before + after - d * (k - 1) - 1
    first = (-(-plain // s) if spec.ceil_mode else plain // s) + 1
    if first != out:
        text += f" = {first}, less 1 as the last window would start in the right padding"
    return f"{text} = {out}"


def explain(spec: ConvSpec | Stack, compare_dense: bool = False) -> str:
    """The full explanation `convanim explain` prints, for one layer or (a `convanim.Stack`) a table through a
    stack."""
    if not isinstance(spec, ConvSpec):
        if compare_dense:
            raise SpecError("compare_dense: compares one layer with a dense one; give a single layer")
        return explain_stack(spec)
    from convanim.geometry import Geometry, check_size  # numpy: only when a layer is explained

    try:  # a spec too large for index arrays is still explained, from arithmetic alone
        check_size(spec)
        geometry: Geometry | None = Geometry(spec)
    except SpecError:
        geometry = None
    out_shape = output_shape(spec)
    lines = [f"{layer_name(spec)}: input {shape_text(spec.input_size, spec.in_channels)} -> "
             f"output {shape_text(out_shape, spec.out_channels)}  "
             f"({' x '.join(AXIS_NAMES[spec.dims])} x channels)",
             f"  PyTorch: {pytorch_code(spec)}", ""]
    lines.append(f"Output size per axis, {general_formula(spec)}:")
    for axis, name in enumerate(AXIS_NAMES[spec.dims]):
        lines.append(f"  {name}: {output_formula(spec, axis)}")
    if spec.padding_mode != "explicit":
        pads = ", ".join(f"{b}+{a}" for b, a in spec.padding)
        lines.append(f"  padding '{spec.padding_mode}' = {pads} (before+after per axis)")
    lines.append("")
    weights, biases = parameter_count(spec)
    if spec.is_pool:
        lines.append("Parameters: 0 (pooling has no weights)")
    else:
        shape = weight_shape(spec)
        bias_text = f" + biases {biases:,}" if spec.bias else " (no bias)"
        lines.append(f"Parameters: {weights + biases:,} = weights {' x '.join(map(str, shape))} = {weights:,}"
                     f"{bias_text}")
    lines.append(_macs_line(spec, out_shape))
    lines.append(_receptive_line(spec, geometry))
    if not spec.is_pool:
        lines.append(_groups_line(spec))
    if spec.transposed:
        lines.append(_direct_line(spec, out_shape))
    if compare_dense:
        lines.append(_dense_line(spec, out_shape, weights + biases))
    return "\n".join(lines)


def _macs_line(spec: ConvSpec, out_shape: tuple[int, ...]) -> str:
    kernel = shape_text(spec.kernel_size)
    total = macs(spec)
    if spec.is_pool:
        return (f"Window reads: {total:,} = {shape_text(out_shape)} outputs x {spec.in_channels} channels "
                f"x {kernel} window")
    if spec.transposed:
        return (f"MACs: {total:,} = {shape_text(spec.input_size)} inputs x {spec.in_channels} channels x "
                f"{spec.out_channels // spec.groups} output channels per group x {kernel} kernel\n"
                f"  (each input is scattered through the kernel; the animation's direct view also multiplies "
                f"the inserted and padding zeros, which costs nothing)")
    return (f"MACs: {total:,} = {shape_text(out_shape)} outputs x {spec.out_channels} channels x "
            f"{spec.in_channels // spec.groups} input channels per group x {kernel} kernel")


def _receptive_line(spec: ConvSpec, geometry: Geometry | None) -> str:
    extent = tuple(d * (k - 1) + 1 for k, d in zip(spec.kernel_size, spec.dilation))
    if geometry is not None:
        reach = geometry.max_inputs_per_axis()
    else:  # too large to list: taps d apart meet inputs s apart every s/gcd(d, s) taps
        reach = tuple(min(n, -(-k // (s // math.gcd(d, s))))
                      for n, k, s, d in zip(spec.input_size, spec.kernel_size, spec.stride, spec.dilation))
    if spec.transposed:
        return (f"Receptive field: each output reads at most {shape_text(reach)} input elements "
                f"(a {shape_text(extent)} window over the stride-{shape_text(spec.stride)} stretched input)")
    dilated = f" ({shape_text(spec.kernel_size)} taps, dilation {shape_text(spec.dilation)})" \
        if any(d > 1 for d in spec.dilation) else ""
    return (f"Receptive field: each output sees a {shape_text(extent)} window of the input{dilated}, "
            f"{math.prod(spec.kernel_size):,} elements per channel")


def _groups_line(spec: ConvSpec) -> str:
    if spec.groups == 1:
        if spec.in_channels == 1:
            return "Channels: one input channel, read by every output channel"
        return f"Channels: every output channel reads all {spec.in_channels} input channels"
    per_in, per_out = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    kind = " (depthwise)" if spec.groups == spec.in_channels else ""
    return (f"Channels: {spec.groups} groups{kind}; each output channel reads {per_in} of {spec.in_channels} "
            f"input channels, {per_out} output channels per group")


def _direct_line(spec: ConvSpec, out_shape: tuple[int, ...]) -> str:
    direct = make_spec(dims=spec.dims, input_size=out_shape, kernel_size=spec.kernel_size, stride=spec.stride,
                       padding=spec.padding, dilation=spec.dilation, in_channels=spec.out_channels,
                       out_channels=spec.in_channels, groups=spec.groups, bias=spec.bias)
    back = output_shape(direct)
    note = "" if back == spec.input_size else (f" (it gives {shape_text(back)}, not {shape_text(spec.input_size)}: "
                                               f"output_padding >= stride has no direct counterpart)")
    return (f"Transpose of: {pytorch_code(direct)} on a {shape_text(out_shape, spec.out_channels)} input, "
            f"which maps back to {shape_text(back, spec.in_channels)}{note}")


def _dense_line(spec: ConvSpec, out_shape: tuple[int, ...], conv_parameters: int) -> str:
    inputs = math.prod(spec.input_size) * spec.in_channels
    outputs = math.prod(out_shape) * spec.out_channels
    dense = inputs * outputs + (outputs if spec.bias else 0)
    ratio = dense / conv_parameters if conv_parameters else float("inf")
    bias_text = f" + {outputs:,} biases" if spec.bias else ""
    return (f"Fully connected between the same shapes: {dense:,} parameters = {inputs:,} x {outputs:,}{bias_text} "
            f"({ratio:,.0f}x this layer's {conv_parameters:,})")


def explain_stack(stack: Stack) -> str:
    """The table `convanim explain` prints for a stack: one row per layer, then totals and what the columns mean."""
    named = any(layer.path != str(layer.index) for layer in stack.layers)
    header = ["#", *(["name"] if named else []), "output", "parameters", "MACs", "receptive field", "eff. stride",
              "eff. padding", "layer"]  # the layer last: a long print(model) expression may wrap harmlessly there
    rows = [[str(layer.index), *([layer.path + (" (shortcut)" if layer.shortcut else "")] if named else []),
             shape_text(layer.output_shape),
             f"{layer.parameters:,}", f"{layer.macs:,}", _per_axis(layer.receptive_field),
             _per_axis(layer.effective_stride), _per_axis(layer.effective_padding), layer.expression]
            for layer in stack.layers]
    numeric = {"parameters", "MACs"}
    widths = [max(len(row[c]) for row in [header, *rows]) for c in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.rjust(w) if name in numeric or name == "#" else cell.ljust(w)
                         for cell, w, name in zip(cells, widths, header)).rstrip()

    axes = " x ".join(AXIS_NAMES[stack.dims])
    count = f"{len(stack.layers)} layer{'s' if len(stack.layers) != 1 else ''}"
    lines = [f"Stack of {count} on an input of {shape_text(stack.input_shape)} "
             f"(channels x {axes}; batch omitted)", "", line(header), line(["-" * w for w in widths])]
    lines += [line(row) for row in rows]
    lines += ["", f"Total: {stack.parameters:,} parameters, {stack.macs:,} MACs; output "
                  f"{shape_text(stack.output_shape)}", ""]
    lines += [wrapped for note in _stack_notes(stack) for wrapped in textwrap.wrap(note, 118, subsequent_indent="  ")]
    return "\n".join(lines)


def _per_axis(values: tuple[Fraction, ...]) -> str:
    """`7` when every axis agrees, else `7x5`; fractions as `3/2`."""
    texts = [str(v) for v in values]
    return texts[0] if len(set(texts)) == 1 else "x".join(texts)


def _stack_notes(stack: Stack) -> list[str]:
    kinds = {layer.kind for layer in stack.layers}
    names = {layer.name for layer in stack.layers}
    notes = ["Receptive field r, effective stride S and effective padding P per axis (Araujo, Norris and Sim, "
             "Distill 2019): unit u of a layer sees input elements u*S - P to u*S - P + r - 1 (a value per axis "
             "when they differ); P counts the implicit zeros before input element 0."]
    if any(layer.upsampled for layer in stack.layers):
        notes.append("Upsampling (ConvTranspose, Upsample, an adaptive pool that grows) has stride 1/s: from there S "
                     "is a fraction and r, S and P bound the input interval a unit's region lies in (every input "
                     "element it reads is inside; after an earlier stride the region may have gaps).")
    if kinds & {"flatten", "linear", "adaptive"} or "AdaptiveAvgPool" in names:
        notes.append("Flatten keeps each element's region; Linear and global pooling see the whole map (a window "
                     "of the map's size, with that stride).")
    if "merge" in kinds:
        notes.append("Skip connections: rows marked (shortcut) are a residual block's downsample, which reads the "
                     "block's input; 'out += identity' adds the shortcut (or the input) to the main path and "
                     "'torch.cat' puts a U-Net Down's input before the upsampled map. Where two paths join, the "
                     "receptive field is the union of their regions (the largest path).")
    notes.append("MACs count multiply-accumulates of convolutions and Linear layers; pooling, normalisation, "
                 "activations and additions count 0.")
    if "norm" in kinds:
        notes.append("Normalisation layers count their weight and bias (per channel); running statistics are "
                     "buffers, not parameters.")
    return notes
