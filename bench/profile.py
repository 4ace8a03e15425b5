"""``python -m bench --profile [--case NAME]``: where one glassnet epoch spends its time.

1. cProfile of one epoch (after one unprofiled warm-up epoch): the top 25 functions by cumulative
   time, then the top 15 by self time. cProfile does not see NumPy ufunc calls (``np.matmul``,
   ``np.multiply``, ``a @ b``, ...): their time is the *self* time of the Python function that
   calls them, so ``Dense.forward``'s self time is mostly its matrix product and ``Adam._apply``'s
   is its elementwise passes.
2. The self time grouped by glassnet module (layers, optimizers, activations, losses, training).
3. A component breakdown timed without the profiler: the same epoch's matrix products alone (the
   shapes and memory layouts glassnet uses), its optimizer steps alone (glassnet's Adam on the
   flat vectors), its mini-batch gathers alone, and the rest (bias, activations, loss, metrics,
   Python) as epoch minus those.
"""

from __future__ import annotations

import cProfile
import io
import math
import pstats
import sys
import time
from pathlib import Path

import numpy as np

from .common import CASES, ROOT, make_data

SEED = 0


def _glassnet():
    src = str(ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    import glassnet

    return glassnet


def profile_case(name: str, m: int = 60_000) -> int:
    case = CASES[name]
    glassnet = _glassnet()
    data, labels = make_data(m, case.dtype)
    X, Y = data.T, labels.reshape(1, -1)
    net = glassnet.Network(list(case.layers), hidden_activation="relu", output_activation="softmax",
                           dtype=case.dtype, seed=SEED)
    print(f"profile of one glassnet epoch: {case.description}, m = {m:,}, glassnet from "
          f"{Path(glassnet.__file__).parent}", flush=True)
    warm = net.fit(X, Y, epochs=1, batch_size=case.batch, optimizer="adam", learning_rate=1e-3, seed=SEED)
    t0 = time.perf_counter()
    net.fit(X, Y, epochs=1, batch_size=case.batch, optimizer="adam", learning_rate=1e-3, seed=SEED + 1)
    plain = time.perf_counter() - t0
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    net.fit(X, Y, epochs=1, batch_size=case.batch, optimizer="adam", learning_rate=1e-3, seed=SEED + 2)
    profiler.disable()
    profiled = time.perf_counter() - t0
    print(f"warm-up epoch {warm['seconds'][0]:.3f} s; unprofiled epoch {plain:.3f} s; profiled epoch "
          f"{profiled:.3f} s (profiler overhead {profiled / plain - 1:+.0%})\n")

    stats = pstats.Stats(profiler)
    for order, count, title in (("cumulative", 25, "top 25 by cumulative time"),
                                ("tottime", 15, "top 15 by self time (NumPy ufuncs count in their caller)")):
        buffer = io.StringIO()
        stats.stream = buffer
        stats.sort_stats(order).print_stats(count)
        text = buffer.getvalue()
        start = text.find("   ncalls")
        print(f"--- {title}\n{text[start:].rstrip()}\n")

    print("--- self time by module (profiled epoch)")
    for module, seconds in by_module(stats):
        print(f"  {module:<34}{seconds:8.3f} s  {seconds / profiled:6.1%}")
    print()
    print_components(case, net, data, plain)
    return 0


def by_module(stats: pstats.Stats) -> list[tuple[str, float]]:
    """Self time summed per source file (glassnet modules by name, NumPy and builtins grouped)."""
    groups: dict[str, float] = {}
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        path = Path(filename)
        if "glassnet" in path.parts:
            key = "glassnet/" + "/".join(path.parts[path.parts.index("glassnet") + 1:])
        elif "numpy" in path.parts:
            key = "numpy (Python layer)"
        elif filename == "~":
            key = "builtins: " + _builtin_kind(function)
        else:
            key = "other Python"
        groups[key] = groups.get(key, 0.0) + tottime
    return sorted(groups.items(), key=lambda kv: -kv[1])


def _builtin_kind(function: str) -> str:
    for word in ("take", "matmul", "dot", "permutation", "reduce", "sum", "copy", "astype", "argmax", "empty"):
        if word in function:
            return word
    return "other"


def _timed(function, repeats: int = 3) -> float:
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - t0)
    return best


