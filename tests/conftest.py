"""Fixtures shared by test modules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from gallery_fakes import SMALL

from convanim.templates import builtin_template_dir


@pytest.fixture()
def templates_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    for name in SMALL:
        shutil.copy(builtin_template_dir() / f"{name}.toml", folder / f"{name}.toml")
    return folder
