"""Hooks into the fit loop: ``Callback``, the notes' early stopping (``EarlyStopping``), ``Checkpoints``.

Early stopping (the notes' early stopping): watch the dev-set cost after every epoch, stop when it
has not improved for ``patience`` epochs, and keep the weights of its best epoch.

A callback keeps its own state: ``EarlyStopping.state()`` / ``restore(state)`` are what a checkpoint
saves and a resumed fit puts back, and a callback that stops training says why in ``stop_reason``.
What a callback may need of the loop beyond the network and the history (the optimizer, the
generators, the other callbacks) it gets in ``attach(training)``: a public ``TrainingState``.
``Checkpoints`` is such a callback: ``fit(checkpoint_dir=..., checkpoint_every=...)`` adds one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import HyperparameterError, unknown_name
from .history import History
from .modelfile import save_checkpoint
from .validation import check_folder, check_int, check_number


@dataclass
class TrainingState:
    """What ``fit`` lends its callbacks (``Callback.attach``), live for the whole run.

    ``net`` the network trained; ``optimizer`` its optimizer (state included); ``history`` the
    History being written; ``rngs`` the loop's generators by name ({"shuffle": mini-batch order,
    "augment": augmentation or None}); ``early_stopping`` the EarlyStopping of ``fit(early_stopping=...)``
    or None; ``callbacks`` every callback of this fit, in the order they run.
    """

    net: Any
    optimizer: Any
    history: History
    rngs: dict = field(default_factory=dict)
    early_stopping: EarlyStopping | None = None
    callbacks: list = field(default_factory=list)


class Callback:
    """Hooks into ``fit``. ``on_epoch_end`` may return True to stop training.

    A callback that stops training may say why in ``stop_reason`` (read when it returned True;
    None: "a callback stopped training after epoch N").
    """

    stop_reason: str | None = None

    def attach(self, training: TrainingState) -> None:
        """Called once by ``fit`` before ``on_train_begin``, with the loop's public state."""

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

    @property
    def stop_reason(self) -> str | None:
        """Why it stopped training, once it has (``patience`` epochs without improvement); else None."""
        if not (self.wait and self.wait >= self.patience):
            return None
        return (f"early stopping: {self.monitor} did not improve for {self.patience} epochs "
                f"after epoch {self.best_epoch}")

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
        """What a resumed fit needs to go on: {"best_value", "best_epoch", "wait", "best_theta"}.

        ``best_theta`` is a copy of θ at the best epoch (None before the first); the rest is JSON.
        """
        return {"best_value": self.best_value, "best_epoch": self.best_epoch, "wait": self.wait,
                "best_theta": self.best_theta}

    def restore(self, state: dict) -> None:
        """Go on from ``state()`` (a checkpoint's): the best value and epoch so far, the epochs waited, the best θ."""
        self.best_value, self.best_epoch, self.wait = state["best_value"], state["best_epoch"], state["wait"]
        self.best_theta = state.get("best_theta")


class Checkpoints(Callback):
    """Write checkpoints of the run into ``folder``: what ``fit(resume_from=...)`` continues from.

    After every ``every``-th epoch (None: never) ``checkpoint-epochNNNN.npz`` and ``checkpoint-last.npz``;
    after each epoch that is early stopping's best so far, ``checkpoint-best.npz``. A checkpoint holds
    the model, the optimizer's state, the history, the generators and early stopping's ``state()``.
    ``fit(checkpoint_dir=folder, checkpoint_every=every)`` adds one; ``fit`` runs every Checkpoints
    after the other callbacks and early stopping, so that it saves what they decided. ``metadata``
    (JSON) is written into every checkpoint too (``load_metadata(file)["extra"]``): the command line
    records the training data's checksum there, which ``--resume`` checks.
    """

    def __init__(self, folder, every: int | None = None, metadata: dict | None = None):
        self.folder = check_folder(folder, "checkpoint_dir")  # a path that names a file is refused before training
        self.every = None if every is None else check_int(every, "checkpoint_every",
                                                          hint="write a checkpoint every N epochs")
        self.training: TrainingState | None = None
        self.metadata = dict(metadata) if metadata else None

    def attach(self, training: TrainingState) -> None:
        self.training = training

    def on_epoch_end(self, net, epoch, record):
        training = self.training
        if training is None:
            raise HyperparameterError("Checkpoints writes what fit lends it: pass it to fit(callbacks=[...])")
        es = training.early_stopping
        es_state = es.state() if es is not None else None
        best_theta = es_state.pop("best_theta") if es_state is not None else None
        save = {"net": net, "optimizer": training.optimizer, "history": training.history, "rngs": training.rngs,
                "early_stopping": es_state, "best_theta": best_theta, "extra": self.metadata}
        folder = self.folder
        folder.mkdir(parents=True, exist_ok=True)
        if self.every and epoch % self.every == 0:
            save_checkpoint(folder / f"checkpoint-epoch{epoch:04d}.npz", **save)
            save_checkpoint(folder / "checkpoint-last.npz", **save)
        if es is not None and es.best_epoch == epoch:
            save_checkpoint(folder / "checkpoint-best.npz", **save)
        return False


def as_callbacks(callbacks) -> list[Callback]:
    """Callback objects from a list of Callbacks and functions f(net, epoch, record)."""
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


__all__ = ["MONITOR_MODES", "Callback", "Checkpoints", "EarlyStopping", "FunctionCallback", "TrainingState",
           "as_callbacks"]
