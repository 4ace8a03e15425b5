"""The machine's matrix-product peak, measured: numpy matmul of large square matrices, best of several.

GFLOP/s = 2·n³ / seconds for C = A @ B with A, B (n, n). The best over sizes and tries is the
"peak" that the training cases are compared against (what this BLAS, with these threads, reaches
on the easiest possible product).
"""

from __future__ import annotations

import time

import numpy as np

from .common import blas_info

SIZES = (2048, 4096)
TRIES = 4


def matmul_gflops(n: int, dtype, tries: int = TRIES, seed: int = 0) -> float:
    """Best GFLOP/s of ``np.matmul(A, B, out=C)`` for (n, n) matrices over ``tries`` timed runs (one warm-up)."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, n), dtype=dtype)  # drawn in the dtype: no float64 temporaries in memory
    B = rng.standard_normal((n, n), dtype=dtype)
    C = np.empty((n, n), dtype=dtype)
    np.matmul(A, B, out=C)
    best = float("inf")
    for _ in range(tries):
        t0 = time.perf_counter()
        np.matmul(A, B, out=C)
        best = min(best, time.perf_counter() - t0)
    return 2.0 * n**3 / best / 1e9


def matmul_peak(quick: bool = False) -> dict:
    """{"float32": {"gflops": best, "by_size": {n: gflops}}, "float64": {...}, "blas": [...]}."""
    sizes, tries = ((2048,), 2) if quick else (SIZES, TRIES)
    result = {}
    for dtype in ("float32", "float64"):
        by_size = {str(n): matmul_gflops(n, dtype, tries) for n in sizes}
        result[dtype] = {"gflops": max(by_size.values()), "by_size": by_size, "tries": tries}
    result["blas"] = blas_info()
    return result
