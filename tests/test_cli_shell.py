"""The command line as a shell user meets it: bare `convanim`, `--help` examples that really run, `-o -` to standard
output (binary-safe), "wrote" lines that give the file's own size, and shell completion."""

from __future__ import annotations

import importlib.util
import io
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from PIL import Image

from convanim.backends import FORMATS
from convanim.cli import cli

ROOT = Path(__file__).resolve().parents[1]
LAYER = ["--input", "4", "--kernel", "3", "--stride", "1"]
INSTALLED = [name for name, fmt in FORMATS.items() if not fmt.needs or importlib.util.find_spec(fmt.needs)]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def commands(group: click.Group = cli, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found: list[tuple[tuple[str, ...], click.Command]] = [(path, group)]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += commands(command, (*path, name))
        else:
            found.append(((*path, name), command))
    return found


@pytest.mark.parametrize("args", [[], ["stages"]])
def test_a_bare_group_shows_its_help_and_exits_0(args):
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ") and "error" not in result.output
    assert "Commands:" in result.output and "Examples:" in result.output


@pytest.mark.parametrize("path, command", commands(), ids=lambda c: " ".join(c) if isinstance(c, tuple) else "")
def test_every_help_ends_with_two_or_three_examples_that_parse(path, command):
    result = run(*path, "--help")
    assert result.exit_code == 0
    tail = result.output.rstrip().split("Examples:\n")
    assert len(tail) == 2, f"no Examples: in {' '.join(path)} --help"
    lines = tail[1].splitlines()
    assert 2 <= len(lines) <= 3 and all(line.startswith("    convanim ") for line in lines)
    for line in lines:  # each is a valid invocation of an existing command with existing options
        words = shlex.split(line, comments=True)[1:]
        command: click.Command = cli
        while isinstance(command, click.Group) and words and words[0] in command.commands:
            command, words = command.commands[words[0]], words[1:]
        command.make_context(command.name or "", words)  # raises a UsageError on any unknown option or value


def example_lines() -> list[str]:
    seen: dict[str, None] = {}
    for _, command in commands():
        for line in (command.epilog or "").splitlines()[2:]:
            seen[line.strip()] = None
    return list(seen)


@pytest.mark.parametrize("line", [line for line in example_lines() if not line.startswith("convanim gallery")])
def test_every_example_runs(line, tmp_path, monkeypatch):
    """The gallery's examples rebuild the whole gallery or check it: they only have to parse (above)."""
    monkeypatch.chdir(tmp_path)
    words = shlex.split(line, comments=True)[1:]
    result = CliRunner().invoke(cli, words)
    assert result.exit_code == 0, f"{line}\n{result.output}"
    if "-o" in words and words[words.index("-o") + 1] != "-":
        assert (tmp_path / words[words.index("-o") + 1]).stat().st_size > 0
    if "--frames" in words:
        assert "\\animategraphics" in result.stdout


def test_stdout_gif_is_a_gif_through_a_real_pipe(tmp_path):
    """`convanim render ... -o - --format gif | file -` says GIF (and the bytes are the file's bytes)."""
    command = [sys.executable, "-m", "convanim", "render", *LAYER, "-o", "-", "--format", "gif"]
    done = subprocess.run(command, capture_output=True, check=True, cwd=tmp_path)
    assert done.stderr.decode().startswith("wrote gif to standard output (4 frames, ")
    assert Image.open(io.BytesIO(done.stdout)).n_frames == 4
    if shutil.which("file"):
        said = subprocess.run(["file", "-"], input=done.stdout, capture_output=True, check=True).stdout.decode()
        assert "GIF image data" in said
    saved = tmp_path / "x.gif"
    assert run("render", *LAYER, "-o", str(saved)).exit_code == 0
    assert saved.read_bytes() == done.stdout


@pytest.mark.parametrize("name", INSTALLED)
def test_stdout_carries_exactly_the_files_bytes(name, tmp_path):
    saved = tmp_path / f"x.{name}"
    assert run("render", *LAYER, "-o", str(saved)).exit_code == 0
    result = run("render", *LAYER, "-o", "-", "--format", name.upper())
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == saved.read_bytes()
    assert re.match(rf"wrote {name} to standard output \((the last of )?4 frames", result.stderr)


@pytest.mark.parametrize("args, words", [
    (["-o", "-"], "-o - (standard output) needs --format"),
    (["-o", "-", "--format", "gif", "--frames", "{tmp}/f"], "both print to standard output"),
    (["-o", "{tmp}/x.gif", "--format", "svg"], "--format: 'svg' disagrees with the extension"),
    (["-o", "-", "--format", "bmp"], "Invalid value for '--format'"),
])
def test_stdout_mistakes_are_one_line_exit_2_nothing_written(args, words, tmp_path):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = run("render", *LAYER, *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.output
    assert list(tmp_path.iterdir()) == []


def test_binary_to_a_terminal_is_refused(monkeypatch):
    class Terminal(io.BytesIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr("convanim.cli.options._binary_stdout", lambda: terminal)
    result = run("render", *LAYER, "-o", "-", "--format", "gif")
    assert result.exit_code == 2 and "refusing to write gif to a terminal" in result.output
    assert terminal.getvalue() == b""


def test_a_name_without_extension_takes_the_format(tmp_path):
    result = run("render", *LAYER, "-o", str(tmp_path / "slide"), "--format", "gif")
    assert result.exit_code == 0, result.output
    assert Image.open(tmp_path / "slide").format == "GIF"


def decoded_size(path: Path, name: str) -> tuple[int, int]:
    """The written file's own size, read back from the file by its own rules."""
    if name == "svg":
        root = ET.parse(path).getroot()
        return int(root.get("width")), int(root.get("height"))
    if name == "pdf":
        box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", path.read_bytes())
        return round(float(box.group(1))), round(float(box.group(2)))
    if name in ("mp4", "webm"):
        import av

        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            return stream.codec_context.width, stream.codec_context.height
    return Image.open(path).size


@pytest.mark.parametrize("name", INSTALLED)
@pytest.mark.parametrize("args", [LAYER, ["--input", "5", "--kernel", "3", "--stride", "2", "--cell-size", "23"]])
def test_the_wrote_line_gives_the_files_true_size(name, args, tmp_path):
    target = tmp_path / f"x.{name}"
    result = run("render", *args, "-o", str(target))
    assert result.exit_code == 0, result.output
    said = re.fullmatch(r"wrote (\S+) \((?:the last of )?(\d+) frames(?: on a (\d+)x(\d+) sheet)?, (\d+)x(\d+) (px|pt)"
                        r"(?:, ([\d.]+) s a loop)?\)\n", result.stderr)
    assert said, result.stderr
    assert Path(said.group(1)) == target
    assert (int(said.group(5)), int(said.group(6))) == decoded_size(target, name)
    assert said.group(7) == ("pt" if name == "pdf" else "px")
    assert (said.group(8) is None) == (name in ("pdf", "png"))  # a still or a sheet does not play
    if name == "png":  # the sheet, not one frame: its columns and rows of frames
        frames = int(said.group(2))
        columns, rows = int(said.group(3)), int(said.group(4))
        assert columns * rows >= frames > (rows - 1) * columns


def test_shell_completion_as_the_readme_says():
    readme = (ROOT / "README.md").read_text()
    line = re.search(r'eval "\$\((_CONVANIM_COMPLETE=bash_source convanim)\)"', readme)
    assert line, "README.md documents bash completion"
    as_installed = [sys.executable, "-c", "from convanim.cli import cli; cli(prog_name='convanim')"]
    script = subprocess.run(as_installed, env={"_CONVANIM_COMPLETE": "bash_source"}, capture_output=True,
                            check=True).stdout
    assert b"complete -o nosort -F _convanim_completion convanim" in script
    env = {"_CONVANIM_COMPLETE": "bash_complete", "COMP_WORDS": "convanim render --format ", "COMP_CWORD": "3"}
    offered = subprocess.run(as_installed, env=env, capture_output=True, check=True).stdout
    assert {line.split(",")[1] for line in offered.decode().split()} == set(FORMATS)
