"""skl2onnx converters for the scikit-learn estimators: a Pipeline that ends in a GlassClassifier or a
GlassRegressor, to ONNX.

    import skl2onnx
    from glassnet.sklearn_onnx import register_skl2onnx
    register_skl2onnx()                  # once per process: skl2onnx then knows both estimators
    onx = skl2onnx.to_onnx(pipeline, X[:1], options={"zipmap": False})   # outputs label, probabilities

Registration is a call, not a side effect of an import. The converters lay out their outputs as skl2onnx's
own for ``MLPClassifier`` and ``MLPRegressor`` do:

    GlassClassifier  label (N,): classes_ (int64 for numbers, strings for text)   probabilities (N, n_classes)
                     (zipmap=True, skl2onnx's default: a list of {class: probability} instead of the array)
    GlassRegressor   variable (N, n_outputs): the predictions (N, 1 for a 1-D y, whose predict gives (N,))

Inside, the estimator's ``network_`` is written by ``glassnet.onnx.add_network``: its Standardizer when it was
fitted with ``normalize=True``, then the layers. The label is decided as the estimators' ``predict`` does,
on z[L] (z > 0 for two classes, argmax z[L] for more). The network computes in its own dtype; an input of
another type is cast to it, and the outputs are cast to the types skl2onnx declares for them (the input's).
"""

from __future__ import annotations

import numpy as np

from .errors import ExportError
from .onnx import add_network, label_table, require
from .sklearn import GlassClassifier, GlassRegressor

CLASSIFIER_ALIAS = "GlassnetGlassClassifier"
REGRESSOR_ALIAS = "GlassnetGlassRegressor"


def register_skl2onnx() -> None:
    """Register the converters of ``GlassClassifier`` and ``GlassRegressor`` with skl2onnx (again: no harm).

    Classifier options, as for MLPClassifier: ``zipmap`` (True, False, "columns"), ``nocl``,
    ``output_class_labels``.
    """
    skl2onnx = require("skl2onnx")
    skl2onnx.update_registered_converter(
        GlassClassifier, CLASSIFIER_ALIAS, _classifier_shapes, _convert_classifier, parser=_parse_classifier,
        options={"zipmap": [True, False, "columns"], "nocl": [True, False], "output_class_labels": [False, True]})
    skl2onnx.update_registered_converter(GlassRegressor, REGRESSOR_ALIAS, _regressor_shapes, _convert_regressor)


class _ContainerWriter:
    """``glassnet.onnx.GraphWriter``'s three methods, on skl2onnx's scope (names) and container (the graph)."""

    def __init__(self, scope, container):
        self.scope, self.container = scope, container
        opset = getattr(container, "target_opset_onnx", None) or container.target_opset
        self.opset = opset.get("", 0) if isinstance(opset, dict) else int(opset)
        self._onnx = require("onnx")

    def unique(self, base: str) -> str:
        return self.scope.get_unique_variable_name(base)

    def constant(self, base: str, array) -> str:
        name, array = self.unique(base), np.asarray(array)
        if array.dtype == object:
            kind, values = self._onnx.TensorProto.STRING, [str(v).encode("utf-8") for v in array.ravel()]
        else:
            kind, values = self._onnx.helper.np_dtype_to_tensor_dtype(array.dtype), array.ravel()
        self.container.add_initializer(name, kind, list(array.shape), values)
        return name

    def node(self, op_type: str, inputs: list[str], base: str, **attributes) -> str:
        output = self.unique(base)
        self.container.add_node(op_type, inputs, [output], name=self.scope.get_unique_operator_name(op_type),
                                **attributes)
        return output

    def element_type(self, variable) -> int:
        """The ONNX element type of a skl2onnx variable (FloatTensorType: FLOAT, ...)."""
        return variable.type.to_onnx_type().tensor_type.elem_type

    def cast(self, name: str, have: int, want: int, output: str | None = None) -> str:
        """``name`` as element type ``want`` (Cast, or Identity when it already is); into ``output`` if given."""
        output = output or self.unique(f"{name}_cast")
        if have == want:
            self.container.add_node("Identity", [name], [output], name=self.scope.get_unique_operator_name("Identity"))
        else:
            self.container.add_node("Cast", [name], [output], name=self.scope.get_unique_operator_name("Cast"),
                                    to=want)
        return output


def _fitted_network(estimator):
    """The estimator's ``network_``, or an ExportError saying to fit it first."""
    net = getattr(estimator, "network_", None)
    if net is None:
        raise ExportError(f"this {type(estimator).__name__} is not fitted, so it has no network to export; call fit "
                          "first")
    return net


def _network_input(writer: _ContainerWriter, operator, net) -> str:
    """The operator's input in the network's dtype."""
    variable = operator.inputs[0]
    want = require("onnx").helper.np_dtype_to_tensor_dtype(net.dtype)
    have = writer.element_type(variable)
    return variable.full_name if have == want else writer.cast(variable.full_name, have, want)


def _parse_classifier(scope, model, inputs, custom_parsers=None):
    """skl2onnx's parser for classifiers (label, probabilities, zipmap), once the estimator is known to be fitted."""
    from skl2onnx._parse import _parse_sklearn_classifier

    _fitted_network(model)
    return _parse_sklearn_classifier(scope, model, inputs, custom_parsers=custom_parsers)


def _classifier_shapes(operator) -> None:
    """skl2onnx's shape calculator for linear classifiers, after the classes are checked to fit an ONNX label."""
    from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes

    label_table(operator.raw_operator.classes_)
    calculate_linear_classifier_output_shapes(operator)


def _convert_classifier(scope, operator, container) -> None:
    """label = classes_[z > 0] or classes_[argmax z[L]]; probabilities = predict_proba's columns."""
    estimator = operator.raw_operator
    net = _fitted_network(estimator)
    writer = _ContainerWriter(scope, container)
    out = add_network(net, writer, _network_input(writer, operator, net), classes=label_table(estimator.classes_),
                      label_from="logits")
    label, probabilities = operator.outputs[0], operator.outputs[1]
    label_type = writer.element_type(label)
    writer.cast(out["label"], label_type, label_type, output=label.full_name)
    own = require("onnx").helper.np_dtype_to_tensor_dtype(net.dtype)
    writer.cast(out["probabilities"], own, writer.element_type(probabilities), output=probabilities.full_name)


def _regressor_shapes(operator) -> None:
    """variable (N, n_outputs) in the wider of the input's float type and the network's dtype (as predict)."""
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    estimator = operator.raw_operator
    net = _fitted_network(estimator)
    if len(operator.inputs) != 1 or len(operator.outputs) != 1:
        raise ExportError(f"a GlassRegressor takes one input and gives one output in skl2onnx, got "
                          f"{len(operator.inputs)} and {len(operator.outputs)}")
    wide = isinstance(operator.inputs[0].type, DoubleTensorType) or net.dtype == np.float64
    kind = DoubleTensorType if wide else FloatTensorType
    operator.outputs[0].type = kind([operator.inputs[0].get_first_dimension(), estimator.n_outputs_])


def _convert_regressor(scope, operator, container) -> None:
    """variable = A[L] (the linear output) for the rows, in the declared type."""
    net = _fitted_network(operator.raw_operator)
    writer = _ContainerWriter(scope, container)
    out = add_network(net, writer, _network_input(writer, operator, net))
    own = require("onnx").helper.np_dtype_to_tensor_dtype(net.dtype)
    result = operator.outputs[0]
    writer.cast(out["label"], own, writer.element_type(result), output=result.full_name)
