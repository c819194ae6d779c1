"""The README's examples work: every shell command in its ```sh blocks runs in a fresh folder and succeeds, and every
```python block runs. Install lines (`pip install ...`) are skipped: the test runs inside the installed package."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"^```(sh|python)\n(.*?)^```", re.S | re.M)

pytestmark = pytest.mark.slow


def _blocks(kind: str) -> list[str]:
    return [body for found, body in BLOCK.findall(README) if found == kind]


def _commands() -> list[str]:
    commands = []
    for body in _blocks("sh"):
        for line in body.replace("\\\n", " ").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def _runnable(command: str) -> str:
    """The command without its install step (`pip install -e . && convanim gallery` runs `convanim gallery`)."""
    parts = [part.strip() for part in command.split("&&")]
    return " && ".join(part for part in parts if not part.startswith("pip "))


def test_the_readme_has_examples_to_run() -> None:
    assert len(_commands()) >= 20 and _blocks("python")


def test_every_shell_command_in_the_readme_succeeds(tmp_path: Path) -> None:
    """One folder for all, in order, as a reader would type them (later commands may use earlier files)."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    failures = []
    for command in _commands():
        runnable = _runnable(command)
        if not runnable:
            continue
        if "python -m pytest" in runnable or runnable.startswith(("ruff", "mypy")):
            continue  # the test command itself: this is it
        done = subprocess.run(["bash", "-c", runnable], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=600)
        if done.returncode != 0:
            failures.append(f"{command}\n  exit {done.returncode}: {done.stderr.strip()[-400:]}")
    assert not failures, "README commands failed:\n" + "\n".join(failures)


@pytest.mark.parametrize("index", range(len(_blocks("python"))))
def test_every_python_example_in_the_readme_runs(index: int, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    exec(compile(_blocks("python")[index], f"README.md python block {index}", "exec"), {"__name__": "__readme__"})
