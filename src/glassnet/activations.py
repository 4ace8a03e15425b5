"""Activation functions g and their derivatives g' (the notes' 激活函数 / 激活函数的导数).

Each activation is a small object with

* ``forward(Z)``     A = g(Z)
* ``derivative(Z)``  g'(Z), elementwise
* ``backward(dA, Z, A)``  dZ = dA * g'(Z)  (may use the cached A when that is cheaper, e.g.
  sigmoid' = A(1 - A), so the exponential is not computed twice)
* ``add_bias_and_activate(Z, b)``  Z = Z + b, then A = g(Z): a layer's last two steps, which
  ReLU and leaky ReLU do in one compiled pass when they can (``kernels``; the others compile the bias)
* ``backward_and_sum(dA, Z, A, db)``  dZ = dA * g'(Z) and db = Σ_columns dZ: the layer's backward
  (6) and (8), in one compiled pass when it can (not softmax)

Values at z = 0 where g is not differentiable (the notes allow either choice; we document ours):
ReLU'(0) = 0 and LeakyReLU'(0) = alpha, the same convention as PyTorch, so that parity tests and
users moving between libraries see the same numbers.

All functions are stable for any finite z: sigmoid and softmax at |z| = 1e4 give no warning and
no NaN.
"""

from __future__ import annotations

from . import kernels
from .backend import xp
from .validation import check_number, from_registry


class Activation:
    """Base class: subclasses define ``forward`` and ``derivative``."""

    name = "activation"
    elementwise = True
    forward_kernel = kernels.BIAS  # what kernels.compiled.bias_act does of add_bias_and_activate
    backward_kernel: int | None = None  # what kernels.compiled.backward_sum does of backward (None: nothing)

    def forward(self, Z, out=None):
        raise NotImplementedError

    def derivative(self, Z):
        raise NotImplementedError

    def backward(self, dA, Z, A, out=None):
        """dZ = dA * g'(Z)."""
        return xp.multiply(dA, self.derivative(Z), out=out)

    def add_bias_and_activate(self, Z, b, out=None):
        """Z = Z + b (in place, b broadcast over the columns), then A = g(Z).

        Compiled (``kernels``) when the arrays allow: both steps in one pass for ReLU and leaky ReLU
        (4-5x the two lines, python -m bench.tricks), else the bias alone, then ``forward``.
        """
        if b.shape == (Z.shape[0], 1) and kernels.usable(Z, b):
            kind = self.forward_kernel
            if kind != kernels.BIAS and out is not None and out.shape == Z.shape and kernels.usable(Z, out):
                kernels.compiled.bias_act(Z, b, out, kind, getattr(self, "alpha", 0.0))
                return out
            kernels.compiled.bias_act(Z, b, Z, kernels.BIAS, 0.0)  # the line below
        else:
            Z += b
        return self.forward(Z, out=out)

    def backward_and_sum(self, dA, Z, A, db):
        """dZ = dA * g'(Z) (in place of dA, returned), then db = Σ over the columns of dZ, (n, 1).

        The layer's (6) and (8) in one compiled pass over dA when the arrays allow (each row summed
        while it is in the cache, in NumPy's pairwise order: the same bits), else the two lines.
        """
        kind = self.backward_kernel
        if (kind is not None and dA.shape == Z.shape == A.shape and db.shape == (dA.shape[0], 1)
                and kernels.usable(dA, Z, A, db)):
            kernels.compiled.backward_sum(dA, Z, A, db, kind, getattr(self, "alpha", 0.0))
            return dA
        dZ = self.backward(dA, Z, A, out=dA)
        dZ.sum(axis=1, keepdims=True, out=db)
        return dZ

    def __call__(self, Z):
        return self.forward(Z)

    def config(self) -> dict:
        """What ``get_activation`` needs to rebuild this activation (used by save/load)."""
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and self.config() == other.config()

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(self.config().items()))))


class Sigmoid(Activation):
    """g(z) = 1 / (1 + e^(-z));  g'(z) = g(z)(1 - g(z)), so g'(0) = 1/4.

    Stable form: with e = exp(-|z|), g(z) = 1/(1+e) for z >= 0 and e/(1+e) for z < 0; the
    exponent is never positive, so nothing overflows.
    """

    name = "sigmoid"
    backward_kernel = kernels.SIGMOID

    def forward(self, Z, out=None):
        e = xp.exp(-xp.abs(Z))
        return xp.divide(xp.where(Z >= 0, 1.0, e), 1.0 + e, out=out)

    def derivative(self, Z):
        A = self.forward(Z)
        return A * (1.0 - A)

    def backward(self, dA, Z, A, out=None):
        """dZ = dA * A(1 - A)."""
        return xp.multiply(dA, A * (1.0 - A), out=out)


