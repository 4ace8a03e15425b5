"""End to end: JupyterLab in a real headless Chromium (Playwright driving Debian's Chromium) opens an exercise
notebook written by `glassnet exercise new`, runs all its cells, and shows the rendered exercise report: the
planted mistake's diagnosis in the HTML block, the other function's check passed, the training cell's curves."""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import socket
import subprocess
import sys
import urllib.request

import pytest

# Whether they are installed, without importing them here (nbformat and jupyterlab take seconds to import, which
# every test process would pay while collecting this slow test); the fixture imports nbformat.
for _name in ("nbformat", "jupyterlab", "ipykernel"):
    if importlib.util.find_spec(_name) is None:
        pytest.skip(f"{_name} is not installed (pip install -e '.[test]')", allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

from ..conftest import CHROMIUM, CHROMIUM_ARGS, SHARED_DATASETS  # noqa: E402
from ..conftest import wait_until as shared_wait_until  # noqa: E402

if CHROMIUM is None:
    pytest.skip("no chromium binary on PATH (apt-get install chromium)", allow_module_level=True)

from glassnet.exercises import notebooks  # noqa: E402

PLANTED = ("def compute_cost(AL, Y):\n    m = Y.shape[1]\n"
           "    return -1 / m * (np.dot(Y, np.log(AL).T) + np.dot(1 - Y, np.log(1 - AL).T))")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, what: str, timeout: float = 60.0):
    """The shared poll with JupyterLab's longer patience (a kernel start takes seconds)."""
    return shared_wait_until(condition, what, timeout=timeout, every=0.2)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def lab(tmp_path):
    import nbformat

    if not (SHARED_DATASETS / "regularization-2d").is_dir():
        pytest.skip("the course's 2-D set is not in ../shared/datasets")
    nb = notebooks.notebook("broadcasting", "en", str(SHARED_DATASETS))
    for cell in nb.cells:
        meta = cell.metadata.get("glassnet", {})
        if meta.get("stub") == "linear_forward":
            cell.source = "from glassnet.exercises.helpers import linear_forward"
        elif meta.get("stub") == "compute_cost":
            cell.source = PLANTED
        elif "train" in meta:
            cell.source = re.sub(r"iterations, learning_rate = \d+, ", "iterations, learning_rate = 30, ", cell.source)
    nbformat.write(nb, str(tmp_path / "exercise.ipynb"))
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"))
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}", "--allow-root",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        wait_until(lambda: answers(f"http://127.0.0.1:{port}/api/status?token={token}"), "JupyterLab to start")
        yield f"http://127.0.0.1:{port}/lab/tree/exercise.ipynb?token={token}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


# A JupyterLab server and a browser cost about 30 s of CPU, a fifth of the default run's budget on two cores:
# run it with `pytest -m slow` (the notebooks themselves run in a real kernel in test_notebooks.py by default).
@pytest.mark.slow
def test_jupyterlab_runs_an_exercise_notebook_and_renders_the_report(lab, tmp_path):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(90_000)
            page.goto(lab)
            page.wait_for_selector(".jp-Notebook .jp-Cell")
            wait_until(lambda: "Idle" in page.inner_text(".jp-StatusBar-Widget, #jp-main-statusbar"),
                       "the kernel to be idle", timeout=90)
            page.click("li.lm-MenuBar-item:has-text('Run')")
            page.click("li.lm-Menu-item:has-text('Run All Cells')")
            page.wait_for_selector(".glassnet-exercise:has-text('FAILED')")
            reports = page.locator(".glassnet-exercise")
            wait_until(lambda: reports.count() == 2, "both check cells' reports")
            texts = [reports.nth(i).inner_text() for i in range(2)]
            assert "linear_forward: passed" in texts[0]
            assert "compute_cost: FAILED" in texts[1] and "where the course expects a number" in texts[1]
            assert "C1 §2.16" in texts[1]
            wait_until(lambda: "test accuracy: your functions" in page.inner_text(".jp-Notebook"),
                       "the training cell's output", timeout=60)
            page.screenshot(path=str(tmp_path / "jupyterlab.png"))
        finally:
            browser.close()
