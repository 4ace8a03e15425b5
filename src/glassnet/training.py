"""The fit loop: mini-batches, epochs, early stopping, callbacks, history, divergence guard.

One epoch (the notes' mini-batch gradient descent, 1 ≤ batch_size ≤ m):

    shuffle the example indices (from the seed);  for each mini-batch t of up to batch_size:
        A[L] = forward(X{t}, training=True);  J{t} = cost;  grads = backward(Y{t})
        θ = optimizer step(θ, grads, α(epoch))

``batch_size=None`` is full-batch gradient descent, as in the notes. The last, partial batch is
used. The data set is never copied per epoch: each mini-batch is gathered from a permutation into
one reused buffer (example-major, so each example's features are contiguous; the network gets its
(n_x, batch) transpose view). Dev data is evaluated after each epoch without dropout.

History records per epoch: ``cost`` and ``accuracy`` (running averages over the epoch's
mini-batches, with dropout as trained, like Keras reports them), ``dev_cost`` and
``dev_accuracy`` (the full dev set after the epoch; ``rmse`` / ``dev_rmse`` for a linear output),
``learning_rate`` and ``seconds``; plus ``best_epoch`` and ``stopped_epoch``.
"""

from __future__ import annotations

import json
import math
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .backend import blas_threads, make_rng, spawn_seed, threads_for, xp
from .errors import DivergenceError, HyperparameterError, ShapeError, unknown_name
from .optimizers import get_optimizer, get_schedule
from .validation import check_int, check_number

# ---------------------------------------------------------------------- metrics


def metric_names(output_activation: str) -> tuple[str, ...]:
    """The per-epoch metrics for an output: accuracy for classifiers, RMSE for regression."""
    return ("rmse",) if output_activation == "linear" else ("accuracy",)


def labels_of(Y) -> np.ndarray:
    """Class labels (1, m) from integer labels (1, m) or one-hot Y (C, m)."""
    return Y if Y.shape[0] == 1 else Y.argmax(axis=0).reshape(1, -1)


def batch_metric_sum(net, AL, Y) -> float:
    """Σ over the batch of the metric's per-example quantity: correct predictions, or squared error."""
    if net.output_activation == "linear":
        return float(((AL - Y) ** 2).sum()) / AL.shape[0]
    predictions = net.decide(AL)
    if net.output_activation == "sigmoid":
        return float((predictions == Y).all(axis=0).sum())
    return float((predictions == labels_of(Y)).sum())


def finish_metric(net, total: float, m: int) -> float:
    """Turn the summed quantity into the metric: accuracy = correct / m, rmse = √(SSE / m)."""
    return math.sqrt(total / m) if net.output_activation == "linear" else total / m


def evaluate(net, X, Y, batch_size: int = 4096) -> dict:
    """{"cost": J, "accuracy": ...} (or "rmse") of ``net`` on (X, Y), without dropout, in batches."""
    X = net.check_X(X)
    Y = net.check_Y(Y, X.shape[1])
    return _evaluate_checked(net, X, Y, batch_size)


def _evaluate_checked(net, X, Y, batch_size: int = 4096) -> dict:
    m = X.shape[1]
    loss_sum = metric_sum = 0.0
    for start in range(0, m, batch_size):
        stop = min(start + batch_size, m)
        AL = net._forward(X[:, start:stop], training=False)
        ZL = net.layers[-1].cache[1]
        Yb = Y[:, start:stop]
        loss_sum += net.loss.cost(ZL, AL, Yb) * (stop - start)
        metric_sum += batch_metric_sum(net, AL, Yb)
    name = metric_names(net.output_activation)[0]
    return {"cost": loss_sum / m + net.l2_cost(m), name: finish_metric(net, metric_sum, m)}


# ---------------------------------------------------------------------- history


