"""A fake renderer for gallery tests (deterministic bytes per template, so that they test the gallery, not the
drawing), and the small templates folder they build."""

from __future__ import annotations

import math
from pathlib import Path

from convanim.spec import output_shape
from convanim.templates import Template

SMALL = ("no_padding_no_strides", "padding_strides", "numerical_max_pooling")
RENDERS: list[str] = []  # templates the fake renderer was asked for, in this process


def fake_render(template: Template, paths: dict[str, str]) -> None:
    RENDERS.append(template.name)
    frames = math.prod(output_shape(template.spec))
    for fmt, path in paths.items():
        if fmt == "svg":
            data = (f'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 30" '
                    f'data-frames="{frames}" data-seconds-per-frame="1"><defs><rect id="cell" width="4" '
                    f'height="3"/></defs><use href="#cell"/><g id="f0"><animate id="a0" begin="0s;a1.end"/></g>'
                    f"<!-- {template.spec!r} --></svg>\n")
        else:
            data = f"{fmt} {template.spec!r} {template.view!r}\n"
        Path(path).write_text(data)


def failing_render(template: Template, paths: dict[str, str]) -> None:
    if template.name == "padding_strides":
        raise RuntimeError("the renderer broke")
    fake_render(template, paths)
