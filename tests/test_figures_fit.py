"""Text a projector can show, on a 16:9 slide: every default figure of the gallery's templates (and the issue's
commands) fits 1920x1080, every text is at least 13 px, and a caption has at most three lines. From the scene."""

from __future__ import annotations

import pytest

from convanim.animation import animate, animate_stages
from convanim.blocks import inverted_residual, separable
from convanim.primitives import Text
from convanim.templates import load_templates

MIN_TEXT_PX = 13


def check(scene, what):
    assert scene.width <= 1920 and scene.height <= 1080, (what, scene.width, scene.height)
    texts = [item for item in scene.items if isinstance(item, Text)]
    small = [(item.text, item.size) for item in texts if round(item.size) < MIN_TEXT_PX]
    assert not small, (what, small[:5])
    caption_rows = {round(item.at[1], 3) for item in texts if item.screen}
    assert len(caption_rows) <= 3, (what, sorted(caption_rows))


@pytest.mark.parametrize("template", load_templates(), ids=lambda t: t.name)
def test_every_gallery_template_fits_a_slide_with_readable_text(template):
    check(animate(template=template).scene, template.name)


@pytest.mark.parametrize("layer, options", [
    ("Conv2d(3, 2, 3, padding=1)", {"input_size": 6}),
    ("Conv2d(3, 3, 5, groups=3)", {"input_size": 12}),
    ("Conv2d(4, 3, 1)", {"input_size": 5}),
    ("Conv3d(1, 1, 3, padding=1)", {"input_size": 4}),
    ("Conv3d(1, 1, 2)", {"input_size": 6}),
    ("Conv2d(3, 2, 3, stride=2, padding=1)", {"input_size": 5, "numbers": True}),
])
def test_the_issue_s_commands_fit(layer, options):
    check(animate(layer, **options).scene, layer)


def test_blocks_fit():
    check(animate_stages(separable(input_size=12, in_channels=3, kernel_size=5, out_channels=4)).scene, "separable")
    check(animate_stages(inverted_residual()).scene, "inverted residual")
