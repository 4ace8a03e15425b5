"""The playground's numbers: the default speed's study, frames and epochs per second, memory per session.

    python -m bench.playground            # ~30 s: the study (6 sets x 3 seeds), then the server measured

The study trains the playground's default setup (Adam 0.01, batch 32, [8, 8] ReLU, He, 500 points,
noise 0.2, 70 / 30 split) on every built-in set with seeds 0, 1, 2 for 600 epochs, and finds the
epoch where the train cost has made 90 % of its drop (the boundary has formed) and 99 % (it has
settled). At a speed of s epochs per second the boundary forms over (90 % epoch) / s seconds; the
default is the fastest speed of the page's list at which that takes at least 1.5 s on every set
and seed (on Gaussian blobs, the quickest, the boundary is there after 3 to 5 epochs).
"""

from __future__ import annotations

import statistics

from glassnet.playground.measure import measure_frame_rate, measure_memory
from glassnet.playground.pace import DEFAULT_SPEED, MAX_SPEED, SPEEDS
from glassnet.playground.protocol import DATASETS
from glassnet.playground.session import Session

EPOCHS = 600
SEEDS = (0, 1, 2)
WATCH_SECONDS = 1.5


def epochs_to(costs: list[float], share: float) -> int:
    """The first epoch whose cost has made ``share`` of the drop from the first to the last."""
    first, last = costs[0], costs[-1]
    return next(i for i, c in enumerate(costs) if c <= first - share * (first - last))


def study() -> list[dict]:
    """Per built-in set and seed: the epochs to 90 % and to 99 % of the cost's drop."""
    rows = []
    for data in DATASETS:
        if data == "upload":
            continue
        for seed in SEEDS:
            s = Session()
            s.configure({"data": data, "seed": seed})
            costs = [s.net.evaluate(s.X_train, s.Y_train)["cost"]]
            for _ in range(EPOCHS):
                s.train_epochs(1)
                costs.append(s.net.evaluate(s.X_train, s.Y_train)["cost"])
            rows.append({"data": data, "seed": seed, "formed": epochs_to(costs, 0.9),
                         "settled": epochs_to(costs, 0.99)})
    return rows


def main() -> None:
    """Print the study, the default speed it gives, the frame rates and the memory per session."""
    rows = study()
    print(f"{'data':<9}{'epochs to 90 % of the cost drop (seeds 0, 1, 2)':<50}{'to 99 %':<20}")
    for data in dict.fromkeys(r["data"] for r in rows):
        mine = [r for r in rows if r["data"] == data]
        print(f"{data:<9}{str([r['formed'] for r in mine]):<50}{str([r['settled'] for r in mine]):<20}")
    quickest = min(r["formed"] for r in rows)
    watchable = [s for s in SPEEDS if s and quickest / s >= WATCH_SECONDS]
    print(f"the quickest boundary forms in {quickest} epochs; speeds with >= {WATCH_SECONDS:g} s to watch it: "
          f"{watchable}; the default is {DEFAULT_SPEED} (slowest set: "
          f"{statistics.median(r['formed'] for r in rows if r['data'] == 'flower') / DEFAULT_SPEED:.0f} s)")
    for speed in (DEFAULT_SPEED, MAX_SPEED):
        r = measure_frame_rate(seconds=5.0, epochs_per_second=speed)
        print(f"speed {speed or 'max'}: {r['frames_per_second']:.1f} frames/s, {r['epochs_per_second']:.1f} epochs/s")
    m = measure_memory(sessions=8, seconds=3.0)
    if m["bytes_per_session"] is not None:
        print(f"memory: {m['bytes_per_session'] / 2**20:.2f} MiB per session ({m['sessions']} sessions, 3 s at full "
              "speed each)")


if __name__ == "__main__":
    main()
