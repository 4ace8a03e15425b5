"""Optimizers (gradient descent, Momentum, RMSprop, Adam) and learning-rate schedules.

Update rules, for every parameter W with gradient dW (the notes' course, week 2):

* gradient descent   W = W - α dW
* Momentum           v = β v + (1 - β) dW;            W = W - α v
* RMSprop            s = β s + (1 - β) dW²;           W = W - α dW / (√s + ε)
* Adam               v = β1 v + (1 - β1) dW;  s = β2 s + (1 - β2) dW²
                     v̂ = v / (1 - β1^t);     ŝ = s / (1 - β2^t);     W = W - α v̂ / (√ŝ + ε)

State is kept per parameter name (``optimizer.state["W1"]["v"]``). When an optimizer drives a
Network, its state for all parameters lives in one flat vector laid out like the network's theta,
and ``state[name]`` holds views into it, so one ``step`` is a handful of in-place passes over
contiguous memory instead of a Python loop over tensors.

How the conventions of other libraries map onto these (they differ, and users trip on them):

* L2. glassnet (like the notes and scikit-learn) adds (l2 / 2m) Σ‖W‖² to the cost of a batch of m
  examples, so dW += (l2 / m) W. scikit-learn's MLP ``alpha`` is the same number as our ``l2``.
  PyTorch's ``SGD(weight_decay=wd)`` / ``Adam(weight_decay=wd)`` add wd·W to the gradient:
  wd = l2 / m with m the batch size (``AdamW``'s decoupled decay is a different method). Keras'
  ``regularizers.l2(k)`` adds k·Σ W² to the loss: k = l2 / (2m).
* Momentum. We average: v = βv + (1-β)dW. PyTorch's ``SGD(momentum=β)`` and Keras accumulate
  v = βv + dW, so their learning rate equals ours times (1 - β): α_torch = (1 - β) α_glassnet.
* Adam. The same bias-corrected update as ``torch.optim.Adam`` (ε added to √ŝ, not inside the
  root) and Keras' Adam (whose default ε is 1e-7 instead of 1e-8).
"""

from __future__ import annotations

import math

import numpy as np

from . import kernels
from .backend import xp, zeros_vector
from .errors import ShapeError
from .validation import check_int, check_number, from_registry


