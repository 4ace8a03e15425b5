"""What each speed trick of the engine still buys: one process, tricks on and off, interleaved.

    python -m bench.tricks                 # 784-512-256-10, batch 128, float32, Adam; ~2 min
    python -m bench.tricks --batch 512 --repeats 9 --dtype float64
    python -m bench.tricks --threshold     # the kernels on 2 threads against 1, by size

Each trick is timed on and off in alternation (A B A B ...) on the same network and data, so a
change in the machine's speed hits both alike; the figure is the median ratio off/on over the
repeats (> 1: the trick saves time). What is timed is the part of a training step the trick is
for:

* reuse_buffers    forward + backward of one mini-batch with the layers' Z, A and dA arrays kept
                   between batches (on) or allocated anew (off)
* kernels          the same step (forward, backward, Adam) with the compiled kernels or the NumPy
                   lines beside each call (glassnet.kernels.compiled set to None)
* threads          the same step with the kernels on every core or on one (threadpoolctl's
                   "openmp" limit; BLAS keeps its threads)
* kernel_NAME      each kernel alone against its NumPy lines, on the first layer's arrays (Adam: all
                   of θ; gather: one mini-batch from 16 384 examples, 51 MB)
* threads_NAME     each kernel alone with its helper threads allowed against one thread, at the
                   default threshold (compiled.min_parallel(): smaller kernels run on one either way)
* adaptive         the training step with compiled.adaptive() on (a large kernel runs the way, pool or
                   one thread, that has been faster for its size) against off (the pool for every large one)
* pool_after_product  Adam on θ right after a matrix product, as in a training loop (BLAS's threads
                   still waiting on the cores): the pool for it (on) against one thread (off)
* gather_ahead     eight of the fit loop's steps (bench.loop.Loop: gather, forward, backward, accuracy, Adam)
                   with each next mini-batch copied on another core while this one steps
                   (MiniBatches.gather_next: on) or when taken (off)
* beta_products    forward + backward of one mini-batch with the layers' products by kernels.matmul (NumPy's
                   gemm call with beta = 1 on an out zeroed first: on) or by np.matmul (beta = 0: off)
* huge_pages       Adam's step on flat vectors from backend.zeros_vector (2 MiB-aligned,
                   madvise(MADV_HUGEPAGE)) or from np.zeros, after a matrix product evicted them
* gather_clip      np.take(..., out=buffer, mode="clip") or the default mode, one mini-batch
* example_major    the gather of one mini-batch from example-major (m, n_x) storage or from
                   feature-major (n_x, m) storage
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time

import numpy as np

import glassnet as gn
from glassnet import backend, kernels

from .common import Case
from .loop import TRICKS, Loop


def _timed(function, inner: int, setup=None) -> float:
    """Mean seconds of ``function`` over ``inner`` calls; ``setup`` runs before each call, untimed."""
    total = 0.0
    for _ in range(inner):
        if setup is not None:
            setup()
        start = time.perf_counter()
        function()
        total += time.perf_counter() - start
    return total / inner


def _ab(on, off, repeats: int, inner: int, setup=None, one_thread: bool = False) -> dict:
    """Median times of ``on`` and ``off`` and of their ratio, interleaved; ``one_thread``: ``off`` is ``on``
    with the kernels' OpenMP threads limited to one (threadpoolctl, set outside the timed calls)."""
    from threadpoolctl import threadpool_limits

    ratios, t_on, t_off = [], [], []
    for _ in range(repeats):
        a = _timed(on, inner, setup)
        with threadpool_limits(limits=1, user_api="openmp") if one_thread else contextlib.nullcontext():
            b = _timed(off, inner, setup)
        t_on.append(a)
        t_off.append(b)
        ratios.append(b / a)
    return {"on_ms": 1e3 * statistics.median(t_on), "off_ms": 1e3 * statistics.median(t_off),
            "off_over_on": statistics.median(ratios)}


