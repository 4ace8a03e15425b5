"""Make the playground's screenshots in docs/ (English and Chinese, desktop and phone) with the system's Chromium.

    python tests/playground/make_screenshots.py [OUT_DIR]      (default: docs/)

Not a test. Desktop (1440 px): trains a network on spirals through the page, lowers the learning
rate while it runs (the change marked on the curves), runs the initialization race with gradient
descent, and plays "find the bug" to the answer; saved in both languages. Phone (390 px): circles
trained a while, the gradient check run; in both languages.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from glassnet.playground.server import BackgroundServer

ROOT = Path(__file__).resolve().parents[2]
SETUP = ("#data=spirals&points=500&noise=0.15&layers=10,10,10&act=tanh,tanh,tanh&init=xavier&lr=0.03&batch=32"
         "&speed=50&lang=en")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--hide-scrollbars"]


def until(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.1)


def dev_accuracy(page) -> float:
    return float(page.get_attribute("#dev-acc", "data-value") or 0)


def desktop(browser, url: str, out: Path) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
    page.goto(url + SETUP)
    until(lambda: "layers=10,10,10" in page.evaluate("location.hash") and page.inner_text("#layer-count") == "3")
    page.click("#play")
    until(lambda: dev_accuracy(page) >= 0.9, 90)
    page.select_option("#lr", "0.01")  # lowered while it runs: marked on the curves
    until(lambda: dev_accuracy(page) >= 0.97, 90)
    time.sleep(2.0)
    page.click("#play")
    page.click("#race")
    until(lambda: page.inner_text("#race-epoch").startswith("done"), 120)
    page.click("#quiz")
    until(lambda: page.is_enabled("#quiz-answer"))
    page.click("#gradcheck")
    until(lambda: page.inner_text("#gradcheck-verdict") != "")
    page.click("#quiz-reveal")
    until(lambda: "The answer" in page.inner_text("#quiz-result"))
    time.sleep(0.5)
    page.screenshot(path=str(out / "playground-en.png"), full_page=True)
    page.click("#lang-zh")
    time.sleep(0.5)
    page.screenshot(path=str(out / "playground-zh.png"), full_page=True)
    page.close()


def phone(browser, url: str, out: Path) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True,
                            has_touch=True)
    page.goto(url + "#data=circles&speed=20&lang=en")
    until(lambda: "data=circles" in page.evaluate("location.hash"))
    page.click("#play")
    until(lambda: dev_accuracy(page) >= 0.97, 60)
    time.sleep(1.0)
    page.click("#play")
    page.click("#gradcheck")
    until(lambda: page.inner_text("#gradcheck-verdict") != "")
    page.screenshot(path=str(out / "playground-phone-en.png"), full_page=True)
    page.click("#lang-zh")
    time.sleep(0.5)
    page.screenshot(path=str(out / "playground-phone-zh.png"), full_page=True)
    page.close()


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with BackgroundServer() as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        desktop(browser, server.url, out)
        phone(browser, server.url, out)
        browser.close()
    print(f"wrote playground-en.png, playground-zh.png, playground-phone-en.png, playground-phone-zh.png in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs")
