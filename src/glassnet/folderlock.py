"""One writer per folder: ``FolderLock(folder, what)`` holds an advisory lock on ``folder/.glassnet.lock``.

    with FolderLock("runs/sweep1", "sweep"):        # FolderBusyError at once if another run holds it
        ...                                         # wait=True waits for it instead

The lock is the operating system's: ``fcntl.flock`` (``msvcrt.locking`` on Windows) on the lock
file, so the kernel releases it when the holder's process ends, however it ends (SIGKILL
included): a free lock is a stale one and is taken over silently. The file records the holder
(PID, host, start time, what, the command line) for the message of the run that is refused. A lock
still held although the recorded holder is dead on this host (a child process kept the file open)
is taken over too: the lock file is replaced.

A thread that holds a folder's lock may take it again (nested ``with``); another thread or process
may not.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sys
import threading
import time
import warnings
from pathlib import Path

from .errors import FolderBusyError, PathError

LOCK_NAME = ".glassnet.lock"
POLL_SECONDS = 0.2
WINDOWS_LOCK_OFFSET = 1 << 30  # msvcrt locks a byte range; far past the holder's record, which stays readable

_HELD: dict[tuple[str, int], int] = {}  # (lock file, thread) -> nesting depth
_HELD_GUARD = threading.Lock()


def describe_holder(folder, holder: dict | None) -> str:
    """'runs/x is in use by sweep, PID 1234 on host h since 18:40:02' from a lock file's record."""
    if not holder:
        return f"{folder} is in use by another glassnet run (its lock file names no holder)"
    started = holder.get("started")
    when = ""
    if isinstance(started, int | float):
        day = time.strftime("%Y-%m-%d", time.localtime(started))
        clock = time.strftime("%H:%M:%S", time.localtime(started))
        when = f" since {clock}" if day == time.strftime("%Y-%m-%d") else f" since {day} {clock}"
    return (f"{folder} is in use by {holder.get('what') or 'a glassnet run'}, PID {holder.get('pid', '?')} "
            f"on host {holder.get('host', '?')}{when}")


def read_holder(folder) -> dict | None:
    """The record of the lock file in ``folder`` (the holder, or the last one), None if there is none."""
    try:
        text = (Path(folder) / LOCK_NAME).read_text(encoding="utf-8")
        record = json.loads(text)
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def process_alive(pid) -> bool:
    """Whether process ``pid`` runs on this host (True when that cannot be told, e.g. on Windows)."""
    if not isinstance(pid, int) or pid <= 0 or sys.platform == "win32":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, under another user
        return True
    try:  # Linux: a zombie (ended, not yet reaped by its parent) answers kill(pid, 0) but is dead
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
    except (OSError, IndexError):
        return True


class FolderLock:
    """Hold ``folder``'s lock for ``what`` (e.g. "sweep", "train"); see the module's docstring.

    ``wait``: wait for the holder to finish instead of raising ``FolderBusyError`` (``timeout``
    seconds at most, None for no limit). ``hint``: the fix the refusal names.
    """

    def __init__(self, folder, what: str, *, wait: bool = False, timeout: float | None = None,
                 hint: str = "wait for it or use another --out"):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.what, self.wait, self.timeout, self.hint = what, wait, timeout, hint
        self.fd: int | None = None
        self.nested = False

    # ------------------------------------------------------------------ public

    def acquire(self) -> FolderLock:
        key = (os.path.realpath(self.path), threading.get_ident())
        with _HELD_GUARD:
            if key in _HELD:
                _HELD[key] += 1
                self.nested = True
                return self
        self._make_folder()
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        while True:
            holder = self._try_lock()
            if holder is None:
                break
            if not self.wait or (deadline is not None and time.monotonic() >= deadline):
                raise FolderBusyError(f"{describe_holder(self.folder, holder)}; {self.hint}")
            time.sleep(POLL_SECONDS)
        self._write_record()
        with _HELD_GUARD:
            _HELD[key] = 1
        return self

    def release(self) -> None:
        key = (os.path.realpath(self.path), threading.get_ident())
        with _HELD_GUARD:
            depth = _HELD.get(key, 0)
            if depth > 1:
                _HELD[key] = depth - 1
                return
            _HELD.pop(key, None)
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        try:
            if sys.platform != "win32":
                # Gone before the lock is: a run waiting on this file finds it replaced and retries.
                _unlink_if_same(self.path, fd)
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    # ------------------------------------------------------------------ inside

    def _make_folder(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PathError(f"cannot make the folder {self.folder} ({exc.strerror or exc}); "
                            "choose a folder you can write to") from exc

    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise PathError(f"cannot write in {self.folder}: {self.path.name} cannot be created "
                            f"({exc.strerror or exc}); choose a folder you can write to") from exc

    def _try_lock(self) -> dict | None:
        """Take the lock and return None, or return the holder's record (a dict, maybe empty)."""
        fd = self._open()
        try:
            locked = _lock(fd)
        except OSError as exc:  # a file system without locks (some network mounts): go on unlocked
            warnings.warn(f"{self.path} cannot be locked ({exc.strerror or exc}); two runs into "
                          f"{self.folder} at once would not be stopped", RuntimeWarning, stacklevel=3)
            locked = True
        if not locked:
            holder = _read_record(fd)
            replaced = False
            if holder.get("host") == socket.gethostname() and not process_alive(holder.get("pid")):
                _unlink_if_same(self.path, fd)  # held by an heir of a dead holder: replace the file
                replaced = not _same_file(self.path, fd)
            os.close(fd)
            return self._try_lock() if replaced else holder
        if sys.platform != "win32" and not _same_file(self.path, fd):
            os.close(fd)  # the holder removed the file as we took it: take the new one
            return self._try_lock()
        self.fd = fd
        return None

    def _write_record(self) -> None:
        record = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time(), "what": self.what,
                  "command": " ".join(sys.argv)[:2000]}
        data = (json.dumps(record) + "\n").encode()
        try:
            os.ftruncate(self.fd, 0)
            os.lseek(self.fd, 0, os.SEEK_SET)
            os.write(self.fd, data)
            os.fsync(self.fd)
        except OSError as exc:  # a full disk: the lock holds all the same, the record is what is lost
            warnings.warn(f"{self.path}: the holder's record could not be written ({exc.strerror or exc})",
                          RuntimeWarning, stacklevel=3)


def _lock(fd: int) -> bool:
    """Take the lock on ``fd`` without waiting: True, or False when another holds it."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EDEADLK):
                return False
            raise
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def _read_record(fd: int) -> dict:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        record = json.loads(os.read(fd, 1 << 16).decode("utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _same_file(path: Path, fd: int) -> bool:
    try:
        now = os.stat(path)
    except OSError:
        return False
    mine = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino)


def _unlink_if_same(path: Path, fd: int) -> None:
    """Remove the lock file if it is still the one open as ``fd``."""
    try:
        if _same_file(path, fd):
            os.unlink(path)
    except OSError:
        pass


__all__ = ["LOCK_NAME", "FolderLock", "describe_holder", "process_alive", "read_holder"]
