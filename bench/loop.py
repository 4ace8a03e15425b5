"""``python -m bench.loop CASE [--trick NAME ...]``: a trick on and off inside the fit loop's own steps, µs a step.

The mini-batch step as ``training.py`` runs it (``MiniBatches.take`` → ``Network.train_step`` → the next
mini-batch's copy started → the accuracy's count → Adam), on the case's network and data (``bench.common``),
with one trick on and off in alternation every ``--steps`` steps for ``--rounds`` rounds. Printed: the median
µs a step each way and the median of the rounds' differences (off − on > 0: the trick saves time). Alternating
this finely lets the machine's drifts of speed (bench/README.md, "Shared machines") hit both ways alike; one
figure a minute or two, where a whole ``python -m bench`` run takes six. The tricks:

* products    the layers' products by ``kernels.matmul`` (NumPy's gemm call with β = 1 on a zeroed out: on)
              or by ``np.matmul`` (off)
* ahead       the next mini-batch copied on another core while this one steps (``MiniBatches.gather_next``:
              on) or when it is taken (off)
* kernels     the compiled kernels (on) or the NumPy lines beside each call (``kernels.compiled`` None: off)
* adam_pool   Adam's pass allowed on the kernels' pool (``compiled.min_parallel()`` as set: on) or held to
              the caller's thread (off)
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time

import numpy as np

import glassnet as gn
from glassnet import kernels, layers
from glassnet.metrics import batch_metric_sum
from glassnet.minibatches import MiniBatches

from .common import CASES, make_data


@contextlib.contextmanager
def _products(on: bool):
    layers.matmul = kernels.matmul if on else np.matmul
    try:
        yield
    finally:
        layers.matmul = kernels.matmul


@contextlib.contextmanager
def _ahead(on: bool):
    """Without it, ``gather_next`` does nothing and ``take`` copies the mini-batch when asked (as with one thread)."""
    saved = MiniBatches.gather_next
    if not on:
        MiniBatches.gather_next = lambda self, t: None
    try:
        yield
    finally:
        MiniBatches.gather_next = saved


@contextlib.contextmanager
def _kernels(on: bool):
    compiled = kernels.compiled
    if not on:
        kernels.compiled = None
    try:
        yield
    finally:
        kernels.compiled = compiled


@contextlib.contextmanager
def _adam_pool(on: bool):
    previous = kernels.compiled.min_parallel(-1)
    if not on:
        kernels.compiled.min_parallel(1 << 62)
    try:
        yield
    finally:
        kernels.compiled.min_parallel(previous)


TRICKS = {"products": _products, "ahead": _ahead, "kernels": _kernels, "adam_pool": _adam_pool}
COMPILED_ONLY = {"products", "ahead", "adam_pool"}


class Loop:
    """The case's network, Adam and mini-batches of its data; ``run(k)`` trains k more mini-batches."""

    def __init__(self, case, m: int, seed: int = 0):
        data, labels = make_data(m, case.dtype, n_x=case.layers[0], n_classes=case.layers[-1])
        self.net = gn.Network(list(case.layers), hidden_activation="relu", output_activation="softmax",
                              dtype=case.dtype, seed=seed)
        self.opt = gn.Adam(1e-3)
        self.opt.attach(self.net.parameter_shapes(), dtype=self.net.dtype)
        self.batches = MiniBatches(data, labels.reshape(-1, 1).astype(np.intp), None, case.batch)
        self.shuffle = np.random.default_rng(seed)
        self.t = len(self.batches)  # the next mini-batch of the epoch: none yet, so a shuffle first

    def run(self, k: int) -> None:
        net, opt, batches = self.net, self.opt, self.batches
        for _ in range(k):
            if self.t >= len(batches) - 1:  # a new epoch (the last, partial batch is left out: one size)
                batches.shuffle(self.shuffle.permutation(batches.m))
                self.t = 0
            Xb, Yb, _ = batches.take(self.t)
            _, AL = net.train_step(Xb, Yb)
            batches.gather_next(self.t)
            batch_metric_sum("softmax", AL, Yb)
            opt.step(net.theta, net.dtheta, 1e-3)
            self.t += 1
        batches.finish()  # the next copy lands before the other way runs


def measure(case_name: str, trick: str, steps: int = 40, rounds: int = 20, m: int = 20000) -> dict:
    """Median µs a step with the trick on and off, alternating every ``steps`` steps, and of the rounds' differences."""
    loop, switch = Loop(CASES[case_name], m), TRICKS[trick]
    for on in (True, False):  # warm-up: buffers, threads, the kernels' first measurements
        with switch(on):
            loop.run(steps)
    times = {True: [], False: []}
    for r in range(rounds):
        for on in ((True, False) if r % 2 == 0 else (False, True)):
            with switch(on):
                start = time.perf_counter()
                loop.run(steps)
                times[on].append((time.perf_counter() - start) / steps * 1e6)
    differences = [off - on for on, off in zip(times[True], times[False], strict=True)]
    return {"on_us": statistics.median(times[True]), "off_us": statistics.median(times[False]),
            "saves_us": statistics.median(differences), "off_over_on": statistics.median(
                [off / on for on, off in zip(times[True], times[False], strict=True)])}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loop", description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=[n for n, c in CASES.items() if c.kind == "train"])
    parser.add_argument("--trick", action="append", choices=sorted(TRICKS), help="default: every trick")
    parser.add_argument("--steps", type=int, default=40, help="mini-batches each way before switching")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--m", type=int, default=20000, help="examples in the data set the mini-batches come from")
    args = parser.parse_args(argv)
    print(f"{'trick':<12}{'on µs':>10}{'off µs':>10}{'saves µs':>10}{'off/on':>8}   ({args.case}, "
          f"{args.rounds} rounds of {args.steps} steps each way)")
    for trick in args.trick or sorted(TRICKS):
        if kernels.compiled is None and trick in COMPILED_ONLY:
            print(f"{trick:<12}{'the compiled kernels are not built':>38}")
            continue
        r = measure(args.case, trick, args.steps, args.rounds, args.m)
        print(f"{trick:<12}{r['on_us']:>10.1f}{r['off_us']:>10.1f}{r['saves_us']:>10.1f}{r['off_over_on']:>8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
