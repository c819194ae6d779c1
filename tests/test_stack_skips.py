"""Skip connections in pasted print(model) text: torchvision's BasicBlock and Bottleneck (the `downsample` shortcut
reads the block's input, `out += identity` joins the paths) and milesial/Pytorch-UNet's DoubleConv/Down/Up/OutConv
(an `Up` concatenates the input of the latest `Down`). The printouts below are exactly what PyTorch 2.13 printed for
those modules (written out in a separate environment: torch is not needed here); the output shapes and parameter
counts asserted were PyTorch's (a forward pass, sum of numel). The receptive field where paths join is checked
against `convanim.skips`, itself checked against a brute force (tests/test_skips.py).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from convanim.cli import cli
from convanim.errors import SpecError
from convanim.skips import resnet_basic, resnet_bottleneck, unet_level
from convanim.stack import make_stack

# nn.Sequential(BasicBlock(64, 128, stride=2, downsample=1x1 conv + BN), BasicBlock(128, 128)): torchvision's layer2
RESNET_LAYER = """\
Sequential(
  (0): BasicBlock(
    (conv1): Conv2d(64, 128, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)
    (bn1): BatchNorm2d(128, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    (relu): ReLU(inplace=True)
    (conv2): Conv2d(128, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
    (bn2): BatchNorm2d(128, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    (downsample): Sequential(
      (0): Conv2d(64, 128, kernel_size=(1, 1), stride=(2, 2), bias=False)
      (1): BatchNorm2d(128, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    )
  )
  (1): BasicBlock(
    (conv1): Conv2d(128, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
    (bn1): BatchNorm2d(128, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    (relu): ReLU(inplace=True)
    (conv2): Conv2d(128, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
    (bn2): BatchNorm2d(128, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
  )
)
"""

BOTTLENECK = """\
Bottleneck(
  (conv1): Conv2d(64, 64, kernel_size=(1, 1), stride=(1, 1), bias=False)
  (bn1): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
  (conv2): Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
  (bn2): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
  (conv3): Conv2d(64, 256, kernel_size=(1, 1), stride=(1, 1), bias=False)
  (bn3): BatchNorm2d(256, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
  (relu): ReLU(inplace=True)
  (downsample): Sequential(
    (0): Conv2d(64, 256, kernel_size=(1, 1), stride=(1, 1), bias=False)
    (1): BatchNorm2d(256, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
  )
)
"""

# milesial/Pytorch-UNet's UNet with two levels (inc, down1, down2, up1, up2, outc), n_channels=3, n_classes=2
UNET = """\
UNet(
  (inc): DoubleConv(
    (double_conv): Sequential(
      (0): Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
      (1): BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
      (2): ReLU(inplace=True)
      (3): Conv2d(16, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
      (4): BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
      (5): ReLU(inplace=True)
    )
  )
  (down1): Down(
    (maxpool_conv): Sequential(
      (0): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
      (1): DoubleConv(
        (double_conv): Sequential(
          (0): Conv2d(16, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
          (1): BatchNorm2d(32, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
          (2): ReLU(inplace=True)
          (3): Conv2d(32, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
          (4): BatchNorm2d(32, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
          (5): ReLU(inplace=True)
        )
      )
    )
  )
  (down2): Down(
    (maxpool_conv): Sequential(
      (0): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
      (1): DoubleConv(
        (double_conv): Sequential(
          (0): Conv2d(32, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
          (1): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
          (2): ReLU(inplace=True)
          (3): Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
          (4): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
          (5): ReLU(inplace=True)
        )
      )
    )
  )
  (up1): Up(
    (up): ConvTranspose2d(64, 32, kernel_size=(2, 2), stride=(2, 2))
    (conv): DoubleConv(
      (double_conv): Sequential(
        (0): Conv2d(64, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
        (1): BatchNorm2d(32, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
        (2): ReLU(inplace=True)
        (3): Conv2d(32, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
        (4): BatchNorm2d(32, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
        (5): ReLU(inplace=True)
      )
    )
  )
  (up2): Up(
    (up): ConvTranspose2d(32, 16, kernel_size=(2, 2), stride=(2, 2))
    (conv): DoubleConv(
      (double_conv): Sequential(
        (0): Conv2d(32, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
        (1): BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
        (2): ReLU(inplace=True)
        (3): Conv2d(16, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
        (4): BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
        (5): ReLU(inplace=True)
      )
    )
  )
  (outc): OutConv(
    (conv): Conv2d(16, 2, kernel_size=(1, 1), stride=(1, 1))
  )
)
"""


def rows(stack):
    return {layer.path: layer for layer in stack.layers}


def test_resnet_layer_from_print_model():
    stack = make_stack(RESNET_LAYER, input_size=16)
    assert stack.output_shape == (128, 8, 8) and stack.parameters == 525568  # PyTorch's
    by_path = rows(stack)
    shortcut = [layer.path for layer in stack.layers if layer.shortcut]
    assert shortcut == ["0.downsample.0", "0.downsample.1"]
    assert by_path["0.downsample.0"].input_shape == (64, 16, 16)  # it reads the block's input
    assert [layer.path for layer in stack.layers if layer.kind == "merge"] == ["0.(+)", "1.(+)"]
    first, second = by_path["0.(+)"], by_path["1.(+)"]
    assert (first.receptive_field, first.effective_stride, first.effective_padding) == ((7, 7), (2, 2), (3, 3))
    assert (second.receptive_field, second.effective_padding) == ((15, 15), (7, 7))  # + 2 x (3-1) x 2
    # the shortcut row's own region: one element every 2
    assert by_path["0.downsample.1"].receptive_field == (1, 1)
    assert by_path["1.conv1"].receptive_field == (11, 11)  # the next block continues from the joined paths


@pytest.mark.parametrize(("stride", "cin", "cout"), [(2, 2, 4), (1, 3, 3), (1, 2, 5), (2, 3, 3)])
def test_basic_block_text_agrees_with_the_skip_block(stride, cin, cout):
    downsample = (f"    (downsample): Sequential(\n      (0): Conv2d({cin}, {cout}, kernel_size=(1, 1), "
                  f"stride=({stride}, {stride}), bias=False)\n      (1): BatchNorm2d({cout}, eps=1e-05, "
                  f"momentum=0.1, affine=True, bias=True, track_running_stats=True)\n    )\n"
                  if stride != 1 or cin != cout else "")
    text = (f"BasicBlock(\n  (conv1): Conv2d({cin}, {cout}, kernel_size=(3, 3), stride=({stride}, {stride}), "
            f"padding=(1, 1), bias=False)\n  (bn1): BatchNorm2d({cout}, eps=1e-05, momentum=0.1, affine=True, "
            f"bias=True, track_running_stats=True)\n  (relu): ReLU(inplace=True)\n  (conv2): Conv2d({cout}, {cout}, "
            f"kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)\n  (bn2): BatchNorm2d({cout}, "
            f"eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)\n{downsample})\n")
    stack = make_stack(text, input_size=9)
    block = resnet_basic(input_size=9, in_channels=cin, out_channels=cout, stride=stride)
    assert stack.output_shape == block.output_shape
    assert (stack.parameters, stack.macs) == (block.parameters, block.macs)
    joined = stack.layers[-1]
    assert joined.kind == "merge"
    assert [(a.field, a.stride, a.padding) for a in block.receptive_field()] == list(
        zip(joined.receptive_field, joined.effective_stride, joined.effective_padding))


def test_bottleneck_from_print_model():
    stack = make_stack(BOTTLENECK, input_size=8)
    assert stack.output_shape == (256, 8, 8) and stack.parameters == 75008  # PyTorch's
    block = resnet_bottleneck(input_size=8, in_channels=64, width=64, out_channels=256)
    assert (stack.parameters, stack.macs) == (block.parameters, block.macs)
    assert stack.layers[-1].receptive_field == (3, 3) == tuple(a.field for a in block.receptive_field())


def test_unet_from_print_model():
    stack = make_stack(UNET, input_size=16)
    assert stack.input_shape == (3, 16, 16)
    assert stack.output_shape == (2, 16, 16) and stack.parameters == 117378  # PyTorch's
    by_path = rows(stack)
    # up1 upsamples 64x4x4 to 32x8x8 and puts down2's input (32x8x8) before it; up2 takes down1's input
    assert by_path["up1.up"].output_shape == (32, 8, 8) and by_path["up1.(cat)"].output_shape == (64, 8, 8)
    assert by_path["up2.(cat)"].output_shape == (32, 16, 16)
    assert by_path["up2.(cat)"].receptive_field == (43, 43)  # the deep path's (the skip's 5 lies inside)
    assert by_path["up2.(cat)"].effective_stride == (1, 1) and by_path["up2.(cat)"].upsampled


def test_unet_level_text_agrees_with_the_skip_block():
    def conv(cin, cout, pad="padding=(1, 1)", k="(3, 3)"):
        return f"Conv2d({cin}, {cout}, kernel_size={k}, stride=(1, 1), {pad})"

    text = "\n".join([
        "UNet(", "  (inc): OutConv(", f"    (conv): {conv(1, 2)}", "  )",
        "  (down1): Down(", "    (maxpool_conv): Sequential(",
        "      (0): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
        f"      (1): {conv(2, 4)}", "    )", "  )",
        "  (up1): Up(", "    (up): ConvTranspose2d(4, 2, kernel_size=(2, 2), stride=(2, 2))",
        f"    (conv): {conv(4, 2)}", "  )", ")"])
    stack = make_stack(text, input_size=8)
    block = unet_level(input_size=8, in_channels=1, out_channels=2)
    assert stack.output_shape == block.output_shape
    assert (stack.parameters, stack.macs) == (block.parameters, block.macs)
    assert stack.layers[-1].receptive_field == tuple(a.field for a in block.receptive_field())
    assert stack.layers[-1].effective_padding == tuple(a.padding for a in block.receptive_field())


def test_explain_and_json_mark_the_skips(tmp_path):
    path = tmp_path / "layer.txt"
    path.write_text(RESNET_LAYER)
    result = CliRunner().invoke(cli, ["explain", "--stack", str(path), "--input", "16"])
    assert result.exit_code == 0, result.output
    assert "0.downsample.0 (shortcut)" in result.output and "out += identity" in result.output
    assert "union of their regions (the largest path)" in result.output
    data = json.loads(CliRunner().invoke(cli, ["explain", "--stack", str(path), "--input", "16", "--json"]).output)
    assert [row.get("shortcut", False) for row in data["layers"]].count(True) == 2
    assert data["total"]["parameters"] == 525568
    refused = CliRunner().invoke(cli, ["render", "--stack", str(path), "--input", "8", "-o", str(tmp_path / "x.gif")])
    assert refused.exit_code == 2 and "skip connection starts" in refused.output
    assert not (tmp_path / "x.gif").exists()


@pytest.mark.parametrize(("text", "message"), [
    (RESNET_LAYER.replace("(downsample): Sequential(", "(shortcut): Sequential("),
     r"layers: layer 5 \(Conv2d\(64, 128, .*\) on a 128x4x4 input: it takes 64 input channels, but the layer "
     r"before gives 128"),  # not named downsample: read as the main path
    (UNET.replace("(down2): Down(", "(down2): Sequential("),
     r"layers: layer 21 \(torch.cat\(\[x2, x1\], dim=1\)\) on a 32x4x4 input: the input of down1 \(the skip\) "
     r"is 16x8x8, this path 32x4x4: they cannot be concatenated"),
    ("Sequential(\n  (0): Up(\n    (up): ConvTranspose2d(1, 1, kernel_size=(2, 2), stride=(2, 2))\n  )\n)",
     r"an Up with no Down before it"),
])
def test_skip_mistakes(text, message):
    with pytest.raises(SpecError, match=message):
        make_stack(text, input_size=8)
