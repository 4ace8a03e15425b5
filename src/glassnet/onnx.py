"""Export a network to ONNX: the function ``predict`` computes, for onnxruntime, browsers, phones, C#, Java.

The graph takes raw rows, as files hold them, and runs the network's whole input pipeline:

    X (N, n_x)                          the input "X", in the network's dtype (float32 or float64)
    A[0] = (X / input_scale - mu) / s   Div, Sub, Div: the fixed scale and the Standardizer, when the network has them
    Z[l] = A[l-1] W[l]^T + b[l]^T       Gemm(A, W, b, transB=1), W kept in the notes' shape (n[l], n[l-1])
    A[l] = g[l](Z[l])                   Sigmoid, Tanh, Relu, LeakyRelu(alpha), Softmax(axis=-1); linear: none

One row per example is the notes' layout transposed: Z^T = (W A + b)^T = A^T W^T + b^T, so each W is stored
as it is and Gemm's transB transposes it. The outputs are those of ``predict`` and ``predict_proba``:

    softmax           probabilities = A[L] (N, C)          label = the class of argmax A[L]   (N,)
    one sigmoid unit  probabilities = [1 - a, a] (N, 2)    label = the class of [a > 0.5]     (N,)
    several sigmoid   probabilities = A[L] (N, n_y)        label = [A[L] > 0.5] as int64      (N, n_y)
    linear            label = A[L] s_y + mu_y (N, n_y): the target pipeline, when the network has one

A label is the class name (``predict_labels``); int64 numbers when every class name is an integer ("3", "7"),
and the class index (``predict``) when the network has no class names. Dropout is off, as in ``predict``.
The model's metadata holds glassnet's version, the feature and class names, the layers and the input
pipeline in words (Netron shows them under the model's properties).

Every constant is the one the network computes with, in its dtype; a float64 LeakyReLU is Max(Z, alpha Z)
with a float64 alpha, because an ONNX attribute holds alpha as float32 (off by up to 6e-8, relative). ``onnx``
is imported only when a model is exported (``pip install "glassnet[onnx]"``); ``import glassnet`` does not
need it.
"""

from __future__ import annotations

import importlib
import json
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .activations import ACTIVATIONS
from .data.preprocessing import Standardizer
from .errors import ExportError, MissingDependencyError, PathError
from .network import Network
from .version import __version__

if TYPE_CHECKING:  # for the annotations only: onnx itself is imported when a model is exported
    import onnx

DEFAULT_OPSET = 17
"""The ONNX opset written by default: onnxruntime reads it from version 1.13 (2022) on."""
MIN_OPSET = 13
"""The oldest opset whose Softmax normalizes along one axis (the rows' classes), as the network does."""
INSTALL = 'pip install "glassnet[onnx]"'
_OPERATORS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "leaky_relu": "LeakyRelu",
              "softmax": "Softmax", "linear": None}
_TOLERANCE = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-12}


def require(package: str = "onnx"):
    """The optional package ``package`` (onnx, onnxruntime, skl2onnx), imported; refused with the install line."""
    try:
        return importlib.import_module(package)
    except ImportError as exc:
        raise MissingDependencyError(
            f"the ONNX export needs the package {package!r}, which is not installed ({exc}); "
            f"install it with: {INSTALL}") from exc


# ---------------------------------------------------------------------- what can be exported


def check_exportable(net) -> None:
    """Refuse, with an ``ExportError`` naming the part, a network that the graph could not compute faithfully."""
    if not isinstance(net, Network):
        hint = ("; a fitted GlassClassifier or GlassRegressor converts with skl2onnx after "
                "glassnet.sklearn_onnx.register_skl2onnx(), or pass its network_") if hasattr(net, "get_params") else ""
        raise ExportError(f"to_onnx takes a glassnet.Network, got {type(net).__name__}{hint}")
    if net.dtype not in _TOLERANCE:
        raise ExportError(f"the network's dtype must be float32 or float64 to be exported, got {net.dtype}")
    for l, activation in enumerate(net.activations, start=1):
        if ACTIVATIONS.get(activation.name) is not type(activation):
            raise ExportError(
                f"layer {l}'s activation {activation!r} cannot be exported: ONNX gets {', '.join(_OPERATORS)} "
                "(glassnet's own classes); build the network with one of them")
        _check_parameters(net, l)
    _check_pipeline(net)
    _check_outputs(net)


