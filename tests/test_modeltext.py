"""The print(model) reader against printouts in the exact format PyTorch 2.13 writes (pasted below), and TOML
stack files. The expected shapes and parameter counts were read from PyTorch itself (torch 2.13.0: a forward pass of
a zero tensor through each child, and sum(p.numel() for p in model.parameters())), in a separate environment: torch
is not needed here. The older print format (norm layers without `bias=`) is checked too.
"""

from __future__ import annotations

import json

import pytest

from convanim.errors import SpecError
from convanim.modeltext import parse_model_text
from convanim.stack import load_stack, make_stack

VGG = """\
Sequential(
  (0): Conv2d(3, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (1): ReLU(inplace=True)
  (2): Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (3): ReLU(inplace=True)
  (4): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  (5): Conv2d(64, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (6): ReLU(inplace=True)
  (7): Conv2d(128, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (8): ReLU(inplace=True)
  (9): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  (10): AdaptiveAvgPool2d(output_size=(1, 1))
  (11): Flatten(start_dim=1, end_dim=-1)
  (12): Dropout(p=0.5, inplace=False)
  (13): Linear(in_features=128, out_features=10, bias=True)
)
"""

RESNET_BASIC_BLOCK = """\
Sequential(
  (0): Conv2d(64, 128, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)
  (1): BatchNorm2d(128, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
  (2): ReLU(inplace=True)
  (3): Conv2d(128, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
  (4): BatchNorm2d(128, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
)
"""

UNET_LEVEL = """\
Sequential(
  (down): Sequential(
    (0): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    (1): Sequential(
      (0): Conv2d(64, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
      (1): BatchNorm2d(128, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
      (2): ReLU(inplace=True)
      (3): Conv2d(128, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
      (4): BatchNorm2d(128, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
      (5): ReLU(inplace=True)
    )
  )
  (up): ConvTranspose2d(128, 64, kernel_size=(2, 2), stride=(2, 2))
  (upsample): Upsample(scale_factor=2.0, mode='nearest')
  (head): Conv2d(64, 2, kernel_size=(1, 1), stride=(1, 1))
)
"""

WAVENET = """\
Sequential(
  (0): ConstantPad1d(padding=(1, 0), value=0.0)
  (1): Conv1d(16, 16, kernel_size=(2,), stride=(1,))
  (2): Tanh()
  (3): ConstantPad1d(padding=(2, 0), value=0.0)
  (4): Conv1d(16, 16, kernel_size=(2,), stride=(1,), dilation=(2,))
  (5): Tanh()
  (6): ConstantPad1d(padding=(4, 0), value=0.0)
  (7): Conv1d(16, 16, kernel_size=(2,), stride=(1,), dilation=(4,))
  (8): Tanh()
  (9): ConstantPad1d(padding=(8, 0), value=0.0)
  (10): Conv1d(16, 16, kernel_size=(2,), stride=(1,), dilation=(8,))
  (11): Tanh()
)
"""

MANY_KINDS = """\
Sequential(
  (0): Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), padding=same, dilation=(2, 2))
  (1): GELU(approximate='none')
  (2): SiLU()
  (3): LeakyReLU(negative_slope=0.2)
  (4): Identity()
  (5): Dropout2d(p=0.1, inplace=False)
  (6): ZeroPad2d((1, 0, 2, 0))
  (7): AvgPool2d(kernel_size=2, stride=2, padding=0)
  (8): GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)
  (9): InstanceNorm2d(4, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)
  (10): ReLU6()
  (11): Hardswish()
  (12): AdaptiveMaxPool2d(output_size=1)
  (13): Flatten(start_dim=1, end_dim=-1)
  (14): BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=False, track_running_stats=True)
  (15): Linear(in_features=4, out_features=3, bias=False)
  (16): Softmax(dim=1)
)
"""

# PyTorch before 2.5 printed norm layers without bias=.
OLD_FORMAT = """\
Sequential(
  (conv): Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)
  (bn): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
  (relu): ReLU(inplace=True)
  (pool): MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)
)
"""

# torchvision's BasicBlock: its forward adds the input (identity shortcut) after its printed children.
TORCHVISION_BASIC_BLOCK = """\
BasicBlock(
  (conv1): Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
  (bn1): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
  (relu): ReLU(inplace=True)
  (conv2): Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
  (bn2): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
)
"""


def shapes(stack):
    return [list(layer.output_shape) for layer in stack.layers]