def print_components(case, net, data, epoch_seconds: float) -> None:
    """Time the epoch's matrix products, optimizer steps and gathers on their own (best of 3)."""
    dtype = np.dtype(case.dtype)
    m, n_x = data.shape
    batch = case.batch
    batches = math.ceil(m / batch)
    rng = np.random.default_rng(SEED)
    dims = list(case.layers)

    # gathers: np.take of the permuted rows into one reused (batch, n_x) buffer, as the fit loop does
    order = rng.permutation(m)
    xb = np.empty((batch, n_x), dtype=dtype)

    def gather():
        for start in range(0, m, batch):
            idx = order[start:start + batch]
            np.take(data, idx, axis=0, out=xb[:idx.size])

    # matrix products at glassnet's shapes and layouts: A0 = (n_x, batch) transpose view of the buffer
    Ws = [rng.standard_normal((dims[i + 1], dims[i])).astype(dtype) for i in range(len(dims) - 1)]
    Zs = [np.empty((n, batch), dtype=dtype) for n in dims[1:]]
    dZs = [rng.standard_normal((n, batch)).astype(dtype) for n in dims[1:]]
    dWs = [np.empty_like(W) for W in Ws]
    dAs = [np.empty((n, batch), dtype=dtype) for n in dims[1:-1]]
    A0 = xb.T

    def matmuls():
        for _ in range(batches):
            A = A0
            for W, Z in zip(Ws, Zs, strict=True):
                np.matmul(W, A, out=Z)  # Z = W A_prev
                A = Z
            for i in range(len(Ws) - 1, -1, -1):
                A_prev = A0 if i == 0 else Zs[i - 1]
                np.matmul(dZs[i], A_prev.T, out=dWs[i])  # dW = dZ A_prev^T
                if i > 0:
                    np.matmul(Ws[i].T, dZs[i], out=dAs[i - 1])  # dA_prev = W^T dZ

    lines = [f"--- components of one epoch ({batches} mini-batches of {batch}), each timed alone, best of 3"]
    t_gather = _timed(gather)
    t_matmul = _timed(matmuls)
    t_opt = None
    try:
        from glassnet.optimizers import get_optimizer

        opt = get_optimizer("adam", 1e-3)
        opt.attach(net.parameter_shapes(), dtype=net.dtype)
        theta = net.parameters_to_vector()
        grad = rng.standard_normal(theta.size).astype(dtype) * 1e-3

        def steps():
            for _ in range(batches):
                opt.step(theta, grad, 1e-3)

        t_opt = _timed(steps)
    except Exception as exc:  # the optimizer API is being reworked; say so instead of failing
        lines.append(f"  (optimizer not timed: {type(exc).__name__}: {exc})")
    flops = case.flops_per_epoch(m)
    lines.append(f"  {'epoch (unprofiled fit)':<40}{epoch_seconds:8.3f} s  100.0%")
    lines.append(f"  {'matrix products alone':<40}{t_matmul:8.3f} s  {t_matmul / epoch_seconds:6.1%}"
                 f"   ({flops / t_matmul / 1e9:.1f} GFLOP/s)")
    if t_opt is not None:
        per_step = t_opt / batches * 1e6
        lines.append(f"  {'Adam steps alone (glassnet optimizer)':<40}{t_opt:8.3f} s  {t_opt / epoch_seconds:6.1%}"
                     f"   ({per_step:.0f} us per step, {net.n_params:,} parameters)")
    lines.append(f"  {'mini-batch gathers alone (np.take)':<40}{t_gather:8.3f} s  {t_gather / epoch_seconds:6.1%}")
    rest = epoch_seconds - t_matmul - t_gather - (t_opt or 0.0)
    lines.append(f"  {'rest: bias, activations, loss, Python':<40}{rest:8.3f} s  {rest / epoch_seconds:6.1%}")
    print("\n".join(lines))
