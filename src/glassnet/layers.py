"""Dense: one fully-connected layer l, its forward pass with cache, its backward pass, and dropout.

Forward (the notes' §4.3 深层网络中的前向传播 forward propagation in a deep network):
                                Z[l] = W[l] A[l-1] + b[l]
                                A[l] = g[l](Z[l])
Backward (反向传播 backward propagation), as the notes number them in §4.2 前向传播和反向传播:
                                dZ[l] = dA[l] * g[l]'(Z[l])                        (6)
                                dW[l] = (1/m) dZ[l] A[l-1]^T + (l2/m) W[l]         (7), with L2
                                db[l] = (1/m) sum over examples of dZ[l]           (8)
                                dA[l-1] = W[l]^T dZ[l]                             (9)
Where the 1/m went: the network divides dZ[L] = A[L] - Y by m once (in its backward pass), so every
dA and dZ that reaches a layer is already the derivative of the average cost J. The layer then
computes dW = dZ A^T + (l2/m) W and db = sum(dZ): formulas (7) and (8) with their 1/m already
inside dZ, the same numbers without a pass over dW and db to scale them. ``glassnet.notes`` keeps
the notes' form, and a test holds the two equal to 1e-12.

Inverted dropout (dropout 正则化) acts on the layer's input A[l-1], with keep probability
``keep_prob`` (so layer 1 can drop input features and layer l drops hidden layer l-1):
                                d = (rand(A[l-1].shape) < keep_prob)
                                A[l-1] = A[l-1] * d / keep_prob
and the same mask in backward:  dA[l-1] = dA[l-1] * d / keep_prob.

Shapes: W (n[l], n[l-1]), b (n[l], 1), A[l-1] (n[l-1], m), Z and A (n[l], m).
The layer's W, b, dW, db are views into the network's flat buffers; a layer knows nothing of the
network. Its products are ``kernels.matmul``: NumPy's matmul, its values, through a faster BLAS call.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .activations import Activation
from .backend import xp
from .kernels import matmul


class LayerCache(NamedTuple):
    """What a layer keeps of its last forward pass: A[l-1] (after dropout), Z[l] = W A[l-1] + b, A[l] = g(Z[l])."""

    A_prev: Any
    Z: Any
    A: Any


class Dense:
    """A fully-connected layer: parameters (views), forward with cache, backward, dropout mask."""

    def __init__(self, n_prev: int, n: int, activation: Activation, keep_prob: float = 1.0):
        self.n_prev = n_prev
        self.n = n
        self.activation = activation
        self.keep_prob = keep_prob
        self.W = self.b = self.dW = self.db = None
        self.cache: LayerCache | None = None  # (A_prev after dropout, Z, A) of the last forward pass
        self.dZ = None  # dZ of the last backward pass (∂J/∂Z, the 1/m inside): read by diagnostics
        self.D = None  # the last dropout mask d, a boolean array shaped like A[l-1]
        self.mask_applied = False  # whether the cached forward pass used D
        self._buffers: dict = {}  # reused Z, A and dA_prev arrays of the fit loop, by (name, m)

    def bind(self, W, b, dW, db) -> None:
        """Attach the parameter and gradient arrays (views into the network's flat buffers)."""
        self.W, self.b, self.dW, self.db = W, b, dW, db

    @property
    def drops(self) -> bool:
        return self.keep_prob < 1.0

    def _buffer(self, name: str, m: int, dtype):
        """A reused (n, m) array for the fit loop, so each mini-batch does not allocate anew."""
        # Measured: forward + backward 3-8 % faster at batch 32-512 than fresh arrays (python -m bench.tricks).
        rows = self.n_prev if name == "dA_prev" else self.n
        buffer = self._buffers.get((name, m))
        if buffer is None or buffer.dtype != dtype:
            buffer = self._buffers[(name, m)] = xp.empty((rows, m), dtype=dtype)
        return buffer

    def forward(self, A_prev, training: bool, rng: np.random.Generator, reuse_mask: bool = False,
                reuse_buffers: bool = False):
        """Z = W A_prev + b, A = g(Z); inverted dropout on A_prev when training. Keeps the cache.

        ``reuse_buffers`` (the fit loop) writes Z and A into arrays kept from the last call of the
        same batch size; a caller that keeps the returned A must not pass it.
        """
        self.mask_applied = training and self.drops
        if self.mask_applied:
            if not (reuse_mask and self.D is not None and self.D.shape == A_prev.shape):
                self.D = xp.asarray(rng.random(A_prev.shape, dtype=A_prev.dtype) < self.keep_prob)
            A_prev = A_prev * self.D / self.keep_prob  # inverted dropout: a = a * d / keep_prob
        m = A_prev.shape[1]
        Z = matmul(self.W, A_prev, out=self._buffer("Z", m, A_prev.dtype) if reuse_buffers else None)
        out = self._buffer("A", m, Z.dtype) if reuse_buffers else None
        A = self.activation.add_bias_and_activate(Z, self.b, out=out)  # Z = W A_prev + b;  A = g(Z)
        self.cache = LayerCache(A_prev, Z, A)
        return A

    def backward(self, dA, m: int, l2: float = 0.0, dZ=None, need_dA_prev: bool = True,
                 reuse_buffers: bool = False):
        """Fill dW and db; return dA[l-1] (None when not needed, e.g. for the first layer).

        The notes' (6)-(9) with the 1/m of (7) and (8) already inside dA and dZ (module docstring):
            dZ = dA * g'(Z);  dW = dZ A_prev^T + (l2/m) W;  db = sum(dZ);  dA_prev = W^T dZ
        ``m`` is still needed for the L2 term. Pass ``dZ`` directly for the output layer's fused
        gradient dZ[L] = (A[L] - Y)/m. ``dA`` is overwritten (it becomes dZ): nothing else needs it.
        """
        A_prev, Z, A = self.cache
        if dZ is None:  # (6) dZ = dA * g'(Z) and (8) db = (1/m) sum(dZ), the 1/m being in dZ: one pass
            dZ = self.activation.backward_and_sum(dA, Z, A, self.db)
        else:
            dZ.sum(axis=1, keepdims=True, out=self.db)  # (8) db = (1/m) sum(dZ), the 1/m being in dZ
        self.dZ = dZ
        matmul(dZ, A_prev.T, out=self.dW)  # (7) dW = (1/m) dZ A_prev^T, the 1/m being in dZ
        if l2:
            self.dW += (l2 / m) * self.W  # (7) + (l2/m) W, the L2 term's gradient
        if not need_dA_prev:
            return None
        out = self._buffer("dA_prev", dZ.shape[1], dZ.dtype) if reuse_buffers else None
        dA_prev = matmul(self.W.T, dZ, out=out)  # (9) dA_prev = W^T dZ
        if self.mask_applied:
            dA_prev *= self.D  # inverted dropout, backward: the same mask, the same 1/keep_prob
            dA_prev /= self.keep_prob
        return dA_prev
