"""What each speed trick of the engine still buys: one process, tricks on and off, interleaved.

    python -m bench.tricks                 # 784-512-256-10, batch 128, float32, Adam; ~1 min
    python -m bench.tricks --batch 512 --repeats 9

Each trick is timed on and off in alternation (A B A B ...) on the same network and data, so a
change in the machine's speed hits both alike; the figure is the median ratio off/on over the
repeats (> 1: the trick saves time). What is timed is the part of a training step the trick is
for:

* reuse_buffers    forward + backward of one mini-batch with the layers' Z, A and dA arrays kept
                   between batches (on) or allocated anew (off)
* kernels          the same step with the compiled kernels (Adam, bias+ReLU, ReLU backward) or the
                   NumPy lines beside each call (glassnet.kernels.compiled set to None); then each
                   kernel alone (kernel_*) against its NumPy lines
* huge_pages       Adam's step on flat vectors from backend.zeros_vector (2 MiB-aligned,
                   madvise(MADV_HUGEPAGE)) or from np.zeros, after a matrix product evicted them
* gather_clip      np.take(..., out=buffer, mode="clip") or the default mode, one mini-batch
* example_major    the gather of one mini-batch from example-major (m, n_x) storage or from
                   feature-major (n_x, m) storage
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import glassnet as gn
from glassnet import backend, kernels


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


def _ab(on, off, repeats: int, inner: int, setup=None) -> dict:
    ratios, t_on, t_off = [], [], []
    for _ in range(repeats):
        a, b = _timed(on, inner, setup), _timed(off, inner, setup)
        t_on.append(a)
        t_off.append(b)
        ratios.append(b / a)
    return {"on_ms": 1e3 * statistics.median(t_on), "off_ms": 1e3 * statistics.median(t_off),
            "off_over_on": statistics.median(ratios)}


def measure(layers=(784, 512, 256, 10), batch: int = 128, repeats: int = 7, inner: int = 20) -> dict:
    rng = np.random.default_rng(0)
    m = 8 * batch
    data = rng.standard_normal((m, layers[0]), dtype=np.float32)  # example-major, as images load
    labels = rng.integers(0, layers[-1], (1, batch))
    net = gn.Network(list(layers), output_activation="softmax", dtype="float32", seed=0)
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

    compiled = kernels.compiled

    def without_kernels():
        kernels.compiled = None
        try:
            step(True)()
        finally:
            kernels.compiled = compiled

    results["kernels"] = _ab(step(True), without_kernels, repeats, inner) if compiled else {"skipped": "not built"}
    if compiled:
        results.update(_kernels_alone(net, opt, Xb, repeats, inner))

    n = net.n_params
    evict = [np.ones(8 << 20, np.float32), np.empty(8 << 20, np.float32)]  # 2 x 32 MiB

    def flush():
        """What the products of a training step do: push the flat vectors out of the caches."""
        np.copyto(evict[1], evict[0])

    def adam_on(vectors):
        theta, grad, v, s = vectors
        return lambda: opt._apply(theta, grad, {"v": v, "s": s}, None, 1e-3)

    huge = [backend.zeros_vector(n, np.float32) for _ in range(4)]
    plain = [np.zeros(n, np.float32) for _ in range(4)]
    for vectors in (huge, plain):
        vectors[1][...] = rng.standard_normal(n, dtype=np.float32)
    opt.t = 10
    results["huge_pages"] = _ab(adam_on(huge), adam_on(plain), repeats, inner, setup=flush)

    order = rng.permutation(m)[:batch]
    buffer = np.empty((batch, layers[0]), np.float32)
    results["gather_clip"] = _ab(lambda: np.take(data, order, axis=0, out=buffer, mode="clip"),
                                 lambda: np.take(data, order, axis=0, out=buffer), repeats, inner * 5)
    feature_major = np.ascontiguousarray(data.T)
    buffer_t = np.empty((layers[0], batch), np.float32)
    results["example_major"] = _ab(lambda: np.take(data, order, axis=0, out=buffer, mode="clip"),
                                   lambda: np.take(feature_major, order, axis=1, out=buffer_t, mode="clip"),
                                   repeats, inner * 5)
    return results


def _kernels_alone(net, opt, Xb, repeats: int, inner: int) -> dict:
    """Each compiled kernel against the NumPy lines beside its call, on the first layer's arrays."""
    layer = net.layers[0]
    Z = layer.W @ Xb
    out, dA = np.empty_like(Z), np.ones_like(Z)
    relu = layer.activation
    compiled = kernels.compiled

    def numpy_lines(function):
        def run():
            kernels.compiled = None
            try:
                function()
            finally:
                kernels.compiled = compiled
        return run

    theta, grad = net.theta, net.dtheta
    return {
        "kernel_adam": _ab(lambda: opt.step(theta, grad, 1e-3), numpy_lines(lambda: opt.step(theta, grad, 1e-3)),
                           repeats, inner),
        "kernel_bias_relu": _ab(lambda: relu.add_bias_and_activate(Z, layer.b, out),
                                numpy_lines(lambda: relu.add_bias_and_activate(Z, layer.b, out)), repeats, inner),
        "kernel_relu_back": _ab(lambda: relu.backward(dA, Z, out, out=dA),
                                numpy_lines(lambda: relu.backward(dA, Z, out, out=dA)), repeats, inner),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tricks", description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    results = measure(batch=args.batch, repeats=args.repeats)
    print(f"784-512-256-10, float32, batch {args.batch}, median of {args.repeats} interleaved repeats")
    print(f"{'trick':<16}{'on (ms)':>10}{'off (ms)':>10}{'off/on':>9}")
    for name, r in results.items():
        if "skipped" in r:
            print(f"{name:<16}{r['skipped']:>29}")
        else:
            print(f"{name:<16}{r['on_ms']:>10.3f}{r['off_ms']:>10.3f}{r['off_over_on']:>9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
