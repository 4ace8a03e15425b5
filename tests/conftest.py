"""Shared helpers for the test suite."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import time
from pathlib import Path

# The suite runs as two pytest processes on two cores (README: pytest -n 2); its matrices are small.
# One BLAS thread per process, and per worker process the tests start (loky, Dask): more threads
# would only contend for the same two cores.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

SHARED_DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def _leave_without_teardown() -> None:  # pragma: no cover - runs after the session
    """An xdist worker's last act, once every result is sent and every other exit handler has run (registered
    first, it runs last): flush and leave, skipping the interpreter's teardown of the modules the tests loaded
    (PyTorch, scikit-learn, Dask, ...), about 2 s at the end of every suite that nothing reads."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if os.environ.get("PYTEST_XDIST_WORKER"):
    atexit.register(_leave_without_teardown)

# Debian's Chromium for the browser tests (the playground, JupyterLab), started headless with the flags a
# machine without a network needs; None where it is not installed (those tests skip).
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def two_sided_gradient(cost, theta: np.ndarray, epsilon: float = 1e-6) -> np.ndarray:
    """An independent numerical gradient: (J(θ+ε e_i) − J(θ−ε e_i)) / 2ε for every i."""
    theta = np.array(theta, dtype=np.float64)
    grad = np.empty_like(theta)
    for i in range(theta.size):
        old = theta[i]
        theta[i] = old + epsilon
        plus = cost(theta)
        theta[i] = old - epsilon
        minus = cost(theta)
        theta[i] = old
        grad[i] = (plus - minus) / (2 * epsilon)
    return grad


def make_problem(output, n_x=5, n_y=None, m=12, seed=0, int_labels=False):
    """Random (X, Y, n_y) for an output: 0/1 labels (sigmoid), classes (softmax), reals (linear)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    if output == "sigmoid":
        n_y = n_y or 1
        Y = (rng.random((n_y, m)) < 0.5).astype(float)
    elif output == "softmax":
        n_y = n_y or 3
        labels = rng.integers(0, n_y, m)
        Y = labels.reshape(1, -1) if int_labels else np.eye(n_y)[:, labels]
    else:
        n_y = n_y or 2
        Y = rng.standard_normal((n_y, m))
    return X, Y, n_y


def relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖ / (‖a‖ + ‖b‖), 0 when both are 0."""
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


@pytest.fixture(scope="session", autouse=True)
def one_blas_thread():
    """One BLAS thread in this process too (numpy may have started its pool before this file ran)."""
    with threadpool_limits(1):
        yield


@pytest.fixture
def shared_datasets() -> Path:
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"shared data sets not found at {SHARED_DATASETS}")
    return SHARED_DATASETS


def wait_until(condition, what: str, timeout: float = 30.0, every: float = 0.05):
    """Poll ``condition()`` until it is truthy, else fail naming ``what`` (pages under test forbid eval-based waits)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(every)


@pytest.fixture
def numpy_lines(monkeypatch):
    """Runs its argument with the NumPy lines (glassnet.kernels.compiled None) and returns its result."""
    from glassnet import kernels

    def run(function):
        with monkeypatch.context() as patch:
            patch.setattr(kernels, "compiled", None)
            return function()
    return run


def same_bits(a, b) -> bool:
    """Equal arrays, NaN for NaN and the sign of zero included (tobytes reads any layout in C order)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
