"""Themes are data: the colours and opacities a scene is drawn with."""

from __future__ import annotations

from dataclasses import dataclass

RGB = tuple[int, int, int]


def hex_rgb(value: str) -> RGB:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    background: RGB
    input_fill: RGB
    output_fill: RGB
    outline: RGB  # cell outlines
    zero_fill: RGB  # padding and inserted-zero cells
    zero_outline: RGB  # their dashed outlines (padding and inserted zeros look alike, as in the classic figures)
    shade: RGB  # the kernel window and the current output cell
    shade_opacity: float
    connector: RGB  # lines from the window to the output cell
    text: RGB
    muted_text: RGB
    middle_fill: RGB  # intermediate tensors of a staged block: one third hue, neither input nor output

    def tints(self, fill: RGB) -> tuple[RGB, ...]:
        """`fill` at each lightness step (itself first): the light accent that tells groups apart while keeping
        the colour's role (a group of inputs stays blue, of outputs cyan)."""
        return tuple(tint(fill, step) for step in TINT_STEPS)


TINT_STEPS = (0.0, 0.3, 0.52)  # how far towards white each group step goes; neighbouring groups differ


def tint(fill: RGB, step: float) -> RGB:
    """`fill` mixed towards white by `step` (0: itself)."""
    return tuple(round(c + (255 - c) * step) for c in fill)  # type: ignore[return-value]


THEMES: dict[str, Theme] = {
    # Blue is input, cyan is output, in every figure; intermediate tensors of a block are solarized yellow.
    "classic": Theme("classic", hex_rgb("#ffffff"), hex_rgb("#268bd2"), hex_rgb("#2aa198"), hex_rgb("#002b36"),
                     hex_rgb("#ffffff"), hex_rgb("#002b36"), hex_rgb("#073642"), 0.4,
                     hex_rgb("#002b36"), hex_rgb("#002b36"), hex_rgb("#586e75"), hex_rgb("#b58900")),
    # Okabe-Ito colours: distinguishable with every common colour-vision deficiency (blue in, orange out,
    # reddish purple between).
    "colorblind": Theme("colorblind", hex_rgb("#ffffff"), hex_rgb("#0072b2"), hex_rgb("#e69f00"), hex_rgb("#1a1a1a"),
                        hex_rgb("#ffffff"), hex_rgb("#1a1a1a"), hex_rgb("#000000"), 0.4,
                        hex_rgb("#1a1a1a"), hex_rgb("#1a1a1a"), hex_rgb("#555555"), hex_rgb("#cc79a7")),
    "dark": Theme("dark", hex_rgb("#002b36"), hex_rgb("#268bd2"), hex_rgb("#2aa198"), hex_rgb("#eee8d5"),
                  hex_rgb("#002b36"), hex_rgb("#93a1a1"), hex_rgb("#fdf6e3"), 0.45,
                  hex_rgb("#eee8d5"), hex_rgb("#eee8d5"), hex_rgb("#93a1a1"), hex_rgb("#b58900")),
}
