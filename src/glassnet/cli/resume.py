"""--resume and the checkpoints of glassnet train: which data a checkpoint was trained on, and what is left to train.

A checkpoint written by ``glassnet train`` records its training data (``load_metadata(file)["extra"]["data"]``:
the set's name and ``sha256``, the checksum of the training split's X and Y as trained on). ``--resume``
refuses a checkpoint of other data unless ``--resume-any-data``, and a checkpoint already at or past
``--epochs`` (nothing to train).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from ..errors import HyperparameterError, PathError


def check_checkpoint(path) -> None:
    """--resume names a checkpoint file (not a model)."""
    from ..io import load_metadata

    if not Path(path).is_file():
        raise PathError(f"--resume {path}: no checkpoint file there (checkpoints are written into "
                        "<out>/checkpoints by --checkpoint-every or --early-stopping)")
    if load_metadata(path).get("kind") != "checkpoint":
        raise HyperparameterError(f"--resume {path} is a model, not a checkpoint; pass a checkpoint-*.npz file")


def data_digest(run) -> str:
    """sha256 of the training split as trained on: each array's dtype, shape and bytes (X, then Y)."""
    digest = hashlib.sha256()
    for array in run.data.splits["train"]:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.data)
    return digest.hexdigest()


def data_stamp(run) -> dict:
    """What a checkpoint records of its training data: {"name", "sha256"}."""
    return {"name": run.data.name, "sha256": data_digest(run)}


def writes_checkpoints(spec) -> bool:
    """Whether a run of ``spec`` writes checkpoints: --checkpoint-every, or early stopping's best."""
    return bool(spec.checkpoint_every or spec.early_stopping)


def checkpoint_callbacks(run, out: Path, stamp: dict | None) -> list:
    """The run's Checkpoints into <out>/checkpoints, each checkpoint recording the data (``stamp``); [] if none."""
    from ..callbacks import Checkpoints

    if not writes_checkpoints(run.spec):
        return []
    return [Checkpoints(out / "checkpoints", run.spec.checkpoint_every, metadata={"data": stamp})]


def check_resume(args, run, stamp: dict, planned_epochs: int) -> str | None:
    """--resume: the checkpoint's data is this run's (unless --resume-any-data) and epochs are left to train.

    Returns a note to print (a checkpoint that records no data, or other data let through), or None.
    """
    from ..io import load_metadata

    metadata = load_metadata(args.resume)
    note = check_data(args, (metadata.get("extra") or {}).get("data") or {}, stamp)
    done = len(((metadata.get("history") or {}).get("records") or {}).get("epoch") or [])
    if done >= planned_epochs:
        past = "past" if done > planned_epochs else "already at"
        raise HyperparameterError(f"--resume {args.resume}: the checkpoint is at epoch {done}, {past} --epochs "
                                  f"{planned_epochs}: nothing to train; pass --epochs above {done} to train on")
    return note


def check_data(args, saved: dict, stamp: dict) -> str | None:
    """The checkpoint's data record (``saved``) against this run's (``stamp``): None when they agree, a note
    when the checkpoint records none or --resume-any-data lets other data through; else a refusal."""
    if not saved.get("sha256"):
        return (f"note: {args.resume} records no checksum of its training data (an older checkpoint): "
                "resuming on this run's data unchecked")
    if saved["sha256"] == stamp["sha256"]:
        return None
    said = (f"checkpoint {args.resume} was trained on data {saved.get('name')} (sha256 {saved['sha256'][:12]}), "
            f"this run's data is {stamp['name']} (sha256 {stamp['sha256'][:12]})")
    if not getattr(args, "resume_any_data", False):
        raise HyperparameterError(f"{said}; pass --resume-any-data to continue anyway")
    return f"note: {said}; continuing (--resume-any-data): the history mixes both"


__all__ = ["check_checkpoint", "check_data", "check_resume", "checkpoint_callbacks", "data_digest", "data_stamp",
           "writes_checkpoints"]
