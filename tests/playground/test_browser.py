"""The playground end to end in a real headless Chromium (Playwright driving the system's Chromium).

Load the page, choose circles, two hidden layers and He, press play, wait until the page shows dev
accuracy >= 90 %, switch to 中文 and find a Chinese label, run the gradient check and read its
verdict, plant a bug and see the check fail; save a screenshot. Then, each on a page of its own
(one server and one browser for the module): the speed setting honoured, a learning rate changed
while it runs, find the bug, the initialization race under gradient descent, the phone layout, no
English left in 中文, and every state the page used to keep silent.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest

pytest.importorskip("starlette")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

from ..conftest import CHROMIUM, CHROMIUM_ARGS, wait_until  # noqa: E402

if CHROMIUM is None:
    pytest.skip("no chromium binary on PATH (apt-get install chromium)", allow_module_level=True)

from glassnet.playground.server import BackgroundServer  # noqa: E402


def address(page) -> str:
    """The page's location.hash, where it keeps its setup (page.url can lag behind history.replaceState)."""
    return page.evaluate("location.hash")


@pytest.fixture(scope="module")
def server():
    with BackgroundServer() as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def open_page(browser, url: str, width: int = 1440, height: int = 1000):
    """A new tab (its own session on the server), its errors collected, once the server's setup is in it."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(30_000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and "WebSocket" not in msg.text
            else None)
    page.errors = errors
    page.goto(url)
    wait_until(lambda: "data=" in address(page), "the server's setup in the address")
    return page


@pytest.fixture(scope="module")
def page(server, browser):
    page = open_page(browser, server.url)
    page.server_url = server.url
    yield page
    page.close()


@pytest.fixture
def fresh(server, browser):
    """open(hash="", width=1440, height=1000): new tabs for one test, closed after it."""
    pages = []

    def open_one(hash_: str = "", width: int = 1440, height: int = 1000):
        pages.append(open_page(browser, server.url + hash_, width, height))
        return pages[-1]

    yield open_one
    for p in pages:
        assert p.errors == [], p.errors
        p.close()


def epoch_of(page) -> int:
    return int(page.inner_text("#epoch").replace(",", ""))


def test_train_translate_check_and_plant_a_bug(page, tmp_path):
    # start from another setup, carried in the address
    page.goto(page.server_url + "#data=moons&layers=3&act=tanh&keep=1,1&init=xavier&speed=50&lang=en")
    wait_until(lambda: page.inner_text("#layer-count") == "1", "the setup from the address")
    assert "selected" in page.get_attribute("#dataset-moons", "class")

    page.click("#dataset-circles")
    wait_until(lambda: "selected" in (page.get_attribute("#dataset-circles", "class") or ""), "circles")
    page.click("#layers-add")
    wait_until(lambda: page.inner_text("#layer-count") == "2", "two hidden layers")
    page.select_option("#activation-1", "relu")
    wait_until(lambda: "act=relu" in address(page), "relu")
    page.select_option("#activation-2", "relu")
    wait_until(lambda: "act=relu,relu" in address(page), "relu, relu")
    page.select_option("#init", "he")
    wait_until(lambda: "init=he" in address(page) and page.input_value("#init") == "he", "He initialization")
    assert "data=circles" in address(page) and "layers=3,3" in address(page)

    page.click("#play")
    wait_until(lambda: float(page.get_attribute("#dev-acc", "data-value") or 0) >= 0.9, "dev accuracy >= 90 %")
    assert page.inner_text("#dev-acc").endswith("%")
    page.click("#play")  # pause
    wait_until(lambda: page.get_attribute("#play", "aria-pressed") == "false", "pause")
    assert page.locator("#unit-1-1 canvas").count() == 1 and page.locator("#layer-rows tr").count() == 3

    page.click("#lang-zh")
    assert page.inner_text("[data-i18n=dev_acc]") == "开发集准确率"
    assert page.inner_text("#gradcheck") == "立即做梯度检验"
    assert "lang=zh" in address(page)

    page.click("#gradcheck")
    verdict = wait_until(lambda: page.inner_text("#gradcheck-verdict"), "the gradient check's verdict")
    assert verdict.startswith("正确") and "通过" in verdict and "未通过" not in verdict
    assert page.inner_text("#gradcheck-difference").endswith(("e-8", "e-9", "e-10", "e-11", "e-12"))

    page.select_option("#l2", "0.1")  # the bug drops the L2 term: give it one
    wait_until(lambda: "l2=0.1" in address(page), "L2 0.1")
    page.select_option("#bug", "no_l2")
    page.click("#plant")
    wait_until(lambda: "已植入" in page.inner_text("#bug-status"), "the planted bug")
    page.click("#gradcheck")
    failed = wait_until(lambda: "未通过" in page.inner_text("#gradcheck-verdict") and page.inner_text(
        "#gradcheck-verdict"), "the check to fail")
    assert failed.startswith(("很可能有错误", "可疑"))
    assert page.inner_text("#gradcheck-worst").startswith("差异最大的参数块：W")
    assert "漏了 L2 项" in page.inner_text("#gradcheck-hints")  # the formula-level hint, in the main panel, in 中文

    shot = tmp_path / "playground.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    assert page.errors == []


def test_the_onnx_download_runs_in_onnxruntime(page, tmp_path):
    ort = pytest.importorskip("onnxruntime", reason="the .onnx download is checked in onnxruntime")
    import numpy as np

    with page.expect_download() as download:
        page.click("#export-onnx")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".onnx"
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    dtype = np.float32 if session.get_inputs()[0].type == "tensor(float)" else np.float64
    label, probabilities = session.run(None, {"X": np.array([[0.0, 0.0], [1.5, -1.5], [3.0, 3.0]], dtype)})
    assert label.shape == (3,) and set(label.tolist()) <= {0, 1} and probabilities.shape == (3, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)
    assert page.errors == []


# ---------------------------------------------------------------------------------- watchable, changeable


def test_the_speed_setting_is_honoured(fresh):
    page = fresh("#speed=20&lang=en")
    assert page.input_value("#speed") == "20"
    page.click("#play")
    wait_until(lambda: epoch_of(page) >= 2, "training at 20 epochs a second")
    t0, e0 = time.monotonic(), epoch_of(page)
    time.sleep(1.5)
    t1, e1 = time.monotonic(), epoch_of(page)
    page.click("#play")
    rate = (e1 - e0) / (t1 - t0)
    assert 16.0 <= rate <= 24.0, rate  # 20 epochs/s within 20 %
    page.select_option("#speed", "0")  # as fast as it goes
    assert "speed=0" in address(page)


def test_a_live_learning_rate_change_keeps_the_run_and_marks_the_curve(fresh):
    page = fresh("#speed=50&lang=en")
    page.click("#play")
    wait_until(lambda: epoch_of(page) >= 10, "10 epochs")
    run, before = page.get_attribute("#epoch", "data-run"), epoch_of(page)
    page.select_option("#lr", "0.001")
    wait_until(lambda: page.get_attribute("#cost-chart", "data-markers") == "1", "the change marked on the curve")
    wait_until(lambda: epoch_of(page) > before + 5, "training going on")
    assert page.get_attribute("#epoch", "data-run") == run  # the same run: no reset, the weights kept
    assert "learning rate 0.01 → 0.001" in page.inner_text("#changes")
    assert "weights and the epoch kept" in page.inner_text("#run-note") and "lr=0.001" in address(page)
    page.click("#play")
    page.click("[data-name=moons]")  # a new data set: a new run, and it says so
    wait_until(lambda: "New run from epoch 0: data changed" in page.inner_text("#run-note")
               and page.get_attribute("#cost-chart", "data-markers") == "0", "the new run said, its curve unmarked")
    assert not page.is_visible("#changes")


WITHOUT_SELECTS = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('select, script').forEach((el) => el.remove());
  return copy.textContent;
}"""


