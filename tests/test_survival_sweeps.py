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
