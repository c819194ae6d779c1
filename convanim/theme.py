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
    group_fills: tuple[RGB, ...]  # per-group tints for grouped / depthwise views


THEMES: dict[str, Theme] = {
    # Group tints: neighbouring groups get hues far apart (solarized green and yellow are not neighbours).
    "classic": Theme("classic", hex_rgb("#ffffff"), hex_rgb("#268bd2"), hex_rgb("#2aa198"), hex_rgb("#002b36"),
                     hex_rgb("#ffffff"), hex_rgb("#002b36"), hex_rgb("#073642"), 0.4,
                     hex_rgb("#002b36"), hex_rgb("#002b36"), hex_rgb("#586e75"),
                     tuple(hex_rgb(c) for c in ("#268bd2", "#d33682", "#859900", "#6c71c4", "#cb4b16", "#b58900"))),
    # Okabe-Ito colours: distinguishable with every common colour-vision deficiency.
    "colorblind": Theme("colorblind", hex_rgb("#ffffff"), hex_rgb("#0072b2"), hex_rgb("#e69f00"), hex_rgb("#1a1a1a"),
                        hex_rgb("#ffffff"), hex_rgb("#1a1a1a"), hex_rgb("#000000"), 0.4,
                        hex_rgb("#1a1a1a"), hex_rgb("#1a1a1a"), hex_rgb("#555555"),
                        tuple(hex_rgb(c) for c in ("#0072b2", "#cc79a7", "#009e73", "#d55e00", "#56b4e9", "#f0e442"))),
    "dark": Theme("dark", hex_rgb("#002b36"), hex_rgb("#268bd2"), hex_rgb("#2aa198"), hex_rgb("#eee8d5"),
                  hex_rgb("#002b36"), hex_rgb("#93a1a1"), hex_rgb("#fdf6e3"), 0.45,
                  hex_rgb("#eee8d5"), hex_rgb("#eee8d5"), hex_rgb("#93a1a1"),
                  tuple(hex_rgb(c) for c in ("#268bd2", "#d33682", "#859900", "#6c71c4", "#cb4b16", "#b58900"))),
}
