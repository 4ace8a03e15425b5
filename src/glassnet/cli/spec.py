"""The command line's flags as a RunSpec, and what is checked before any data is read or folder made.

    spec = spec_from_args(args)        # train and sweep: every flag -> its RunSpec field, checked at once

A flag and its RunSpec field share a name (``--learning-rate`` is ``learning_rate``), so a refused
value is said as the flag: "--activation needs 1 or 2 names ...", "--keep-prob: ...". ``--spec FILE``
starts from a stored spec (a JSON file, a results.json or a model file holding one); the flags typed
on the command line override its fields, the flags left at their defaults do not.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from pathlib import Path

from ..errors import GlassnetError, HyperparameterError, PathError
from ..runs import RunSpec, SpecError
from ..runs.data import check_source
from ..validation import check_folder

FIELDS = tuple(RunSpec().to_dict().keys() - {"spec_version"})
"""The RunSpec fields; each is the flag of the same name (``--`` and hyphens)."""
SNAKE_FIELDS = re.compile(r"\b(" + "|".join(sorted((f for f in FIELDS if "_" in f), key=len, reverse=True)) + r")\b")


def flag(field: str) -> str:
    """learning_rate -> --learning-rate (``layers[1]`` -> --layers)."""
    return "--" + field.split("[")[0].replace("_", "-")


def in_flags(message: str, field: str | None = None) -> str:
    """A message about RunSpec fields said in flags: a leading ``field`` becomes its flag (or the flag is put
    in front), and every other field name with an underscore (dev_fraction) becomes its flag too."""
    if field:
        name = field.split("[")[0]
        message = message[len(name):] if message.startswith(name) else f": {message}"
        message = flag(name) + message
    return SNAKE_FIELDS.sub(lambda m: flag(m.group(1)), message)


def flag_error(exc: SpecError) -> HyperparameterError:
    """A SpecError as the command line says it: naming the flag."""
    return HyperparameterError(in_flags(str(exc), exc.field or None))


@contextlib.contextmanager
def said_in_flags():
    """Refusals of RunSpec fields raised inside (reading and splitting the data: augment on tables) name the flag."""
    try:
        yield
    except SpecError as exc:
        raise flag_error(exc) from None


# ---------------------------------------------------------------------- flags -> RunSpec
def typed_values(args) -> dict:
    """{field: value} of the run flags on ``args``, in RunSpec's types (batch size 0 -> None: full batch)."""
    values = {}
    for field in FIELDS:
        if not hasattr(args, field):
            continue
        value = getattr(args, field)
        if field in ("layers", "keep_prob") and isinstance(value, list):
            value = tuple(value)
        elif field == "batch_size" and value == 0:
            value = None
        values[field] = value
    return values


def spec_from_args(args) -> RunSpec:
    """The RunSpec of train's (or sweep's) flags, every field checked now, before any data is read.

    With ``--spec FILE`` the stored spec is the start and only the flags typed change it
    (``args.typed``, recorded by ``main.parse_args``; without that record every flag counts as typed).
    A refused value names its flag.
    """
    values = typed_values(args)
    stored = getattr(args, "spec", None)
    if stored is not None:
        base = read_spec(stored)
        typed = getattr(args, "typed", None)
        values = {k: v for k, v in values.items() if typed is None or k in typed}
    else:
        base = None
    try:
        return RunSpec(**values) if base is None else base.replace(**values)
    except SpecError as exc:
        raise flag_error(exc) from None


def read_spec(path) -> RunSpec:
    """The RunSpec stored in ``path``: a JSON file of one, a results.json holding one under "spec", or a
    model file (.npz) holding one in its metadata (``run_spec``)."""
    file = Path(path)
    if not file.is_file():
        raise PathError(f"--spec {path}: no such file (a run spec JSON, a results.json or a model.npz)")
    if file.suffix.lower() == ".npz":
        from ..io import load_metadata

        values = (load_metadata(file).get("extra") or {}).get("run_spec")
    else:
        try:
            values = json.loads(file.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise HyperparameterError(f"--spec {path}: not a JSON file ({exc})") from None
        if isinstance(values, dict) and isinstance(values.get("spec"), dict):
            values = values["spec"]  # a results.json
    if not isinstance(values, dict):
        raise HyperparameterError(f"--spec {path} holds no run spec (a JSON object of settings, or a results.json "
                                  "or model file written by glassnet train)")
    try:
        return RunSpec.from_dict(values)
    except GlassnetError as exc:
        raise HyperparameterError(f"--spec {path}: {exc}") from None


# ---------------------------------------------------------------------- checks before any data or disk
def check_data_source(spec: RunSpec) -> None:
    """--data names a built-in set or an existing file; --data-path only for file-based sets (``check_source``)."""
    try:
        check_source(spec)
    except SpecError as exc:
        raise flag_error(exc) from None
    except GlassnetError as exc:
        raise type(exc)(in_flags(str(exc))) from None


def check_output_folder(out) -> None:
    """--out must be a folder (or not exist yet, under a folder): validation's folder rule, in flag words."""
    if out is not None:
        check_folder(out, "--out")


def out_folder(args, data, prefix: str = "") -> Path:
    """--out, or runs/<prefix><data>-<time>."""
    return Path(args.out or f"runs/{prefix}{data.name}-{time.strftime('%Y%m%d-%H%M%S')}")


def data_line(data) -> str:
    """The start-up line of a run's data (a ``runs.RunData``): its name and the size of every split."""
    dev = data.splits.get("dev", (None,))[0]
    return (f"data: {data.name}  train {data.splits['train'][0].shape[1]}  dev {0 if dev is None else dev.shape[1]}  "
            f"test {data.splits['test'][0].shape[1]}  features {data.n_x}")


__all__ = ["FIELDS", "check_data_source", "check_output_folder", "data_line", "flag", "flag_error", "in_flags",
           "out_folder", "read_spec", "said_in_flags", "spec_from_args", "typed_values"]
