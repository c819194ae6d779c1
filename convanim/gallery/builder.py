"""The gallery: every template rendered into one folder, rebuilt only where the template or the renderer changed.

`gallery/manifest.json` records, per output file, a hash of the template's resolved spec and view, a hash of the
renderer's source files and the file's own hash. A build skips outputs whose three hashes still match; `check` lists
what differs without rendering anything. Every file is written to a temporary file beside it and moved into place,
so an interrupted build leaves each file either old or new. The index pages come from `convanim.gallery.index`.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any, TextIO

from convanim.animation import animate
from convanim.backends import files
from convanim.spec import SpecError, output_shape
from convanim.templates import Template

MANIFEST = "manifest.json"
INDEX_FILES = ("README.md", "index.html")
# The modules that decide what an animation looks like (an allow-list: a module that draws must be named here, and
# tests/test_gallery.py checks that every module a render imports is). A folder name covers the modules in it.
RENDERER_MODULES = ("animation.py", "blocks.py", "counts.py", "describe.py", "dropout.py", "fonts.py", "geometry.py",
                    "normalisation.py", "patterns.py", "positions.py", "primitives.py", "skips.py", "spec.py",
                    "stack.py", "theme.py", "view.py", "backends/", "figures/")
TEMP_PREFIX = files.TEMP_PREFIX
FILE_MODE = 0o644  # mkstemp's 0o600 would make the gallery unreadable to others


@dataclass(frozen=True, slots=True)
class Output:
    """One file of the gallery: a template in one format."""

    template: Template
    format: str

    @property
    def filename(self) -> str:
        return f"{self.template.name}.{self.format}"

    @property
    def template_hash(self) -> str:
        """The template as the renderer sees it: the resolved spec and view, and the format."""
        template = self.template
        layers = template.staged_block if template.block else template.figure_spec if template.figure else template.spec
        resolved = f"{layers!r}\n{self.template.view!r}\n{self.format}"
        if self.template.spec_args.get("forward"):  # the same stack, swept the other way
            resolved += "\nforward"
        return hashlib.sha256(resolved.encode()).hexdigest()


@dataclass(slots=True)
class BuildReport:
    built: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def summary(self, out_dir: Path) -> str:
        parts = [f"{len(self.built)} built", f"{len(self.up_to_date)} up to date"]
        if self.removed:
            parts.append(f"{len(self.removed)} removed")
        return f"gallery: {', '.join(parts)} in {out_dir}"


def renderer_hash(package_dir: Path | None = None) -> str:
    """A hash of every renderer source file (`RENDERER_MODULES`)."""
    root = package_dir or Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if not is_renderer_module(relative) or "__pycache__" in path.parts:
            continue
        digest.update(f"{relative}\0{len(path.read_bytes())}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def is_renderer_module(relative: str) -> bool:
    """Whether the source file at `relative` (to the package folder, e.g. "figures/plane.py") draws."""
    return any(relative == name or (name.endswith("/") and relative.startswith(name)) for name in RENDERER_MODULES)


def expected_outputs(templates: Iterable[Template]) -> list[Output]:
    return [Output(template, fmt) for template in templates for fmt in template.formats]


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(out_dir: Path) -> dict[str, dict[str, str]]:
    """Output filename -> {"template", "renderer", "sha256"}; empty when missing or unreadable (all is rebuilt)."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        outputs = data["outputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return outputs if isinstance(outputs, dict) else {}


def manifest_text(entries: dict[str, dict[str, str]]) -> str:
    return json.dumps({"outputs": dict(sorted(entries.items()))}, indent=1, sort_keys=True) + "\n"


def why_stale(output: Output, out_dir: Path, manifest: dict[str, dict[str, str]], renderer: str) -> str | None:
    """None when the file on disk is what the code would build; otherwise the reason, for a person."""
    entry = manifest.get(output.filename)
    path = out_dir / output.filename
    if not path.is_file():
        return "missing"
    if not isinstance(entry, dict):
        return "not in the manifest"
    if entry.get("template") != output.template_hash:
        return "template changed"
    if entry.get("renderer") != renderer:
        return "renderer changed"
    if entry.get("sha256") != file_hash(path):
        return "file differs from the one built"
    return None


def write_atomic(path: Path, data: bytes) -> bool:
    """Write `data` to `path` through a temporary file in the same folder; False (and no write) if unchanged."""
    if path.is_file() and path.read_bytes() == data:
        return False
    files.write_atomic(path, partial(_write_bytes, data), name="out_dir", mode=FILE_MODE, sync=True)
    return True


def _write_bytes(data: bytes, stream: IO[Any]) -> None:
    stream.write(data)


def render_template(template: Template, paths: dict[str, str]) -> None:
    """Render one template once and save it in each format (the renderer writes each file atomically)."""
    animation = animate(template=template)
    for path in paths.values():
        animation.save(path)


Renderer = Callable[[Template, dict[str, str]], None]