def test_find_the_bug_right_and_wrong(fresh, monkeypatch):
    from glassnet.playground import quiz

    monkeypatch.setattr(quiz, "choose", lambda pool, rng=None: ("db_no_m", 2))  # the server runs in this process
    page = fresh("#lang=en")
    page.click("#quiz")
    wait_until(lambda: page.is_visible("#quiz-panel") and page.is_enabled("#quiz-answer"), "the quiz")
    page.click("#gradcheck")
    wait_until(lambda: page.inner_text("#gradcheck-worst").startswith("Worst parameter block: b2"), "b2 worst")
    assert "held back" in page.inner_text("#gradcheck-hints-title") and page.inner_text("#gradcheck-hints") == ""
    # the page says nothing of the bug it hid, not even in hidden elements (the select lists every bug)
    said = page.evaluate(WITHOUT_SELECTS)
    assert not any(word in said for word in ("db_no_m", "db forgets", "1/m", "PlantedBug")), said
    page.select_option("#quiz-layer", "1")
    page.select_option("#quiz-formula", "dW")
    page.click("#quiz-answer")
    wait_until(lambda: "neither the layer nor the formula" in page.inner_text("#quiz-result"), "a wrong answer")
    assert "db[2]" not in page.inner_text("#quiz-result")
    page.select_option("#quiz-layer", "2")
    page.select_option("#quiz-formula", "db")
    page.click("#quiz-answer")
    wait_until(lambda: "Found it, in 2 answers" in page.inner_text("#quiz-result"), "the right answer")
    explained = page.inner_text("#quiz-result")
    assert "db[2] = np.sum(dZ[2], axis=1, keepdims=True) without the 1/m" in explained
    assert "db2 is off by a factor 32 = m: the 1/m is missing" in explained  # the hint, held back until now
    assert "the 1/m is missing" in page.inner_text("#gradcheck-hints")


