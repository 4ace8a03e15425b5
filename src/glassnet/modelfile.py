"""The model file: one ``.npz`` read with ``allow_pickle=False``, written atomically; and checkpoints.

Inside the file: the parameters under their names (``W1``, ``b1``, ...), the normalizer's ``mu``
and ``sigma2`` when the model has one, for a checkpoint the optimizer's state vectors, and
``__metadata__``: UTF-8 JSON with the format name and version, the architecture and
hyperparameters, the library version, a SHA-256 of every array, and (from format 2) a SHA-256 of
the metadata itself. Loading checks all of it and refuses missing, corrupt, truncated, tampered,
foreign or newer-format files with a ``ModelFileError`` that names the file and says what is wrong.
The size each array declares in its header is checked against the file before anything is read,
so a forged header cannot make ``load`` allocate more than the file holds. Format-1 files (no
metadata checksum) still load; their arrays are verified, their metadata cannot be.

Writes go to a temporary file in the target folder, are flushed to disk, and are renamed into
place, so an interrupted save leaves the previous file intact. The temporary file's name carries
the writer's host and process id; the next save to the same target removes the ones whose writer
is gone. A new file gets the usual permissions (0666 less the umask); a replaced file keeps its own.

This room knows no Network class: it reads and writes any network with the public ``params``,
``config()``, ``normalizer``, ``target_normalizer``, input pipeline and ``rng``, and rebuilds one
with the class it is given (``restore_network(..., cls)``; a checkpoint uses ``type(net)``). So the
fit loop's checkpoints (``callbacks.Checkpoints``) use it without importing the network;
``glassnet.io`` (``save``, ``load``, ``load_metadata``) builds a ``Network`` on top of it.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
import zipfile
from pathlib import Path

import numpy as np

from .atomic import replace_atomic
from .data.preprocessing import Standardizer
from .errors import GlassnetError, HyperparameterTypeError, ModelFileError, NonFiniteError
from .history import History
from .validation import format_bytes, memory_limit
from .version import __version__

FORMAT = "glassnet-model"
FORMAT_VERSION = 2
METADATA_KEY = "__metadata__"
CHECKSUM_KEY = "metadata_sha256"
BIT_GENERATORS = ("PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937")


def _digest(array: np.ndarray) -> str:
    array = np.ascontiguousarray(array)
    return hashlib.sha256(array.dtype.str.encode() + str(array.shape).encode() + array.tobytes()).hexdigest()


def _metadata_digest(metadata: dict) -> str:
    """SHA-256 of the metadata (less its own checksum) in one canonical JSON spelling."""
    body = {k: v for k, v in metadata.items() if k != CHECKSUM_KEY}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------- writing


def _check_target(path) -> Path:
    if not isinstance(path, str | os.PathLike) or str(path) == "":
        raise HyperparameterTypeError(f"the path to save to must be a str or pathlib.Path, got {path!r}")
    path = Path(path)
    if path.is_dir():
        raise ModelFileError(f"cannot save to {path}: it is a folder; pass a file path such as {path / 'model.npz'}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelFileError(f"cannot save to {path}: its folder {path.parent} cannot be created ({exc})") from exc
    return path


def write_atomic(path: Path, arrays: dict[str, np.ndarray], metadata: dict) -> Path:
    """Write the arrays and metadata to ``path`` through a temporary file and an atomic rename."""
    path = _check_target(path)
    arrays = {name: np.ascontiguousarray(a) for name, a in arrays.items()}
    metadata = {**metadata, "arrays": {name: _digest(a) for name, a in arrays.items()}}
    try:
        metadata = json.loads(json.dumps(metadata))  # the digest is of what a reader will parse
    except (TypeError, ValueError) as exc:
        raise HyperparameterTypeError(
            f"the metadata to save must be JSON-serializable (str, numbers, lists, dicts): {exc}"
        ) from exc
    metadata[CHECKSUM_KEY] = _metadata_digest(metadata)
    payload = np.frombuffer(json.dumps(metadata).encode("utf-8"), dtype=np.uint8)
    try:
        replace_atomic(path, lambda handle: np.savez(handle, **arrays, **{METADATA_KEY: payload}))
    except OSError as exc:
        raise ModelFileError(f"cannot save to {path}: {exc}") from exc
    return path


# ---------------------------------------------------------------------- reading


def _source(path) -> Path:
    if not isinstance(path, str | os.PathLike) or str(path) == "":
        raise ModelFileError(f"a model file path (str or pathlib.Path) is needed, got {path!r}")
    path = Path(path)
    if path.is_dir():
        raise ModelFileError(f"{path} is a folder, not a model file; pass the .npz file inside it (e.g. model.npz)")
    if not path.is_file():
        raise ModelFileError(f"no model file at {path}; check the path (models are saved as .npz files)")
    return path


def _not_a_zip(path: Path) -> ModelFileError:
    with open(path, "rb") as handle:
        head = handle.read(6)
    if head == b"\x93NUMPY":
        return ModelFileError(f"{path} is a single .npy array, not a glassnet model file (a .npz written by gn.save)")
    return ModelFileError(
        f"{path} cannot be read as a glassnet model file: it is corrupt, truncated or of another format "
        f"(not a zip archive); save the model again or use an intact copy"
    )


def _declared_array(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, budget: int) -> int:
    """Check an entry's .npy header against the bytes the archive holds for it; return its size."""
    with zf.open(info) as handle:
        version = np.lib.format.read_magic(handle)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(handle)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(handle)
        else:
            raise ValueError(f".npy format version {version} is not one glassnet writes")
        header = handle.tell()
    if dtype.hasobject:
        raise ValueError("it holds Python objects, which a model file never does")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > budget or header + nbytes != info.file_size:
        raise ModelFileError(
            f"{path}: array {info.filename[:-4]!r} declares shape {shape} of {dtype} ({format_bytes(nbytes)}) "
            f"but the file holds {format_bytes(info.file_size - header)} for it; the file is corrupt or forged"
        )
    return nbytes


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every array of the archive, each header checked before its data is read."""
    if not zipfile.is_zipfile(path):
        raise _not_a_zip(path)
    budget = memory_limit()
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        names = [info.filename for info in infos]
        bad = [n for n in names if not n.endswith(".npy")]
        if bad or len(set(names)) != len(names):
            raise ModelFileError(f"{path} is a zip archive but not a glassnet model file (entries {names[:5]})")
        for info in infos:
            budget -= _declared_array(zf, info, path, budget)
        arrays = {}
        for info in infos:
            with zf.open(info) as handle:
                arrays[info.filename[:-4]] = np.lib.format.read_array(handle, allow_pickle=False)
    return arrays


_JSON_KINDS = {type(None): "null", list: "an array", str: "a string", int: "a number", float: "a number",
               bool: "true/false"}


def _parse_metadata(raw, path: Path) -> dict:
    if raw is None:
        raise ModelFileError(f"{path} is an .npz file but not a glassnet model (it has no metadata entry)")
    try:
        metadata = json.loads(np.asarray(raw).tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise ModelFileError(f"{path}: the metadata entry is corrupt ({exc})") from exc
    if not isinstance(metadata, dict):
        raise ModelFileError(
            f"{path} is not a glassnet model file: its metadata is JSON "
            f"{_JSON_KINDS.get(type(metadata), type(metadata).__name__)}, not an object"
        )
    if metadata.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not a glassnet model file (format {metadata.get('format')!r})")
    version = metadata.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelFileError(f"{path}: the metadata's format version {version!r} is not valid")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} has format version {version!r}, newer than this glassnet ({__version__}) reads "
            f"(up to {FORMAT_VERSION}); upgrade glassnet (pip install -U glassnet) to load it"
        )
    if version >= 2 and metadata.get(CHECKSUM_KEY) != _metadata_digest(metadata):
        raise ModelFileError(
            f"{path} has been altered or damaged: its metadata (architecture, hyperparameters) fails its checksum"
        )
    return metadata


def read_verified(path) -> tuple[dict[str, np.ndarray], dict]:
    """Read and verify a glassnet file: (arrays, metadata)."""
    path = _source(path)
    try:
        arrays = _read_arrays(path)
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, NotImplementedError,
            RuntimeError) as exc:
        raise ModelFileError(
            f"{path} cannot be read as a glassnet model file: it is corrupt, truncated or of another "
            f"format ({type(exc).__name__}: {exc}); save the model again or use an intact copy"
        ) from exc
    metadata = _parse_metadata(arrays.pop(METADATA_KEY, None), path)
    digests = metadata.get("arrays")
    if not isinstance(digests, dict) or set(digests) != set(arrays):
        raise ModelFileError(f"{path} has been altered: its arrays do not match its metadata")
    for name, array in arrays.items():
        if _digest(array) != digests[name]:
            raise ModelFileError(f"{path} has been altered or damaged: array {name!r} fails its checksum")
    _check_architecture(arrays, metadata, path)
    return arrays, metadata


def _check_architecture(arrays: dict, metadata: dict, path: Path) -> None:
    """The metadata's layer sizes agree with the arrays' shapes (so building the network allocates no more)."""
    network = metadata.get("network")
    dims = network.get("layer_dims") if isinstance(network, dict) else None
    ok = isinstance(dims, list) and len(dims) >= 2 and all(type(n) is int and n >= 1 for n in dims)
    for l in range(1, len(dims) if ok else 0):
        W, b = arrays.get(f"W{l}"), arrays.get(f"b{l}")
        ok = ok and W is not None and b is not None and W.shape == (dims[l], dims[l - 1]) and b.shape == (dims[l], 1)
    if not ok:
        raise ModelFileError(
            f"{path}: the architecture in the file does not match its arrays (layer_dims "
            f"{dims if isinstance(dims, list) else network!r}, arrays {sorted(arrays)[:8]})"
        )


def restore_network(arrays: dict, metadata: dict, path, cls):
    """The network of a verified file, built as ``cls.from_config(...)`` (``load`` passes Network), its
    parameters, normalizers and input pipeline set; anything malformed in the file is a ModelFileError."""
    try:
        return _network_from(arrays, metadata, path, cls)
    except ModelFileError:
        raise
    except (GlassnetError, KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise ModelFileError(f"{path}: the model in the file is incomplete or malformed ({type(exc).__name__}: "
                             f"{exc}); save the model again or use an intact copy") from exc


# ---------------------------------------------------------------------- models


def model_content(net) -> tuple[dict, dict]:
    """(arrays, metadata) of a model file for ``net``: its parameters, normalizers, architecture and input pipeline."""
    arrays = {name: value for name, value in net.params.items()}
    metadata = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "glassnet_version": __version__,
        "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "kind": "model",
        "network": net.config(), "normalizer": None,
    }
    for key, norm in (("normalizer", net.normalizer), ("target_normalizer", net.target_normalizer)):
        if norm is not None:  # the input's standardizer; a linear output's target standardizer (network.py)
            arrays[f"{key}.mu"] = norm.mu
            arrays[f"{key}.sigma2"] = norm.sigma2
            metadata[key] = {"type": type(norm).__name__, "floor": float(norm.floor)}
    # The rest of the input pipeline (network.py): raw inputs are divided by scale before the
    # normalizer; the names let a model pick its columns and answer in the original labels.
    metadata["input"] = {"scale": net.input_scale, "feature_names": net.feature_names,
                         "class_names": net.class_names}
    return arrays, metadata


def _network_from(arrays: dict, metadata: dict, path, cls):
    try:
        net = cls.from_config(metadata["network"])
        for name in net.params:
            net.params[name] = arrays[name]
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{path}: the architecture in the file does not match its arrays ({exc})") from exc
    for key in ("normalizer", "target_normalizer"):
        if metadata.get(key):
            norm = Standardizer(floor=metadata[key]["floor"])
            norm.mu = arrays[f"{key}.mu"]
            norm.sigma2 = arrays[f"{key}.sigma2"]
            setattr(net, key, norm)
    _restore_input(net, metadata.get("input") or {}, path)
    return net


def _restore_input(net, pipeline: dict, path) -> None:
    """input_scale, feature_names and class_names from the metadata (absent in older files: none)."""
    if not isinstance(pipeline, dict):
        raise ModelFileError(f"{path}: the input pipeline in the file is not valid (not a JSON object)")
    scale = pipeline.get("scale")
    if scale is not None and not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise ModelFileError(f"{path}: the input scale in the file is not valid ({scale!r}, expected a number > 0)")
    net.input_scale = None if scale is None else float(scale)
    for name, count in (("feature_names", net.layer_dims[0]), ("class_names", net.n_classes)):
        names = pipeline.get(name)
        if names is not None and not (isinstance(names, list) and len(names) == count
                                      and all(isinstance(v, str) for v in names)):
            raise ModelFileError(f"{path}: {name} in the file is not a list of {count} names")
        setattr(net, name, names)


def check_finite_parameters(net) -> None:
    """Refuse to save NaN or infinite weights (a diverged run): a file should hold a model."""
    for name, value in net.params.items():
        if not np.isfinite(value).all():
            raise NonFiniteError(
                f"{name} holds NaN or infinite values, so the network is not saved; its training diverged: "
                f"retrain with a smaller learning rate (fit keeps the last finite weights when it stops)"
            )


# ---------------------------------------------------------------------- checkpoints


def _rng_state(rng):
    return None if rng is None else rng.bit_generator.state


def _rng_from(state):
    if state is None:
        return None
    if state["bit_generator"] not in BIT_GENERATORS:  # only a generator class, never any other attribute
        raise ValueError(f"unknown bit generator {state['bit_generator']!r}")
    rng = np.random.Generator(getattr(np.random, state["bit_generator"])())
    rng.bit_generator.state = state
    return rng


def save_checkpoint(path, net, optimizer, history, rngs: dict, early_stopping=None,
                    best_theta=None, extra: dict | None = None) -> Path:
    """Save everything ``fit(resume_from=path)`` needs to continue exactly where training was.

    ``extra`` (JSON): what the caller records beside it (the command line: the training data's checksum),
    read back as ``load_metadata(path)["extra"]``.
    """
    arrays, metadata = model_content(net)
    metadata["kind"] = "checkpoint"
    if extra:
        metadata["extra"] = extra
    metadata["optimizer"] = {**optimizer.config(), "t": optimizer.t}
    for slot, values in optimizer.state_arrays().items():
        arrays[f"optimizer.{slot}"] = values
    if best_theta is not None:
        arrays["early_stopping.best_theta"] = best_theta
    metadata["history"] = history.to_dict()
    metadata["rng"] = {"network": _rng_state(net.rng),
                       **{name: _rng_state(rng) for name, rng in rngs.items()}}
    metadata["early_stopping"] = early_stopping
    return write_atomic(Path(path), arrays, metadata)


def load_checkpoint_into(net, optimizer, path) -> dict:
    """Restore a checkpoint into ``net`` and ``optimizer``; return the loop's state to resume."""
    arrays, metadata = read_verified(path)
    if metadata.get("kind") != "checkpoint":
        raise ModelFileError(f"{path} is a model, not a checkpoint; resume_from needs a checkpoint file "
                             "(written by fit(checkpoint_dir=...))")
    saved = restore_network(arrays, metadata, path, type(net))
    if saved.config() != net.config():
        raise ModelFileError(
            f"{path} holds a network {saved.layer_dims} {[a.name for a in saved.activations]}, which "
            f"differs from the one being trained ({net.layer_dims}); build the same architecture to resume"
        )
    try:
        return _restore_training_state(net, optimizer, saved, arrays, metadata, path)
    except ModelFileError:
        raise
    except (GlassnetError, KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise ModelFileError(f"{path}: the checkpoint's training state is incomplete or malformed "
                             f"({type(exc).__name__}: {exc}); resume from another checkpoint") from exc


def _restore_training_state(net, optimizer, saved, arrays: dict, metadata: dict, path) -> dict:
    opt_meta = metadata["optimizer"]
    if opt_meta["name"] != optimizer.name:
        raise ModelFileError(f"{path} was trained with optimizer {opt_meta['name']!r}, not {optimizer.name!r}")
    net.vector_to_parameters(saved.parameters_to_vector())
    net.normalizer = saved.normalizer
    net.target_normalizer = saved.target_normalizer
    net.rng = _rng_from(metadata["rng"]["network"])
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

