"""Save and load models and checkpoints: one ``.npz`` file, read with ``allow_pickle=False``.

Inside the file: the parameters under their names (``W1``, ``b1``, ...), the normalizer's ``mu``
and ``sigma2`` when the model has one, for a checkpoint the optimizer's state vectors, and
``__metadata__``: UTF-8 JSON with the format name and version, the architecture and
hyperparameters, the library version, and a SHA-256 of every array. Loading checks all of it and
refuses missing, corrupt, truncated, tampered, foreign or newer-format files with a
``ModelFileError`` that says what is wrong.

Writes go to a temporary file in the target folder, are flushed to disk, and are renamed into
place, so an interrupted save leaves the previous file intact.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from .data.preprocessing import Standardizer
from .errors import ModelFileError
from .history import History
from .network import Network
from .version import __version__

FORMAT = "glassnet-model"
FORMAT_VERSION = 1
METADATA_KEY = "__metadata__"


def _digest(array: np.ndarray) -> str:
    array = np.ascontiguousarray(array)
    return hashlib.sha256(array.dtype.str.encode() + str(array.shape).encode() + array.tobytes()).hexdigest()


def _write_atomic(path: Path, arrays: dict[str, np.ndarray], metadata: dict) -> Path:
    """Write the arrays and metadata to ``path`` through a temporary file and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {name: np.ascontiguousarray(a) for name, a in arrays.items()}
    metadata = {**metadata, "arrays": {name: _digest(a) for name, a in arrays.items()}}
    payload = np.frombuffer(json.dumps(metadata).encode("utf-8"), dtype=np.uint8)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays, **{METADATA_KEY: payload})
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def _read(path) -> tuple[dict[str, np.ndarray], dict]:
    """Read and verify a glassnet file: (arrays, metadata)."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"no model file at {path}; check the path (models are saved as .npz files)")
    try:
        with np.load(path, allow_pickle=False) as content:
            if not hasattr(content, "files"):
                raise ModelFileError(f"{path} is a single .npy array, not a glassnet model file")
            arrays = {name: content[name] for name in content.files}
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as exc:
        raise ModelFileError(
            f"{path} cannot be read as a glassnet model file: it is corrupt, truncated or of another "
            f"format ({type(exc).__name__}: {exc}); save the model again or use an intact copy"
        ) from exc
    raw = arrays.pop(METADATA_KEY, None)
    if raw is None:
        raise ModelFileError(f"{path} is an .npz file but not a glassnet model (it has no metadata entry)")
    try:
        metadata = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{path}: the metadata entry is corrupt ({exc})") from exc
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not a glassnet model file (format {metadata.get('format')!r})")
    version = metadata.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} has format version {version!r}, newer than this glassnet ({__version__}) reads "
            f"(up to {FORMAT_VERSION}); upgrade glassnet (pip install -U glassnet) to load it"
        )
    digests = metadata.get("arrays", {})
    if set(digests) != set(arrays):
        raise ModelFileError(f"{path} has been altered: its arrays do not match its metadata")
    for name, array in arrays.items():
        if _digest(array) != digests[name]:
            raise ModelFileError(f"{path} has been altered or damaged: array {name!r} fails its checksum")
    return arrays, metadata


# ---------------------------------------------------------------------- models


def _model_content(net: Network) -> tuple[dict, dict]:
    arrays = {name: value for name, value in net.params.items()}
    metadata = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "glassnet_version": __version__,
        "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "kind": "model",
        "network": net.config(), "normalizer": None,
    }
    norm = net.normalizer
    if norm is not None:
        arrays["normalizer.mu"] = norm.mu
        arrays["normalizer.sigma2"] = norm.sigma2
        metadata["normalizer"] = {"type": type(norm).__name__, "floor": float(norm.floor)}
    return arrays, metadata


def _network_from(arrays: dict, metadata: dict, path) -> Network:
    try:
        net = Network.from_config(metadata["network"])
        for name in net.params:
            net.params[name] = arrays[name]
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{path}: the architecture in the file does not match its arrays ({exc})") from exc
    if metadata.get("normalizer"):
        norm = Standardizer(floor=metadata["normalizer"]["floor"])
        norm.mu = arrays["normalizer.mu"]
        norm.sigma2 = arrays["normalizer.sigma2"]
        net.normalizer = norm
    return net


def save(net: Network, path, **extra_metadata) -> Path:
    """Save ``net`` (parameters, architecture, hyperparameters, normalizer) to ``path`` atomically.

    ``extra_metadata`` (JSON-serializable) is stored too, e.g. the data set name or class names.
    """
    if not isinstance(net, Network):
        raise TypeError(f"save expects a glassnet Network, got {type(net).__name__}")
    arrays, metadata = _model_content(net)
    metadata["extra"] = extra_metadata
    return _write_atomic(Path(path), arrays, metadata)


def load(path) -> Network:
    """Load a model saved by ``save`` (or the network of a checkpoint); predictions are bit-identical."""
    arrays, metadata = _read(path)
    return _network_from(arrays, metadata, path)


def load_metadata(path) -> dict:
    """The verified metadata of a model or checkpoint file (architecture, versions, extras)."""
    return _read(path)[1]


# ---------------------------------------------------------------------- checkpoints


def _rng_state(rng):
    return None if rng is None else rng.bit_generator.state


def _rng_from(state):
    if state is None:
        return None
    rng = np.random.Generator(getattr(np.random, state["bit_generator"])())
    rng.bit_generator.state = state
    return rng


def save_checkpoint(path, net: Network, optimizer, history, rngs: dict, early_stopping=None,
                    best_theta=None) -> Path:
    """Save everything ``fit(resume_from=path)`` needs to continue exactly where training was."""
    arrays, metadata = _model_content(net)
    metadata["kind"] = "checkpoint"
    metadata["optimizer"] = {**optimizer.config(), "t": optimizer.t}
    for slot, values in optimizer.state_arrays().items():
        arrays[f"optimizer.{slot}"] = values
    if best_theta is not None:
        arrays["early_stopping.best_theta"] = best_theta
    metadata["history"] = history.to_dict()
    metadata["rng"] = {"network": _rng_state(net.rng),
                       **{name: _rng_state(rng) for name, rng in rngs.items()}}
    metadata["early_stopping"] = early_stopping
    return _write_atomic(Path(path), arrays, metadata)


def load_checkpoint_into(net: Network, optimizer, path) -> dict:
    """Restore a checkpoint into ``net`` and ``optimizer``; return the loop's state to resume."""
    arrays, metadata = _read(path)
    if metadata.get("kind") != "checkpoint":
        raise ModelFileError(f"{path} is a model, not a checkpoint; resume_from needs a checkpoint file "
                             "(written by fit(checkpoint_dir=...))")
    saved = _network_from(arrays, metadata, path)
    if saved.config() != net.config():
        raise ModelFileError(
            f"{path} holds a network {saved.layer_dims} {[a.name for a in saved.activations]}, which "
            f"differs from the one being trained ({net.layer_dims}); build the same architecture to resume"
        )
    net.vector_to_parameters(saved.parameters_to_vector())
    net.normalizer = saved.normalizer
    net.rng = _rng_from(metadata["rng"]["network"])
    opt_meta = metadata["optimizer"]
    if opt_meta["name"] != optimizer.name:
        raise ModelFileError(f"{path} was trained with optimizer {opt_meta['name']!r}, not {optimizer.name!r}")
    optimizer.attach(net.parameter_shapes(), dtype=net.dtype)
    optimizer.load_state({k.split(".", 1)[1]: v for k, v in arrays.items() if k.startswith("optimizer.")},
                         opt_meta["t"])
    return {
        "history": History.from_dict(metadata["history"]),
        "shuffle_rng": _rng_from(metadata["rng"].get("shuffle")),
        "augment_rng": _rng_from(metadata["rng"].get("augment")),
        "early_stopping": metadata.get("early_stopping"),
        "best_theta": arrays.get("early_stopping.best_theta"),
    }
