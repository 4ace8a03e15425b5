"""The playground end to end in a real headless Chromium (Playwright driving the system's Chromium).

Load the page, choose circles, two hidden layers and He, press play, wait until the page shows dev
accuracy >= 90 %, switch to 中文 and find a Chinese label, run the gradient check and read its
verdict, plant a bug and see the check fail; save a screenshot.
"""

from __future__ import annotations

import shutil
import time

import pytest

pytest.importorskip("starlette")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("no chromium binary on PATH (apt-get install chromium)", allow_module_level=True)

from glassnet.playground.server import BackgroundServer  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def wait_until(condition, what: str, timeout: float = 30.0):
    """Poll ``condition()`` until it is truthy (the page's CSP forbids Playwright's eval-based waits)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.05)


def address(page) -> str:
    """The page's location.hash, where it keeps its setup (page.url can lag behind history.replaceState)."""
    return page.evaluate("location.hash")


@pytest.fixture(scope="module")
def page():
    with BackgroundServer() as server, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.set_default_timeout(30_000)
            errors = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.errors = errors
            page.server_url = server.url
            yield page
        finally:
            browser.close()


def test_train_translate_check_and_plant_a_bug(page, tmp_path):
    # start from another setup, carried in the address
    page.goto(page.server_url + "#data=moons&layers=3&act=tanh&keep=1,1&init=xavier&lang=en")
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
    assert page.inner_text("#gradcheck") == "立即梯度检验"
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
    assert failed.startswith(("很可能有 bug", "可疑"))
    assert page.inner_text("#gradcheck-worst").startswith("差异最大的参数块：W")

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
