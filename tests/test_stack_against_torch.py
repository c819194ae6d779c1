"""Cross-check of stacks against real PyTorch (a local check: skipped where torch is absent, as in CI).

Random 1d/2d stacks of convolutions (strided, padded, dilated), transposed convolutions, max and average pooling
(ceil_mode too), BatchNorm, ZeroPad, nearest Upsample and adaptive pooling are built twice: by `make_stack` from
their expressions, and by torch from the same text. Compared per layer: the output shape, the parameter count, and
the receptive field: the input elements one output unit depends on, found by autograd (float64, positive weights
and inputs, so that no dependency cancels). Max pooling passes gradient to its argmax only, so for the receptive
field it is replaced by a depthwise convolution of ones with the same window (stacks with ceil_mode skip that part).
Every unit's inputs must lie in [u*S - P, u*S - P + r - 1]; without upsampling, a unit whose interval lies inside
the input must reach both of its ends. Adaptive pooling whose windows differ in size is refused by convanim (it says
so) and skipped here.
"""

from __future__ import annotations

import itertools
import random

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from convanim.errors import SpecError  # noqa: E402
from convanim.stack import make_stack  # noqa: E402


def random_layer(rng: random.Random, dims: int, up: bool) -> str:
    d = f"{dims}d"
    kinds = ["conv", "conv", "max", "avg", "identity", "bn", "pad"] + (["tconv", "up", "adapt"] if up else [])
    kind = rng.choice(kinds)
    k, s = rng.randint(1, 4), rng.randint(1, 3)
    if kind == "conv":
        dilation = rng.randint(1, 3)
        return f"Conv{d}(2, 2, {k}, stride={s}, padding={rng.randint(0, dilation * (k - 1))}, dilation={dilation})"
    if kind == "tconv":
        dilation = rng.randint(1, 2)
        return (f"ConvTranspose{d}(2, 2, {k}, stride={s}, padding={rng.randint(0, dilation * (k - 1))}, "
                f"output_padding={rng.randint(0, max(s, dilation) - 1)}, dilation={dilation})")
    if kind == "max":
        return (f"MaxPool{d}({k}, stride={s}, padding={rng.randint(0, k // 2)}, dilation={rng.randint(1, 2)}, "
                f"ceil_mode={rng.choice([True, False])})")
    if kind == "avg":
        return f"AvgPool{d}({k}, stride={s}, padding={rng.randint(0, k // 2)}, ceil_mode={rng.choice([True, False])})"
    if kind == "bn":
        return f"BatchNorm{d}(2)"
    if kind == "pad":
        return f"ZeroPad{d}({tuple(rng.randint(0, 2) for _ in range(2 * dims))})"
    if kind == "up":
        return f"Upsample(scale_factor={s})"
    if kind == "adapt":
        return f"AdaptiveAvgPool{d}({rng.choice([1, 2, 4])})"
    return "Identity()"


def torch_layer(text: str):
    return eval("nn." + text, {"nn": nn})  # test-only: our own generated text, evaluated by torch


def dependency_layer(module):
    """The same windows with a gradient to every element (max pooling's goes to its argmax only)."""
    if isinstance(module, (nn.MaxPool1d, nn.MaxPool2d)):
        conv = nn.Conv1d if isinstance(module, nn.MaxPool1d) else nn.Conv2d
        layer = conv(2, 2, module.kernel_size, module.stride, module.padding, module.dilation, groups=2, bias=False)
        nn.init.ones_(layer.weight)
        return layer.double()
    return module


@pytest.mark.parametrize("seed", range(6))
def test_random_stacks_against_torch(seed):
    rng = random.Random(seed)
    checked = 0
    for _ in range(60):
        dims = rng.choice([1, 2])
        texts = [random_layer(rng, dims, rng.random() < 0.3) for _ in range(rng.randint(1, 4))]
        size = rng.randint(6, 24 if dims == 1 else 10)
        try:
            stack = make_stack(texts, input_size=size, in_channels=2, dims=dims)
        except SpecError as error:
            if "adaptive windows" in str(error):  # torch takes these; convanim refuses them, saying why
                continue
            with pytest.raises(Exception):  # noqa: B017 - torch refuses it too, whatever its error type
                nn.Sequential(*map(torch_layer, texts)).double()(torch.zeros((1, 2) + (size,) * dims, dtype=torch.double))
            continue
        model = nn.Sequential(*map(torch_layer, texts)).double().eval()
        for parameter in model.parameters():
            parameter.data.uniform_(0.5, 1.5)
        exact_windows = not any(getattr(m, "ceil_mode", False) and isinstance(m, (nn.MaxPool1d, nn.MaxPool2d))
                                for m in model)
        probe = nn.Sequential(*map(dependency_layer, model))
        x = (torch.rand((1, 2) + (size,) * dims, dtype=torch.double) + 0.1).requires_grad_(True)
        h, g = x, x
        for module, probe_module, layer in zip(model, probe, stack.layers):
            h = module(h)
            assert tuple(h.shape[1:]) == layer.output_shape, (texts, layer.expression)
            assert sum(p.numel() for p in module.parameters()) == layer.parameters, (texts, layer.expression)
            if not exact_windows:
                continue
            g = probe_module(g)
            for unit in itertools.product(*map(range, g.shape[2:])):
                grad, = torch.autograd.grad(g[(0, 0) + unit], x, retain_graph=True)
                reached = (grad[0].abs().sum(0) > 0).nonzero()
                if not len(reached):
                    continue
                bounds = [(u * s - p, u * s - p + r - 1) for u, r, s, p in
                          zip(unit, layer.receptive_field, layer.effective_stride, layer.effective_padding)]
                ends = [(int(reached[:, a].min()), int(reached[:, a].max())) for a in range(dims)]
                for (lo, hi), (first, last) in zip(bounds, ends):
                    assert lo <= first and last <= hi, (texts, layer.expression, unit, bounds, ends)
                if not layer.upsampled and all(lo >= 0 and hi <= size - 1 for lo, hi in bounds):
                    assert ends == bounds, (texts, layer.expression, unit, bounds, ends)
            checked += 1
    assert checked > 20
