"""The defaults of a run, in one place: ``Network.fit``, ``glassnet train``, sweeps read them here.

Chosen by the defaults study (``python -m bench.defaults``, table in ``docs/defaults.md``): the
same settings on every built-in data set, with the default epochs and with 300, three seeds each,
against the other schedules and rates. What the study showed, in short:

* the schedule is defined over the planned run (cosine from α0 at the first epoch to 0 at the
  last), so a run of 300 epochs learns as long as one of 20 instead of stalling after ~100
  epochs at 0.95^epoch;
* Adam from 0.002 on mini-batches of 128: the full-batch default of old made ``fit(epochs=30)``
  30 steps;
* at least 20 epochs and 1 000 mini-batch steps (``epochs_for``): 20 epochs of a 300-example set
  are 60 steps, which learn nothing of circles;
* regression targets as given: on diabetes (raw targets 25–346) the default run reaches a test RMSE
  of 56.2, 2.6 % above a standardized linear regression, while standardized targets
  (``standardize_targets=True``, ``--standardize-targets``) reach 58.9 in 20 epochs but overfit
  to 74.2 over the default ~330 epochs; they remain the choice for targets far from 0 or short runs.

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
"""The fewest epochs of a default run; small sets get more (``epochs_for``)."""
MIN_STEPS = 1000
"""The fewest mini-batch steps of a default run: 20 epochs of MNIST are 8 440 steps, of moons 60."""
BATCH_SIZE = 128


def epochs_for(m: int, batch_size: int | None = BATCH_SIZE) -> int:
    """The default number of epochs for m training examples: max(EPOCHS, ceil(MIN_STEPS / steps per epoch)).

    steps per epoch = ceil(m / batch_size) (1 for full batch). Twenty epochs of a 300-example set
    are 60 steps of Adam, too few to learn circles or spirals (the defaults study); a fixed number of
    steps would give MNIST a fraction of an epoch. So: at least EPOCHS epochs and MIN_STEPS steps.
    """
    steps = 1 if not batch_size else -(-int(m) // int(batch_size))
    return max(EPOCHS, -(-MIN_STEPS // max(steps, 1)))


def learning_rate(optimizer, given: float | None = None) -> float | None:
    """The rate a run starts from: ``given``, else the run default for a named optimizer, else None
    (the optimizer's own default)."""
    if given is not None:
        return given
    return LEARNING_RATES.get(optimizer) if isinstance(optimizer, str) else None


__all__ = ["ACTIVATION", "BATCH_SIZE", "EPOCHS", "HIDDEN_LAYERS", "INITIALIZER", "LEARNING_RATES", "MIN_STEPS",
           "OPTIMIZER", "SCHEDULE", "epochs_for", "learning_rate"]
