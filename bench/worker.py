"""One measurement in its own process: ``python -m bench.worker TASK --case NAME --out result.json``.

TASK is a framework (glassnet, pytorch, sklearn: train the case's network), ``gradcheck``,
``augment`` or ``peak``. The result (epoch times, peak RSS, ...) is written as JSON to ``--out``;
the parent (bench.run) schedules workers and builds the tables. Only the task's own framework is
imported, so the peak RSS (``ru_maxrss``) of the process is that framework's: its libraries, the
data set (the same for all), the model, the optimizer state and the working buffers.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time
import warnings

import numpy as np

from .common import (
    CASES,
    QUICK_GRADCHECK_LAYERS,
    Case,
    EpochStamps,
    blas_info,
    cpu_count,
    current_rss_mb,
    make_data,
    peak_rss_mb,
)
from .peak import matmul_gflops

LEARNING_RATE = 1e-3
SEED = 0
LOCAL_PEAK_N, LOCAL_PEAK_TRIES = 2048, 3  # about 0.5 s each time on two cores


# ------------------------------------------------------------------------------------------ training
def train_glassnet(case: Case, data, labels, epochs: int) -> dict:
    import glassnet

    X = data.T  # (n_x, m) view of example-major storage: the notes' layout at no cost
    Y = labels.reshape(1, -1)
    net = glassnet.Network(list(case.layers), hidden_activation="relu", output_activation="softmax",
                           dtype=case.dtype, seed=SEED)
    rss_before = current_rss_mb()
    stamps = EpochStamps()
    t0 = time.perf_counter()
    stamps.mark()
    history = net.fit(X, Y, epochs=epochs, batch_size=case.batch, optimizer="adam",
                      learning_rate=LEARNING_RATE, seed=SEED, callbacks=[lambda *_: stamps.mark()])
    total = time.perf_counter() - t0
    seconds = [float(s) for s in history["seconds"]]
    return {"epoch_seconds": seconds, "epoch_others": stamps.others(), "fit_seconds": total,
            "setup_seconds": total - sum(seconds),
            "rss_before_train_mb": rss_before, "final_loss": float(history["cost"][-1]),
            "final_accuracy": float(history["accuracy"][-1]), "dtype_used": str(net.dtype),
            "version": glassnet.__version__, "notes": _kernel_ways()}


def _kernel_ways() -> list[str]:
    """Which way each large kernel ran most in this process: one thread or the pool (glassnet.kernels, adaptive)."""
    from glassnet import kernels

    if kernels.compiled is None:
        return ["the compiled kernels are not built: the NumPy lines ran"]
    runs: dict[str, list[int]] = {}
    for way in kernels.compiled.way_stats():
        counts = runs.setdefault(way["kernel"], [0, 0])
        counts[0] += way["runs_one"]
        counts[1] += way["runs_pool"]
    start = kernels.compiled.min_parallel() >> 20
    return [f"{name} from {start} MiB moved ran mostly {'on one thread' if one >= pool else 'on the pool'} (adaptive)"
            for name, (one, pool) in sorted(runs.items())]


def train_pytorch(case: Case, data, labels, epochs: int) -> dict:
    import torch

    threads = cpu_count()
    torch.set_num_threads(threads)
    torch.manual_seed(SEED)
    tdtype = torch.float64 if case.dtype == "float64" else torch.float32
    X = torch.from_numpy(data)  # shares the (m, n_x) buffer, no copy
    y = torch.from_numpy(labels)
    modules = []
    for i, (n_in, n_out) in enumerate(zip(case.layers[:-1], case.layers[1:], strict=False)):
        modules.append(torch.nn.Linear(n_in, n_out))
        if i < len(case.layers) - 2:
            modules.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*modules).to(tdtype)
    loss_fn = torch.nn.CrossEntropyLoss()
    notes = []
    try:
        opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, fused=True)
        adam = "fused"
    except (RuntimeError, ValueError) as exc:
        opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, foreach=True)
        adam = "foreach"
        notes.append(f"fused Adam is not supported here ({exc}); used foreach=True")
    generator = torch.Generator().manual_seed(SEED)
    m, batch = X.shape[0], case.batch
    rss_before = current_rss_mb()
    seconds = []
    loss_sum = correct = 0.0
    stamps = EpochStamps()
    t_fit = time.perf_counter()
    stamps.mark()
    for _ in range(epochs):
        t0 = time.perf_counter()
        order = torch.randperm(m, generator=generator)
        loss_sum = correct = 0.0
        for start in range(0, m, batch):
            idx = order[start:start + batch]
            xb = X.index_select(0, idx)  # the same gather glassnet does (np.take into its buffer)
            yb = y.index_select(0, idx)
            out = model(xb)
            loss = loss_fn(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            # the running loss and accuracy glassnet's history reports, computed the same way
            loss_sum += loss.item() * idx.numel()
            correct += (out.argmax(dim=1) == yb).sum().item()
        seconds.append(time.perf_counter() - t0)
        stamps.mark()
    total = time.perf_counter() - t_fit
    return {"epoch_seconds": seconds, "epoch_others": stamps.others(), "fit_seconds": total, "setup_seconds": 0.0,
            "rss_before_train_mb": rss_before, "final_loss": loss_sum / m, "final_accuracy": correct / m,
            "dtype_used": str(next(model.parameters()).dtype).replace("torch.", ""), "adam": adam,
            "threads": torch.get_num_threads(), "version": torch.__version__,
            "mkl": bool(torch.backends.mkl.is_available()),
            "cpu_capability": torch.backends.cpu.get_cpu_capability(), "notes": notes}


class _EpochClock(io.TextIOBase):
    """A stdout stand-in that notes the time of each of MLP's verbose "Iteration N, loss = ..." lines."""

    def __init__(self):
        self.stamps: list[float] = []
        self.losses: list[float] = []
        self.machine = EpochStamps()

    def write(self, text: str) -> int:
        if text.startswith("Iteration"):
            self.stamps.append(time.perf_counter())
            self.machine.mark()
            with contextlib.suppress(ValueError, IndexError):
                self.losses.append(float(text.rsplit("=", 1)[1]))
        return len(text)


