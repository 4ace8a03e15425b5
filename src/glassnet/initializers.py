"""Weight initialization (神经网络的权重初始化): W[l] = std * N(0, 1) of shape (n[l], n[l-1]), b[l] = 0.

Standard deviations, each multiplied by ``init_scale`` (default 1.0):

* ``zeros``   std = 0: every unit of a layer stays identical (symmetry is never broken)
* ``random``  std = 1 (standard normal; the notes' "large weights" experiment uses init_scale=10,
  the course's small-random start init_scale=0.01)
* ``he``      std = sqrt(2 / n[l-1])            (for ReLU)
* ``xavier``  std = sqrt(1 / n[l-1])            (for tanh)
* ``glorot``  std = sqrt(2 / (n[l-1] + n[l]))
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .errors import HyperparameterError, unknown_name

STD_RULES: dict[str, Callable[[int, int], float]] = {
    "zeros": lambda n_prev, n: 0.0,
    "random": lambda n_prev, n: 1.0,
    "he": lambda n_prev, n: math.sqrt(2.0 / n_prev),
    "xavier": lambda n_prev, n: math.sqrt(1.0 / n_prev),
    "glorot": lambda n_prev, n: math.sqrt(2.0 / (n_prev + n)),
}


def check_initializer(name: str) -> str:
    """Return the canonical initializer name or raise an error listing the known ones."""
    if not isinstance(name, str) or name.lower() not in STD_RULES:
        raise unknown_name("initializer", name, list(STD_RULES))
    return name.lower()


def weight_std(name: str, n_prev: int, n: int, init_scale: float = 1.0) -> float:
    """The standard deviation of W[l] (n[l], n[l-1]) under initializer ``name``, times init_scale."""
    return init_scale * STD_RULES[check_initializer(name)](n_prev, n)


def initialize_weights(
    name: str, n_prev: int, n: int, rng: np.random.Generator, init_scale: float = 1.0
) -> np.ndarray:
    """W[l] = std * randn(n[l], n[l-1]) in float64 (the caller casts to the network's dtype).

    Drawing in float64 and casting keeps float32 and float64 networks with the same seed on the
    same weights.
    """
    if not math.isfinite(init_scale) or init_scale < 0:
        raise HyperparameterError(
            f"init_scale must be a finite number >= 0, got {init_scale!r}"
        )
    std = weight_std(name, n_prev, n, init_scale)
    if std == 0.0:
        return np.zeros((n, n_prev))
    with np.errstate(over="ignore"):
        W = std * rng.standard_normal((n, n_prev))
    if not np.isfinite(W).all():
        raise HyperparameterError(
            f"init_scale={init_scale!r} makes some initial weights of a ({n}, {n_prev}) layer infinite "
            f"(std {std:.3g}); use a smaller init_scale (the notes' large-weights experiment uses 10)"
        )
    return W
