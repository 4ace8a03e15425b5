"""RunSpec: one validated, serializable description of a training run.

A run is: where the data comes from and how it is split; the input pipeline; the architecture
(hidden layers and their activations; the output comes from the task); the initializer; the
regularization; the optimizer and its schedule; the fit settings; one seed. Every front end turns
its own input into a RunSpec (``glassnet train``'s flags, a sweep's base settings and each grid
point, an estimator's parameters, the playground's page) and everything after that is shared:
``runs.build`` makes the network, ``runs.fit`` trains it, ``runs.train`` does a whole run.

The defaults are the run defaults of ``glassnet.defaults`` (chosen by the defaults study); the
spec is where they apply. A spec is frozen; ``replace(**changes)`` gives a checked copy, and
``to_dict`` / ``from_dict`` a JSON round trip (stored in model files and ``results.json``).

    spec = gn.RunSpec(data="moons", layers=(16, 8), l2=0.01, seed=3)
    run = gn.runs.train(spec)          # data, network, fit, results
    gn.RunSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec   # True
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import json
from dataclasses import dataclass, fields

import numpy as np

from .. import defaults
from ..activations import ACTIVATIONS
from ..data.augmentation import from_names
from ..errors import HyperparameterError, plain, unknown_name
from ..initializers import STD_RULES
from ..optimizers import OPTIMIZERS, SCHEDULES
from ..validation import check_bool, check_int, check_keep_prob, check_number

SPEC_VERSION = 1
TASKS = ("auto", "classification", "regression")
DTYPES = ("float32", "float64")
SECTIONS = {
    "data": ("data", "data_path", "label", "task", "test_fraction", "dev_fraction", "limit"),
    "input pipeline": ("normalize", "standardize_targets"),
    "architecture": ("layers", "activation", "leaky_alpha", "dtype"),
    "initialization": ("initializer", "init_scale"),
    "regularization": ("l2", "keep_prob"),
    "optimizer": ("optimizer", "learning_rate", "schedule"),
    "fit": ("epochs", "batch_size", "early_stopping", "augment", "checkpoint_every", "diagnostics"),
    "seed": ("seed",),
}
"""The spec's fields by part of the run (the order of ``describe`` and of the docs)."""


