"""How a run shows its progress: a tqdm bar over epochs (verbose=1) or one printed line per epoch (2).

The line prints the epoch's record as the history keeps it (cost, accuracy or rmse, dev_cost,
dev_accuracy, l2_cost): what the screen says is what ``History`` holds.
"""

from __future__ import annotations

import warnings

from .errors import HyperparameterError


class Progress:
    """A tqdm bar over epochs (verbose=1) or one printed line per epoch (verbose=2)."""

    def __init__(self, verbose: int, start: int, total: int):
        self.verbose = verbose
        self.bar = None
        if verbose == 1:
            with warnings.catch_warnings():  # no ipywidgets in a notebook: tqdm.auto falls back to text, say nothing
                warnings.simplefilter("ignore")
                from tqdm.auto import tqdm

            self.bar = tqdm(total=total, initial=start, unit="epoch", dynamic_ncols=True,
                            leave=True)

    def update(self, epoch: int, record: dict) -> None:
        shown = {k: v for k, v in record.items()
                 if k not in ("epoch", "learning_rate", "seconds") and v is not None}
        if self.bar is not None:
            self.bar.set_postfix({k: f"{v:.4g}" for k, v in shown.items()}, refresh=False)
            self.bar.update(1)
        else:
            text = "  ".join(f"{k} {v:.4f}" for k, v in shown.items())
            print(f"epoch {epoch:>5}  {text}  ({record['seconds']:.2f} s)", flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def progress_for(verbose, start: int, total: int) -> Progress | None:
    """The progress display ``verbose`` asks for (0: none), checked."""
    if verbose not in (0, 1, 2, False, True):
        raise HyperparameterError(f"verbose must be 0 (silent), 1 (progress bar) or 2 (a line per "
                                  f"epoch), got {verbose!r}")
    return Progress(int(verbose), start, total) if verbose else None


__all__ = ["Progress", "progress_for"]
