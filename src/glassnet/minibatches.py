"""MiniBatches: the fit loop's mini-batches (X{t}, Y{t}, w{t}), gathered from the shuffled training set.

The notes' mini-batch t of an epoch is the examples order[t b : (t+1) b] of a permutation (the last
batch may be smaller):

    X{t} = X[:, order[t b : (t+1) b]],   Y{t} = Y[:, order[...]],   w{t} = w[:, order[...]]

The data set is never copied per epoch. X is kept example-major, (m, n_x) with each example's features
contiguous, and X{t} is copied into one of two reused (b, n_x) buffers; the network gets its (n_x, b)
transpose view. Two buffers, so that X{t+1} can be copied while mini-batch t trains: ``gather_next(t)``,
called once X{t}'s forward and backward passes are done, hands the copy of X{t+1} to a thread off the
caller's core (``kernels.compiled.gather_ahead``) and returns; ``take(t + 1)`` waits for it. Measured in
a training loop (bench/README.md, "The next mini-batch while this one steps"): the copy takes the turn
of BLAS's idle thread while the optimizer steps on the caller's core. A copy is a copy: which thread
made it changes no bit of training. Without the compiled kernels, or for arrays they do not take, X{t}
is copied when taken, with ``np.take``.

Full batch (b = m) takes the data set itself, no copy.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .backend import xp


class MiniBatches:
    """The mini-batches of one fit over XT (m, n_x) example-major, YT (m, n_y) and WT (m, 1) or None."""

    def __init__(self, XT, YT, WT, batch: int):
        self.XT, self.YT, self.WT = XT, YT, WT
        self.m, self.batch = XT.shape[0], batch
        full = batch >= self.m
        self.buffers = () if full else tuple(xp.empty((batch, XT.shape[1]), dtype=XT.dtype) for _ in range(2))
        self.order = None
        self.ahead = None  # the t whose X{t} is being copied by gather_next, else None

    def __len__(self) -> int:
        """Mini-batches per epoch: ⌈m / b⌉."""
        return -(-self.m // self.batch)

    def shuffle(self, order) -> None:
        """Start an epoch: ``order`` (a permutation of 0..m-1, or None for full batch) picks each batch's examples."""
        self.finish()
        self.order = order

    def indices(self, t: int):
        """order[t b : (t+1) b]: the examples of mini-batch t."""
        return self.order[t * self.batch:(t + 1) * self.batch]

    def slot(self, t: int):
        """(order[t b : (t+1) b], X{t}'s buffer (its rows), whether the compiled kernels copy into it)."""
        idx = self.indices(t)
        xb = self.buffers[t % 2][:idx.size]
        return idx, xb, kernels.usable(self.XT, xb) and kernels.usable_indices(idx)

    def take(self, t: int):
        """(X{t}, Y{t}, w{t}) in the notes' layout: X{t} (n_x, b) a view of its buffer, copied now or ahead."""
        weights = self.WT
        if not self.buffers:  # full batch: the data set itself, no copy
            return self.XT.T, self.YT.T, None if weights is None else weights.T
        idx, xb, compiled = self.slot(t)
        copied = self.ahead == t
        self.finish()
        if not copied:
            if compiled:
                kernels.compiled.gather(self.XT, idx, xb)  # the line below (kernels: threads when faster)
            else:
                # take(mode="clip") writes straight into the buffer; the default mode goes through a temporary
                # copy (2-10x slower, python -m bench.tricks). The indices are a permutation: nothing clips.
                np.take(self.XT, idx, axis=0, out=xb, mode="clip")
        return xb.T, self.YT[idx].T, None if weights is None else weights[idx].T

    def gather_next(self, t: int) -> None:
        """Start copying X{t+1} into the buffer X{t} does not use, on another core; ``take(t + 1)`` waits for it.

        Call it when mini-batch t no longer needs the other buffer (X{t-1}'s), e.g. after its backward pass.
        Nothing to do after the last mini-batch, for full batch, or where the kernels do not take the arrays.
        """
        if not self.buffers or (t + 1) * self.batch >= self.m:
            return
        idx, xb, compiled = self.slot(t + 1)
        if compiled:
            self.finish()
            kernels.compiled.gather_ahead(self.XT, idx, xb)  # np.take(XT, idx, axis=0, out=xb), on another core
            self.ahead = t + 1

    def finish(self) -> None:
        """Wait for a copy ``gather_next`` started (before its buffer is read, reused or left)."""
        if self.ahead is not None:
            self.ahead = None
            kernels.compiled.gather_wait()


__all__ = ["MiniBatches"]
