"""One trial of a sweep: a RunSpec and a seed -> the network built, trained and measured.

A trial is (settings, seed) and nothing else: the spec ``RunSpec.from_dict(settings).replace(seed=seed)``
is built by ``runs.build`` and trained by ``runs.fit``, as ``glassnet train`` does, so a trial and a
run of the same spec give the same weights. The settings travel as the spec's JSON dict: a
combination RunSpec refuses fails its own trial (recorded as an error), not the whole sweep.
"""

from __future__ import annotations

from .. import runs
from ..runs import RunSpec
from .data import TrialData


def trial_spec(settings: dict, seed: int) -> RunSpec:
    """The spec of a trial: its settings (a ``RunSpec.to_dict``), the seed given."""
    return RunSpec.from_dict(settings).replace(seed=seed)


def build_and_fit(data: TrialData, spec: RunSpec):
    """(network, history) of the run ``spec`` describes, on the trial data's splits."""
    net = runs.build(spec, data.n_x, data.n_out, data.output, **data.pipeline)
    X, Y = data.splits["train"]
    X_dev, Y_dev = data.splits.get("dev", (None, None))
    history = runs.fit(spec, net, X, Y, X_dev, Y_dev, image_shape=data.image_shape)
    return net, history


def data_cost(result: dict) -> float:
    """J of the data alone, (1/m) sum of the losses, from ``net.evaluate``'s result: its "data_cost"
    when it has one, else its "cost", which is the data cost (the L2 term is not in it)."""
    return float(result["data_cost"] if "data_cost" in result else result["cost"])


def measure(net, data: TrialData) -> dict:
    """{split}_data_cost and {split}_{accuracy|rmse} for every split the data has."""
    row = {}
    for split, (X, Y) in data.splits.items():
        result = net.evaluate(X, Y)
        row[f"{split}_data_cost"] = data_cost(result)
        row[f"{split}_{data.metric}"] = float(result[data.metric])
    return row


def train_trial(data: TrialData, settings: dict, seed: int) -> dict:
    """The default trial: build, train, then the data cost and accuracy (or rmse) of every split."""
    net, history = build_and_fit(data, trial_spec(settings, seed))
    return {**measure(net, data), "best_epoch": history.best_epoch, "epochs_run": len(history)}


__all__ = ["build_and_fit", "data_cost", "measure", "train_trial", "trial_spec"]
