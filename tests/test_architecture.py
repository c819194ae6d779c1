"""The house: data flows one way (spec -> geometry -> figures -> backends; the CLI on top), with no import circle,
not even one hidden by an import inside a function. Read from the source with `ast`, so every import counts."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "convanim"

# layer -> the layers it must never import (its own or lower layers are fine)
FORBIDDEN = {
    "errors": ("spec", "parse", "geometry", "figures", "backends", "animation", "cli", "gallery", "templates"),
    "patterns": ("errors", "parse", "spec", "geometry", "figures", "backends", "animation", "cli", "gallery",
                 "templates", "normalisation"),
    "parse": ("spec", "geometry", "figures", "backends", "animation", "cli", "gallery", "templates"),
    "spec": ("geometry", "figures", "backends", "animation", "cli", "gallery", "templates"),
    "geometry": ("figures", "backends", "animation", "cli", "gallery", "templates", "describe"),
    "counts": ("geometry", "figures", "backends", "animation", "cli", "gallery", "templates"),
    "describe": ("figures", "backends", "animation", "cli", "gallery", "templates"),
    "primitives": ("geometry", "figures", "backends", "animation", "cli", "gallery", "templates"),
    "modeltext": ("spec", "stack", "geometry", "figures", "backends", "animation", "cli", "gallery", "templates"),
    "stack": ("geometry", "figures", "backends", "animation", "cli", "gallery", "templates", "describe"),
    "blocks": ("figures", "backends", "animation", "cli", "gallery", "templates"),
    "normalisation": ("spec", "geometry", "figures", "backends", "animation", "cli", "gallery", "templates"),
    "dropout": ("spec", "geometry", "figures", "backends", "animation", "cli", "gallery", "templates"),
    "skips": ("geometry", "figures", "backends", "animation", "cli", "gallery", "templates", "stack", "blocks"),
    "figures": ("backends", "animation", "cli", "gallery", "templates"),
    "backends": ("figures", "animation", "cli", "gallery", "templates", "geometry"),
    "animation": ("cli", "gallery"),
    "templates": ("cli", "gallery"),
    "gallery": ("cli",),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Module -> the convanim modules it imports anywhere in its source (module level or inside functions)."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("convanim"):
                for alias in node.names:
                    candidate = f"{node.module}.{alias.name}"
                    found.add(candidate if (PACKAGE.parent / candidate.replace(".", "/")).with_suffix(".py").exists()
                              or (PACKAGE.parent / candidate.replace(".", "/")).is_dir() else node.module)
            elif isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names if alias.name.startswith("convanim")}
        graph[name] = found - {name}
    return graph


def test_no_import_circle() -> None:
    graph = imports()
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                raise AssertionError("import circle: " + " -> ".join(path[path.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_layers_import_only_downwards() -> None:
    def layer(module: str) -> str:
        return module.split(".")[1] if module.count(".") >= 1 else ""

    wrong = [f"{module} imports {target}" for module, targets in imports().items() for target in targets
             if layer(target) in FORBIDDEN.get(layer(module), ())]
    assert not wrong, "\n".join(wrong)


def test_library_messages_name_no_command_line_flag() -> None:
    """A Python user is never told to pass `--max-frames`: only cli/ may write flags in its messages."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "cli" in path.relative_to(PACKAGE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                text = ast.unparse(node.exc)
                if "SpecError" in text and " --" in text:
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {text[:100]}")
    assert not offenders, "\n".join(offenders)
