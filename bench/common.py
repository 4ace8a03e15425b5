"""Shared pieces of the benchmark: the cases, the synthetic data, FLOP counts, memory and machine facts.

Nothing here imports glassnet, torch or scikit-learn: each framework is imported only inside its own
worker subprocess, so one framework's libraries never count in another's peak RSS.
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
"""The repository root (the parent of bench/)."""

N_EXAMPLES = 60_000
N_FEATURES = 784
N_CLASSES = 10
DATA_SEED = 0
CLASS_SEPARATION = 0.1
"""Standard deviation of the class means (noise has standard deviation 1): a few epochs reach about
90 % training accuracy, so the task is learnable but the loss never collapses to 0 (no denormal
gradients to skew the timings)."""

FRAMEWORKS = ("glassnet", "pytorch", "sklearn")
"""The default frameworks of the training cases."""
OPTIONAL_FRAMEWORKS = ("glassnet-1t",)
"""Selectable with --frameworks: glassnet-1t is glassnet with one BLAS thread (threadpoolctl)."""
FLOOR = "floor"
"""The products-alone floor, run with every training case: only the matrix products of each mini-batch
(forward W A, backward dZ A^T and W^T dZ) with the case's shapes, nothing else (bench.worker.train_floor)."""
BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
"""Environment variables that slow a current OpenBLAS down on this kind of machine (see README)."""


@dataclass(frozen=True)
class Case:
    """One benchmark case. ``kind`` is "train" (the three frameworks), "gradcheck" or "augment"."""

    name: str
    kind: str
    description: str
    layers: tuple[int, ...] = ()
    batch: int = 0
    dtype: str = "float32"
    targets: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def weights(self) -> int:
        """Σ n[l]·n[l-1]: the multiply-adds of one example's forward pass (biases left out)."""
        return sum(a * b for a, b in zip(self.layers[:-1], self.layers[1:], strict=False))

    @property
    def parameters(self) -> int:
        return self.weights + sum(self.layers[1:])

    def flops_per_epoch(self, m: int) -> float:
        """6 · weights · m: forward 2·W·m, backward 4·W·m (dW and dA_prev)."""
        return 6.0 * self.weights * m

    @property
    def architecture(self) -> str:
        return "-".join(str(n) for n in self.layers)


CASES: dict[str, Case] = {
    c.name: c
    for c in (
        Case("mlp512-b128", "train", "784-512-256-10, batch 128, float32", (784, 512, 256, 10), 128, "float32",
             targets={"vs_pytorch": 1.0, "vs_sklearn": 0.6, "rss_vs_pytorch": 1.0}),
        Case("mlp512-b512", "train", "784-512-256-10, batch 512, float32", (784, 512, 256, 10), 512, "float32",
             targets={"peak_fraction": 0.75, "rss_vs_pytorch": 1.0}),
        Case("deep128-b128", "train", "784-128-128-128-128-10, batch 128, float32",
             (784, 128, 128, 128, 128, 10), 128, "float32", targets={"vs_pytorch": 1.1, "rss_vs_pytorch": 1.0}),
        Case("mlp512-b128-f64", "train", "784-512-256-10, batch 128, float64", (784, 512, 256, 10), 128, "float64",
             targets={"rss_vs_pytorch": 1.0}),
        Case("gradcheck", "gradcheck", "exact-mode gradient check, 64-100-32-10 (10 062 parameters), m = 32",
             (64, 100, 32, 10), 32, "float64"),
        Case("augment", "augment", "flip+crop+rotate on a batch of 128 images 28x28x1, float32",
             (28, 28, 1), 128, "float32"),
    )
}
QUICK_GRADCHECK_LAYERS = (32, 40, 10)


