"""Make the playground's screenshots in docs/ (English and Chinese) with the system's Chromium.

    python tests/playground/make_screenshots.py [OUT_DIR]      (default: docs/)

Not a test: it trains a network on spirals through the page, runs the gradient check and the
initialization race, and saves the page in both languages.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from glassnet.playground.server import BackgroundServer

ROOT = Path(__file__).resolve().parents[2]
SETUP = "#data=spirals&points=500&noise=0.15&layers=10,10,10&act=tanh,tanh,tanh&init=xavier&lr=0.03&batch=32&lang=en"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--hide-scrollbars"]


def until(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.1)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with BackgroundServer() as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
        page.goto(server.url + SETUP)
        until(lambda: page.inner_text("#layer-count") == "3" and "selected" in page.get_attribute(
            "#dataset-spirals", "class"))
        page.click("#play")
        until(lambda: float(page.get_attribute("#dev-acc", "data-value") or 0) >= 0.97, 90)
        time.sleep(2.0)
        page.click("#play")
        page.click("#race")
        until(lambda: "300" in page.inner_text("#race-epoch") and "/" not in page.inner_text("#race-epoch")
              and not page.is_visible("#race-stop"), 120)
        page.click("#gradcheck")
        until(lambda: page.inner_text("#gradcheck-verdict") != "")
        time.sleep(0.5)
        page.screenshot(path=str(out / "playground-en.png"), full_page=True)
        page.click("#lang-zh")
        time.sleep(0.5)
        page.screenshot(path=str(out / "playground-zh.png"), full_page=True)
        browser.close()
    print(f"wrote {out / 'playground-en.png'} and {out / 'playground-zh.png'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs")
