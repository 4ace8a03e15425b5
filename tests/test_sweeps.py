"""Sweeps: expansion of grids and random draws, and the three backends on a real Dask LocalCluster.

The cluster (two worker processes, one thread each) is started once for the module and closed at
its end. Networks and data are tiny: what is tested is where trials run and what comes back.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import io
import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

import glassnet as gn
from glassnet import cli, sweeps

if importlib.util.find_spec("distributed") is None:  # checked without importing it while collecting (the fixture does)
    pytest.skip("could not import 'distributed' (pip install -e '.[test]')", allow_module_level=True)

NUMBERS = ["id", "seed", "status", "train_data_cost", "train_accuracy", "dev_data_cost", "dev_accuracy",
           "test_data_cost", "test_accuracy", "best_epoch", "epochs_run"]


@pytest.fixture(scope="module")
def cluster():
    import distributed

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  scheduler_kwargs={"dashboard_address": ":0"}) as c:
        yield c


@pytest.fixture(scope="module")
def moons():
    X, Y = gn.datasets.make_moons(160, noise=0.25, seed=0)
    return {"X": X[:, :100], "Y": Y[:, :100], "X_dev": X[:, 100:130], "Y_dev": Y[:, 100:130],
            "X_test": X[:, 130:], "Y_test": Y[:, 130:]}


def small_sweep(data, out, **kwargs):
    options = {"layers": [4], "epochs": 15, "batch_size": 32, "grid": {"l2": [0.0, 0.5], "keep_prob": [1.0, 0.8]},
               "seeds": 2, "progress": False}
    return sweeps.sweep(data["X"], data["Y"], X_dev=data["X_dev"], Y_dev=data["Y_dev"], X_test=data["X_test"],
                        Y_test=data["Y_test"], out=out, **{**options, **kwargs})


def read_csv(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def numbers(path):
    return [[row[c] for c in NUMBERS] for row in read_csv(path)]


def without_seconds(summary):
    return [{k: v for k, v in entry.items() if not k.startswith("seconds")} for entry in summary]


def kill_worker_once(data, config, seed, marker):
    """A trial whose first run (seed 1, l2 0.5) kills the process it runs in."""
    if seed == 1 and config["l2"] == 0.5 and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)
    return sweeps.train_trial(data, config, seed)


# ---------------------------------------------------------------------- configurations


def test_grid_and_random_expansion_is_reproducible_and_checked():
    configs = sweeps.expand({"l2": [0, 0.1], "layers": ["20x7", [5]]})
    assert configs == [{"l2": 0.0, "layers": [20, 7]}, {"l2": 0.0, "layers": [5]},
                       {"l2": 0.1, "layers": [20, 7]}, {"l2": 0.1, "layers": [5]}]
    random = sweeps.parse_random(["learning_rate=log:1e-4:1e-1", "batch_size=int:16:64",
                                  "activation=choice:relu,tanh"])
    drawn = sweeps.expand({"keep-prob": [1, 0.8]}, random, n_random=5, random_seed=3)
    assert drawn == sweeps.expand({"keep_prob": [1, 0.8]}, random, n_random=5, random_seed=3)
    assert len(drawn) == 10 and {c["keep_prob"] for c in drawn} == {1.0, 0.8}
    assert all(1e-4 <= c["learning_rate"] <= 1e-1 and 16 <= c["batch_size"] <= 64 for c in drawn)
    assert {c["activation"] for c in drawn} <= {"relu", "tanh"}
    assert sweeps.parse_grid(["l2=0,0.1,0.7", "layers=20x7,40"]) == {"l2": ["0", "0.1", "0.7"],
                                                                     "layers": ["20x7", "40"]}
    assert sweeps.expand() == [{}]
    with pytest.raises(gn.UnknownNameError, match="lerning_rate"):
        sweeps.expand({"lerning_rate": [0.1]})
    with pytest.raises(gn.HyperparameterError, match="both in the grid and drawn"):
        sweeps.expand({"l2": [0]}, {"l2": ("uniform", 0, 1)}, n_random=2)
    with pytest.raises(gn.HyperparameterError, match="low > 0"):
        sweeps.expand(random={"l2": ("log", 0, 1)}, n_random=2)
    with pytest.raises(gn.HyperparameterError, match="--grid takes NAME=VALUES"):
        sweeps.parse_grid(["l2"])
    for empty in ("20xx7", "20x", "x7"):  # an empty layer size is a typo, not a smaller network
        with pytest.raises(gn.HyperparameterError, match="layers"):
            sweeps.expand({"layers": [empty]})
    with pytest.raises(gn.HyperparameterError, match="keep_prob"):
        sweeps.expand({"keep_prob": ["1xx0.8"]})


def test_data_cost_leaves_out_the_l2_term(moons):
    net = gn.Network([2, 5, 1], l2=0.7, seed=0)
    X, Y = moons["X"], moons["Y"]
    A = np.asarray(net.predict_proba(X), dtype=np.float64)
    cross_entropy = -float(np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))  # the notes' J, no L2 term
    data_cost = sweeps.data_cost(net.evaluate(X, Y))
    assert data_cost == pytest.approx(cross_entropy, rel=1e-5)
    assert net.cost(X, Y) == pytest.approx(cross_entropy + net.l2_cost(X.shape[1]), rel=1e-5)
    assert sweeps.data_cost({"cost": 9.0, "data_cost": 1.5}) == 1.5  # an evaluate that reports both


def test_backend_options_from_the_command_line_flags():
    assert sweeps.backend_options() == ("local", None, None)
    assert sweeps.backend_options(jobs=1) == ("sequential", None, None)
    assert sweeps.backend_options(dask="local:3") == ("dask", 3, None)
    assert sweeps.backend_options(scheduler="tcp://h:8786") == ("dask", None, "tcp://h:8786")
    assert sweeps.backend_options(default="sequential") == ("sequential", None, None)
    with pytest.raises(gn.HyperparameterError, match="--scheduler"):
        sweeps.backend_options(dask="tcp://h:8786")


# ---------------------------------------------------------------------- backends


def test_dask_gives_the_local_and_sequential_numbers_bit_for_bit(moons, cluster, tmp_path):
    # no figures nor best model here (test_outputs_summary_ranking_best_model_and_figures checks those on Dask):
    # the numbers, the summary and where the trials ran are what this test compares
    on_dask = small_sweep(moons, tmp_path / "dask", backend="dask", scheduler=cluster, figures=False, save_best=False)
    sequential = small_sweep(moons, tmp_path / "sequential", backend="sequential", figures=False, save_best=False)
    # The local backend, with one of its worker processes dying mid-sweep: its trial runs again.
    marker = tmp_path / "killed"
    local = small_sweep(moons, tmp_path / "local", backend="local", n_workers=2, figures=False, save_best=False,
                        trial=functools.partial(kill_worker_once, marker=str(marker)))
    assert marker.exists() and local.failed == 0 and on_dask.ran == 8 and on_dask.failed == 0
    assert numbers(tmp_path / "dask" / "results.csv") == numbers(tmp_path / "sequential" / "results.csv")
    assert numbers(tmp_path / "dask" / "results.csv") == numbers(tmp_path / "local" / "results.csv")
    assert without_seconds(on_dask.summary) == without_seconds(local.summary) == without_seconds(sequential.summary)
    # The trials ran in worker processes, none in this process.
    here = f"{socket.gethostname()}:{os.getpid()}"
    assert len({row["worker"] for row in on_dask.rows}) == 2 and here not in {row["worker"] for row in on_dask.rows}
    assert here not in {row["worker"] for row in local.rows}


def test_outputs_summary_ranking_best_model_and_figures(moons, cluster, tmp_path):
    result = small_sweep(moons, tmp_path, backend="dask", scheduler=cluster)
    rows = read_csv(tmp_path / "results.csv")
    assert [r["trial"] for r in rows] == [str(i) for i in range(8)]
    assert {(r["l2"], r["keep_prob"], r["seed"]) for r in rows} == {
        (l2, kp, s) for l2 in ("0.0", "0.5") for kp in ("1.0", "0.8") for s in ("0", "1")}
    summary = read_csv(tmp_path / "summary.csv")
    medians = [float(r["dev_data_cost_median"]) for r in summary]
    assert medians == sorted(medians) and [r["rank"] for r in summary] == ["1", "2", "3", "4"]
    best = summary[0]
    runs = [float(r["dev_data_cost"]) for r in rows if (r["l2"], r["keep_prob"]) == (best["l2"], best["keep_prob"])]
    assert float(best["dev_data_cost_median"]) == pytest.approx(np.median(runs), rel=1e-5)
    assert float(best["dev_data_cost_min"]) == pytest.approx(min(runs), rel=1e-5)
    # The best model, retrained here from (configuration, seed) alone, gives its trial's numbers exactly.
    net = gn.load(tmp_path / "best_model.npz")
    row = result.best["row"]
    assert sweeps.data_cost(net.evaluate(moons["X_dev"], moons["Y_dev"])) == row["dev_data_cost"]
    assert net.l2 == result.best["config"]["l2"]
    assert not result.notes
    for name in ("dev_accuracy_l2.png", "dev_accuracy_keep_prob.png"):
        assert (tmp_path / name).stat().st_size > 10_000
    assert "rank" in result.report() and "best: l2=" in result.report()


def test_a_failing_trial_is_recorded_and_a_rerun_skips_finished_trials(moons, cluster, tmp_path):
    # RunSpec takes augment="crop", but these arrays are not images: those trials raise when they fit
    grid = {"augment": [None, "crop"]}
    first = small_sweep(moons, tmp_path, backend="dask", scheduler=cluster, grid=grid)
    rows = read_csv(tmp_path / "results.csv")
    assert first.ran == 4 and first.failed == 2
    assert [r["status"] for r in rows] == ["ok", "ok", "error", "error"]
    assert all("HyperparameterError" in r["error"] and "augment" in r["error"] for r in rows[2:])
    assert rows[2]["train_data_cost"] == ""
    assert "HyperparameterError" in (tmp_path / "errors.log").read_text()
    assert first.summary[-1]["failed"] == 2 and first.summary[-1]["seeds"] == 0

    again = small_sweep(moons, tmp_path, backend="dask", scheduler=cluster, grid=grid)
    assert (again.skipped, again.ran, again.failed) == (2, 2, 2)  # finished trials skipped, failed ones run again
    assert read_csv(tmp_path / "results.csv")[:2] == rows[:2]    # same seconds and worker: not run again

    more = small_sweep(moons, tmp_path, backend="dask", scheduler=cluster, grid={"augment": [None]}, seeds=3)
    assert (more.skipped, more.ran) == (2, 1)
    assert [r["seed"] for r in more.rows] == [0, 1, 2]
    with pytest.raises(gn.HyperparameterError, match="another out folder"):
        small_sweep(moons, tmp_path, backend="sequential", grid=grid, epochs=16)


def test_a_half_written_row_is_run_again(moons, tmp_path):
    small_sweep(moons, tmp_path, backend="sequential", figures=False, save_best=False)
    text = (tmp_path / "results.csv").read_text()
    (tmp_path / "results.csv").write_text(text[: text.rstrip().rfind("\n") + 20])  # cut inside the last row
    again = small_sweep(moons, tmp_path, backend="sequential", figures=False, save_best=False)
    assert (again.skipped, again.ran) == (7, 1)
    assert numbers(tmp_path / "results.csv") == [[r[c] for c in NUMBERS] for r in csv.DictReader(io.StringIO(text))]


def test_a_dask_worker_killed_mid_sweep_has_its_trial_rerun(moons, cluster, tmp_path):
    marker = tmp_path / "killed"
    result = small_sweep(moons, tmp_path / "out", backend="dask", scheduler=cluster, figures=False, save_best=False,
                         trial=functools.partial(kill_worker_once, marker=str(marker)))
    assert marker.exists()  # a worker process did die
    assert result.failed == 0 and [r["status"] for r in result.rows] == ["ok"] * 8
    small_sweep(moons, tmp_path / "reference", backend="sequential", figures=False, save_best=False)
    assert numbers(tmp_path / "out" / "results.csv") == numbers(tmp_path / "reference" / "results.csv")


# ---------------------------------------------------------------------- the command line


def test_glassnet_sweep_on_a_running_cluster(cluster, tmp_path, capsys):
    out = tmp_path / "sweep"
    argv = ["sweep", "--data", "moons", "--layers", "4", "--grid", "l2=0,0.5", "--seeds", "2", "--epochs", "5",
            "--limit", "150", "--scheduler", cluster.scheduler_address, "--out", str(out), "--quiet"]
    assert cli.main(argv) == 0
    printed = capsys.readouterr().out
    assert "2 configurations x 2 seeds = 4 trials" in printed and "rank" in printed
    assert len(read_csv(out / "results.csv")) == 4 and (out / "best_model.npz").is_file()
    assert cli.main(argv) == 0
    assert "0 ran, 4 were already done" in capsys.readouterr().out


def test_the_best_model_of_glassnet_sweep_takes_raw_features_like_glassnet_train(tmp_path, capsys):
    """digits are 0..16: the sweep's networks divide by 16 themselves (train's pipeline), so best_model.npz
    predicts from the raw features, answers in the class names and agrees with evaluate on the test set."""
    import glassnet as gn

    out = tmp_path / "sweep"
    argv = ["sweep", "--data", "digits", "--layers", "16", "--grid", "l2=0,0.1", "--seeds", "1", "--epochs", "10",
            "--batch-size", "32", "--learning-rate", "0.01",
            "--limit", "300", "--jobs", "1", "--out", str(out), "--quiet"]
    assert cli.main(argv) == 0
    net = gn.load(out / "best_model.npz")
    assert net.input_scale == 16 and net.class_names is not None and len(net.class_names) == 10
    data = gn.datasets.load("digits", seed=0, scaled=False)
    accuracy = float(np.mean(net.predict(data.X_test) == data.Y_test))
    row = min(read_csv(out / "results.csv"), key=lambda r: float(r["dev_data_cost"]))
    assert accuracy == pytest.approx(float(row["test_accuracy"])) and accuracy > 0.8, (accuracy, row)
    capsys.readouterr()


def test_glassnet_sweep_refuses_unknown_settings_in_one_line(tmp_path, capsys):
    assert cli.main(["sweep", "--grid", "lr=0.1", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "learning_rate" in err


def test_without_dask_the_dask_flags_say_how_to_install(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now raises ImportError
    assert cli.main(["sweep", "--data", "moons", "--dask", "local", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and 'pip install "glassnet[sweeps]"' in err
    assert cli.main(["lab", "regularization", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert 'pip install "glassnet[sweeps]"' in capsys.readouterr().err


def test_import_glassnet_needs_neither_dask_nor_joblib():
    code = ("import sys\n"
            "class Block:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] in ('dask', 'distributed', 'joblib'):\n"
            "            raise ImportError(name)\n"
            "sys.meta_path.insert(0, Block())\n"
            "import glassnet\n"
            "assert callable(glassnet.sweep)\n"
            "assert not any(m.split('.')[0] in ('dask', 'distributed', 'joblib') for m in sys.modules)\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# ---------------------------------------------------------------------- run_sweep: a RunSpec's sweep


def test_a_one_trial_run_sweep_saves_the_weights_of_runs_train_bit_for_bit(tmp_path):
    from threadpoolctl import threadpool_limits

    spec = gn.RunSpec(data="moons", layers=(5,), epochs=4, batch_size=32, limit=200, l2=0.01, seed=3)
    result = sweeps.run_sweep(spec, seeds=1, out=tmp_path, backend="sequential", progress=False)
    assert [row["seed"] for row in result.rows] == [3] and result.best["seed"] == 3  # a count starts at spec.seed
    with threadpool_limits(limits=1):  # as every trial runs
        run = gn.runs.train(spec)
    saved = gn.load(tmp_path / "best_model.npz")
    assert saved.params.keys() == run.net.params.keys()
    for name, value in run.net.params.items():
        assert np.array_equal(saved.params[name], value), name
    assert gn.RunSpec.from_dict(gn.io.load_metadata(tmp_path / "best_model.npz")["extra"]["run_spec"]) == spec
    test_X, test_Y = run.data.splits["test"]
    assert result.rows[0]["test_data_cost"] == sweeps.data_cost(run.net.evaluate(test_X, test_Y))


def test_run_sweep_stores_its_base_spec_and_each_trial_is_the_spec_with_its_config(tmp_path):
    spec = gn.RunSpec(data="moons", layers=(4,), epochs=2, batch_size=64, limit=150, seed=7)
    result = sweeps.run_sweep(spec, grid={"l2": [0, "0.5"], "layers": ["3x2"]}, seeds=[1, 2], out=tmp_path,
                              backend="sequential", progress=False, figures=False, save_best=False)
    written = json.loads((tmp_path / "sweep.json").read_text())
    assert gn.RunSpec.from_dict(written["spec"]) == spec and written["seeds"] == [1, 2]
    assert [(r["l2"], r["layers"], r["seed"]) for r in result.rows] == [
        (0.0, [3, 2], 1), (0.0, [3, 2], 2), (0.5, [3, 2], 1), (0.5, [3, 2], 2)]
    trial = sweeps.runner.make_trials(sweeps.expand({"l2": [0.5]}, spec=spec), spec, [1])[0]
    assert sweeps.trial_spec(trial.settings, trial.seed) == spec.replace(l2=0.5, seed=1)
    with pytest.raises(gn.HyperparameterError, match="another out folder"):  # another base: refused
        sweeps.run_sweep(spec.replace(epochs=3), grid={"l2": [0]}, seeds=[1], out=tmp_path, backend="sequential",
                         progress=False)


@pytest.mark.parametrize(("grid", "field"), [({"l2": [0.1, -1.0]}, "l2"), ({"keep_prob": [1, 1.5]}, "keep_prob"),
                                             ({"activation": ["relu", "relux"]}, "activation"),
                                             ({"layers": ["20xx7"]}, "layers"), ({"epochs": ["2.5"]}, "epochs"),
                                             ({"keep_prob": [[1, 0.9, 0.8]]}, "keep_prob")])
def test_grid_values_refused_by_runspec_name_the_field(grid, field, tmp_path):
    spec = gn.RunSpec(data="moons", layers=(4,))  # keep_prob per layer input: 2 values here, not 3
    with pytest.raises(gn.runs.SpecError) as caught:
        sweeps.run_sweep(spec, grid=grid, out=tmp_path, backend="sequential", progress=False)
    assert caught.value.field == field and field in str(caught.value)
    assert not (tmp_path / "results.csv").exists()  # refused before anything ran
    with pytest.raises(gn.runs.SpecError) as caught:
        sweeps.expand(random={field: ("choice", [grid[field][-1]])}, n_random=1, spec=spec)
    assert caught.value.field == field
