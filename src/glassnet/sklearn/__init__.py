"""scikit-learn estimators on glassnet networks: ``GlassClassifier`` and ``GlassRegressor``.

    from glassnet.sklearn import GlassClassifier
    clf = GlassClassifier(hidden_layer_sizes=(64, 32), l2=0.1, epochs=100, random_state=0)
    clf.fit(X_train, y_train).score(X_test, y_test)      # X (n_samples, n_features), y (n_samples,)

Layout. scikit-learn stores one row per example, X (m, n_x); the notes and glassnet's core one
column per example, X (n_x, m). At the boundary X is made C-contiguous in the network's dtype (no
copy when it already is) and the core gets ``X.T``, a view: each example's features stay
contiguous, the storage order the core's mini-batch gather wants (example-major). Predictions
come back as (m, ...) arrays.

Dtype. As in scikit-learn, the input's float dtype is kept: with ``dtype=None`` (the default) a
float32 X is computed in float32 and a float64 X in float64 (anything else, integers included, in
float64). ``dtype="float32"`` or ``"float64"`` fixes it whatever X is: float32 is the fast one
(float64 takes 1.6-2x its time: ``python -m bench --case mlp512-b128,mlp512-b128-f64``), so pass
``dtype="float32"`` (or float32 X) for speed. A fitted network keeps its dtype: ``partial_fit``, warm
start and prediction cast X to it (a finite float64 beyond float32's range is refused, not turned
into infinity). Predictions and probabilities come back in the wider of the network's dtype and X's
(float32 in, float32 out), as scikit-learn's MLP returns them.

Outputs and costs (the L2 term l2/(2m) sum_l ||W[l]||^2 is added for the gradients):

* two classes   -> one sigmoid unit,   binary cross-entropy, y mapped to 0/1 (1, m)
* C > 2 classes -> C softmax units,    categorical cross-entropy, y mapped to labels 0..C-1 (1, m)
* regression    -> n_outputs linear units,  J = 1/(2m) sum (a - y)^2, Y = y.T (n_outputs, m)

Labels of any type (strings, ints, floats holding classes) map to 0..C-1 in the order of
``classes_`` (sorted, as ``np.unique`` gives).

Sample weights. ``fit(X, y, sample_weight=w)`` and ``partial_fit(..., sample_weight=w)``, w of
shape (n_samples,): the cost becomes J = sum_i w_i loss_i / sum_i w_i + l2/(2 sum w) sum ||W||^2
and the gradients are its gradients, so an integer weight k counts an example k times. Examples of
weight 0 are dropped before training: they change nothing, as in scikit-learn. With full-batch
training (``batch_size=None``, or one at least as large as the repeated data) integer weights
give the repeated rows' network up to rounding; with mini-batches the batches differ, so the two
agree only on average. The dev set is scored unweighted.

Costs reported. ``loss_curve_`` is the data cost per epoch (J without the L2 term, averaged over
the epoch's mini-batches), the number ``validation_loss_curve_`` and ``sklearn.metrics.log_loss``
give on a dev set, so the two curves can be compared; ``l2_cost_curve_`` holds the L2 term beside
it (l2/(2m) sum ||W||^2 with the training set's m). scikit-learn's MLP differs: its
``loss_curve_`` adds its penalty alpha/(2b) sum ||W||^2 to each mini-batch of b examples before
averaging, so it is about ``loss_curve_ + n_batches * l2_cost_curve_`` (the weights move between
batches), not ``loss_curve_``. The L2 gradient is the same: l2/b W here, alpha/b W there, for l2 = alpha.

A dev set. ``fit(X, y, X_dev=..., y_dev=...)``: the dev set is evaluated after every epoch
(``validation_loss_curve_``) and, with ``early_stopping=True``, watched for ``patience`` epochs
with the best epoch's weights restored. Without one, ``early_stopping=True`` holds out a seeded,
stratified ``validation_fraction`` of X. A dev set passed to ``fit`` inside a Pipeline does not go
through the Pipeline's transformers: there, prefer ``validation_fraction``.

Errors. Every input the estimators refuse raises a ``GlassnetError`` subclass naming the argument,
what came and the fix; each also derives from the built-in exception scikit-learn raises there
(``ValueError``, and ``TypeError`` for ``DataTypeError``), so code that catches those still works.

The parameters become a ``RunSpec`` (``run_spec``; ``params.py``) and the network is ``runs.build``'s,
trained by ``net.fit`` with ``runs.fit_settings`` of that spec: the estimator is a front end of the same
run as ``glassnet train``. The package: ``inputs`` (the checks at the boundary and their errors),
``params`` (parameters -> RunSpec), ``base`` (the shared estimator), ``classifier``, ``regressor``.

Importing this package imports scikit-learn; ``import glassnet`` does not.
"""

from .base import GlassEstimator
from .classifier import GlassClassifier
from .inputs import DataTypeError, NotFittedError
from .regressor import GlassRegressor

__all__ = ["DataTypeError", "GlassClassifier", "GlassEstimator", "GlassRegressor", "NotFittedError"]
