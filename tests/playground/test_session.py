"""The playground's parts without a server: message checks, data, planted bugs, sessions, the exported script."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import numpy as np
import pytest

import glassnet as gn
from glassnet.playground import data as pdata
from glassnet.playground import protocol
from glassnet.playground.bugs import PlantedBugNetwork
from glassnet.playground.protocol import ProtocolError, default_config, merge_config, parse
from glassnet.playground.runspec import from_spec, to_spec
from glassnet.playground.session import Session, hidden_outputs

# ---------------------------------------------------------------------------------- messages


def code_of(text) -> str:
    with pytest.raises(ProtocolError) as info:
        parse(text)
    return info.value.code


def test_parse_accepts_every_message_type():
    assert parse('{"type": "play"}') == {"type": "play"}
    assert parse('{"type": "plant_bug", "bug": "no_l2"}') == {"type": "plant_bug", "bug": "no_l2"}
    assert parse('{"type": "race"}') == {"type": "race", "epochs": 300, "optimizer": "gd"}
    assert parse('{"type": "race", "optimizer": "setup"}')["optimizer"] == "setup"
    assert parse('{"type": "speed", "epochs_per_second": 0}') == {"type": "speed", "epochs_per_second": 0}
    assert parse('{"type": "quiz_answer", "layer": 2, "formula": "db"}') == {"type": "quiz_answer", "layer": 2,
                                                                             "formula": "db"}
    assert parse('{"type": "upload", "name": "a.csv", "csv": "1,2,0"}')["csv"] == "1,2,0"
    assert parse('{"type": "config", "config": {"lr": 0.1}}') == {"type": "config", "config": {"lr": 0.1}}
    for kind in ("pause", "step", "reset", "gradcheck", "race_stop", "export", "quiz", "quiz_reveal", "quiz_stop"):
        assert parse(json.dumps({"type": kind})) == {"type": kind}


@pytest.mark.parametrize("text, code", [
    ("{not json", "bad_json"),
    ('{"type": "config", "config": {"lr": NaN}}', "bad_json"),
    ("[1, 2]", "not_object"),
    ('"play"', "not_object"),
    ('{"kind": "play"}', "unknown_type"),
    ('{"type": "fly"}', "unknown_type"),
    ('{"type": 3}', "unknown_type"),
    ('{"type": "play", "speed": 2}', "unknown_field"),
    ('{"type": "plant_bug"}', "missing_field"),
    ('{"type": "plant_bug", "bug": "off_by_one"}', "bad_choice"),
    ('{"type": "race", "epochs": 0}', "out_of_range"),
    ('{"type": "race", "epochs": 2.5}', "bad_field"),
    ('{"type": "race", "optimizer": "sgd"}', "bad_choice"),
    ('{"type": "speed"}', "missing_field"),
    ('{"type": "speed", "epochs_per_second": -1}', "out_of_range"),
    ('{"type": "speed", "epochs_per_second": 1e9}', "bad_field"),
    ('{"type": "quiz_answer", "layer": 1}', "missing_field"),
    ('{"type": "quiz_answer", "layer": 1, "formula": "dX"}', "bad_choice"),
    ('{"type": "quiz_answer", "layer": 0, "formula": "db"}', "out_of_range"),
    ('{"type": "upload", "name": "a.csv"}', "missing_field"),
    ('{"type": "upload", "name": "a.csv", "csv": 5}', "bad_field"),
    ('{"type": "config", "config": [1]}', "bad_field"),
    ('{"type": "config"}', "missing_field"),
])
def test_parse_refuses_malformed_messages(text, code):
    assert code_of(text) == code


def test_parse_refuses_oversized_messages_before_parsing():
    text = '{"type": "upload", "name": "a.csv", "csv": "' + "1" * protocol.MAX_MESSAGE_CHARS + '"}'
    assert code_of(text) == "too_large"
    big_csv = json.dumps({"type": "upload", "name": "a.csv", "csv": "1" * (protocol.MAX_UPLOAD_CHARS + 1)})
    assert len(big_csv) < protocol.MAX_MESSAGE_CHARS
    assert code_of(big_csv) == "too_large"


@pytest.mark.parametrize("partial, field", [
    ({"lr": 0}, "lr"), ({"lr": -1}, "lr"), ({"lr": "fast"}, "lr"), ({"lr": True}, "lr"), ({"lr": 11}, "lr"),
    ({"layers": [8] * 9}, "layers"), ({"layers": [33]}, "layers[0]"), ({"layers": [0]}, "layers[0]"),
    ({"layers": "8,8"}, "layers"), ({"activations": ["relu", "softmax"]}, "activations[1]"),
    ({"activations": ["relu"]}, "activations"), ({"keep_prob": [1, 1]}, "keep_prob"),
    ({"keep_prob": [1, 0, 1]}, "keep_prob[1]"), ({"init": "orthogonal"}, "init"), ({"scale": -1}, "scale"),
    ({"l2": 101}, "l2"), ({"optimizer": "sgd"}, "optimizer"), ({"batch": -1}, "batch"), ({"batch": 1.5}, "batch"),
    ({"normalize": 1}, "normalize"), ({"seed": -3}, "seed"), ({"seed": 2**31}, "seed"),
    ({"points": 10}, "points"), ({"noise": 1.5}, "noise"), ({"split": 0.95}, "split"),
    ({"data": "mnist"}, "data"), ({"data": "upload"}, "data"), ({"colour": "red"}, "colour"),
])
def test_merge_config_checks_every_field(partial, field):
    with pytest.raises(ProtocolError) as info:
        merge_config(default_config(), partial, has_upload=False)
    assert info.value.field == field


def test_merge_config_fits_the_per_layer_lists_to_the_layers():
    c = merge_config(default_config(), {"layers": [4, 4, 4], "activations": ["tanh", "tanh", "relu"]}, False)
    assert c["keep_prob"] == [1.0, 1.0, 1.0, 1.0]
    c = merge_config(c, {"layers": [5]}, False)
    assert c["activations"] == ["tanh"] and c["keep_prob"] == [1.0, 1.0] and c["layers"] == [5]
    c = merge_config(c, {"layers": []}, False)
    assert c["activations"] == [] and c["keep_prob"] == [1.0]


# ---------------------------------------------------------------------------------- data


@pytest.mark.parametrize("name", list(pdata.GENERATORS))
def test_generators_are_glassnets_and_seeded(name):
    X, Y = pdata.generate(name, 120, 0.2, seed=3)
    assert X.shape == (2, 120) and Y.shape == (1, 120) and set(np.unique(Y)) == {0, 1}
    X2, _ = pdata.generate(name, 120, 0.2, seed=3)
    np.testing.assert_array_equal(X, X2)
    # the exported script's text makes the same call
    source = pdata.generator_source(name, 120, 0.2, 3)
    X3, Y3 = eval(source, {"gn": gn})  # our own generated text, not user input
    np.testing.assert_array_equal(X, X3)
    np.testing.assert_array_equal(Y, Y3)


def test_parse_csv_with_and_without_header():
    rows = "\n".join(f"{i * 0.1},{-i * 0.2},{'cat' if i % 2 else 'dog'}" for i in range(12))
    X, Y, classes = pdata.parse_csv(rows)
    assert X.shape == (2, 12) and classes == ["cat", "dog"] and Y[0, :2].tolist() == [1, 0]
    X2, Y2, _ = pdata.parse_csv("a,b,label\n" + rows)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)
    _, Y3, classes3 = pdata.parse_csv("label,x,y\n" + "\n".join(f"{i % 2},{i},{i * 2}" for i in range(12)))
    assert classes3 == ["0", "1"] and Y3[0, :2].tolist() == [0, 1]


@pytest.mark.parametrize("text, code", [
    ("", "bad_csv"),
    ("1,2,0\n" * 5, "too_few_points"),
    ("1,2,0\n" * (protocol.MAX_UPLOAD_POINTS + 1), "too_many_points"),
    ("1,2,0\n" * 11 + "1,2\n", "bad_csv"),
    ("1,2,0\n" * 11 + "1,nan,1\n", "bad_csv"),
    ("1,2,0\n" * 11 + "1,1e300,1\n", "bad_csv"),
    ("1,2,0\n" * 11 + "__import__('os'),2,1\n", "bad_csv"),
    ("\n".join(f"{i},{i},{i % 3}" for i in range(12)), "bad_labels"),
    ("1,2,0\n" * 12, "bad_labels"),
])
def test_parse_csv_refuses_bad_files(text, code):
    with pytest.raises(ProtocolError) as info:
        pdata.parse_csv(text)
    assert info.value.code == code


# ---------------------------------------------------------------------------------- planted bugs


def bug_network(bug, keep_prob=1.0, l2=0.0):
    net = PlantedBugNetwork([2, 5, 4, 1], activations=["tanh", "tanh", "sigmoid"], keep_prob=keep_prob, l2=l2,
                            initializer="xavier", dtype="float64", seed=1)
    net.bug = bug
    return net


def test_no_l2_bug_drops_exactly_the_l2_term():
    X, Y = gn.datasets.make_moons(16, seed=0)
    right, wrong = bug_network("none", l2=0.7), bug_network("no_l2", l2=0.7)
    _, g_right = right.cost_and_gradients(X, Y, training=False)
    _, g_wrong = wrong.cost_and_gradients(X, Y, training=False)
    for l in (1, 2, 3):
        np.testing.assert_allclose(g_right[f"dW{l}"] - g_wrong[f"dW{l}"], 0.7 / 16 * right.params[f"W{l}"])
        np.testing.assert_array_equal(g_right[f"db{l}"], g_wrong[f"db{l}"])


def test_no_keep_prob_bug_is_the_backprop_without_the_division():
    """Against the notes' backward pass written out here with the division left out."""
    X, Y = gn.datasets.make_moons(10, seed=0)
    net = bug_network("no_keep_prob", keep_prob=[1.0, 0.5, 0.8])
    with net.fixed_dropout_masks():
        _, grads = net.cost_and_gradients(X, Y, training=True, reuse_masks=False)
        masks = [None] + [layer.D for layer in net.layers[1:]]  # the masks of A[1] and A[2]
        # forward with the same masks, the notes' formulas
        A, As, Zs = X, [X], []
        for l in (1, 2, 3):
            Z = net.params[f"W{l}"] @ A + net.params[f"b{l}"]
            A = np.tanh(Z) if l < 3 else 1 / (1 + np.exp(-Z))
            if l < 3:
                A = A * masks[l] / net.keep_prob[l]
            Zs.append(Z)
            As.append(A)
        m = X.shape[1]
        dZ = As[3] - Y
        for l in (3, 2, 1):
            np.testing.assert_allclose(grads[f"dW{l}"], dZ @ As[l - 1].T / m, rtol=1e-10, atol=1e-14)
            np.testing.assert_allclose(grads[f"db{l}"], dZ.sum(axis=1, keepdims=True) / m, rtol=1e-10, atol=1e-14)
            if l > 1:
                dA = net.params[f"W{l}"].T @ dZ * masks[l - 1]  # the bug: no / keep_prob
                dZ = dA * (1 - np.tanh(Zs[l - 2]) ** 2)


