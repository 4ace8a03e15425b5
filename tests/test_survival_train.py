"""glassnet train's results survive SIGTERM, full and read-only disks, and are never silently replaced.

SIGTERM is sent for real to a ``glassnet train`` subprocess at a random moment after its first epoch
(3 runs here; 20 in the ``slow`` version); the full and read-only disks are real ones (a small tmpfs,
mounted where the machine allows it, else the test skips; a chmod 0o500 folder where the user cannot
write past it).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet import cli, runs

SEED = 20240626
QUICK = ["--data", "moons", "--layers", "5", "--quiet"]


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("glassnet: error: "), err
    assert "Traceback" not in err and "internal error" not in err
    return lines[0]


def digests(folder: Path) -> dict:
    """{relative path: sha256} of every file under ``folder``."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_whole(folder: Path) -> None:
    """No temporary or empty file is left, and every file there is whole (the model loads, the JSON parses)."""
    for path in folder.rglob("*"):
        if path.is_file():
            assert not path.name.startswith(".") and not path.name.endswith(".tmp"), path
            assert path.stat().st_size > 0, f"{path} is empty"
            if path.suffix == ".json":
                json.loads(path.read_text())
            elif path.suffix == ".npz":
                gn.io.load_metadata(path)


# ---------------------------------------------------------------------- real disks: tmpfs where allowed
@pytest.fixture
def tmpfs(tmp_path):
    """mount(name, size, read_only=False) -> the folder of a fresh tmpfs (skip where it cannot be mounted)."""
    mounted = []

    def mount(name: str, size: str = "2m", read_only: bool = False) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        options = f"size={size}" + (",ro" if read_only else "")
        try:
            done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                                  capture_output=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            done = None
        if done is None or done.returncode != 0:
            pytest.skip("this machine does not let the tests mount a tmpfs (it needs root)")
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=10)


def writable(folder: Path) -> bool:
    probe = folder / "probe"
    try:
        probe.write_bytes(b"x")
    except OSError:
        return False
    probe.unlink()
    return True


def refused_before_data(capsys, monkeypatch, out: Path, reason: str) -> str:
    """train --out ``out`` is refused in under a second, in one line naming it and ``reason``, no data read."""
    def no_data(*args, **kwargs):
        raise AssertionError("the data was read before --out was found unwritable")

    monkeypatch.setattr(runs, "plan", no_data)
    started = time.perf_counter()
    code, stdout, err = run(capsys, "train", *QUICK, "--out", str(out))
    assert time.perf_counter() - started < 1.0
    line = one_error_line(err)
    assert code == 2 and stdout == "" and str(out) in line and reason in line, err
    return line


