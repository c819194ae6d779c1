"""Animation templates: one TOML file per animation (name, title, caption, spec, view, formats), validated on load.

A template is read, checked key by key, and turned into a frozen `Template` whose `spec_args` and `view_args` are
the keyword arguments of `make_spec` and `make_view`. Every mistake is a `SpecError` naming the file, the key and
the rule. The templates that ship with convanim live in `templates/` (installed as `convanim.builtin_templates`).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from convanim.backends import FORMATS as BACKEND_FORMATS
from convanim.errors import SpecError
from convanim.spec import ConvSpec, make_spec

PACKAGE = "convanim.builtin_templates"
FORMATS: tuple[str, ...] = tuple(BACKEND_FORMATS)
DEFAULT_FORMATS: tuple[str, ...] = ("gif", "svg")
NAME_RULE = re.compile(r"[a-z0-9][a-z0-9_]*")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_size(value: Any) -> bool:
    return _is_int(value) or (isinstance(value, list) and bool(value) and all(_is_int(v) for v in value))


def _is_padding(value: Any) -> bool:
    if isinstance(value, str) or _is_int(value):
        return True
    return isinstance(value, list) and bool(value) and all(
        _is_int(v) or (isinstance(v, list) and len(v) == 2 and all(_is_int(x) for x in v)) for v in value)


# key -> (test of the TOML value, the rule a user reads when it fails)
Check = tuple[Callable[[Any], bool], str]
SIZE: Check = (_is_size, "an integer, or an array of integers (one per axis)")
INT: Check = (_is_int, "an integer")
BOOL: Check = (lambda v: isinstance(v, bool), "true or false")
TEXT: Check = (lambda v: isinstance(v, str), "a string")
NUMBER: Check = (_is_number, "a number")

SPEC_KEYS: dict[str, Check] = {
    "dims": INT, "input_size": SIZE, "kernel_size": SIZE, "stride": SIZE,
    "padding": (_is_padding, "an integer, an array (one per axis) of integers or [before, after] pairs, "
                             "or one of \"valid\", \"same\", \"full\""),
    "dilation": SIZE, "transposed": BOOL, "output_padding": SIZE, "in_channels": INT, "out_channels": INT,
    "groups": INT, "depthwise": BOOL, "bias": BOOL, "op": TEXT, "ceil_mode": BOOL,
}
# Blocks of several layers (convanim.blocks): the [spec] table holds the block's own arguments.
BLOCK_KEYS: dict[str, dict[str, Check]] = {
    "separable": {"input_size": SIZE, "in_channels": INT, "kernel_size": INT, "out_channels": INT, "stride": INT,
                  "padding": INT, "multiplier": INT, "bias": BOOL},
    "inverted_residual": {"input_size": SIZE, "in_channels": INT, "expansion": INT, "out_channels": INT,
                          "kernel_size": INT, "stride": INT},
    # blocks with skip connections (convanim.skips)
    "resnet_basic": {"input_size": SIZE, "in_channels": INT, "out_channels": INT, "stride": INT},
    "resnet_bottleneck": {"input_size": SIZE, "in_channels": INT, "width": INT, "out_channels": INT, "stride": INT},
    "dense_block": {"input_size": SIZE, "in_channels": INT, "growth_rate": INT, "num_layers": INT},
    "unet_level": {"input_size": SIZE, "in_channels": INT, "out_channels": INT},
    # the receptive field through a stack (convanim.stack): its layers as PyTorch expressions
    "receptive_field": {"input_size": SIZE, "in_channels": INT, "forward": BOOL,
                        "layers": (lambda v: isinstance(v, list) and bool(v) and all(isinstance(x, str) for x in v),
                                   "an array of PyTorch layer expressions such as \"Conv2d(1, 1, 3)\"")},
}
# Figures that are not convolutions: the [spec] table holds `make_norm` or `make_dropout` arguments (kind "all" is
# the four normalisations side by side).
SHAPE: Check = (lambda v: isinstance(v, list) and bool(v) and all(_is_int(x) for x in v), "an array of integers")
FIGURE_KEYS: dict[str, dict[str, Check]] = {
    "norm": {"kind": TEXT, "shape": SHAPE, "groups": INT, "sequence": BOOL, "eps": NUMBER, "affine": BOOL},
    "dropout": {"p": NUMBER, "shape": SHAPE, "steps": INT, "seed": INT},
}
SKIP_BLOCKS = ("resnet_basic", "resnet_bottleneck", "dense_block", "unet_level")
VIEW_KEYS: dict[str, Check] = {
    "view": TEXT, "theme": TEXT, "numbers": BOOL, "caption": BOOL, "labels": BOOL, "cell_size": INT,
    "scale": NUMBER, "seconds_per_frame": NUMBER, "loop": INT, "pause": NUMBER, "transparent": BOOL,
    "max_frames": INT, "channel": INT, "background": TEXT, "positions": TEXT, "duration": NUMBER, "fps": NUMBER,
    "fit": TEXT,
}
TOP_KEYS: dict[str, Check] = {
    "name": (lambda v: isinstance(v, str) and NAME_RULE.fullmatch(v) is not None,
             "lower-case letters, digits and underscores, matching the file name"),
    "title": (lambda v: isinstance(v, str) and v.strip() != "", "a non-empty string"),
    "caption": (lambda v: isinstance(v, str) and v.strip() != "", "a non-empty string"),
    "order": INT,
    "block": (lambda v: v in BLOCK_KEYS, f"one of {', '.join(BLOCK_KEYS)} (a block of several layers)"),
    "figure": (lambda v: v in FIGURE_KEYS, f"one of {', '.join(FIGURE_KEYS)} (a figure that is not a convolution)"),
    "formats": (lambda v: isinstance(v, list) and bool(v) and all(f in FORMATS for f in v) and len(set(v)) == len(v),
                f"a non-empty array of distinct formats from {', '.join(FORMATS)}"),
    "spec": (lambda v: isinstance(v, dict), "a table ([spec])"),
    "view": (lambda v: isinstance(v, dict), "a table ([view])"),
}
REQUIRED = ("name", "title", "caption", "spec")


@dataclass(frozen=True, slots=True)
class Template:
    """One animation: what to draw (`spec_args`), how (`view_args`), what to call it and which files to write."""

    name: str
    title: str
    caption: str
    spec_args: dict[str, Any]
    view_args: dict[str, Any]
    formats: tuple[str, ...]
    order: int = 0
    source: str = ""  # where it was read from, for messages
    block: str = ""  # "" for one layer; "separable" or "inverted_residual" for a block (spec_args are its arguments)
    figure: str = ""  # "" for convolutions; "norm" or "dropout" (spec_args are make_norm / make_dropout arguments)

    @property
    def spec(self) -> ConvSpec:
        """The layer; a block has several, see `layers`."""
        if self.block:
            raise SpecError(f"template: {self.name!r} is a {self.block} block of several layers, not one layer "
                            f"(animate it whole with animate(template={self.name!r}))")
        if self.figure:
            raise SpecError(f"template: {self.name!r} is a {self.figure} figure, not a convolution (see its "
                            f"figure_spec)")
        return make_spec(**self.spec_args)

    @property
    def figure_spec(self) -> Any:
        """A norm figure's `NormSpec` (a list of four for kind "all"), or a dropout figure's `DropoutSpec`."""
        args = dict(self.spec_args)
        if self.figure == "dropout":
            from convanim.dropout import make_dropout

            return make_dropout(**args)
        from convanim.normalisation import KINDS, four_specs, make_norm

        if "kind" not in args:
            raise SpecError(f"kind: a norm figure needs a kind: {', '.join(KINDS)} or all (the four side by side)")
        if args.get("kind") == "all":
            extra = sorted(set(args) - {"kind", "shape", "groups"})
            if extra:
                raise SpecError(f"{extra[0]}: the four-panel figure (kind \"all\") takes only shape and groups")
            return four_specs(tuple(args.get("shape", (4, 6, 3, 3))), args.get("groups"))
        kind = args.pop("kind")
        return make_norm(kind, tuple(args.pop("shape", (4, 6, 3, 3))), args.pop("groups", None), **args)

    @property
    def staged_block(self) -> Any:
        """The `convanim.blocks.StagedBlock` of a block template (a `convanim.skips.SkipBlock` for a block with skip
        connections, a `convanim.stack.Stack` for "receptive_field")."""
        if self.block == "receptive_field":
            from convanim.stack import make_stack

            return make_stack(list(self.spec_args["layers"]), input_size=self.spec_args.get("input_size"),
                              in_channels=self.spec_args.get("in_channels"))
        from convanim import blocks, skips

        return getattr(skips if self.block in SKIP_BLOCKS else blocks, self.block)(**self.spec_args)

    @property
    def layers(self) -> tuple[tuple[str, ConvSpec], ...]:
        """(stage name, spec) of each layer in order; the name is "" for a single-layer template; none for a figure
        that is not a convolution. A stack lists its convolutions and poolings, named by their index."""
        if self.figure:
            return ()
        if not self.block:
            return (("", self.spec),)
        if self.block == "receptive_field":
            return tuple((str(layer.index), layer.spec) for layer in self.staged_block.layers
                         if layer.spec is not None)
        return tuple((stage.name, stage.spec) for stage in self.staged_block.stages)

    @property
    def view(self) -> Any:
        """The `ViewSpec` (from `convanim.view.make_view`)."""
        from convanim.view import make_view

        return make_view(**self.view_args)


def load_template(name_or_path: str | Path) -> Template:
    """A packaged template by name (`padding_strides`), or a `.toml` file by path."""
    text = str(name_or_path)
    if text.endswith(".toml") or "/" in text or "\\" in text:
        path = Path(text)
        if not path.is_file():
            raise SpecError(f"template: no such file {text!r}")
        return parse_template(read_template_text(path, str(path)), str(path), path.stem)
    found = builtin_template_files()
    if text not in found:
        close = difflib.get_close_matches(text, list(found), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else " (see 'convanim list')"
        raise SpecError(f"template: no template named {text!r}{hint}")
    return found[text]()


def load_templates(directory: str | Path | None = None) -> list[Template]:
    """Every template in `directory` (default: the packaged ones), in gallery order (`order`, then name)."""
    if directory is None:
        templates = [load() for load in builtin_template_files().values()]
    else:
        folder = Path(directory)
        if not folder.is_dir():
            raise SpecError(f"templates: no such folder {str(folder)!r}")
        paths = sorted(folder.glob("*.toml"))
        if not paths:
            raise SpecError(f"templates: no template (a .toml file) in folder {str(folder)!r}")
        templates = [parse_template(read_template_text(p, str(p)), str(p), p.stem) for p in paths]
    return sorted(templates, key=lambda t: (t.order, t.name))


def read_template_text(path: Any, source: str) -> str:
    """A template file's text; a file that is not UTF-8 or cannot be read is a `SpecError` naming it."""
    try:
        return str(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise SpecError(f"{source}: not UTF-8 text (byte {error.object[error.start]:#04x} at offset "
                        f"{error.start})") from None
    except OSError as error:
        raise SpecError(f"{source}: cannot be read ({error.strerror or error})") from None


def builtin_template_files() -> dict[str, Callable[[], Template]]:
    """Name -> loader for each packaged template, sorted by name."""
    root = resources.files(PACKAGE)
    loaders: dict[str, Callable[[], Template]] = {}
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            stem = entry.name[:-len(".toml")]
            loaders[stem] = partial(_parse_builtin, entry, stem)
    return loaders


def _parse_builtin(entry: Traversable, stem: str) -> Template:
    return parse_template(read_template_text(entry, f"templates/{entry.name}"), f"templates/{entry.name}", stem)


def builtin_template_dir() -> Path:
    """The packaged templates' folder on disk (the repository's templates/ in an editable install)."""
    return Path(str(resources.files(PACKAGE)))


def parse_template(text: str, source: str, stem: str | None = None) -> Template:
    """Validate one template's TOML text; `source` names it in messages, `stem` is the name it must carry."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SpecError(f"{source}: not valid TOML: {error}") from None
    _check_table(data, TOP_KEYS, source, "")
    for key in REQUIRED:
        if key not in data:
            raise SpecError(f"{source}: {key}: missing (a template needs {', '.join(REQUIRED)})")
    if stem is not None and data["name"] != stem:
        raise SpecError(f"{source}: name: must match the file name {stem!r}, got {data['name']!r}")
    block, figure = data.get("block", ""), data.get("figure", "")
    if block and figure:
        raise SpecError(f"{source}: figure: a template is a block or a figure, not both")
    _check_table(data["spec"], BLOCK_KEYS[block] if block else FIGURE_KEYS[figure] if figure else SPEC_KEYS, source,
                 "spec.")
    _check_table(data.get("view", {}), VIEW_KEYS, source, "view.")
    spec_args, view_args = _frozen(data["spec"]), _frozen(data.get("view", {}))
    template = Template(name=data["name"], title=data["title"].strip(), caption=data["caption"].strip(),
                        spec_args=spec_args, view_args=view_args,
                        formats=tuple(data.get("formats", DEFAULT_FORMATS)), order=data.get("order", 0),
                        source=source, block=block, figure=figure)
    _check_values(template, "spec", lambda: template.figure_spec if figure else template.layers)
    if figure == "norm" and spec_args.get("kind") == "all" and view_args.get("numbers"):
        raise SpecError(f"{source}: view.numbers: the four-panel figure (kind \"all\") draws no numbers; give one "
                        f"kind")
    try:
        import convanim.view  # noqa: F401  (the renderer's view module; absent in early checkouts)
    except ModuleNotFoundError:
        return template
    _check_values(template, "view", lambda: template.view)
    channel = template.view_args.get("channel")
    if channel is not None and not block and channel >= template.spec.out_channels:
        raise SpecError(f"{source}: view.channel: must be between 0 and {template.spec.out_channels - 1} (the "
                        f"layer's output channels), got {channel}")
    return template


def _check_table(table: dict[str, Any], keys: dict[str, Check], source: str, prefix: str) -> None:
    for key, value in table.items():
        if key not in keys:
            close = difflib.get_close_matches(key, list(keys), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise SpecError(f"{source}: {prefix}{key}: unknown key; {hint}"
                            f"{'[' + prefix[:-1] + '] ' if prefix else ''}takes {', '.join(keys)}")
        test, rule = keys[key]
        if not test(value):
            raise SpecError(f"{source}: {prefix}{key}: must be {rule}, got {value!r}")


def _check_values(template: Template, table: str, build: Callable[[], Any]) -> None:
    """Build the spec or view once so that a bad value is refused at load time, naming the file and the table."""
    try:
        build()
    except SpecError as error:
        raise SpecError(f"{template.source}: {table}.{error}") from None


def _frozen(value: Any) -> Any:
    """TOML arrays become tuples, so that a template's arguments cannot be changed by whoever holds them."""
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return {k: _frozen(v) for k, v in value.items()}
    return value
