"""RunSpec: one validated, serializable description of a run; build, fit and train from it."""

import json

import numpy as np
import pytest

import glassnet as gn
from glassnet import defaults, runs
from glassnet.runs.spec import SECTIONS, SpecError


def test_defaults_are_the_run_defaults():
    spec = gn.RunSpec()
    assert spec.layers == defaults.HIDDEN_LAYERS
    assert (spec.activation, spec.initializer, spec.optimizer) == (defaults.ACTIVATION, defaults.INITIALIZER,
                                                                   defaults.OPTIMIZER)
    assert (spec.schedule, spec.batch_size, spec.epochs) == (defaults.SCHEDULE, defaults.BATCH_SIZE, None)
    assert spec.start_learning_rate() == defaults.LEARNING_RATES["adam"]
    assert spec.replace(optimizer="momentum").start_learning_rate() is None  # the optimizer's own
    assert spec.epochs_for(300) == defaults.epochs_for(300, defaults.BATCH_SIZE)
    assert spec.normalize_for(None) is True and spec.normalize_for((28, 28, 1)) is False
    assert spec.describe() == "the run defaults"


def test_every_field_is_in_one_section():
    names = [n for part in SECTIONS.values() for n in part]
    assert sorted(names) == sorted(gn.RunSpec().to_dict().keys() - {"spec_version"})
    assert len(names) == len(set(names))


@pytest.mark.parametrize("spec", [
    gn.RunSpec(),
    gn.RunSpec(data="moons", layers=(16, 8), activation="relu,tanh", keep_prob=(1.0, 0.8, 0.5), l2=0.1,
               learning_rate=0.01, schedule="constant", epochs=7, batch_size=None, early_stopping=3, seed=4,
               normalize=False, dtype="float64", augment=None, leaky_alpha=0.2, init_scale=0.5),
    gn.RunSpec(data="digits", layers=(), augment="crop:2,rotate:10", test_fraction=0.3, dev_fraction=0.0),
])
def test_json_round_trip(spec):
    text = json.dumps(spec.to_dict())
    assert gn.RunSpec.from_dict(json.loads(text)) == spec
    assert gn.RunSpec.from_json(spec.to_json()) == spec
    assert json.loads(text)["spec_version"] == 1


def test_one_form_per_value():
    spec = gn.RunSpec(layers=[16, 8], activation=" ReLU ", keep_prob=[0.8], optimizer="SGD", dtype=np.float64,
                      schedule=None)
    assert spec.layers == (16, 8) and spec.activation == "relu" and spec.keep_prob == 0.8
    assert spec.optimizer == "sgd" and spec.dtype == "float64" and spec.schedule == "constant"
    assert gn.RunSpec(layers=5).layers == (5,)
    # with no hidden layer, a one-value list is the input layer's keep_prob, not "every hidden layer"
    no_hidden = gn.RunSpec(layers=(), keep_prob=[0.8])
    assert no_hidden.keep_prob == (0.8,) and runs.build(no_hidden, 3, 1, "sigmoid").keep_prob == [0.8]


@pytest.mark.parametrize("changes, field, words", [
    ({"layers": "64,32"}, "layers", "list of hidden layer sizes"),
    ({"layers": (16, 0)}, "layers[1]", ">= 1"),
    ({"learning_rate": -1}, "learning_rate", "(0.0, inf)"),
    ({"learning_rate": "fast"}, "learning_rate", "must be a number"),
    ({"activation": "relu,tanh,relu"}, "activation", "1 or 2 names"),
    ({"activation": "softmax"}, "activation", "unknown activation"),
    ({"optimizer": "adamw"}, "optimizer", "adam, gd, momentum"),
    ({"keep_prob": (1.0, 0.5)}, "keep_prob", "length L = 3"),
    ({"keep_prob": 0}, "keep_prob", "keep_prob"),
    ({"augment": "spin"}, "augment", "unknown augmentation"),
    ({"early_stopping": 3, "dev_fraction": 0.0}, "early_stopping", "needs a dev set"),
    ({"seed": 1.5}, "seed", "integer"),
    ({"epochs": 0}, "epochs", ">= 1"),
    ({"test_fraction": 1.0}, "test_fraction", "(0.0, 1.0)"),
    ({"task": "ranking"}, "task", "auto, classification, regression"),
    ({"normalize": "yes"}, "normalize", "True or False"),
    ({"dtype": "float16"}, "dtype", "float32, float64"),
])
def test_a_bad_value_names_its_field(changes, field, words):
    with pytest.raises(SpecError) as caught:
        gn.RunSpec(layers=(16, 8)).replace(**changes)
    assert caught.value.field == field
    assert words in str(caught.value)


