"""Colour arithmetic for legible text: WCAG contrast ratios and the colour a translucent shade leaves behind."""

from __future__ import annotations

from convanim.theme import RGB

MIN_TEXT_CONTRAST = 4.5  # WCAG AA for normal text
BLACK: RGB = (0, 0, 0)
WHITE: RGB = (255, 255, 255)


def luminance(color: RGB) -> float:
    """WCAG relative luminance of an sRGB colour."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    """From 1 (same luminance) to 21 (black on white)."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def over(base: RGB, top: RGB, opacity: float) -> RGB:
    """`top` painted over `base` at `opacity` (as the raster backend composites, up to rounding)."""
    return tuple(round(b + (t - b) * opacity) for b, t in zip(base, top))  # type: ignore[return-value]


def readable(background: RGB, preferred: tuple[RGB, ...]) -> RGB:
    """The first `preferred` colour with at least 4.5:1 contrast on `background`, else black or white, whichever
    contrasts more (one of them always reaches 4.58:1)."""
    for color in preferred:
        if contrast_ratio(color, background) >= MIN_TEXT_CONTRAST:
            return color
    return max((BLACK, WHITE), key=lambda color: contrast_ratio(color, background))