class History:
    """Per-epoch records of a fit, plus ``best_epoch`` and ``stopped_epoch`` (1-based epochs).

    ``history["dev_cost"]`` is the list of dev costs, one per epoch (None where there is no dev
    set); ``history.records`` holds every list; ``to_dict``/``save_json`` write them out.
    """

    KEYS = ("epoch", "cost", "dev_cost", "accuracy", "dev_accuracy", "rmse", "dev_rmse",
            "learning_rate", "seconds")

    def __init__(self):
        self.records: dict[str, list] = {key: [] for key in self.KEYS}
        self.diagnostics: list[dict] = []
        self.best_epoch: int | None = None
        self.stopped_epoch: int | None = None
        self.stop_reason: str = ""
        self.monitor: str | None = None

    def append(self, record: dict) -> None:
        for key in self.KEYS:
            self.records[key].append(record.get(key))

    def __getitem__(self, key: str) -> list:
        if key not in self.records:
            raise KeyError(f"no history entry {key!r}; the entries are {', '.join(self.KEYS)}")
        return self.records[key]

    def __len__(self) -> int:
        return len(self.records["epoch"])

    @property
    def epochs(self) -> int:
        return len(self)

    def last(self) -> dict:
        return {key: values[-1] for key, values in self.records.items() if values}

    def to_dict(self) -> dict:
        used = {k: v for k, v in self.records.items() if any(x is not None for x in v)}
        return {"records": used, "best_epoch": self.best_epoch,
                "stopped_epoch": self.stopped_epoch, "stop_reason": self.stop_reason,
                "monitor": self.monitor, "diagnostics": self.diagnostics}

    @classmethod
    def from_dict(cls, data: dict) -> History:
        history = cls()
        n = len(data["records"].get("epoch", []))
        for key in cls.KEYS:
            history.records[key] = list(data["records"].get(key, [None] * n))
        history.best_epoch = data.get("best_epoch")
        history.stopped_epoch = data.get("stopped_epoch")
        history.stop_reason = data.get("stop_reason", "")
        history.monitor = data.get("monitor")
        history.diagnostics = list(data.get("diagnostics", []))
        return history

    def save_json(self, path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1))

    def __repr__(self) -> str:
        return (f"History(epochs={len(self)}, best_epoch={self.best_epoch}, "
                f"stopped_epoch={self.stopped_epoch})")


# ---------------------------------------------------------------------- callbacks


class Callback:
    """Hooks into ``fit``. ``on_epoch_end`` may return True to stop training."""

    def on_train_begin(self, net, history: History) -> None:
        pass

    def on_epoch_end(self, net, epoch: int, record: dict) -> bool | None:
        return None

    def on_train_end(self, net, history: History) -> None:
        pass


class FunctionCallback(Callback):
    """Wraps ``f(net, epoch, record)`` as an ``on_epoch_end`` callback."""

    def __init__(self, function: Callable):
        self.function = function

    def on_epoch_end(self, net, epoch, record):
        return self.function(net, epoch, record)


