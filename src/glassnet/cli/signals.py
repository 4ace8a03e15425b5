"""SIGTERM (what job schedulers and ``docker stop`` send) handled like Ctrl-C while a command runs.

    with TerminateAsInterrupt() as term:     # SIGTERM raises Terminated, a KeyboardInterrupt
        ...                                  # the interrupt path saves what it has
        with term.deferred():                # the final files: a SIGTERM now waits until they are written
            write(...)

``Terminated`` carries the exit status 128 + 15 = 143 (``main`` returns it). After the first SIGTERM
the next ones are ignored while the interrupt path saves; the handler that was there before is put
back when the block ends. Outside the main thread (where Python allows no handler) nothing is installed.
"""

from __future__ import annotations

import contextlib
import signal
import threading

EXIT_TERMINATED = 128 + signal.SIGTERM  # 143, the shell's status of a process ended by SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program was, so that the interrupt path (Ctrl-C's) runs."""

    exit_status = EXIT_TERMINATED
    said = False

    def __init__(self, message: str = "terminated (SIGTERM)"):
        super().__init__(message)


def stop_words(exc: BaseException) -> tuple[str, str]:
    """How an interrupt is said (in a message, in a stop reason): SIGTERM's "terminated (SIGTERM)" both;
    Ctrl-C's "interrupted", and "interrupted (Ctrl-C)"."""
    if isinstance(exc, Terminated):
        return "terminated (SIGTERM)", "terminated (SIGTERM)"
    return "interrupted", "interrupted (Ctrl-C)"


class TerminateAsInterrupt:
    """While inside: SIGTERM raises ``Terminated`` (once), or waits for the end of a ``deferred()`` block."""

    def __init__(self):
        self.previous = None
        self.installed = False
        self.fired = False
        self.deferring = False
        self.pending = False

    def handle(self, signum, frame) -> None:
        if self.deferring:
            self.pending = True
            return
        if self.fired:  # the interrupt path is saving: a second SIGTERM does not cut it short
            return
        self.fired = True
        raise Terminated()

    def __enter__(self) -> TerminateAsInterrupt:
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, self.handle)
            self.installed = True
        return self

    def __exit__(self, *exc) -> None:
        if self.installed:
            signal.signal(signal.SIGTERM, self.previous if self.previous is not None else signal.SIG_DFL)
            self.installed = False

    @contextlib.contextmanager
    def deferred(self):
        """A SIGTERM inside waits: raised as ``Terminated`` when the block has finished (not if it failed)."""
        self.deferring = True
        try:
            yield
        finally:
            self.deferring = False
        if self.pending and not self.fired:
            self.fired = True
            raise Terminated("terminated (SIGTERM) after the run's files were written")


__all__ = ["EXIT_TERMINATED", "TerminateAsInterrupt", "Terminated", "stop_words"]
