"""Hostile and clumsy input to the CLI: every call succeeds or answers one line with exit status 2, never a
traceback, never a stray file, never a memory blow-up.

- a hypothesis fuzz of the commands through click's CliRunner, in a fresh temporary folder per call;
- real subprocesses for the refusals that must come from arithmetic before anything large is allocated, run under
  an address-space limit (`RLIMIT_AS`), so that a regression fails here instead of exhausting the machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

MEMORY_LIMIT = 1024 * 2**20  # bytes of address space for each refused command: numpy, Pillow and matplotlib fit


def run_limited(args: list[str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run([sys.executable, "-m", "convanim", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limit)


@pytest.mark.parametrize("args, words", [
    (["render", "-o", "a.gif", "--dims", "1", "--input", "1000000000"],
     "--input: this spec needs 3,999,999,994 index entries (outputs x kernel taps plus grid cells), more than the "
     "limit of 4,000,000; --input 1000001 would work"),
    (["render", "-o", "a.gif", "--dims", "1", "--input", "1000000000", "--kernel", "999999999", "--max-frames", "9"],
     "--kernel: 999999999 is 999,999,999 taps per output, more than the limit of 1,000,000; --kernel 1000000"),
    (["render", "-o", "a.gif", "--dims", "1", "--input", "1000000000", "--kernel", "2", "--dilation", "999999998"],
     "--input: this spec needs 1,000,000,004 index entries"),
    (["map", "--json", "--dims", "3", "--input", "30", "--kernel", "9"],
     "--input: the map would list 7,762,392 taps (output positions x kernel taps), more than the limit of "
     "1,000,000; --input 19 would work"),
    (["map", "--in-channels", "100000", "--out-channels", "100000", "--input", "3"],
     "--out-channels: the map would list 10,000,000,000 channel connections"),
    (["map", "--dims", "1", "--input", "1000000000", "--max-frames", "2000000000"],
     "--input: this spec needs 3,999,999,994 index entries (outputs x kernel taps plus grid cells), more than the "
     "limit of 4,000,000; --input 1000001 would work"),
    (["render", "--input", "64", "--kernel", "3", "--padding", "1", "-o", "x.apng", "--max-frames", "5000",
      "--positions", "all"],
     "--output: an animated APNG holds every frame in memory while it is written: 4,096 frames of"),
    (["render", "--input", "64", "--kernel", "3", "--padding", "1", "-o", "x.webp", "--max-frames", "5000",
      "--positions", "all"],
     "more than the budget of 1 GB"),
    (["render", "-o", "a.gif", "--max-frames", "1000000000"], "--max-frames: must be between 1 and 100,000"),
    (["map", "--max-frames", "-1"], "--max-frames: must be positive, got -1"),
])
def test_huge_requests_are_refused_from_arithmetic(tmp_path, args, words):
    done = run_limited(args, tmp_path)
    assert done.returncode == 2, done.stderr[-2000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("convanim: error: "), done.stderr[-2000:]
    assert words in lines[0]
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("args, words", [
    (["explain", "--dims", "1", "--input", "1000000000"], "output 999999998x1"),
    (["explain", "--input", "100000000", "--transposed", "--stride", "3", "--kernel", "7", "--in-channels", "100000",
      "--out-channels", "100000"], "each output reads at most 3x3 input elements"),
    (["render", "--in-channels", "100000", "--out-channels", "100000", "--input", "3", "-o", "c.gif"], "wrote c.gif"),
])
def test_huge_sizes_are_explained_or_drawn_without_per_element_arrays(tmp_path, args, words):
    done = run_limited(args, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert words in done.stdout + done.stderr


# ---- paths, templates and the gallery: one line, exit 2, nothing lost ------------------------------------------

from click.testing import CliRunner  # noqa: E402

from convanim.cli import cli  # noqa: E402
from convanim.templates import builtin_template_dir  # noqa: E402


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def one_line_refusal(code: int, output: str, words: str) -> None:
    assert code == 2, output
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("convanim: error: "), output
    assert words in lines[0], output


def small_templates(folder: Path, names: tuple[str, ...] = ("padding_strides",)) -> Path:
    folder.mkdir()
    for name in names:
        (folder / f"{name}.toml").write_bytes((builtin_template_dir() / f"{name}.toml").read_bytes())
    return folder


@pytest.mark.parametrize("command", ["list", "gallery"])
def test_a_missing_or_empty_templates_folder_is_refused_and_the_gallery_kept(tmp_path, command):
    out = tmp_path / "g"
    out.mkdir()
    (out / "kept.gif").write_bytes(b"rendered")
    (tmp_path / "empty").mkdir()
    for folder, words in ((tmp_path / "typo", "--templates: no such folder"),
                          (tmp_path / "empty", "--templates: no template (a .toml file) in folder")):
        extra = ["--out", str(out), "--clean"] if command == "gallery" else []
        one_line_refusal(*invoke(command, "--templates", str(folder), *extra), words)
    assert [p.name for p in out.iterdir()] == ["kept.gif"]


def test_a_template_that_is_not_utf8_is_named(tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "broken.toml").write_bytes(b'name = "broken\xff"\n')
    for args in (("list", "--templates", str(folder)), ("gallery", "--templates", str(folder), "--out",
                                                          str(tmp_path / "g")),
                 ("render", "--template", str(folder / "broken.toml"), "-o", str(tmp_path / "x.gif"))):
        one_line_refusal(*invoke(*args), f"{folder / 'broken.toml'}: not UTF-8 text (byte 0xff at offset 14)")
    assert not (tmp_path / "g").exists() and not (tmp_path / "x.gif").exists()


def test_template_errors_name_the_file_and_the_key_not_flags(tmp_path):
    folder = small_templates(tmp_path / "t")
    path = folder / "padding_strides.toml"
    path.write_text(path.read_text() + "\n[view]\nchannel = 7\n")
    one_line_refusal(*invoke("gallery", "--templates", str(folder), "--out", str(tmp_path / "g")),
                     f"{path}: view.channel: must be between 0 and 0 (the layer's output channels), got 7")
    path.write_text(path.read_text().replace("channel = 7", "max_frames = 3"))
    code, output = invoke("gallery", "--templates", str(folder), "--out", str(tmp_path / "g"), "--jobs", "1")
    one_line_refusal(code, output, f"{path}: max_frames: this view needs 9 frames (output positions), more than the "
                                   f"limit of 3; raise max_frames or ask for fewer positions")


def test_an_unknown_only_name_leaves_no_folder(tmp_path):
    one_line_refusal(*invoke("gallery", "--only", "nope", "--out", str(tmp_path / "g")),
                     "--only: no template named 'nope'")
    assert not (tmp_path / "g").exists()


def test_channel_beyond_the_output_channels_is_refused(tmp_path):
    one_line_refusal(*invoke("render", "--channel", "5", "-o", str(tmp_path / "x.gif")),
                     "--channel: must be between 0 and 0, got 5 (the layer has 1 output channel)")
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(sys.platform != "linux", reason="Linux's virtual file systems")
@pytest.mark.parametrize("args, words", [
    (["-o", "/proc/convanim-test.gif"], "--output: cannot write '/proc/convanim-test.gif': files cannot be made"),
    (["-o", "/sys/convanim-test.gif"], "--output: cannot write '/sys/convanim-test.gif'"),
    (["--frames", "/proc/convanim-test"], "--frames: cannot write '/proc/convanim-test'"),
    (["--frames", "/sys/kernel/convanim-test"], "--frames: cannot write '/sys/kernel/convanim-test'"),
])
def test_virtual_file_systems_are_refused_in_one_line(args, words):
    one_line_refusal(*invoke("render", *args), words)


def test_write_errors_are_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    one_line_refusal(*invoke("render", "-o", "a" * 252 + ".gif"), "the name is too long for the file system")
    code, output = invoke("render", "-o", "a" * 246 + ".gif")  # legal, and so is its temporary name
    assert code == 0, output
    assert os.listdir(tmp_path) == ["a" * 246 + ".gif"]
    (tmp_path / "in_the_way.gif").mkdir()
    code, output = invoke("render", "-o", "in_the_way.gif")
    assert code == 2 and "is a directory" in output
    (tmp_path / "file").write_text("x")
    one_line_refusal(*invoke("render", "--frames", "file/frames"), "--frames: neither directory")


def test_a_symlink_stays_a_symlink_and_a_mode_is_kept(tmp_path):
    real = tmp_path / "real.gif"
    real.write_bytes(b"old")
    real.chmod(0o600)
    link = tmp_path / "link.gif"
    link.symlink_to(real.name)
    code, output = invoke("render", "-o", str(link))
    assert code == 0, output
    assert link.is_symlink() and real.read_bytes().startswith(b"GIF89a")
    assert (real.stat().st_mode & 0o777) == 0o600
    assert sorted(os.listdir(tmp_path)) == ["link.gif", "real.gif"]


def test_frames_of_an_earlier_longer_run_are_removed_and_nothing_else(tmp_path):
    frames = tmp_path / "frames"
    assert invoke("render", "--input", "7", "--frames", str(frames))[0] == 0  # 25 frames
    (frames / "notes.txt").write_text("mine")
    (frames / "frame-x.png").write_text("not a frame number")
    (frames / "other-030.png").write_text("another stem")
    assert invoke("render", "--input", "5", "--frames", str(frames))[0] == 0  # 9 frames
    names = sorted(os.listdir(frames))
    assert names == sorted([f"frame-{t:03d}.{ext}" for t in range(9) for ext in ("pdf", "png", "svg")]
                           + ["notes.txt", "frame-x.png", "other-030.png"])


def test_the_index_inlines_only_svg_the_build_wrote(tmp_path):
    from convanim.gallery import builder
    from convanim.gallery.index import index_files
    from convanim.templates import load_templates

    templates = load_templates(small_templates(tmp_path / "t"))
    out = tmp_path / "g"
    builder.build(templates, out, jobs=1)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in (out / "index.html").read_text()
    (out / "padding_strides.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    page = index_files(templates, out, builder.read_manifest(out))["index.html"]
    assert "alert(1)" not in page and '<img src="padding_strides.gif"' in page


# ---- the fuzz: random command lines through CliRunner ---------------------------------------------------------

import tempfile  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

NUMBERS = st.sampled_from(["0", "1", "2", "3", "-1", "4", "1.5", "2x2", "3x1", "1x2x1", "x", "", " ", "1e3", "nan",
                           "99999999999999999999", "1000000000", "2:1", "0:1x1:0", "same", "valid", "full", "SAME",
                           "\udcff", "１", "3×3", "0x0"])
SMALL_SIZES = st.sampled_from(["1", "2", "3", "4", "2x3", "3x3x2", "0", "-2", "5.5", "1000000000", "\udcff", "a"])
LAYERS = st.sampled_from([
    "Conv2d(1, 1, 3)", "Conv2d(1, 1, 3.5)", "Conv2d(1, 1, None)", "Conv2d(True, 1, 3)", "Conv2d(1, 1, 3, stride=1j)",
    "ConvTranspose2d(1, 1, 3, stride=2, padding=1)", "ConvTranspose2d(1, 1, 3, padding='valid')",
    "MaxPool2d(2, ceil_mode='yes')", "MaxPool2d(2)", "AvgPool1d(3)", "Conv1d(2, 4, 3, groups=2)",
    "Conv2d(1, 1, 3, in_channels=2)", "Conv2d(1,", "__import__('os')", "Conv2d(1, 1, 3, padding={1, 2})",
    "Conv2d(1, 1, 3, stride=(2,))", "Conv3d(1, 1, 2)", "Conv2d(1, 1, 3, \udcff)", "Linear(3, 4)", "Conv2d(*x)",
    "Conv2d(1, 1, 9999999999)", "Conv2d(1, 1, (3, 3), dilation=[2, 1])", "",
])
SPEC_OPTIONS = {"--dims": st.sampled_from(["1", "2", "3", "0", "4", "x"]), "--input": SMALL_SIZES,
                "--kernel": NUMBERS, "--stride": NUMBERS, "--padding": NUMBERS, "--dilation": NUMBERS,
                "--output-padding": NUMBERS, "--in-channels": NUMBERS, "--out-channels": NUMBERS,
                "--groups": NUMBERS, "--op": st.sampled_from(["conv", "maxpool", "avgpool", "pool"])}
FLAGS_ = ("--transposed", "--depthwise", "--ceil-mode", "--no-bias")
VIEW_OPTIONS = {"--view": st.sampled_from(["flat", "oblique", "auto", "side"]), "--cell-size": NUMBERS,
                "--scale": NUMBERS, "--seconds-per-frame": NUMBERS, "--loop": NUMBERS, "--pause": NUMBERS,
                "--max-frames": NUMBERS, "--channel": NUMBERS, "--theme": st.sampled_from(["dark", "classic", "x"])}
OUTPUTS = st.sampled_from(["out.gif", "out.svg", "out.png", "out.webp", "out.apng", "out.txt", "out", "missing/o.gif",
                           "\udcff.gif", "a" * 252 + ".gif", ".convanim-x.gif"])


@st.composite
def command_lines(draw) -> list[str]:
    command = draw(st.sampled_from(["map", "explain", "render", "render", "list", "gallery", "stages"]))
    args = [command]
    if command in ("list", "gallery"):
        args += ["--templates", draw(st.sampled_from(["nowhere", "empty", "\udcff"]))]
        if command == "gallery":
            args += draw(st.sampled_from([[], ["--clean"], ["--check"], ["--only", "nope"]])) + ["--out", "g"]
        return args
    if command == "stages":
        args.append(draw(st.sampled_from(["separable", "inverted-residual", "other"])))
        for option in draw(st.lists(st.sampled_from(["--input", "--in-channels", "--kernel", "--stride"]),
                                    max_size=2, unique=True)):
            args += [option, draw(SMALL_SIZES)]
        return args + ["-o", draw(OUTPUTS)]
    if draw(st.booleans()):
        args.append(draw(LAYERS))
    options = dict(SPEC_OPTIONS)
    if command == "render":
        options.update(VIEW_OPTIONS)
    if command == "map":
        options["--max-frames"] = NUMBERS
    for option in draw(st.lists(st.sampled_from(sorted(options)), max_size=4, unique=True)):
        args += [option, draw(options[option])]
    args += draw(st.lists(st.sampled_from(FLAGS_), max_size=2, unique=True))
    if command == "render":
        args += draw(st.sampled_from([["-o", draw(OUTPUTS)], ["--frames", "frames"], []]))
    if command == "map" and draw(st.booleans()):
        args.append("--json")
    return args


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(command_lines())
def test_every_command_line_succeeds_or_answers_one_line_with_exit_2(args):
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "empty").mkdir()
        before = set(os.listdir(work))
        runner = CliRunner()
        cwd = os.getcwd()
        os.chdir(work)
        try:
            result = runner.invoke(cli, args)
        finally:
            os.chdir(cwd)
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
        assert "Traceback" not in result.output
        made = set(os.listdir(work)) - before
        leftovers = [name for name in made | set(os.listdir(work / "empty"))
                     if (name.startswith(".convanim-") or name.endswith(".tmp")) and name not in args]
        assert not leftovers, (args, leftovers)
        if result.exit_code == 0:
            for name in made:  # only what was asked for
                assert name in args or name == "frames", (args, made)
        else:
            assert result.exit_code == 2, (args, result.output)
            lines = result.output.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("convanim: error: "), (args, result.output)
            assert not made, (args, made)


def test_real_processes_take_bytes_that_are_not_utf8_and_a_closed_pipe(tmp_path):
    convanim = [sys.executable.encode(), b"-m", b"convanim"]
    for args, code in (([b"explain", b"Conv2d(1,1,\xff)"], 2), ([b"render", b"--input", b"\xff", b"-o", b"a.gif"], 2),
                       ([b"list", b"--templates", b"\xff"], 2), ([b"render", b"-o", b"\xff.gif"], 0)):
        done = subprocess.run([*convanim, *args], cwd=tmp_path, capture_output=True, timeout=60)
        assert done.returncode == code, done.stderr
        assert b"Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert os.listdir(tmp_path) == [os.fsdecode(b"\xff.gif")]
    # `convanim map | head -1`: the reader leaves early; no traceback about the broken pipe
    with subprocess.Popen([*convanim, b"map", b"--input", b"60"], cwd=tmp_path, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()
        stderr = process.stderr.read()
        process.wait(timeout=60)
    assert b"Traceback" not in stderr and b"Exception ignored" not in stderr, stderr
