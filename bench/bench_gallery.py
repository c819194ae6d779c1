#!/usr/bin/env python3
"""Gallery timings against the targets: every template from scratch (< 10 s on 2 cores), a rebuild with nothing
changed (< 1 s), and `--check` (well under a minute). Each is run as the command a person types, in a new process.

Usage: python bench/bench_gallery.py [--repeat N]      (from the repository, after `pip install -e .`)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

TARGETS = {"from scratch": 10.0, "nothing changed": 1.0, "check": 60.0}


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "convanim", *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is reported")
    repeat = parser.parse_args().repeat
    results: dict[str, list[float]] = {name: [] for name in TARGETS}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            out = os.path.join(folder, "gallery")
            results["from scratch"].append(timed(["gallery", "--out", out]))
            results["nothing changed"].append(timed(["gallery", "--out", out]))
            results["check"].append(timed(["gallery", "--out", out, "--check"]))
    print(f"convanim gallery on {os.cpu_count()} cores, best of {repeat}:")
    failed = False
    for name, target in TARGETS.items():
        best = min(results[name])
        failed |= best > target
        print(f"  {name:<16} {best:6.2f} s   (target < {target:g} s{'' if best <= target else ', MISSED'})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
