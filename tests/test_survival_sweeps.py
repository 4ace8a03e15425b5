"""Results that survive: a folder's lock (one writer), result rows that heal after a torn line, no
orphaned workers after a SIGKILL. These kill for real: subprocesses, SIGKILL at random moments."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from glassnet.errors import FolderBusyError, PathError
from glassnet.folderlock import LOCK_NAME, FolderLock, read_holder

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork are POSIX's")


def start_python(code: str, **kwargs) -> subprocess.Popen:
    """A python process running ``code``; its stdout is a pipe (a line says it got where it was going)."""
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def hold_lock(folder, what="sweep") -> subprocess.Popen:
    process = start_python(f"""
        import time
        from glassnet.folderlock import FolderLock
        with FolderLock({str(folder)!r}, {what!r}):
            print("held", flush=True)
            time.sleep(60)
        """)
    assert process.stdout.readline().strip() == "held", process.stderr.read()
    return process


# ---------------------------------------------------------------------- the folder's lock


@POSIX
def test_a_second_holder_is_refused_naming_the_first_and_takes_over_after_its_sigkill(tmp_path):
    holder = hold_lock(tmp_path, "sweep")
    try:
        with pytest.raises(FolderBusyError) as caught:
            FolderLock(tmp_path, "train").acquire()
        message = str(caught.value)
        assert isinstance(caught.value, PathError) and "\n" not in message
        assert f"in use by sweep, PID {holder.pid} on host " in message and "since " in message
        assert message.startswith(str(tmp_path)) and message.endswith("wait for it or use another --out")
    finally:
        holder.kill()
        holder.wait()
    with FolderLock(tmp_path, "train"):  # the kernel freed the flock with the process: stale, taken silently
        assert read_holder(tmp_path)["pid"] == os.getpid()
        assert read_holder(tmp_path)["what"] == "train"
    assert not (tmp_path / LOCK_NAME).exists()  # released: nothing left in the folder


@POSIX
def test_a_waiting_holder_gets_the_lock_when_the_first_ends(tmp_path):
    holder = hold_lock(tmp_path)
    started = time.monotonic()
    with pytest.raises(FolderBusyError):
        FolderLock(tmp_path, "train", wait=True, timeout=0.5).acquire()
    assert time.monotonic() - started >= 0.5
    holder.send_signal(signal.SIGTERM)
    with FolderLock(tmp_path, "train", wait=True, timeout=20):
        assert read_holder(tmp_path)["pid"] == os.getpid()
    holder.wait()


@POSIX
def test_a_lock_kept_by_the_child_of_a_dead_holder_is_taken_over(tmp_path):
    # The holder forks a child that inherits the open lock file (so the flock stays held), then dies.
    process = start_python(f"""
        import os, time
        from glassnet.folderlock import FolderLock
        lock = FolderLock({str(tmp_path)!r}, "sweep").acquire()
        os.set_inheritable(lock.fd, True)
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        print("held", flush=True)
        time.sleep(60)
        """)
    assert process.stdout.readline().strip() == "held"
    process.kill()
    process.wait()
    with FolderLock(tmp_path, "train"):
        assert read_holder(tmp_path)["pid"] == os.getpid()


def test_the_same_thread_may_nest_the_lock_and_the_folder_is_made(tmp_path):
    folder = tmp_path / "a" / "b"
    with FolderLock(folder, "sweep"), FolderLock(folder, "sweep"):
        assert (folder / LOCK_NAME).exists()
    assert not (folder / LOCK_NAME).exists()


@POSIX
def test_an_unwritable_folder_is_one_line_naming_it(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(PathError, match=f"cannot write in {tmp_path}: .* choose a folder you can write to"):
            FolderLock(tmp_path, "sweep").acquire()
    finally:
        tmp_path.chmod(0o700)


# ---------------------------------------------------------------------- sweeps that are cut, torn and doubled

JOB = '''
import sys, time
import numpy as np
from glassnet import sweeps
from glassnet.errors import FolderBusyError


def slow_trial(data, settings, seed):
    time.sleep(float(sys.argv[4]))
    return {"train_data_cost": 0.5 + settings["l2"] + seed * 1e-3, "train_accuracy": 0.9}


if __name__ == "__main__":
    out, seeds, backend, _, grid = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
    X = np.random.default_rng(0).standard_normal((2, 20))
    print("start", flush=True)
    try:
        result = sweeps.sweep(X, (X[:1] > 0).astype(float), layers=[3], epochs=2, seeds=seeds, out=out,
                              grid={"l2": [float(v) for v in grid.split(",")]}, backend=backend, n_workers=2,
                              trial=slow_trial, progress=False, figures=False)
    except FolderBusyError as exc:
        print(f"busy: {exc}", flush=True)
        sys.exit(2)
    print("ids", " ".join(row["id"] for row in result.rows if row["status"] == "ok"), flush=True)
'''


@pytest.fixture
def job(tmp_path):
    script = tmp_path / "job.py"
    script.write_text(JOB)

    def start(out, seeds=4, backend="sequential", sleep=0.02, grid="0,0.1"):
        return subprocess.Popen([sys.executable, str(script), str(out), str(seeds), backend, str(sleep), grid],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return start


def finish(process, timeout=60) -> str:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return out


def kill_at_random(process, rng, longest: float) -> None:
    assert process.stdout.readline().strip() == "start"
    time.sleep(rng.uniform(0, longest))
    process.kill()
    process.communicate()


def valid_rows(out):
    from glassnet.sweeps.rowfile import read_rows

    path = out / "results.csv"
    columns = path.read_text().splitlines()[0].split(",")
    rows, bad = read_rows(path, columns, ["l2"])
    return rows, bad


def tear(path) -> str:
    """Append half of the file's last row, with no line end: what a kill or a full disk leaves."""
    last = path.read_bytes().rstrip(b"\r\n").rsplit(b"\n", 1)[-1]
    with open(path, "ab") as handle:
        handle.write(last[: len(last) // 2])
    return last[: len(last) // 2].decode()


def cut_twice_after_a_torn_line(job, out, rng, cuts: int) -> None:
    finish(job(out, seeds=1))                     # a finished sweep: 2 trials
    torn = tear(out / "results.csv")
    for _ in range(cuts):                         # the same sweep with more seeds, cut at random moments
        kill_at_random(job(out, seeds=6), rng, 0.35)
        if rng.random() < 0.5:
            tear(out / "results.csv")
    lines = finish(job(out, seeds=6)).splitlines()
    ids = lines[-1].split()[1:]
    rows, bad = valid_rows(out)
    assert bad == []
    assert sorted(row["id"] for row in rows) == sorted(ids) and len(ids) == 12  # one valid row per trial
    assert all(row["status"] == "ok" for row in rows)
    assert f": {torn}" in (out / "results.csv.torn").read_text()  # set aside with its line number
    assert not (out / LOCK_NAME).exists()


@POSIX
def test_a_sweep_cut_at_random_after_a_torn_line_completes_with_one_row_per_trial(job, tmp_path):
    import numpy as np

    cut_twice_after_a_torn_line(job, tmp_path / "s", np.random.default_rng(), cuts=3)


@POSIX
@pytest.mark.slow
def test_twenty_random_cuts_after_torn_lines_leave_one_row_per_trial(job, tmp_path):
    import numpy as np

    rng = np.random.default_rng()
    for run in range(4):
        cut_twice_after_a_torn_line(job, tmp_path / f"s{run}", rng, cuts=6)


@POSIX
def test_a_second_sweep_into_the_folder_is_refused_and_the_first_keeps_every_trial(job, tmp_path):
    first = job(tmp_path, seeds=3, sleep=0.1, grid="0,0.1")
    assert first.stdout.readline().strip() == "start"
    deadline = time.monotonic() + 20
    while (read_holder(tmp_path) or {}).get("pid") != first.pid:
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.02)
    second = job(tmp_path, seeds=3, sleep=0.1, grid="0.5,0.7")
    out, _ = second.communicate(timeout=60)
    assert second.returncode == 2
    assert f"is in use by sweep, PID {first.pid} on host" in out and "use another --out" in out
    ids = finish(first).splitlines()[-1].split()[1:]
    rows, bad = valid_rows(tmp_path)
    assert bad == [] and len(ids) == 6 and sorted(r["id"] for r in rows) == sorted(ids)


def alive(pids) -> list:
    """Those of ``pids`` that still run (not zombies)."""
    found = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                state = handle.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            found.append(pid)
    return found


def descendants(pid) -> list:
    """The processes under ``pid`` (read from /proc)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parents[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_no_local_worker_outlives_a_killed_sweep(job, tmp_path, how):
    sweep = job(tmp_path, seeds=20, backend="local", sleep=0.2)
    assert sweep.stdout.readline().strip() == "start"
    deadline = time.monotonic() + 20
    while len(workers := descendants(sweep.pid)) < 2 or not (tmp_path / "results.csv").exists():
        assert time.monotonic() < deadline and sweep.poll() is None
        time.sleep(0.05)
    time.sleep(0.3)
    workers = descendants(sweep.pid)
    sweep.send_signal(how)
    sweep.wait()  # not communicate(): an orphan would hold its pipes open
    deadline = time.monotonic() + 10
    try:
        while alive(workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert alive(workers) == [], "orphaned workers"
    finally:
        for pid in alive(workers):
            os.kill(pid, signal.SIGKILL)
        sweep.stdout.close()
        sweep.stderr.close()


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")
def test_a_worker_whose_parent_died_before_its_watchdog_started_ends(tmp_path):
    # the parent is killed and not reaped yet (a zombie) when the worker starts watching it
    # the grandchild waits until /proc says its parent is a zombie, then starts watching it
    grandchild = "import sys, time; from glassnet.sweeps.workers import watch_parent; parent = int(sys.argv[1]); " \
                 "state = lambda: open(f'/proc/{parent}/stat').read().rsplit(')', 1)[1].split()[0]\n" \
                 "while state() != 'Z': time.sleep(0.01)\n" \
                 "watch_parent(parent, interval=0.05); time.sleep(30)"
    middle = start_python(f"""
        import os, subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", {grandchild!r}, str(os.getpid())])
        print(child.pid, flush=True)
        time.sleep(60)
        """)
    pid = int(middle.stdout.readline())
    middle.kill()
    deadline = time.monotonic() + 10
    while alive([pid]) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert alive([pid]) == []
    finally:
        for left in alive([pid]):
            os.kill(left, signal.SIGKILL)
        middle.wait()
        middle.stdout.close()
        middle.stderr.close()


# ---------------------------------------------------------------------- bad rows, in this process

FAIL_ONCE = {}


def quick_trial(data, settings, seed):
    if FAIL_ONCE.pop((settings["l2"], seed), False):
        raise ValueError("a trial that fails once")
    return {"train_data_cost": 0.5 + settings["l2"] + seed * 1e-3, "train_accuracy": 0.9}


def quick_sweep(out, seeds=2):
    import numpy as np

    from glassnet import sweeps

    X = np.random.default_rng(0).standard_normal((2, 20))
    return sweeps.sweep(X, (X[:1] > 0).astype(float), layers=[3], epochs=2, seeds=seeds, out=out,
                        grid={"l2": [0.0, 0.1]}, backend="sequential", trial=quick_trial, progress=False,
                        figures=False)


def test_a_merged_row_is_reported_by_line_number_and_the_rest_still_read(tmp_path, capsys):
    quick_sweep(tmp_path)
    path = tmp_path / "results.csv"
    lines = path.read_text().splitlines(keepends=True)
    merged = lines[2].rstrip("\r\n")[:30] + lines[3]          # what a torn line and a rerun used to make
    path.write_text("".join([lines[0], lines[1], merged, lines[3]
                             .replace(lines[3].split(",")[5], "not-a-number", 1), lines[4]]))
    result = quick_sweep(tmp_path)                             # no TypeError: the bad rows run again
    err = capsys.readouterr().err
    assert f"{path} line 3: " in err and "fields, expected" in err
    assert f"{path} line 4: train_data_cost 'not-a-number' is not a number" in err
    assert result.ran == 2 and result.skipped == 2 and any("lines 3, 4" in note for note in result.notes)
    rows, bad = valid_rows(tmp_path)
    assert bad == [] and len(rows) == 4 and len({r["id"] for r in rows}) == 4
    assert (tmp_path / "results.csv.torn").read_text().count("line ") == 2


def test_a_torn_last_row_is_set_aside_before_anything_is_appended(tmp_path, capsys):
    from glassnet.sweeps.rowfile import heal

    quick_sweep(tmp_path)
    path = tmp_path / "results.csv"
    before = path.read_bytes()
    half = tear(path)
    columns = before.decode().splitlines()[0].split(",")
    assert heal(path, columns, ["l2"]).line == 6
    assert path.read_bytes() == before
    assert (tmp_path / "results.csv.torn").read_text() == f"line 6: {half}\n"
    assert "line 6: a torn last row was set aside in results.csv.torn" in capsys.readouterr().err
    assert heal(path, columns, ["l2"]) is None


def test_errors_log_goes_when_a_rerun_has_no_failed_trial(tmp_path):
    FAIL_ONCE[(0.1, 1)] = True
    assert quick_sweep(tmp_path).failed == 1
    assert "a trial that fails once" in (tmp_path / "errors.log").read_text()
    result = quick_sweep(tmp_path)
    assert (result.ran, result.failed) == (1, 0)
    assert not (tmp_path / "errors.log").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.csv", "summary.csv", "sweep.json"]


def test_glassnet_sweep_into_a_busy_folder_is_refused_before_any_data_is_read(tmp_path, monkeypatch, capsys):
    from glassnet import runs
    from glassnet.cli import main

    out = tmp_path / "busy"
    holder = hold_lock(out, "train")
    try:
        def no_data(*args, **kwargs):
            raise AssertionError("the data was read before the folder was found busy")

        monkeypatch.setattr(runs, "prepare", no_data)
        assert main(["sweep", "--data", "moons", "--seeds", "1", "--out", str(out), "--quiet"]) == 2
        error = capsys.readouterr().err
        assert f"PID {holder.pid}" in error and "in use by train" in error and len(error.strip().splitlines()) == 1
    finally:
        holder.kill()
        holder.wait()
