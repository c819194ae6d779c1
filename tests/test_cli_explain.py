"""`convanim explain`: the numbers a person reads, for the course's own examples."""

from __future__ import annotations

from click.testing import CliRunner

from convanim.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_explain_classic_exercise_image():
    result = run("explain", "--input", "32", "--in-channels", "3", "--out-channels", "10", "--kernel", "5",
                 "--padding", "2")
    assert result.exit_code == 0
    assert "output 32x32x10" in result.output
    assert "Parameters: 760 = weights 10 x 3 x 5 x 5 = 750 + biases 10" in result.output


def test_explain_classic_exercise_sequence_against_dense():
    result = run("explain", "--dims", "1", "--input", "1000", "--in-channels", "100", "--out-channels", "100",
                 "--kernel", "5", "--padding", "2", "--compare-dense")
    assert result.exit_code == 0
    assert "output 1000x100" in result.output
    assert "Parameters: 50,100" in result.output
    assert "10,000,100,000 parameters" in result.output


def test_explain_transposed_names_its_direct_convolution():
    result = run("explain", "ConvTranspose2d(1, 1, 3, stride=2, padding=1)", "--input", "3", "--output-padding", "1")
    assert result.exit_code == 0, result.output
    assert "output 6x6x1" in result.output
    assert "(3-1)*2 - 1 - 1 + 1*(3-1) + 1 + 1 = 6" in result.output
    assert "Transpose of: nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1) on a 6x6x1 input" in result.output


def test_explain_ceil_mode_says_when_the_last_window_is_dropped():
    # in 5, kernel 2, stride 2, padding 1, ceil: ceil(5/2)+1 = 4, but window 3 would start at 6 >= 5+1.
    result = run("explain", "--op", "maxpool", "--input", "5", "--kernel", "2", "--stride", "2", "--padding", "1",
                 "--ceil-mode")
    assert result.exit_code == 0, result.output
    assert "= 4, less 1 as the last window would start in the right padding = 3" in result.output
