"""The page's setup <-> a RunSpec, in one place: ``to_spec(config)`` and ``from_spec(spec, base)``.

The page's configuration (``protocol.DEFAULT_CONFIG``) is a flat dict in the page's words; the run it
describes is a ``gn.RunSpec``, which builds the network (``gn.runs.build``), trains it (``gn.runs.fit``)
and is what the exported script holds. Field by field:

    data -> data            layers -> layers            activations -> activation ("relu,tanh")
    split -> dev_fraction   init -> initializer         scale -> init_scale
    keep_prob -> keep_prob  l2 -> l2                    optimizer -> optimizer
    lr -> learning_rate     batch (0: full) -> batch_size (None)
    normalize -> normalize  seed -> seed

The page runs open-ended, one epoch at a time, at a constant rate: ``schedule="constant"`` and
``epochs=None`` (the exported script sets the epochs it trained). ``points`` and ``noise`` size the
page's own generated sets (``playground.data``) and have no spec field: ``from_spec`` takes them from
``base``. (This module imports no other room of the playground: ``protocol`` imports ``live``, which needs it.)
"""

from __future__ import annotations

import glassnet as gn

PAGE_FIELDS = ("data", "dev_fraction", "normalize", "layers", "activation", "dtype", "initializer", "init_scale",
               "keep_prob", "l2", "optimizer", "learning_rate", "schedule", "epochs", "batch_size", "seed")
"""The spec fields the page decides (dtype: the spec's float32, which the page keeps)."""


def to_spec(config: dict, **changes) -> gn.RunSpec:
    """The RunSpec of the page's configuration (``changes``: spec fields to set as well, e.g. epochs)."""
    fields = dict(
        data=config["data"], dev_fraction=round(1.0 - config["split"], 12), layers=tuple(config["layers"]),
        activation=",".join(config["activations"]) or "relu", initializer=config["init"],
        init_scale=config["scale"], keep_prob=tuple(config["keep_prob"]), l2=config["l2"],
        optimizer=config["optimizer"], learning_rate=config["lr"], schedule="constant", epochs=None,
        batch_size=config["batch"] or None, normalize=bool(config["normalize"]), seed=config["seed"],
    )
    return gn.RunSpec(**{**fields, **changes})


def from_spec(spec: gn.RunSpec, base: dict) -> dict:
    """The page's configuration of ``spec``; ``base`` (a configuration, e.g. ``protocol.default_config()``)
    gives what the spec does not hold: points and noise."""
    config = dict(base)
    names = [a if isinstance(a, str) else a.name for a in spec.hidden_activations]
    keep_prob = spec.keep_prob if isinstance(spec.keep_prob, tuple) else [1.0] + [spec.keep_prob] * len(spec.layers)
    config.update(
        data=spec.data, split=round(1.0 - spec.dev_fraction, 12), layers=list(spec.layers), activations=names,
        init=spec.initializer, scale=spec.init_scale, keep_prob=list(keep_prob), l2=spec.l2,
        optimizer=spec.optimizer, lr=spec.start_learning_rate(), batch=spec.batch_size or 0,
        normalize=spec.normalize_for(None), seed=spec.seed,
    )
    return config


__all__ = ["PAGE_FIELDS", "from_spec", "to_spec"]
