"""The playground's messages: what the page may send, checked field by field, and the limits.

Every message from the page is one JSON object with a ``"type"``. ``parse`` turns the text of a
WebSocket message into a checked dict or raises ``ProtocolError``; the server answers that with an
error frame and the session goes on. Nothing here trusts the page: sizes are bounded before the
text is parsed, numbers must be finite and in range, names must be among the known ones, and
unknown fields are refused (a typo should not be ignored silently). The number and true/false rules
are glassnet.validation's (``check_int``, ``check_number``, ``check_bool``), answered here in the
page's error form (a code for its translations, the field at fault).

A configuration (the setup the URL carries) is a flat dict, ``DEFAULT_CONFIG`` shows every field.
``merge_config`` applies a partial one on top of the current one and checks the whole result.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import HyperparameterError, HyperparameterTypeError
from ..validation import check_bool, check_int, check_number
from .bugs import BUG_NAMES, FORMULAS
from .pace import SPEEDS
from .race import RACE_OPTIMIZERS

DATASETS = ("circles", "moons", "flower", "spirals", "xor", "blobs", "upload")
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "linear")
INITIALIZERS = ("zeros", "random", "he", "xavier", "glorot")
OPTIMIZERS = ("gd", "momentum", "rmsprop", "adam")
BUGS = BUG_NAMES

MAX_MESSAGE_CHARS = 1_100_000  # the largest message: an upload of at most MAX_UPLOAD_CHARS plus its envelope
MAX_UPLOAD_CHARS = 1_048_576  # 1 MiB of CSV text
MAX_UPLOAD_POINTS = 5_000
MIN_UPLOAD_POINTS = 10
MAX_LAYERS = 8  # hidden layers
MAX_UNITS = 32  # units per hidden layer
MAX_POINTS = 2_000  # generated points
MIN_POINTS = 50
MAX_RACE_EPOCHS = 5_000
MAX_ABS_COORDINATE = 1e6  # an uploaded feature value
MAX_EPOCHS_PER_SECOND = max(SPEEDS)  # a speed the page asks for: 1 .. this, or 0 for as fast as it goes

LIMITS = {
    "max_message_chars": MAX_MESSAGE_CHARS, "max_upload_chars": MAX_UPLOAD_CHARS,
    "max_upload_points": MAX_UPLOAD_POINTS, "min_upload_points": MIN_UPLOAD_POINTS,
    "max_layers": MAX_LAYERS, "max_units": MAX_UNITS, "min_points": MIN_POINTS, "max_points": MAX_POINTS,
    "max_race_epochs": MAX_RACE_EPOCHS, "max_epochs_per_second": MAX_EPOCHS_PER_SECOND,
}

DEFAULT_CONFIG: dict[str, Any] = {
    "data": "circles",  # one of DATASETS
    "points": 500,  # generated points (train + dev)
    "noise": 0.2,  # 0..1, read by each generator on its own scale (see data.NOISE_SCALE)
    "split": 0.7,  # fraction of the points used for training; the rest is the dev set
    "layers": [8, 8],  # hidden units per hidden layer
    "activations": ["relu", "relu"],  # one per hidden layer; the output is one sigmoid unit
    "init": "he",
    "scale": 1.0,  # multiplies the initializer's standard deviation
    "keep_prob": [1.0, 1.0, 1.0],  # per layer input: [input features, hidden 1, ..., hidden L-1]
    "l2": 0.0,
    "optimizer": "adam",
    "lr": 0.01,
    "batch": 32,  # 0: full batch
    "normalize": True,
    "seed": 0,
}


class ProtocolError(Exception):
    """A message that cannot be accepted: ``code`` for the page's translations, ``field`` if one is at fault."""

    def __init__(self, code: str, message: str, field: str | None = None, **params):
        super().__init__(message)
        self.code = code
        self.field = field
        self.params = params

    def frame(self, request: str | None = None) -> dict:
        return {"type": "error", "code": self.code, "field": self.field, "message": str(self),
                "params": self.params, "request": request}


# ---------------------------------------------------------------------------------- field checks
def _reject_constant(name: str):
    raise ProtocolError("bad_json", f"{name} is not a number JSON allows")


def _int(value, field: str, low: int, high: int) -> int:
    """validation.check_int's rule (a whole number, not a bool nor 2.0), in the page's error form."""
    try:
        return check_int(value, field, low=low, high=high)
    except HyperparameterTypeError:
        raise ProtocolError("bad_field", f"{field} must be a whole number from {low} to {high}, got {value!r:.40}",
                            field, low=low, high=high) from None
    except HyperparameterError:
        raise ProtocolError("out_of_range", f"{field} must be from {low} to {high}, got {value}", field,
                            low=low, high=high) from None