def measure(layers=(784, 512, 256, 10), batch: int = 128, repeats: int = 7, inner: int = 20,
            dtype: str = "float32") -> dict:
    rng = np.random.default_rng(0)
    m = max(8 * batch, 16384)  # 51 MB of float32: more than the caches hold, as a data set is
    data = rng.standard_normal((m, layers[0]), dtype=np.float32).astype(dtype)  # example-major, as images load
    labels = rng.integers(0, layers[-1], (1, batch))
    net = gn.Network(list(layers), output_activation="softmax", dtype=dtype, seed=0)
    opt = gn.Adam(1e-3)
    opt.attach(net.parameter_shapes(), dtype=net.dtype)
    Xb = np.ascontiguousarray(data[:batch]).T
    results = {}

    def step(reuse: bool, adam: bool = True):
        def run():
            net._forward(Xb, training=True, reuse_buffers=reuse)
            net._backward(labels, reuse_buffers=reuse)
            if adam:
                opt.step(net.theta, net.dtheta, 1e-3)
        return run

    results["reuse_buffers"] = _ab(step(True, adam=False), step(False, adam=False), repeats, inner)

    if kernels.compiled is None:
        results["kernels"] = {"skipped": "not built"}
    else:
        results["kernels"] = _ab(step(True), _switched(TRICKS["kernels"], step(True)), repeats, inner)
        results["threads"] = _ab(step(True), step(True), repeats, inner, one_thread=True)
        results["adaptive"] = _ab(step(True), _with_adaptive(step(True), False), repeats, inner)
        results["pool_after_product"] = _pool_after_product(net, opt, Xb, repeats, inner)
        steps = Loop(Case("tricks", "train", "the network above", tuple(layers), batch, dtype), m)

        def eight():  # the fit loop's step, eight times: X{t+1} copied ahead, or when taken
            steps.run(8)
        results["gather_ahead"] = _ab(eight, _switched(TRICKS["ahead"], eight), repeats, max(1, inner // 8))
        results["beta_products"] = _ab(step(True, adam=False), _switched(TRICKS["products"], step(True, adam=False)),
                                       repeats, inner)
        order = rng.permutation(m)[:batch]
        results.update(_kernels_alone(net, opt, Xb, labels, data, order, repeats, inner))

    n = net.n_params
    evict = [np.ones(8 << 20, np.float32), np.empty(8 << 20, np.float32)]  # 2 x 32 MiB

    def flush():
        """What the products of a training step do: push the flat vectors out of the caches."""
        np.copyto(evict[1], evict[0])

    def adam_on(vectors):
        theta, grad, v, s = vectors
        return lambda: opt._apply(theta, grad, {"v": v, "s": s}, None, 1e-3)

    huge = [backend.zeros_vector(n, dtype) for _ in range(4)]
    plain = [np.zeros(n, dtype) for _ in range(4)]
    for vectors in (huge, plain):
        vectors[1][...] = rng.standard_normal(n)
    opt.t = 10
    results["huge_pages"] = _ab(adam_on(huge), adam_on(plain), repeats, inner, setup=flush)

    order = rng.permutation(m)[:batch]
    buffer = np.empty((batch, layers[0]), dtype)
    results["gather_clip"] = _ab(lambda: np.take(data, order, axis=0, out=buffer, mode="clip"),
                                 lambda: np.take(data, order, axis=0, out=buffer), repeats, inner * 5)
    feature_major = np.ascontiguousarray(data.T)
    buffer_t = np.empty((layers[0], batch), dtype)
    results["example_major"] = _ab(lambda: np.take(data, order, axis=0, out=buffer, mode="clip"),
                                   lambda: np.take(feature_major, order, axis=1, out=buffer_t, mode="clip"),
                                   repeats, inner * 5)
    return results


def _switched(switch, function):
    """``function`` with one of ``bench.loop``'s switches off for its duration (the trick's "off" way)."""
    def run():
        with switch(False):
            function()
    return run


def _with_adaptive(function, on: bool):
    """``function`` with compiled.adaptive set to ``on`` for its duration."""
    def run():
        previous = kernels.compiled.adaptive(on)
        try:
            function()
        finally:
            kernels.compiled.adaptive(previous)
    return run


def _pool_after_product(net, opt, Xb, repeats: int, inner: int) -> dict:
    """Adam on θ right after the first layer's product, timed alone: the pool forced (on) against one thread (off)."""
    from threadpoolctl import threadpool_limits

    layer = net.layers[0]
    Z = np.empty((layer.W.shape[0], Xb.shape[1]), layer.W.dtype)

    def timed():
        total = 0.0
        for _ in range(inner):
            np.matmul(layer.W, Xb, out=Z)
            start = time.perf_counter()
            opt.step(net.theta, net.dtheta, 1e-3)
            total += time.perf_counter() - start
        return total / inner

    previous = kernels.compiled.adaptive(False)  # the pool from min_parallel() on, as before adaptive
    try:
        ratios, t_on, t_off = [], [], []
        for _ in range(repeats):
            a = timed()
            with threadpool_limits(limits=1, user_api="openmp"):
                b = timed()
            t_on.append(a)
            t_off.append(b)
            ratios.append(b / a)
    finally:
        kernels.compiled.adaptive(previous)
    return {"on_ms": 1e3 * statistics.median(t_on), "off_ms": 1e3 * statistics.median(t_off),
            "off_over_on": statistics.median(ratios)}


def _kernel_calls(net, opt, Xb, labels) -> dict:
    """name: a call of one kernel's public caller, on the first layer's arrays (Adam: on all of θ)."""
    layer = net.layers[0]
    Z = layer.W @ Xb
    out, dA, db = np.empty_like(Z), np.ones_like(Z), np.empty((Z.shape[0], 1), Z.dtype)
    AL = np.abs(net.layers[-1].W @ net.layers[-2].W @ Z)
    AL /= AL.sum(axis=0, keepdims=True)
    relu, leaky, tanh = gn.activations.ReLU(), gn.activations.LeakyReLU(0.01), gn.activations.Tanh()
    T = np.tanh(Z)
    theta, grad = net.theta, net.dtheta
    return {
        "adam": lambda: opt.step(theta, grad, 1e-3),
        "bias_relu": lambda: relu.add_bias_and_activate(Z, layer.b, out),
        "bias_leaky": lambda: leaky.add_bias_and_activate(Z, layer.b, out),
        "relu_back": lambda: relu.backward(dA, Z, out, out=dA),
        "relu_back_db": lambda: relu.backward_and_sum(dA, Z, out, db),
        "tanh_back_db": lambda: tanh.backward_and_sum(dA, Z, T, db),
        "output_dz": lambda: net.loss.output_dZ(AL, labels, scale=1.0 / AL.shape[1]),
    }


def _kernels_alone(net, opt, Xb, labels, data, order, repeats: int, inner: int) -> dict:
    """Each compiled kernel against the NumPy lines beside its call (kernel_*), and on 2 threads against 1
    (threads_*)."""
    results = {}
    for name, call in _kernel_calls(net, opt, Xb, labels).items():
        results[f"kernel_{name}"] = _ab(call, _switched(TRICKS["kernels"], call), repeats, inner)
        results[f"threads_{name}"] = _ab(call, call, repeats, inner, one_thread=True)
    buffer = np.empty((order.size, data.shape[1]), data.dtype)

    def gather():  # the fit loop's mini-batch: the kernel, or its NumPy line
        kernels.compiled.gather(data, order, buffer)

    results["kernel_gather"] = _ab(gather, lambda: np.take(data, order, axis=0, out=buffer, mode="clip"), repeats,
                                   inner * 5)
    results["threads_gather"] = _ab(gather, gather, repeats, inner * 5, one_thread=True)
    return results


def threshold(repeats: int = 7, inner: int = 50) -> dict:
    """Seconds of the ReLU backward + db kernel and of Adam on 2 threads and on 1, by size: where 2 starts to pay."""
    rng = np.random.default_rng(0)
    rows, relu = {}, gn.activations.ReLU()
    for n in (1024, 4096, 8192, 16384, 32768, 65536, 262144):
        dA, Z = rng.standard_normal((2, n // 128, 128), dtype=np.float32)
        db = np.empty((n // 128, 1), np.float32)
        W, g, v, s = (rng.random(n, dtype=np.float32) for _ in range(4))

        def back(dA=dA, Z=Z, db=db):
            relu.backward_and_sum(dA, Z, Z, db)

        def adam(W=W, g=g, v=v, s=s):
            kernels.compiled.adam(W, g, v, s, 0.9, 0.999, 1e-3, 1e-8)

        previous = kernels.compiled.min_parallel(0)  # every size on every thread
        adaptive = kernels.compiled.adaptive(False)  # the pool itself, not the faster way
        try:
            back, adam = (_ab(f, f, repeats, inner, one_thread=True) for f in (back, adam))
        finally:
            kernels.compiled.min_parallel(previous)
            kernels.compiled.adaptive(adaptive)
        rows[f"relu_back_db {n * 12 // 1024} KiB"] = back
        rows[f"adam {n * 28 // 1024} KiB"] = adam
    return rows


def _print(results: dict) -> None:
    print(f"{'trick':<26}{'on (ms)':>10}{'off (ms)':>10}{'off/on':>9}")
    for name, r in results.items():
        if "skipped" in r:
            print(f"{name:<26}{r['skipped']:>29}")
        else:
            print(f"{name:<26}{r['on_ms']:>10.4f}{r['off_ms']:>10.4f}{r['off_over_on']:>9.2f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tricks", description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--threshold", action="store_true",
                        help="instead: two kernels on 2 threads (on) against 1 (off), by bytes moved")
    args = parser.parse_args(argv)
    if args.threshold:
        print(f"kernels on {kernels.max_threads()} threads (on) against 1 (off), float32, "
              f"median of {args.repeats} interleaved repeats")
        _print(threshold(args.repeats))
        return 0
    results = measure(batch=args.batch, repeats=args.repeats, dtype=args.dtype)
    print(f"784-512-256-10, {args.dtype}, batch {args.batch}, {kernels.max_threads()} kernel threads, "
          f"median of {args.repeats} interleaved repeats")
    _print(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
