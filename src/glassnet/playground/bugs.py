"""Planted bugs: a Network whose ``cost_and_gradients`` makes one of the notes' classic backprop mistakes.

The playground's "plant a bug" button sets ``bug`` on the session's network; the gradient check,
which compares ``cost_and_gradients`` with finite differences of the cost, then finds it. The cost
stays right: only the gradients go wrong, as they do in a real buggy backward pass. Each bug is the
exact effect of the mistake on the correct gradients (for a batch of m examples):

* ``no_l2``        backprop forgets the L2 term:   dW[l] = dZ[l] A[l-1]^T / m      (without + (l2/m) W[l])
* ``no_keep_prob`` backprop forgets to divide by keep_prob:  dA[k] = dA[k] * D[k]  (not * D[k] / keep_prob[k]),
                   so the backprop signal below every dropped hidden layer is keep_prob times too small:
                   dW[l] = c[l] (dW[l] - (l2/m) W[l]) + (l2/m) W[l],  db[l] = c[l] db[l],
                   c[l] = product of keep_prob[k] over the hidden layers k >= l
* ``db_no_m``      db forgets the 1/m:   db[l] = sum over examples of dZ[l]   (m times too large)

The training loop (``fit``) keeps the library's own backward pass, so a run with a planted bug is
the same run as without it; the bug lives where the check and the |dW| panel look.
"""

from __future__ import annotations

import numpy as np

import glassnet as gn

BUG_NAMES = ("none", "no_l2", "no_keep_prob", "db_no_m")


class PlantedBugNetwork(gn.Network):
    """A ``glassnet.Network`` with one planted backprop bug (``bug``; "none" plants nothing)."""

    bug = "none"

    def cost_and_gradients(self, X, Y, training: bool = True, reuse_masks: bool | None = None, sample_weight=None):
        J, grads = super().cost_and_gradients(X, Y, training, reuse_masks, sample_weight=sample_weight)
        if self.bug == "none":
            return J, grads
        # m of the formulas: the number of examples (the sum of the weights when examples are weighted)
        m = float(np.sum(sample_weight)) if sample_weight is not None else int(np.shape(X)[1])
        L = self.L
        if self.bug == "no_l2":
            for l in range(1, L + 1):
                grads[f"dW{l}"] -= (self.l2 / m) * self.params[f"W{l}"]
        elif self.bug == "no_keep_prob":
            if training:  # without dropout there is no keep_prob to forget
                factor = 1.0
                for l in range(L, 0, -1):
                    # keep_prob[l] is the keep probability of A[l], the input of layer l + 1 (A[0] = X);
                    # its missing division scales the signal reaching layers 1..l.
                    if l < L:
                        factor *= self.keep_prob[l]
                    if factor != 1.0:
                        penalty = (self.l2 / m) * self.params[f"W{l}"]
                        grads[f"dW{l}"] = factor * (grads[f"dW{l}"] - penalty) + penalty
                        grads[f"db{l}"] = factor * grads[f"db{l}"]
        elif self.bug == "db_no_m":
            for l in range(1, L + 1):
                grads[f"db{l}"] *= m
        return J, grads

    def dormant_reason(self) -> str | None:
        """Why the planted bug changes nothing with this network's settings (None when it bites)."""
        if self.bug == "no_l2" and self.l2 == 0:
            return "needs_l2"
        if self.bug == "no_keep_prob" and all(p == 1.0 for p in self.keep_prob[1:]):
            return "needs_dropout"
        return None
