import numpy as np

import glassnet.labs as labs
from glassnet import runs as run_specs
from glassnet.data.datasets import make_moons
from glassnet.runs import RunSpec

from .honesty import check_honest


def test_early_stopping_lab(tmp_path):
    result = labs.run("early-stopping", out=tmp_path, quick=True, seed=0, seeds=5, verbose=False)
    runs = result.data["runs"]
    assert [r["seed"] for r in runs] == [0, 1, 2, 3, 4]
    med = {k: np.median([r[k] for r in runs]) for k in runs[0]}
    assert med["dev_cost_restored"] < med["dev_cost_final"]
    assert med["train_cost_final"] < med["train_cost_at_best"]
    assert all(r["stopped_epoch"] == r["best_epoch"] + result.data["patience"] for r in runs
               if r["stopped_epoch"] < result.data["epochs"])
    assert (tmp_path / "early_stopping.png").is_file()
    check_honest(tmp_path)
    fell = [r["train_cost_at_best"] > r["train_cost_final"] for r in runs]
    assert result.claims[0].verdict == ("holds" if all(fell) else "inconclusive" if any(fell) else "fails")


def test_the_early_stopping_run_is_its_run_spec(tmp_path):
    """The lab's stored spec of the stopped run, trained by runs.build + runs.fit on the lab's data of that
    seed, stops at the lab's epoch with the lab's restored dev cost, bit for bit."""
    result = labs.run("early-stopping", out=tmp_path, quick=True, seed=2, seeds=1, verbose=False)
    spec = RunSpec.from_dict(result.run_specs["stopped"])
    assert spec.seed == 2 and spec.early_stopping == result.data["patience"] and spec.batch_size is None
    assert spec.replace(early_stopping=0) == RunSpec.from_dict(result.run_specs["full"])
    X, Y = make_moons(100, noise=0.35, seed=2)
    X_dev, Y_dev = make_moons(300, noise=0.35, seed=2 + 10_000)
    net = run_specs.build(spec, 2, 1, "sigmoid")
    history = run_specs.fit(spec, net, X, Y, X_dev, Y_dev)
    record = result.data["runs"][0]
    assert history.best_epoch == record["best_epoch"]
    assert net.evaluate(X_dev, Y_dev)["cost"] == record["dev_cost_restored"]