class Tanh(Activation):
    """g(z) = tanh(z) = (e^z - e^(-z)) / (e^z + e^(-z));  g'(z) = 1 - tanh(z)^2, so g'(0) = 1."""

    name = "tanh"
    backward_kernel = kernels.TANH

    def forward(self, Z, out=None):
        return xp.tanh(Z, out=out)

    def derivative(self, Z):
        A = xp.tanh(Z)
        return 1.0 - A * A

    def backward(self, dA, Z, A, out=None):
        """dZ = dA * (1 - A^2)."""
        return xp.multiply(dA, 1.0 - A * A, out=out)


class ReLU(Activation):
    """g(z) = max(0, z);  g'(z) = 1 if z > 0 else 0 (we take g'(0) = 0)."""

    name = "relu"
    forward_kernel = backward_kernel = kernels.RELU

    def forward(self, Z, out=None):
        return xp.maximum(Z, 0, out=out)

    def derivative(self, Z):
        return (Z > 0).astype(Z.dtype)

    def backward(self, dA, Z, A, out=None):
        """dZ = dA * [Z > 0]."""
        if out is dA and dA.shape == Z.shape and kernels.usable(dA, Z):
            # the line below, in place, without a boolean temporary: 1.8-2x (python -m bench.tricks)
            kernels.compiled.backward_sum(dA, Z, Z, None, kernels.RELU, 0.0)
            return dA
        return xp.multiply(dA, Z > 0, out=out)


class LeakyReLU(Activation):
    """g(z) = max(alpha*z, z) for 0 <= alpha < 1;  g'(z) = 1 if z > 0 else alpha (g'(0) = alpha)."""

    name = "leaky_relu"
    forward_kernel = backward_kernel = kernels.LEAKY

    def __init__(self, alpha: float = 0.01):
        self.alpha = check_number(alpha, "LeakyReLU alpha", low=0.0, high=1.0, high_open=True,
                                  hint="the notes use 0.01")

    def forward(self, Z, out=None):
        # max(alpha*z, z) equals the piecewise definition because alpha < 1.
        return xp.maximum(Z, self.alpha * Z, out=out)

    def derivative(self, Z):
        return xp.where(Z > 0, 1.0, self.alpha).astype(Z.dtype)

    def config(self) -> dict:
        return {"name": self.name, "alpha": self.alpha}

    def __repr__(self) -> str:
        return f"LeakyReLU(alpha={self.alpha})"


class Linear(Activation):
    """g(z) = z;  g'(z) = 1 (the output of a regression network). A is Z itself: no copy."""

    name = "linear"
    backward_kernel = kernels.LINEAR

    def forward(self, Z, out=None):
        return Z

    def derivative(self, Z):
        return xp.ones_like(Z)

    def backward(self, dA, Z, A, out=None):
        """dZ = dA (no copy)."""
        return dA


class Softmax(Activation):
    """g(z)_i = e^(z_i) / sum_j e^(z_j), over each column (one example per column).

    Stable form: subtract each column's maximum before exponentiating.
    ``derivative`` returns the diagonal of the Jacobian, s_i(1 - s_i); ``backward`` applies the
    full Jacobian: dZ = S * (dA - sum_i(dA_i * S_i)). As an output layer with cross-entropy the
    network uses the fused dZ = A - Y instead.
    """

    name = "softmax"
    elementwise = False

    def forward(self, Z, out=None):
        E = xp.exp(Z - Z.max(axis=0, keepdims=True))
        return xp.divide(E, E.sum(axis=0, keepdims=True), out=out)

    def derivative(self, Z):
        S = self.forward(Z)
        return S * (1.0 - S)

    def backward(self, dA, Z, A, out=None):
        """dZ = A * (dA - sum over classes of dA * A)."""
        return xp.multiply(A, dA - (dA * A).sum(axis=0, keepdims=True), out=out)


ACTIVATIONS: dict[str, type[Activation]] = {
    cls.name: cls for cls in (Sigmoid, Tanh, ReLU, LeakyReLU, Linear, Softmax)
}


def get_activation(spec) -> Activation:
    """An activation from a name (``"relu"``), a config dict, or an ``Activation`` object."""
    return from_registry(spec, ACTIVATIONS, "activation", Activation, "gn.LeakyReLU(0.2)")