def _render_job(render: Renderer, template: Template, paths: dict[str, str]) -> dict[str, str]:
    try:
        render(template, paths)
    except SpecError as error:  # name the file, and show the template's own keys
        raise SpecError(f"{template.source or template.name}: {error}") from None
    return {Path(path).name: file_hash(Path(path)) for path in paths.values()}


def select(templates: list[Template], only: Iterable[str]) -> list[Template]:
    """The templates named in `only` (all when empty; "a,b" names two); an unknown name is a `SpecError`."""
    wanted = list(dict.fromkeys(name.strip() for names in only for name in names.split(",") if name.strip()))
    if not wanted:
        return templates
    names = {t.name for t in templates}
    unknown = [name for name in wanted if name not in names]
    if unknown:
        raise SpecError(f"only: no template named {', '.join(map(repr, unknown))} (see 'convanim list')")
    return [t for t in templates if t.name in wanted]


def build(templates: list[Template], out_dir: Path, jobs: int = 0, only: Iterable[str] = (), clean: bool = False,
          force: bool = False, progress: TextIO | None = None, render: Renderer | None = None) -> BuildReport:
    """Render what is stale (everything with `force`), then write the index pages and the manifest.

    `render(template, {format: path})` writes the files (default: `render_template`, the real renderer)."""
    from convanim.gallery.index import index_files

    if not templates:  # a typo in a folder name must not empty the gallery
        raise SpecError("templates: no template to build (a gallery is built from at least one)")
    chosen = {t.name for t in select(templates, only)}  # an unknown name is refused before any folder is made
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise files.write_error("out_dir", out_dir, error) from None
    report = BuildReport()
    remove_leftovers(templates, out_dir)
    renderer = renderer_hash()
    manifest = read_manifest(out_dir)
    work: dict[str, list[Output]] = {}
    for output in expected_outputs(templates):
        if output.template.name not in chosen:
            continue
        if force or why_stale(output, out_dir, manifest, renderer) is not None:
            work.setdefault(output.template.name, []).append(output)
        else:
            report.up_to_date.append(output.filename)
    by_filename = {o.filename: o for outputs in work.values() for o in outputs}
    finished: dict[str, str] = {}  # filename -> sha256, filled as outputs finish
    try:
        _run(work, out_dir, jobs, progress, render or render_template, finished)
    except BaseException:  # interrupted or failed: keep what finished, so that the next build does not redo it
        if finished:
            _record(manifest, finished, by_filename, renderer)
            write_atomic(out_dir / MANIFEST, manifest_text(manifest).encode())
        files.remove_temporaries(out_dir)
        raise
    report.built.extend(_record(manifest, finished, by_filename, renderer))
    expected = {o.filename for o in expected_outputs(templates)}
    manifest = {name: entry for name, entry in manifest.items() if name in expected}
    for name, text in index_files(templates, out_dir, manifest).items():
        write_atomic(out_dir / name, text.encode())
    write_atomic(out_dir / MANIFEST, manifest_text(manifest).encode())
    if clean:
        report.removed = remove_unexpected(templates, out_dir)
    report.built.sort()
    return report


def _record(manifest: dict[str, dict[str, str]], finished: dict[str, str], by_filename: dict[str, Output],
            renderer: str) -> list[str]:
    for filename, sha in finished.items():
        manifest[filename] = {"template": by_filename[filename].template_hash, "renderer": renderer, "sha256": sha}
    return list(finished)


def remove_leftovers(templates: list[Template], out_dir: Path) -> None:
    """Remove the temporary files of killed earlier builds: `TEMP_PREFIX` names, and `.NAME.*.tmp` beside an output
    (the names older versions used)."""
    for leftover in out_dir.glob(f"{TEMP_PREFIX}*"):
        if leftover.is_file() or leftover.is_symlink():
            leftover.unlink(missing_ok=True)
    for output in expected_outputs(templates):
        for leftover in out_dir.glob(f".{output.filename}.*.tmp"):
            leftover.unlink(missing_ok=True)


def _run(work: dict[str, list[Output]], out_dir: Path, jobs: int, progress: TextIO | None, render: Renderer,
         finished: dict[str, str]) -> None:
    """Render each template with work to do, the largest first, in `jobs` processes, adding filename -> sha256 to
    `finished` as each completes. Interrupted (Ctrl-C, or SIGTERM turned into `KeyboardInterrupt` by the CLI), it
    cancels the queued work and terminates the workers before it re-raises."""
    if not work:
        return
    order = sorted(work, key=lambda name: (-_cost(work[name][0].template), name))
    paths = {name: {o.format: str(out_dir / o.filename) for o in work[name]} for name in order}
    bar = ProgressBar(len(order), progress)
    workers = min(jobs or usable_cpus(), len(order))
    try:
        if workers <= 1:
            for name in order:
                finished.update(_render_job(render, work[name][0].template, paths[name]))
                bar.advance(name)
        else:
            if render is render_template:
                import convanim.animation  # noqa: F401  (imported once here, inherited by forked workers)
            _run_parallel(order, work, paths, workers, render, finished, bar)
    finally:
        bar.close()


