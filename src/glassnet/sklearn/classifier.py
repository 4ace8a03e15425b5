"""GlassClassifier: a sigmoid output unit for two classes, softmax units for more."""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets

from ..errors import LabelError
from .base import GlassEstimator
from .params import PARAMETERS_DOC


class GlassClassifier(ClassifierMixin, GlassEstimator):
    """A glassnet network as a scikit-learn classifier: sigmoid output for 2 classes, softmax for more.

    p(class k | x) = A[L] of the notes' forward pass on x; predict = argmax_k; for two classes one
    sigmoid unit a = p(classes_[1] | x) and decision_function = z[L], predict = classes_[z > 0].
    """

    __doc__ = (__doc__ or "") + PARAMETERS_DOC + (
        "    classes_ : ndarray (n_classes,)     the labels, sorted; predict_proba's column k is classes_[k]\n"
    )

    _task = "classification"
    def _output_activation(self) -> str:
        return "sigmoid" if len(self.classes_) == 2 else "softmax"

    def _n_outputs(self) -> int:
        return 1 if len(self.classes_) == 2 else len(self.classes_)

    def _stratify(self) -> bool:
        return True

    def _encode(self, y, name: str) -> np.ndarray:
        """Class indices (m,) of labels y in classes_; labels outside classes_ are refused."""
        classes = self.classes_
        try:
            idx = np.searchsorted(classes, y)
            idx[idx >= len(classes)] = 0
            unknown = classes[idx] != y
        except TypeError:  # labels of another type than classes_ (strings against numbers)
            unknown = np.ones(len(y), dtype=bool)
        if np.any(unknown):
            found = np.unique(np.asarray(y)[unknown])[:5].tolist()
            raise LabelError(
                f"{name} holds labels {found} that are not among the classes {classes.tolist()} the estimator "
                "knows; for partial_fit pass every class in classes= on the first call"
            )
        return idx

    def _as_Y(self, idx: np.ndarray) -> np.ndarray:
        """(1, m): 0/1 for the sigmoid output, class indices for softmax."""
        if len(self.classes_) == 2:
            return idx.reshape(1, -1).astype(np.float64)
        return idx.reshape(1, -1)

    def _targets(self, y, *, first, incremental, classes=None):
        try:
            check_classification_targets(y)
        except ValueError as exc:
            raise LabelError(f"{exc}. GlassClassifier needs class labels; for real-valued targets use "
                             "GlassRegressor") from exc
        if first and incremental:  # the first partial_fit
            if classes is None:
                raise LabelError("classes must be passed on the first call to partial_fit: every label of "
                                 "the whole data set, e.g. classes=np.unique(y_all)")
            self.classes_ = np.unique(classes)
        elif first:
            self.classes_ = np.unique(y)
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise LabelError(f"classes={list(classes)} differs from the classes {self.classes_.tolist()} "
                             "of the first call to partial_fit")
        if len(self.classes_) < 2:
            raise LabelError(
                f"GlassClassifier needs samples of at least 2 classes, got 1 class "
                f"({self.classes_.tolist()}); a classifier has nothing to learn from one class"
            )
        return self._as_Y(self._encode(y, "y"))

    def _dev_targets(self, y_dev, m_dev):
        return self._as_Y(self._encode(self.checked_targets(y_dev, m_dev, "y_dev"), "y_dev"))

    def _check_weighted_targets(self, Y) -> None:
        present = np.unique(Y)
        if present.size < 2:
            label = self.classes_[int(present[0])].tolist()  # Y holds class indices (0/1 for a sigmoid output)
            raise LabelError(
                f"sample_weight leaves samples of only one class ({label!r}) with a positive weight; a classifier "
                "needs samples of at least 2 classes to learn from: give samples of another class a positive weight"
            )

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train one epoch on (X, y), continuing the weights and optimizer state; returns self.

        ``classes`` (every label of the whole data set) is required on the first call, as in
        scikit-learn, because the output layer is sized from it. ``sample_weight`` as in ``fit``.
        """
        return self.train_on(X, y, sample_weight, incremental=True, classes=classes)

    def decision_function(self, X):
        """z[L] before the output activation: (n_samples,) for two classes, else (n_samples, n_classes)."""
        _, Z = self.output_layer(X)
        return Z[:, 0].copy() if len(self.classes_) == 2 else Z

    def predict_proba(self, X):
        """p(classes_[k] | x): (n_samples, n_classes), rows summing to 1 (two columns for two classes)."""
        A, _ = self.output_layer(X)
        if len(self.classes_) == 2:
            p = A[:, 0]
            return np.column_stack([1.0 - p, p])
        return A

    def predict_log_proba(self, X):
        """log of ``predict_proba``."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class of each row of X: (n_samples,) labels from classes_."""
        _, Z = self.output_layer(X)
        idx = (Z[:, 0] > 0).astype(np.intp) if len(self.classes_) == 2 else Z.argmax(axis=1)
        return self.classes_[idx]


__all__ = ["GlassClassifier"]
