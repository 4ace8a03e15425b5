"""Costs J = (1/m) sum over examples of the loss, each paired with its output activation.

With sample weights w (1, m), J = sum_i w_i loss_i / sum_i w_i: an integer weight k counts an
example k times, exactly as if it were repeated k times.

The pairing gives the notes' fused output gradient dZ[L] = A[L] - Y for all three:

* sigmoid + binary cross-entropy:
  J = -(1/m) sum[ y log a + (1 - y) log(1 - a) ], computed from Z[L] as
  max(z, 0) - z*y + log(1 + e^(-|z|)), finite even when the sigmoid saturates.
* softmax + categorical cross-entropy:
  J = -(1/m) sum_i sum_k y_ki log a_ki = (1/m) sum_i [ logsumexp(z_i) - z_(y_i, i) ];
  Y is one-hot (C, m) or integer labels (1, m).
* linear + mean squared error:  J = 1/(2m) sum (a - y)^2.

The L2 term is added by the network, not here.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .backend import xp
from .errors import LabelError, ShapeError


class Loss:
    """Base class: ``example_losses(ZL, AL, Y)``, ``cost(ZL, AL, Y, weights)`` and ``output_dZ(AL, Y)``."""

    name = "loss"
    activation = "linear"

    def example_losses(self, ZL, AL, Y):
        """The loss of each example, shape (m,)."""
        raise NotImplementedError

    def cost(self, ZL, AL, Y, weights=None) -> float:
        """J = (1/m) sum_i loss_i, or sum_i w_i loss_i / sum_i w_i with weights w (1, m)."""
        losses = self.example_losses(ZL, AL, Y)
        if weights is None:
            return float(losses.sum()) / losses.shape[0]
        return float((losses * weights[0]).sum()) / float(weights.sum())

    def output_dZ(self, AL, Y, out=None, scale: float = 1.0):
        """dZ[L] = (A[L] - Y) * scale: the derivative of scale·m·J with respect to Z[L] (scale 1/m: of J).

        One compiled pass (``kernels.compiled.output_dz``) when the arrays allow, else the NumPy lines.
        """
        dZ = compiled_output_dZ(AL, Y, out, scale)
        if dZ is None:
            dZ = self.numpy_output_dZ(AL, Y, out)
            if scale != 1.0:
                dZ *= scale
        return dZ

    def numpy_output_dZ(self, AL, Y, out=None):
        """dZ[L] = A[L] - Y with NumPy."""
        return xp.subtract(AL, Y, out=out)

    def constant_cost(self, Y) -> float:
        """J of the best constant prediction, one that ignores X: what learning nothing reaches.

        Cross-entropy: the entropy of the labels' frequencies, H = -sum_k f_k log f_k (log C for C
        balanced classes); squared error: 1/2 sum over outputs of the targets' variance (predicting
        their mean). Y as checked by ``check_targets``; 0.0 for no examples.
        """
        raise NotImplementedError

    def check_targets(self, Y, n_y: int, m: int, dtype):
        """Validate Y at the public boundary and return it in the form the loss uses."""
        if Y.shape != (n_y, m):
            raise ShapeError(
                f"Y must have shape (n_y, m) = ({n_y}, {m}) to match the output layer and X, "
                f"got {Y.shape}"
            )
        return xp.asarray(Y, dtype=dtype)


def compiled_output_dZ(AL, Y, out, scale: float):
    """dZ = (A[L] - Y) * scale in one compiled pass, or None where the kernel does not take the arrays.

    Y shaped like A[L] in its dtype, or integer labels (1, m) of a softmax (C, m), C > 1, whose one-hot
    the kernel subtracts: the NumPy lines' operations, each element rounded alike.
    """
    if not kernels.usable(AL) or (out is not None and not (out.shape == AL.shape and kernels.usable(AL, out))):
        return None
    labels = Y.shape == (1, AL.shape[1]) and AL.shape[0] != 1 and Y.dtype != AL.dtype
    if not (kernels.usable_indices(Y) if labels else Y.shape == AL.shape and kernels.usable(AL, Y)):
        return None
    dZ = np.empty_like(AL) if out is None else out
    kernels.compiled.output_dz(AL, Y, dZ, scale)
    return dZ


class BinaryCrossEntropy(Loss):
    """J = -(1/m) sum[ y log a + (1 - y) log(1 - a) ] with a = sigmoid(z), from z stably."""

    name = "binary_cross_entropy"
    activation = "sigmoid"

    def example_losses(self, ZL, AL, Y):
        losses = xp.maximum(ZL, 0) - ZL * Y + xp.log1p(xp.exp(-xp.abs(ZL)))
        return losses.sum(axis=0)

    def check_targets(self, Y, n_y, m, dtype):
        Y = super().check_targets(Y, n_y, m, dtype)
        bad = (Y != 0) & (Y != 1)
        if bool(bad.any()):
            found = sorted({float(v) for v in xp.unique(Y[bad])[:5].tolist()})
            raise LabelError(
                f"a sigmoid output needs labels in {{0, 1}}, found {found}; for C > 2 classes use "
                "output_activation='softmax', for real-valued targets use 'linear'"
            )
        return Y

    def constant_cost(self, Y) -> float:
        p = xp.asarray(Y, dtype=float).mean(axis=1) if Y.shape[1] else xp.zeros(0)
        p = p[(p > 0) & (p < 1)]
        return float(-(p * xp.log(p) + (1 - p) * xp.log1p(-p)).sum())


class SoftmaxCrossEntropy(Loss):
    """J = (1/m) sum_i [ logsumexp(z_i) - z_(y_i, i) ]  (= -(1/m) sum Y * log A for one-hot Y)."""

    name = "softmax_cross_entropy"
    activation = "softmax"

    def example_losses(self, ZL, AL, Y):
        m = ZL.shape[1]
        # Both terms shifted by each column's max z (logsumexp(z) - z_y does not change), so exp
        # never overflows: J = (1/m) sum_i [ log sum_k exp(z_ki - max_i) - (z_(y_i, i) - max_i) ]
        shifted = ZL - ZL.max(axis=0, keepdims=True)
        log_sum_exp = xp.log(xp.exp(shifted).sum(axis=0))
        if Y.shape[0] == 1 and ZL.shape[0] != 1:
            picked = shifted[Y[0].astype(xp.intp, copy=False), xp.arange(m)]
        else:
            picked = (shifted * Y).sum(axis=0)
        return log_sum_exp - picked

    def numpy_output_dZ(self, AL, Y, out=None):
        """dZ[L] = A[L] - Y, with integer labels subtracting 1 at each example's class."""
        if Y.shape[0] == 1 and AL.shape[0] != 1:
            if out is None:
                dZ = AL.copy()
            else:
                xp.copyto(out, AL)
                dZ = out
            dZ[Y[0].astype(xp.intp), xp.arange(AL.shape[1])] -= 1.0
            return dZ
        return xp.subtract(AL, Y, out=out)

    def check_targets(self, Y, n_y, m, dtype):
        if Y.shape == (1, m) and n_y > 1:
            labels = xp.asarray(Y)
            if not bool((labels == xp.round(labels)).all()) or (
                m and (labels.min() < 0 or labels.max() >= n_y)
            ):
                raise LabelError(
                    f"integer labels for a softmax output of {n_y} classes must be in "
                    f"0..{n_y - 1}, got values from {labels.min()} to {labels.max()}"
                )
            return labels.astype(xp.intp)
        if Y.shape != (n_y, m):
            raise ShapeError(
                f"Y for a softmax output of {n_y} classes must be one-hot ({n_y}, {m}) or integer "
                f"labels (1, {m}), got {Y.shape}"
            )
        Y = xp.asarray(Y, dtype=dtype)
        if bool((Y < 0).any()) or (m > 0 and not bool(xp.allclose(Y.sum(axis=0), 1.0))):
            raise LabelError(
                "one-hot Y must have non-negative columns that sum to 1; for integer labels pass "
                "shape (1, m)"
            )
        return Y

    def constant_cost(self, Y) -> float:
        if Y.shape[0] == 1:  # integer labels (1, m)
            f = xp.bincount(xp.asarray(Y[0], dtype=xp.intp)) / max(Y.shape[1], 1)
        else:
            f = xp.asarray(Y, dtype=float).mean(axis=1) if Y.shape[1] else xp.zeros(0)
        f = f[f > 0]
        return float(-(f * xp.log(f)).sum())


class MeanSquaredError(Loss):
    """J = 1/(2m) sum (a - y)^2 over every output and example."""

    name = "mean_squared_error"
    activation = "linear"

    def example_losses(self, ZL, AL, Y):
        diff = AL - Y
        return (diff * diff).sum(axis=0) / 2

    def constant_cost(self, Y) -> float:
        return float(xp.asarray(Y, dtype=float).var(axis=1).sum() / 2) if Y.shape[1] else 0.0


LOSS_FOR_OUTPUT = {
    "sigmoid": BinaryCrossEntropy,
    "softmax": SoftmaxCrossEntropy,
    "linear": MeanSquaredError,
}