def train_sklearn(case: Case, data, labels, epochs: int) -> dict:
    import sklearn
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=case.layers[1:-1], activation="relu", solver="adam", alpha=0.0,
                        batch_size=case.batch, learning_rate_init=LEARNING_RATE, max_iter=epochs, shuffle=True,
                        random_state=SEED, tol=0.0, n_iter_no_change=10**9, early_stopping=False, verbose=True)
    clock = _EpochClock()
    rss_before = current_rss_mb()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t0 = time.perf_counter()
        clock.machine.mark()
        with contextlib.redirect_stdout(clock):
            clf.fit(data, labels)
        total = time.perf_counter() - t0
    # epoch 1 runs from the start of fit (input validation, label binarizing, initialization included)
    bounds = [t0, *clock.stamps]
    seconds = [b - a for a, b in zip(bounds[:-1], bounds[1:], strict=False)]
    notes = []
    if len(seconds) != epochs:
        notes.append(f"expected {epochs} 'Iteration' lines from MLPClassifier(verbose=True), got {len(seconds)}")
    return {"epoch_seconds": seconds, "epoch_others": clock.machine.others(), "fit_seconds": total,
            "setup_seconds": total - sum(seconds),
            "rss_before_train_mb": rss_before, "final_loss": clock.losses[-1] if clock.losses else None,
            "final_accuracy": None, "dtype_used": str(clf.coefs_[0].dtype), "input_dtype": str(data.dtype),
            "version": sklearn.__version__, "notes": notes}


