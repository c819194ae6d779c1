"""The committed gallery page in a real browser: headless Chromium, driven over the DevTools protocol on a pipe
(stdlib only). Every animation loads at its size, the console stays clean, and the controls step the frames.

Skipped when Chromium is absent, except under CI=true, where that is a failure (.ci/run installs it)."""

from __future__ import annotations

import base64
import io
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "gallery" / "index.html"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
WIDTH, HEIGHT = 1280, 1000


def find_browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but Chromium is not installed: .ci/run installs it with apt-get install -y chromium")
    pytest.skip("Chromium is not installed (apt-get install -y chromium); the browser test needs it")


class DevTools:
    """A minimal Chrome DevTools Protocol client over --remote-debugging-pipe: JSON messages ending in NUL."""

    def __init__(self, binary: str, profile: Path) -> None:
        to_browser_read, self.to_browser = os.pipe()
        self.from_browser, from_browser_write = os.pipe()
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-extensions", "--hide-scrollbars", "--force-color-profile=srgb",
                 f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"]
        # The browser reads commands on fd 3 and writes replies on fd 4.
        self.process = subprocess.Popen(
            ["bash", "-c", f'exec "$@" 3<&{to_browser_read} 4>&{from_browser_write}', "bash", binary, *flags],
            pass_fds=(to_browser_read, from_browser_write), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=open(profile / "browser.log", "wb"))
        os.close(to_browser_read)
        os.close(from_browser_write)
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def close(self) -> None:
        try:
            self.call("Browser.close", session=False, timeout=5)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.to_browser)
        os.close(self.from_browser)

    def call(self, method: str, params: dict[str, Any] | None = None, session: bool = True,
             timeout: float = 30) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._read(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise AssertionError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path, clip: dict[str, float] | None = None) -> bytes:
        params: dict[str, Any] = {"format": "png"}
        if clip:
            params["clip"] = {**clip, "scale": 1}
        data = base64.b64decode(self.call("Page.captureScreenshot", params)["data"])
        path.write_bytes(data)
        return data

    def click(self, x: float, y: float) -> None:
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_browser], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self.from_browser, 1 << 20)
            if not chunk:
                raise ConnectionError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(message)


@pytest.fixture()
def browser(tmp_path: Path) -> Any:
    binary = find_browser()
    profile = tmp_path / "profile"
    profile.mkdir()
    devtools = DevTools(binary, profile)
    try:
        target = devtools.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        devtools.session = devtools.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                         session=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            devtools.call(f"{domain}.enable")
        devtools.call("Emulation.setDeviceMetricsOverride",
                      {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})
        yield devtools
    finally:
        devtools.close()


def console_errors(events: list[dict[str, Any]]) -> list[str]:
    errors = []
    for event in events:
        params = event.get("params", {})
        if event.get("method") == "Runtime.exceptionThrown":
            errors.append(json.dumps(params["exceptionDetails"])[:300])
        elif event.get("method") == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            errors.append(json.dumps(params.get("args"))[:300])
        elif event.get("method") == "Log.entryAdded" and params["entry"].get("level") == "error":
            errors.append(f"{params['entry'].get('source')}: {params['entry'].get('text')} {params['entry'].get('url', '')}")
    return errors


def changed_pixels(first: bytes, second: bytes) -> float:
    """The share of pixels that differ between two PNG screenshots of one size."""
    from PIL import Image, ImageChops

    a, b = (Image.open(io.BytesIO(data)).convert("RGB") for data in (first, second))
    assert a.size == b.size
    difference = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > 24 else 0)
    return difference.histogram()[255] / (a.width * a.height)


CHECK_PAGE = """(async () => {
  await Promise.all([...document.images].map(i => i.decode().catch(() => null)));
  const images = [...document.images].map(i => ({src: i.getAttribute("src"), complete: i.complete,
                                                 width: i.naturalWidth, height: i.naturalHeight}));
  const svgs = [...document.querySelectorAll(".anim-stage > svg")].map(s => {
    const box = s.viewBox.baseVal, shown = s.getBoundingClientRect();
    return {card: s.closest(".anim").id, viewWidth: box.width, viewHeight: box.height,
            width: shown.width, height: shown.height, frames: Number(s.getAttribute("data-frames"))};
  });
  return {images, svgs, cards: document.querySelectorAll(".anim").length};
})()"""

