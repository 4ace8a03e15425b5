"""The initialization race: three copies of the setup that differ only in how W starts, trained side by side.

Lanes: zeros (every unit of a layer computes the same thing and gets the same update: the symmetry
is never broken), random ×10 (large weights: saturated or exploding units, a slow and poor start)
and He (the variance-keeping scale for ReLU). By default the race runs with plain gradient descent
at the setup's learning rate and batch size, where the notes' lesson is clear; ``optimizer="setup"``
runs it with the setup's own optimizer (Adam's per-parameter steps partly hide a bad scale).
"""

from __future__ import annotations

import math
import time

import numpy as np

import glassnet as gn

from .live import make_optimizer

LANES = (("zeros", "zeros", 1.0), ("random x10", "random", 10.0), ("he", "he", 1.0))
RACE_OPTIMIZERS = ("gd", "setup")


def _finite(x):
    x = float(x)
    return x if math.isfinite(x) else None


class Race:
    """The three lanes, each a network, an optimizer, its epoch and its cost curve."""

    def __init__(self, make_network, config: dict, data, epochs: int, optimizer: str = "gd"):
        """``make_network(config, initializer, scale)`` builds a lane's network; ``data`` = (X_train, Y_train,
        X_dev, Y_dev, grid) with ``grid`` the points of the plane each lane's boundary is drawn on."""
        self.config, self.data, self.epochs, self.optimizer = config, data, epochs, optimizer
        race_config = {**config, "optimizer": "gd"} if optimizer == "gd" else config
        self.lanes = [{"label": label, "net": make_network(config, init, scale), "opt": make_optimizer(race_config),
                       "epoch": 0, "stopped": None, "curve": {"epoch": [], "train_cost": [], "dev_acc": []}}
                      for label, init, scale in LANES]

    @property
    def done(self) -> bool:
        """Every lane has trained its epochs or stopped."""
        return all(lane["stopped"] or lane["epoch"] >= self.epochs for lane in self.lanes)

    def tick(self, seconds: float) -> None:
        """Train each lane one epoch in turn for about ``seconds``."""
        end = time.perf_counter() + seconds
        X, Y = self.data[0], self.data[1]
        while not self.done:
            for lane in self.lanes:
                if lane["stopped"] or lane["epoch"] >= self.epochs:
                    continue
                try:
                    lane["net"].fit(X, Y, epochs=1, batch_size=self.config["batch"] or None, schedule=None,
                                    optimizer=lane["opt"], on_divergence="raise",
                                    normalize=bool(self.config["normalize"]) if lane["epoch"] == 0 else "keep")
                except gn.DivergenceError:
                    lane["stopped"] = "diverged"
                lane["epoch"] += 1
            if time.perf_counter() >= end:
                break

    def frame(self, grid_size: int, encode) -> dict:
        """What the page draws: per lane its epoch, cost, accuracy, boundary (``encode``d) and curve."""
        X_train, Y_train, X_dev, Y_dev, grid = self.data
        out = []
        for lane in self.lanes:
            net = lane["net"]
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                train = net.evaluate(X_train, Y_train)
                dev = net.evaluate(X_dev, Y_dev)
                proba = net.predict_proba(grid)
            curve = lane["curve"]
            if not curve["epoch"] or curve["epoch"][-1] != lane["epoch"]:
                curve["epoch"].append(lane["epoch"])
                curve["train_cost"].append(_finite(train["cost"]))
                curve["dev_acc"].append(_finite(dev["accuracy"]))
            out.append({"label": lane["label"], "epoch": lane["epoch"], "stopped": lane["stopped"],
                        "train_cost": _finite(train["cost"]), "train_acc": _finite(train["accuracy"]),
                        "dev_acc": _finite(dev["accuracy"]), "boundary": encode(proba[0]), "curve": curve})
        return {"type": "race", "epochs": self.epochs, "lanes": out, "done": self.done, "grid": grid_size,
                "optimizer": self.optimizer, "learning_rate": self.config["lr"]}
