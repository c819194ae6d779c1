"""`convanim map`, invoked for real through click's CliRunner, and the contract every command shares: bad input is
one line naming the flag and the rule, exit status 2."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from convanim.cli import cli
from convanim.spec import make_spec


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def map_json(*args: str) -> dict:
    result = run("map", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)










def test_map_json_contract_keys_and_frame_order():
    data = map_json("--input", "5x4", "--kernel", "3x2", "--stride", "2x1", "--padding", "1")
    assert set(data) == {"input_shape", "output_shape", "grid_shape", "in_channels", "out_channels", "groups",
                         "frames", "channels"}
    assert data["input_shape"] == [5, 4] and data["output_shape"] == [3, 5] and data["grid_shape"] == [7, 6]
    assert [f["output"] for f in data["frames"]] == [[r, c] for r in range(3) for c in range(5)]
    for frame in data["frames"]:
        assert [t["kernel"] for t in frame["taps"]] == [[a, b] for a in range(3) for b in range(2)]
        for tap in frame["taps"]:
            assert (tap["input"] is None) == tap["padding"]


def test_map_layer_string_matches_options():
    from_layer = map_json("ConvTranspose2d(1, 1, 3, stride=2, padding=1, output_padding=1)", "--input", "3")
    from_options = map_json("--input", "3", "--kernel", "3", "--stride", "2", "--padding", "1", "--transposed",
                            "--output-padding", "1")
    assert from_layer == from_options
    assert from_layer["output_shape"] == [6, 6]


def test_dims_inferred_from_per_axis_size():
    assert map_json("--input", "4x5x6", "--kernel", "3")["output_shape"] == [2, 3, 4]
    assert map_json("--dims", "1", "--input", "6", "--kernel", "3")["output_shape"] == [4]


def test_map_text_table_lists_every_frame():
    result = run("map", "--input", "4", "--kernel", "3", "--padding", "1")
    assert result.exit_code == 0
    assert result.output.count("frame ") == 16
    assert "0,0->pad@0,0" in result.output


def test_grouped_channels_in_json():
    data = map_json("--input", "4", "--in-channels", "4", "--out-channels", "6", "--groups", "2")
    assert data["channels"] == [{"output": oc, "inputs": [0, 1] if oc < 3 else [2, 3]} for oc in range(6)]


def test_depthwise_flag():
    data = map_json("--input", "4", "--in-channels", "3", "--depthwise")
    assert data["groups"] == 3 and data["out_channels"] == 3
    assert [c["inputs"] for c in data["channels"]] == [[0], [1], [2]]


def test_one_before_after_pair_pads_every_axis_and_same_padding_reads_as_pytorch_writes_it():
    result = run("explain", "--input", "6x5", "--kernel", "4", "--padding", "1:2")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Conv2d: input 6x5x1 -> output 6x5x1")
    assert "nn.Conv2d(1, 1, kernel_size=4, padding='same')" in result.output  # even kernel: 'same' pads 1 then 2
    spec = make_spec(input_size=6, kernel_size=4, padding=((1, 2),))
    assert spec.padding == ((1, 2), (1, 2))
    result = run("explain", "--input", "6", "--kernel", "3", "--padding", "0:1")
    assert "nn.Conv2d(1, 1, kernel_size=3) after F.pad(x, (0, 1, 0, 1))" in result.output


@pytest.mark.parametrize("args, words", [
    (["--input", "0"], "--input: must be positive"),
    (["--input", "-3"], "--input: must be positive"),
    (["--kernel", "0"], "--kernel: must be positive"),
    (["--stride", "0"], "--stride: must be positive"),
    (["--dilation", "0"], "--dilation: must be positive"),
    (["--padding", "-1"], "--padding: must be non-negative"),
    (["--input", "5.5"], "--input: must be an integer"),
    (["--input", "5x5x5x5"], "--dims: must be 1, 2 or 3, got 4"),
    (["--dims", "2", "--input", "5x5x5"], "--input: expected one value or 2"),
    (["--dims", "4"], "--dims: must be 1, 2 or 3"),
    (["--dims", "0"], "--dims: must be 1, 2 or 3"),
    (["--input", "4", "--kernel", "5"], "--kernel: kernel size 5 is larger than the padded input 4+0+0"),
    (["--input", "5", "--kernel", "3", "--dilation", "3"], "dilated kernel extent 3*(3-1)+1 = 7 is larger"),
    (["--transposed", "--stride", "2", "--output-padding", "2"], "--output-padding: must be smaller than stride or "
                                                                   "dilation"),
    (["--output-padding", "1"], "--output-padding: only a transposed convolution has --output-padding (add --transposed)"),
    (["--in-channels", "3", "--out-channels", "4", "--groups", "2"], "--groups: --in-channels (3) must be divisible"),
    (["--in-channels", "4", "--out-channels", "3", "--groups", "2"], "--groups: --out-channels (3) must be divisible"),
    (["--padding", "same", "--stride", "2"], "--padding: 'same' needs stride 1"),
    (["--padding", "same", "--transposed"], "--padding: 'same' is not defined for a transposed"),
    (["--padding", "wide"], "--padding: must be an integer"),
    (["--op", "avgpool", "--dilation", "2"], "--dilation: avgpool has no dilation"),
    (["--ceil-mode"], "--ceil-mode: only pooling has --ceil-mode"),
    (["--op", "maxpool", "--kernel", "2", "--padding", "2"], "--padding: maxpool padding must be at most half"),
    (["--op", "maxpool", "--groups", "2"], "--groups: maxpool has no groups"),
    (["--op", "avgpool", "--transposed"], "--transposed: avgpool has no transposed"),
    (["--in-channels", "3", "--depthwise", "--out-channels", "4"], "--out-channels: depthwise needs a multiple"),
    (["--input", "2", "--kernel", "3", "--transposed", "--padding", "3"], "--padding: too large"),
    (["--input", "1000", "--kernel", "3"], "more than the limit of 20,000; --input 143 would work, or raise --max-frames"),
    (["Conv2d(1, 1, 3, padding_mode='reflect')"], "padding_mode='reflect' is not supported"),
    (["Linear(3, 4)"], "LAYER: unknown layer 'Linear'"),
    (["--input", "6x5x4", "--kernel", "4", "--padding", "1:2x1"], "different numbers of axes (--input: 3, --padding: 2)"),
    (["--nonsense"], "No such option"),
])
def test_bad_input_is_one_line_and_exit_2(args, words):
    result = run("map", *args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("convanim: error: ")
    assert words in lines[0]
    assert "Traceback" not in result.output


def test_max_frames_can_be_raised():
    result = run("map", "--json", "--dims", "1", "--input", "30", "--kernel", "3", "--max-frames", "28")
    assert result.exit_code == 0
    assert run("map", "--dims", "1", "--input", "30", "--kernel", "3", "--max-frames", "27").exit_code == 2


def test_python_m_entry_point():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "convanim", "explain", "--input", "5"], capture_output=True,
                          text=True, check=True)
    assert "output 3x3x1" in done.stdout
