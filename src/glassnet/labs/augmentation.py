"""Lab: data augmentation (数据扩增) against over-fitting, on a small MNIST training set.

A [784, 128, 10] ReLU/softmax network learns from a small random subset of MNIST's training set
(500 examples in quick mode, 2000 in full mode; a new subset for each seed) and is tested on the
first 2000 test images. Each seed trains twice from the same weights, subset and mini-batch
order: once on the images as they are, once with every mini-batch augmented on the fly (the
RunSpec's ``augment="crop:2,rotate:10"``, run by ``runs.fit(..., image_shape=(28, 28, 1))``) by a
random crop (pad 2 pixels, crop back: shifts of up to 2 pixels) and a random rotation of up to 10
degrees — new, plausible digits at every epoch, which the network cannot memorize.

No flips: a mirrored digit is not the same digit (a mirrored 2 is no 2, and a mirrored 6 is no
6), so flipping would teach wrong labels; for Fashion-MNIST or the cats a horizontal flip is
fine (a mirrored shoe is still a shoe). The figure shows flipped digits next to the transforms
used, to see why.
"""

from __future__ import annotations

import numpy as np

from .. import runs as run_specs
from ..data.augmentation import HorizontalFlip, RandomCrop, RandomRotation, augment_columns, from_names
from ..data.readers import images_to_columns, load_mnist, read_idx_images
from ..plots import new_figure
from .evidence import sign_test
from .report import median_range, paired_text, pct

TITLE_ZH = "数据扩增"
TITLE_EN = "Data augmentation"

AUGMENT = "crop:2,rotate:10"
IMAGE_SHAPE = (28, 28, 1)
LAYER_DIMS = [784, 128, 10]
N_TEST = 2000
BATCH_SIZE = 64
LEARNING_RATE = 0.002


def settings(quick: bool) -> dict:
    return {"n_train": 500, "epochs": 30} if quick else {"n_train": 2000, "epochs": 40}


def specs(epochs: int, seed: int) -> dict[str, run_specs.RunSpec]:
    """The two trainings of a seed as RunSpecs: the same network, weights and mini-batch order (all from
    ``seed``), one with the augmentation. Adam at a constant rate, the inputs as loaded (no normalization)."""
    plain = run_specs.RunSpec(layers=tuple(LAYER_DIMS[1:-1]), activation="relu", dtype="float32", optimizer="adam",
                              learning_rate=LEARNING_RATE, schedule="constant", epochs=epochs,
                              batch_size=BATCH_SIZE, normalize=False, seed=seed)
    return {"plain": plain, "augmented": plain.replace(augment=AUGMENT)}


def run(ctx, result) -> None:
    cfg = settings(ctx.quick)
    download = ctx.data_path is None  # a given folder is read as it is; the cache may be filled
    pixels, labels = read_idx_images("mnist", ctx.data_path, "train", download=download)  # uint8, as stored
    X_test, Y_test = load_mnist(ctx.data_path, split="test", download=download, limit=N_TEST)

    runs = []
    first_subset = None
    for seed in ctx.seeds:
        idx = np.sort(np.random.default_rng([seed, 11]).choice(pixels.shape[0], cfg["n_train"], replace=False))
        # the seed's images alone become floats (x / 255), one per column, each contiguous, as load_mnist gives
        X, Y = images_to_columns(pixels[idx]), labels[idx].astype(np.int64).reshape(1, -1)
        record = {"seed": seed, "class_counts": np.bincount(Y[0], minlength=10).tolist()}
        for key, spec in specs(cfg["epochs"], seed).items():
            net = run_specs.build(spec, LAYER_DIMS[0], LAYER_DIMS[-1], "softmax")
            history = run_specs.fit(spec, net, X, Y, image_shape=IMAGE_SHAPE)
            record[key] = {
                "test_accuracy": net.evaluate(X_test, Y_test)["accuracy"],
                "train_accuracy": net.evaluate(X, Y)["accuracy"],  # on the original images
                "train_accuracy_as_trained": history["accuracy"][-1],  # on the batches it saw
                "final_cost": history["cost"][-1],
            }
        record["gain"] = record["augmented"]["test_accuracy"] - record["plain"]["test_accuracy"]
        runs.append(record)
        if first_subset is None:
            first_subset = (X, Y)

    for key, label in (("plain", "no augmentation"), ("augmented", "crop ±2 px + rotation ±10°")):
        test = [r[key]["test_accuracy"] for r in runs]
        train = [r[key]["train_accuracy"] for r in runs]
        result.rows.append({
            "training": label, "test acc median [range]": median_range(test),
            "train acc median [range]": median_range(train),
            "train - test gap (median)": pct(float(np.median(np.subtract(train, test)))),
        })
    gains = [r["gain"] for r in runs]
    result.rows.append({"training": "gain from augmentation (same seed)",
                        "test acc median [range]": median_range(gains)})

    result.notes += [
        f"MNIST: {cfg['n_train']} random training images per seed (seeds {list(ctx.seeds)}), tested on the first "
        f"{N_TEST} test images; {LAYER_DIMS} ReLU/softmax, Adam (learning rate {LEARNING_RATE}), mini-batches of "
        f"{BATCH_SIZE}, {cfg['epochs']} epochs; accuracies as fractions; train accuracy on the original images",
        f"augmentation '{AUGMENT}' applied to every training mini-batch, fresh at every epoch; the test images are "
        "never augmented",
        "no flips for digits: a mirrored 2 is not a 2 (mirroring changes what a digit means, so it would teach wrong "
        "labels); for Fashion-MNIST a horizontal flip is fine (a mirrored shoe is a shoe)",
    ]
    result.data = {**cfg, "augment": AUGMENT, "layer_dims": LAYER_DIMS, "n_test": N_TEST, "batch_size": BATCH_SIZE,
                   "learning_rate": LEARNING_RATE, "seeds": list(ctx.seeds), "runs": runs,
                   "median_test_accuracy": {k: float(np.median([r[k]["test_accuracy"] for r in runs]))
                                            for k in ("plain", "augmented")},
                   "median_gain": float(np.median(gains)), "seeds_improved": int(sum(g > 0 for g in gains))}

    result.describe_runs(specs(cfg["epochs"], ctx.seeds[0]), ctx.seeds)
    result.set_n(ctx.seeds, train=cfg["n_train"], test=N_TEST)
    _claims(result, runs)
    _grid(ctx, result, *first_subset, ctx.seeds[0])


