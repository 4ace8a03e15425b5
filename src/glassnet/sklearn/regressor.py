"""GlassRegressor: linear output units, one per target."""

from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin

from ..errors import ShapeError
from .base import GlassEstimator
from .params import PARAMETERS_DOC


class GlassRegressor(RegressorMixin, GlassEstimator):
    """A glassnet network as a scikit-learn regressor: linear outputs, J = 1/(2m) sum (a - y)^2.

    y (n_samples,) or (n_samples, n_outputs) -> Y = y.T (n_outputs, m); predict returns the shape y had.
    """

    __doc__ = (__doc__ or "") + PARAMETERS_DOC + "    n_outputs_ : int                     the number of targets\n"

    _multi_output = True
    _task = "regression"
    _y_numeric = True

    def _output_activation(self) -> str:
        return "linear"

    def _n_outputs(self) -> int:
        return self.n_outputs_

    def _as_Y(self, y, name: str) -> np.ndarray:
        """Y (n_outputs, m) from y (m,) or (m, n_outputs)."""
        Y = y.reshape(1, -1) if y.ndim == 1 else y.T
        if Y.shape[0] != self.n_outputs_:
            raise ShapeError(
                f"{name} has {Y.shape[0]} target column(s) but the estimator was fitted on "
                f"{self.n_outputs_}; pass {name} of shape (n_samples, {self.n_outputs_})"
            )
        return Y

    def _targets(self, y, *, first, incremental, classes=None):
        if first:
            self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
            self._y_ndim = y.ndim
        return self._as_Y(y, "y")

    def _dev_targets(self, y_dev, m_dev):
        return self._as_Y(self.checked_targets(y_dev, m_dev, "y_dev"), "y_dev")

    def partial_fit(self, X, y, sample_weight=None):
        """Train one epoch on (X, y), continuing the weights and optimizer state; returns self.

        ``sample_weight`` as in ``fit``.
        """
        return self.train_on(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """A[L].T: (n_samples,) when fitted on a 1-D y, else (n_samples, n_outputs)."""
        A, _ = self.output_layer(X)
        return A[:, 0].copy() if self._y_ndim == 1 else A

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


__all__ = ["GlassRegressor"]
