"""The command line's flags as a RunSpec: every flag lands in its field, a refused value names its flag,
results.json and the model file hold the spec, and ``glassnet train --spec`` runs it again."""

from __future__ import annotations

import json

import numpy as np
import pytest

import glassnet as gn
from glassnet import cli
from glassnet.errors import HyperparameterError
from glassnet.runs import RunSpec

# every RunSpec field, set by its flag to a value other than its default
FLAGS = ["--data", "moons", "--label", "y", "--task", "classification", "--test-fraction", "0.3",
         "--dev-fraction", "0.2", "--limit", "100", "--no-normalize", "--standardize-targets",
         "--layers", "7,5", "--activation", "tanh,relu", "--leaky-alpha", "0.2", "--dtype", "float64",
         "--initializer", "xavier", "--init-scale", "0.5", "--l2", "0.3", "--keep-prob", "1,0.9,0.8",
         "--optimizer", "momentum", "--learning-rate", "0.05", "--schedule", "step", "--epochs", "7",
         "--batch-size", "0", "--early-stopping", "3", "--augment", "crop", "--checkpoint-every", "2",
         "--diagnostics", "--seed", "9"]
FIELDS = {"data": "moons", "data_path": None, "label": "y", "task": "classification", "test_fraction": 0.3,
          "dev_fraction": 0.2, "limit": 100, "normalize": False, "standardize_targets": True, "layers": [7, 5],
          "activation": "tanh,relu", "leaky_alpha": 0.2, "dtype": "float64", "initializer": "xavier",
          "init_scale": 0.5, "l2": 0.3, "keep_prob": [1.0, 0.9, 0.8], "optimizer": "momentum",
          "learning_rate": 0.05, "schedule": "step", "epochs": 7, "batch_size": None, "early_stopping": 3,
          "augment": "crop", "checkpoint_every": 2, "diagnostics": True, "seed": 9}


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_flag_lands_in_its_field():
    for command in ("train", "sweep"):
        spec = cli.spec_from_args(cli.parse_args([command, *FLAGS]))
        assert {k: v for k, v in spec.to_dict().items() if k != "spec_version"} == FIELDS, command
    assert set(FIELDS) == set(RunSpec().to_dict()) - {"spec_version"}  # the test covers every field


def test_the_defaults_of_the_flags_are_the_run_defaults():
    spec = cli.spec_from_args(cli.parse_args(["train"]))
    assert spec == RunSpec()


@pytest.mark.parametrize("changes,flag", [
    ({"learning_rate": -1.0}, "--learning-rate must be a number in (0.0, inf)"),
    ({"activation": "relu,tanh,relu"}, "--activation needs 1 or 2 names"),
    ({"activation": "swish"}, "--activation: unknown activation 'swish'"),
    ({"keep_prob": [1.0, 0.5]}, "--keep-prob as a sequence must have length L = 3"),
    ({"early_stopping": 2, "dev_fraction": 0.0}, "--early-stopping needs a dev set: --dev-fraction > 0"),
    ({"augment": "bogus"}, "--augment: unknown augmentation 'bogus'"),
    ({"batch_size": -4}, "--batch-size"),
])
def test_a_refused_value_names_its_flag(changes, flag):
    args = cli.parse_args(["train"])
    for name, value in changes.items():  # past argparse's own checks: RunSpec's are the ones that answer
        setattr(args, name, value)
    with pytest.raises(HyperparameterError) as caught:
        cli.spec_from_args(args)
    assert flag in str(caught.value)


def test_only_the_flags_typed_are_recorded():
    assert cli.parse_args(["train", "--spec", "s.json", "--seed", "0", "--no-normalize"]).typed == {
        "spec", "seed", "normalize"}
    assert not hasattr(cli.parse_args(["train", "--seed", "0"]), "typed")


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("first")
    argv = ["train", "--data", "moons", "--layers", "6,4", "--activation", "tanh", "--epochs", "4", "--seed", "3",
            "--batch-size", "32", "--l2", "0.1", "--out", str(out), "--quiet"]
    assert cli.main(argv) == 0
    return out, cli.spec_from_args(cli.parse_args(argv))


