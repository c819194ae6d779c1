"""Start-up time of the `convanim` command, measured as a user meets it (a fresh interpreter each run).

Run: python bench/bench_startup.py  (the best of 15 runs each; record the output in README.md)."""

from __future__ import annotations

import subprocess
import sys
import time

CASES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "convanim --help": [sys.executable, "-c", "from convanim.cli import main; main()", "--help"],
    "convanim list": [sys.executable, "-c", "from convanim.cli import main; main()", "list"],
    "convanim explain (numpy)": [sys.executable, "-c", "from convanim.cli import main; main()", "explain"],
}


def best_of(runs: int, command: list[str]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    for name, command in CASES.items():
        print(f"{name:<28} {best_of(15, command) * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
