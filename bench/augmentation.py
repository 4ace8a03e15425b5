"""Augmentation throughput: images per second for a batch of 128 MNIST images.

    python bench/augmentation.py [--batch 128] [--repeats 200]

Pipeline: flip + crop + rotate (what ``--augment flip,crop,rotate`` builds), each transform also
timed alone, plus zoom and elastic. Reads MNIST from ../shared/datasets/mnist when it is there,
else uses synthetic 28x28 images (the speed does not depend on the pixel values). Reports the
median over the repeats (and the fastest, for a busy machine); float32, the library's default dtype.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from glassnet.data.augmentation import (
    Compose,
    ElasticDistortion,
    HorizontalFlip,
    RandomCrop,
    RandomRotation,
    RandomZoom,
    augment_columns,
)

SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "mnist"


def images_batch(batch: int) -> tuple[np.ndarray, str]:
    """(batch, 28, 28, 1) float32 in [0, 1]: MNIST test images if at hand, else synthetic."""
    if SHARED_MNIST.is_dir():
        from glassnet.data.datasets import load_mnist

        images, _ = load_mnist(SHARED_MNIST, split="test", images=True)
        return np.ascontiguousarray(images[:batch]), f"MNIST test images from {SHARED_MNIST}"
    rng = np.random.default_rng(0)
    return rng.random((batch, 28, 28, 1), dtype=np.float32), "synthetic 28x28 images (MNIST not found)"


def median_seconds(fn, repeats: int) -> float:
    """Median seconds per call over ``repeats`` calls, after one warm-up call (bench/worker.py uses it too)."""
    return timings(fn, repeats)[0]


def timings(fn, repeats: int) -> tuple[float, float]:
    """(median, fastest) seconds per call; the fastest shows what a quiet machine gives."""
    fn()  # warm up (imports, first allocations)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()

    images, source = images_batch(args.batch)
    X = images.reshape(args.batch, -1).T  # the column layout training hands to augment_columns
    rng = np.random.default_rng(0)
    pipeline = Compose([HorizontalFlip(), RandomCrop(2), RandomRotation(10)])
    print(f"{source}; batch {args.batch} x 28x28x1 float32; median of {args.repeats} repeats")
    rows = [
        ("flip + crop + rotate (augment_columns)", lambda: augment_columns(X, (28, 28, 1), pipeline, rng)),
        ("flip + crop + rotate (images)", lambda: pipeline(images, rng)),
        ("  flip", lambda: HorizontalFlip()(images, rng)),
        ("  crop (padding 2)", lambda: RandomCrop(2)(images, rng)),
        ("  rotate (10 degrees)", lambda: RandomRotation(10)(images, rng)),
        ("  zoom (0.1)", lambda: RandomZoom(0.1)(images, rng)),
        ("  elastic (alpha 34, sigma 4)", lambda: ElasticDistortion()(images, rng)),
    ]
    print(f"{'':<42}{'median':>18}{'median':>18}{'fastest':>18}")
    for name, fn in rows:
        median, fastest = timings(fn, args.repeats)
        print(f"{name:<42}{median * 1e3:9.3f} ms/batch{args.batch / median:11,.0f} images/s"
              f"{args.batch / fastest:11,.0f} images/s")


if __name__ == "__main__":
    main()