def test_gradient_check_finds_each_planted_bug_and_passes_without():
    X, Y = gn.datasets.make_circles(32, seed=0)
    for bug, kwargs in [("none", {"l2": 0.5}), ("no_l2", {"l2": 0.5}), ("db_no_m", {}),
                        ("no_keep_prob", {"keep_prob": [1.0, 0.7, 0.7]})]:
        net = bug_network(bug, **kwargs)
        dropout = "fixed" if bug == "no_keep_prob" else "off"
        report = gn.gradient_check(net, X, Y, dropout=dropout)
        assert report.passed == (bug == "none"), (bug, report.difference)
    assert bug_network("no_l2").dormant_reason() == "needs_l2"
    assert bug_network("no_keep_prob").dormant_reason() == "needs_dropout"
    assert bug_network("db_no_m").dormant_reason() is None


# ---------------------------------------------------------------------------------- sessions


def test_session_trains_and_frames_hold_every_view():
    s = Session()
    s.configure({"points": 200, "layers": [4, 3], "activations": ["relu", "tanh"]})
    frame = s.frame()
    assert frame["epoch"] == 0 and frame["curves"]["from"] == 0
    s.train_epochs(3)
    frame = s.frame()
    assert frame["epoch"] == 3
    assert len(base64.b64decode(frame["boundary"])) == 64 * 64
    assert [len(layer) for layer in frame["units"]] == [4, 3]
    assert len(base64.b64decode(frame["units"][0][0]["map"])) == 24 * 24
    assert [np.shape(W) for W in frame["weights"]] == [(4, 2), (3, 4)]
    assert [layer["layer"] for layer in frame["layers"]] == [1, 2, 3]
    assert all(layer["mean_abs_dW"] > 0 for layer in frame["layers"])
    assert frame["diagnosis"]["verdict"] == "too shallow to call"  # L = 3: nothing compounds with depth
    assert frame["diagnosis"]["steps"] == 1 and frame["diagnosis"]["gradient_rate"] > 0
    assert frame["curves"]["from"] == 1 and frame["curves"]["epoch"] == [3]
    json.dumps(frame, allow_nan=False)