def _check_parameters(net: Network, l: int) -> None:
    """W[l] (n[l], n[l-1]) and b[l] (n[l], 1), finite: a damaged or diverged model is named, not exported."""
    expected = {f"W{l}": (net.layer_dims[l], net.layer_dims[l - 1]), f"b{l}": (net.layer_dims[l], 1)}
    for name, shape in expected.items():
        value = np.asarray(net.params[name])
        if value.shape != shape:
            raise ExportError(f"{name} has shape {value.shape}, but layer_dims {net.layer_dims} needs {shape}: the "
                              "network is damaged; load it again from its model file")
        bad = int(np.count_nonzero(~np.isfinite(value)))
        if bad:
            raise ExportError(f"{name} holds {bad} NaN or infinite value(s): a diverged or damaged network cannot be "
                              "exported; export the last good model or checkpoint")


def _check_statistics(standardizer, name: str, n: int, dtype) -> None:
    """A fitted Standardizer for n features whose mu and scale are finite in the network's dtype."""
    if not isinstance(standardizer, Standardizer) or standardizer.mu is None or standardizer.sigma2 is None:
        raise ExportError(f"{name} must be a fitted glassnet Standardizer to be exported, got {standardizer!r}")
    mu, sigma2 = np.asarray(standardizer.mu), np.asarray(standardizer.sigma2)
    if mu.shape != (n, 1) or sigma2.shape != (n, 1):
        raise ExportError(f"{name} holds statistics of shape {mu.shape} and {sigma2.shape}, but the network has {n} "
                          f"there; expected ({n}, 1): refit it on data with {n} columns")
    with np.errstate(over="ignore", invalid="ignore"):
        cast = (mu.astype(dtype), standardizer.scale.astype(dtype))
    if (sigma2 < 0).any() or not all(np.isfinite(v).all() for v in cast):
        raise ExportError(f"{name}'s mu and sigma2 must be finite in {np.dtype(dtype).name} and sigma2 >= 0: "
                          "the statistics are damaged; refit the Standardizer")


def _check_pipeline(net: Network) -> None:
    """The fixed scale, the input Standardizer and, for a linear output, the target Standardizer."""
    scale = net.input_scale
    if scale is not None and not (isinstance(scale, int | float | np.number) and np.isfinite(scale) and scale > 0
                                  and np.isfinite(np.asarray(scale, net.dtype))):
        raise ExportError(f"input_scale must be None or a finite number > 0 (raw inputs are divided by it), "
                          f"got {scale!r}")
    if net.normalizer is not None:
        _check_statistics(net.normalizer, "normalizer", net.layer_dims[0], net.dtype)
    if net.target_normalizer is not None:
        if net.output_activation != "linear":
            raise ExportError(f"a target_normalizer belongs to a linear output, but this network's output is "
                              f"{net.output_activation}; set net.target_normalizer = None")
        _check_statistics(net.target_normalizer, "target_normalizer", net.layer_dims[-1], net.dtype)


def _check_outputs(net: Network) -> None:
    """The output activation has a meaning here, and the class names fit the classes."""
    if net.output_activation not in ("sigmoid", "softmax", "linear"):
        raise ExportError(f"the output activation must be sigmoid, softmax or linear, got {net.output_activation}")
    names = net.class_names
    if names is not None and (not net.n_classes or len(names) != net.n_classes):
        raise ExportError(f"class_names has {len(names)} names but the network tells {net.n_classes} classes apart; "
                          "set class_names to one name per class (or None)")


# ---------------------------------------------------------------------- labels


def _integer(text: str) -> int | None:
    """The int that ``text`` spells exactly ("7", "-3"; not "07" or "7.0"), within int64; else None."""
    try:
        value = int(text)
    except ValueError:
        return None
    return value if str(value) == text and -2**63 <= value < 2**63 else None


