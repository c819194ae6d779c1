"""Start-up is a user's first impression: `convanim --help`, a command's `--help` and `convanim list` import none of
numpy, Pillow or matplotlib (timings live in bench/bench_startup.py, not in a test)."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("numpy", "PIL", "matplotlib")


@pytest.mark.parametrize("args", [["--help"], ["list"], ["render", "--help"], ["stages", "--help"], []])
def test_help_and_list_import_no_heavy_module(args: list[str]) -> None:
    code = ("import sys\nfrom convanim.cli import cli\n"
            f"try:\n    cli.main({args!r}, standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout


def test_import_convanim_is_lazy_and_the_public_api_resolves() -> None:
    code = ("import sys, convanim\nheavy = [m for m in ('numpy', 'PIL') if m in sys.modules]\n"
            "names = [getattr(convanim, n) for n in convanim.__all__]\n"
            "print(heavy, callable(convanim.animate), callable(convanim.explain), convanim.__version__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("]")[0] == "[" and "True True" in done.stdout