def test_dead_units_are_found():
    s = Session()
    s.configure({"points": 100, "layers": [3], "activations": ["relu"]})
    s.net.params["b1"] = np.full((3, 1), -1e3)  # every Z far below 0: dead
    frame = s.frame()
    assert frame["layers"][0]["dead_units"] == [0, 1, 2]


def test_hidden_outputs_match_the_networks_forward():
    s = Session()
    s.train_epochs(2)
    out = hidden_outputs(s.net, s.X_dev)
    np.testing.assert_allclose(out[-1][1], s.net.predict_proba(s.X_dev), rtol=1e-5, atol=1e-6)


def test_divergence_stops_training():
    s = Session()
    s.configure({"lr": 10.0, "optimizer": "gd", "init": "random", "scale": 100.0, "points": 100,
                 "activations": ["sigmoid", "sigmoid"]})
    s.train_epochs(50)
    assert s.stopped == "diverged" or s.epoch == 50  # a NaN cost stops it; the frame stays finite JSON
    json.dumps(s.frame(), allow_nan=False)


def test_race_trains_three_initializations():
    s = Session()
    s.configure({"points": 100})
    frame = s.race_start(4, optimizer="setup")
    assert [lane["label"] for lane in frame["lanes"]] == ["zeros", "random x10", "he"] and not frame["done"]
    assert frame["optimizer"] == "setup" and type(s.race.lanes[2]["opt"]).__name__ == "Adam"
    while not frame["done"]:
        frame = s.race_tick(0.01)
    assert [lane["epoch"] for lane in frame["lanes"]] == [4, 4, 4]
    zeros = frame["lanes"][0]
    assert zeros["train_cost"] == pytest.approx(np.log(2), abs=1e-3)  # symmetric: stays at chance


