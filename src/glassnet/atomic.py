"""A file written whole or not at all: the one way glassnet writes a file that a reader may find.

    write to .<name>.<host>-<pid>.<random>.tmp beside the target  ->  flush, fsync
    os.replace(temporary, target)                                  ->  fsync of the folder

A reader (or a crash at any moment) finds the old file or the new one, never a part of either; a
failed write (a full disk, a read-only folder, an exception in ``write``) leaves no temporary file.
Temporary files of writers that were killed mid-write (SIGKILL) are removed by the next write to
the same target: a writer on this host whose process is gone, or any writer after STALE_AFTER_S.
Model files, checkpoints, history.json, results.json, a sweep's summaries and every figure are
written here.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import socket
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

STALE_AFTER_S = 24 * 3600
"""A temporary file of another host's writer (whose process cannot be asked) is stale after a day."""


def host_tag() -> str:
    """Eight hex digits naming this host in temporary file names (a shared folder may see several hosts)."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def temp_prefix(path: Path) -> str:
    return f".{path.name}."


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` of this host still runs (True where it cannot be told: Windows, another user)."""
    if pid == os.getpid() or os.name == "nt":
        return True  # a write in another thread; on Windows os.kill(pid, 0) would end the process: age decides
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, under another user
    return True


def remove_stale_temps(path: Path) -> None:
    """Remove temporary files of earlier writes to ``path`` whose writer is gone (killed mid-write)."""
    prefix, host = temp_prefix(path), host_tag()
    with contextlib.suppress(OSError):
        for candidate in path.parent.iterdir():
            name = candidate.name
            if not (name.startswith(prefix) and name.endswith(".tmp")):
                continue
            writer = name[len(prefix):-len(".tmp")].split(".")[0]  # "<host>-<pid>" (older files: random)
            tag, _, pid = writer.partition("-")
            if tag == host and pid.isdigit():
                stale = not process_alive(int(pid))
            else:
                stale = time.time() - candidate.stat().st_mtime > STALE_AFTER_S
            if stale:
                with contextlib.suppress(OSError):
                    candidate.unlink()


def open_temp(path: Path) -> tuple[int, Path]:
    """A new temporary file beside ``path``, created with mode 0666 so that the umask applies."""
    for _ in range(100):
        tmp = path.parent / f"{temp_prefix(path)}{host_tag()}-{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary file beside {path}")  # pragma: no cover


def sync_folder(folder: Path) -> None:
    """Flush a rename in ``folder`` to disk (where the system allows opening a folder)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def replace_atomic(path, write: Callable[[BinaryIO], object]) -> Path:
    """``path`` holds what ``write(handle)`` writes, written whole (the module docstring).

    A file being replaced keeps its permissions. Any exception (an OSError of a full disk, or one
    raised by ``write``) removes the temporary file and propagates unchanged: callers say it in their
    own words.
    """
    path = Path(path)
    remove_stale_temps(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = None
    fd, tmp = open_temp(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    sync_folder(path.parent)
    return path


def write_bytes_atomic(path, data: bytes) -> Path:
    """``path`` holds ``data``, written whole."""
    return replace_atomic(path, lambda handle: handle.write(data))


def write_text_atomic(path, text: str) -> Path:
    """``path`` holds ``text`` (UTF-8), written whole."""
    return write_bytes_atomic(path, text.encode("utf-8"))


__all__ = ["STALE_AFTER_S", "host_tag", "open_temp", "process_alive", "remove_stale_temps", "replace_atomic",
           "sync_folder", "temp_prefix", "write_bytes_atomic", "write_text_atomic"]