def label_table(classes) -> np.ndarray:
    """The label of each class for the graph: int64 for numbers (integral floats and bools too), else text.

    A label of ONNX is int64 or a string; classes that are fractions (0.5, 1.5) are refused.
    """
    values = np.asarray(classes)
    if values.dtype.kind in "iub":
        return values.astype(np.int64)
    if values.dtype.kind == "f":
        if not (np.isfinite(values).all() and (values == np.round(values)).all()):
            raise ExportError(f"the classes {values.tolist()} are not integers, and an ONNX label is an int64 or a "
                              "string; fit the classifier on integer or text labels")
        return values.astype(np.int64)
    return np.array([str(v) for v in values.ravel()], dtype=object)


def network_labels(net: Network) -> np.ndarray | None:
    """The labels ``to_onnx`` answers in: None (class indices) without class names, int64 when all are integers."""
    if net.class_names is None:
        return None
    numbers = [_integer(name) for name in net.class_names]
    if all(n is not None for n in numbers):
        return np.array(numbers, dtype=np.int64)
    return label_table(net.class_names)


# ---------------------------------------------------------------------- the graph


class GraphWriter:
    """The nodes and constants of an ONNX graph in the making; every name it hands out is new.

    ``add_network`` writes through ``unique``, ``constant`` and ``node``, so the same code fills this writer
    (``to_onnx``) and skl2onnx's container (``glassnet.sklearn_onnx``). ``opset``: the graph's ONNX opset.
    """

    def __init__(self, opset: int = DEFAULT_OPSET, reserved=()):
        self._onnx = require("onnx")
        self.opset = opset
        self.nodes, self.initializers, self._taken = [], [], set(reserved)

    def unique(self, base: str) -> str:
        name, k = base, 1
        while name in self._taken:
            k += 1
            name = f"{base}_{k}"
        self._taken.add(name)
        return name

    def constant(self, base: str, array) -> str:
        """A constant (an initializer) holding ``array`` in its own dtype; its name."""
        name, array = self.unique(base), np.asarray(array)
        self.initializers.append(self._onnx.numpy_helper.from_array(array, name))
        return name

    def node(self, op_type: str, inputs: list[str], base: str, **attributes) -> str:
        """One operator on ``inputs``; the name of its output (also the node's name)."""
        output = self.unique(base)
        self.nodes.append(self._onnx.helper.make_node(op_type, inputs, [output], name=output, **attributes))
        return output

    def rename(self, old: str, new: str) -> None:
        """Call the value ``old`` ``new`` everywhere (the graph's outputs get their public names last)."""
        for node in self.nodes:
            for names in (node.input, node.output):
                for i, name in enumerate(names):
                    if name == old:
                        names[i] = new


def _input_pipeline(net: Network, graph, X: str) -> str:
    """A[0] = (X / input_scale - mu) / s, each step only when the network has it (``Network.transform_input``)."""
    dtype = net.dtype
    if net.input_scale is not None:
        X = graph.node("Div", [X, graph.constant("input_scale", np.asarray(net.input_scale, dtype))], "X_scaled")
    if net.normalizer is not None:
        mu = np.asarray(net.normalizer.mu, dtype).reshape(-1)
        s = np.asarray(net.normalizer.scale, dtype).reshape(-1)
        X = graph.node("Sub", [X, graph.constant("mu", mu)], "X_centred")
        X = graph.node("Div", [X, graph.constant("s", s)], "A0")
    return X


def _layer(net: Network, graph, l: int, A: str) -> tuple[str, str]:
    """Z[l] = A W[l]^T + b[l]^T (Gemm), A[l] = g[l](Z[l]); the names of Z[l] and A[l]."""
    W = np.ascontiguousarray(net.params[f"W{l}"])
    b = np.ascontiguousarray(net.params[f"b{l}"]).reshape(-1)
    Z = graph.node("Gemm", [A, graph.constant(f"W{l}", W), graph.constant(f"b{l}", b)], f"Z{l}", transB=1)
    activation = net.activations[l - 1]
    if activation.name == "linear":
        return Z, Z
    if activation.name == "leaky_relu" and net.dtype == np.float64:  # alpha in float64, as the network has it
        alpha = graph.constant(f"alpha{l}", np.asarray(activation.alpha, np.float64))
        return Z, graph.node("Max", [Z, graph.node("Mul", [Z, alpha], f"alphaZ{l}")], f"A{l}")
    attributes = {"alpha": float(activation.alpha)} if activation.name == "leaky_relu" else {}
    if activation.name == "softmax":
        attributes = {"axis": -1}
    return Z, graph.node(_OPERATORS[activation.name], [Z], f"A{l}", **attributes)


