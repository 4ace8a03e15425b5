"""The fit loop: mini-batches, epochs, early stopping, callbacks, checkpoints, divergence guard.

One epoch (the notes' mini-batch gradient descent, 1 ≤ batch_size ≤ m):

    shuffle the example indices (from the seed);  for each mini-batch t of up to batch_size:
        A[L] = forward(X{t}, training=True);  J{t} = cost;  grads = backward(Y{t})
        θ = optimizer step(θ, grads, α(epoch))

``batch_size=None`` is full-batch gradient descent, as in the notes. The last, partial batch is
used. The data set is never copied per epoch: each mini-batch is gathered from a permutation into
a reused buffer (``glassnet.minibatches``: example-major, the next one copied on another core while
one trains). Dev data is evaluated after each epoch without dropout.

History records per epoch: ``cost`` and ``accuracy`` (running averages over the epoch's
mini-batches, with dropout as trained, like Keras reports them), ``dev_cost`` and
``dev_accuracy`` (the full dev set after the epoch; ``rmse`` / ``dev_rmse`` for a linear output),
``l2_cost``, ``learning_rate`` and ``seconds``; plus ``best_epoch`` and ``stopped_epoch``.
Every cost recorded is the data cost, J without the L2 term, so train, dev and test costs compare
whatever their sizes; the L2 term (l2/2m) Σ‖W‖², with the m of the training set, is ``l2_cost``.
What λ means with mini-batches: the gradient of each mini-batch of b examples carries (l2/b) W,
the notes' L2 term of that batch's J (the convention table is in ``glassnet.optimizers``).

The loop knows no Network class. It drives any object with the public training step (the
``Trainable`` protocol below, which ``glassnet.Network`` has): per mini-batch
``A0 = net.input_pipeline(X{t})``, ``J, A[L] = net.train_step(A0, Y{t})``, then
``optimizer.step(net.theta, net.dtheta, α)`` updates the live parameter vector in place. So the
network imports the loop (``Network.fit`` is ``fit``), never the other way round. Checkpoints are a
callback (``callbacks.Checkpoints``); early stopping keeps its own state (``state()``/``restore``).

Divergence guard (``glassnet.guard``, one ``DivergenceGuard`` per run): a cost that is NaN or infinite
stops training and restores the last weights whose cost was computed finite; a cost that grows a
thousandfold over the best epoch so far is warned about; after the last epoch it judges the run.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from . import defaults
from .backend import blas_threads, make_rng, spawn_seed, threads_for, xp
from .callbacks import Callback, Checkpoints, EarlyStopping, TrainingState, as_callbacks
from .data.augmentation import augment_columns
from .data.preprocessing import Standardizer
from .errors import HyperparameterError, ShapeError, plain, unknown_name
from .guard import DIVERGED_FACTOR, GROWTH_WARNING, DivergenceGuard, DivergenceWarning
from .history import History
from .layer_stats import epoch_record
from .metrics import batch_metric_sum, finish_metric, metric_names
from .minibatches import MiniBatches
from .modelfile import load_checkpoint_into
from .optimizers import get_optimizer, get_schedule
from .progress import progress_for
from .validation import check_int


class Trainable(Protocol):
    """What the loop needs of a network: the public training step and the pipelines (``glassnet.Network`` has it).

    "Prepared" inputs have passed the pipelines: A0 = ``input_pipeline(X)`` (X checked and cast),
    Y from ``check_Y`` and ``standardize_targets``. ``train_step`` returns (J, A[L]) and leaves the
    gradient in ``dtheta``; the loop then updates ``theta`` (the live parameter vector) in place.
    """

    layer_dims: list[int]
    dtype: Any
    rng: Any
    input_scale: float | None
    normalizer: Any
    target_normalizer: Any
    loss: Any
    output_activation: str

    @property
    def theta(self) -> Any: ...
    @property
    def dtheta(self) -> Any: ...
    def input_pipeline(self, X) -> Any: ...
    def train_step(self, A0, Y, weights=None) -> tuple[float, Any]: ...
    def batch_cost(self, A0, Y, weights=None, *, with_l2: bool = False) -> tuple[float, Any]: ...
    def evaluate_prepared(self, A0, Y, batch_size: int = 4096) -> dict: ...
    def check_X(self, X, name: str = "X", raw: bool = False) -> Any: ...
    def check_Y(self, Y, m: int, name: str = "Y") -> Any: ...
    def check_weights(self, sample_weight, m: int, name: str = "sample_weight") -> Any: ...
    def standardize_targets(self, Y) -> Any: ...
    def in_target_units(self, AL, Y_std) -> tuple[Any, Any]: ...
    def l2_cost(self, m: int) -> float: ...
    def parameter_shapes(self) -> dict: ...
    def parameters_to_vector(self) -> Any: ...
    def vector_to_parameters(self, theta) -> None: ...


def fit(net: Trainable, X, Y, *, epochs: int | None = None, batch_size: int | None = defaults.BATCH_SIZE,
        optimizer=defaults.OPTIMIZER, learning_rate: float | None = None, schedule=defaults.SCHEDULE,
        X_dev=None, Y_dev=None,
        early_stopping: EarlyStopping | None = None, normalize: bool | str = False,
        callbacks: Sequence = (), verbose: int = 0, seed=None, augment=None,
        image_shape: tuple | None = None, diagnostics: bool = False,
        checkpoint_dir=None, checkpoint_every: int | None = None, resume_from=None,
        on_divergence: str = "stop", sample_weight=None, standardize_targets: bool | str = False) -> History:
    """Train on X (n_x, m) and Y (n_y, m); returns a ``History``. ``Network.fit`` is this function.

    Keyword arguments (the defaults are the run defaults of ``glassnet.defaults``, the command line's too):
    epochs=None (at least 20 epochs and 1 000 mini-batch steps: ``defaults.epochs_for``);
    batch_size=128 (None: full batch, as in the notes' first algorithm);
    optimizer="adam" ("gd", "momentum", "rmsprop", or an Optimizer); learning_rate=None (Adam
    0.002, other optimizers their own default); schedule="cosine" (decays over the planned
    epochs; None or "constant" keeps α0; "inverse_time", "exponential", "step", or a Schedule)
    — the run defaults of ``glassnet.defaults``, chosen by the defaults study;
    X_dev, Y_dev (evaluated every epoch); early_stopping=None or gn.EarlyStopping(...);
    normalize=False (True: fit a Standardizer on X only, stored in the model and applied by
    predict; "keep": keep the network's current normalizer, to continue training);
    standardize_targets=False (True: a linear output learns (y - μ_y)/σ_y of the training
    targets, and answers and reports in y's units);
    callbacks=(); verbose=0 (1: progress bar, 2: a line per epoch); seed=None (mini-batch
    order); augment=None and image_shape=(H, W, C) (augment each training mini-batch);
    diagnostics=False (per-layer statistics each epoch); checkpoint_dir, checkpoint_every
    (a ``callbacks.Checkpoints``), resume_from (continue a checkpoint with its optimizer state);
    on_divergence="stop"|"raise"; sample_weight=None ((1, m): a weighted average cost).

    ``net`` is any ``Trainable`` (a ``glassnet.Network``).
    """
    learning_rate = defaults.learning_rate(optimizer, learning_rate)
    loop = _Loop(net, epochs=epochs, optimizer=optimizer, learning_rate=learning_rate, schedule=schedule,
                 early_stopping=early_stopping, callbacks=callbacks, augment=augment, image_shape=image_shape,
                 diagnostics=diagnostics, checkpoint_dir=checkpoint_dir, checkpoint_every=checkpoint_every,
                 on_divergence=on_divergence)
    loop.take_data(X, Y, X_dev, Y_dev, batch_size, sample_weight)
    if resume_from is not None:
        loop.resume(resume_from)
    else:
        loop.start(normalize, seed, standardize_targets)
    loop.prepare_pipeline()
    loop.run(verbose)
    for message in loop.guard.warnings:
        warnings.warn(message, DivergenceWarning, stacklevel=2)
    return loop.history


class _Loop:
    """One call of ``fit``: its checked settings, its data, and the steps of the loop."""

    def __init__(self, net, *, epochs, optimizer, learning_rate, schedule, early_stopping, callbacks,
                 augment, image_shape, diagnostics, checkpoint_dir, checkpoint_every, on_divergence):
        self.net = net
        self.epochs = None if epochs is None else check_int(epochs, "epochs", hint="or None for the run default")
        if on_divergence not in ("stop", "raise"):
            raise unknown_name("on_divergence", on_divergence, ["stop", "raise"])
        self.on_divergence = on_divergence
        self.opt = get_optimizer(optimizer, learning_rate)
        self.schedule = get_schedule(schedule)
        self.callbacks = as_callbacks(callbacks)
        # Checkpoints run after the other callbacks and early stopping: they save what those decided.
        self.checkpoints = [cb for cb in self.callbacks if isinstance(cb, Checkpoints)]
        self.callbacks = [cb for cb in self.callbacks if not isinstance(cb, Checkpoints)]
        if early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
            raise HyperparameterError(
                f"early_stopping must be None or gn.EarlyStopping(...), got {early_stopping!r}"
            )
        self.early_stopping = early_stopping
        if augment is not None and image_shape is None:
            raise HyperparameterError("augment needs image_shape=(H, W, C) to unflatten the columns of X")
        self.augment, self.image_shape = augment, image_shape
        self.diagnostics = diagnostics
        if checkpoint_every is not None:
            checkpoint_every = check_int(checkpoint_every, "checkpoint_every", hint="write a checkpoint every N epochs")
        if checkpoint_dir is not None:
            self.checkpoints.append(Checkpoints(checkpoint_dir, checkpoint_every))
        self.history = History()
        self.start_epoch = 0

    # -------------------------------------------------------------- before the first epoch
    def take_data(self, X, Y, X_dev, Y_dev, batch_size, sample_weight) -> None:
        """Validate the data once (the loop trusts what passes) and lay it out example-major."""
        net = self.net
        X = net.check_X(X, "X", raw=True)
        m = self.m = X.shape[1]
        if batch_size is not None:
            batch_size = check_int(batch_size, "batch_size", hint=f"or None for full batch ({m})")
        self.batch = m if batch_size is None else min(batch_size, m)
        if self.epochs is None:  # the run default: enough epochs for defaults.MIN_STEPS mini-batch steps
            self.epochs = defaults.epochs_for(m, self.batch)
        self.schedule.planned(self.epochs)
        if (X_dev is None) != (Y_dev is None):
            raise HyperparameterError("pass both X_dev and Y_dev, or neither")
        es = self.early_stopping
        if es is not None and es.monitor.startswith("dev_") and X_dev is None:
            raise HyperparameterError(
                f"early stopping monitors {es.monitor!r} but no dev set was given; "
                "pass X_dev and Y_dev, or EarlyStopping(monitor='cost')"
            )
        if self.augment is not None and int(np.prod(self.image_shape)) != X.shape[0]:
            raise ShapeError(f"image_shape {tuple(self.image_shape)} has {int(np.prod(self.image_shape))} values "
                             f"but X has {X.shape[0]} rows")
        self.X = X
        self.Y = net.check_Y(Y, m)  # in the targets' own units; YT, what the loop trains on, comes in prepare_pipeline
        # (m, n_x), each example contiguous: a view when X already is example-major (images.reshape(m, -1).T),
        # otherwise one copy for the whole fit. A gather from feature-major storage is 6-45x slower
        # (python -m bench.tricks), the epoch 50 % slower (bench/README.md).
        self.XT = xp.ascontiguousarray(X.T, dtype=net.dtype)
        weights = net.check_weights(sample_weight, m)
        self.WT = None if weights is None else xp.ascontiguousarray(weights.T)
        self.m_weighted = m if weights is None else float(weights.sum())  # the m of the L2 term and the averages
        self.dev = self.raw_dev = None
        if X_dev is not None:
            Xd = net.check_X(X_dev, "X_dev", raw=True)
            self.raw_dev = (xp.asarray(Xd, dtype=net.dtype), net.check_Y(Y_dev, Xd.shape[1], "Y_dev"))

    def start(self, normalize, seed, standardize_targets=False) -> None:
        """A fresh run: the normalizers fitted on the training set only, the generators, the optimizer."""
        net = self.net
        if normalize not in (True, False, "keep"):
            raise HyperparameterError(
                f"normalize must be True (fit a Standardizer on X), False (none) or 'keep' (keep the "
                f"network's current normalizer, to continue training), got {plain(normalize)!r}"
            )
        if normalize != "keep":
            # μ, σ² of the training set as the normalizer sees it: after the network's fixed input scaling
            net.normalizer = Standardizer().fit(self.X, divide_by=net.input_scale) if normalize is True else None
        if standardize_targets not in (True, False, "keep"):
            raise HyperparameterError(
                f"standardize_targets must be True (train a linear output on (y - mean) / std of the training "
                f"targets), False (the targets as given) or 'keep', got {standardize_targets!r}")
        if standardize_targets is True and net.output_activation != "linear":
            raise HyperparameterError(
                f"standardize_targets=True is for a linear output (regression); this network's output is "
                f"{net.output_activation!r}, whose targets are labels: leave it False")
        if standardize_targets != "keep":
            net.target_normalizer = Standardizer().fit(self.Y) if standardize_targets is True else None
        self.shuffle_rng = make_rng(seed) if seed is not None else make_rng(spawn_seed(net.rng))
        self.augment_rng = make_rng(spawn_seed(self.shuffle_rng)) if self.augment is not None else None
        if not self.opt.is_attached_to(net.parameter_shapes(), net.dtype):
            self.opt.attach(net.parameter_shapes(), dtype=net.dtype)

    def resume(self, path) -> None:
        """Continue a checkpoint: weights, optimizer state, generators, history, early stopping."""
        state = load_checkpoint_into(self.net, self.opt, path)
        self.history = state["history"]
        self.start_epoch = len(self.history)
        self.shuffle_rng, self.augment_rng = state["shuffle_rng"], state["augment_rng"]
        if self.augment is not None and self.augment_rng is None:
            self.augment_rng = make_rng(spawn_seed(self.shuffle_rng))
        if self.early_stopping is not None and state.get("early_stopping"):
            self.early_stopping.restore({**state["early_stopping"], "best_theta": state.get("best_theta")})

    def prepare_pipeline(self) -> None:
        """The targets to train on and the dev set through the training set's pipelines, once final.

        The notes' rule for normalized inputs: the dev (and test) sets are scaled with the μ and σ²
        of the training set. So the dev set waits until ``start`` has fitted the normalizer (or
        ``resume`` has restored it), then goes through the same ``transform_input`` as every
        mini-batch: / input_scale, then (x − μ) / σ. Its targets stay in their own units: the dev
        set is scored as ``evaluate`` scores it. The training targets become (y − μ_y) / σ_y when
        the network has a target normalizer.
        """
        self.YT = xp.ascontiguousarray(self.net.standardize_targets(self.Y).T)
        self.batches = MiniBatches(self.XT, self.YT, self.WT, self.batch)
        if self.raw_dev is not None:
            Xd, Yd = self.raw_dev
            self.dev = (self.net.input_pipeline(Xd), Yd)

    # -------------------------------------------------------------- the loop
    def run(self, verbose) -> None:
        """Epochs until the last, an early stop, a callback's stop, or a divergence."""
        net, history = self.net, self.history
        if self.early_stopping is not None:
            self.callbacks.append(self.early_stopping)
            history.monitor = self.early_stopping.monitor
        training = TrainingState(net=net, optimizer=self.opt, history=history,
                                 rngs={"shuffle": self.shuffle_rng, "augment": self.augment_rng},
                                 early_stopping=self.early_stopping, callbacks=self.callbacks + self.checkpoints)
        for cb in training.callbacks:
            cb.attach(training)
            cb.on_train_begin(net, history)
        progress = progress_for(verbose, self.start_epoch, self.epochs)
        self.guard = DivergenceGuard(net, history, self.start_epoch, self.on_divergence)
        # Overflow on the way to a NaN is reported once, by the divergence guard, not by NumPy.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), \
                blas_threads(threads_for(net.layer_dims, self.batch)):
            try:
                for epoch in range(self.start_epoch + 1, self.epochs + 1):
                    if self.one_epoch(epoch, progress):
                        break
                else:
                    history.stopped_epoch = len(history) or None
                    history.stop_reason = f"completed {self.epochs} epochs"
                    self.verify_final_weights()
            finally:
                self.batches.finish()
                if progress is not None:
                    progress.close()
        self.guard.judge(self.Y)
        for cb in self.callbacks + self.checkpoints:
            cb.on_train_end(net, history)
        if history.best_epoch is None and len(history):
            values = history["dev_cost" if self.dev is not None else "cost"]
            history.best_epoch = history["epoch"][int(np.argmin(values))]

    def one_epoch(self, epoch: int, progress) -> bool:
        """Train and record one epoch; True when training must stop."""
        t0 = time.perf_counter()
        self.guard.remember_start_of_epoch(epoch)
        lr = self.schedule(self.opt.learning_rate, epoch - 1)
        record = self.train_epoch(epoch, lr)
        if record is None:
            return True
        if self.dev is not None:
            dev = self.net.evaluate_prepared(*self.dev)
            if not math.isfinite(dev["cost"]):
                self.guard.diverged(epoch, dev["cost"], "on the dev set", lr, first_batch=False)
                return True
            record.update({f"dev_{k}": v for k, v in dev.items()})
        if self.diagnostics:
            self.history.diagnostics.append(epoch_record(self.net, *self.last_batch[:2]))
        record["seconds"] = time.perf_counter() - t0
        self.history.append(record)
        self.guard.warn_if_growing(epoch, record["cost"])
        stoppers = [cb for cb in self.callbacks if cb.on_epoch_end(self.net, epoch, record)]
        if self.early_stopping is not None:
            self.history.best_epoch = self.early_stopping.best_epoch
        if progress is not None:
            progress.update(epoch, record)
        for cb in self.checkpoints:
            cb.on_epoch_end(self.net, epoch, record)
        if stoppers:
            self.stopped_by(stoppers, epoch)
        return bool(stoppers)

    def train_epoch(self, epoch: int, lr: float) -> dict | None:
        """Every mini-batch once: forward, cost, backward, step. None when the cost diverged.

        The recorded cost is the data cost (J without the L2 term), averaged over the epoch's
        mini-batches with dropout as trained; the L2 term is recorded beside it as "l2_cost",
        with the m of the whole training set. Each mini-batch's gradient carries (l2/b) W for its
        b examples: the notes' J of that batch.
        """
        net, name, batches = self.net, metric_names(self.net.output_activation)[0], self.batches
        batches.shuffle(self.shuffle_rng.permutation(self.m) if self.batch < self.m else None)
        loss_sum = metric_sum = 0.0
        steps = 0  # mini-batches stepped on so far in this epoch
        for t in range(len(batches)):
            Xb, Yb, wb = batches.take(t)  # X{t} (n_x, b): copied while mini-batch t-1 trained, or now
            if wb is not None and not float(wb.sum()) > 0:
                self.keep_last_batch()
                continue  # every example of this mini-batch has weight 0: it has nothing to learn from
            if self.augment is not None:
                Xb = augment_columns(Xb, self.image_shape, self.augment, self.augment_rng)
            Xb = net.input_pipeline(Xb)  # the network's input pipeline: / input_scale, then the normalizer
            J, AL = net.train_step(Xb, Yb, wb)  # forward with dropout, J, and backward when J is finite
            if not math.isfinite(J):
                self.guard.diverged(epoch, J, f"at mini-batch {t + 1}", lr, first_batch=steps == 0)
                return None
            batches.gather_next(t)  # X{t+1} copied on another core while this mini-batch is scored and stepped
            J_units, batch_metric = self.in_target_units(J, AL, Yb, wb)
            metric_sum += batch_metric
            if self.guard.start_cost is None:
                self.guard.start_cost = J_units  # the starting weights' cost, before any step of this run
            loss_sum += J_units * (Yb.shape[1] if wb is None else float(wb.sum()))
            self.opt.step(net.theta, net.dtheta, lr)  # θ updated in place: the network's live vector
            steps += 1
            self.last_batch = (Xb, Yb, wb)  # what the final check and the diagnostics score
        return {"epoch": epoch, "cost": loss_sum / self.m_weighted, "l2_cost": net.l2_cost(self.m_weighted),
                name: finish_metric(net.output_activation, metric_sum, self.m), "learning_rate": lr}

    def keep_last_batch(self) -> None:
        """A copy of the last trained mini-batch's X{t}: its buffer goes to the mini-batches skipped after it."""
        if hasattr(self, "last_batch") and not self.last_batch[0].flags.owndata:
            Xb, Yb, wb = self.last_batch
            self.last_batch = (Xb.copy(order="K"), Yb, wb)  # in its layout: the same products

    def in_target_units(self, J: float, AL, Yb, wb) -> tuple[float, float]:
        """(J, the metric's batch sum) of a mini-batch in the targets' own units, as evaluate reports them.

        Without a target normalizer that is J itself; with one, the network learned y_std and the
        cost and rmse are of ŷ − y = σ_y ⊙ (A[L] − y_std).
        """
        net = self.net
        if net.target_normalizer is None:
            return J, batch_metric_sum(net.output_activation, AL, Yb)
        AL_units, Y_units = net.in_target_units(AL, Yb)
        J_units = net.loss.cost(AL_units, AL_units, Y_units, wb)
        return J_units, batch_metric_sum(net.output_activation, AL_units, Y_units)

    def verify_final_weights(self) -> None:
        """The last steps were never scored: one forward pass on the last batch (the dev set did it if given)."""
        if self.dev is not None or not len(self.history):
            return
        Xb, Yb, wb = self.last_batch
        J, AL = self.net.batch_cost(Xb, Yb, wb)
        self.guard.check_final_cost(self.in_target_units(J, AL, Yb, wb)[0])

    # -------------------------------------------------------------- stops
    def stopped_by(self, stoppers: list, epoch: int) -> None:
        """Record the stop of callbacks that returned True: the first one's own ``stop_reason``, if any says it."""
        self.history.stopped_epoch = epoch
        reasons = [cb.stop_reason for cb in stoppers if getattr(cb, "stop_reason", None)]
        self.history.stop_reason = reasons[0] if reasons else f"a callback stopped training after epoch {epoch}"


__all__ = ["Callback", "DIVERGED_FACTOR", "DivergenceWarning", "GROWTH_WARNING", "Trainable", "fit"]