FRAME_STATE = """(async () => {
  for (let i = 0; i < 2; i++) { await new Promise(done => requestAnimationFrame(done)); }  // let SMIL resample
  const card = document.getElementById(%s);
  const stage = card.querySelector(".anim-stage > svg").getBoundingClientRect();
  const button = name => { const r = card.querySelector(`[data-action="${name}"]`).getBoundingClientRect();
                           return [r.x + r.width / 2, r.y + r.height / 2]; };
  return {label: card.querySelector(".anim-frame").textContent,
          stage: {x: stage.x + scrollX, y: stage.y + scrollY, width: stage.width, height: stage.height},
          next: button("next"), prev: button("prev"), toggle: button("toggle")};
})()"""


def test_gallery_page_loads_cleanly_and_steps(browser: DevTools, tmp_path_factory: pytest.TempPathFactory,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert PAGE.is_file(), "gallery/index.html is missing: run 'convanim gallery'"
    shots = tmp_path_factory.mktemp("screenshots")
    browser.call("Page.navigate", {"url": PAGE.as_uri()})
    browser.wait_for("Page.loadEventFired")
    page = browser.evaluate(CHECK_PAGE)

    assert page["cards"] > 0 and len(page["svgs"]) == page["cards"]
    for image in page["images"]:
        assert image["complete"] and image["width"] > 0 and image["height"] > 0, image
    for svg in page["svgs"]:
        assert svg["viewWidth"] > 0 and svg["width"] > 100 and svg["frames"] > 0, svg
        shown, natural = svg["height"] / svg["width"], svg["viewHeight"] / svg["viewWidth"]
        assert abs(shown - natural) < 0.01, f"{svg['card']}: drawn at {svg['width']}x{svg['height']}, squashed"

    overview = shots / "gallery-top.png"
    browser.screenshot(overview)

    card = json.dumps("padding_strides")
    browser.evaluate(f"document.getElementById({card}).scrollIntoView({{block: 'start'}})")
    state = browser.evaluate(FRAME_STATE % card)
    browser.click(*state["toggle"])  # pause
    paused = browser.evaluate(FRAME_STATE % card)
    browser.click(*paused["next"])
    first = browser.evaluate(FRAME_STATE % card)
    clip = first["stage"]
    before = browser.screenshot(shots / "step-1.png", clip)
    browser.click(*first["next"])
    second = browser.evaluate(FRAME_STATE % card)
    after = browser.screenshot(shots / "step-2.png", clip)
    number = int(first["label"].split()[1])
    total = int(first["label"].split()[-1])
    assert second["label"] == f"frame {number % total + 1} / {total}", (first["label"], second["label"])
    assert changed_pixels(before, after) > 0.005, "stepping did not change the picture"
    browser.click(*second["prev"])
    assert browser.evaluate(FRAME_STATE % card)["label"] == first["label"]
    back = browser.screenshot(shots / "step-back.png", clip)
    assert changed_pixels(before, back) < 0.001, "stepping back did not bring back the same picture"
    card_shot = shots / "padding_strides-card.png"
    browser.screenshot(card_shot)

    assert console_errors(browser.events) == []
    with capsys.disabled():
        print(f"\ngallery screenshots: {overview} and {card_shot}")


TOC_BOXES = """(() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const nav = document.querySelector("nav");
  return {nav: box(nav), lists: [...nav.querySelectorAll("ol")].map(box),
          entries: [...nav.querySelectorAll("li a")].flatMap(a => [...a.getClientRects()].map(
            r => ({text: a.textContent, box: [r.left, r.top, r.right, r.bottom]})))};
})()"""


@pytest.mark.parametrize("width", [1400, 800])
def test_contents_entries_never_run_into_the_next_column(browser: DevTools, tmp_path: Path, width: int) -> None:
    """Each line of the contents ends at least 12 px before the next column's list (whose numbers sit in its left
    padding) and inside the page: built from this code and the committed SVGs, not the committed page."""
    from convanim.gallery.index import html_text
    from convanim.templates import load_templates

    page = tmp_path / "index.html"
    page.write_text(html_text(load_templates(), ROOT / "gallery"), encoding="utf-8")
    browser.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": HEIGHT, "deviceScaleFactor": 1,
                                                        "mobile": False})
    browser.call("Page.navigate", {"url": page.as_uri()})
    browser.wait_for("Page.loadEventFired")
    boxes = browser.evaluate(TOC_BOXES)
    columns = sorted({round(left) for left, *_ in boxes["lists"]})
    assert len(columns) >= 2, columns  # the contents do use columns at both widths
    for entry in boxes["entries"]:
        left, top, right, bottom = entry["box"]
        assert right <= boxes["nav"][2] + 0.5, entry
        for list_left, list_top, _, list_bottom in boxes["lists"]:
            if list_left > left and list_top < bottom and top < list_bottom:
                assert right + 12 <= list_left, (entry, list_left)
