"""Live changes: settings that leave the parameters' shapes alone apply to the running model, without a reset.

``LIVE_FIELDS`` are the learning rate, the optimizer, L2 λ, keep_prob and the batch size. Once the run
has trained an epoch, a change of only these is applied between two epochs, the weights and the epoch
count kept; a change of anything else (data, points, noise, split, layers, activations,
initialization, scale, normalization, seed) starts a new run. Each live change is applied as the
exported script applies it, so the script still ends on the page's weights bit for bit:

    lr         optimizer.learning_rate = lr        (the optimizer's moments kept)
    optimizer  optimizer = gn.optimizers.Adam(lr)  (a new one: its moments start at zero)
    l2         net.l2 = l2
    keep_prob  net.keep_prob = keep_prob           (the next training forward passes drop with it)
    batch      the next fit calls take batch_size = batch

The run records them as ``{"epoch": e, "changes": {field: [old, new]}}`` (applied before epoch e + 1
is trained); the page marks each on the cost curve and lists it.
"""

from __future__ import annotations

import glassnet as gn

LIVE_FIELDS = ("lr", "optimizer", "l2", "keep_prob", "batch")
WORDS = {"lr": "learning rate", "optimizer": "optimizer", "l2": "l2", "keep_prob": "keep_prob", "batch": "batch size"}
OPTIMIZER_CLASSES = {"gd": "GradientDescent", "momentum": "Momentum", "rmsprop": "RMSprop", "adam": "Adam"}


def make_optimizer(config: dict) -> gn.optimizers.Optimizer:
    """The optimizer the configuration names, at its learning rate."""
    return getattr(gn.optimizers, OPTIMIZER_CLASSES[config["optimizer"]])(config["lr"])


def changed_fields(old: dict, new: dict) -> dict:
    """{field: [old value, new value]} for every field of the configuration that differs."""
    return {key: [old[key], new[key]] for key in new if old.get(key) != new[key]}


def is_live(changes: dict) -> bool:
    """Whether every changed field can be applied to the running model."""
    return bool(changes) and set(changes) <= set(LIVE_FIELDS)


def apply(net: gn.Network, optimizer, config: dict, changes: dict):
    """Apply live ``changes`` (already in ``config``) to ``net``; returns the optimizer to use from now on."""
    if "optimizer" in changes:
        optimizer = make_optimizer(config)
    elif "lr" in changes:
        optimizer.learning_rate = config["lr"]
    if "l2" in changes:
        net.l2 = config["l2"]
    if "keep_prob" in changes:
        net.keep_prob = list(config["keep_prob"])
    return optimizer


def _statements(changes: dict, config: dict) -> list[str]:
    """The lines of the script that make ``changes`` (config: the configuration after them)."""
    lines = []
    if "optimizer" in changes:
        lines.append(f"optimizer = gn.optimizers.{OPTIMIZER_CLASSES[config['optimizer']]}({config['lr']!r})"
                     "  # a new optimizer: its state starts afresh")
    elif "lr" in changes:
        lines.append(f"optimizer.learning_rate = {config['lr']!r}")
    if "l2" in changes:
        lines.append(f"net.l2 = {config['l2']!r}")
    if "keep_prob" in changes:
        lines.append(f"net.keep_prob = {list(config['keep_prob'])!r}")
    if "batch" in changes:
        lines.append(f"batch_size = {config['batch'] or None!r}")
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


def training_lines(config: dict, log: list[dict], epochs: int) -> list[str]:
    """The part of the exported script that trains: one fit call per epoch, the live changes between them."""
    configs = configs_along(config, log)
    first = configs[0]
    fit = ["    net.fit(X_train, Y_train, epochs=1, batch_size=batch_size, schedule=None, optimizer=optimizer,",
           f"            normalize={bool(first['normalize'])!r} if epoch == 0 else \"keep\", on_divergence=\"raise\")"]
    lines = [f"optimizer = gn.optimizers.{OPTIMIZER_CLASSES[first['optimizer']]}({first['lr']!r})",
             f"batch_size = {first['batch'] or None!r}",
             f"EPOCHS = {epochs}",
             "# The playground trains one epoch per fit call, keeping the optimizer's state and the input",
             "# normalizer fitted in the first epoch; the same calls give the same weights."]
    if not log:
        return [*lines, "for epoch in range(EPOCHS):", *fit]
    lines += ["# Settings changed while it ran are applied between the same epochs as on the page.", "",
              "", "def train(first, last):", "    for epoch in range(first, last):", *["    " + f for f in fit], ""]
    start = 0
    for entry, after in zip(log, configs[1:], strict=True):
        lines.append(f"train({start}, {entry['epoch']})")
        words = ", ".join(f"{WORDS[key]} {old!r} -> {new!r}" for key, (old, new) in entry["changes"].items())
        lines += [f"# after epoch {entry['epoch']}: {words}", *_statements(entry["changes"], after)]
        start = entry["epoch"]
    return [*lines, f"train({start}, EPOCHS)"]