CGROUP_CPU_MAX = "/sys/fs/cgroup/cpu.max"  # cgroup v2: "<quota> <period>" in microseconds, or "max <period>"


def usable_cpus() -> int:
    """The processors this process may really use: its CPU affinity, capped by a cgroup v2 quota (a container's
    `cpu.max`), so that a CI runner that sees the host's 64 cores but may use 2 does not start 64 workers."""
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        quota, period = Path(CGROUP_CPU_MAX).read_text().split()[:2]
        if quota != "max":
            count = min(count, max(1, int(quota) // int(period)))
    except (OSError, ValueError):
        pass
    return max(1, count)


def _run_parallel(order: list[str], work: dict[str, list[Output]], paths: dict[str, dict[str, str]], workers: int,
                  render: Renderer, finished: dict[str, str], bar: ProgressBar) -> None:
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_fork_context(), initializer=_worker_start,
                               initargs=(os.getpid(),))
    futures = {}
    try:
        futures = {pool.submit(_render_job, render, work[name][0].template, paths[name]): name for name in order}
        for future in as_completed(futures):
            finished.update(future.result())
            bar.advance(futures[future])
    except BaseException:
        for future in futures:
            future.cancel()
        # No public way to stop running workers before Python 3.14 (terminate_workers): end them by their ids.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:
            if process.is_alive():
                process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(timeout=5)
        raise
    pool.shutdown(wait=True)


def _worker_start(parent: int) -> None:
    """In each worker: Ctrl-C (sent to the whole process group) is the parent's to handle, SIGTERM ends the worker
    at once, and the worker exits when its parent dies, even by SIGKILL."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)


def _die_with_parent(parent: int) -> None:
    try:  # Linux: the kernel sends SIGTERM when the parent exits
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:  # everywhere else (and as a second guard): poll the parent's id
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="convanim-parent-watch", daemon=True).start()


def _fork_context() -> Any:
    """Fork where there is fork: workers inherit the imported renderer instead of importing it again."""
    import multiprocessing

    return multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None


def _cost(template: Template) -> int:
    """Roughly how long a template takes: its output positions (a figure's frames) times its formats."""
    if template.figure:
        from convanim.gallery.index import figure_frames

        return figure_frames(template) * len(template.formats)
    positions = sum(math.prod(output_shape(spec)) * spec.out_channels for _, spec in template.layers)
    return positions * len(template.formats)


def check(templates: list[Template], out_dir: Path) -> list[str]:
    """What differs between `out_dir` and what a build would write: one line per file, empty when in step."""
    from convanim.gallery.index import index_files

    problems: list[str] = []
    renderer = renderer_hash()
    manifest = read_manifest(out_dir)
    outputs = expected_outputs(templates)
    for output in outputs:
        reason = why_stale(output, out_dir, manifest, renderer)
        if reason:
            problems.append(f"{output.filename}: {reason}")
    expected = {o.filename for o in outputs}
    for name in sorted(set(manifest) - expected):
        problems.append(f"{MANIFEST}: lists {name}, which no template produces")
    for name, text in index_files(templates, out_dir, manifest).items():
        path = out_dir / name
        if not path.is_file() or path.read_bytes() != text.encode():
            problems.append(f"{name}: differs from the index the templates and outputs give")
    for name in unexpected_files(templates, out_dir):
        problems.append(f"{name}: no template produces it (remove it, or pass clean=True)")
    return problems


def unexpected_files(templates: list[Template], out_dir: Path) -> list[str]:
    known = {o.filename for o in expected_outputs(templates)} | set(INDEX_FILES) | {MANIFEST}
    if not out_dir.is_dir():
        return []
    return sorted(p.name for p in out_dir.iterdir() if p.name not in known)


def remove_unexpected(templates: list[Template], out_dir: Path) -> list[str]:
    removed = unexpected_files(templates, out_dir)
    for name in removed:
        path = out_dir / name
        if path.is_dir() and not path.is_symlink():
            raise SpecError(f"clean: {path} is a folder; convanim removes only files it could have written")
        path.unlink()
    return removed


class ProgressBar:
    """A one-line bar on a terminal (files done of the total, rate, time left); silent anywhere else, so logs stay
    deterministic."""

    def __init__(self, total: int, stream: TextIO | None) -> None:
        self.total, self.done = total, 0
        self.stream = stream if stream is not None and stream.isatty() else None
        self.start = time.monotonic()

    def advance(self, label: str) -> None:
        self.done += 1
        if self.stream is None:
            return
        width = 30
        filled = width * self.done // self.total
        elapsed = time.monotonic() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = round((self.total - self.done) / rate) if rate > 0 else 0
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {label:<40.40} "
                          f"{rate:.1f} files/s, {left // 60}:{left % 60:02d} left")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()
