"""The divergence guard of one fit, and its verdict on the run.

A cost that is NaN or infinite stops training and restores the last weights whose cost was computed
finite: the weights at the start of an epoch are verified by that epoch's first mini-batch, the final
weights by the dev set or one more forward pass. A cost that grows a thousandfold over the best epoch
so far (GROWTH_WARNING) is warned about before it overflows. After the last epoch ``judge`` calls a
run "diverged" when it ended worse than it started and worse than a constant guess (DIVERGED_FACTOR).

The fit loop (``glassnet.training``) owns one ``DivergenceGuard`` per run and tells it what happens;
the guard keeps the fallback weights, records the stop in the history and collects the warnings that
``fit`` issues when it returns. It reads the network through public names only (``theta``,
``parameters_to_vector``, ``vector_to_parameters``, ``loss``).
"""

from __future__ import annotations

import math

import numpy as np

from .errors import DivergenceError

GROWTH_WARNING = 1e3
"""A cost this many times the best epoch cost so far (and the first epoch's) is warned about."""

DIVERGED_FACTOR = 2.0
"""A run whose last epoch cost ends this many times above its reference has diverged (``DivergenceGuard.judge``)."""


class DivergenceWarning(RuntimeWarning):
    """Training stopped on a NaN or infinite cost (verified weights kept), or the cost is exploding."""


class DivergenceGuard:
    """Watches one run: the fallback weights, the costs that judge it, and the warnings to issue.

    ``verified`` holds the weights at the start of this epoch and of the one before (the fallbacks),
    ``verified_after`` the epochs they followed; ``start_cost`` is the cost of the starting weights
    (the run's first mini-batch, set by the loop); ``best_cost`` and ``first_cost`` are epoch costs.
    """

    def __init__(self, net, history, start_epoch: int, on_divergence: str):
        self.net, self.history, self.start_epoch, self.on_divergence = net, history, start_epoch, on_divergence
        self.verified = [net.parameters_to_vector(), net.parameters_to_vector()]
        self.verified_after = [start_epoch, start_epoch]
        self.best_cost, self.first_cost, self.growth_warned = math.inf, math.nan, False
        self.start_cost = None
        self.warnings: list[str] = []  # DivergenceWarning messages, issued when fit returns

    def remember_start_of_epoch(self, epoch: int) -> None:
        """Keep the weights this epoch starts from (verified once its first mini-batch cost is finite)."""
        self.verified.reverse()
        self.verified_after.reverse()
        np.copyto(self.verified[1], self.net.theta)
        self.verified_after[1] = epoch - 1

    def diverged(self, epoch: int, J: float, where: str, lr: float, first_batch: bool) -> None:
        """Restore the last verified weights, record why, then warn or raise."""
        self.history.stopped_epoch = epoch
        advice = (f"Try a lower learning rate (now {lr:g}), normalize the inputs (normalize=True), or another "
                  "initialization (he for ReLU, xavier for tanh, or a smaller init_scale)")
        if first_batch and epoch == self.start_epoch + 1:
            # no step was taken and no weights were ever scored finite: the weights stay as they came
            self.history.stop_reason = (f"the cost of the starting weights is {J} {where} in epoch {epoch}: "
                                        f"nothing was trained (are the weights or the inputs finite?). {advice}")
            kept = self.start_epoch
        else:
            # A first mini-batch that fails judges this epoch's starting weights: fall back one epoch further.
            keep = 0 if first_batch else 1
            self.net.vector_to_parameters(self.verified[keep])
            kept = self.verified_after[keep]
            self.history.stop_reason = (
                f"the cost became {J} {where} in epoch {epoch}; training stopped and the weights after epoch {kept} "
                f"(the last whose cost was computed finite) were kept. {advice}"
            )
        self.history.best_epoch = None if kept == 0 else self.history.best_epoch
        self.history.diverged = True
        self.history.stop_reason = "diverged: " + self.history.stop_reason
        if self.on_divergence == "raise":
            raise DivergenceError(self.history.stop_reason)
        self.warnings.append(self.history.stop_reason)

    def judge(self, Y) -> None:
        """Say "diverged" when the run made the fit worse than not training at all (Y: the training targets).

        A run diverged when a cost became NaN or infinite (the guard stopped it), or when its last
        epoch's training cost ends above DIVERGED_FACTOR × the reference, the larger of

        * the cost of the starting weights (the first mini-batch, before any step), and
        * the cost of the best constant prediction (the labels' frequencies, the targets' mean:
          ``Loss.constant_cost``), which keeps a lucky near-zero start from calling noise divergence.

        Descent with a workable rate ends below where it starts; the epoch cost is an average over
        mini-batches whose noise is far below a factor of 2, and a network worse than a constant
        guess has learned nothing from X. Recorded as ``history.diverged``, said in ``stop_reason``.
        """
        history = self.history
        if history.diverged or not len(history) or self.start_cost is None:
            return
        guess = self.net.loss.constant_cost(Y)
        last = history["cost"][-1]
        if last > DIVERGED_FACTOR * max(self.start_cost, guess):
            history.diverged = True
            lr = history["learning_rate"][-1]
            message = (f"diverged: the training cost ended at {last:.4g}, more than {DIVERGED_FACTOR:g}x both its "
                       f"start ({self.start_cost:.4g}) and a constant guess's cost ({guess:.4g}); lower the learning "
                       f"rate (now {lr:g}), normalize the inputs, or use he/xavier initialization")
            history.stop_reason = f"{history.stop_reason}; {message}" if history.stop_reason else message
            if self.on_divergence == "raise":
                raise DivergenceError(history.stop_reason)
            self.warnings.append(message)

    def check_final_cost(self, J: float) -> None:
        """The cost of the final weights, scored once after the last update: diverged if it is not finite,
        warned about if it blew up."""
        epoch, lr = self.history["epoch"][-1], self.history["learning_rate"][-1]
        if not math.isfinite(J):
            self.diverged(epoch, J, "after the last update", lr, first_batch=False)
        elif self.grew(J):
            self.warnings.append(
                f"the cost after the last update ({J:.4g}) is more than {GROWTH_WARNING:g}x the best epoch cost "
                f"({self.best_cost:.4g}): training is diverging; lower the learning rate (now {lr:g}) or normalize "
                "the inputs")

    def warn_if_growing(self, epoch: int, cost: float) -> None:
        """Warn once when the epoch cost exceeds GROWTH_WARNING times the best epoch cost so far."""
        if self.grew(cost):
            self.warnings.append(
                f"the training cost grew from {self.best_cost:.4g} to {cost:.4g} by epoch {epoch} (more than "
                f"{GROWTH_WARNING:g}x its best): training is diverging; lower the learning rate or normalize the "
                "inputs")
            self.growth_warned = True
        self.best_cost = min(self.best_cost, cost)
        self.first_cost = cost if math.isnan(self.first_cost) else self.first_cost

    def grew(self, cost: float) -> bool:
        """A blow-up not yet warned about: GROWTH_WARNING times the best epoch cost and the first's.

        The first epoch's cost is the scale of an untrained network: a well-fit model whose cost
        moves from 1e-4 to 1e-1 between batches is not diverging.
        """
        reference = max(self.best_cost, self.first_cost) if not math.isnan(self.first_cost) else math.inf
        return cost > GROWTH_WARNING * reference and not self.growth_warned


__all__ = ["DIVERGED_FACTOR", "DivergenceGuard", "DivergenceWarning", "GROWTH_WARNING"]