def make_data(m: int = N_EXAMPLES, dtype="float32", n_x: int = N_FEATURES, n_classes: int = N_CLASSES,
              seed: int = DATA_SEED) -> tuple[np.ndarray, np.ndarray]:
    """MNIST-shaped synthetic data: ``data`` (m, n_x) C-contiguous (example-major), ``labels`` (m,) int64.

    x = μ[label] + noise, μ ~ N(0, CLASS_SEPARATION²) per class and feature, noise ~ N(0, 1). Generated
    in float32 chunk by chunk (no full-size temporary), so the float64 data holds the same numbers.
    """
    rng = np.random.default_rng(seed)
    means = (rng.standard_normal((n_classes, n_x)) * CLASS_SEPARATION).astype(np.float32)
    labels = rng.integers(0, n_classes, size=m, dtype=np.int64)
    data = np.empty((m, n_x), dtype=dtype)
    chunk = 4096
    for start in range(0, m, chunk):
        stop = min(start + chunk, m)
        block = rng.standard_normal((stop - start, n_x), dtype=np.float32)
        block += means[labels[start:stop]]
        data[start:stop] = block
    return data, labels


# ------------------------------------------------------------------------------------------ memory
def peak_rss_mb() -> float:
    """This process's peak resident set size so far (ru_maxrss), in MiB."""
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


def current_rss_mb() -> float | None:
    """This process's resident set size now, in MiB (None where /proc is missing)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError, IndexError):
        return None


# ------------------------------------------------------------------------------------------ contention
QUIET_SHARE = 0.10
"""An epoch is "quiet" when other processes used less than this share of the machine's CPU capacity."""


def machine_busy_seconds() -> float | None:
    """CPU seconds the whole machine has been busy since boot (user+nice+system+irq+softirq, /proc/stat)."""
    try:
        with open("/proc/stat") as f:
            fields = [float(v) for v in f.readline().split()[1:8]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU seconds of this process, all its threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class EpochStamps:
    """(time, machine busy, own CPU) at each epoch boundary, giving each epoch's share of "others".

    others(epoch) = (Δ machine busy − Δ own CPU) / (cores × Δ time): how much of the machine other
    processes used while that epoch ran. ``mark()`` at the start of training and after each epoch.
    """

    def __init__(self):
        self.stamps: list[tuple[float, float | None, float]] = []
        self.cores = cpu_count()

    def mark(self) -> None:
        import time

        self.stamps.append((time.perf_counter(), machine_busy_seconds(), own_cpu_seconds()))

    def others(self) -> list[float | None]:
        shares = []
        for (t0, b0, c0), (t1, b1, c1) in zip(self.stamps[:-1], self.stamps[1:], strict=False):
            if b0 is None or b1 is None or t1 <= t0:
                shares.append(None)
            else:
                shares.append(max(0.0, ((b1 - b0) - (c1 - c0)) / (self.cores * (t1 - t0))))
        return shares


# ------------------------------------------------------------------------------------------ machine
def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return platform.processor() or platform.machine()


def blas_info() -> list[dict]:
    """threadpoolctl's view of the BLAS and OpenMP libraries loaded in this process (kernel, threads)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"note": "threadpoolctl is not installed (pip install -e '.[bench]')"}]
    keys = ("user_api", "internal_api", "prefix", "version", "architecture", "num_threads", "threading_layer",
            "filepath")
    return [{k: info.get(k) for k in keys if k in info} for info in threadpool_info()]


def describe_blas(info: list[dict]) -> str:
    """One line per BLAS library: 'openblas 0.3.31 (Haswell kernel, 2 threads, pthreads) numpy.libs/...'."""
    lines = []
    for lib in info:
        if lib.get("user_api") != "blas":
            continue
        where = "/".join(Path(lib.get("filepath", "")).parts[-2:])
        lines.append(f"{lib.get('internal_api')} {lib.get('version')} ({lib.get('architecture')} kernel, "
                     f"{lib.get('num_threads')} threads, {lib.get('threading_layer')}) {where}")
    return "; ".join(lines) or "no BLAS library reported"


def blas_env() -> dict[str, str]:
    """The OPENBLAS_* variables that are set (they slow a current numpy on this machine)."""
    return {k: os.environ[k] for k in BLAS_ENV if k in os.environ}


def git_commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "src"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return head + (" (+ uncommitted changes in src/)" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def median(values) -> float:
    return float(np.median(values)) if len(values) else float("nan")