def test_vgg_style_stack():
    stack = make_stack(VGG, input_size=32)
    assert stack.input_shape == (3, 32, 32)  # in_channels from the first Conv2d
    assert shapes(stack) == [[64, 32, 32], [64, 32, 32], [64, 32, 32], [64, 32, 32], [64, 16, 16], [128, 16, 16],
                             [128, 16, 16], [128, 16, 16], [128, 16, 16], [128, 8, 8], [128, 1, 1], [128], [128], [10]]
    assert stack.parameters == 261450
    fields = [int(layer.receptive_field[0]) for layer in stack.layers]
    assert fields == [3, 3, 5, 5, 6, 10, 10, 14, 14, 16, 44, 44, 44, 44]  # 44 = 32 plus 6 of padding each side
    assert [int(layer.effective_stride[0]) for layer in stack.layers][:10] == [1, 1, 1, 1, 2, 2, 2, 2, 2, 4]
    assert int(stack.layers[-1].effective_padding[0]) == 6
    assert stack.layers[0].expression == "Conv2d(3, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"


def test_resnet_basic_block_main_path():
    stack = make_stack(RESNET_BASIC_BLOCK, input_size=16)
    assert stack.input_shape == (64, 16, 16)
    assert shapes(stack) == [[128, 8, 8]] * 5
    assert stack.parameters == 221696
    assert [layer.parameters for layer in stack.layers] == [64 * 128 * 9, 256, 0, 128 * 128 * 9, 256]
    assert stack.layers[-1].macs == 0 and stack.layers[3].macs == 128 * 128 * 9 * 64
    assert [int(v) for v in stack.layers[-1].receptive_field] == [7, 7]  # 3 + (3-1)*2
    assert [int(v) for v in stack.layers[-1].effective_stride] == [2, 2]
    assert [int(v) for v in stack.layers[-1].effective_padding] == [3, 3]  # 1 + 1*2


def test_unet_level_nested_with_named_children():
    layers = parse_model_text(UNET_LEVEL)
    assert [layer.path for layer in layers] == ["down.0", "down.1.0", "down.1.1", "down.1.2", "down.1.3", "down.1.4",
                                                "down.1.5", "up", "upsample", "head"]
    stack = make_stack(UNET_LEVEL, input_size=16)
    assert stack.layers[-1].path == "head"
    assert shapes(stack) == [[64, 8, 8], [128, 8, 8], [128, 8, 8], [128, 8, 8], [128, 8, 8], [128, 8, 8], [128, 8, 8],
                             [64, 16, 16], [64, 32, 32], [2, 32, 32]]
    assert stack.parameters == 254658
    up = stack.layers[7]
    assert up.effective_stride == (1, 1)  # down by 2, up by 2
    # the pool (2), two 3x3 convolutions at stride 2 (+4 each), the 2x2 transposed one (+(2-1)/2 at stride 2)
    assert up.receptive_field == (11, 11)


def test_wavenet_causal_stack():
    stack = make_stack(WAVENET, input_size=20)
    assert stack.input_shape == (16, 20)
    assert shapes(stack) == [[16, 21], [16, 20], [16, 20], [16, 22], [16, 20], [16, 20], [16, 24], [16, 20], [16, 20],
                             [16, 28], [16, 20], [16, 20]]
    assert stack.parameters == 2112
    last = stack.layers[-1]
    assert (last.receptive_field, last.effective_stride, last.effective_padding) == ((16,), (1,), (15,))


def test_many_layer_kinds():
    stack = make_stack(MANY_KINDS, input_size=(10, 9))
    assert shapes(stack) == [[4, 10, 9], [4, 10, 9], [4, 10, 9], [4, 10, 9], [4, 10, 9], [4, 10, 9], [4, 12, 10],
                             [4, 6, 5], [4, 6, 5], [4, 6, 5], [4, 6, 5], [4, 6, 5], [4, 1, 1], [4], [4], [3], [3]]
    assert [layer.parameters for layer in stack.layers] == [40, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 4, 12, 0]
    # padding=same with dilation 2 pads 2 on each side; ZeroPad2d((left, right, top, bottom)) adds 2 on top, 1 left
    assert [int(v) for v in stack.layers[0].effective_padding] == [2, 2]
    assert [int(v) for v in stack.layers[6].effective_padding] == [4, 3]


def test_old_print_format():
    stack = make_stack(OLD_FORMAT, input_size=224)
    assert shapes(stack) == [[64, 112, 112], [64, 112, 112], [64, 112, 112], [64, 56, 56]]
    assert stack.parameters == 64 * 3 * 49 + 128
    assert [int(v) for v in stack.layers[-1].receptive_field] == [11, 11]
    assert [layer.path for layer in stack.layers] == ["conv", "bn", "relu", "pool"]


