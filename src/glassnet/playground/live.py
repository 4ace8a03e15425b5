"""Live changes: settings that leave the parameters' shapes alone apply to the running model, without a reset.

``LIVE_FIELDS`` are the learning rate, the optimizer, L2 λ, keep_prob and the batch size. Once the run
has trained an epoch, a change of only these is applied between two epochs, the weights and the epoch
count kept; a change of anything else (data, points, noise, split, layers, activations,
initialization, scale, normalization, seed) starts a new run. Each live change is a new spec
(``spec.replace``) applied as the exported script applies it, so the script still ends on the page's
weights bit for bit:

    lr         optimizer.learning_rate = spec.learning_rate     (the optimizer's moments kept)
    optimizer  optimizer = get_optimizer(spec.optimizer, ...)   (a new one: its moments start at zero)
    l2         net.l2 = spec.l2
    keep_prob  net.keep_prob = spec.network_keep_prob           (the next training forward passes drop with it)
    batch      the next epochs take spec.batch_size

The run records them as ``{"epoch": e, "changes": {field: [old, new]}}`` (applied before epoch e + 1
is trained); the page marks each on the cost curve and lists it.
"""

from __future__ import annotations

import glassnet as gn

from .runspec import PAGE_FIELDS, to_spec

LIVE_FIELDS = ("lr", "optimizer", "l2", "keep_prob", "batch")
WORDS = {"lr": "learning rate", "optimizer": "optimizer", "l2": "l2", "keep_prob": "keep_prob", "batch": "batch size"}
SPEC_FIELDS = {"lr": "learning_rate", "optimizer": "optimizer", "l2": "l2", "keep_prob": "keep_prob",
               "batch": "batch_size"}
"""The spec field of each live setting."""


def make_optimizer(config: dict) -> gn.optimizers.Optimizer:
    """The optimizer the configuration names, at its learning rate."""
    return gn.optimizers.get_optimizer(config["optimizer"], config["lr"])


def changed_fields(old: dict, new: dict) -> dict:
    """{field: [old value, new value]} for every field of the configuration that differs."""
    return {key: [old[key], new[key]] for key in new if old.get(key) != new[key]}


def is_live(changes: dict) -> bool:
    """Whether every changed field can be applied to the running model."""
    return bool(changes) and set(changes) <= set(LIVE_FIELDS)


def apply(net: gn.Network, optimizer, spec: gn.RunSpec, changes: dict):
    """Apply live ``changes`` (already in ``spec``) to ``net``; returns the optimizer to use from now on."""
    if "optimizer" in changes:
        optimizer = gn.optimizers.get_optimizer(spec.optimizer, spec.learning_rate)
    elif "lr" in changes:
        optimizer.learning_rate = spec.learning_rate
    if "l2" in changes:
        net.l2 = spec.l2
    if "keep_prob" in changes:
        net.keep_prob = spec.network_keep_prob
    return optimizer


def _statements(changes: dict, spec: gn.RunSpec) -> list[str]:
    """The lines of the script that make ``changes`` (spec: the run's spec after them)."""
    replaced = ", ".join(f"{SPEC_FIELDS[key]}={getattr(spec, SPEC_FIELDS[key])!r}" for key in changes)
    lines = [f"spec = spec.replace({replaced})"]
    if "optimizer" in changes:
        lines.append("optimizer = gn.optimizers.get_optimizer(spec.optimizer, spec.learning_rate)"
                     "  # a new optimizer: its state starts afresh")
    elif "lr" in changes:
        lines.append("optimizer.learning_rate = spec.learning_rate")
    if "l2" in changes:
        lines.append("net.l2 = spec.l2")
    if "keep_prob" in changes:
        lines.append("net.keep_prob = spec.network_keep_prob")
    return lines


def configs_along(config: dict, log: list[dict]) -> list[dict]:
    """The configuration the run started with, then after each change of ``log`` (``config``: the current one)."""
    configs = [dict(config)]
    for entry in reversed(log):
        before = dict(configs[0])
        for key, (old, _) in entry["changes"].items():
            before[key] = old
        configs.insert(0, before)
    return configs


def spec_lines(config: dict, log: list[dict], epochs: int) -> list[str]:
    """``spec = gn.RunSpec.from_dict({...})``: the run as it started (the page's epochs; constant rate), one
    field a line: those the page decides and any other that differs from ``gn.RunSpec()``'s."""
    first = configs_along(config, log)[0]
    values, default = to_spec(first, epochs=epochs or None).to_dict(), gn.RunSpec().to_dict()
    shown = [f"    {key!r}: {value!r}," for key, value in values.items()
             if key in PAGE_FIELDS or value != default[key]]
    return ["spec = gn.RunSpec.from_dict({", *shown, "})  # the fields not given: gn.RunSpec()'s"]


SEGMENT = '''
def train(spec, first, last):
    """Epochs first+1 .. last of the page's run, on from where the last segment ended."""
    if last > first:
        settings = gn.runs.fit_settings(spec.replace(epochs=last - first))
        settings.update(optimizer=optimizer, learning_rate=None, seed=rng,
                        normalize=spec.normalize if first == 0 else "keep")
        net.fit(X_train, Y_train, X_dev=X_dev, Y_dev=Y_dev, **settings)

'''


def training_lines(config: dict, log: list[dict], epochs: int) -> list[str]:
    """The part of the exported script that trains: one ``gn.runs.fit`` of the spec; with live changes,
    the segments between them, the changes applied between the same epochs as on the page."""
    if not epochs:
        return ["# no epoch was trained on the page yet"]
    if not log:
        return [f"history = gn.runs.fit(spec, net, X_train, Y_train, X_dev, Y_dev)  # {epochs} epochs, as on the page"]
    lines = ["# Settings changed while it ran: each segment between two changes goes on from the last, with the",
             "# optimizer's state, the normalizer of the first epoch and one generator for the mini-batch order.",
             "optimizer = gn.optimizers.get_optimizer(spec.optimizer, spec.learning_rate)",
             "rng = np.random.default_rng(spec.seed)",
             f"EPOCHS = {epochs}", "", *SEGMENT.split("\n")]
    start = 0
    for entry, after in zip(log, configs_along(config, log)[1:], strict=True):
        lines.append(f"train(spec, {start}, {entry['epoch']})")
        words = ", ".join(f"{WORDS[key]} {old!r} -> {new!r}" for key, (old, new) in entry["changes"].items())
        lines += [f"# after epoch {entry['epoch']}: {words}", *_statements(entry["changes"], to_spec(after))]
        start = entry["epoch"]
    return [*lines, f"train(spec, {start}, EPOCHS)"]
