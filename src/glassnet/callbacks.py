"""Hooks into the fit loop: ``Callback``, and the notes' early stopping (``EarlyStopping``).

Early stopping (the notes' early stopping): watch the dev-set cost after every epoch, stop when it
has not improved for ``patience`` epochs, and keep the weights of its best epoch.
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import HyperparameterError, unknown_name
from .history import History
from .validation import check_int, check_number


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


__all__ = ["MONITOR_MODES", "Callback", "EarlyStopping", "FunctionCallback", "as_callbacks"]
