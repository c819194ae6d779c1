"""Ctrl-C and SIGTERM stop a real render and a real parallel gallery build promptly: what finished is kept (and, in
the gallery, recorded in the manifest), temporary files are removed, and no worker process outlives the build,
not even when the build's own process is killed outright."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from hashlib import sha256
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform != "linux", reason="signals and /proc as on Linux")]
TEMP = ".convanim-"
CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}


def start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    """convanim in its own session (so that its workers can be found), with Ctrl-C's default meaning restored in case
    the test runner ignores it."""
    return subprocess.Popen([sys.executable, "-m", "convanim", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def session_processes(session: int) -> list[int]:
    """Live processes of a session (zombies are dead: they only wait for their parent to read their status)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(TEMP) or p.name.endswith(".tmp"))


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_render_keeps_the_old_file_and_leaves_no_temporary(tmp_path, sent):
    target = tmp_path / "out.gif"
    target.write_bytes(b"the old file")
    process = start(["render", "--input", "16", "-o", "out.gif"], tmp_path)  # 196 frames: seconds to write
    wait_for(lambda: bool(temporaries(tmp_path)))  # writing has begun
    time.sleep(0.3)
    sent_at = time.monotonic()
    process.send_signal(sent)
    _, stderr = process.communicate(timeout=30)
    assert time.monotonic() - sent_at < 5, "not prompt"
    assert process.returncode == CODES[sent], stderr
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1
    assert target.read_bytes() == b"the old file"
    assert temporaries(tmp_path) == []


TEMPLATE = """name = "{name}"
title = "Input {size}"
caption = "A 3x3 kernel over a {size}x{size} input."
formats = ["gif"]

[spec]
input_size = {size}
kernel_size = 3
"""
SIZES = {"tiny": 3, "small": 5, "middle": 9, "large": 11, "larger": 12}


def templates_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    for name, size in SIZES.items():
        (folder / f"{name}.toml").write_text(TEMPLATE.format(name=name, size=size))
    return folder


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_parallel_gallery_records_what_finished_and_stops_its_workers(tmp_path, sent):
    templates, out = templates_folder(tmp_path), tmp_path / "gallery"
    process = start(["gallery", "--templates", str(templates), "--out", str(out), "--jobs", "2"], tmp_path)
    # the largest go first, two at a time: interrupt when the first has finished, the others still to do
    wait_for(lambda: out.is_dir() and any(p.suffix == ".gif" for p in out.iterdir()))
    time.sleep(0.2)
    workers = [pid for pid in session_processes(process.pid) if pid != process.pid]
    assert workers, "no worker processes found"
    sent_at = time.monotonic()
    process.send_signal(sent)
    _, stderr = process.communicate(timeout=30)
    assert time.monotonic() - sent_at < 10, "not prompt"
    assert process.returncode == CODES[sent], stderr
    assert "Traceback" not in stderr
    assert session_processes(process.pid) == [], "worker processes remain"
    assert temporaries(out) == []
    finished = sorted(p.name for p in out.iterdir() if p.suffix == ".gif")
    assert 1 <= len(finished) < len(SIZES), finished  # stopped: the queued work was not done
    manifest = json.loads((out / "manifest.json").read_text())["outputs"]
    assert sorted(manifest) == finished
    for name in finished:
        assert manifest[name]["sha256"] == sha256((out / name).read_bytes()).hexdigest()
    # the next build renders only what is missing
    done = subprocess.run([sys.executable, "-m", "convanim", "gallery", "--templates", str(templates), "--out",
                           str(out), "--jobs", "2"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{len(SIZES) - len(finished)} built, {len(finished)} up to date" in done.stdout


def test_workers_die_with_a_killed_gallery_build(tmp_path):
    templates, out = templates_folder(tmp_path), tmp_path / "gallery"
    process = start(["gallery", "--templates", str(templates), "--out", str(out), "--jobs", "2"], tmp_path)
    wait_for(lambda: len(session_processes(process.pid)) >= 3)  # the build and its two workers
    time.sleep(0.3)
    process.kill()  # SIGKILL: no clean-up of its own is possible
    process.communicate(timeout=30)
    wait_for(lambda: session_processes(process.pid) == [], timeout=10)
    # the next build removes what the killed one left and is then in step
    done = subprocess.run([sys.executable, "-m", "convanim", "gallery", "--templates", str(templates), "--out",
                           str(out), "--jobs", "2"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert temporaries(out) == []
    check = subprocess.run([sys.executable, "-m", "convanim", "gallery", "--templates", str(templates), "--out",
                            str(out), "--check"], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stderr
