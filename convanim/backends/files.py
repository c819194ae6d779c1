"""Writing files safely: a temporary file beside the target, renamed over it only when complete.

Every temporary file convanim makes is named `.convanim-XXXXXXXX.tmp` (`TEMP_PREFIX`): short, so that a legal target
name never gives an illegal temporary one, and recognisable, so that leftovers of a killed run can be removed. An
existing target keeps its file mode, and a symlink stays a symlink (the file it points to is replaced). OS errors
become one-line `SpecError`s naming the parameter that gave the path.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from convanim.errors import SpecError

TEMP_PREFIX = ".convanim-"
TEMP_SUFFIX = ".tmp"
_REASONS = {
    errno.ENAMETOOLONG: "the name is too long for the file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "the file system is read-only",
    errno.EISDIR: "a directory is in the way",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.ENOENT: "files cannot be made there",
    errno.EEXIST: "a file is in the way",
}


def write_error(name: str, path: Path | str, error: OSError) -> SpecError:
    """An OS error on writing `path` as one line: `output: cannot write 'x.gif': permission denied`."""
    reason = _REASONS.get(error.errno or 0, error.strerror or str(error))
    return SpecError(f"{name}: cannot write {str(path)!r}: {reason}")


def check_writable_directory(path: Path, name: str = "output") -> None:
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise SpecError(f"{name}: directory {str(directory)!r} does not exist")
    if not os.access(directory, os.W_OK):
        raise SpecError(f"{name}: cannot write in directory {str(directory)!r} (permission denied)")


def write_atomic(path: Path | str, write: Callable[[IO], None], text: bool = False, name: str = "output",
                 mode: int | None = None, sync: bool = False) -> Path:
    """Call `write` on a temporary file in `path`'s directory, then rename it to `path`. On any failure the
    temporary file is removed and `path` is left as it was. A symlink `path` is written through; the new file gets
    `mode`, else the existing target's mode, else 0o666 less the umask. `name` is the parameter named in errors."""
    path = Path(path)
    try:
        target = Path(os.path.realpath(path)) if path.is_symlink() else path
        if target.is_dir():
            raise SpecError(f"{name}: cannot write {str(path)!r}: a directory is in the way")
        check_writable_directory(target, name)
        kept = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
        handle, temporary = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=target.parent)
    except OSError as error:
        raise write_error(name, path, error) from None
    try:
        try:
            if text:
                with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as text_stream:
                    write(text_stream)
                    _sync(text_stream, sync)
            else:
                with os.fdopen(handle, "wb") as binary_stream:
                    write(binary_stream)
                    _sync(binary_stream, sync)
            os.chmod(temporary, mode if mode is not None else kept if kept is not None else 0o666 & ~_umask())
            os.replace(temporary, target)
        except OSError as error:
            raise write_error(name, path, error) from None
    except BaseException:
        if os.path.lexists(temporary):
            os.unlink(temporary)
        raise
    return path


def _sync(stream: IO[Any], sync: bool) -> None:
    if sync:
        stream.flush()
        os.fsync(stream.fileno())


def remove_temporaries(directory: Path) -> list[str]:
    """Remove the temporary files a killed run left in `directory` (only names with `TEMP_PREFIX`)."""
    removed = []
    for leftover in sorted(directory.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}")):
        if leftover.is_file() or leftover.is_symlink():
            leftover.unlink(missing_ok=True)
            removed.append(leftover.name)
    return removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
