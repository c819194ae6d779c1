"""Tests that need a program or package from outside Python's dependencies: skipped where it is missing, except under
CI=true, where a missing one is a failure (.ci/run installs them), so that a green CI never hides an untested layer."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def missing(what: str, install: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {what} is missing: .ci/run installs it ({install})")
    pytest.skip(f"{what} is missing ({install})")


def require_tool(name: str, install: str) -> str:
    """The path of the program `name`."""
    path = shutil.which(name)
    if path is None:
        missing(f"the program {name}", install)
    return path  # type: ignore[return-value]


def require_latex_file(name: str, install: str) -> None:
    """A LaTeX class or package, found as the TeX installation finds it."""
    kpsewhich = require_tool("kpsewhich", install)
    if not subprocess.run([kpsewhich, name], capture_output=True, text=True).stdout.strip():
        missing(f"the LaTeX file {name}", install)
