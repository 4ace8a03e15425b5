"""What a training run records: per-epoch values, the best and last epoch, and why it stopped.

``history["dev_cost"]`` is the list of dev costs, one per epoch (None where there was no dev set);
every cost is the data cost (J without the L2 term), and ``history["l2_cost"]`` the L2 term
(l2/2m) Σ‖W‖² with the training set's m, so cost + l2_cost is the notes' J of the training set;
``history`` reads like a mapping of the entries recorded in this run ("cost" in history,
history.keys(), history.items()); ``len(history)`` is the number of epochs. ``diagnostics`` holds
one per-layer record per epoch when ``fit(diagnostics=True)``.
"""

from __future__ import annotations

import json

from .atomic import write_text_atomic


class History:
    """Per-epoch records of a fit, plus ``best_epoch`` and ``stopped_epoch`` (1-based epochs)."""

    KEYS = ("epoch", "cost", "dev_cost", "accuracy", "dev_accuracy", "rmse", "dev_rmse", "l2_cost",
            "learning_rate", "seconds")

    def __init__(self):
        self.records: dict[str, list] = {key: [] for key in self.KEYS}
        self.diagnostics: list[dict] = []
        self.best_epoch: int | None = None
        self.stopped_epoch: int | None = None
        self.stop_reason: str = ""
        self.monitor: str | None = None
        self.diverged: bool = False  # a NaN/inf cost, or a cost that ended far above its start (training.fit)

    def append(self, record: dict) -> None:
        for key in self.KEYS:
            self.records[key].append(record.get(key))

    def __getitem__(self, key: str) -> list:
        if key not in self.records:
            raise KeyError(f"no history entry {key!r}; the entries are {', '.join(self.KEYS)}")
        return self.records[key]

    def keys(self) -> list[str]:
        """The entries this run recorded (at least one value that is not None), in KEYS order."""
        return [key for key, values in self.records.items() if any(v is not None for v in values)]

    def items(self) -> list[tuple[str, list]]:
        return [(key, self.records[key]) for key in self.keys()]

    def values(self) -> list[list]:
        return [self.records[key] for key in self.keys()]

    def __contains__(self, key) -> bool:
        return key in self.keys()

    def __iter__(self):
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.records["epoch"])

    @property
    def epochs(self) -> int:
        return len(self)

    def last(self) -> dict:
        return {key: values[-1] for key, values in self.records.items() if values}

    def to_dict(self) -> dict:
        return {"records": dict(self.items()), "best_epoch": self.best_epoch,
                "stopped_epoch": self.stopped_epoch, "stop_reason": self.stop_reason,
                "monitor": self.monitor, "diverged": self.diverged, "diagnostics": self.diagnostics}

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
        history.diverged = bool(data.get("diverged", False))
        history.diagnostics = list(data.get("diagnostics", []))
        return history

    def save_json(self, path) -> None:
        """Write ``to_dict()`` as JSON to ``path`` whole: a temporary file beside it, fsync, os.replace, fsync
        of the folder; a full disk or a kill leaves the old file or the new one (and no temporary file)."""
        write_text_atomic(path, json.dumps(self.to_dict(), indent=1))

    def _repr_html_(self) -> str:
        """The cost curves (train and dev) as an inline SVG and the last epoch's record, for a notebook."""
        from .display import block, curves, table

        series = {name: self.records[key] for key, name in (("cost", "train cost"), ("dev_cost", "dev cost"))
                  if any(v is not None for v in self.records[key])}
        last = [[k, f"{v:.6g}" if isinstance(v, float) else v] for k, v in self.last().items() if v is not None]
        return block(repr(self), curves(series) if series else "", table(last))

    def __repr__(self) -> str:
        return (f"History(epochs={len(self)}, best_epoch={self.best_epoch}, "
                f"stopped_epoch={self.stopped_epoch}{', diverged' if self.diverged else ''})")


__all__ = ["History"]