def _named(graph, index: str, classes) -> str:
    """The class labels of class indices (N,): Gather from the table, or the indices themselves."""
    if classes is None:
        return index
    return graph.node("Gather", [graph.constant("classes", classes), index], "label", axis=0)


def _outputs(net: Network, graph, Z: str, A: str, classes, label_from: str) -> dict[str, str]:
    """The label and probabilities of ``predict`` / ``predict_proba`` (module docstring), from Z[L] and A[L]."""
    onnx, dtype = require("onnx"), net.dtype
    if net.output_activation == "linear":
        if net.target_normalizer is not None:  # y = A[L] s_y + mu_y (Standardizer.inverse_transform)
            s = np.asarray(net.target_normalizer.scale, dtype).reshape(-1)
            mu = np.asarray(net.target_normalizer.mu, dtype).reshape(-1)
            A = graph.node("Add", [graph.node("Mul", [A, graph.constant("s_y", s)], "y_scaled"),
                                   graph.constant("mu_y", mu)], "y")
        return {"label": A}
    score, cut = (Z, 0.0) if label_from == "logits" else (A, 0.5)
    if net.output_activation == "softmax":
        index = graph.node("ArgMax", [score], "class_index", axis=1, keepdims=0)
        return {"label": _named(graph, index, classes), "probabilities": A}
    above = graph.node("Greater", [score, graph.constant("threshold", np.asarray(cut, dtype))], "above")
    decision = graph.node("Cast", [above], "decision", to=onnx.TensorProto.INT64)
    if net.layer_dims[-1] > 1:
        return {"label": decision, "probabilities": A}
    index = graph.node("Reshape", [decision, graph.constant("rows", np.array([-1], np.int64))], "class_index")
    complement = graph.node("Sub", [graph.constant("one", np.asarray(1, dtype)), A], "p0")
    probabilities = graph.node("Concat", [complement, A], "p", axis=1)
    return {"label": _named(graph, index, classes), "probabilities": probabilities}


def add_network(net: Network, graph, X: str, *, classes=None, label_from: str = "probabilities") -> dict[str, str]:
    """Write the network into ``graph`` from the input named ``X`` (N, n_x) in the network's dtype.

    Returns {"label": name, "probabilities": name} (no probabilities for a linear output). ``classes``: the
    label of each class (``label_table``), None: the class index. ``label_from``: "probabilities" decides as
    ``Network.predict`` does (a > 0.5, argmax A[L]); "logits" as the scikit-learn estimators (z > 0, argmax Z[L]).
    """
    check_exportable(net)
    if label_from not in ("probabilities", "logits"):
        raise ExportError(f"label_from must be 'probabilities' or 'logits', got {label_from!r}")
    if graph.opset < MIN_OPSET:
        raise ExportError(f"the ONNX opset must be >= {MIN_OPSET} (Softmax along one axis), got {graph.opset}; "
                          f"pass target_opset={DEFAULT_OPSET}")
    A = _input_pipeline(net, graph, X)
    Z = A
    for l in range(1, net.L + 1):
        Z, A = _layer(net, graph, l, A)
    return _outputs(net, graph, Z, A, classes, label_from)


# ---------------------------------------------------------------------- the model


def _check_opset(opset, onnx) -> int:
    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset, bool) or not isinstance(opset, int | np.integer) or not MIN_OPSET <= opset <= newest:
        raise ExportError(f"opset must be an integer in [{MIN_OPSET}, {newest}] (the installed onnx knows up to "
                          f"{newest}), got {opset!r}; the default {DEFAULT_OPSET} runs on onnxruntime >= 1.13")
    return int(opset)


