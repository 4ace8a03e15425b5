"""glassnet train: flags -> RunSpec -> ``runs.plan`` (data read and split, network built) -> fit -> files.

Every flag is checked before any data is read or folder made (``spec_from_args``, the data source,
--out, --resume). A training that diverged saves what it has and exits with EXIT_DIVERGED; Ctrl-C
saves the model of the last finished epoch, then exits as interrupted.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

from .. import runs
from ..callbacks import Callback
from ..errors import HyperparameterError, PathError
from .parser import add_run_flags
from .report import final_diagnosis, results_table, write_run
from .spec import check_data_source, check_output_folder, data_line, out_folder, said_in_flags, spec_from_args

EXIT_DIVERGED = 3  # train's exit status when the run diverged (a NaN cost, or a cost ending far above its start)


def add_train_parser(sub) -> None:
    train = sub.add_parser("train", help="train a network and write the model, history and plots")
    add_run_flags(train)
    train.add_argument("--resume", default=None, help="continue training from a checkpoint file")
    train.add_argument("--out", default=None, help="output folder (default runs/<data>-<time>)")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(handler="cmd_train")


def check_checkpoint(path) -> None:
    """--resume names a checkpoint file (not a model)."""
    from ..io import load_metadata

    if not Path(path).is_file():
        raise PathError(f"--resume {path}: no checkpoint file there (checkpoints are written into "
                        "<out>/checkpoints by --checkpoint-every or --early-stopping)")
    if load_metadata(path).get("kind") != "checkpoint":
        raise HyperparameterError(f"--resume {path} is a model, not a checkpoint; pass a checkpoint-*.npz file")


def plan_run(args):
    """The checked plan: the spec of the flags, its data read and split, its network built; nothing written."""
    spec = spec_from_args(args)
    check_data_source(spec)
    check_output_folder(args.out)
    if args.resume:
        check_checkpoint(args.resume)
    with said_in_flags():
        return runs.plan(spec)


def cmd_train(args) -> int:
    started = time.perf_counter()
    run = plan_run(args)
    out = out_folder(args, run.data)
    print(data_line(run.data), flush=True)
    layers = [line for line in run.net.summary().splitlines() if not line.startswith("input: ")]
    print("\n".join([*layers, f"input: {planned_input(run, args.resume)}"]), flush=True)
    initial = run.net.copy() if run.spec.diagnostics and not args.resume else None  # for the final diagnosis
    history = fit(args, run, out, started)
    if history.stop_reason:
        print(history.stop_reason, flush=True)
    results = write_run(args, run, out, history, weights_epoch(run, history), started)
    print(results_table(results), flush=True)
    if run.spec.diagnostics:
        print(final_diagnosis(run, initial, out), flush=True)
    print(f"wrote {out}/model.npz, history.json, results.json and plots in {time.perf_counter() - started:.1f} s")
    if history.diverged:
        print(f"glassnet: training diverged (exit status {EXIT_DIVERGED}): the numbers above are of a failed "
              "run; see the reason above for the fix", file=sys.stderr, flush=True)
        return EXIT_DIVERGED
    return 0


class LastEpoch(Callback):
    """Keeps the weights after the last finished epoch, for a run that is interrupted (Ctrl-C) mid-epoch."""

    def on_train_begin(self, net, history):
        self.history, self.theta, self.epoch = history, None, None

    def on_epoch_end(self, net, epoch, record):
        self.theta, self.epoch = net.parameters_to_vector(), epoch


def fit(args, run, out: Path, started: float):
    """The fit; on Ctrl-C the model of the last finished epoch is saved (if any), then the interrupt goes on."""
    from ..training import DivergenceWarning

    last = LastEpoch()
    try:
        with warnings.catch_warnings():
            # why a run diverged is printed once, as its stop reason, not as a Python warning too
            warnings.simplefilter("ignore", DivergenceWarning)
            return run.fit(callbacks=[last], verbose=0 if args.quiet else 1, checkpoint_dir=out / "checkpoints",
                           resume_from=args.resume)
    except KeyboardInterrupt as exc:
        exc.said = True  # main() says nothing more of it: one message per Ctrl-C
        if last.epoch is None:
            print("glassnet: interrupted before the first epoch finished: nothing was saved", file=sys.stderr)
            raise
        run.net.vector_to_parameters(last.theta)
        history = last.history
        history.stopped_epoch = last.epoch
        history.stop_reason = f"interrupted (Ctrl-C) during epoch {last.epoch + 1}"
        write_run(args, run, out, history, last.epoch, started)
        print(f"glassnet: interrupted during epoch {last.epoch + 1}: the model of epoch {last.epoch} is saved "
              f"in {out}/model.npz (with history.json, results.json and the plots)", file=sys.stderr)
        raise


def weights_epoch(run, history) -> int | None:
    """The epoch whose weights the model holds: early stopping's best, the last, or unknown (divergence)."""
    if run.spec.early_stopping and history.best_epoch is not None:
        return history.best_epoch
    if history.stop_reason.startswith("completed") and len(history):
        return history["epoch"][-1]
    return None


def planned_input(run, resume) -> str:
    """The input pipeline as training will use it: the standardizer is fitted when training starts (after
    this line is printed) or comes with the checkpoint."""
    line = run.net.describe_input()
    raw = line.split(" ->")[0]
    if resume:
        return f"{raw} -> as in the checkpoint (its standardizer, if it has one)"
    if run.spec.normalize_for(run.data.image_shape) and run.net.normalizer is None:
        return f"{raw} -> standardized (the training set's mean and variance, fitted as training starts)"
    return line


__all__ = ["EXIT_DIVERGED", "LastEpoch", "add_train_parser", "check_checkpoint", "cmd_train", "fit", "plan_run",
           "planned_input", "weights_epoch"]