class SpecError(HyperparameterError):
    """A RunSpec field holds a value it cannot take; ``field`` names it (front ends say it their way:
    the command line as its flag, an estimator as its parameter)."""

    def __init__(self, message: str, field_name: str):
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class RunSpec:
    """A training run, described; see the module docstring. Field by field:

    data: a built-in data set name (``glassnet data``) or a .csv/.npz file; data_path: the folder
    of a file-based built-in set; label: a file's label column; task: auto | classification |
    regression; test_fraction: held out for the test split (sets without one); dev_fraction: taken
    from the training split for the dev set (0: none); limit: the first N training examples only.

    normalize: standardize the inputs with the training set's μ, σ² (None: tables yes, images no —
    they are divided by their fixed scale); standardize_targets: a linear output learns
    (y − μ_y)/σ_y.

    layers: hidden layer sizes; activation: one name for every hidden layer or one per hidden layer
    ("relu,tanh"); leaky_alpha: slope of leaky_relu for z < 0; dtype: float32 | float64.
    initializer: he | xavier | glorot | ... ; init_scale multiplies every initial std.
    l2: the notes' λ; keep_prob: one value for every hidden layer, or one per layer input.
    optimizer, learning_rate (None: the run default, Adam 0.002, else the optimizer's own), schedule.
    epochs (None: ``defaults.epochs_for``); batch_size (None: full batch); early_stopping: patience
    on the dev cost (0: off); augment: image augmentations by name ("crop,rotate");
    checkpoint_every: a checkpoint every N epochs; diagnostics: per-layer statistics each epoch.
    seed: every random choice (splits, initialization, dropout masks, mini-batch order).
    """

    data: str = "digits"
    data_path: str | None = None
    label: str | None = None
    task: str = "auto"
    test_fraction: float = 0.2
    dev_fraction: float = 0.1
    limit: int | None = None
    normalize: bool | None = None
    standardize_targets: bool = False
    layers: tuple[int, ...] = defaults.HIDDEN_LAYERS
    activation: str = defaults.ACTIVATION
    leaky_alpha: float = 0.01
    dtype: str = "float32"
    initializer: str = defaults.INITIALIZER
    init_scale: float = 1.0
    l2: float = 0.0
    keep_prob: float | tuple[float, ...] = 1.0
    optimizer: str = defaults.OPTIMIZER
    learning_rate: float | None = None
    schedule: str = defaults.SCHEDULE
    epochs: int | None = None
    batch_size: int | None = defaults.BATCH_SIZE
    early_stopping: int = 0
    augment: str | None = None
    checkpoint_every: int | None = None
    diagnostics: bool = False
    seed: int = 0

    def __post_init__(self):
        for name, value in _check(self).items():
            object.__setattr__(self, name, value)

    # ------------------------------------------------------------------ copies and JSON
    def replace(self, **changes) -> RunSpec:
        """A checked copy with ``changes`` (field names as keywords)."""
        _refuse_unknown(changes, "RunSpec.replace")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """{"spec_version": 1, field: value, ...}: JSON types only (tuples become lists)."""
        out = {"spec_version": SPEC_VERSION}
        for f in fields(self):
            if f.init:
                value = getattr(self, f.name)
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, values: dict) -> RunSpec:
        """The spec of ``to_dict`` (missing fields take their defaults; an unknown one is refused)."""
        if not isinstance(values, dict):
            raise HyperparameterError(f"a run spec is a dict of settings, got {type(values).__name__}")
        values = dict(values)
        version = values.pop("spec_version", SPEC_VERSION)
        if version != SPEC_VERSION:
            raise HyperparameterError(f"run spec version {plain(version)!r} is not known here (this glassnet "
                                      f"reads version {SPEC_VERSION}); upgrade glassnet")
        _refuse_unknown(values, "a run spec")
        return cls(**values)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1)

    @classmethod
    def from_json(cls, text: str) -> RunSpec:
        try:
            values = json.loads(text)
        except json.JSONDecodeError as exc:
            raise HyperparameterError(f"a run spec must be JSON: {exc}") from None
        return cls.from_dict(values)

    # ------------------------------------------------------------------ what the fields resolve to
    @property
    def hidden_activations(self) -> list:
        """One activation per hidden layer: ``activation`` repeated or split; leaky_relu with leaky_alpha."""
        from ..activations import LeakyReLU

        names = _activation_names(self.activation, len(self.layers))
        return [LeakyReLU(self.leaky_alpha) if n == "leaky_relu" else n for n in names]

    @property
    def network_keep_prob(self) -> float | list[float]:
        """keep_prob as ``Network`` takes it: a float for every hidden layer, or a list per layer input."""
        return list(self.keep_prob) if isinstance(self.keep_prob, tuple) else self.keep_prob

    def start_learning_rate(self) -> float | None:
        """The rate the run starts from: ``learning_rate``, else the run default for the optimizer."""
        return defaults.learning_rate(self.optimizer, self.learning_rate)

    def normalize_for(self, image_shape) -> bool:
        """``normalize``, or its default for the data: standardize tables, not images (those have a scale)."""
        return self.normalize if self.normalize is not None else image_shape is None

    def epochs_for(self, m: int) -> int:
        """``epochs``, or the run default for m training examples (``defaults.epochs_for``)."""
        return self.epochs or defaults.epochs_for(m, self.batch_size)

    def describe(self) -> str:
        """The settings that differ from the defaults, by part of the run, one line each."""
        default = RunSpec()
        lines = []
        for part, names in SECTIONS.items():
            changed = [f"{n}={_shown(getattr(self, n))}" for n in names if getattr(self, n) != getattr(default, n)]
            if changed:
                lines.append(f"{part}: {', '.join(changed)}")
        return "\n".join(lines) or "the run defaults"


# ---------------------------------------------------------------------- validation, field by field
def _check(s: RunSpec) -> dict:
    """Every field checked and in its one form (tuples for sequences, lowercase names); SpecError names the field."""
    v = {}
    v["data"] = _text(s.data, "data")
    v["data_path"] = None if s.data_path is None else _text(s.data_path, "data_path")
    v["label"] = None if s.label is None else _text(s.label, "label")
    v["task"] = _name(s.task, "task", TASKS)
    v["test_fraction"] = _field(check_number, s.test_fraction, "test_fraction", low=0.0, high=1.0,
                                low_open=True, high_open=True)
    v["dev_fraction"] = _field(check_number, s.dev_fraction, "dev_fraction", low=0.0, high=1.0, high_open=True,
                               hint="0 for no dev set")
    v["limit"] = None if s.limit is None else _field(check_int, s.limit, "limit", hint="or None for all")
    v["normalize"] = None if s.normalize is None else _field(check_bool, s.normalize, "normalize")
    v["standardize_targets"] = _field(check_bool, s.standardize_targets, "standardize_targets")
    v["layers"] = _layers(s.layers)
    names = _activation_names(s.activation, len(v["layers"])) if v["layers"] else [_activation_name(s.activation)]
    v["activation"] = names[0] if len(set(names)) == 1 else ",".join(names)  # one name when all are the same
    v["leaky_alpha"] = _field(check_number, s.leaky_alpha, "leaky_alpha", low=0.0)
    v["dtype"] = _dtype(s.dtype)
    v["initializer"] = _name(s.initializer, "initializer", tuple(STD_RULES))
    v["init_scale"] = _field(check_number, s.init_scale, "init_scale", low=0.0, low_open=True)
    v["l2"] = _field(check_number, s.l2, "l2", low=0.0, hint="0 turns the L2 term off")
    v["keep_prob"] = _keep_prob(s.keep_prob, len(v["layers"]) + 1)
    v["optimizer"] = _name(s.optimizer, "optimizer", tuple(OPTIMIZERS))
    v["learning_rate"] = None if s.learning_rate is None else _field(
        check_number, s.learning_rate, "learning_rate", low=0.0, low_open=True, hint="or None for the run default")
    v["schedule"] = _name("constant" if s.schedule is None else s.schedule, "schedule", tuple(SCHEDULES))
    v["epochs"] = None if s.epochs is None else _field(check_int, s.epochs, "epochs", hint="or None for the default")
    v["batch_size"] = None if s.batch_size is None else _field(check_int, s.batch_size, "batch_size",
                                                                   hint="or None for full batch")
    v["early_stopping"] = _field(check_int, s.early_stopping, "early_stopping", low=0, hint="patience; 0: off")
    v["augment"] = _augment(s.augment)
    v["checkpoint_every"] = None if s.checkpoint_every is None else _field(check_int, s.checkpoint_every,
                                                                               "checkpoint_every")
    v["diagnostics"] = _field(check_bool, s.diagnostics, "diagnostics")
    v["seed"] = _field(check_int, s.seed, "seed", low=0)
    if v["early_stopping"] and not v["dev_fraction"]:
        raise SpecError("early_stopping needs a dev set: dev_fraction > 0", "early_stopping")
    return v