MONITOR_MODES = {"dev_cost": "min", "dev_accuracy": "max", "dev_rmse": "min",
                 "cost": "min", "accuracy": "max", "rmse": "min"}


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    The notes' early stopping: watch the dev-set cost, keep the weights of its best epoch.
    With ``restore_best=True`` (default) the best weights are restored at the end of training,
    whether early stopping ended it or the epochs ran out.
    """

    def __init__(self, monitor: str = "dev_cost", patience: int = 10, min_delta: float = 0.0,
                 restore_best: bool = True):
        if monitor not in MONITOR_MODES:
            raise unknown_name("early-stopping monitor", monitor, list(MONITOR_MODES))
        self.monitor = monitor
        self.mode = MONITOR_MODES[monitor]
        self.patience = check_int(patience, "patience", low=0)
        self.min_delta = check_number(min_delta, "min_delta", low=0.0)
        self.restore_best = bool(restore_best)
        self.best_value: float | None = None
        self.best_epoch: int | None = None
        self.best_theta = None
        self.wait = 0

    def improved(self, value: float) -> bool:
        if self.best_value is None:
            return True
        if self.mode == "min":
            return value < self.best_value - self.min_delta
        return value > self.best_value + self.min_delta

    def on_train_begin(self, net, history):
        if history.best_epoch is None:  # not resuming
            self.best_value, self.best_epoch, self.best_theta, self.wait = None, None, None, 0

    def on_epoch_end(self, net, epoch, record):
        value = record.get(self.monitor)
        if value is None:
            raise HyperparameterError(
                f"early stopping monitors {self.monitor!r}, which this fit does not record; pass "
                "X_dev and Y_dev for a dev metric, or monitor 'cost'"
            )
        if self.improved(value):
            self.best_value, self.best_epoch, self.wait = value, epoch, 0
            self.best_theta = net.parameters_to_vector()
            return False
        self.wait += 1
        return self.wait >= self.patience

    def on_train_end(self, net, history):
        if self.restore_best and self.best_theta is not None:
            net.vector_to_parameters(self.best_theta)

    def state(self) -> dict:
        return {"best_value": self.best_value, "best_epoch": self.best_epoch, "wait": self.wait}


class DivergenceWarning(RuntimeWarning):
    """Training stopped on a NaN or infinite cost (the last good weights were kept)."""


# ---------------------------------------------------------------------- fit


def _as_callbacks(callbacks) -> list[Callback]:
    result = []
    for cb in callbacks or ():
        if isinstance(cb, Callback):
            result.append(cb)
        elif callable(cb):
            result.append(FunctionCallback(cb))
        else:
            raise HyperparameterError(
                f"callbacks must be Callback objects or functions f(net, epoch, record), got {cb!r}"
            )
    return result


def _gather_rows(source, idx, out):
    """out = source[idx], rows gathered into an existing buffer.

    NumPy's take with its default mode="raise" writes through a temporary copy (2.5× slower at
    batch 512); the permutation's indices are all valid, so mode="clip" never clips anything.
    """
    if isinstance(source, np.ndarray):
        return np.take(source, idx, axis=0, out=out, mode="clip")
    return xp.take(source, idx, axis=0, out=out)


def _example_major(A, dtype):
    """A (n, m) -> its (m, n) transpose, C-contiguous in ``dtype``: a view when A already is
    example-major (what ``images.reshape(m, -1).T`` gives), otherwise one copy for the whole fit."""
    return xp.ascontiguousarray(A.T, dtype=dtype)


def fit(net, X, Y, *, epochs: int, batch_size: int | None = None, optimizer="adam",
        learning_rate: float | None = None, schedule=None, X_dev=None, Y_dev=None,
        early_stopping: EarlyStopping | None = None, normalize: bool | str = False,
        callbacks: Sequence = (), verbose: int = 0, seed=None, augment=None,
        image_shape: tuple | None = None, diagnostics: bool = False,
        checkpoint_dir=None, checkpoint_every: int | None = None, resume_from=None,
        on_divergence: str = "stop") -> History:
    """Train ``net`` on (X, Y) and return its History. See ``Network.fit`` for the arguments."""
    epochs = check_int(epochs, "epochs")
    if on_divergence not in ("stop", "raise"):
        raise unknown_name("on_divergence", on_divergence, ["stop", "raise"])
    X = net.check_X(X, "X", raw=True)
    m = X.shape[1]
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size", hint=f"or None for full batch ({m})")
    batch = m if batch_size is None else min(batch_size, m)
    if (X_dev is None) != (Y_dev is None):
        raise HyperparameterError("pass both X_dev and Y_dev, or neither")
    opt = get_optimizer(optimizer, learning_rate)
    lr_schedule = get_schedule(schedule)
    callbacks = _as_callbacks(callbacks)
    if early_stopping is not None:
        if not isinstance(early_stopping, EarlyStopping):
            raise HyperparameterError(
                f"early_stopping must be None or gn.EarlyStopping(...), got {early_stopping!r}"
            )
        if early_stopping.monitor.startswith("dev_") and X_dev is None:
            raise HyperparameterError(
                f"early stopping monitors {early_stopping.monitor!r} but no dev set was given; "
                "pass X_dev and Y_dev, or EarlyStopping(monitor='cost')"
            )
        callbacks.append(early_stopping)
    if augment is not None and image_shape is None:
        raise HyperparameterError("augment needs image_shape=(H, W, C) to unflatten the columns of X")
    if augment is not None and int(np.prod(image_shape)) != X.shape[0]:
        raise ShapeError(f"image_shape {tuple(image_shape)} has {int(np.prod(image_shape))} values "
                         f"but X has {X.shape[0]} rows")

    history = History()
    start_epoch = 0
    if resume_from is not None:
        from .io import load_checkpoint_into  # io imports training's History: import here, not at the top

        state = load_checkpoint_into(net, opt, resume_from)
        history = state["history"]
        start_epoch = len(history)
        shuffle_rng, aug_rng = state["shuffle_rng"], state["augment_rng"]
        if augment is not None and aug_rng is None:
            aug_rng = make_rng(spawn_seed(shuffle_rng))
        if early_stopping is not None and state.get("early_stopping"):
            early_stopping.best_value = state["early_stopping"]["best_value"]
            early_stopping.best_epoch = state["early_stopping"]["best_epoch"]
            early_stopping.wait = state["early_stopping"]["wait"]
            early_stopping.best_theta = state.get("best_theta")
    else:
        if normalize not in (True, False, "keep"):
            raise HyperparameterError(
                f"normalize must be True (fit a Standardizer on X), False (none) or 'keep' (keep the "
                f"network's current normalizer, to continue training), got {normalize!r}"
            )
        if normalize != "keep":
            net.normalizer = None
        if normalize is True:
            from .data.preprocessing import Standardizer

            net.normalizer = Standardizer().fit(X)  # μ and σ² from the training set only
        shuffle_rng = make_rng(seed) if seed is not None else make_rng(spawn_seed(net.rng))
        aug_rng = make_rng(spawn_seed(shuffle_rng)) if augment is not None else None
        if not opt.is_attached_to(net.parameter_shapes(), net.dtype):
            opt.attach(net.parameter_shapes(), dtype=net.dtype)
    if early_stopping is not None:
        history.monitor = early_stopping.monitor

    # Validated once at the boundary; the loop trusts what passes.
    Y = net.check_Y(Y, m)
    XT = _example_major(X, net.dtype)  # (m, n_x), each example contiguous
    YT = xp.ascontiguousarray(Y.T)
    dev = None
    if X_dev is not None:
        Xd = net.check_X(X_dev, "X_dev")
        dev = (Xd, net.check_Y(Y_dev, Xd.shape[1], "Y_dev"))
    x_buffer = xp.empty((batch, X.shape[0]), dtype=net.dtype) if batch < m else None
    metric = metric_names(net.output_activation)[0]

    for cb in callbacks:
        cb.on_train_begin(net, history)
    progress = _progress(verbose, start_epoch, epochs)
    last_good = net.parameters_to_vector()
    # Overflow on the way to a NaN is reported once, by the divergence guard, not by NumPy.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"), \
            blas_threads(threads_for(net.layer_dims, batch)):
        try:
            for epoch in range(start_epoch + 1, epochs + 1):
                t0 = time.perf_counter()
                lr = lr_schedule(opt.learning_rate, epoch - 1)
                order = shuffle_rng.permutation(m) if batch < m else np.arange(m)
                loss_sum = metric_sum = 0.0
                diverged = None
                for start in range(0, m, batch):
                    idx = order[start:start + batch]
                    b = idx.size
                    if batch < m:
                        xb = x_buffer[:b]
                        _gather_rows(XT, idx, out=xb)  # the mini-batch, into the reused buffer
                        Xb, Yb = xb.T, YT[idx].T  # (n_x, b) view: the notes' layout
                    else:
                        Xb, Yb = XT.T, YT.T  # full batch: the data set itself, no gather
                    if augment is not None:
                        from .data.augmentation import augment_columns

                        Xb = augment_columns(Xb, image_shape, augment, aug_rng)
                    if net.normalizer is not None:
                        Xb = net.normalizer.transform(Xb)
                    AL = net._forward(Xb, training=True, reuse_buffers=True)
                    J = net._cost_of_last_forward(Yb)
                    if not math.isfinite(J):
                        diverged = J
                        break
                    loss_sum += J * b
                    metric_sum += batch_metric_sum(net, AL, Yb)
                    net._backward(Yb, reuse_buffers=True)
                    opt.step(net._theta, net._grad, lr)
                if diverged is not None:
                    net.vector_to_parameters(last_good)
                    history.stopped_epoch = epoch
                    history.stop_reason = (
                        f"the cost became {diverged} in epoch {epoch}; training stopped and the weights "
                        f"of epoch {epoch - 1} were kept. Try a lower learning rate (now {lr:g}), "
                        "normalize the inputs (normalize=True), or another initialization "
                        "(he for ReLU, xavier for tanh, or a smaller init_scale)"
                    )
                    if on_divergence == "raise":
                        raise DivergenceError(history.stop_reason)
                    warnings.warn(history.stop_reason, DivergenceWarning, stacklevel=2)
                    break
                last_good = net.parameters_to_vector()
                record = {"epoch": epoch, "cost": loss_sum / m,
                          metric: finish_metric(net, metric_sum, m), "learning_rate": lr}
                if dev is not None:
                    dev_result = _evaluate_checked(net, *dev)
                    record["dev_cost"] = dev_result["cost"]
                    record["dev_" + metric] = dev_result[metric]
                if diagnostics:
                    from .diagnostics import epoch_record

                    history.diagnostics.append(epoch_record(net, Xb, Yb))
                record["seconds"] = time.perf_counter() - t0
                history.append(record)
                stop = False
                for cb in callbacks:
                    stop = bool(cb.on_epoch_end(net, epoch, record)) or stop
                if early_stopping is not None:
                    history.best_epoch = early_stopping.best_epoch
                if progress is not None:
                    progress.update(epoch, record)
                if checkpoint_dir is not None:
                    _checkpoint(net, opt, history, {"shuffle": shuffle_rng, "augment": aug_rng},
                                early_stopping, checkpoint_dir, checkpoint_every, epoch)
                if stop:
                    history.stopped_epoch = epoch
                    history.stop_reason = (
                        f"early stopping: {early_stopping.monitor} did not improve for "
                        f"{early_stopping.patience} epochs after epoch {early_stopping.best_epoch}"
                        if early_stopping is not None and early_stopping.wait >= early_stopping.patience
                        else f"a callback stopped training after epoch {epoch}"
                    )
                    break
            else:
                history.stopped_epoch = len(history) or None
        finally:
            if progress is not None:
                progress.close()
    for cb in callbacks:
        cb.on_train_end(net, history)
    if history.best_epoch is None and len(history):
        key = "dev_cost" if dev is not None else "cost"
        values = history[key]
        history.best_epoch = history["epoch"][int(np.argmin(values))]
    return history


def _checkpoint(net, opt, history, rngs, early_stopping, folder, every, epoch) -> None:
    from .io import save_checkpoint

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    es_state = early_stopping.state() if early_stopping is not None else None
    best_theta = early_stopping.best_theta if early_stopping is not None else None
    if every and epoch % every == 0:
        save_checkpoint(folder / f"checkpoint-epoch{epoch:04d}.npz", net, opt, history, rngs,
                        es_state, best_theta)
        save_checkpoint(folder / "checkpoint-last.npz", net, opt, history, rngs, es_state,
                        best_theta)
    if early_stopping is not None and early_stopping.best_epoch == epoch:
        save_checkpoint(folder / "checkpoint-best.npz", net, opt, history, rngs, es_state,
                        best_theta)


class _Progress:
    """A tqdm bar over epochs (verbose=1) or one printed line per epoch (verbose=2)."""

    def __init__(self, verbose: int, start: int, total: int):
        self.verbose = verbose
        self.bar = None
        if verbose == 1:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, initial=start, unit="epoch", dynamic_ncols=True,
                            leave=True)

    def update(self, epoch: int, record: dict) -> None:
        shown = {k: v for k, v in record.items()
                 if k not in ("epoch", "learning_rate", "seconds") and v is not None}
        if self.bar is not None:
            self.bar.set_postfix({k: f"{v:.4g}" for k, v in shown.items()}, refresh=False)
            self.bar.update(1)
        else:
            text = "  ".join(f"{k} {v:.4f}" for k, v in shown.items())
            print(f"epoch {epoch:>5}  {text}  ({record['seconds']:.2f} s)", flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _progress(verbose, start, total):
    if verbose not in (0, 1, 2, False, True):
        raise HyperparameterError(f"verbose must be 0 (silent), 1 (progress bar) or 2 (a line per "
                                  f"epoch), got {verbose!r}")
    return _Progress(int(verbose), start, total) if verbose else None


__all__ = ["Callback", "DivergenceWarning", "EarlyStopping", "FunctionCallback", "History",
           "evaluate", "fit"]