def train_glassnet_one_thread(case: Case, data, labels, epochs: int) -> dict:
    """glassnet with its BLAS limited to one thread (a diagnostic: how much the second thread gives)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        result = train_glassnet(case, data, labels, epochs)
    result["notes"].append("glassnet-1t: BLAS limited to 1 thread with threadpoolctl")
    return result


def train_floor(case: Case, data, labels, epochs: int) -> dict:
    """The products-alone floor: per mini-batch only the matrix products of a training step, nothing else.

    Forward Z[l] = W[l] A[l-1], backward dW[l] = dZ[l] A[l-1]^T and dA[l-1] = W[l]^T dZ[l] (not for
    l = 1), with glassnet's shapes, dtype and memory layouts (A[0] the transposed view of an
    example-major batch buffer; the last batch partial), by the products glassnet's layers make
    (``glassnet.kernels.matmul``: NumPy's gemm call in NumPy's BLAS, with its default threads). No
    gather, bias, activation, cost or update: what an epoch would cost if everything else were free.
    """
    from glassnet.kernels import matmul

    rng = np.random.default_rng(SEED)
    dims, m, batch = case.layers, data.shape[0], case.batch

    def arrays(b):
        A = [np.ascontiguousarray(data[:b]).T] + [rng.standard_normal((n, b)).astype(case.dtype) for n in dims[1:]]
        dZ = [a.copy() for a in A[1:]]
        dA = [np.empty((n, b), case.dtype) for n in dims[1:-1]]
        return A, dZ, dA

    W = [(rng.standard_normal((n, n_prev)) / np.sqrt(n_prev)).astype(case.dtype)
         for n_prev, n in zip(dims[:-1], dims[1:], strict=True)]
    dW = [np.empty_like(w) for w in W]
    sizes = [min(batch, m - start) for start in range(0, m, batch)]
    buffers = {b: arrays(b) for b in set(sizes)}
    stamps, seconds = EpochStamps(), []
    t_fit = time.perf_counter()
    stamps.mark()
    for _ in range(epochs):
        t0 = time.perf_counter()
        for b in sizes:
            A, dZ, dA = buffers[b]
            for l, w in enumerate(W):
                matmul(w, A[l], out=A[l + 1])  # forward: Z = W A_prev (A = Z: no activation)
            for l in range(len(W) - 1, -1, -1):
                matmul(dZ[l], A[l].T, out=dW[l])  # dW = dZ A_prev^T
                if l > 0:
                    matmul(W[l].T, dZ[l], out=dA[l - 1])  # dA_prev = W^T dZ
        seconds.append(time.perf_counter() - t0)
        stamps.mark()
    return {"epoch_seconds": seconds, "epoch_others": stamps.others(), "fit_seconds": time.perf_counter() - t_fit,
            "setup_seconds": 0.0, "rss_before_train_mb": current_rss_mb(), "final_loss": None,
            "final_accuracy": None, "dtype_used": case.dtype, "version": np.__version__, "notes": []}


TRAINERS = {"glassnet": train_glassnet, "pytorch": train_pytorch, "sklearn": train_sklearn,
            "glassnet-1t": train_glassnet_one_thread, "floor": train_floor}


def run_training(task: str, case: Case, m: int, epochs: int, warmup: int) -> dict:
    # The machine's matmul speed drifts by 10-20 % over minutes (other tenants of the host; the
    # kernel's steal time does not show it), so the peak is also measured in this process, right
    # before the data is made and right after training: "% local" compares the epochs with it.
    local_peak_before = matmul_gflops(LOCAL_PEAK_N, case.dtype, tries=LOCAL_PEAK_TRIES)
    t0 = time.perf_counter()
    data, labels = make_data(m, case.dtype)
    data_seconds = time.perf_counter() - t0
    result = TRAINERS[task](case, data, labels, warmup + epochs)
    result["peak_rss_mb"] = peak_rss_mb()  # before anything else is imported
    result["local_peak_gflops"] = [local_peak_before,
                                   matmul_gflops(LOCAL_PEAK_N, case.dtype, tries=LOCAL_PEAK_TRIES)]
    all_seconds = result.pop("epoch_seconds")
    result["warmup_seconds"] = all_seconds[:warmup]
    result["epoch_seconds"] = all_seconds[warmup:]
    others = result.pop("epoch_others")
    others = others + [None] * (len(all_seconds) - len(others))
    result["warmup_others"] = others[:warmup]
    result["epoch_others"] = others[warmup:len(all_seconds)]
    result["data_seconds"] = data_seconds
    result["data_mb"] = data.nbytes / 2**20
    result["blas"] = blas_info()
    return result


# ------------------------------------------------------------------------------------------ micro-cases
def run_gradcheck(case: Case, repeats: int, quick: bool) -> dict:
    try:
        from glassnet.gradcheck import gradient_check
    except ImportError as exc:
        return {"skipped": f"glassnet.gradcheck.gradient_check is not importable yet ({exc})"}
    import glassnet

    layers = QUICK_GRADCHECK_LAYERS if quick else case.layers
    rng = np.random.default_rng(SEED)
    m = case.batch
    X = rng.standard_normal((layers[0], m))
    Y = rng.integers(0, layers[-1], size=(1, m))
    net = glassnet.Network(list(layers), hidden_activation="relu", output_activation="softmax",
                           dtype="float64", seed=SEED)
    seconds, report = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        report = gradient_check(net, X, Y, mode="exact")
        seconds.append(time.perf_counter() - t0)
    evaluations = int(report.evaluations)
    return {"layers": list(layers), "m": m, "n_params": int(net.n_params), "seconds": seconds,
            "evaluations": evaluations, "difference": float(report.difference), "passed": bool(report.passed),
            "mode": report.mode, "peak_rss_mb": peak_rss_mb()}


def run_augment(case: Case, repeats: int, quick: bool) -> dict:
    """images/s of flip + crop + rotate on a batch of 128 28x28x1 images through ``augment_columns``.

    Reuses bench/augmentation.py (``images_batch``: MNIST test images when ../shared/datasets has
    them, else synthetic; ``median_seconds``) when it is there, so both scripts measure the same
    thing; otherwise measures the same pipeline here.
    """
    try:
        from glassnet.data.augmentation import Compose, HorizontalFlip, RandomCrop, RandomRotation, augment_columns
    except ImportError as exc:
        return {"skipped": f"glassnet.data.augmentation is not importable yet ({exc})"}
    H, W, C = case.layers
    batch = case.batch
    calls = 5 if quick else 50
    try:
        from .augmentation import images_batch, median_seconds

        images, data_source = images_batch(batch)
        source = "bench/augmentation.py (images_batch, median_seconds)"
    except ImportError:
        images = np.random.default_rng(SEED).random((batch, H, W, C), dtype=np.float32)
        data_source = "synthetic 28x28 images"
        source = "measured in bench.worker (bench/augmentation.py not found)"

        def median_seconds(fn, n):
            fn()
            times = []
            for _ in range(n):
                t0 = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t0)
            return float(np.median(times))

    X = images.reshape(batch, -1).T  # the column layout the fit loop hands to augment_columns
    pipeline = Compose([HorizontalFlip(), RandomCrop(2), RandomRotation(10)])  # --augment flip,crop,rotate
    rng = np.random.default_rng(SEED)
    rates = [batch / median_seconds(lambda: augment_columns(X, (H, W, C), pipeline, rng), calls)
             for _ in range(repeats)]
    return {"images_per_second": rates, "source": source, "data": data_source, "batch": batch,
            "calls_per_repeat": calls, "peak_rss_mb": peak_rss_mb()}


# ------------------------------------------------------------------------------------------ main
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument("task", choices=[*TRAINERS, "gradcheck", "augment", "peak"])
    parser.add_argument("--case", default="mlp512-b128", choices=list(CASES))
    parser.add_argument("--m", type=int, default=60_000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    case = CASES[args.case]
    if args.task in TRAINERS:
        result = run_training(args.task, case, args.m, args.epochs, args.warmup)
    elif args.task == "gradcheck":
        result = run_gradcheck(case, args.repeats, args.quick)
    elif args.task == "augment":
        result = run_augment(case, args.repeats, args.quick)
    else:
        from .peak import matmul_peak

        result = matmul_peak(quick=args.quick)
    with open(args.out, "w") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
