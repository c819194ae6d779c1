"""Stacks from text: what `print(model)` shows for an `nn.Sequential`, and TOML stack files.

`print(model)` writes one module per line: `(name): Conv2d(3, 64, kernel_size=(3, 3), stride=(1, 1))`, a nested
`Sequential(` opening a block that a lone `)` closes. A file may also hold bare layer expressions, one per line
(`#` starts a comment line). Containers are read only where their `forward` is known: `Sequential`; torchvision's
residual blocks `BasicBlock` and `Bottleneck` (the children in order, then `out += identity`, where identity is the
input or its `downsample`); and the U-Net parts of the widely copied milesial/Pytorch-UNet (`DoubleConv`, `Down`,
`OutConv` and `UNet` run their children in order; `Up` upsamples, then concatenates the input of the latest `Down`
before its `conv`). Any other container (a `ModuleList`, a custom block) may run its children in any order, so it is
refused rather than guessed. Nothing is evaluated: layer arguments are read as literals by `convanim.stack`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from convanim.errors import SpecError

_LINE = re.compile(r"\((?P<name>[^()]*)\):\s*(?P<body>.*)")
_OPEN = re.compile(r"(?:[\w.]+\.)?(?P<name>\w+)\($")
_EMPTY = re.compile(r"(?:[\w.]+\.)?Sequential\(\s*\)")
RESIDUAL = ("BasicBlock", "Bottleneck")  # torchvision: children in order, then out += identity (or downsample(x))
CONTAINERS = ("Sequential", *RESIDUAL, "UNet", "DoubleConv", "Down", "Up", "OutConv")
MAX_TEXT = 1_000_000  # characters; a pasted model is far smaller
STACK_KEYS = ("description", "input_size", "in_channels", "dims", "layers", "model")


@dataclass(frozen=True, slots=True)
class ModelLayer:
    """One leaf module of a printed model: its dotted path (`features.3`), its expression and its line."""

    path: str
    expression: str
    line: int
    containers: tuple[tuple[str, str], ...] = ()  # (class name, path) of each enclosing container, outermost first


def parse_model_text(text: str, source: str = "layers") -> list[ModelLayer]:
    """The leaf layers of a printed `nn.Sequential`, in order (nested Sequentials flattened)."""
    if len(text) > MAX_TEXT:
        raise SpecError(f"{source}: the model text has {len(text):,} characters, more than {MAX_TEXT:,}")
    layers: list[ModelLayer] = []
    open_blocks: list[tuple[str, int, str]] = []  # (path, line, class name) of each container still open
    closed_top = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source}: line {number} ({line!r})"
        if closed_top:
            raise SpecError(f"{where}: text after the model's closing ')'")
        if line == ")":
            if not open_blocks:
                raise SpecError(f"{where}: a ')' with no Sequential( open")
            open_blocks.pop()
            closed_top = not open_blocks
            continue
        match = _LINE.fullmatch(line)
        name, body = (match.group("name"), match.group("body")) if match else (None, line)
        if open_blocks and name is None:
            raise SpecError(f"{where}: inside a Sequential each line is '(name): Layer(...)', as print(model) shows")
        if not open_blocks and name is not None:
            raise SpecError(f"{where}: a '(name):' line outside any Sequential(; paste the whole print(model) text")
        if name is not None and not re.fullmatch(r"[\w.-]+", name):
            raise SpecError(f"{where}: {name!r} is not a module name")
        path = ".".join(part for part in (open_blocks[-1][0] if open_blocks else "", name) if part)
        opened = _OPEN.fullmatch(body)
        if opened:
            if opened.group("name") not in CONTAINERS:
                raise SpecError(f"{where}: {opened.group('name')} is not an nn.Sequential: its forward need not run "
                                f"its children in the printed order (skip connections); paste an nn.Sequential "
                                f"(or torchvision's BasicBlock, Bottleneck)")
            open_blocks.append((path or "", number, opened.group("name")))
            continue
        if _EMPTY.fullmatch(body):
            closed_top = not open_blocks
            continue
        if body.count("(") != body.count(")") or not body.endswith(")"):
            raise SpecError(f"{where}: expected one layer per line, such as Conv2d(3, 64, kernel_size=(3, 3))")
        layers.append(ModelLayer(path or str(len(layers)), body, number,
                                 tuple((kind, where_) for where_, _, kind in open_blocks)))
    if open_blocks:
        raise SpecError(f"{source}: the Sequential( opened on line {open_blocks[-1][1]} is never closed")
    if not layers:
        raise SpecError(f"{source}: no layers in the model text")
    return layers


@dataclass(frozen=True, slots=True)
class StackFile:
    """What a stack file holds: the layers (expressions, or print(model) text) and the input it names, if any."""

    layers: str | tuple[str, ...]
    input_size: Any = None
    in_channels: Any = None
    dims: Any = None


def read_stack_file(path: str | Path) -> StackFile:
    """A TOML stack (`.toml`: `layers` or `model`, and optionally `input_size`, `in_channels`, `dims`,
    `description`), or any other file as print(model) text or layer expressions one per line."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(f"stack: cannot read {str(file)!r}: {getattr(error, 'strerror', None) or error}") from None
    if file.suffix.lower() != ".toml":
        return StackFile(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"stack: {file.name} is not valid TOML: {error}") from None
    for key in data:
        if key not in STACK_KEYS:
            raise SpecError(f"stack: {file.name} has an unknown key {key!r}; a stack file takes "
                            f"{', '.join(STACK_KEYS)}")
    if ("layers" in data) == ("model" in data):
        raise SpecError(f"stack: {file.name} needs exactly one of 'layers' (an array of layer expressions) and "
                        f"'model' (print(model) text)")
    layers: Any = data["layers"] if "layers" in data else data["model"]
    if "layers" in data and not (isinstance(layers, list) and all(isinstance(v, str) for v in layers)):
        raise SpecError(f"stack: {file.name}: 'layers' must be an array of strings such as \"Conv2d(3, 8, 3)\"")
    if "model" in data and not isinstance(layers, str):
        raise SpecError(f"stack: {file.name}: 'model' must be a string holding print(model) text")
    return StackFile(layers if isinstance(layers, str) else tuple(layers), data.get("input_size"),
                     data.get("in_channels"), data.get("dims"))
