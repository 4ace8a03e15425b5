"""Planted bugs: a Network whose ``cost_and_gradients`` makes one of the notes' classic backprop mistakes.

The playground's "plant a bug" button and its "find the bug" quiz set ``bug`` (and ``bug_layer``) on
the session's network; the gradient check, which compares ``cost_and_gradients`` with finite
differences of the cost, then finds it. The cost stays right: only the gradients go wrong, as they
do in a real buggy backward pass. With a bug planted the gradients come from the notes' backward
pass written out here (``notes_backward``, over the caches of the network's forward pass, m
examples), with the one mistake in it:

    dZ[L] = A[L] - Y                            sign           dZ[L] = Y - A[L]
    dW[l] = 1/m dZ[l] A[l-1]^T + (l2/m) W[l]    dW_no_m        the 1/m forgotten
                                                dW_transposed  1/m A[l-1] dZ[l]^T: dW's transpose
                                                no_l2          the L2 term (l2/m) W[l] forgotten
    db[l] = 1/m np.sum(dZ[l], axis=1, keepdims=True)
                                                db_no_m        the 1/m forgotten
                                                db_axis        np.sum(dZ[l], keepdims=True): axis=1
                                                               forgotten, one sum over units and examples
    dA[l] = dA[l] * D[l] / keep_prob[l]         no_keep_prob   the division forgotten (dropout of A[l])
    dZ[l] = dA[l] * g'(Z[l])                    g_prime_of_A   g' evaluated at A[l] instead of Z[l]

``bug_layer`` says where: the layer l of the formula (for ``no_keep_prob`` the hidden layer whose
output A[l] is dropped; ``sign`` is always the output layer L); None plants it in every layer where
it bites. ``bites`` says whether a bug changes anything in a layer (no L2 term to forget while
l2 = 0, no transpose of a 1-wide matrix, g'(A) = g'(Z) for ReLU and linear units, ...).

The training loop (``fit``) keeps the library's own backward pass, so a run with a planted bug is
the same run as without it; the bug lives where the check and the |dW| panel look.
"""

from __future__ import annotations

import numpy as np

import glassnet as gn

BUG_NAMES = ("none", "sign", "dW_no_m", "db_no_m", "db_axis", "no_l2", "dW_transposed", "no_keep_prob",
             "g_prime_of_A")
FORMULAS = ("dZ_output", "dW", "db", "l2", "dropout", "g_prime", "dA_prev")
"""The formulas of the notes' backward pass a learner can name (dA_prev = W^T dZ holds no planted bug)."""
FORMULA_OF = {"sign": "dZ_output", "dW_no_m": "dW", "dW_transposed": "dW", "no_l2": "l2", "db_no_m": "db",
              "db_axis": "db", "no_keep_prob": "dropout", "g_prime_of_A": "g_prime"}
SMOOTH = ("tanh", "sigmoid")  # activations whose g'(A) differs from g'(Z)


def layers_of(bug: str, L: int) -> range:
    """The layers a bug can be planted in: the output for sign, hidden layers for dropout and g'."""
    if bug == "sign":
        return range(L, L + 1)
    if bug in ("no_keep_prob", "g_prime_of_A"):
        return range(1, L)
    return range(1, L + 1)


def bites(net: gn.Network, bug: str, layer: int) -> bool:
    """Whether ``bug`` planted in ``layer`` changes the gradients of ``net`` (at some parameters)."""
    dims = net.layer_dims
    if layer not in layers_of(bug, net.L):
        return False
    if bug == "no_l2":
        return net.l2 > 0
    if bug == "db_axis":
        return dims[layer] >= 2
    if bug == "dW_transposed":
        return dims[layer] >= 2 and dims[layer - 1] >= 2
    if bug == "no_keep_prob":
        return net.keep_prob[layer] < 1.0
    if bug == "g_prime_of_A":
        return net.activations[layer - 1].name in SMOOTH
    return bug in FORMULA_OF


def plantable(net: gn.Network) -> list[tuple[str, int]]:
    """Every (bug, layer) that bites in ``net``."""
    return [(bug, l) for bug in BUG_NAMES[1:] for l in layers_of(bug, net.L) if bites(net, bug, l)]


