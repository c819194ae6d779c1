"""The animated SVG plays by itself inside an <img> (no script), in a real browser: headless Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from convanim import make_spec
from convanim.animation import animate

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")


def screenshot(page: Path, out: Path, milliseconds: int) -> np.ndarray:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={profile}", f"--virtual-time-budget={milliseconds}",
                        "--window-size=700,700", f"--screenshot={out}", page.as_uri()],
                       capture_output=True, timeout=60, check=True)
    return np.asarray(Image.open(out).convert("RGB"))


@pytest.mark.skipif(CHROMIUM is None and os.environ.get("CI") != "true", reason="needs Debian's chromium")
def test_svg_in_img_tag_steps_through_the_frames(tmp_path):
    assert CHROMIUM, "CI needs chromium (.ci/run installs it)"
    # Long frames: SMIL runs on Chromium's virtual time (no wall-clock cost), and a slow image load under a busy
    # machine eats into the first budget without reaching frame 1.
    animation = animate(make_spec(input_size=5, kernel_size=3, stride=2, padding=1), seconds_per_frame=10.0)
    animation.save(tmp_path / "a.svg")
    page = tmp_path / "page.html"
    page.write_text('<html><body style="margin:0;background:#fff"><img src="a.svg"></body></html>')
    scene = animation.scene
    theme = scene.theme
    alpha = round(theme.shade_opacity * 255)
    shaded = tuple((s * alpha + u * (255 - alpha) + 127) // 255 for s, u in zip(theme.shade, theme.zero_fill))

    def colour(image: np.ndarray, cell: tuple[int, int]) -> tuple[int, ...]:
        x, y = scene.projection((cell[1] + 0.5, cell[0] + 0.5, 0.0))
        patch = image[int(y) - 2:int(y) + 3, int(x) - 2:int(x) + 3].reshape(-1, 3)
        values, counts = np.unique(patch, axis=0, return_counts=True)
        return tuple(int(v) for v in values[counts.argmax()])

    def near(found: tuple[int, ...], expected: tuple[int, ...]) -> bool:
        return bool(np.abs(np.array(found) - expected).max() <= 3)

    def shot(name: str, budget: int) -> np.ndarray:
        """A screenshot once the <img> has painted: headless Chromium now and then captures the page before the
        image is drawn (a blank page), which says nothing about the SVG; a wrong frame is never retried."""
        for _ in range(3):
            image = screenshot(page, tmp_path / name, budget)
            if not near(colour(image, (3, 3)), theme.background):  # an input cell: blue in every frame
                return image
        raise AssertionError(f"the <img> never painted within {budget} ms of virtual time")

    first, second = shot("t0.png", 5000), shot("t1.png", 15000)
    # frame 0 shades grid cell (0, 0), a padding cell; frame 1 (stride 2) has moved on to columns 2-4
    assert near(colour(first, (0, 0)), shaded), colour(first, (0, 0))
    assert near(colour(second, (0, 0)), theme.zero_fill), colour(second, (0, 0))
    assert near(colour(second, (0, 4)), shaded), colour(second, (0, 4))