class Optimizer:
    """Base class. ``step(theta, grad)`` updates a flat parameter vector in place.

    ``attach(shapes)`` lays the state out like a network's flat vector; ``update(params, grads)``
    is the notes' form on dicts {"W1": ..., "b1": ...} and {"dW1": ..., "db1": ...}.
    """

    name = "optimizer"
    default_learning_rate = 0.01
    slots: tuple[str, ...] = ()

    def __init__(self, learning_rate: float | None = None):
        lr = self.default_learning_rate if learning_rate is None else learning_rate
        self.learning_rate = check_number(lr, "learning_rate", low=0.0, low_open=True,
                                          hint="typical values: 0.1 to 1e-4")
        self.t = 0  # number of steps taken (Adam's bias correction needs it)
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self._shapes: dict[str, tuple] = {}
        self._flat: dict[str, np.ndarray] = {}
        self._scratch = None

    # -------------------------------------------------------------- state layout
    def attach(self, shapes: dict[str, tuple], dtype=np.float64) -> None:
        """Allocate zeroed state laid out like theta = [W1, b1, W2, ...]; ``state[name]`` are views."""
        total = sum(int(np.prod(s)) for s in shapes.values())
        self._shapes = {name: tuple(shape) for name, shape in shapes.items()}
        self._flat = {slot: zeros_vector(total, dtype) for slot in self.slots}
        self._scratch = xp.empty(total, dtype=dtype) if self.slots else None
        self._bind()
        self.t = 0

    def _bind(self) -> None:
        """``state[name][slot]``: views into the flat state vectors."""
        self.state, offset = {}, 0
        for name, shape in getattr(self, "_shapes", {}).items():
            size = int(np.prod(shape))
            self.state[name] = {slot: arr[offset:offset + size].reshape(shape)
                                for slot, arr in self._flat.items()}
            offset += size

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()  # the flat vectors travel; the per-name views are rebuilt
        state.pop("state", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._bind()

    def is_attached_to(self, shapes: dict[str, tuple], dtype) -> bool:
        if not self.slots:
            return True
        return (list(self.state) == list(shapes) and
                all(self.state[n][self.slots[0]].shape == tuple(s) for n, s in shapes.items()) and
                self._flat[self.slots[0]].dtype == dtype)

    # -------------------------------------------------------------- updates
    def step(self, theta, grad, learning_rate: float | None = None) -> None:
        """One update of the flat vector ``theta`` (in place) from the flat gradient ``grad``."""
        if self.slots and (not self._flat or self._flat[self.slots[0]].size != np.size(theta)):
            held = self._flat[self.slots[0]].size if self._flat else 0
            raise ShapeError(
                f"{type(self).__name__}.step keeps state for each value of theta: theta has {np.size(theta)} values, "
                f"the state {held}; call attach(shapes, dtype) for these parameters first, or use "
                "update(params, grads), which attaches it"
            )
        self.t += 1
        lr = self.learning_rate if learning_rate is None else learning_rate
        self._apply(theta, grad, self._flat, self._scratch, lr)

    def update(self, params: dict, grads: dict, learning_rate: float | None = None) -> None:
        """The notes' form: update each params[name] in place from grads["d" + name]."""
        shapes = {name: p.shape for name, p in params.items()}
        if not self.state or list(self.state) != list(shapes):
            self.attach(shapes, dtype=next(iter(params.values())).dtype)
        self.t += 1
        lr = self.learning_rate if learning_rate is None else learning_rate
        for name, p in params.items():
            g = grads["d" + name]
            state = self.state[name]
            scratch = xp.empty_like(g) if self.slots else None
            self._apply(p, g, state, scratch, lr)

    def _apply(self, W, dW, state: dict, scratch, lr: float) -> None:
        raise NotImplementedError

    # -------------------------------------------------------------- description
    def hyperparameters(self) -> dict:
        return {"learning_rate": self.learning_rate}

    def config(self) -> dict:
        return {"name": self.name, **self.hyperparameters()}

    def state_arrays(self) -> dict[str, np.ndarray]:
        """The flat state vectors (for checkpoints)."""
        return dict(self._flat)

    def load_state(self, arrays: dict[str, np.ndarray], t: int) -> None:
        for slot, arr in arrays.items():
            self._flat[slot][...] = arr
        self.t = int(t)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({args})"


class GradientDescent(Optimizer):
    """W = W - α dW."""

    name = "gd"
    default_learning_rate = 0.01

    def _apply(self, W, dW, state, scratch, lr):
        W -= lr * dW


class Momentum(Optimizer):
    """v = β v + (1 - β) dW;  W = W - α v  (β = 0.9 averages about the last 10 gradients)."""

    name = "momentum"
    default_learning_rate = 0.01
    slots = ("v",)

    def __init__(self, learning_rate=None, beta: float = 0.9):
        super().__init__(learning_rate)
        self.beta = check_number(beta, "beta", low=0.0, high=1.0, high_open=True)

    def _apply(self, W, dW, state, scratch, lr):
        v = state["v"]
        v *= self.beta
        v += xp.multiply(dW, 1.0 - self.beta, out=scratch)  # v = βv + (1-β)dW
        W -= xp.multiply(v, lr, out=scratch)  # W = W - αv

    def hyperparameters(self):
        return {"learning_rate": self.learning_rate, "beta": self.beta}


class RMSprop(Optimizer):
    """s = β s + (1 - β) dW²;  W = W - α dW / (√s + ε)."""

    name = "rmsprop"
    default_learning_rate = 0.001
    slots = ("s",)

    def __init__(self, learning_rate=None, beta: float = 0.9, epsilon: float = 1e-8):
        super().__init__(learning_rate)
        self.beta = check_number(beta, "beta", low=0.0, high=1.0, high_open=True)
        self.epsilon = check_number(epsilon, "epsilon", low=0.0, low_open=True)

    def _apply(self, W, dW, state, scratch, lr):
        s = state["s"]
        s *= self.beta
        xp.multiply(dW, dW, out=scratch)
        scratch *= 1.0 - self.beta
        s += scratch  # s = βs + (1-β)dW²
        xp.sqrt(s, out=scratch)
        scratch += self.epsilon
        xp.divide(dW, scratch, out=scratch)
        scratch *= lr
        W -= scratch  # W = W - α dW / (√s + ε)

    def hyperparameters(self):
        return {"learning_rate": self.learning_rate, "beta": self.beta, "epsilon": self.epsilon}


class Adam(Optimizer):
    """Adam with bias correction (see the module docstring for the formulas)."""

    name = "adam"
    default_learning_rate = 0.001
    slots = ("v", "s")

    def __init__(self, learning_rate=None, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8):
        super().__init__(learning_rate)
        self.beta1 = check_number(beta1, "beta1", low=0.0, high=1.0, high_open=True)
        self.beta2 = check_number(beta2, "beta2", low=0.0, high=1.0, high_open=True)
        self.epsilon = check_number(epsilon, "epsilon", low=0.0, low_open=True)

    def _apply(self, W, dW, state, scratch, lr):
        v, s = state["v"], state["s"]
        # v̂ = v/(1-β1^t), ŝ = s/(1-β2^t), W -= α v̂/(√ŝ + ε), computed with the corrections
        # folded into two numbers, as W -= α_t v / (√s + ε_t) with α_t = α √(1-β2^t)/(1-β1^t) and
        # ε_t = ε √(1-β2^t): the same update (up to rounding), three fewer passes over the vector.
        root_correction2 = math.sqrt(1.0 - self.beta2 ** self.t)
        step_size = lr * root_correction2 / (1.0 - self.beta1 ** self.t)
        epsilon_t = self.epsilon * root_correction2
        if kernels.usable(W, dW, v, s):
            # The compiled kernel does the arithmetic below, in the same order and precision, in
            # one pass over memory instead of twelve: 4-6x the NumPy lines for 535 818 parameters
            # (python -m bench.tricks, row kernel_adam).
            kernels.compiled.adam(W, dW, v, s, self.beta1, self.beta2, step_size, epsilon_t)
            return
        v *= self.beta1
        v += xp.multiply(dW, 1.0 - self.beta1, out=scratch)  # v = β1 v + (1-β1) dW
        s *= self.beta2
        xp.multiply(dW, dW, out=scratch)
        scratch *= 1.0 - self.beta2
        s += scratch  # s = β2 s + (1-β2) dW²
        xp.sqrt(s, out=scratch)
        scratch += epsilon_t
        xp.divide(v, scratch, out=scratch)
        scratch *= step_size
        W -= scratch  # W = W - α_t v / (√s + ε_t)

    def hyperparameters(self):
        return {"learning_rate": self.learning_rate, "beta1": self.beta1, "beta2": self.beta2,
                "epsilon": self.epsilon}


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (GradientDescent, Momentum, RMSprop, Adam)
}
OPTIMIZERS["sgd"] = GradientDescent