def test_the_race_with_gradient_descent_teaches_the_notes_lesson():
    """Plain gradient descent at the setup's rate (the default race): zeros stay at chance, random x10 ends far
    above He, He first by cost and dev accuracy (circles, 100 epochs, the default setup)."""
    s = Session()
    frame = s.race_start(100)
    assert all(type(lane["opt"]).__name__ == "GradientDescent" for lane in s.race.lanes)
    while not frame["done"]:
        frame = s.race_tick(1.0)
    zeros, big, he = frame["lanes"]
    assert zeros["train_cost"] == pytest.approx(np.log(2), abs=1e-3) and zeros["dev_acc"] == 0.5
    assert he["train_cost"] < 0.5 < 1.0 < (big["train_cost"] or np.inf) and he["dev_acc"] > big["dev_acc"] > 0.5


SETUPS = [
    {"data": "spirals", "layers": [6, 6], "keep_prob": [1.0, 0.8, 0.9], "l2": 0.01, "optimizer": "momentum",
     "batch": 16, "normalize": False, "seed": 4, "points": 150},
    {"data": "upload", "layers": [3], "optimizer": "rmsprop", "batch": 0, "lr": 0.003},
    {"data": "moons", "layers": [5, 4], "keep_prob": [1.0, 0.9, 1.0], "points": 120, "seed": 3},
]
# settings changed while the third run trains (after that many epochs): the script applies them between the same
# epochs (two changes after the same epoch, an optimizer back and forth: Adam's moments start again at zero)
LIVE = {2: [(3, {"lr": 0.003}), (5, {"optimizer": "gd", "batch": 16}), (5, {"optimizer": "adam"}),
            (6, {"l2": 0.1, "keep_prob": [1.0, 0.6, 0.8]}), (7, {"batch": 0, "lr": 0.03})]}
RUN_ALL = """
import os, runpy, sys
for folder in sys.argv[1:]:
    os.chdir(folder)
    runpy.run_path("run.py")
"""


def test_exported_script_repeats_the_run(tmp_path):
    sessions, folders = [], []
    for k, setup in enumerate(SETUPS):
        s = Session()
        if setup["data"] == "upload":
            rng = np.random.default_rng(0)
            rows = "x,y,label\n" + "\n".join(f"{a:.6f},{b:.6f},{'yes' if a * b > 0 else 'no'}"
                                             for a, b in rng.standard_normal((60, 2)))
            s.set_upload("quadrants.csv", rows)
        s.configure(setup)
        for epoch, change in LIVE.get(k, []):
            s.train_epochs(epoch - s.epoch)
            assert s.configure(change)["epoch"] == epoch  # applied live: the run goes on
        s.train_epochs(9 - s.epoch)
        assert s.epoch == 9 and len(s.changes) == len(LIVE.get(k, []))
        export = s.export()
        folder = tmp_path / f"run{k}"
        folder.mkdir()
        (folder / "exported.npz").write_bytes(base64.b64decode(export["model"]))
        (folder / "run.py").write_text(export["script"])
        sessions.append(s)
        folders.append(str(folder))
    # one interpreter runs both scripts (each writes playground-model.npz in its folder)
    subprocess.run([sys.executable, "-c", RUN_ALL, *folders], check=True, capture_output=True, timeout=60)
    for s, folder in zip(sessions, folders, strict=True):
        exported = gn.load(f"{folder}/exported.npz")
        repeated = gn.load(f"{folder}/playground-model.npz")
        np.testing.assert_array_equal(exported.parameters_to_vector(), repeated.parameters_to_vector())
        np.testing.assert_array_equal(exported.parameters_to_vector(), s.net.parameters_to_vector())
        np.testing.assert_array_equal(exported.predict_proba(s.X_dev), s.net.predict_proba(s.X_dev))