def _value_infos(net: Network, classes, onnx) -> tuple[list, list]:
    """The graph's input X (N, n_x) and its outputs label and probabilities, typed and shaped."""
    make, T = onnx.helper.make_tensor_value_info, onnx.helper.np_dtype_to_tensor_dtype(net.dtype)
    n_x, n_y = net.layer_dims[0], net.layer_dims[-1]
    features = f": {', '.join(net.feature_names)}" if net.feature_names else ""
    inputs = [make("X", T, ["N", n_x], doc_string=f"raw features, one example per row{features}")]
    if net.output_activation == "linear":
        return inputs, [make("label", T, ["N", n_y], doc_string="the predictions (predict)")]
    if not net.n_classes:  # several sigmoid units: one 0/1 decision each
        return inputs, [make("label", onnx.TensorProto.INT64, ["N", n_y], doc_string="1 where a > 0.5 (predict)"),
                        make("probabilities", T, ["N", n_y], doc_string="A[L] (predict_proba)")]
    text = classes is not None and classes.dtype == object
    kind = onnx.TensorProto.STRING if text else onnx.TensorProto.INT64
    return inputs, [make("label", kind, ["N"], doc_string="the class (predict_labels; predict without class names)"),
                    make("probabilities", T, ["N", net.n_classes], doc_string="one column per class (predict_proba)")]


def _metadata(net: Network) -> dict[str, str]:
    """What the model file says about itself (Netron: the model's properties)."""
    props = {"glassnet_version": __version__, "layer_dims": json.dumps(net.layer_dims),
             "activations": json.dumps([a.config() for a in net.activations]), "dtype": net.dtype.name,
             "input_pipeline": net.describe_input()}
    for key in ("feature_names", "class_names"):
        if getattr(net, key) is not None:
            props[key] = json.dumps(getattr(net, key), ensure_ascii=False)
    return props


def to_onnx(net: Network, *, opset: int = DEFAULT_OPSET) -> onnx.ModelProto:
    """The network as an ``onnx.ModelProto``: rows X (N, n_x) in, ``label`` and ``probabilities`` out.

    The graph is the module docstring's; ``onnx.checker`` has passed it (with shape inference). ``opset``: the
    ONNX opset, from 13 on; the default 17 runs on onnxruntime 1.13 and later.
    """
    onnx = require("onnx")
    opset = _check_opset(opset, onnx)
    check_exportable(net)
    if net.n_params * net.dtype.itemsize > 2**31 - 2**24:
        raise ExportError(f"the network's {net.n_params:,} parameters take more than 2 GB, the most one ONNX file "
                          "holds without external data; export a smaller network")
    classes = network_labels(net)
    graph = GraphWriter(opset, reserved=("X", "label", "probabilities"))
    for public, name in add_network(net, graph, "X", classes=classes).items():
        graph.rename(name, public)
    inputs, outputs = _value_infos(net, classes, onnx)
    arrows = ", ".join(a.name for a in net.activations)
    body = onnx.helper.make_graph(graph.nodes, "glassnet", inputs, outputs, graph.initializers,
                                  doc_string=f"layers {net.layer_dims} ({arrows}); input: {net.describe_input()}")
    opsets = [onnx.helper.make_opsetid("", opset)]
    model = onnx.helper.make_model(body, opset_imports=opsets, producer_name="glassnet", producer_version=__version__,
                                   doc_string="a glassnet network: raw rows in; label (and probabilities) out")
    model.ir_version = onnx.helper.find_min_ir_version_for(opsets)  # older runtimes read it
    onnx.helper.set_model_props(model, _metadata(net))
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as exc:  # onnx's ValidationError or a shape-inference error: a defect of this module
        raise ExportError(f"the ONNX checker refused the exported graph ({exc}); please report it") from exc
    return model


# ---------------------------------------------------------------------- files and the runtime check