def get_optimizer(spec, learning_rate: float | None = None) -> Optimizer:
    """An optimizer from a name ("gd", "momentum", "rmsprop", "adam"), a config dict, or an object.

    ``learning_rate`` overrides the object's or the default one when given.
    """
    if isinstance(spec, Optimizer) and learning_rate is not None:
        spec.learning_rate = check_number(learning_rate, "learning_rate", low=0.0, low_open=True)
    overrides = None if learning_rate is None else {"learning_rate": learning_rate}
    return from_registry(spec, OPTIMIZERS, "optimizer", Optimizer, "gn.optimizers.Adam(0.001)", overrides)


# ---------------------------------------------------------------------- learning-rate schedules
class Schedule:
    """α(epoch) from the initial rate α0; epochs count from 0.

    ``planned(epochs)`` tells the schedule how many epochs the run will train (the fit loop calls
    it before the first epoch); only schedules defined over the whole run (cosine) use it.
    """

    name = "schedule"

    def __call__(self, lr0: float, epoch: int) -> float:
        raise NotImplementedError

    def planned(self, epochs: int) -> Schedule:
        """This schedule for a run of ``epochs`` epochs (a no-op for schedules that need no length)."""
        return self

    def config(self) -> dict:
        return {"name": self.name, **{k: v for k, v in vars(self).items()}}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """α = α0."""

    name = "constant"

    def __call__(self, lr0, epoch):
        return lr0


