"""`convanim explain` on a stack: several LAYER arguments or --stack FILE, the table and the --json contract, invoked
for real through click's CliRunner (and once as a subprocess, for the exit status and stderr)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from convanim.cli import cli

try:
    from tests.test_modeltext import UNET_LEVEL, VGG
except ImportError:  # tests/ is not a package and the root is not on sys.path
    from test_modeltext import UNET_LEVEL, VGG


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def rows(output: str) -> list[list[str]]:
    """The table's data rows, split on the two-space column gaps (the layer column last)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("-  ")) + 1
    data = []
    for line in lines[start:]:
        if not line.strip():
            break
        data.append([cell.strip() for cell in line.split("  ") if cell.strip()])
    return data


def test_three_3x3_convolutions_table():
    result = run("explain", "Conv2d(1, 1, 3)", "Conv2d(1, 1, 3)", "Conv2d(1, 1, 3)", "--input", "9")
    assert result.exit_code == 0, result.output
    table = rows(result.output)
    assert [row[0] for row in table] == ["0", "1", "2"]
    assert [row[1] for row in table] == ["1x7x7", "1x5x5", "1x3x3"]
    assert [row[4] for row in table] == ["3", "5", "7"]  # receptive field
    assert [row[-1] for row in table] == ["Conv2d(1, 1, 3)"] * 3
    assert "Total: 30 parameters, " in result.output
    assert "Stack of 3 layers on an input of 1x9x9 (channels x height x width; batch omitted)" in result.output


def test_json_is_exactly_the_contract(tmp_path):
    model = tmp_path / "vgg.txt"
    model.write_text(VGG)
    result = run("explain", "--stack", str(model), "--input", "32", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == ["input_shape", "layers", "total"]
    assert data["input_shape"] == [3, 32, 32]
    assert len(data["layers"]) == 14
    first = data["layers"][0]
    assert first == {"layer": "Conv2d(3, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))",
                     "output_shape": [64, 32, 32], "parameters": 64 * 3 * 9 + 64, "macs": 64 * 3 * 9 * 32 * 32,
                     "receptive_field": [3, 3], "effective_stride": [1, 1], "effective_padding": [1, 1]}
    assert data["layers"][-1]["output_shape"] == [10]
    assert data["total"] == {"parameters": 261450, "macs": sum(layer["macs"] for layer in data["layers"])}


def test_json_of_layer_arguments_and_of_one_layer():
    result = run("explain", "--json", "Conv1d(2, 4, 3, stride=2)", "--input", "11")
    data = json.loads(result.output)
    assert data["input_shape"] == [2, 11]
    assert data["layers"][0]["output_shape"] == [4, 5]
    assert data["layers"][0]["effective_stride"] == [2]


def test_upsampling_stack_says_how_fractions_are_counted(tmp_path):
    model = tmp_path / "unet.txt"
    model.write_text(UNET_LEVEL)
    result = run("explain", "--stack", str(model), "--input", "16")
    assert result.exit_code == 0, result.output
    table = rows(result.output)
    assert table[8][1:2] + table[8][5:8] == ["upsample", "23/2", "1/2", "11/2"]
    assert "stride 1/s" in result.output and "bound the input interval" in result.output
    data = json.loads(run("explain", "--stack", str(model), "--input", "16", "--json").output)
    assert data["layers"][8]["effective_stride"] == [0.5, 0.5]
    assert data["layers"][8]["receptive_field"] == [11.5, 11.5]


def test_toml_stack_file(tmp_path):
    path = tmp_path / "wavenet.toml"
    path.write_text('input_size = 16\nlayers = ["ConstantPad1d((1, 0), 0.0)", "Conv1d(1, 1, 2)", '
                    '"ConstantPad1d((2, 0), 0.0)", "Conv1d(1, 1, 2, dilation=2)"]\n')
    result = run("explain", "--stack", str(path))
    assert result.exit_code == 0, result.output
    table = rows(result.output)
    assert [row[1] for row in table] == ["1x17", "1x16", "1x18", "1x16"]
    assert [row[4:7] for row in table][-1] == ["4", "1", "3"]


def test_single_layer_explain_is_unchanged():
    result = run("explain", "Conv2d(3, 10, 5, padding=2)", "--input", "32")
    assert result.exit_code == 0
    assert result.output.startswith("Conv2d: input 32x32x3 -> output 32x32x10")
    assert "Parameters: 760" in result.output


def test_map_and_render_still_take_one_layer():
    assert run("map", "Conv2d(1, 1, 3)", "--input", "4").exit_code == 0
    assert "Got unexpected extra argument" in run("map", "Conv2d(1, 1, 3)", "Conv2d(1, 1, 3)").output


@pytest.mark.parametrize(("args", "message"), [
    (["Conv2d(1, 1, 3)", "Conv2d(2, 1, 3)"], "LAYER: layer 1 (Conv2d(2, 1, 3)) on a 1x30x30 input: it takes 2 input "
                                             "channels, but the layer before gives 1"),
    (["Conv2d(1, 1, 3)", "ReLU()", "--stride", "2"], "--stride: sets one layer; in a stack each layer says its own"),
    (["Conv2d(1, 1, 3)", "ReLU()", "--no-bias"], "--no-bias: sets one layer"),
    (["Conv2d(1, 1, 3)", "ReLU()", "--compare-dense"], "--compare-dense: compares one layer"),
    (["Conv2d(1, 1, 3)", "--stack", "x.txt"], "--stack: give the layers as LAYER arguments or in a --stack file"),
    (["--stack", "/nonexistent/model.txt"], "--stack: cannot read '/nonexistent/model.txt'"),
    (["Conv2d(1, 1, 3)", "Conv2d(1, 1, 3)", "--input", "0"], "--input: must be positive"),
    (["Conv2d(1, 1, 3)", "Conv2d(1, 1, 3)", "--input", "3"], "LAYER: layer 1 (Conv2d(1, 1, 3)) on a 1x1x1 input: "
                                                            "kernel size"),
])
def test_mistakes_are_one_line_and_exit_2(args, message):
    result = run("explain", *args)
    assert result.exit_code == 2
    assert result.output.startswith(f"convanim: error: {message}"), result.output
    assert len(result.output.strip().splitlines()) == 1


def test_mistake_as_a_subprocess_has_no_traceback(tmp_path):
    path = tmp_path / "block.txt"
    path.write_text(VGG.replace("Sequential(", "ResNet(", 1))
    done = subprocess.run([sys.executable, "-m", "convanim", "explain", "--stack", str(path)], capture_output=True,
                          text=True)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("convanim: error: --stack: line 1 ('ResNet('): ResNet is not an "
                                  "nn.Sequential")
    assert "Traceback" not in done.stderr