def test_a_read_only_out_is_refused_before_any_data(tmp_path, capsys, monkeypatch):
    """A chmod 0o500 folder: itself and a folder to make inside it (skips where the user writes past it: root)."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if writable(locked):
            pytest.skip("this user writes into a 0o500 folder anyway (root): see the read-only mount test")
        refused_before_data(capsys, monkeypatch, locked, "Permission denied")
        refused_before_data(capsys, monkeypatch, locked / "new" / "run", "Permission denied")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_a_read_only_disk_is_refused_before_any_data(tmpfs, capsys, monkeypatch):
    disk = tmpfs("ro", "1m", read_only=True)
    refused_before_data(capsys, monkeypatch, disk, "Read-only file system")
    line = refused_before_data(capsys, monkeypatch, disk / "sub" / "run", "Read-only file system")
    assert "cannot create the folder" in line  # once an "internal error", exit 1


def test_a_full_disk_is_one_line_and_damages_nothing(tmpfs, capsys):
    """2 MB tmpfs: an earlier run stays whole; a full disk is refused before training; a disk that fills up while
    the files are written is one line naming the file, exit 2, and leaves no empty or partial file."""
    disk = tmpfs("disk", "2m")
    assert run(capsys, "train", *QUICK, "--epochs", "3", "--out", str(disk / "old"))[0] == 0
    before = digests(disk / "old")
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as handle, pytest.raises(OSError):  # every byte the disk has
        while True:
            handle.write(b"\0" * 65536)
    code, _, err = run(capsys, "train", *QUICK, "--epochs", "3", "--out", str(disk / "full"))
    line = one_error_line(err)
    assert code == 2 and "No space left on device" in line and str(disk / "full") in line
    assert not (disk / "full").exists()
    # room for the probe and the model, not for the figures: found while the files are written
    size = filler.stat().st_size
    os.truncate(filler, size - 24 * 1024)
    code, _, err = run(capsys, "train", *QUICK, "--epochs", "3", "--out", str(disk / "new"))
    line = one_error_line(err)
    assert code == 2 and "No space left on device" in line and str(disk / "new") in line, err
    assert_whole(disk / "new")
    assert not (disk / "new" / "results.json").exists()  # written last: the run is not said complete
    assert digests(disk / "old") == before
    assert_whole(disk / "old")


# ---------------------------------------------------------------------- SIGTERM, for real
def start_training(out: Path) -> subprocess.Popen:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "glassnet.cli", "train", *QUICK, "--epochs", "100000",
                             "--schedule", "constant", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def sigterm_runs(tmp_path: Path, n: int, seed: int, parallel: int = 4) -> list[Path]:
    """``n`` trainings, each sent SIGTERM 0.2-0.5 s after its line of input (training has begun);
    each checked: exit 143, one line said, the model of the last finished epoch saved whole."""
    rng = np.random.default_rng(seed)
    folders = []
    for first in range(0, n, parallel):
        batch = [(tmp_path / f"run{k}", None) for k in range(first, min(n, first + parallel))]
        batch = [(out, start_training(out)) for out, _ in batch]
        for _, process in batch:
            for line in process.stdout:
                if line.startswith("input: "):
                    break
        time.sleep(rng.uniform(0.2, 0.5))
        for _, process in batch:
            process.send_signal(signal.SIGTERM)
            time.sleep(rng.uniform(0.0, 0.05))
        for out, process in batch:
            _, err = process.communicate(timeout=60)
            check_terminated(out, process.returncode, err)
            folders.append(out)
    return folders


def check_terminated(out: Path, code: int, err: str) -> int:
    """Exit 143, one line saying which epoch's model is saved, that model whole in ``out``; that epoch."""
    lines = err.strip().splitlines()
    assert code == 143 and len(lines) == 1, (code, err)
    training = json.loads((out / "results.json").read_text())["training"]
    epoch = training["weights_epoch"]
    assert lines[0].startswith("glassnet: terminated (SIGTERM) during epoch ")
    assert f"the model of epoch {epoch} is saved in {out}/model.npz" in lines[0]
    assert epoch >= 1 and training["stop_reason"] == f"terminated (SIGTERM) during epoch {epoch + 1}"
    history = json.loads((out / "history.json").read_text())
    assert history["stopped_epoch"] == epoch and history["records"]["epoch"][epoch - 1] == epoch
    assert_whole(out)
    assert gn.load(out / "model.npz").predict(np.zeros((2, 1))).shape == (1, 1)
    return epoch


def assert_model_of_its_epoch(out: Path) -> None:
    """The saved model is the one a fresh run of that many epochs trains, bit for bit (constant learning rate)."""
    epoch = json.loads((out / "results.json").read_text())["training"]["weights_epoch"]
    spec = cli.read_spec(out / "results.json").replace(epochs=epoch)
    fresh = runs.train(spec).net
    saved = gn.load(out / "model.npz")
    np.testing.assert_array_equal(saved.parameters_to_vector(), fresh.parameters_to_vector())


def test_sigterm_saves_the_last_finished_epoch(tmp_path):
    folders = sigterm_runs(tmp_path, 3, SEED, parallel=3)
    assert_model_of_its_epoch(folders[0])


@pytest.mark.slow
def test_sigterm_saves_the_last_finished_epoch_randomized(tmp_path):
    folders = sigterm_runs(tmp_path, 20, SEED + 1)
    for out in folders[:3]:
        assert_model_of_its_epoch(out)


# ---------------------------------------------------------------------- run folders never silently replaced
@pytest.fixture
def quick_figures(monkeypatch):
    """The figures as a few bytes each, written as the real ones are (whole): these tests are about the folder."""
    from glassnet.cli import outfolder, report

    def write_plots(run, out, history, weights_epoch):
        for name in ("cost.png", "curves.png"):
            outfolder.write_text_atomic(out / name, "png")

    monkeypatch.setattr(report, "write_plots", write_plots)


