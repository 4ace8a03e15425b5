"""The defaults of a run, in one place: ``Network.fit``, ``glassnet train``, sweeps read them here.

Chosen by the defaults study (``python -m bench.defaults``, table in ``docs/defaults.md``): the
same settings on every built-in data set, with the default epochs and with 300, three seeds each,
against the other schedules and rates. What the study showed, in short:

* the schedule is defined over the planned run (cosine from α0 at the first epoch to 0 at the
  last), so a run of 300 epochs learns as long as one of 20 instead of stalling after ~100
  epochs at 0.95^epoch;
* Adam from 0.002 on mini-batches of 128: the full-batch default of old made ``fit(epochs=30)``
  30 steps;
* regression targets are standardized for training where a front end chooses the pipeline (the
  command line, sweeps), like tabular inputs; the library's ``fit`` does what it is told
  (``normalize=False``, ``standardize_targets=False``), as a NumPy function should.

Where a front end differs, on purpose: the estimators keep scikit-learn's MLP defaults (hidden
(100,), batches of min(200, m), 200 epochs, Adam 0.001, constant rate) so that they drop in for
``MLPClassifier``/``MLPRegressor``; the playground runs open-ended, one epoch at a time, on
small 2-D sets (no planned length for a schedule; a larger constant rate so that it is watchable).
"""

from __future__ import annotations

HIDDEN_LAYERS: tuple[int, ...] = (256, 128)
ACTIVATION = "relu"
INITIALIZER = "he"
OPTIMIZER = "adam"
LEARNING_RATES: dict[str, float] = {"adam": 0.002}
"""A run's starting rate per optimizer where it differs from the optimizer's own default."""
SCHEDULE = "cosine"
EPOCHS = 20
BATCH_SIZE = 128


def learning_rate(optimizer, given: float | None = None) -> float | None:
    """The rate a run starts from: ``given``, else the run default for a named optimizer, else None
    (the optimizer's own default)."""
    if given is not None:
        return given
    return LEARNING_RATES.get(optimizer) if isinstance(optimizer, str) else None


__all__ = ["ACTIVATION", "BATCH_SIZE", "EPOCHS", "HIDDEN_LAYERS", "INITIALIZER", "LEARNING_RATES", "OPTIMIZER",
           "SCHEDULE", "learning_rate"]