def _field(check, value, name: str, **kwargs):
    try:
        return check(value, name, **kwargs)
    except HyperparameterError as exc:
        raise SpecError(str(exc), name) from None


def _text(value, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"{name} must be a non-empty string, got {plain(value)!r}", name)
    return value


def _name(value, name: str, known: tuple) -> str:
    key = value.strip().lower().replace("-", "_") if isinstance(value, str) else value
    if key not in known:
        exc = unknown_name(name, value, list(known))
        raise SpecError(str(exc), name)
    return key


def _layers(layers) -> tuple[int, ...]:
    if isinstance(layers, int) and not isinstance(layers, bool):
        layers = (layers,)
    if isinstance(layers, str | bytes) or not hasattr(layers, "__iter__"):
        raise SpecError(f"layers must be a list of hidden layer sizes such as (64, 32) (() for none), "
                        f"got {plain(layers)!r}", "layers")
    return tuple(_field(check_int, n, f"layers[{i}]") for i, n in enumerate(layers))


def _activation_name(name) -> str:
    if not isinstance(name, str):
        raise SpecError(f"activation must be a name such as 'relu' (or 'relu,tanh', one per hidden layer), "
                        f"got {plain(name)!r}", "activation")
    return _name(name, "activation", tuple(a for a in ACTIVATIONS if a != "softmax"))


def _activation_names(activation, n_hidden: int) -> list[str]:
    """"relu" -> ["relu"] * n_hidden; "relu,tanh" -> one per hidden layer (their number must match)."""
    items = activation.split(",") if isinstance(activation, str) else list(activation)
    names = [_activation_name(a) for a in items if not isinstance(a, str) or a.strip()]
    if len(names) == 1:
        return names * n_hidden
    if len(names) != n_hidden:
        raise SpecError(f"activation needs 1 or {n_hidden} names (one per hidden layer), got {len(names)}: "
                        f"{plain(activation)!r}", "activation")
    return names


def _keep_prob(keep_prob, n_layers: int):
    """One float for every hidden layer, or a tuple of one value per layer input (L of them)."""
    if isinstance(keep_prob, list | tuple) and len(keep_prob) == 1 and n_layers > 1:
        keep_prob = keep_prob[0]  # "--keep-prob 0.8": every hidden layer (with no hidden layer, [p] is the input's)
    try:
        checked = check_keep_prob(list(keep_prob) if isinstance(keep_prob, list | tuple) else keep_prob, n_layers)
    except HyperparameterError as exc:
        raise SpecError(str(exc), "keep_prob") from None
    return tuple(checked) if isinstance(keep_prob, list | tuple) else float(keep_prob)


def _augment(augment) -> str | None:
    """Augmentation names as one checked text ("crop,rotate:15"), or None."""
    if augment is None:
        return None
    if isinstance(augment, list | tuple):
        augment = ",".join(map(str, augment))
    if not isinstance(augment, str):
        raise SpecError(f"augment must be names such as 'crop,rotate', got {plain(augment)!r}", "augment")
    try:
        from_names(augment)  # names and values checked as the pipeline will read them
    except HyperparameterError as exc:
        raise SpecError(str(exc), "augment") from None
    names = [n.strip().lower() for n in augment.split(",") if n.strip() and n.strip().lower() != "none"]
    return ",".join(names) or None


def _refuse_unknown(values: dict, where: str) -> None:
    known = [f.name for f in fields(RunSpec) if f.init]
    for key in values:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; the settings are: {', '.join(known)}"
            raise SpecError(f"{where} has no setting {plain(key)!r}{hint}", str(key))


def _dtype(value) -> str:
    """"float32" or "float64", from a name or a NumPy type (np.float64)."""
    if not isinstance(value, str) and value is not None:
        with contextlib.suppress(TypeError):
            value = np.dtype(value).name
    return _name(value, "dtype", DTYPES)


def _shown(value) -> str:
    return ",".join(map(str, value)) if isinstance(value, tuple) else str(value)


__all__ = ["RunSpec", "SECTIONS", "SPEC_VERSION", "SpecError"]
