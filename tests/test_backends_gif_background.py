"""Transparent GIFs: one transparent index and no partial alpha, so antialiased edges are kept, blended against the
view's `background` (the page the GIF sits on), and only pixels nothing covers turn transparent."""

from __future__ import annotations

import io

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from convanim.animation import animate
from convanim.backends.raster import frame_image
from convanim.cli import cli
from convanim.errors import SpecError
from convanim.view import make_view


def first_frame_rgba(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def test_transparent_gif_keeps_every_covered_pixel_blended_against_the_background(tmp_path):
    animation = animate("Conv2d(1, 1, 3)", input_size=4, transparent=True, background="#203040", caption=False)
    path = animation.save(tmp_path / "t.gif")
    gif = first_frame_rgba(path.read_bytes())
    rgba = np.asarray(frame_image(animation.scene, 0).convert("RGBA")).astype(np.int32)
    covered = rgba[..., 3] > 0
    assert (gif[..., 3][covered] == 255).all()  # no covered pixel dropped: 1 px lines stay continuous
    assert (gif[..., 3][~covered] == 0).all()
    partial = covered & (rgba[..., 3] < 200)
    assert partial.sum() > 100  # the antialiased edges this is about
    alpha = rgba[..., 3:4]
    expected = (rgba[..., :3] * alpha + np.array((0x20, 0x30, 0x40)) * (255 - alpha) + 127) // 255
    error = np.abs(gif[..., :3].astype(np.int32) - expected)[partial]
    assert np.percentile(error.max(axis=1), 95) <= 24  # palette rounding only; against white it would be ~200


def test_background_paints_an_opaque_figure_and_is_validated(tmp_path):
    image = frame_image(animate("Conv2d(1, 1, 3)", input_size=4, background="1e1e1e").scene, 0).convert("RGB")
    assert image.getpixel((0, 0)) == (0x1E, 0x1E, 0x1E)
    with pytest.raises(SpecError, match=r"^background: must be a colour as six hex digits"):
        make_view(background="blue")


def test_cli_background_flag(tmp_path):
    runner = CliRunner()
    out = tmp_path / "x.gif"
    result = runner.invoke(cli, ["render", "--input", "4", "--transparent", "--background", "#000000", "-o", str(out)])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(cli, ["render", "--input", "4", "--background", "nope", "-o", str(tmp_path / "y.gif")])
    assert bad.exit_code == 2 and bad.output.strip().splitlines()[-1].startswith("convanim: error: --background: must be")
    assert not (tmp_path / "y.gif").exists()
