"""Writing files safely: a temporary file beside the target, renamed over it only when complete."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from convanim.errors import SpecError


def check_writable_directory(path: Path) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise SpecError(f"output: directory {str(directory)!r} does not exist")
    if not os.access(directory, os.W_OK):
        raise SpecError(f"output: cannot write in directory {str(directory)!r} (permission denied)")


def write_atomic(path: Path, write: Callable[[IO], None], text: bool = False) -> Path:
    """Call `write` on a temporary file in `path`'s directory, then rename it to `path`. On any failure the
    temporary file is removed and `path` is left as it was."""
    path = Path(path)
    check_writable_directory(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or Path("."))
    try:
        if text:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as text_stream:
                write(text_stream)
        else:
            with os.fdopen(handle, "wb") as binary_stream:
                write(binary_stream)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