def _target(path) -> Path:
    """An .onnx file to write, not a folder; its folder is made when missing (as ``glassnet.save`` does)."""
    if not isinstance(path, str | os.PathLike) or str(path) == "":
        raise PathError(f"the path to write the ONNX file to must be a str or pathlib.Path, got {path!r}")
    path = Path(path)
    if path.suffix.lower() != ".onnx":
        raise PathError(f"the ONNX file's name must end in .onnx, got {str(path)!r}; e.g. {path.stem or 'model'}.onnx")
    if path.is_dir():
        raise PathError(f"{path} is a folder; name the .onnx file to write, e.g. {path / 'model.onnx'}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PathError(f"cannot write {path}: its folder {path.parent} cannot be made ({exc})") from exc
    return path


def write_model(model: onnx.ModelProto, path) -> Path:
    """Write ``model`` (a ModelProto) to ``path`` atomically: a temporary file beside it, renamed into place."""
    path = _target(path)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the usual permissions less the umask
        with os.fdopen(fd, "wb") as f:
            f.write(model.SerializeToString())
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise PathError(f"cannot write {path}: {exc.strerror or exc}; choose a folder you can write to") from exc
    return path


def save_onnx(net: Network, path, *, opset: int = DEFAULT_OPSET) -> Path:
    """``to_onnx(net)`` written to ``path`` (a .onnx file), atomically; the path."""
    path = _target(path)
    return write_model(to_onnx(net, opset=opset), path)


def expected_outputs(net: Network, X) -> dict[str, np.ndarray]:
    """What the exported graph answers for rows X (N, n_x), computed by glassnet (``predict``, ``predict_proba``)."""
    XT = np.asarray(X).T
    predictions = net.predict(XT).T
    if net.output_activation == "linear":
        return {"label": predictions}
    A = net.predict_proba(XT).T
    if not net.n_classes:
        return {"label": predictions.astype(np.int64), "probabilities": A}
    index = predictions[:, 0].astype(np.int64)
    classes = network_labels(net)
    label = index if classes is None else classes[index]
    return {"label": label, "probabilities": A if net.n_classes == A.shape[1] else np.hstack([1 - A, A])}


def check_with_onnxruntime(net: Network, model: onnx.ModelProto, rows: int = 256, seed: int = 0) -> dict:
    """Run ``model`` in onnxruntime on made-up raw rows and compare it with the network.

    Rows x = (mu + s z) * input_scale with z ~ N(0, 1): around the training data when the network has a
    Standardizer. Returns {"rows", "labels_equal", "max_difference", "tolerance", "runtime", "passed"};
    max_difference = max |onnx - glassnet| / max(1, |glassnet|) over the probabilities (a regressor: predictions).
    """
    ort = require("onnxruntime")
    z = np.random.default_rng(seed).standard_normal((rows, net.layer_dims[0]))
    if net.normalizer is not None:
        z = z * net.normalizer.scale.T + net.normalizer.mu.T
    X = (z * (net.input_scale or 1.0)).astype(net.dtype)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    got = dict(zip([o.name for o in session.get_outputs()], session.run(None, {"X": X}), strict=True))
    expected = expected_outputs(net, X)
    numbers = "probabilities" if "probabilities" in expected else "label"
    difference = np.abs(got[numbers] - expected[numbers]) / np.maximum(1.0, np.abs(expected[numbers]))
    labels_equal = numbers == "label" or bool(np.array_equal(got["label"], expected["label"]))
    result = {"rows": rows, "labels_equal": labels_equal, "max_difference": float(difference.max(initial=0.0)),
              "tolerance": _TOLERANCE[net.dtype], "runtime": f"onnxruntime {ort.__version__}"}
    result["passed"] = labels_equal and result["max_difference"] <= result["tolerance"]
    return result


def export_file(model_path, output=None, *, opset: int = DEFAULT_OPSET) -> tuple[Path, Network, onnx.ModelProto]:
    """``glassnet export``: the model file at ``model_path`` written as ONNX; (the .onnx path, the network, the model).

    ``output``: the .onnx file, or a folder to write MODEL.onnx into; None: beside the model, with the suffix .onnx.
    """
    from .io import load

    model_path = Path(model_path)
    target = model_path.with_suffix(".onnx") if output is None else Path(output)
    if target.is_dir():
        target = target / f"{model_path.stem}.onnx"
    target = _target(target)
    if target.exists() and model_path.exists() and target.samefile(model_path):
        raise PathError(f"the ONNX file {target} would replace the model file itself; name another .onnx file")
    net = load(model_path)
    model = to_onnx(net, opset=opset)
    return write_model(model, target), net, model
