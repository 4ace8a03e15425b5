"""glassnet train: flags -> RunSpec -> ``runs.plan`` (data read and split, network built) -> fit -> files.

Every flag is checked before any data is read (``spec_from_args``, the data source, --resume), and
--out is made, probed writable and locked before any data is read too (``outfolder.RunFolder``: an
existing run folder is refused unless --overwrite or --resume). A training that diverged saves what it
has and exits with EXIT_DIVERGED; Ctrl-C and SIGTERM save the model of the last finished epoch (with
history.json, results.json and the plots), say so, and exit 130 and 143.
"""

from __future__ import annotations

import contextlib
import sys
import time
import warnings
from pathlib import Path

from .. import runs
from ..callbacks import Callback
from .outfolder import RunFolder
from .parser import add_run_flags
from .report import final_diagnosis, planned_epochs, results_table, write_run
from .resume import check_checkpoint, check_resume, checkpoint_callbacks, data_stamp, writes_checkpoints
from .signals import TerminateAsInterrupt, stop_words
from .spec import check_data_source, check_output_folder, data_line, out_folder, said_in_flags, spec_from_args

EXIT_DIVERGED = 3  # train's exit status when the run diverged (a NaN cost, or a cost ending far above its start)


def add_train_parser(sub) -> None:
    train = sub.add_parser("train", help="train a network and write the model, history and plots")
    add_run_flags(train)
    train.add_argument("--resume", default=None, help="continue training from a checkpoint file")
    train.add_argument("--resume-any-data", action="store_true",
                       help="with --resume: continue a checkpoint trained on other data (refused otherwise: a "
                            "checkpoint records the checksum of its training data)")
    train.add_argument("--out", default=None, help="output folder (default runs/<data>-<time>); a folder holding "
                                                    "a run is refused unless --overwrite or --resume")
    train.add_argument("--overwrite", action="store_true",
                       help="--out holds a run: clear its files (model.npz, history.json, results.json, "
                            "diagnosis.json, the .png figures, checkpoints/) before training anew")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(handler="cmd_train")


def run_folder(args, path) -> RunFolder:
    return RunFolder(path, overwrite=getattr(args, "overwrite", False), resume=args.resume)


def plan_run(args, folder: RunFolder | None = None):
    """The checked plan: the spec of the flags, its data read and split, its network built. ``folder``
    (--out) is opened (made, probed, locked, refused if it holds another run) before any data is read."""
    spec = spec_from_args(args)
    check_data_source(spec)
    check_output_folder(args.out)
    if args.resume:
        check_checkpoint(args.resume)
    if folder is not None:
        folder.open()
    with said_in_flags():
        return runs.plan(spec)


def cmd_train(args) -> int:
    started = time.perf_counter()
    with TerminateAsInterrupt() as term, contextlib.ExitStack() as stack:
        folder = None if args.out is None else stack.enter_context(contextlib.closing(run_folder(args, args.out)))
        run = plan_run(args, folder)
        if folder is None:  # the default folder is named after the data
            folder = stack.enter_context(contextlib.closing(run_folder(args, out_folder(args, run.data))))
            folder.open()
        return train_into(args, run, folder, term, started)


def train_into(args, run, folder: RunFolder, term: TerminateAsInterrupt, started: float) -> int:
    """Fit the planned run and write its files into ``folder``; the exit status."""
    out = folder.path
    stamp = data_stamp(run) if args.resume or writes_checkpoints(run.spec) else None
    note = check_resume(args, run, stamp, planned_epochs(run)) if args.resume else None
    print(data_line(run.data), flush=True)
    layers = [line for line in run.net.summary().splitlines() if not line.startswith("input: ")]
    print("\n".join([*layers, f"input: {planned_input(run, args.resume)}"]), flush=True)
    if note:
        print(note, file=sys.stderr, flush=True)
    removed = folder.clear_old_run()
    if removed:
        print(f"--overwrite: removed the old run's {', '.join(removed)} from {out}", flush=True)
    initial = run.net.copy() if run.spec.diagnostics and not args.resume else None  # for the final diagnosis
    history = fit(args, run, out, started, stamp)
    with term.deferred():  # a SIGTERM now waits until the files are written
        if history.stop_reason:
            print(history.stop_reason, flush=True)
        results = write_run(args, run, out, history, weights_epoch(run, history), started)
        print(results_table(results), flush=True)
        if run.spec.diagnostics:
            print(final_diagnosis(run, initial, out), flush=True)
        print(f"wrote {out}/model.npz, history.json, results.json and plots in {time.perf_counter() - started:.1f} s",
              flush=True)
    if history.diverged:
        print(f"glassnet: training diverged (exit status {EXIT_DIVERGED}): the numbers above are of a failed "
              "run; see the reason above for the fix", file=sys.stderr, flush=True)
        return EXIT_DIVERGED
    return 0


class LastEpoch(Callback):
    """Keeps the weights after the last finished epoch, for a run that is interrupted (Ctrl-C, SIGTERM) mid-epoch.

    ``finished`` is (epoch, θ), set in one assignment: a signal between two never pairs one epoch with another's θ.
    """

    def on_train_begin(self, net, history):
        self.history, self.finished = history, None

    def on_epoch_end(self, net, epoch, record):
        self.finished = (epoch, net.parameters_to_vector())


def fit(args, run, out: Path, started: float, stamp: dict | None = None):
    """The fit; on Ctrl-C or SIGTERM the model of the last finished epoch is saved (if any), then the interrupt
    goes on (``main`` exits 130 or 143). ``stamp``: the training data's record, written into every checkpoint."""
    from ..training import DivergenceWarning

    last = LastEpoch()
    try:
        with warnings.catch_warnings():
            # why a run diverged is printed once, as its stop reason, not as a Python warning too
            warnings.simplefilter("ignore", DivergenceWarning)
            return run.fit(callbacks=[last, *checkpoint_callbacks(run, out, stamp)],
                           verbose=0 if args.quiet else 1, resume_from=args.resume)
    except KeyboardInterrupt as exc:
        exc.said = True  # main() says nothing more of it: one message per interrupt
        words, why = stop_words(exc)
        if getattr(last, "finished", None) is None:
            print(f"glassnet: {words} before the first epoch finished: nothing was saved", file=sys.stderr)
            raise
        epoch, theta = last.finished
        run.net.vector_to_parameters(theta)
        history = whole_epochs(last.history)
        history.stopped_epoch = epoch
        history.stop_reason = f"{why} during epoch {epoch + 1}"
        write_run(args, run, out, history, epoch, started)
        print(f"glassnet: {words} during epoch {epoch + 1}: the model of epoch {epoch} is saved in {out}/model.npz "
              "(with history.json, results.json and the plots)", file=sys.stderr, flush=True)
        raise


def whole_epochs(history):
    """``history`` cut to the epochs recorded whole (an interrupt may land between two entries of a record)."""
    n = min(len(values) for values in history.records.values())
    for values in history.records.values():
        del values[n:]
    del history.diagnostics[n:]
    return history


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
           "planned_input", "run_folder", "train_into", "weights_epoch", "whole_epochs"]