def test_results_json_and_the_model_file_hold_the_spec(first_run):
    out, spec = first_run
    results = json.loads((out / "results.json").read_text())
    assert RunSpec.from_dict(results["spec"]) == spec
    assert {"config", "seeds", "data", "training", "train", "dev", "test"} <= set(results)
    meta = gn.io.load_metadata(out / "model.npz")
    assert RunSpec.from_dict(meta["extra"]["run_spec"]) == spec


@pytest.mark.parametrize("source", ["results.json", "model.npz", "spec.json"])
def test_train_with_the_stored_spec_gives_the_same_weights(first_run, source, tmp_path, capsys):
    out, spec = first_run
    stored = out / source
    if source == "spec.json":
        stored = tmp_path / "spec.json"
        stored.write_text(spec.to_json())
    code, _, err = run(capsys, "train", "--spec", str(stored), "--out", str(tmp_path / "again"), "--quiet")
    assert code == 0, err
    first, again = gn.load(out / "model.npz"), gn.load(tmp_path / "again" / "model.npz")
    assert np.array_equal(first.parameters_to_vector(), again.parameters_to_vector())
    assert json.loads((tmp_path / "again" / "results.json").read_text())["spec"] == spec.to_dict()


def test_flags_typed_beside_the_spec_override_it_and_defaults_do_not(first_run):
    out, spec = first_run
    args = cli.parse_args(["train", "--spec", str(out / "results.json"), "--seed", "0", "--epochs", "2"])
    assert cli.spec_from_args(args) == spec.replace(seed=0, epochs=2)  # --seed 0 is typed: it counts


@pytest.mark.parametrize("content,message", [
    (None, "--spec {path}: no such file"),
    ("{not json", "--spec {path}: not a JSON file"),
    ('{"layers": [4], "lr": 0.1}', "--spec {path}: a run spec has no setting 'lr'"),
    ('{"learning_rate": -1}', "--spec {path}: learning_rate must be a number"),
    ("[1, 2]", "--spec {path} holds no run spec"),
])
def test_a_bad_spec_file_is_one_line(content, message, tmp_path, capsys):
    path = tmp_path / "spec.json"
    if content is not None:
        path.write_text(content)
    code, _, err = run(capsys, "train", "--spec", str(path), "--out", str(tmp_path / "run"), "--quiet")
    assert code == 2 and err.startswith("glassnet: error: ") and len(err.strip().splitlines()) == 1, err
    assert message.format(path=path) in err
    assert not (tmp_path / "run").exists()


def test_a_sweep_of_the_stored_spec_retrains_trains_weights(first_run, tmp_path, capsys):
    """sweep and train read the flags the same way (spec_from_args) and run the same plan: a one-trial sweep
    of train's stored spec (its seeds counted from the spec's seed) saves train's weights bit for bit."""
    out, spec = first_run
    code, printed, err = run(capsys, "sweep", "--spec", str(out / "results.json"), "--seeds", "1", "--jobs", "1",
                             "--out", str(tmp_path / "sweep"), "--quiet")
    assert code == 0, err
    assert "1 configurations x 1 seeds = 1 trials" in printed
    assert json.loads((tmp_path / "sweep" / "sweep.json").read_text())["spec"] == spec.to_dict()
    trained, swept = gn.load(out / "model.npz"), gn.load(tmp_path / "sweep" / "best_model.npz")
    assert np.array_equal(trained.parameters_to_vector(), swept.parameters_to_vector())


def test_sweep_refuses_the_settings_of_a_single_run_even_from_a_spec(first_run, tmp_path, capsys):
    out, _ = first_run
    code, _, err = run(capsys, "sweep", "--spec", str(out / "results.json"), "--diagnostics", "--out",
                       str(tmp_path / "sweep"))
    assert code == 2 and "glassnet sweep does not take --diagnostics" in err and not (tmp_path / "sweep").exists()
