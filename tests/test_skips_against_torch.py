"""Blocks with skip connections cross-checked against real PyTorch (a local check: skipped where torch is absent).

Each block is written here as PyTorch writes it (torchvision's BasicBlock and Bottleneck with their `downsample`,
a DenseNet layer without bottleneck, a U-Net level), independently of `convanim.skips`. Compared: the output shape,
the parameter count (sum of numel), and the receptive field of the output: the input elements an output unit
depends on, found by autograd (float64, positive weights, the max pooling replaced by an average pooling of the same
window, which depends on the same inputs, and BatchNorm in eval mode with positive scale).
"""

from __future__ import annotations

import random

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from convanim.skips import dense_block, resnet_basic, resnet_bottleneck, unet_level  # noqa: E402


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                           if stride != 1 or cin != cout else None)

    def forward(self, x):
        out = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(out + (x if self.downsample is None else self.downsample(x)))


class Bottleneck(nn.Module):
    def __init__(self, cin, width, cout, stride):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(cin, width, 1, bias=False), nn.BatchNorm2d(width)
        self.conv2, self.bn2 = nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width)
        self.conv3, self.bn3 = nn.Conv2d(width, cout, 1, bias=False), nn.BatchNorm2d(cout)
        self.downsample = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                           if stride != 1 or cin != cout else None)

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = torch.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return torch.relu(out + (x if self.downsample is None else self.downsample(x)))


class DenseBlock(nn.Module):
    def __init__(self, cin, growth, layers):
        super().__init__()
        self.layers = nn.ModuleList(nn.Sequential(nn.BatchNorm2d(cin + i * growth), nn.ReLU(),
                                                  nn.Conv2d(cin + i * growth, growth, 3, padding=1, bias=False))
                                    for i in range(layers))

    def forward(self, x):
        for layer in self.layers:
            x = torch.cat([x, layer(x)], 1)
        return x


class UNetLevel(nn.Module):
    def __init__(self, cin, c, pool):
        super().__init__()
        self.first = nn.Conv2d(cin, c, 3, padding=1)
        self.pool = pool
        self.below = nn.Conv2d(c, 2 * c, 3, padding=1)
        self.up = nn.ConvTranspose2d(2 * c, c, 2, stride=2)
        self.last = nn.Conv2d(2 * c, c, 3, padding=1)

    def forward(self, x):
        skip = torch.relu(self.first(x))
        below = torch.relu(self.below(self.pool(skip)))
        return torch.relu(self.last(torch.cat([skip, self.up(below)], 1)))


def positive(module):
    """Positive weights and a positive BatchNorm scale, in eval mode: no dependency cancels or is cut by a ReLU."""
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.rand_like(p) + 0.1)
    return module.double().eval()


def autograd_box(module, shape, unit):
    x = torch.rand(1, *shape, dtype=torch.float64, requires_grad=True)
    out = module(x)
    out[0, :, unit[0], unit[1]].sum().backward()  # the unit across all channels (a copied one sees one element)
    hits = (x.grad[0].abs().sum(0) > 0).nonzero()
    return [(int(hits[:, a].min()), int(hits[:, a].max())) for a in range(2)]


def compare(block, module, bound=False):
    shape = block.input_shape
    assert tuple(module(torch.zeros(1, *shape, dtype=torch.float64)).shape[1:]) == block.output_shape
    assert sum(p.numel() for p in module.parameters()) == block.parameters
    regions = block.receptive_field()
    n = shape[1]
    for unit in [(r, c) for r in range(block.output_shape[1]) for c in range(block.output_shape[2])]:
        box = autograd_box(module, shape, unit)
        bounds = [(u * a.stride - a.padding, u * a.stride - a.padding + a.field - 1) for u, a in zip(unit, regions)]
        for (lo, hi), (first, last) in zip(bounds, box):
            assert lo <= first and last <= hi
        if not bound and all(lo >= 0 and hi <= n - 1 for lo, hi in bounds):
            assert [(lo, hi) for lo, hi in bounds] == box


