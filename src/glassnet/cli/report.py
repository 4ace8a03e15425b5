"""What `glassnet train` writes into its folder: model.npz, history.json, results.json, the plots, and
the table of results it prints.

results.json holds the results per split, ``spec`` (the RunSpec, enough to run it again:
``glassnet train --spec results.json``), ``config`` (every flag as given and what the defaults
resolved to), ``seeds``, ``data`` (where the data is, for evaluate) and ``training`` (how it ended).
The model file's metadata holds the same ``data`` record and the spec (``run_spec``).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np

from ..errors import GlassnetError, PathError
from ..runs.data import is_file_name
from .outfolder import reason, save_figure, write_text_atomic


def results_table(results: dict) -> str:
    """The cost and accuracy (or rmse) of every split, one line each."""
    metric = "rmse" if "rmse" in next(iter(results.values())) else "accuracy"
    lines = [f"{'split':<8}{'cost':>12}{metric:>12}"]
    for split in ("train", "dev", "test", "all"):
        if split in results:
            r = results[split]
            value = f"{100 * r[metric]:>11.2f}%" if metric == "accuracy" else f"{r[metric]:>12.4f}"
            lines.append(f"{split:<8}{r['cost']:>12.4f}{value}")
    return "\n".join(lines) + "\n(cost: the data cost, J without the L2 term)"


def json_default(value):
    """JSON for NumPy scalars and paths (and the text of anything else)."""
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def data_record(spec, dataset, out: Path) -> dict:
    """Where the training data is and what it was, for evaluate: a file's absolute path, its path from
    the model's folder and its sha256; a built-in set's name and folder."""
    from ..data.datasets import file_sha256

    record = {"name": dataset.name, "label": getattr(dataset, "label_name", None), "test_fraction": spec.test_fraction,
              "seed": spec.seed, "input_scale": dataset.input_scale, "m_train": int(dataset.Y_train.shape[1]),
              "m_test": int(dataset.Y_test.shape[1])}
    if is_file_name(spec.data):
        file = Path(spec.data).resolve()
        record.update(kind="file", file=str(file), file_from_model=os.path.relpath(file, out.resolve()),
                      sha256=file_sha256(file))
    else:
        folder = None if spec.data_path is None else str(Path(spec.data_path).resolve())
        record.update(kind="built-in", data_path=folder)
    return record


def run_config(args, run) -> dict:
    """The full configuration of a run: every flag as given, and what the defaults resolved to."""
    from ..optimizers import get_optimizer

    spec, net = run.spec, run.net
    flags = {k: v for k, v in vars(args).items() if k not in ("handler", "command", "typed")}
    return {"command": "train", "flags": flags, "layer_dims": net.layer_dims,
            "activations": [a.name for a in net.activations], "normalize": spec.normalize_for(run.data.image_shape),
            "standardize_targets": net.target_normalizer is not None, "input_scale": net.input_scale,
            "learning_rate": get_optimizer(spec.optimizer, spec.start_learning_rate()).learning_rate,
            "batch_size": spec.batch_size or "full batch", "epochs": planned_epochs(run)}


def planned_epochs(run) -> int:
    """--epochs, or the run default for the training split's size (``defaults.epochs_for``)."""
    return run.spec.epochs_for(run.data.splits["train"][0].shape[1])


def seeds_record(seed: int) -> dict:
    """Every random choice of a run and the seed it draws from: all from the one --seed."""
    return {"seed": seed, "test_split": seed, "dev_split": seed, "initialization": seed, "dropout_masks": seed,
            "mini_batch_order": seed, "augmentation": f"spawned from the mini-batch generator of seed {seed}"}


def write_run(args, run, out: Path, history, weights_epoch, started: float) -> dict:
    """model.npz, history.json, the plots and results.json (results, spec, configuration, seeds), last; the results.

    Each file is written whole (a temporary file, fsync, os.replace): a full disk or a kill leaves the old
    file or the new one, never a part; results.json comes last, so a folder holding it holds the rest."""
    from ..io import save

    spec, net, data = run.spec, run.net, run.data
    out.mkdir(parents=True, exist_ok=True)
    results = run.results()
    record = data_record(spec, data.dataset, out)
    task = "classification" if data.classification else "regression"
    save(net, out / "model.npz", dataset=data.name, data=record, seed=spec.seed, test_fraction=spec.test_fraction,
         task=task, results=results, run_spec=spec.to_dict())
    save_history(history, out / "history.json")
    summary = {**results, "spec": spec.to_dict(), "config": run_config(args, run), "seeds": seeds_record(spec.seed),
               "data": record, "training": {
                   "epochs_run": len(history), "stop_reason": history.stop_reason,
                   "diverged": history.diverged, "best_epoch": history.best_epoch, "weights_epoch": weights_epoch,
                   "monitor": history.monitor, "seconds": round(time.perf_counter() - started, 2)}}
    write_plots(run, out, history, weights_epoch)
    write_text_atomic(out / "results.json", json.dumps(summary, indent=1, default=json_default))
    return results


def save_history(history, path: Path) -> None:
    """history.json, written whole (``History.save_json``); an OS error names the file and the reason."""
    try:
        history.save_json(path)
    except OSError as exc:
        if isinstance(exc, GlassnetError):
            raise
        raise PathError(f"cannot write {path} ({reason(exc)})") from None


def write_plots(run, out: Path, history, weights_epoch) -> None:
    """cost.png, curves.png; boundary.png for 2-D classes; gradient_norms.png with --diagnostics; each whole."""
    from ..plots import cost_curve, decision_boundary, gradient_norms, train_dev_curves

    name = run.data.name
    save_figure(cost_curve(history, title=f"Training cost — {name}"), out / "cost.png")
    save_figure(train_dev_curves(history, title=f"{name}: train and dev", weights_epoch=weights_epoch),
                out / "curves.png")
    if run.data.n_x == 2 and run.data.classification:
        X_te, Y_te = run.data.splits["test"]
        save_figure(decision_boundary(run.net, X_te, Y_te, title=f"{name}: test set"), out / "boundary.png")
    if run.spec.diagnostics and history.diagnostics:
        save_figure(gradient_norms(history), out / "gradient_norms.png")


def final_diagnosis(run, initial, out: Path) -> str:
    """--diagnostics: glassnet.diagnose on (at most 2000 of) the training examples, beside the network as it was
    initialized (None after --resume); written to diagnosis.json. The text to print."""
    from ..diagnostics import diagnose

    spec = run.spec
    X, Y = (a[:, :2000] for a in run.data.splits["train"])  # both networks see them through the trained pipeline
    constant_gd = spec.optimizer in ("gd", "sgd") and spec.schedule == "constant"
    d = diagnose(run.net, X, Y, initial=initial, learning_rate=spec.start_learning_rate() if constant_gd else None)
    write_text_atomic(out / "diagnosis.json", json.dumps(d.to_dict(), indent=1, default=json_default))
    return str(d)


__all__ = ["data_record", "final_diagnosis", "json_default", "planned_epochs", "results_table", "run_config",
           "save_history", "seeds_record", "write_plots", "write_run"]
