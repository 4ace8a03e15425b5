"""The output folder of a run: checked writable before any data is read, never silently replaced, and
its side files written whole.

    folder = RunFolder(args.out, overwrite=args.overwrite, resume=args.resume).open()   # probe, refusals
    folder.clear_old_run()          # --overwrite: the old run's files go, right before training
    write_text_atomic(out / "results.json", text)       # a temp file, fsync, os.replace, fsync of the folder
    save_figure(fig, out / "cost.png")
    folder.close()                  # a folder this run made and left empty is removed again

A folder holding model.npz, results.json or checkpoints/ is a run folder: ``--out`` it again is
refused unless ``--overwrite`` (the old run's files are cleared first: model.npz, history.json,
results.json, diagnosis.json, the .png figures, checkpoints/ — nothing else) or ``--resume``. A sweep
folder (sweep.json) is never a training's. One writer per folder: the run holds the folder's lock
(``folderlock.FolderLock``) from the probe to the end.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from pathlib import Path

from .. import atomic
from ..errors import HyperparameterError, PathError
from ..folderlock import FolderLock

RUN_MARKERS = ("model.npz", "results.json", "checkpoints")
RUN_FILES = ("model.npz", "history.json", "results.json", "diagnosis.json")
PROBE_BYTES = 4096  # one page: a full disk refuses it (an empty file might still be created)


def reason(exc: OSError) -> str:
    """errno's text of an OS error ("No space left on device"), or the error itself."""
    return exc.strerror or str(exc) or type(exc).__name__


def folder_kind(folder) -> str | None:
    """"sweep" (sweep.json), "run" (model.npz, results.json or checkpoints/), or None (new or other)."""
    folder = Path(folder)
    if (folder / "sweep.json").exists():
        return "sweep"
    if any((folder / name).exists() for name in RUN_MARKERS):
        return "run"
    return None


def missing_folders(folder: Path) -> list[Path]:
    """``folder`` and those of its parents that do not exist yet, deepest first."""
    missing = []
    for part in (folder, *folder.parents):
        if part.exists():
            break
        missing.append(part)
    return missing


def probe_writable(folder, flag: str = "--out") -> list[Path]:
    """Make ``folder`` if missing and write and remove a probe file in it; the folders made here, deepest first.

    A folder that cannot be made or written (read-only, full, no permission) is a PathError naming it
    and the reason, before any data is read or any epoch runs.
    """
    folder = Path(folder)
    created = missing_folders(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        remove_if_empty(*created)
        raise PathError(f"{flag} {folder}: cannot create the folder ({reason(exc)})") from None
    probe = folder / f".glassnet-probe-{os.getpid()}-{secrets.token_hex(3)}.tmp"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(fd, b"\0" * PROBE_BYTES)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            probe.unlink()
        remove_if_empty(*created)
        raise PathError(f"{flag} {folder}: cannot write there ({reason(exc)})") from None
    with contextlib.suppress(OSError):
        probe.unlink()
    return created


def remove_if_empty(*folders) -> None:
    """Remove each folder, in order, if nothing is in it (what a failed or interrupted run made and left empty)."""
    for folder in folders:
        try:
            Path(folder).rmdir()
        except OSError:
            return


def clear_run(folder) -> list[str]:
    """Remove the files of the run in ``folder`` (model.npz, history.json, results.json, diagnosis.json,
    *.png, checkpoints/), nothing else; the names removed."""
    folder = Path(folder)
    removed = []
    for path in [*(folder / name for name in RUN_FILES), *sorted(folder.glob("*.png"))]:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise PathError(f"--overwrite: cannot remove {path} ({reason(exc)})") from None
        removed.append(path.name)
    checkpoints = folder / "checkpoints"
    if checkpoints.is_dir():
        try:
            shutil.rmtree(checkpoints)
        except OSError as exc:
            raise PathError(f"--overwrite: cannot remove {checkpoints} ({reason(exc)})") from None
        removed.append("checkpoints/")
    return removed


def inside(path, folder) -> bool:
    """Whether ``path`` lies in ``folder`` (resolved)."""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
    except ValueError:
        return False
    return True


class RunFolder:
    """A training's ``--out``: probed, refused when it holds another run, locked while the run writes."""

    def __init__(self, path, *, overwrite: bool = False, resume=None, what: str = "train"):
        self.path = Path(path)
        self.overwrite, self.resume, self.what = overwrite, resume, what
        self.created: list[Path] = []  # the folders this run made, deepest first
        self.lock: FolderLock | None = None

    def open(self) -> RunFolder:
        """Probe it (made if missing), take its lock, refuse a sweep folder or another run's (see the module)."""
        if self.overwrite and self.resume and inside(self.resume, self.path / "checkpoints"):
            raise HyperparameterError(f"--overwrite would delete the checkpoint --resume {self.resume} continues "
                                      f"from; drop --overwrite (a resumed run replaces {self.path}'s files) or "
                                      "copy the checkpoint elsewhere")
        self.check_kind()  # before the probe: a refused folder is left as it was
        self.created = probe_writable(self.path)
        self.lock = take_lock(self.path, self.what)
        self.check_kind()  # again under the lock: another run may have written it meanwhile
        return self

    def check_kind(self) -> None:
        kind = folder_kind(self.path)
        if kind == "sweep":
            raise PathError(f"--out {self.path} is a sweep folder (it holds sweep.json); glassnet train writes a "
                            "run folder: choose another --out")
        if kind == "run" and not (self.overwrite or self.resume):
            raise PathError(f"--out {self.path} already holds a run (model.npz, results.json or checkpoints/); "
                            "pass --overwrite to replace it, --resume CHECKPOINT to continue it, or another --out")

    def clear_old_run(self) -> list[str]:
        """--overwrite: the old run's files removed (right before training, once the data has been read)."""
        return clear_run(self.path) if self.overwrite else []

    def close(self) -> None:
        """Release the lock; a folder made by this run and left empty is removed."""
        lock, self.lock = self.lock, None
        if lock is not None:
            lock.release()
        remove_if_empty(*self.created)


def take_lock(folder: Path, what: str) -> FolderLock:
    """The folder's lock held (``folderlock.FolderLock``): FolderBusyError, naming the holder, if another run has it."""
    return FolderLock(folder, what, hint="wait for it to finish or choose another --out").acquire()


# ---------------------------------------------------------------------- side files, written whole
def replace_atomic(path, write) -> Path:
    """``glassnet.atomic.replace_atomic`` in the command line's words: a reader finds the old file or the new
    one, never a part; an OS error (a full disk, a read-only folder) leaves no temporary file and is a
    PathError naming ``path`` and the reason."""
    try:
        return atomic.replace_atomic(path, write)
    except OSError as exc:
        if isinstance(exc, PathError):
            raise
        raise PathError(f"cannot write {path} ({reason(exc)})") from None


def write_text_atomic(path, text: str) -> Path:
    """``path`` holds ``text`` (UTF-8), written whole (``replace_atomic``)."""
    data = text.encode("utf-8")
    return replace_atomic(path, lambda handle: handle.write(data))


def save_figure(fig, path) -> Path:
    """A matplotlib figure saved to ``path`` (its format from the suffix), written whole."""
    path = Path(path)
    return replace_atomic(path, lambda handle: fig.savefig(handle, format=path.suffix.lstrip(".") or "png"))


__all__ = ["PROBE_BYTES", "RUN_FILES", "RUN_MARKERS", "RunFolder", "clear_run", "folder_kind", "inside",
           "missing_folders", "probe_writable", "reason", "remove_if_empty", "replace_atomic", "save_figure",
           "take_lock", "write_text_atomic"]
