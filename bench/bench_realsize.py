"""Real-size layers with defaults (issue 11 targets): each renders in < 10 s on the 2-core machine into a file
< 5 MB, at most 1920x1080, looping in at most 60 s, with every plane label >= 13 px once the figure fills a 1080p
slide.

Run: python bench/bench_realsize.py [--out DIR]   (prints a Markdown table to paste into README.md; keeps the GIFs
and a PNG of three frames of each side by side in DIR, to look at)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

CASES = {  # name: the command line after `convanim render`, as a user would type it
    "course 2d: 32x32x3 -> 10, 5x5, pad 2": "--input 32 --in-channels 3 --out-channels 10 --kernel 5 --padding 2",
    "course 1d: 1000 words x 100 -> 100, k 5, pad 2": "--dims 1 --input 1000 --in-channels 100 --out-channels 100 "
                                                      "--kernel 5 --padding 2",
    "64x64 input": "--input 64",
    "3d 16x16x16 input": "--input 16x16x16",
}


def smallest_label(args: str) -> float:
    """The smallest plane label (bold text), in pixels, once the figure is scaled to fill 1920x1080."""
    from convanim import make_view
    from convanim.cli.options import spec_from_options
    from convanim.figures import build_scene
    from convanim.primitives import Text

    words = args.split()
    options = {"input_size": None, "dims": None}
    names = {"--input": "input_size", "--in-channels": "in_channels", "--out-channels": "out_channels",
             "--kernel": "kernel_size", "--padding": "padding", "--dims": "dims"}
    for flag, value in zip(words[::2], words[1::2]):
        options[names[flag]] = int(value) if names[flag] in ("in_channels", "out_channels", "dims") else value
    scene = build_scene(spec_from_options(options), make_view())
    grow = min(1920 / scene.width, 1080 / scene.height)
    return min(t.size for t in scene.items if isinstance(t, Text) and t.bold and t.text not in ("⋯", "⋮")) * grow


def frames_side_by_side(gif: Path, png: Path) -> None:
    image = Image.open(gif)
    picks = sorted({0, image.n_frames // 2, image.n_frames - 1})
    frames = []
    for t in picks:
        image.seek(t)
        frames.append(image.convert("RGB"))
    sheet = Image.new("RGB", (sum(f.width for f in frames), max(f.height for f in frames)), "white")
    x = 0
    for frame in frames:
        sheet.paste(frame, (x, 0))
        x += frame.width
    sheet.save(png)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=None)
    out = parser.parse_args().out or Path(tempfile.mkdtemp(prefix="convanim-realsize-"))
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "convanim", "render"]
    rows = []
    for k, (name, args) in enumerate(CASES.items()):
        gif = out / f"case{k}.gif"
        start = time.perf_counter()
        subprocess.run([*command, *args.split(), "-q", "-o", str(gif)], check=True)
        seconds = time.perf_counter() - start
        image = Image.open(gif)
        loop = 0
        for t in range(image.n_frames):
            image.seek(t)
            loop += image.info["duration"]
        frames_side_by_side(gif, out / f"case{k}.png")
        rows.append((name, f"{seconds:.2f}", f"{gif.stat().st_size / 1e6:.2f}", f"{image.size[0]}x{image.size[1]}",
                     image.n_frames, f"{loop / 1000:g}", f"{smallest_label(args):.1f}"))
    print("| layer (defaults) | seconds (whole command) | MB | pixels | frames | loop s | "
          "smallest label at 1080p, px |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(map(str, row)) + " |")
    print(f"\nGIFs and frame sheets in {out}")


if __name__ == "__main__":
    main()