def test_a_refused_setup_leaves_the_session_as_it_was(monkeypatch):
    s = Session()
    s.configure({"points": 100, "layers": [3]})
    before = (dict(s.config), s.net.layer_dims, s.X.shape)

    original = pdata.generate

    def refuse(name, points, noise, seed):
        if points == 300:
            raise gn.HyperparameterError("refused")
        return original(name, points, noise, seed)

    monkeypatch.setattr(pdata, "generate", refuse)
    with pytest.raises(gn.HyperparameterError):
        s.configure({"points": 300})
    assert (s.config, s.net.layer_dims, s.X.shape) == before
    s.train_epochs(1)


def test_a_correct_check_near_a_minimum_is_not_failed_nor_blames_the_derivative():
    # #data=circles&act=sigmoid,sigmoid&l2=0.1&keep=1,0.8,0.8, about 75 epochs, then the check: the
    # difference (4.99e-7 when measured) is above 1e-7 only because ‖dθ‖ is small next to rounding
    s = Session()
    s.configure({"data": "circles", "activations": ["sigmoid", "sigmoid"], "l2": 0.1, "keep_prob": [1, 0.8, 0.8]})
    s.train_epochs(75)
    g = s.gradient_check()
    assert g["failed"] is False and g["verdict"] not in ("suspicious", "likely a bug"), g["text"]
    assert "derivative of sigmoid" not in g["text"] and "FAILED" not in g["text"]
    if g["verdict"] == "at the noise floor":
        assert g["noise_floor"] >= g["difference"] and "another ε" in g["text"]
    # the page says "failed" only for g["failed"]; planted, the bug is still failed and named
    s.plant("no_l2")
    bug = s.gradient_check()
    assert bug["failed"] is True and "L2 term (l2/m)·W" in bug["text"]


def test_parse_csv_finds_the_label_by_the_tables_rule():
    body = "\n".join(f"{i},{i * 2},{i % 2}" for i in range(12))
    _, Y, classes = pdata.parse_csv("x,y,label\n" + body)  # label before y, as the command line reads it
    assert classes == ["0", "1"] and Y[0, :3].tolist() == [0, 1, 0]
    _, Y2, _ = pdata.parse_csv("x,target,y\n" + body)  # y before target
    assert Y2[0, :3].tolist() == [0, 1, 0]


# ---------------------------------------------------------------------------------- the page's setup is a RunSpec
@pytest.mark.parametrize("setup", [{}, *[s for s in SETUPS if s["data"] != "upload"],
                                   {"layers": [3, 2], "activations": ["leaky_relu", "tanh"], "init": "glorot"}])
def test_the_pages_setup_and_its_run_spec_map_both_ways(setup):
    config = merge_config(default_config(), setup, has_upload=False)
    spec = to_spec(config)
    assert (spec.schedule, spec.epochs, spec.layers, spec.seed) == ("constant", None, tuple(config["layers"]),
                                                                    config["seed"])
    assert from_spec(spec, config) == config
    assert from_spec(gn.RunSpec.from_json(spec.to_json()), default_config()) == {
        **config, "points": default_config()["points"], "noise": default_config()["noise"]}


@pytest.mark.parametrize("setup", [{"keep_prob": [1.0, 0.8, 0.9], "batch": 16, "points": 150},
                                   {"optimizer": "momentum", "batch": 0, "data": "moons", "seed": 5}])
def test_n_epochs_on_the_page_are_one_fit_of_its_spec(setup):
    s = Session()
    s.configure(setup)
    s.train_epochs(7)
    spec = to_spec(s.config)
    net = gn.runs.build(spec, 2, 1, "sigmoid")
    gn.runs.fit(spec.replace(epochs=7, schedule="constant"), net, s.X_train, s.Y_train)
    np.testing.assert_array_equal(net.parameters_to_vector(), s.net.parameters_to_vector())