def _float(value, field: str, low: float, high: float, low_open: bool = False) -> float:
    """validation.check_number's rule (a finite real in the interval), in the page's error form."""
    try:
        return check_number(value, field, low=low, high=high, low_open=low_open)
    except HyperparameterTypeError:
        raise ProtocolError("bad_field", f"{field} must be a number from {low:g} to {high:g}, got {value!r:.40}",
                            field, low=low, high=high) from None
    except HyperparameterError:
        side = ">" if low_open else ">="
        raise ProtocolError("out_of_range", f"{field} must be {side} {low:g} and <= {high:g}, got {value!r}", field,
                            low=low, high=high) from None


def _choice(value, field: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ProtocolError("bad_choice", f"{field} must be one of {', '.join(choices)}, got {value!r:.40}", field,
                            choices=list(choices))
    return value


def _bool(value, field: str) -> bool:
    try:
        return check_bool(value, field)
    except HyperparameterError:
        raise ProtocolError("bad_field", f"{field} must be true or false, got {value!r:.40}", field) from None


def _list(value, field: str, low: int, high: int) -> list:
    if not isinstance(value, list):
        raise ProtocolError("bad_field", f"{field} must be a list, got {type(value).__name__}", field)
    if not low <= len(value) <= high:
        raise ProtocolError("out_of_range", f"{field} must hold {low} to {high} entries, got {len(value)}", field,
                            low=low, high=high)
    return value


def _string(value, field: str, high: int) -> str:
    if not isinstance(value, str):
        raise ProtocolError("bad_field", f"{field} must be text, got {type(value).__name__}", field)
    if len(value) > high:
        raise ProtocolError("too_large", f"{field} holds {len(value):,} characters; the limit is {high:,}", field,
                            limit=high)
    return value


# ---------------------------------------------------------------------------------- configuration
def default_config() -> dict:
    return json.loads(json.dumps(DEFAULT_CONFIG))  # a deep copy


def _fit_length(values: list, n: int, fill) -> list:
    return (list(values) + [fill] * n)[:n]


def merge_config(current: dict, partial, has_upload: bool) -> dict:
    """``current`` updated by the fields of ``partial``, every field checked; raises ProtocolError.

    When ``layers`` changes length and ``activations`` / ``keep_prob`` are not given, they are
    cut or extended (with the last hidden activation, and keep_prob 1) to match.
    """
    if not isinstance(partial, dict):
        raise ProtocolError("bad_field", f"config must be an object, got {type(partial).__name__}", "config")
    unknown = sorted(set(partial) - set(DEFAULT_CONFIG))
    if unknown:
        raise ProtocolError("unknown_field", f"unknown config field(s): {', '.join(unknown)[:200]}", unknown[0][:40])
    c = dict(current)
    p = partial
    if "data" in p:
        c["data"] = _choice(p["data"], "data", DATASETS)
    if "points" in p:
        c["points"] = _int(p["points"], "points", MIN_POINTS, MAX_POINTS)
    if "noise" in p:
        c["noise"] = _float(p["noise"], "noise", 0.0, 1.0)
    if "split" in p:
        c["split"] = _float(p["split"], "split", 0.1, 0.9)
    if "layers" in p:
        layers = _list(p["layers"], "layers", 0, MAX_LAYERS)
        c["layers"] = [_int(n, f"layers[{i}]", 1, MAX_UNITS) for i, n in enumerate(layers)]
    L_hidden = len(c["layers"])
    if "activations" in p:
        acts = _list(p["activations"], "activations", 0, MAX_LAYERS)
        c["activations"] = [_choice(a, f"activations[{i}]", ACTIVATIONS) for i, a in enumerate(acts)]
    elif len(c["activations"]) != L_hidden:
        c["activations"] = _fit_length(c["activations"], L_hidden, c["activations"][-1] if c["activations"] else "relu")
    if len(c["activations"]) != L_hidden:
        raise ProtocolError("mismatch", f"activations needs one entry per hidden layer ({L_hidden}), got "
                            f"{len(c['activations'])}", "activations", expected=L_hidden)
    if "init" in p:
        c["init"] = _choice(p["init"], "init", INITIALIZERS)
    if "scale" in p:
        c["scale"] = _float(p["scale"], "scale", 0.0, 100.0)
    if "keep_prob" in p:
        kp = _list(p["keep_prob"], "keep_prob", 1, MAX_LAYERS + 1)
        c["keep_prob"] = [_float(v, f"keep_prob[{i}]", 0.05, 1.0) for i, v in enumerate(kp)]
    elif len(c["keep_prob"]) != L_hidden + 1:
        c["keep_prob"] = _fit_length(c["keep_prob"], L_hidden + 1, 1.0)
    if len(c["keep_prob"]) != L_hidden + 1:
        raise ProtocolError("mismatch", f"keep_prob needs one entry per layer input ([input, hidden 1, ...]: "
                            f"{L_hidden + 1}), got {len(c['keep_prob'])}", "keep_prob", expected=L_hidden + 1)
    if "l2" in p:
        c["l2"] = _float(p["l2"], "l2", 0.0, 100.0)
    if "optimizer" in p:
        c["optimizer"] = _choice(p["optimizer"], "optimizer", OPTIMIZERS)
    if "lr" in p:
        c["lr"] = _float(p["lr"], "lr", 0.0, 10.0, low_open=True)
    if "batch" in p:
        c["batch"] = _int(p["batch"], "batch", 0, MAX_UPLOAD_POINTS)
    if "normalize" in p:
        c["normalize"] = _bool(p["normalize"], "normalize")
    if "seed" in p:
        c["seed"] = _int(p["seed"], "seed", 0, 2**31 - 1)
    if c["data"] == "upload" and not has_upload:
        raise ProtocolError("no_upload", "data 'upload' needs a CSV file uploaded in this session first", "data")
    return c


# ---------------------------------------------------------------------------------- messages
def _check_config_message(msg: dict) -> dict:
    if "config" not in msg:
        raise ProtocolError("missing_field", "a config message needs a 'config' object", "config")
    if not isinstance(msg["config"], dict):
        raise ProtocolError("bad_field", "config must be an object", "config")
    return {"config": msg["config"]}  # its fields are checked by merge_config against the session


def _check_upload(msg: dict) -> dict:
    for key in ("name", "csv"):
        if key not in msg:
            raise ProtocolError("missing_field", f"an upload message needs {key!r}", key)
    return {"name": _string(msg["name"], "name", 200), "csv": _string(msg["csv"], "csv", MAX_UPLOAD_CHARS)}


def _check_bug(msg: dict) -> dict:
    if "bug" not in msg:
        raise ProtocolError("missing_field", "a plant_bug message needs 'bug'", "bug")
    return {"bug": _choice(msg["bug"], "bug", BUGS)}


def _check_race(msg: dict) -> dict:
    epochs = msg.get("epochs", 300)
    return {"epochs": _int(epochs, "epochs", 1, MAX_RACE_EPOCHS),
            "optimizer": _choice(msg.get("optimizer", "gd"), "optimizer", RACE_OPTIMIZERS)}


def _check_speed(msg: dict) -> dict:
    if "epochs_per_second" not in msg:
        raise ProtocolError("missing_field", "a speed message needs 'epochs_per_second'", "epochs_per_second")
    return {"epochs_per_second": _int(msg["epochs_per_second"], "epochs_per_second", 0, MAX_EPOCHS_PER_SECOND)}


def _check_answer(msg: dict) -> dict:
    for key in ("layer", "formula"):
        if key not in msg:
            raise ProtocolError("missing_field", f"a quiz_answer message needs {key!r}", key)
    return {"layer": _int(msg["layer"], "layer", 1, MAX_LAYERS + 1), "formula": _choice(msg["formula"], "formula",
                                                                                          FORMULAS)}


def _no_fields(msg: dict) -> dict:
    return {}


# type -> (its checker, the fields it may carry); any other field is refused.
MESSAGES = {
    "config": (_check_config_message, {"config"}),
    "upload": (_check_upload, {"name", "csv"}),
    "play": (_no_fields, set()),
    "pause": (_no_fields, set()),
    "step": (_no_fields, set()),
    "reset": (_no_fields, set()),
    "gradcheck": (_no_fields, set()),
    "plant_bug": (_check_bug, {"bug"}),
    "race": (_check_race, {"epochs", "optimizer"}),
    "race_stop": (_no_fields, set()),
    "export": (_no_fields, set()),
    "speed": (_check_speed, {"epochs_per_second"}),
    "quiz": (_no_fields, set()),
    "quiz_answer": (_check_answer, {"layer", "formula"}),
    "quiz_reveal": (_no_fields, set()),
    "quiz_stop": (_no_fields, set()),
}


def parse(text) -> dict:
    """A WebSocket text message -> {"type": ..., **checked fields}; raises ProtocolError."""
    if not isinstance(text, str):
        raise ProtocolError("bad_json", "messages are JSON text, not binary")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ProtocolError("too_large", f"the message holds {len(text):,} characters; the limit is "
                            f"{MAX_MESSAGE_CHARS:,}", limit=MAX_MESSAGE_CHARS)
    try:
        msg = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError("bad_json", f"the message is not valid JSON ({str(exc)[:120]})") from None
    if not isinstance(msg, dict):
        raise ProtocolError("not_object", f"a message must be a JSON object with a 'type', got {type(msg).__name__}")
    kind = msg.get("type")
    if not isinstance(kind, str) or kind not in MESSAGES:
        shown = kind if isinstance(kind, str) else repr(kind)
        raise ProtocolError("unknown_type", f"unknown message type {shown[:40]!r}; the types are "
                            f"{', '.join(MESSAGES)}", "type", types=list(MESSAGES))
    check, allowed = MESSAGES[kind]
    extra = sorted(set(msg) - allowed - {"type"})
    if extra:
        raise ProtocolError("unknown_field", f"unknown field(s) in a {kind} message: {', '.join(extra)[:200]}",
                            extra[0][:40])
    return {"type": kind, **check(msg)}