def test_an_unknown_setting_is_refused_with_the_close_name():
    with pytest.raises(SpecError, match="did you mean 'learning_rate'"):
        gn.RunSpec().replace(lerning_rate=0.1)
    with pytest.raises(SpecError, match="no setting 'colour'"):
        gn.RunSpec.from_dict({"colour": "red"})
    with pytest.raises(gn.HyperparameterError, match="version 9"):
        gn.RunSpec.from_dict({"spec_version": 9})
    with pytest.raises(gn.HyperparameterError, match="JSON"):
        gn.RunSpec.from_json("{not json")


def test_build_gives_the_network_the_spec_describes():
    spec = gn.RunSpec(layers=(5, 4), activation="leaky_relu,tanh", leaky_alpha=0.2, initializer="xavier",
                      init_scale=0.5, keep_prob=0.8, l2=0.3, dtype="float64", seed=7)
    net = runs.build(spec, 3, 2, "softmax", input_scale=16.0, class_names=("a", "b"))
    assert net.layer_dims == [3, 5, 4, 2]
    assert [a.name for a in net.activations] == ["leaky_relu", "tanh", "softmax"]
    assert net.activations[0].alpha == 0.2
    assert (net.initializer, net.init_scale, net.l2, net.dtype.name) == ("xavier", 0.5, 0.3, "float64")
    assert net.keep_prob == [1.0, 0.8, 0.8]
    assert net.input_scale == 16.0 and net.class_names == ["a", "b"]
    same = gn.Network([3, 5, 4, 2], activations=[gn.LeakyReLU(0.2), "tanh", "softmax"], initializer="xavier",
                      init_scale=0.5, keep_prob=0.8, l2=0.3, dtype="float64", seed=7)
    np.testing.assert_array_equal(net.parameters_to_vector(), same.parameters_to_vector())


def test_fit_settings_follow_the_spec():
    spec = gn.RunSpec(early_stopping=4, augment="crop", batch_size=None, checkpoint_every=2, seed=3)
    s = runs.fit_settings(spec, image_shape=(8, 8, 1), checkpoint_dir="ck")
    assert s["early_stopping"].patience == 4 and s["batch_size"] is None and s["seed"] == 3
    assert s["augment"] is not None and s["image_shape"] == (8, 8, 1) and s["normalize"] is False
    assert s["checkpoint_dir"] == "ck" and s["checkpoint_every"] == 2
    assert runs.fit_settings(gn.RunSpec(checkpoint_every=2))["checkpoint_dir"] is None  # nowhere to write


def test_a_run_is_repeatable_and_matches_the_network_api():
    spec = gn.RunSpec(data="moons", layers=(8,), epochs=4, seed=2)
    first, second = runs.train(spec), runs.train(spec)
    np.testing.assert_array_equal(first.net.parameters_to_vector(), second.net.parameters_to_vector())
    assert set(first.results()) == {"train", "dev", "test"}
    # by hand, with the Network API and the same splits
    (X, Y), (X_dev, Y_dev) = first.data.splits["train"], first.data.splits["dev"]
    net = gn.Network([2, 8, 1], activations=["relu", "sigmoid"], seed=2)
    net.fit(X, Y, X_dev=X_dev, Y_dev=Y_dev, epochs=4, seed=2, normalize=True)
    np.testing.assert_array_equal(net.parameters_to_vector(), first.net.parameters_to_vector())


def test_run_data_splits_and_task():
    data = runs.prepare(gn.RunSpec(data="digits", limit=500, dev_fraction=0.2))
    assert data.splits["train"][0].shape[1] == 400 and data.splits["dev"][0].shape[1] == 100
    assert (data.output, data.n_out, data.classification) == ("softmax", 10, True)
    assert data.pipeline["input_scale"] == 16.0  # raw 0..16: the network divides
    assert "dev" not in runs.prepare(gn.RunSpec(data="moons", dev_fraction=0.0)).splits
    with pytest.raises(gn.HyperparameterError, match="not made of images"):
        runs.prepare(gn.RunSpec(data="moons", augment="crop"))


def test_the_readme_block_runs_as_written(tmp_path, monkeypatch, capsys):
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = text.split("## One description of a run", 1)[1]
    block = section.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    scope = {}
    exec(compile(block, "README.md", "exec"), scope)  # noqa: S102 - the README's own code, as a reader runs it
    assert scope["run"].results()["test"]["accuracy"] > 0.9
    assert scope["wider"].layers == (64, 32) and scope["net"].layer_dims == [2, 20, 7, 1]
    assert "accuracy" in capsys.readouterr().out
