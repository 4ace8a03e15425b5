"""ONNX export: the graph run by onnxruntime answers what the network answers, on raw rows.

Every hidden activation under every output (one sigmoid unit, several, softmax, linear), float32 and
float64, the input pipeline in its four forms (none, the fixed scale, the Standardizer, both), class
names as text, as integers and absent: labels equal ``predict_labels`` / ``predict``, probabilities
within 1e-5 (float32) and 1e-12 (float64) of ``predict_proba``. Then skl2onnx on a Pipeline
(StandardScaler, GlassClassifier) and a GlassRegressor, the refusals, ``glassnet export`` and the
playground's download.
"""

from __future__ import annotations

import base64
import itertools
import re
import subprocess
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="the ONNX export needs onnx (pip install -e '.[onnx]')")
ort = pytest.importorskip("onnxruntime", reason="the ONNX tests run the graph in onnxruntime")

import glassnet as gn  # noqa: E402
import glassnet.onnx as gn_onnx  # noqa: E402
from glassnet import cli  # noqa: E402

TOLERANCE = {"float32": 1e-5, "float64": 1e-12}
HIDDEN = ["sigmoid", "tanh", "relu", {"name": "leaky_relu", "alpha": 0.2}, "linear", "softmax"]
OUTPUTS = {"softmax": ("softmax", 3), "sigmoid": ("sigmoid", 1), "sigmoids": ("sigmoid", 2), "linear": ("linear", 2)}
PIPELINES = ["none", "scale", "standardize", "both"]
N_X = 5