def _claims(result, runs: list[dict]) -> None:
    """The notes' claims, each an exact sign test over the seeds (both trainings of a seed share subset and start)."""
    med = result.data["median_test_accuracy"]
    gap = {k: float(np.median([r[k]["train_accuracy"] - r[k]["test_accuracy"] for r in runs]))
           for k in ("plain", "augmented")}
    result.data["median_gap"] = gap
    gains = [r["gain"] for r in runs]
    gain_gap = [(r["plain"]["train_accuracy"] - r["plain"]["test_accuracy"])
                - (r["augmented"]["train_accuracy"] - r["augmented"]["test_accuracy"]) for r in runs]
    result.claim("augmentation raises test accuracy on a small training set (same seed, same subset)",
                 sign_test(gains),
                 f"median {pct(med['plain'])} -> {pct(med['augmented'])}; "
                 f"{paired_text(gains, label='augmented - plain')}, one test example = "
                 f"{100 / N_TEST:.2g} points")
    result.claim("augmentation reduces over-fitting: a smaller train - test gap", sign_test(gain_gap),
                 f"median gap {pct(gap['plain'])} -> {pct(gap['augmented'])}; "
                 + paired_text(gain_gap, label="plain gap - augmented gap"))


def _grid(ctx, result, X, Y, seed, n_digits: int = 8, n_versions: int = 5) -> None:
    """Rows: digits; columns: the original, augmented versions, crop only, rotation only, flipped (not used)."""
    rng = np.random.default_rng([seed, 12])
    columns = X[:, :n_digits]
    tiles = [("original", columns)]
    for k in range(n_versions):
        tiles.append((f"augmented {k + 1}", augment_columns(columns, IMAGE_SHAPE, from_names(AUGMENT), rng)))
    tiles.append(("crop only", augment_columns(columns, IMAGE_SHAPE, [RandomCrop(2)], rng)))
    tiles.append(("rotation only", augment_columns(columns, IMAGE_SHAPE, [RandomRotation(10.0)], rng)))
    tiles.append(("flip (NOT used)", augment_columns(columns, IMAGE_SHAPE, [HorizontalFlip(1.0)], rng)))
    size, gap = 28, 2
    canvas = np.full((n_digits * (size + gap) - gap, len(tiles) * (size + gap) - gap), 0.25)  # light grey frames
    for c, (_, cols) in enumerate(tiles):
        for r in range(n_digits):
            canvas[r * (size + gap):r * (size + gap) + size, c * (size + gap):c * (size + gap) + size] = \
                cols[:, r].reshape(size, size)
    fig = new_figure(1.1 * len(tiles), 1.1 * n_digits + 0.6)
    ax = fig.add_subplot()
    ax.imshow(canvas, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks([c * (size + gap) + size / 2 for c in range(len(tiles))], [t for t, _ in tiles], rotation=30,
                  fontsize=8, ha="right")
    ax.set_yticks([r * (size + gap) + size / 2 for r in range(n_digits)],
                  [f"label {int(Y[0, r])}" for r in range(n_digits)], fontsize=8)
    fig.suptitle(f"training digits of seed {seed} augmented with {AUGMENT}; a flipped digit changes meaning",
                 fontsize=9)
    ctx.save_figure(fig, "augmented_samples.png", result, shows=f"seed {seed}")
