"""Generated 2-D data sets, seeded: two classes (or K) in the plane, X (2, m) float64, Y (1, m) int64.

``make_flower``, ``make_moons``, ``make_circles``, ``make_spirals``, ``make_blobs``, ``make_xor``.
Every random number comes from ``glassnet.backend.make_rng(seed)``: the same seed gives the same
set, another seed another set. X is handed out as the ``(2, m)`` transpose view of an example-major
``(m, 2)`` array (see ``glassnet.data.datasets``).
"""

from __future__ import annotations

import numpy as np

from ..backend import make_rng
from ..errors import HyperparameterError, ShapeError
from ..validation import check_int, check_memory, check_number


def _check_noise(noise, name: str = "noise") -> float:
    return check_number(noise, name, low=0.0, hint="0 gives noise-free points")


def _check_points(n: int) -> int:
    """A point count whose arrays fit in memory (a few float64 copies of (n, 2) while generating)."""
    check_memory(8.0 * 2 * 8 * n, f"{n} points", "ask for fewer points")
    return n


def _split_counts(n: int, k: int) -> np.ndarray:
    """n examples over k classes as evenly as possible (the first n mod k classes get one more)."""
    counts = np.full(k, n // k, dtype=np.int64)
    counts[: n % k] += 1
    return counts


def _finish(points: np.ndarray, labels: np.ndarray, rng: np.random.Generator, shuffle: bool):
    """(m, 2) points and (m,) labels -> X (2, m) example-major view, Y (1, m) int64."""
    if shuffle:
        perm = rng.permutation(points.shape[0])
        points, labels = points[perm], labels[perm]
    points = np.ascontiguousarray(points, dtype=np.float64)
    return points.T, labels.astype(np.int64).reshape(1, -1)


def make_flower(n: int = 400, noise: float = 0.2, seed=None, shuffle: bool = True):
    """The course's planar "flower": two classes on alternating petals of a rose curve.

    For class j in {0, 1}:  t = linspace(3.12 j, 3.12 (j+1)) + noise * N(0, 1),
    r = 4 sin(4t) + noise * N(0, 1),  x = (r sin t, r cos t).
    Returns X (2, n) float64 (values within about [-4.5, 4.5]), Y (1, n) int64 in {0, 1}.
    """
    n = check_int(n, "n", low=2)
    _check_points(n)
    noise = _check_noise(noise)
    rng = make_rng(seed)
    counts = _split_counts(n, 2)
    labels = np.repeat(np.arange(2), counts)
    base = np.concatenate([np.linspace(j * 3.12, (j + 1) * 3.12, c) for j, c in enumerate(counts)])
    t = base + rng.standard_normal(n) * noise
    r = 4.0 * np.sin(4.0 * t) + rng.standard_normal(n) * noise
    points = np.column_stack([r * np.sin(t), r * np.cos(t)])
    return _finish(points, labels, rng, shuffle)


def make_moons(n: int = 400, noise: float = 0.1, seed=None, shuffle: bool = True):
    """Two interleaving half circles (scikit-learn's shape, generated with our seeded Generator).

    Class 0: (cos s, sin s); class 1: (1 - cos s, 0.5 - sin s), s in [0, pi]; then + noise * N(0, I).
    Returns X (2, n) float64, Y (1, n) int64 in {0, 1}.
    """
    n = check_int(n, "n", low=2)
    _check_points(n)
    noise = _check_noise(noise)
    rng = make_rng(seed)
    n_out, n_in = n // 2, n - n // 2
    s_out, s_in = np.linspace(0.0, np.pi, n_out), np.linspace(0.0, np.pi, n_in)
    points = np.concatenate([
        np.column_stack([np.cos(s_out), np.sin(s_out)]),
        np.column_stack([1.0 - np.cos(s_in), 0.5 - np.sin(s_in)]),
    ])
    points += noise * rng.standard_normal(points.shape)
    labels = np.repeat(np.arange(2), [n_out, n_in])
    return _finish(points, labels, rng, shuffle)


def make_circles(n: int = 400, noise: float = 0.05, factor: float = 0.8, seed=None, shuffle: bool = True):
    """Two concentric circles: class 0 of radius 1, class 1 of radius ``factor``, + noise * N(0, I).

    Returns X (2, n) float64, Y (1, n) int64 in {0, 1}.
    """
    n = check_int(n, "n", low=2)
    _check_points(n)
    noise = _check_noise(noise)
    factor = check_number(factor, "factor", low=0.0, high=1.0, high_open=True,
                          hint="factor is the inner radius over the outer radius")
    rng = make_rng(seed)
    n_out, n_in = n // 2, n - n // 2
    s_out = np.linspace(0.0, 2 * np.pi, n_out, endpoint=False)
    s_in = np.linspace(0.0, 2 * np.pi, n_in, endpoint=False)
    points = np.concatenate([
        np.column_stack([np.cos(s_out), np.sin(s_out)]),
        factor * np.column_stack([np.cos(s_in), np.sin(s_in)]),
    ])
    points += noise * rng.standard_normal(points.shape)
    labels = np.repeat(np.arange(2), [n_out, n_in])
    return _finish(points, labels, rng, shuffle)


def make_spirals(n: int = 400, classes: int = 2, noise: float = 0.2, seed=None, shuffle: bool = True):
    """K interleaved spiral arms (the CS231n spiral data), one class per arm.

    For arm j:  r = linspace(0, 1),  t = 2 pi j / K + 4 r + noise * N(0, 1),  x = (r sin t, r cos t);
    ``noise`` jitters the angle (radians). Returns X (2, n) float64 in [-1, 1], Y (1, n) int64 in 0..K-1.
    """
    classes = check_int(classes, "classes", low=2)
    n = check_int(n, "n", low=classes, hint=f"at least one example per class ({classes})")
    _check_points(n)
    noise = _check_noise(noise)
    rng = make_rng(seed)
    counts = _split_counts(n, classes)
    labels = np.repeat(np.arange(classes), counts)
    r = np.concatenate([np.linspace(0.0, 1.0, c) for c in counts])
    t = 2 * np.pi * labels / classes + 4.0 * r + noise * rng.standard_normal(n)
    points = np.column_stack([r * np.sin(t), r * np.cos(t)])
    return _finish(points, labels, rng, shuffle)


def make_blobs(n: int = 400, centers=3, std: float = 1.0, seed=None, box: tuple[float, float] = (-10.0, 10.0),
               shuffle: bool = True):
    """Isotropic Gaussian blobs: x = center[y] + std * N(0, I).

    ``centers`` is a count (centers drawn uniformly in ``box`` x ``box``) or an array (k, 2) of
    centers. Returns X (2, n) float64, Y (1, n) int64 in 0..k-1 (as even as n allows).
    """
    std = check_number(std, "std", low=0.0)
    rng = make_rng(seed)
    if isinstance(centers, int | np.integer) and not isinstance(centers, bool):
        k = _check_points(check_int(centers, "centers"))
        low, high = (check_number(v, "box") for v in box)
        if not low < high:
            raise HyperparameterError(f"box must be (low, high) with low < high, got {box!r}")
        points_c = rng.uniform(low, high, size=(k, 2))
    else:
        points_c = np.asarray(centers, dtype=np.float64)
        if points_c.ndim != 2 or points_c.shape[1] != 2 or points_c.shape[0] < 1:
            raise ShapeError(
                f"centers must be a count or an array (k, 2) of 2-D centers, got shape {points_c.shape}"
            )
        k = points_c.shape[0]
    n = check_int(n, "n", low=k, hint=f"at least one example per center ({k})")
    _check_points(n)
    labels = np.repeat(np.arange(k), _split_counts(n, k))
    points = points_c[labels] + std * rng.standard_normal((n, 2))
    return _finish(points, labels, rng, shuffle)


def make_xor(n: int = 400, noise: float = 0.1, seed=None, shuffle: bool = True):
    """The XOR problem: p uniform in [-1, 1]^2, y = [p1 > 0] xor [p2 > 0], x = p + noise * N(0, I).

    Returns X (2, n) float64, Y (1, n) int64 in {0, 1} (class sizes vary with the draw).
    """
    n = check_int(n, "n", low=2)
    _check_points(n)
    noise = _check_noise(noise)
    rng = make_rng(seed)
    p = rng.uniform(-1.0, 1.0, size=(n, 2))
    labels = ((p[:, 0] > 0) != (p[:, 1] > 0)).astype(np.int64)
    points = p + noise * rng.standard_normal((n, 2))
    return _finish(points, labels, rng, shuffle)


GENERATORS = {"flower": make_flower, "moons": make_moons, "circles": make_circles, "spirals": make_spirals,
              "blobs": make_blobs, "xor": make_xor}
"""The generators by data set name (``glassnet.data.datasets.load`` reads them)."""
