"""Save and load models: ``save``, ``load`` and ``load_metadata`` build on ``glassnet.modelfile``.

The file format (one ``.npz`` read with ``allow_pickle=False``, checksummed, written atomically) and
the checkpoints of ``fit`` live in ``glassnet.modelfile``, which knows no Network class; this room
adds what needs one: ``save`` checks that it is given a Network, ``load`` builds a Network from the
file (predictions are bit-identical to the saved model's).
"""

from __future__ import annotations

from pathlib import Path

from .errors import HyperparameterTypeError
from .modelfile import (
    CHECKSUM_KEY,
    FORMAT,
    FORMAT_VERSION,
    check_finite_parameters,
    load_checkpoint_into,
    model_content,
    read_verified,
    restore_network,
    save_checkpoint,
    write_atomic,
)
from .network import Network

__all__ = ["CHECKSUM_KEY", "FORMAT", "FORMAT_VERSION", "load", "load_checkpoint_into", "load_metadata", "save",
           "save_checkpoint"]


def save(net: Network, path, **extra_metadata) -> Path:
    """Save ``net`` (parameters, architecture, hyperparameters, normalizer) to ``path`` atomically.

    ``extra_metadata`` (JSON-serializable) is stored too, e.g. the data set name or class names.
    A network holding NaN or infinite weights (a diverged run) is refused: a file should hold a model.
    """
    if not isinstance(net, Network):
        raise HyperparameterTypeError(f"save expects a glassnet Network, got {type(net).__name__}")
    check_finite_parameters(net)
    arrays, metadata = model_content(net)
    metadata["extra"] = extra_metadata
    return write_atomic(path, arrays, metadata)


def load(path) -> Network:
    """Load a model saved by ``save`` (or the network of a checkpoint); predictions are bit-identical."""
    arrays, metadata = read_verified(path)
    return restore_network(arrays, metadata, path, Network)


def load_metadata(path) -> dict:
    """The verified metadata of a model or checkpoint file (architecture, versions, extras)."""
    return read_verified(path)[1]
