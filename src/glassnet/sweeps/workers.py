"""Worker processes that end with their parent and keep quiet on Ctrl-C.

No orphans: each local (loky) worker runs a watchdog thread (``watch_parent``) that checks twice a
second that the sweep's process is still its parent and ends the worker (``os._exit``) when it is
not. The kernel reparents a worker whose parent died (SIGKILL, SIGTERM, a crash) to PID 1 or a
subreaper, so its ``getppid()`` changes. Chosen over Linux's ``prctl(PR_SET_PDEATHSIG)`` because
that signal follows the *thread* that started the worker (loky starts workers from its manager
thread too), is Linux only, and misses a parent that died before the worker's initializer ran; the
watchdog has none of these, also runs while the worker trains (NumPy releases the GIL), and costs
one wake-up every half second. When the workers end, loky's two resource trackers see their pipe
close and end too.

Quiet Ctrl-C: a terminal's Ctrl-C goes to the whole process group, workers included. Workers
ignore SIGINT: local workers start while the sweep's thread blocks it (they inherit the mask) and
their initializer ignores it; the workers of a LocalCluster the sweep starts are told to ignore it
once they run (``quiet_dask_worker``; a Ctrl-C while the cluster starts may still show theirs);
the sweep's process alone is interrupted and stops the pool. The noise of stopping a pool early
(loky's manager thread racing the shutdown: ``KeyError: 12``; Dask's nannies and their logs) is
silenced while the pool stops; other threads' errors and logs are untouched.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import time

from ..folderlock import process_alive

WATCH_SECONDS = 0.5
QUIET_LOGGERS = ("distributed", "tornado", "asyncio")


def watch_parent(parent: int, interval: float = WATCH_SECONDS) -> None:
    """In a worker process: end it (``os._exit(1)``) soon after process ``parent`` is gone."""
    if sys.platform == "win32":  # no reparenting to watch; loky ends its workers with the parent there
        return
    first = os.getppid()

    def gone() -> bool:
        return os.getppid() != first if first == parent else not process_alive(parent)

    def watch() -> None:
        while not gone():
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="glassnet-parent-watch", daemon=True).start()


def ignore_interrupts() -> None:
    """In a worker process (main thread): Ctrl-C is for the sweep's process, which stops the workers."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def interrupts_ignored_by_children():
    """Processes started inside (from this thread, or from threads started inside) never see SIGINT.

    SIGINT is blocked in this thread while inside: a child process inherits the blocked signal, and
    the Python in it never unblocks it. A Ctrl-C while inside stays pending and is raised here as
    KeyboardInterrupt on leaving (nothing is lost, only held back a moment)."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no signal masks
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def quiet_pool_threads(names: tuple = ("ExecutorManagerThread", "QueueManagerThread")):
    """Exceptions of the pool's own threads (loky's manager) are not printed while inside."""
    previous = threading.excepthook

    def hook(args) -> None:
        if args.thread is not None and args.thread.name in names:
            return
        previous(args)

    threading.excepthook = hook
    try:
        yield
    finally:
        if threading.excepthook is hook:
            threading.excepthook = previous


@contextlib.contextmanager
def levels_restored(names: tuple = QUIET_LOGGERS):
    """The loggers' levels as they were on entry, restored on leaving (``quiet_logs`` may change them)."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def quiet_logs(names: tuple = QUIET_LOGGERS) -> None:
    """Silence Dask's and its event loop's loggers (a cluster closing after Ctrl-C logs its cancelled tasks)."""
    for name in names:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def quiet_dask_worker() -> None:
    """On a worker of the LocalCluster a sweep starts (its event loop runs in its main thread): Ctrl-C
    is for the sweep's process, and a trial cancelled by it is not a warning."""
    ignore_interrupts()
    logging.getLogger("distributed.worker.state_machine").setLevel(logging.ERROR)


__all__ = ["QUIET_LOGGERS", "WATCH_SECONDS", "ignore_interrupts", "interrupts_ignored_by_children",
           "levels_restored", "quiet_dask_worker", "quiet_logs", "quiet_pool_threads", "watch_parent"]
