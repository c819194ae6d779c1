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

    def over(fill: tuple[int, ...]) -> tuple[int, ...]:
        return tuple((s * alpha + u * (255 - alpha) + 127) // 255 for s, u in zip(theme.shade, fill))

    def colour(image: np.ndarray, cell: tuple[int, int]) -> tuple[int, ...]:
        x, y = scene.projection((cell[1] + 0.5, cell[0] + 0.5, 0.0))
        patch = image[int(y) - 2:int(y) + 3, int(x) - 2:int(x) + 3].reshape(-1, 3)
        values, counts = np.unique(patch, axis=0, return_counts=True)
        return tuple(int(v) for v in values[counts.argmax()])

    def near(found: tuple[int, ...], expected: tuple[int, ...]) -> bool:
        return bool(np.abs(np.array(found) - expected).max() <= 3)

    # The padded 7x7 grid: padding cells are zero_fill, the 5x5 input is input_fill; frame k (stride 2, 3x3 output)
    # shades rows 2*(k // 3) .. +2 and columns 2*(k % 3) .. +2, nothing else.
    cells = [(r, c) for r in range(7) for c in range(7)]
    expected = [{(r, c) for r, c in cells if 2 * (k // 3) <= r <= 2 * (k // 3) + 2 and 2 * (k % 3) <= c <= 2 * (k % 3) + 2}
                for k in range(9)]

    def frame_shown(image: np.ndarray) -> int | None:
        """The one frame whose shaded cells the screenshot shows; None for a blank page (the <img> not painted yet).
        Anything else (a cell of no expected colour, a shading no frame has) fails the test."""
        shaded = set()
        for r, c in cells:
            plain = theme.input_fill if 1 <= r <= 5 and 1 <= c <= 5 else theme.zero_fill
            found = colour(image, (r, c))
            if near(found, over(plain)):
                shaded.add((r, c))
            elif not near(found, plain):
                if all(near(colour(image, cell), theme.background) for cell in [(3, 3), (2, 2), (4, 4)]):
                    return None
                raise AssertionError(f"cell {(r, c)} shows {found}: neither {plain} nor shaded {over(plain)}")
        matches = [k for k, cells_of_k in enumerate(expected) if cells_of_k == shaded]
        assert matches, f"the shaded cells {sorted(shaded)} are no frame's window"
        return matches[0]

    def shot(name: str, budget: int) -> int:
        """The frame shown after `budget` ms of virtual time. Headless Chromium now and then captures the page before
        the image is drawn (a blank page), which says nothing about the SVG: that alone is retried."""
        for _ in range(3):
            frame = frame_shown(screenshot(page, tmp_path / name, budget))
            if frame is not None:
                return frame
        raise AssertionError(f"the <img> never painted within {budget} ms of virtual time")

    # Each screenshot shows exactly one frame's window. How much virtual time the image load eats varies with the
    # machine's load (CI once still showed frame 0 at 15 s), so later budgets are tried until the animation has
    # visibly moved on; within the first 90 s loop the frames shown never go backwards.
    seen = [shot("t0.png", 5000)]
    for budget in (15000, 25000, 45000):
        seen.append(shot(f"t{budget}.png", budget))
        if seen[-1] != seen[0]:
            break
    assert seen == sorted(seen), f"frames shown at growing budgets: {seen}"
    assert len(set(seen)) >= 2, f"the animation never moved on from frame {seen[0]} within 45 s of virtual time"
