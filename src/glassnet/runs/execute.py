"""A RunSpec carried out: the network it describes, its fit, a whole run with its results.

    net = build(spec, n_x, n_out, output)             # [n_x, *layers, n_out], seeded from spec.seed
    history = fit(spec, net, X, Y, X_dev, Y_dev)      # net.fit with the spec's settings
    run = train(spec)                                 # data -> build -> fit -> results

These are the only places where a front end's description of a run becomes a ``Network`` and a
call of the fit loop: the command line, sweeps, the estimators and the playground all come here.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..callbacks import EarlyStopping
from ..data.augmentation import from_names
from ..history import History
from ..network import Network
from .data import RunData, prepare
from .spec import RunSpec


def build(spec: RunSpec, n_x: int, n_out: int, output: str, *, input_scale=None, feature_names=None,
          class_names=None, network_class: type = Network, dtype=None) -> Network:
    """The network of ``spec`` for n_x inputs and an output layer of n_out ``output`` units.

    layer_dims = [n_x, *spec.layers, n_out]; activations = spec.hidden_activations + [output];
    initializer, init_scale, keep_prob, l2, dtype and the seed from the spec; the input pipeline
    (``input_scale``, names) from the data. ``network_class``: a subclass of Network (the
    playground's, which can plant a bug in its gradient check); ``dtype`` overrides the spec's
    (an estimator keeps its inputs' float type).
    """
    return network_class([n_x, *spec.layers, n_out], activations=[*spec.hidden_activations, output],
                         initializer=spec.initializer, init_scale=spec.init_scale, keep_prob=spec.network_keep_prob,
                         l2=spec.l2, dtype=spec.dtype if dtype is None else dtype, seed=spec.seed,
                         input_scale=input_scale, feature_names=feature_names, class_names=class_names)


def build_for(spec: RunSpec, data: RunData, **options) -> Network:
    """``build`` for a run's data: its features, output layer and input pipeline."""
    return build(spec, data.n_x, data.n_out, data.output, **data.pipeline, **options)


def fit_settings(spec: RunSpec, *, image_shape=None, checkpoint_dir=None) -> dict:
    """The keyword arguments of ``Network.fit`` that the spec decides (the data and callbacks are the caller's).

    normalize: the spec's, else tables yes and images no; early_stopping: patience on the dev cost,
    restoring the best epoch; augment: the named pipeline for images of ``image_shape``; checkpoints
    into ``checkpoint_dir`` every ``checkpoint_every`` epochs (and the best, with early stopping).
    """
    augment = from_names(spec.augment, image_shape=image_shape) if spec.augment else None
    early = EarlyStopping(patience=spec.early_stopping) if spec.early_stopping else None
    writes_checkpoints = checkpoint_dir is not None and (spec.checkpoint_every or early is not None)
    return {"epochs": spec.epochs, "batch_size": spec.batch_size, "optimizer": spec.optimizer,
            "learning_rate": spec.start_learning_rate(), "schedule": spec.schedule, "early_stopping": early,
            "normalize": spec.normalize_for(image_shape), "standardize_targets": spec.standardize_targets,
            "seed": spec.seed, "augment": augment, "image_shape": image_shape if augment is not None else None,
            "diagnostics": spec.diagnostics, "checkpoint_dir": checkpoint_dir if writes_checkpoints else None,
            "checkpoint_every": spec.checkpoint_every if writes_checkpoints else None}


def fit(spec: RunSpec, net: Network, X, Y, X_dev=None, Y_dev=None, *, image_shape=None, checkpoint_dir=None,
        **extra) -> History:
    """Train ``net`` on (X, Y) as the spec says; ``extra``: what the front end adds (callbacks, verbose,
    resume_from, sample_weight, on_divergence)."""
    settings = fit_settings(spec, image_shape=image_shape, checkpoint_dir=checkpoint_dir)
    return net.fit(X, Y, X_dev=X_dev, Y_dev=Y_dev, **settings, **extra)


@dataclass
class Run:
    """One run carried out: its spec, data, network and history; ``results()`` scores every split."""

    spec: RunSpec
    data: RunData
    net: Network
    history: History = field(default_factory=History)
    seconds: float = 0.0

    def results(self) -> dict:
        """{split: net.evaluate(X, Y)} for train, dev (if any) and test: the data cost and accuracy (or rmse)."""
        return {split: self.net.evaluate(X, Y) for split, (X, Y) in self.data.splits.items()}

    def fit(self, *, callbacks: Sequence = (), verbose: int = 0, checkpoint_dir=None, resume_from=None,
            **extra) -> History:
        """Train the run's network on its training split (dev set watched); the history is kept."""
        started = time.perf_counter()
        X, Y = self.data.splits["train"]
        X_dev, Y_dev = self.data.splits.get("dev", (None, None))
        self.history = fit(self.spec, self.net, X, Y, X_dev, Y_dev, image_shape=self.data.image_shape,
                           checkpoint_dir=checkpoint_dir, callbacks=callbacks, verbose=verbose,
                           resume_from=resume_from, **extra)
        self.seconds = time.perf_counter() - started
        return self.history


def plan(spec: RunSpec, dataset=None, **build_options) -> Run:
    """A run ready to fit: its data read and split, its network built (not trained yet)."""
    data = prepare(spec, dataset)
    return Run(spec, data, build_for(spec, data, **build_options))


def train(spec: RunSpec, dataset=None, **fit_options) -> Run:
    """The whole run: data, network, fit. ``dataset``: a Dataset to use instead of reading the spec's source."""
    run = plan(spec, dataset)
    run.fit(**fit_options)
    return run


__all__ = ["Run", "build", "build_for", "fit", "fit_settings", "plan", "train"]
