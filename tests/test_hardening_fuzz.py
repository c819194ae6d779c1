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
     "--max-frames: this spec has 999,999,998 output positions (frames), more than the limit of 4,096; --input 4098 "
     "would work"),
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
    (["render", "--input", "64", "--kernel", "3", "--padding", "1", "-o", "x.apng", "--max-frames", "5000"],
     "--output: an animated APNG holds every frame in memory while it is written: 4,096 frames of"),
    (["render", "--input", "64", "--kernel", "3", "--padding", "1", "-o", "x.webp", "--max-frames", "5000"],
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