@pytest.mark.parametrize(("text", "message"), [
    (TORCHVISION_BASIC_BLOCK.replace("BasicBlock(", "ResBlock("),
     r"^layers: line 1 \('ResBlock\('\): ResBlock is not an nn.Sequential"),
    ("ModuleList(\n  (0-2): 3 x Conv2d(1, 1, kernel_size=(3, 3), stride=(1, 1))\n)", r"ModuleList is not an nn.Sequential"),
    (VGG.rstrip().removesuffix(")"), r"^layers: the Sequential\( opened on line 1 is never closed"),
    (VGG + ")\n", r"^layers: line 17 \('\)'\): text after the model's closing"),
    (VGG.replace("(4): MaxPool2d", "MaxPool2d"), r"^layers: line 6 .*inside a Sequential each line is"),
    ("Sequential()", r"no layers"),
    (VGG.replace("AdaptiveAvgPool2d(output_size=(1, 1))", "AdaptiveAvgPool2d(output_size=(1, 1)"), r"one layer per line"),
    (VGG.replace("in_features=128", "in_features=64"), r"^layers: layer 13 .*in_features is 64, but the layer before gives 128 features"),
    (VGG.replace("padding=(1, 1))\n  (3)", "padding=(1, 1), padding_mode=reflect)\n  (3)"), r"^layers: layer 2 .*padding mode='reflect' is not supported"),
])
def test_model_text_mistakes(text, message):
    with pytest.raises(SpecError, match=message):
        make_stack(text, input_size=32)


def test_bare_expressions_one_per_line_with_comments(tmp_path):
    path = tmp_path / "stack.txt"
    path.write_text("# three 3x3 convolutions\nConv2d(1, 1, 3)\nnn.Conv2d(1, 1, 3)\nConv2d(1, 1, 3)\n")
    stack = load_stack(path, input_size=9)
    assert [int(layer.receptive_field[0]) for layer in stack.layers] == [3, 5, 7]


def test_toml_stack_file(tmp_path):
    path = tmp_path / "vgg.toml"
    path.write_text('description = "two VGG stages"\ninput_size = [32, 32]\nin_channels = 3\nlayers = [\n'
                    '  "Conv2d(3, 8, 3, padding=1)", "ReLU()", "MaxPool2d(2)", "Conv2d(8, 8, 3, padding=1)",\n]\n')
    stack = load_stack(path)
    assert stack.output_shape == (8, 16, 16)
    assert load_stack(path, input_size=8).output_shape == (8, 4, 4)  # arguments override the file
    model = tmp_path / "model.toml"
    model.write_text("input_size = 16\nmodel = '''\n" + RESNET_BASIC_BLOCK + "'''\n")
    assert load_stack(model).parameters == 221696


@pytest.mark.parametrize(("content", "message"), [
    ('layers = ["Conv2d(1, 1, 3)"]\ncolour = "red"', r"^stack: s.toml has an unknown key 'colour'"),
    ('input_size = 8', r"^stack: s.toml needs exactly one of 'layers'"),
    ('layers = "Conv2d(1, 1, 3)"', r"'layers' must be an array of strings"),
    ('layers = ["Conv2d(1, 1, 3)", "Conv2d(2, 1, 3)"]', r"^stack: layer 1 .*takes 2 input channels"),
    ('layers = [', r"^stack: s.toml is not valid TOML"),
])
def test_toml_mistakes(tmp_path, content, message):
    path = tmp_path / "s.toml"
    path.write_text(content)
    with pytest.raises(SpecError, match=message):
        load_stack(path)


def test_missing_file():
    with pytest.raises(SpecError, match=r"^stack: cannot read '/nonexistent/model.txt'"):
        load_stack("/nonexistent/model.txt")


def test_json_contract_is_plain_json():
    stack = make_stack(UNET_LEVEL, input_size=16)
    data = json.loads(json.dumps(stack.to_dict()))
    assert set(data) == {"input_shape", "layers", "total"}
    assert set(data["layers"][0]) == {"layer", "output_shape", "parameters", "macs", "receptive_field",
                                      "effective_stride", "effective_padding"}
    assert data["total"] == {"parameters": 254658, "macs": sum(layer["macs"] for layer in data["layers"])}
    assert data["layers"][-2]["effective_stride"] == [0.5, 0.5]