def test_an_existing_run_folder_is_refused_without_overwrite(tmp_path, capsys, quick_figures):
    out = tmp_path / "run"
    handler = signal.getsignal(signal.SIGTERM)
    assert run(capsys, "train", *QUICK, "--epochs", "2", "--checkpoint-every", "1", "--out", str(out))[0] == 0
    assert signal.getsignal(signal.SIGTERM) is handler  # train's SIGTERM handler is put back
    (out / "notes.txt").write_text("mine")
    before = digests(out)
    code, _, err = run(capsys, "train", *QUICK, "--epochs", "2", "--seed", "1", "--out", str(out))
    assert code == 2 and "already holds a run" in one_error_line(err) and "--overwrite" in err
    assert digests(out) == before
    code, stdout, _ = run(capsys, "train", *QUICK, "--epochs", "2", "--seed", "1", "--overwrite", "--out", str(out))
    assert code == 0 and "--overwrite: removed the old run's" in stdout
    assert not (out / "checkpoints").exists() and (out / "notes.txt").read_text() == "mine"
    assert json.loads((out / "results.json").read_text())["spec"]["seed"] == 1
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    (sweep / "sweep.json").write_text("{}")
    code, _, err = run(capsys, "train", *QUICK, "--epochs", "2", "--overwrite", "--out", str(sweep))
    assert code == 2 and "is a sweep folder" in one_error_line(err)
    assert sorted(p.name for p in sweep.iterdir()) == ["sweep.json"]


def test_a_checkpoint_of_other_data_is_refused(tmp_path, capsys, quick_figures):
    first = tmp_path / "moons"
    assert run(capsys, "train", *QUICK, "--epochs", "3", "--checkpoint-every", "3", "--out", str(first))[0] == 0
    checkpoint = first / "checkpoints" / "checkpoint-last.npz"
    assert gn.io.load_metadata(checkpoint)["extra"]["data"]["name"] == "moons"
    other = ["train", "--data", "circles", "--layers", "5", "--quiet", "--epochs", "5", "--resume", str(checkpoint)]
    code, stdout, err = run(capsys, *other, "--out", str(tmp_path / "circles"))
    line = one_error_line(err)
    assert code == 2 and stdout == "" and "was trained on data moons" in line and "this run's data is circles" in line
    assert "pass --resume-any-data to continue anyway" in line and not (tmp_path / "circles").exists()
    code, _, err = run(capsys, *other, "--resume-any-data", "--out", str(tmp_path / "circles"))
    assert code == 0 and "continuing (--resume-any-data)" in err
    code, _, err = run(capsys, "train", *QUICK, "--epochs", "2", "--resume", str(checkpoint), "--out", str(first))
    assert code == 2 and "the checkpoint is at epoch 3, past --epochs 2: nothing to train" in one_error_line(err)
    code, stdout, _ = run(capsys, "train", *QUICK, "--epochs", "5", "--resume", str(checkpoint), "--out", str(first))
    assert code == 0 and "completed 5 epochs" in stdout
    assert len(json.loads((first / "history.json").read_text())["records"]["epoch"]) == 5


def test_an_os_error_of_a_named_file_is_one_line(capsys):
    from glassnet.cli.main import report_error

    assert report_error(PermissionError(13, "Permission denied", "/srv/out/model.npz"), debug=False) == 2
    assert capsys.readouterr().err == "glassnet: error: /srv/out/model.npz: Permission denied\n"


def test_a_sigterm_while_the_files_are_written_waits_for_them():
    """In ``deferred()`` (train's final writes) a SIGTERM is held until the block ends, then raised (exit 143)."""
    from glassnet.cli.signals import TerminateAsInterrupt, Terminated

    before = signal.getsignal(signal.SIGTERM)
    with TerminateAsInterrupt() as term:
        with pytest.raises(Terminated) as raised, term.deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            finished = True
        assert finished and raised.value.exit_status == 143
        os.kill(os.getpid(), signal.SIGTERM)  # after the first, SIGTERM is not raised again
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_folder_another_run_writes_is_refused(tmp_path, capsys):
    """One writer per folder: while another holds --out's lock, train is refused in one line naming the holder."""
    import threading

    from glassnet.folderlock import FolderLock

    out = tmp_path / "busy"
    held, done = threading.Event(), threading.Event()

    def hold():
        with FolderLock(out, "sweep"):
            held.set()
            done.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        held.wait(30)
        code, stdout, err = run(capsys, "train", *QUICK, "--epochs", "2", "--out", str(out))
    finally:
        done.set()
        holder.join(30)
    line = one_error_line(err)
    assert code == 2 and stdout == "" and f"{out} is in use by sweep, PID {os.getpid()}" in line, err
    assert list(out.iterdir()) == []