def notes_backward(net: gn.Network, bug: str = "none", where: int | None = None) -> dict:
    """The notes' backward pass over the caches of net's last forward and backward pass, with ``bug`` in layer
    ``where`` (None: in every layer where it bites).

    dZ[L] = A[L] - Y is the network's own output gradient (its ``dZ``, which carries the 1/m, times m):
    sigmoid, softmax and linear outputs with their costs all give A[L] - Y.
    """
    L, l2 = net.L, net.l2
    m = net.layers[0].cache.A_prev.shape[1]

    def hit(name: str, l: int) -> bool:
        """Whether layer l makes the mistake ``name``."""
        return bug == name and (where == l or where is None) and bites(net, name, l)

    dZ = net.layers[-1].dZ * m  # dZ[L] = A[L] - Y
    if hit("sign", L):
        dZ = -dZ  # Y - A[L]
    grads = {}
    for l in range(L, 0, -1):
        layer = net.layers[l - 1]
        A_prev, W = layer.cache.A_prev, net.params[f"W{l}"]
        dW = dZ @ A_prev.T if hit("dW_no_m", l) else (dZ @ A_prev.T) / m  # dW = 1/m dZ A_prev^T
        if l2 and not hit("no_l2", l):
            dW = dW + (l2 / m) * W  # + (l2/m) W
        if hit("dW_transposed", l):
            dW = dW.T.reshape(W.shape)  # 1/m A_prev dZ^T: the transpose, in W's place
        db = np.sum(dZ, axis=1, keepdims=True)  # db = 1/m np.sum(dZ, axis=1, keepdims=True)
        if hit("db_axis", l):
            db = np.full_like(db, np.sum(dZ))  # np.sum(dZ, keepdims=True): over units too
        if not hit("db_no_m", l):
            db = db / m
        grads[f"dW{l}"], grads[f"db{l}"] = dW.astype(net.dtype), db.astype(net.dtype)
        if l == 1:
            break
        dA = W.T @ dZ  # dA[l-1] = W[l]^T dZ[l]
        if layer.mask_applied:  # dropout of A[l-1]: the same mask, the same 1/keep_prob
            dA = dA * layer.D
            if not hit("no_keep_prob", l - 1):
                dA = dA / layer.keep_prob
        below = net.layers[l - 2]
        _, Z_prev, A_prev_undropped = below.cache
        at = A_prev_undropped if hit("g_prime_of_A", l - 1) else Z_prev
        dZ = dA * below.activation.derivative(at)  # dZ[l-1] = dA[l-1] * g'(Z[l-1])
    return {key: grads[key] for name in net.parameter_shapes() for key in ("d" + name,)}


class PlantedBugNetwork(gn.Network):
    """A ``glassnet.Network`` with one planted backprop bug (``bug``; "none" plants nothing) in ``bug_layer``
    (None: every layer where it bites)."""

    bug = "none"
    bug_layer: int | None = None

    def cost_and_gradients(self, X, Y, training: bool = True, reuse_masks: bool | None = None, sample_weight=None):
        """(J, gradients): the library's cost, and the gradients of the notes' backward pass with the bug in it."""
        J, grads = super().cost_and_gradients(X, Y, training, reuse_masks, sample_weight=sample_weight)
        if self.bug == "none" or sample_weight is not None:  # the playground weighs no examples
            return J, grads
        return J, notes_backward(self, self.bug, self.bug_layer)

    def dormant_reason(self) -> str | None:
        """Why the planted bug changes nothing with this network's settings (None when it bites)."""
        if self.bug == "none":
            return None
        layers = layers_of(self.bug, self.L) if self.bug_layer is None else [self.bug_layer]
        if any(bites(self, self.bug, l) for l in layers):
            return None
        return {"no_l2": "needs_l2", "no_keep_prob": "needs_dropout", "g_prime_of_A": "needs_smooth",
                "db_axis": "needs_units", "dW_transposed": "needs_units"}.get(self.bug, "needs_layers")
