"""What the page draws, in the wire's terms: finite numbers, grids of the plane as base64 bytes, hidden outputs."""

from __future__ import annotations

import base64
import math

import numpy as np

import glassnet as gn


def finite(x):
    """A float for JSON: None for NaN and infinities."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def bytes64(values: np.ndarray) -> str:
    """Values in [0, 1] -> base64 of uint8 0..255 (row-major)."""
    q = np.clip(np.nan_to_num(values, nan=0.5), 0.0, 1.0) * 255.0
    return base64.b64encode(np.rint(q).astype(np.uint8).tobytes()).decode("ascii")


def grid(extent, size: int) -> np.ndarray:
    """(2, size*size) points of the plane, row-major with y from top (max) to bottom (min)."""
    x0, x1, y0, y1 = extent
    xs = np.linspace(x0, x1, size)
    ys = np.linspace(y1, y0, size)
    gx, gy = np.meshgrid(xs, ys)
    return np.vstack([gx.ravel(), gy.ravel()])


def extent(X) -> list[float]:
    """A square window around the points with a margin: [x_min, x_max, y_min, y_max]."""
    lo, hi = X.min(axis=1), X.max(axis=1)
    center = (lo + hi) / 2
    half = max(float((hi - lo).max()) / 2 * 1.15, 1e-3)
    return [float(center[0] - half), float(center[0] + half), float(center[1] - half), float(center[1] + half)]


def hidden_outputs(net: gn.Network, X) -> list[tuple[np.ndarray, np.ndarray]]:
    """[(Z[l], A[l]) for every layer] for raw inputs X (2, m): the engine's own forward pass, no dropout.

    ``net.forward`` applies the model's whole input pipeline and keeps each layer's cache (A_prev, Z, A).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        net.forward(np.asarray(X, dtype=np.float64))
    return [(np.asarray(layer.cache.Z, dtype=np.float64), np.asarray(layer.cache.A, dtype=np.float64))
            for layer in net.layers]
