"""Blocks with skip connections (ResNet's basic and bottleneck blocks, a DenseNet block, a U-Net level): tensors,
the convolutions between them, and where a tensor is added to or concatenated with a later one.

A `SkipBlock` is a plain value: `resnet_basic(...)`, `resnet_bottleneck(...)`, `dense_block(...)`, `unet_level(...)`
build it validated; `convanim.animation.animate_stages(block)` animates it stage after stage. Shapes, parameters
and MACs are PyTorch's (torchvision's blocks for ResNet: convolutions without bias, each followed by a BatchNorm2d
whose weight and bias are counted; BatchNorm and ReLU do no multiply-accumulates). The receptive field of a merged
tensor is the union of its paths' regions (Araujo et al.: the largest path, which holds the others when the paths
are centred as here); see `SkipBlock.receptive_field`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from convanim.counts import macs as conv_macs
from convanim.counts import parameter_count
from convanim.errors import SpecError
from convanim.spec import ConvSpec, make_spec, output_shape

MAX_SKIP_CHANNELS = 4096  # channels of any tensor in a block: far past any course example, far below a hang
MAX_DENSE_LAYERS = 16


@dataclass(frozen=True, slots=True)
class Tensor:
    """One tensor of a block (batch omitted): its name in the figure, channels and spatial size."""

    name: str
    channels: int
    size: tuple[int, int]


@dataclass(frozen=True, slots=True)
class SkipStage:
    """A convolution (or pooling) reading tensor `reads` and writing channels `offset`... of tensor `writes`."""

    name: str  # what lecturers call it: "conv1 3×3 /2", "projection 1×1 /2", "up-convolution 2×2"
    spec: ConvSpec
    reads: int
    writes: int
    offset: int = 0  # first channel of `writes` it fills (a concatenation's later part)
    norm: int = 0  # channels of the BatchNorm2d that goes with it (2 parameters each), 0 for none
    shortcut: bool = False  # it is on the shortcut path (ResNet's projection), not the main path


@dataclass(frozen=True, slots=True)
class Merge:
    """Tensor `source` joins tensor `target`: added to it ("add"), or copied into its channels `offset`...
    ("concat")."""

    kind: str
    source: int
    target: int
    offset: int = 0


@dataclass(frozen=True, slots=True)
class AxisRegion:
    """Araujo et al.'s per-axis receptive field of a tensor's units w.r.t. the block input: unit u sees input
    elements u*stride - padding ... u*stride - padding + field - 1 (bounds, after an upsampling)."""

    field: Fraction
    stride: Fraction
    padding: Fraction


@dataclass(frozen=True, slots=True)
class SkipBlock:
    name: str
    tensors: tuple[Tensor, ...]
    stages: tuple[SkipStage, ...]
    merges: tuple[Merge, ...]
    notes: tuple[str, ...] = ()  # what the block leaves out or simplifies, for the caption

    @property
    def input_shape(self) -> tuple[int, ...]:
        return (self.tensors[0].channels, *self.tensors[0].size)

    @property
    def output_shape(self) -> tuple[int, ...]:
        return (self.tensors[-1].channels, *self.tensors[-1].size)

    def stage_parameters(self, stage: SkipStage) -> int:
        weights, biases = parameter_count(stage.spec)
        return weights + biases + 2 * stage.norm

    def stage_macs(self, stage: SkipStage) -> int:
        return conv_macs(stage.spec) if stage.spec.op == "conv" else 0

    @property
    def parameters(self) -> int:
        return sum(self.stage_parameters(stage) for stage in self.stages)

    @property
    def macs(self) -> int:
        return sum(self.stage_macs(stage) for stage in self.stages)

    def regions(self) -> tuple[tuple[AxisRegion, ...], ...]:
        """Per tensor, per axis: the receptive field of its units w.r.t. the block input, through every path that
        writes it (a merged tensor takes the union of its paths' regions)."""
        found: list[tuple[AxisRegion, ...] | None] = [None] * len(self.tensors)
        found[0] = tuple(AxisRegion(Fraction(1), Fraction(1), Fraction(0)) for _ in self.tensors[0].size)
        for t in range(1, len(self.tensors)):
            paths = [_through(stage.spec, found[stage.reads]) for stage in self.stages if stage.writes == t]
            paths += [region for merge in self.merges if merge.target == t
                      if (region := found[merge.source]) is not None]
            found[t] = _union(paths)
        return tuple(region for region in found if region is not None)

    def receptive_field(self) -> tuple[AxisRegion, ...]:
        """The output's receptive field, effective stride and effective padding per axis (the largest path)."""
        return self.regions()[-1]


def _through(spec: ConvSpec, before: tuple[AxisRegion, ...] | None) -> tuple[AxisRegion, ...]:
    assert before is not None, "a stage reads a tensor written before it"
    after = []
    for a, region in enumerate(before):
        k, s, d, p = spec.kernel_size[a], spec.stride[a], spec.dilation[a], spec.padding[a][0]
        if spec.transposed:
            extent, stride, padding = Fraction(d * (k - 1), s) + 1, Fraction(1, s), Fraction(d * (k - 1) - p, s)
        else:
            extent, stride, padding = Fraction(d * (k - 1) + 1), Fraction(s), Fraction(p)
        after.append(AxisRegion(region.field + (extent - 1) * region.stride, region.stride * stride,
                                region.padding + padding * region.stride))
    return tuple(after)


def _union(paths: list[tuple[AxisRegion, ...]]) -> tuple[AxisRegion, ...]:
    """The region that holds every path's region: paths of one tensor share the stride (their units tile it)."""
    axes = []
    for regions in zip(*paths):
        stride = regions[0].stride
        assert all(r.stride == stride for r in regions), "paths into one tensor have one effective stride"
        padding = max(r.padding for r in regions)
        end = max(r.field - r.padding for r in regions)  # one past the last element unit 0 sees, + padding
        axes.append(AxisRegion(end + padding, stride, padding))
    return tuple(axes)


# --- the blocks --------------------------------------------------------------------------------------------------

def _positive(name: str, value: object, limit: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise SpecError(f"{name}: must be a positive integer, got {value!r}")
    if limit is not None and value > limit:
        raise SpecError(f"{name}: at most {limit:,}, got {value:,}")
    return value


def _size(input_size: object) -> tuple[int, int]:
    values = tuple(input_size) if isinstance(input_size, (tuple, list)) else (input_size, input_size)
    if len(values) != 2:
        raise SpecError(f"input_size: one value or two (rows, columns), got {input_size!r}")
    for v in values:
        _positive("input_size", v, 4096)
    return (int(values[0]), int(values[1]))


def _conv(size: tuple[int, int], in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
          bias: bool = False, **extra: object) -> ConvSpec:
    return make_spec(dims=2, input_size=size, kernel_size=kernel_size, stride=stride, padding=kernel_size // 2,
                     in_channels=in_channels, out_channels=out_channels, bias=bias, **extra)  # type: ignore[arg-type]


def _out(spec: ConvSpec) -> tuple[int, int]:
    rows, cols = output_shape(spec)
    return rows, cols


def _shortcut(size: tuple[int, int], in_channels: int, out_channels: int, stride: int, target: int
              ) -> tuple[list[SkipStage], list[Merge]]:
    """torchvision's `downsample`: a 1x1 convolution with the block's stride and a BatchNorm when the shape
    changes, else the identity."""
    if stride == 1 and in_channels == out_channels:
        return [], [Merge("add", 0, target)]
    projection = make_spec(dims=2, input_size=size, kernel_size=1, stride=stride, in_channels=in_channels,
                           out_channels=out_channels, bias=False)
    return [SkipStage(f"projection 1×1{f' /{stride}' if stride > 1 else ''}", projection, 0, target, norm=out_channels,
                      shortcut=True)], []


def _stride(stride: object) -> int:
    if stride not in (1, 2) or isinstance(stride, bool):
        raise SpecError(f"stride: a ResNet block has stride 1 or 2, got {stride!r}")
    assert isinstance(stride, int)
    return stride


def resnet_basic(input_size: int | tuple[int, int] = 6, in_channels: int = 2, out_channels: int | None = None,
                 stride: int = 1) -> SkipBlock:
    """ResNet's basic block (torchvision `BasicBlock`): 3x3 convolution (with the block's stride), 3x3 convolution,
    each followed by BatchNorm; the input is added to the result, through a 1x1 projection with the block's stride
    when the shape changes (`out_channels` != `in_channels` or stride 2)."""
    size = _size(input_size)
    cin = _positive("in_channels", in_channels, MAX_SKIP_CHANNELS)
    cout = _positive("out_channels", cin if out_channels is None else out_channels, MAX_SKIP_CHANNELS)
    stride = _stride(stride)
    conv1 = _conv(size, cin, cout, 3, stride)
    conv2 = _conv(_out(conv1), cout, cout, 3)
    tensors = (Tensor("input", cin, size), Tensor("conv1 output", cout, _out(conv1)),
               Tensor("output", cout, _out(conv2)))
    stages = [SkipStage(f"conv1 3×3{f' /{stride}' if stride > 1 else ''}", conv1, 0, 1, norm=cout),
              SkipStage("conv2 3×3", conv2, 1, 2, norm=cout)]
    extra, merges = _shortcut(size, cin, cout, stride, 2)
    return SkipBlock("ResNet basic block", tensors, tuple(stages + extra), tuple(merges),
                     ("BatchNorm after each convolution; ReLU after conv1 and after the sum",))


def resnet_bottleneck(input_size: int | tuple[int, int] = 6, in_channels: int = 4, width: int = 1,
                      out_channels: int | None = None, stride: int = 1) -> SkipBlock:
    """ResNet's bottleneck block (torchvision `Bottleneck`, ResNet v1.5): 1x1 reduce to `width` channels, 3x3 with
    the block's stride, 1x1 expand to `out_channels` (default 4 x width), each followed by BatchNorm; the input is
    added, through a 1x1 projection with the block's stride when the shape changes."""
    size = _size(input_size)
    cin = _positive("in_channels", in_channels, MAX_SKIP_CHANNELS)
    mid = _positive("width", width, MAX_SKIP_CHANNELS)
    cout = _positive("out_channels", 4 * mid if out_channels is None else out_channels, MAX_SKIP_CHANNELS)
    stride = _stride(stride)
    reduce = _conv(size, cin, mid, 1)
    middle = _conv(size, mid, mid, 3, stride)
    expand = _conv(_out(middle), mid, cout, 1)
    tensors = (Tensor("input", cin, size), Tensor("reduced", mid, size), Tensor("conv2 output", mid, _out(middle)),
               Tensor("output", cout, _out(expand)))
    stages = [SkipStage("reduce 1×1", reduce, 0, 1, norm=mid),
              SkipStage(f"conv2 3×3{f' /{stride}' if stride > 1 else ''}", middle, 1, 2, norm=mid),
              SkipStage("expand 1×1", expand, 2, 3, norm=cout)]
    extra, merges = _shortcut(size, cin, cout, stride, 3)
    return SkipBlock("ResNet bottleneck block", tensors, tuple(stages + extra), tuple(merges),
                     ("BatchNorm after each convolution; ReLU after each but the last, and after the sum",))


def dense_block(input_size: int | tuple[int, int] = 5, in_channels: int = 2, growth_rate: int = 2,
                num_layers: int = 3) -> SkipBlock:
    """A DenseNet block (Huang et al. 2017, without the 1x1 bottleneck): each layer is BatchNorm, ReLU and a 3x3
    convolution making `growth_rate` channels, concatenated to its input, so that every layer reads every earlier
    layer's output and the channels grow to in_channels + num_layers x growth_rate."""
    size = _size(input_size)
    cin = _positive("in_channels", in_channels, MAX_SKIP_CHANNELS)
    growth = _positive("growth_rate", growth_rate, MAX_SKIP_CHANNELS)
    count = _positive("num_layers", num_layers, MAX_DENSE_LAYERS)
    if cin + count * growth > MAX_SKIP_CHANNELS:
        raise SpecError(f"growth_rate: the block would end with {cin + count * growth:,} channels, more than "
                        f"{MAX_SKIP_CHANNELS:,}")
    tensors = [Tensor("input", cin, size)]
    stages, merges = [], []
    for i in range(count):
        channels = cin + i * growth
        spec = _conv(size, channels, growth, 3)
        stages.append(SkipStage(f"layer {i + 1}, 3×3", spec, i, i + 1, offset=channels, norm=channels))
        merges.append(Merge("concat", i, i + 1))
        tensors.append(Tensor("output" if i == count - 1 else f"concat {i + 1}", channels + growth, size))
    return SkipBlock("DenseNet block", tuple(tensors), tuple(stages), tuple(merges),
                     ("BatchNorm and ReLU before each convolution (its BatchNorm counted on the channels it reads)",))


def unet_level(input_size: int | tuple[int, int] = 6, in_channels: int = 1, out_channels: int = 2) -> SkipBlock:
    """One level of a U-Net (Ronneberger et al. 2015, with padded convolutions as most implementations use): a 3x3
    convolution to `out_channels`, kept as the skip; 2x2 max pooling; a 3x3 convolution to twice as many channels (the
    level below); a 2x2 stride-2 transposed convolution back to `out_channels` at the skip's size, with the skip
    concatenated before it; a 3x3 convolution of the concatenation to `out_channels`. Convolutions have biases (and
    a ReLU after them, no BatchNorm)."""
    size = _size(input_size)
    cin = _positive("in_channels", in_channels, MAX_SKIP_CHANNELS)
    c = _positive("out_channels", out_channels, MAX_SKIP_CHANNELS // 2)
    if size[0] % 2 or size[1] % 2:
        raise SpecError(f"input_size: the 2x2 pooling and the 2x2 up-convolution give the skip's size back only "
                        f"for even sizes, got {size[0]}x{size[1]}")
    first = _conv(size, cin, c, 3, bias=True)
    pool = make_spec("MaxPool2d(2)", input_size=size, in_channels=c)
    below = _conv(_out(pool), c, 2 * c, 3, bias=True)
    up = make_spec(dims=2, input_size=_out(below), kernel_size=2, stride=2, transposed=True, in_channels=2 * c,
                   out_channels=c, bias=True)
    last = _conv(size, 2 * c, c, 3, bias=True)
    tensors = (Tensor("input", cin, size), Tensor("skip", c, size), Tensor("pooled", c, _out(pool)),
               Tensor("level below", 2 * c, _out(below)), Tensor("concat", 2 * c, size), Tensor("output", c, size))
    stages = (SkipStage("conv 3×3", first, 0, 1), SkipStage("max pool 2×2", pool, 1, 2),
              SkipStage("conv 3×3", below, 2, 3), SkipStage("up-conv 2×2", up, 3, 4, offset=c),
              SkipStage("conv 3×3", last, 4, 5))
    return SkipBlock("U-Net level", tensors, stages, (Merge("concat", 1, 4),),
                     ("one convolution on each side where U-Net has two; ReLU after each convolution",))