@pytest.mark.parametrize("seed", range(12))
def test_blocks_against_torch(seed):
    rng = random.Random(seed)
    torch.manual_seed(seed)
    n, cin, cout, stride = rng.randint(5, 11), rng.randint(1, 4), rng.randint(1, 4), rng.choice([1, 2])
    compare(resnet_basic(input_size=n, in_channels=cin, out_channels=cout, stride=stride),
            positive(BasicBlock(cin, cout, stride)))
    width = rng.randint(1, 3)
    compare(resnet_bottleneck(input_size=n, in_channels=cin, width=width, out_channels=cout, stride=stride),
            positive(Bottleneck(cin, width, cout, stride)))
    growth, layers = rng.randint(1, 3), rng.randint(1, 4)
    compare(dense_block(input_size=n, in_channels=cin, growth_rate=growth, num_layers=layers),
            positive(DenseBlock(cin, growth, layers)))
    half = rng.randint(2, 6)
    unet = unet_level(input_size=2 * half, in_channels=cin, out_channels=cout)
    positive_level = positive(UNetLevel(cin, cout, nn.MaxPool2d(2)))
    assert sum(p.numel() for p in positive_level.parameters()) == unet.parameters
    compare(unet, positive(UNetLevel(cin, cout, nn.AvgPool2d(2))), bound=True)


class Down(nn.Module):  # milesial/Pytorch-UNet's parts, with DoubleConv reduced to one conv for speed
    def __init__(self, cin, cout):
        super().__init__()
        self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(cin, cout, 3, padding=1))

    def forward(self, x):
        return self.maxpool_conv(x)


class Up(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.up = nn.ConvTranspose2d(cin, cin // 2, kernel_size=2, stride=2)
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)

    def forward(self, x1, x2):
        return self.conv(torch.cat([x2, self.up(x1)], dim=1))


class UNet(nn.Module):
    def __init__(self, cin, c):
        super().__init__()
        self.inc = nn.Sequential(nn.Conv2d(cin, c, 3, padding=1), nn.ReLU())
        self.down1 = Down(c, 2 * c)
        self.up1 = Up(2 * c, c)

    def forward(self, x):
        x1 = self.inc(x)
        return self.up1(self.down1(x1), x1)


@pytest.mark.parametrize("seed", range(6))
def test_printed_blocks_explain_as_torch_runs_them(seed):
    """print(model) of torch modules with skips, read by make_stack: output shape, parameters, and the receptive
    field of the last row (where the paths have joined) against autograd, with MaxPool read as AvgPool."""
    from convanim.stack import make_stack

    rng = random.Random(seed)
    torch.manual_seed(seed)
    n, cin, cout, stride = rng.randint(6, 10), rng.randint(1, 3), rng.randint(1, 3), rng.choice([1, 2])
    layer = nn.Sequential(BasicBlock(cin, cout, stride), Bottleneck(cout, 1, 4, 1), BasicBlock(4, 4, 1))
    half = rng.randint(2, 5)
    unet = UNet(cin, cout)
    for module, size, bound in ((layer, n, False), (unet, 2 * half, True)):
        stack = make_stack(str(module), input_size=size)
        module = positive(module)
        if module is not layer:
            module.down1.maxpool_conv[0] = nn.AvgPool2d(2)
        shape = stack.input_shape
        assert tuple(module(torch.zeros(1, *shape, dtype=torch.float64)).shape[1:]) == stack.output_shape
        assert sum(p.numel() for p in module.parameters()) == stack.parameters
        last = stack.layers[-1]
        for unit in [(r, c) for r in range(stack.output_shape[1]) for c in range(stack.output_shape[2])]:
            box = autograd_box(module, shape, unit)
            bounds = [(u * s - p, u * s - p + r - 1) for u, r, s, p in
                      zip(unit, last.receptive_field, last.effective_stride, last.effective_padding)]
            for (lo, hi), (first, final) in zip(bounds, box):
                assert lo <= first and final <= hi
            if not bound and all(lo >= 0 and hi <= size - 1 for lo, hi in bounds):
                assert [(lo, hi) for lo, hi in bounds] == box