class InverseTimeDecay(Schedule):
    """α = α0 / (1 + decay_rate · epoch)  (the notes' learning-rate decay)."""

    name = "inverse_time"

    def __init__(self, decay_rate: float = 1.0):
        self.decay_rate = check_number(decay_rate, "decay_rate", low=0.0)

    def __call__(self, lr0, epoch):
        return lr0 / (1.0 + self.decay_rate * epoch)


class ExponentialDecay(Schedule):
    """α = α0 · rate^epoch  (0 < rate ≤ 1; the notes' 0.95^epoch)."""

    name = "exponential"

    def __init__(self, rate: float = 0.95):
        self.rate = check_number(rate, "rate", low=0.0, high=1.0, low_open=True)

    def __call__(self, lr0, epoch):
        return lr0 * self.rate ** epoch


class StepDecay(Schedule):
    """α = α0 · factor^floor(epoch / step_size)  (a staircase)."""

    name = "step"

    def __init__(self, step_size: int = 10, factor: float = 0.5):
        self.step_size = check_int(step_size, "step_size")
        self.factor = check_number(factor, "factor", low=0.0, high=1.0, low_open=True)

    def __call__(self, lr0, epoch):
        return lr0 * self.factor ** (epoch // self.step_size)


class CosineDecay(Schedule):
    """α = α_min + (α0 − α_min) · (1 + cos(π · epoch / E)) / 2, with α_min = final_fraction · α0.

    Defined over the planned run of E epochs (not a fixed rate per epoch), so a run of 20 epochs
    and one of 300 both anneal from α0 at the first epoch to α_min at the last. A resumed or
    continued run plans its own E. Before ``planned`` is called, E is unknown and α = α0.
    """

    name = "cosine"

    def __init__(self, final_fraction: float = 0.0):
        self.final_fraction = check_number(final_fraction, "final_fraction", low=0.0, high=1.0)
        self._epochs: int | None = None

    def planned(self, epochs: int) -> Schedule:
        self._epochs = int(epochs)
        return self

    def __call__(self, lr0, epoch):
        if not self._epochs:
            return lr0
        low = self.final_fraction * lr0
        return low + (lr0 - low) * 0.5 * (1.0 + math.cos(math.pi * min(epoch, self._epochs) / self._epochs))

    def config(self) -> dict:
        return {"name": self.name, "final_fraction": self.final_fraction}

    def __repr__(self) -> str:
        return f"CosineDecay(final_fraction={self.final_fraction!r})"


SCHEDULES: dict[str, type[Schedule]] = {
    cls.name: cls for cls in (Constant, InverseTimeDecay, ExponentialDecay, StepDecay, CosineDecay)
}


def get_schedule(spec) -> Schedule:
    """A schedule from None (constant), a name, a config dict, or a Schedule object."""
    if spec is None:
        return Constant()
    return from_registry(spec, SCHEDULES, "learning-rate schedule", Schedule, "gn.optimizers.ExponentialDecay(0.95)")
