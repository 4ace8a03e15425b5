"""``python -m bench --profile [--case NAME]`` or ``python -m bench.profile [--case NAME] [--m M]``:
where one glassnet epoch spends its time.

1. cProfile of one epoch (after one unprofiled warm-up epoch): the top 25 functions by cumulative
   time, then the top 15 by self time. cProfile does not see NumPy ufunc calls (``np.matmul``,
   ``np.multiply``, ``a @ b``, ...): their time is the *self* time of the Python function that
   calls them, so ``Dense.forward``'s self time is mostly its matrix product and ``Adam._apply``'s
   is its elementwise passes.
2. The self time grouped by glassnet module (layers, optimizers, activations, losses, training).
3. A breakdown timed in place, without the profiler: one more epoch of the same ``fit`` with a
   clock around each part the engine has (looked up by name, a missing one skipped): the matrix
   products, the mini-batch gather (each step of the loop's ``batches``: ``np.take`` into the
   reused buffer), ``Network.input_pipeline``, ``Network.train_step`` and ``evaluate_prepared``
   (their own glue), bias + activation, the activations' backward, output dZ, cost, metrics, the
   optimizer step, the rest of the layers' forward and backward (db sums, dropout, buffers).
   Nested parts count once (self time). Timing the parts where they run matters: a part alone with
   warm caches (``python -m bench.tricks``, row kernel_adam for Adam's step) can take half the time
   it takes inside the epoch, after the matrix products have pushed its vectors out of the caches.
"""

from __future__ import annotations

import cProfile
import io
import math
import pstats
import sys
import time
from pathlib import Path

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
    print_components(case, net, X, Y)
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


class SectionClock:
    """Self time per named section: a section's time excludes the sections called inside it."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._stack: list[float] = []  # time spent in nested sections, per open section

    def wrap(self, name: str, function):
        def timed(*args, **kwargs):
            self._stack.append(0.0)
            t0 = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - t0
                nested = self._stack.pop()
                self.seconds[name] = self.seconds.get(name, 0.0) + elapsed - nested
                self.calls[name] = self.calls.get(name, 0) + 1
                if self._stack:
                    self._stack[-1] += elapsed

        return timed


class _TimedNamespace:
    """Stands in for ``glassnet.layers.xp``: ``matmul`` timed, everything else passed through."""

    def __init__(self, namespace, matmul):
        self._namespace, self.matmul = namespace, matmul

    def __getattr__(self, name):
        return getattr(self._namespace, name)


def _timed_batches(clock: SectionClock, batches):
    """``_Loop.batches`` with a clock around each ``next``: the mini-batch gather (np.take into the buffer)."""
    def timed(self, order):
        generator = batches(self, order)
        step = clock.wrap("mini-batch gather", lambda: next(generator, None))
        while (batch := step()) is not None:
            yield batch
    return timed


def _patches(clock: SectionClock) -> list[tuple[object, str, object]]:
    """(owner, attribute, timed replacement) for each part this glassnet has; a part it lacks is left out.

    The engine changes: each part is looked up by name and skipped when absent, so the breakdown keeps
    working (with fewer rows) on older and newer loops alike.
    """
    from glassnet import activations, layers, losses, network, optimizers, training

    wanted = [
        (training, "batch_metric_sum", "metrics (accuracy)"),
        (optimizers.Optimizer, "step", "optimizer step"),
        (network.Network, "input_pipeline", "input pipeline"),
        (network.Network, "train_step", "train_step: the rest"),
        (network.Network, "evaluate_prepared", "evaluate (dev set)"),
        (network.Network, next((c for c in ("_data_cost_of_last_forward", "_cost_of_last_forward")
                                if hasattr(network.Network, c)), "-"), "cost"),
        (layers.Dense, "forward", "Dense forward/backward: the rest"),
        (layers.Dense, "backward", "Dense forward/backward: the rest"),
    ]
    for cls in (activations.Activation, *activations.ACTIVATIONS.values()):
        wanted += [(cls, method, name) for method, name in (("add_bias_and_activate", "bias + activation"),
                                                            ("backward", "activation backward"),
                                                            ("backward_and_sum", "activation backward + db"))
                   if method in vars(cls)]
    wanted += [(cls, "output_dZ", "output dZ") for cls in (losses.Loss, *losses.Loss.__subclasses__())
               if "output_dZ" in vars(cls)]
    patches = [(owner, attr, clock.wrap(name, getattr(owner, attr)))
               for owner, attr, name in wanted if callable(getattr(owner, attr, None))]
    if hasattr(getattr(layers, "xp", None), "matmul"):
        patches.append((layers, "xp", _TimedNamespace(layers.xp, clock.wrap("matrix products", layers.xp.matmul))))
    loop = getattr(training, "_Loop", None)
    if loop is not None and callable(getattr(loop, "batches", None)):
        patches.append((loop, "batches", _timed_batches(clock, loop.batches)))
    return patches


def print_components(case, net, X, Y) -> None:
    """One more epoch of ``net.fit`` with a clock around each part; the parts' self times and the rest."""
    import glassnet

    clock = SectionClock()
    patches = _patches(clock)
    missing = object()  # an attribute the owner inherits: deleted again afterwards, not shadowed
    saved = [(owner, attr, vars(owner).get(attr, missing)) for owner, attr, _ in patches]
    try:
        for owner, attr, replacement in patches:
            setattr(owner, attr, replacement)
        history = net.fit(X, Y, epochs=1, batch_size=case.batch, optimizer="adam", learning_rate=1e-3, seed=SEED + 3)
    finally:
        for owner, attr, original in reversed(saved):
            if original is missing:
                delattr(owner, attr)
            else:
                setattr(owner, attr, original)
    epoch = history["seconds"][0]
    batches = math.ceil(X.shape[1] / case.batch)
    flops = case.flops_per_epoch(X.shape[1])
    lines = [f"--- one epoch ({batches} mini-batches of {case.batch}) timed in place, self time of each part "
             f"(glassnet {glassnet.__version__})",
             f"  {'epoch':<36}{epoch:8.3f} s  100.0%"]
    for name, seconds in sorted(clock.seconds.items(), key=lambda kv: -kv[1]):
        extra = f"   ({flops / seconds / 1e9:.1f} GFLOP/s)" if name == "matrix products" else ""
        per_call = seconds / clock.calls[name] * 1e6
        lines.append(f"  {name:<36}{seconds:8.3f} s  {seconds / epoch:6.1%}   {per_call:7.0f} us per call{extra}")
    rest = epoch - sum(clock.seconds.values())
    lines.append(f"  {'the loop itself (slicing, Python)':<36}{rest:8.3f} s  {rest / epoch:6.1%}")
    print("\n".join(lines))


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n")[0])
    parser.add_argument("--case", default=next(iter(CASES)), choices=list(CASES), help="(default %(default)s)")
    parser.add_argument("--m", type=int, default=60_000, help="training examples (default %(default)s)")
    args = parser.parse_args(argv)
    return profile_case(args.case, m=args.m)


if __name__ == "__main__":
    raise SystemExit(main())
