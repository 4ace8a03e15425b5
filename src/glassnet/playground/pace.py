"""How fast the page's run trains: a number of epochs per second, from 1 up to as fast as the machine goes.

``Pace`` keeps the clock: since play was pressed (or the speed changed), floor(rate × elapsed)
epochs are due; the server trains what is due, sends a frame, and sleeps until the next epoch is.
A machine slower than the rate asked for trains as fast as it can, and no debt piles up (the clock
is moved on), so a lower speed chosen later is honoured at once.

``DEFAULT_SPEED`` comes from a study over every built-in data set (``python -m bench.playground``,
numbers in bench/README.md): with the default setup the train cost makes 90 % of its drop (the
boundary forms) in 3 to 5 epochs on Gaussian blobs, 8 to 19 on circles, moons, spirals and XOR, and
28 to 94 on flower. At 2 epochs a second the quickest set's boundary takes 1.5 s or more to form, the
others' 4 to 10 s (flower's up to 47 s); a learner who has seen it form raises the speed.
"""

from __future__ import annotations

import math
import time

MAX_SPEED = 0  # the speed that means "as fast as the machine goes"
SPEEDS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, MAX_SPEED)
DEFAULT_SPEED = 2
MOST_OWED_SECONDS = 0.5  # a slow machine (or a slow frame) falls behind by at most this much of the asked rate


class Pace:
    """The epochs due by the clock at ``rate`` epochs per second (``MAX_SPEED``: no limit)."""

    def __init__(self, rate: int = DEFAULT_SPEED, clock=time.perf_counter):
        self.clock = clock
        self.rate = rate
        self.start()

    @property
    def unlimited(self) -> bool:
        """Whether the speed is "as fast as it goes"."""
        return self.rate == MAX_SPEED

    def start(self, rate: int | None = None) -> None:
        """Start counting now (play pressed, or a new ``rate``)."""
        if rate is not None:
            self.rate = rate
        self.t0, self.done = self.clock(), 0

    def due(self) -> int:
        """Epochs to train now to be on time (a large number when unlimited)."""
        if self.unlimited:
            return 1 << 30
        owed = math.floor(self.rate * (self.clock() - self.t0)) - self.done
        most = max(1, math.ceil(self.rate * MOST_OWED_SECONDS))
        if owed > most:  # behind: forget the debt beyond `most`
            self.t0 += (owed - most) / self.rate
            owed = most
        return max(0, owed)

    def trained(self, epochs: int) -> None:
        """Count ``epochs`` trained."""
        self.done += epochs

    def wait(self) -> float:
        """Seconds until the next epoch is due (0 when one is due or unlimited)."""
        if self.unlimited:
            return 0.0
        return max(0.0, self.t0 + (self.done + 1) / self.rate - self.clock())