def raw_rows(m: int, scaled: bool, seed: int = 0) -> np.ndarray:
    """Rows (m, n_x) as a file holds them: features of very different sizes, one constant in the training set."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, N_X)) * [1.0, 3.0, 10.0, 0.1, 0.0] + [0.0, 2.0, -5.0, 1.0, 3.0]
    if seed:  # rows other than the training set's: the constant feature moves (centred, never divided)
        X[:, 4] += rng.normal(size=m)
    return X * (16.0 if scaled else 1.0)


def make_net(hidden, output: str, dtype: str, pipeline: str, class_names=None, seed: int = 0) -> gn.Network:
    """A small network with the input pipeline ``pipeline`` (and a target Standardizer for a linear output)."""
    activation, n_y = OUTPUTS[output]
    scaled = pipeline in ("scale", "both")
    net = gn.Network([N_X, 6, 4, n_y], hidden_activation=hidden, output_activation=activation, dtype=dtype,
                     seed=seed, input_scale=16.0 if scaled else None, class_names=class_names,
                     feature_names=[f"f{i}" for i in range(N_X)])
    rng = np.random.default_rng(seed + 1)
    for name in ("b1", "b2", "b3"):  # biases off zero, so the Gemm's C input is tested too
        net.params[name] = rng.normal(size=net.params[name].shape) * 0.3
    if pipeline in ("standardize", "both"):
        net.normalizer = gn.Standardizer().fit(raw_rows(200, scaled).T, divide_by=16.0 if scaled else None)
        if activation == "linear":
            net.target_normalizer = gn.Standardizer().fit(np.random.default_rng(2).normal(size=(n_y, 50)) * 30 + 100)
    return net


def centre_outputs(net: gn.Network, X) -> None:
    """b[L] = 0.1 k - mean of W[L] A[L-1] over the rows X (unit k): each output unit is above and below its
    neighbours on some rows, so the rows fall into more than one class and the labels are tested."""
    net.forward(net.check_X(X.T, raw=True))
    W = net.params[f"W{net.L}"]
    offsets = 0.1 * np.arange(W.shape[0]).reshape(-1, 1)
    net.params[f"b{net.L}"] = offsets - (W @ net.layers[-1].cache[0]).mean(axis=1, keepdims=True)


def run(model, X) -> dict[str, np.ndarray]:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return dict(zip([o.name for o in session.get_outputs()], session.run(None, {"X": X}), strict=True))


def assert_close(got, expected, dtype: str) -> float:
    """|got - expected| <= tol * max(1, |expected|) elementwise (absolute for probabilities); the largest."""
    assert got.shape == expected.shape and got.dtype == np.dtype(dtype)
    difference = float((np.abs(got - expected) / np.maximum(1.0, np.abs(expected))).max())
    assert difference <= TOLERANCE[dtype], f"largest difference {difference:.3g} > {TOLERANCE[dtype]:g}"
    return difference


CASES = [(hidden, output, dtype, PIPELINES[(h + o) % 4])  # each output and dtype meets every pipeline
         for (h, hidden), (o, output), dtype in itertools.product(enumerate(HIDDEN), enumerate(OUTPUTS), TOLERANCE)]


@pytest.mark.parametrize("hidden,output,dtype,pipeline", CASES, ids=lambda v: v if isinstance(v, str) else "leaky")
def test_onnxruntime_answers_what_the_network_answers(hidden, output, dtype, pipeline):
    net = make_net(hidden, output, dtype, pipeline)
    X = raw_rows(64, pipeline in ("scale", "both"), seed=7).astype(dtype)
    centre_outputs(net, X)
    got = run(gn.to_onnx(net), X)
    XT = X.T
    if output == "linear":
        assert set(got) == {"label"}
        assert_close(got["label"], net.predict(XT).T, dtype)
        return
    proba = net.predict_proba(XT)
    if output == "sigmoids":  # several sigmoid units: one 0/1 decision each
        np.testing.assert_array_equal(got["label"], net.predict(XT).T)
        assert_close(got["probabilities"], proba.T, dtype)
        return
    assert got["label"].dtype == np.int64 and got["label"].shape == (64,)
    np.testing.assert_array_equal(got["label"], net.predict(XT)[0])
    expected = proba.T if output == "softmax" else np.hstack([1 - proba.T, proba.T])
    assert_close(got["probabilities"], expected, dtype)
    assert len(set(got["label"].tolist())) > 1  # the rows are not all one class: the decisions are tested


NAMES = {"text": {"softmax": ["cat", "狗", "07"], "sigmoid": ["no", "yes"]},
         "integers": {"softmax": ["3", "-7", "12"], "sigmoid": ["10", "20"]}}


@pytest.mark.parametrize("kind", ["text", "integers"])
@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
@pytest.mark.parametrize("dtype", sorted(TOLERANCE))
def test_labels_are_the_class_names(kind, output, dtype):
    net = make_net("tanh", output, dtype, "standardize", class_names=NAMES[kind][output])
    X = raw_rows(64, False, seed=3).astype(dtype)
    centre_outputs(net, X)
    model = gn.to_onnx(net)
    got = run(model, X)
    expected = net.predict_labels(X.T)[0]
    if kind == "integers":  # integer names come back as numbers ("07" above is text: 7 would not spell it)
        assert got["label"].dtype == np.int64
        np.testing.assert_array_equal(got["label"], expected.astype(np.int64))
    else:
        assert got["label"].tolist() == expected.tolist()
    assert len(set(expected.tolist())) > 1
    assert model.graph.output[0].type.tensor_type.elem_type == (
        onnx.TensorProto.INT64 if kind == "integers" else onnx.TensorProto.STRING)


def test_the_model_describes_itself_and_passes_the_checker():
    net = make_net("relu", "softmax", "float32", "both", class_names=["a", "b", "c"])
    model = gn.to_onnx(net)
    onnx.checker.check_model(model, full_check=True)
    props = {p.key: p.value for p in model.metadata_props}
    assert props["glassnet_version"] == gn.__version__ == model.producer_version and model.producer_name == "glassnet"
    assert props["feature_names"] == '["f0", "f1", "f2", "f3", "f4"]' and props["class_names"] == '["a", "b", "c"]'
    assert "/ 16" in props["input_pipeline"] and "standardized" in props["input_pipeline"]
    (x,) = model.graph.input
    assert x.name == "X" and x.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert [d.dim_param or d.dim_value for d in x.type.tensor_type.shape.dim] == ["N", N_X]
    assert [o.name for o in model.graph.output] == ["label", "probabilities"]
    ops = [node.op_type for node in model.graph.node]
    assert ops == ["Div", "Sub", "Div", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Softmax", "ArgMax", "Gather"]
    assert "Dropout" not in ops and model.opset_import[0].version == gn_onnx.DEFAULT_OPSET


def test_dropout_is_off_and_a_trained_network_exports(tmp_path):
    X = raw_rows(120, False, seed=5)
    Y = (X[:, 1:2].T > 5).astype(float)
    net = gn.Network([N_X, 8, 1], keep_prob=[1.0, 0.5], seed=0, dtype="float64")
    net.fit(X.T, Y, epochs=3, normalize=True, seed=0)
    path = gn.save_onnx(net, tmp_path / "trained.onnx")
    assert path == tmp_path / "trained.onnx" and [p.name for p in tmp_path.iterdir()] == ["trained.onnx"]
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    label, probabilities = session.run(None, {"X": X})
    np.testing.assert_array_equal(label, net.predict(X.T)[0])
    assert_close(probabilities[:, 1:], net.predict_proba(X.T).T, "float64")


@pytest.mark.parametrize("opset", [13, 21])
def test_other_opsets(opset):
    net = make_net({"name": "leaky_relu", "alpha": 0.1}, "softmax", "float64", "both")
    X = raw_rows(16, True, seed=2)
    model = gn.to_onnx(net, opset=opset)
    assert model.opset_import[0].version == opset
    assert_close(run(model, X)["probabilities"], net.predict_proba(X.T).T, "float64")


def test_the_runtime_check_reports_agreement():
    net = make_net("tanh", "linear", "float32", "both")
    result = gn_onnx.check_with_onnxruntime(net, gn.to_onnx(net), rows=32)
    assert result["passed"] and result["labels_equal"] and result["max_difference"] <= 1e-5


# ---------------------------------------------------------------------- what cannot be exported


class Swish(gn.Activation):
    name = "swish"

    def forward(self, Z, out=None):
        return Z / (1 + np.exp(-Z))

    def derivative(self, Z):
        return np.ones_like(Z)


def damaged(what: str):
    net = make_net("relu", "softmax", "float32", "standardize")
    if what == "nan":
        net.params["W2"][1, 2] = np.nan  # the live array, behind ParameterDict's checks
    elif what == "normalizer shape":
        net.normalizer = gn.Standardizer().fit(np.ones((3, 4)))
    elif what == "unfitted normalizer":
        net.normalizer = gn.Standardizer()
    elif what == "normalizer values":
        net.normalizer.sigma2[0, 0] = -1.0
    elif what == "input_scale":
        net.input_scale = -2.0
    elif what == "class_names":
        net.class_names = ["a", "b"]
    elif what == "target_normalizer":
        net.target_normalizer = gn.Standardizer().fit(np.ones((3, 4)))
    elif what == "activation":
        net = gn.Network([N_X, 3, 2], activations=[Swish(), "softmax"], seed=0)
    elif what == "shape":
        net.layers[0].W = np.zeros((2, 2))  # what a hand-edited network could hold
        net._params["W1"] = net.layers[0].W
    return net


@pytest.mark.parametrize("what,message", [
    ("nan", r"W2 holds 1 NaN or infinite value\(s\).*export the last good model"),
    ("normalizer shape", r"normalizer holds statistics of shape \(3, 1\).*the network has 5 there"),
    ("unfitted normalizer", "normalizer must be a fitted glassnet Standardizer"),
    ("normalizer values", "normalizer's mu and sigma2 must be finite in float32 and sigma2 >= 0"),
    ("input_scale", r"input_scale must be None or a finite number > 0.*got -2.0"),
    ("class_names", "class_names has 2 names but the network tells 3 classes apart"),
    ("target_normalizer", "a target_normalizer belongs to a linear output, but this network's output is softmax"),
    ("activation", r"layer 1's activation Swish\(\) cannot be exported: ONNX gets sigmoid, tanh, relu"),
    ("shape", r"W1 has shape \(2, 2\), but layer_dims \[5, 6, 4, 3\] needs \(6, 5\)"),
])
def test_what_cannot_be_exported_is_named(what, message):
    with pytest.raises(gn.ExportError, match=message):
        gn.to_onnx(damaged(what))


@pytest.mark.parametrize("value,message", [
    ("model.npz", "to_onnx takes a glassnet.Network, got str"),
    (None, "got NoneType"),
])
def test_only_networks_are_exported(value, message):
    with pytest.raises(gn.ExportError, match=message):
        gn.to_onnx(value)


def test_an_estimator_is_pointed_to_skl2onnx():
    from glassnet.sklearn import GlassClassifier

    with pytest.raises(gn.ExportError, match=r"got GlassClassifier; .*register_skl2onnx\(\), or pass its network_"):
        gn.to_onnx(GlassClassifier())


def test_import_glassnet_needs_no_onnx():
    code = "import sys; sys.modules['onnx'] = None; import glassnet; print(glassnet.to_onnx.__name__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "to_onnx\n"


@pytest.mark.parametrize("opset", [12, 10_000, 17.0, "17", True])
def test_the_opset_is_checked(opset):
    with pytest.raises(gn.ExportError, match=r"opset must be an integer in \[13, \d+\].*got"):
        gn.to_onnx(make_net("relu", "sigmoid", "float32", "none"), opset=opset)


def test_save_onnx_refuses_a_path_it_cannot_write(tmp_path):
    net = make_net("relu", "sigmoid", "float32", "none")
    with pytest.raises(gn.GlassnetError, match=r"must end in .onnx, got '.*model.npz'; e.g. model.onnx"):
        gn.save_onnx(net, tmp_path / "model.npz")
    (tmp_path / "folder.onnx").mkdir()
    with pytest.raises(gn.GlassnetError, match="is a folder"):
        gn.save_onnx(net, tmp_path / "folder.onnx")
    (tmp_path / "file").write_text("")
    with pytest.raises(gn.GlassnetError, match="its folder .*file cannot be made"):
        gn.save_onnx(net, tmp_path / "file" / "model.onnx")
    with pytest.raises(gn.GlassnetError, match="must be a str or pathlib.Path, got 3"):
        gn.save_onnx(net, 3)
    assert gn.save_onnx(net, tmp_path / "new" / "model.onnx").is_file()  # a missing folder is made, as by gn.save


def test_without_onnx_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # what `import onnx` meets when it is not installed
    with pytest.raises(gn.MissingDependencyError, match=r"needs the package 'onnx'.*pip install \"glassnet\[onnx\]\""):
        gn.to_onnx(make_net("relu", "sigmoid", "float32", "none"))
    assert issubclass(gn.MissingDependencyError, ImportError) and issubclass(gn.ExportError, ValueError)


# ---------------------------------------------------------------------- skl2onnx


@pytest.fixture(scope="module")
def skl2onnx():
    skl2onnx = pytest.importorskip("skl2onnx")
    from glassnet.sklearn_onnx import register_skl2onnx

    register_skl2onnx()
    register_skl2onnx()  # twice: no harm
    return skl2onnx


def pipeline_of(estimator):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), estimator)


LABELS = {"text": np.array(["cat", "dog", "emu"]), "integers": np.array([4, 9]), "bools": np.array([False, True])}


@pytest.mark.parametrize("labels", sorted(LABELS))
@pytest.mark.parametrize("dtype", sorted(TOLERANCE))
def test_skl2onnx_converts_a_pipeline_ending_in_a_classifier(skl2onnx, labels, dtype):
    from glassnet.sklearn import GlassClassifier

    X = raw_rows(90, False, seed=11).astype(dtype)
    y = LABELS[labels][np.argsort(np.argsort(X[:, 1])) * len(LABELS[labels]) // 90]  # classes by feature 1
    pipe = pipeline_of(GlassClassifier(hidden_layer_sizes=(6,), epochs=5, random_state=0, normalize=labels == "text"))
    pipe.fit(X, y)
    model = skl2onnx.to_onnx(pipe, X[:1], options={GlassClassifier: {"zipmap": False}})
    label, probabilities = run(model, X).values()
    assert label.tolist() == pipe.predict(X).tolist() and len(set(label.tolist())) > 1
    assert_close(probabilities, pipe.predict_proba(X), dtype)


def test_skl2onnx_zipmap_gives_one_dictionary_per_row(skl2onnx):
    from glassnet.sklearn import GlassClassifier

    X = raw_rows(60, False, seed=12).astype(np.float32)
    y = np.where(X[:, 1] > 2, "high", "low")
    pipe = pipeline_of(GlassClassifier(hidden_layer_sizes=(4,), epochs=3, random_state=0)).fit(X, y)
    label, maps = run(skl2onnx.to_onnx(pipe, X[:1]), X).values()
    assert label.tolist() == pipe.predict(X).tolist()
    expected = pipe.predict_proba(X)
    assert [sorted(m) for m in maps[:2]] == [["high", "low"]] * 2
    np.testing.assert_allclose([[m["high"], m["low"]] for m in maps], expected, atol=1e-5)


@pytest.mark.parametrize("targets", [1, 2])
@pytest.mark.parametrize("dtype", sorted(TOLERANCE))
def test_skl2onnx_converts_a_regressor(skl2onnx, targets, dtype):
    from glassnet.sklearn import GlassRegressor

    X = raw_rows(60, False, seed=13).astype(dtype)
    y = X[:, :targets] * 20 + 7 if targets > 1 else X[:, 1] * 20 + 7
    pipe = pipeline_of(GlassRegressor(hidden_layer_sizes=(5,), epochs=3, random_state=0, normalize=True)).fit(X, y)
    (variable,) = run(skl2onnx.to_onnx(pipe, X[:1]), X).values()
    assert variable.shape == (60, targets)
    assert_close(variable, pipe.predict(X).reshape(60, targets), dtype)


def test_skl2onnx_refuses_fractional_classes_and_unfitted_estimators(skl2onnx):
    from glassnet.sklearn import GlassClassifier, GlassRegressor

    X = raw_rows(40, False, seed=14)
    clf = GlassClassifier(hidden_layer_sizes=(3,), epochs=1, random_state=0).fit(X, X[:, 0] > 0)
    clf.classes_ = np.array([0.5, 1.5])  # scikit-learn's own checks refuse such labels in fit; a damaged estimator
    with pytest.raises(gn.ExportError, match=r"the classes \[0.5, 1.5\] are not integers"):
        skl2onnx.to_onnx(clf, X[:1], options={"zipmap": False})
    for unfitted in (GlassClassifier(), GlassRegressor()):
        with pytest.raises(gn.ExportError, match=f"this {type(unfitted).__name__} is not fitted.*call fit first"):
            skl2onnx.to_onnx(unfitted, X[:1])


# ---------------------------------------------------------------------- glassnet export


@pytest.fixture
def model_file(tmp_path):
    net = make_net("tanh", "softmax", "float64", "both", class_names=["a", "b", "c"])
    return gn.save(net, tmp_path / "model.npz"), net


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("glassnet: error: "), err
    return err


def test_export_writes_beside_the_model_and_checks_it(model_file, capsys):
    path, net = model_file
    assert cli.main(["export", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"wrote {path.with_suffix('.onnx')}: ONNX opset 17, X (N, 5) float64 -> label, probabilities" in out
    assert "checked with onnxruntime" in out and "256 made-up rows: labels equal" in out
    X = raw_rows(20, True, seed=4)
    session = ort.InferenceSession(str(path.with_suffix(".onnx")), providers=["CPUExecutionProvider"])
    assert session.run(["label"], {"X": X})[0].tolist() == net.predict_labels(X.T)[0].tolist()


def test_export_into_a_folder_and_with_an_opset(model_file, tmp_path, capsys):
    path, _ = model_file
    (tmp_path / "out").mkdir()
    assert cli.main(["export", str(path), "-o", str(tmp_path / "out"), "--opset", "19"]) == 0
    assert onnx.load(str(tmp_path / "out" / "model.onnx")).opset_import[0].version == 19


@pytest.mark.parametrize("args,message", [
    (["-o", "predictions.csv"], r"must end in .onnx, got '.*predictions.csv'"),
    (["--opset", "12"], r"argument --opset: opset must be an integer >= 13, got 12"),
    (["--opset", "10000"], r"opset must be an integer in \[13, \d+\]"),
])
def test_export_user_mistakes_exit_2_with_one_line(model_file, capsys, args, message):
    path, _ = model_file
    assert cli.main(["export", str(path), *args]) == 2
    assert re.search(message, one_error_line(capsys))


def test_export_of_a_missing_or_damaged_file_exits_2(tmp_path, capsys):
    assert cli.main(["export", str(tmp_path / "nothing.npz")]) == 2
    assert "no model file at" in one_error_line(capsys)
    (tmp_path / "broken.npz").write_bytes(b"PK\x03\x04 not really a zip")
    assert cli.main(["export", str(tmp_path / "broken.npz")]) == 2
    assert "broken.npz" in one_error_line(capsys)
    gn.save(make_net("relu", "sigmoid", "float32", "none"), tmp_path / "odd.onnx")  # a model file named .onnx
    assert cli.main(["export", str(tmp_path / "odd.onnx")]) == 2
    assert "would replace the model file itself" in one_error_line(capsys)


def test_export_without_onnx_names_the_extra(model_file, monkeypatch, capsys):
    path, _ = model_file
    monkeypatch.setitem(sys.modules, "onnx", None)
    assert cli.main(["export", str(path)]) == 2
    assert 'pip install "glassnet[onnx]"' in one_error_line(capsys)


def test_export_without_onnxruntime_writes_the_file_unchecked(model_file, monkeypatch, capsys):
    path, _ = model_file
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    assert cli.main(["export", str(path)]) == 0
    assert "not checked: onnxruntime is not installed" in capsys.readouterr().out
    assert path.with_suffix(".onnx").is_file()


def test_export_exits_1_when_the_runtime_disagrees(model_file, monkeypatch, capsys):
    path, _ = model_file
    monkeypatch.setattr(gn_onnx, "check_with_onnxruntime", lambda net, model: {
        "rows": 256, "labels_equal": False, "max_difference": 0.5, "tolerance": 1e-12, "runtime": "onnxruntime x",
        "passed": False})
    assert cli.main(["export", str(path)]) == 1
    assert "LABELS DIFFER, largest difference 0.5" in capsys.readouterr().out


# ---------------------------------------------------------------------- the playground's download


def test_the_playground_exports_onnx_beside_the_model_and_the_script(monkeypatch):
    from glassnet.playground.session import Session

    s = Session()
    s.configure({"data": "moons", "layers": [4], "normalize": True})
    s.train_epochs(5)
    export = s.export()
    assert export["onnx_name"] == export["model_name"].replace(".npz", ".onnx")
    session = ort.InferenceSession(base64.b64decode(export["onnx"]), providers=["CPUExecutionProvider"])
    X = s.X_dev.T.astype(s.net.dtype)
    label, probabilities = session.run(None, {"X": X})
    np.testing.assert_array_equal(label, s.net.predict(s.X_dev)[0])
    assert_close(probabilities[:, 1:], s.net.predict_proba(s.X_dev).T, s.net.dtype.name)
    assert 'gn.save_onnx(net, "playground-model.onnx")' in export["script"]
    monkeypatch.setitem(sys.modules, "onnx", None)  # without onnx on the server the other downloads still work
    export = s.export()
    assert export["onnx"] is None and "glassnet[onnx]" in export["onnx_error"] and export["model"]