def test_the_race_under_gradient_descent_ranks_he_first(fresh):
    page = fresh("#lang=en")
    assert page.input_value("#race-optimizer") == "gd" and page.input_value("#race-epochs") == "300"
    page.select_option("#race-epochs", "100")
    page.click("#race")
    wait_until(lambda: page.inner_text("#race-epoch").startswith("done: 100 epochs"), "the race", timeout=60)
    assert "gradient descent, α = 0.01" in page.inner_text("#race-epoch")
    costs = [float(page.get_attribute(f"#race-lanes .lane:nth-child({i})", "data-cost") or "inf") for i in (1, 2, 3)]
    zeros, big, he = costs  # zeros stay at chance; x10 ends far above He (or stops, its cost infinite)
    assert he < 0.5 < zeros < big and zeros == pytest.approx(0.693, abs=1e-3), costs
    he_dev = float(page.inner_text("#race-lanes .lane:nth-child(3) .lane-stats").split("dev ")[1].rstrip(" %"))
    big_dev = float(page.inner_text("#race-lanes .lane:nth-child(2) .lane-stats").split("dev ")[1].rstrip(" %"))
    assert he_dev > big_dev > 50.0


def test_a_phone_sees_everything_without_sideways_scrolling(fresh):
    page = fresh("#lang=zh", width=390, height=844)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for control in ("#play", "#speed", "#lr", "#dataset-spirals", "#layers-add", "#boundary", "#gradcheck", "#quiz",
                    "#race", "#export-script", "#lang-en"):
        page.locator(control).scroll_into_view_if_needed()
        box = page.locator(control).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (control, box)
    page.click("#step")
    wait_until(lambda: epoch_of(page) == 1, "a step on a phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


COLLECT_TEXT = """() => {
  const out = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!el || el.closest('code, pre, script, .hidden') || (el.closest('select') && el.tagName !== 'OPTION')) continue;
    const style = getComputedStyle(el);
    if (style.display !== 'none' && style.visibility !== 'hidden') out.push(walker.currentNode.textContent);
  }
  for (const el of document.querySelectorAll('[title], [aria-label]')) {
    if (!el.closest('.hidden')) out.push(el.getAttribute('title') || '', el.getAttribute('aria-label') || '');
  }
  return out.join('\\n');
}"""
# names kept as they are in Chinese texts: activations, initializers, optimizers, file formats, the library, code
ALLOWED = {"ReLU", "Leaky", "Adam", "He", "Xavier", "Glorot", "tanh", "sigmoid", "L2", "RMSprop", "Momentum", "XOR",
           "CSV", "ONNX", "onnxruntime", "Netron", "npz", "onnx", "Python", "glassnet", "dropout", "keep_prob", "x1",
           "x2", "dW", "db", "dZ", "dA", "A_prev", "English"}


def english_words(text: str) -> list[str]:
    text = re.sub(r"[\w.]+\.\w+\([^)]*\)", " ", text)  # a call written as code: glassnet.load(path)
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", text))
    return sorted(w for w in words if len(w) > 1 and w not in ALLOWED and not re.fullmatch(r"d?[Wb]\d+|e\d+", w))


def test_no_english_left_in_chinese(fresh):
    page = fresh("#lang=en&speed=0&l2=0.1")
    page.click("#play")
    wait_until(lambda: epoch_of(page) >= 20, "some training")
    page.click("#play")
    page.select_option("#lr", "0.003")  # a live change: its note and its line under the curve
    page.click("#quiz")
    page.click("#gradcheck")
    wait_until(lambda: page.inner_text("#gradcheck-verdict"), "the check")
    page.click("#quiz-answer")
    page.click("#quiz-reveal")
    wait_until(lambda: "The answer" in page.inner_text("#quiz-result"), "the answer")
    page.click("#race")
    wait_until(lambda: page.locator("#race-lanes .lane").count() == 3, "the race's lanes")
    page.click("#explain")
    page.focus("#lr")
    page.evaluate("document.querySelector('details').open = true")
    assert len(english_words(page.evaluate(COLLECT_TEXT))) > 30  # the check finds English where there is some
    page.click("#lang-zh")
    assert english_words(page.evaluate(COLLECT_TEXT)) == []
    assert page.evaluate("document.title") == "glassnet 游乐场"
    assert page.get_attribute("#play", "aria-label") == "开始或暂停"
    assert "：" in page.inner_text(".diagnosis") and page.inner_text("[data-i18n=scale]") == "缩放倍数"
    page.click("#race-stop")


# ---------------------------------------------------------------------------------- every state said once


def test_a_refused_tab_says_so_once(fresh, browser, server, monkeypatch):
    from glassnet.playground import server as server_module

    fresh("#lang=en")
    sessions = json.loads(urllib.request.urlopen(server.url + "healthz").read())["sessions"]
    monkeypatch.setattr(server_module, "MAX_SESSIONS", sessions)  # this server is full now
    page = browser.new_page()
    try:
        page.goto(server.url + "#lang=en")
        wait_until(lambda: "Too many tabs" in page.inner_text("#connection"), "the refusal")
        time.sleep(0.5)  # the server closes the socket after saying no: that is not a second message
        assert page.inner_text("#connection").startswith("Too many tabs are open (at most")
        assert "lost" not in page.inner_text("body") and not page.is_visible("#toast")
    finally:
        page.close()


def test_reset_address_reload_lost_connection_and_restart_are_said(browser):
    first = BackgroundServer().__enter__()
    second = None
    page = open_page(browser, first.url + "#lang=en&speed=0")
    try:
        page.click("#play")
        wait_until(lambda: epoch_of(page) >= 5, "training")
        page.click("#play")
        page.click("#reset")
        wait_until(lambda: "Reset: a fresh network with the same seed" in page.inner_text("#run-note"), "the reset")
        # the address edited on the open page is applied
        page.evaluate("location.hash = location.hash.replace('layers=8,8', 'layers=3').replace('relu,relu', 'tanh')")
        wait_until(lambda: page.inner_text("#layer-count") == "1", "the edited address")
        assert "New run from epoch 0: layers, activations changed" in page.inner_text("#run-note")
        assert page.text_content("#layer-count + span") == "hidden layer"  # not "1 hidden layers"
        page.click("#play")
        wait_until(lambda: epoch_of(page) >= 5, "training")
        page.reload()
        wait_until(lambda: "The page was reloaded" in page.inner_text("#toast"), "the reload said")
        # the setup kept: the new session's first state is the server's defaults (written to the address), then
        # the page sends the address's setup and writes the answer: one round trip after the toast, not before it
        wait_until(lambda: "layers=3" in address(page) and page.inner_text("#layer-count") == "1", "the setup kept")
        first.__exit__(None, None, None)  # the server goes away
        wait_until(lambda: "Connection to the server lost" in page.inner_text("#connection"), "the lost connection")
        page.click("#step")
        wait_until(lambda: "that was not sent" in page.inner_text("#toast"), "a click while disconnected")
        second = BackgroundServer(port=first.port).__enter__()  # and comes back, restarted
        wait_until(lambda: "The server had restarted" in page.inner_text("#toast"), "the restart said", timeout=20)
        wait_until(lambda: page.inner_text("#layer-count") == "1", "the setup sent to the new session")
        assert not page.is_visible("#connection")
        assert page.errors == [], page.errors
    finally:
        page.close()
        for running in (first, second):
            if running is not None and running.thread.is_alive():
                running.__exit__(None, None, None)
