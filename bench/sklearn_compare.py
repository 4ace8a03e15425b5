"""GlassClassifier against scikit-learn's MLPClassifier: fit time and test accuracy, same settings.

    python bench/sklearn_compare.py                  # digits and a 20 000 x 100 synthetic set
    python bench/sklearn_compare.py --threads 1      # BLAS limited to one thread (both sides)
    python bench/sklearn_compare.py --repeats 5 --epochs-digits 100 --epochs-synthetic 30

Both estimators get the same work: hidden layers (100,), ReLU, Adam with learning rate 0.001,
mini-batches of 200, every epoch run (MLPClassifier's loss-plateau stop is switched off with
n_iter_no_change = epochs), L2 = 1e-4 (MLP's alpha is the same number as glassnet's l2), inputs
standardized beforehand, outside the timed region. glassnet computes in float32 (its default);
MLPClassifier computes in the dtype of X, so it is timed twice: on float64 X (what a user passing a
NumPy float array gets) and on float32 X (the same arithmetic width as glassnet).

Reported per set and estimator: the median fit time over the repeats (a new seed each repeat), the
median test accuracy, and the ratio of glassnet's fit time to MLPClassifier's (below 1: glassnet
is faster).
"""

from __future__ import annotations

import argparse
import platform
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits

from glassnet.sklearn import GlassClassifier

HIDDEN = (100,)
LEARNING_RATE = 0.001
BATCH = 200
L2 = 1e-4


def data_sets(n_synthetic: int, n_features: int) -> dict[str, tuple]:
    """{name: (X_train, X_test, y_train, y_test)}, standardized with the training part's statistics."""
    X_d, y_d = load_digits(return_X_y=True)
    X_s, y_s = make_classification(n_samples=n_synthetic, n_features=n_features, n_informative=n_features // 2,
                                   n_redundant=n_features // 10, n_classes=10, n_clusters_per_class=2,
                                   class_sep=1.0, random_state=0)
    sets = {}
    for name, (X, y) in {"digits": (X_d, y_d), f"synthetic {n_synthetic}x{n_features}": (X_s, y_s)}.items():
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
        scaler = StandardScaler().fit(X_tr)
        sets[name] = (scaler.transform(X_tr), scaler.transform(X_te), y_tr, y_te)
    return sets


def estimators(epochs: int, seed: int) -> dict[str, tuple]:
    """{label: (estimator, dtype of X)} with the same architecture, optimizer and epochs."""
    glass = GlassClassifier(hidden_layer_sizes=HIDDEN, learning_rate=LEARNING_RATE, batch_size=BATCH, epochs=epochs,
                            l2=L2, random_state=seed)

    def mlp():
        return MLPClassifier(hidden_layer_sizes=HIDDEN, learning_rate_init=LEARNING_RATE, batch_size=BATCH,
                             max_iter=epochs, n_iter_no_change=epochs, alpha=L2, random_state=seed)

    return {"GlassClassifier (float32)": (glass, np.float32), "MLPClassifier (float64 X)": (mlp(), np.float64),
            "MLPClassifier (float32 X)": (mlp(), np.float32)}


def measure(sets: dict, epochs_for: dict, repeats: int) -> list[dict]:
    """One row per (set, estimator): median fit seconds and median test accuracy over the repeats."""
    rows = []
    for name, (X_tr, X_te, y_tr, y_te) in sets.items():
        epochs = epochs_for[name]
        times: dict[str, list] = {}
        accuracy: dict[str, list] = {}
        for seed in range(repeats):
            for label, (est, dtype) in estimators(epochs, seed).items():
                Xtr, Xte = X_tr.astype(dtype), X_te.astype(dtype)  # conversions outside the timing
                t0 = time.perf_counter()
                est.fit(Xtr, y_tr)
                times.setdefault(label, []).append(time.perf_counter() - t0)
                accuracy.setdefault(label, []).append(est.score(Xte, y_te))
        for label in times:
            rows.append({"set": name, "n_train": X_tr.shape[0], "epochs": epochs, "estimator": label,
                         "seconds": float(np.median(times[label])), "accuracy": float(np.median(accuracy[label]))})
    return rows


def report(rows: list[dict]) -> None:
    """Print the table and, per set, glassnet's fit time over each MLPClassifier's."""
    print(f"{'set':<24}{'m train':>8}{'epochs':>8}  {'estimator':<28}{'fit s':>9}{'test acc':>10}")
    for r in rows:
        print(f"{r['set']:<24}{r['n_train']:>8}{r['epochs']:>8}  {r['estimator']:<28}{r['seconds']:>9.3f}"
              f"{r['accuracy']:>10.4f}")
    print()
    for name in dict.fromkeys(r["set"] for r in rows):
        per = {r["estimator"]: r for r in rows if r["set"] == name}
        glass = per["GlassClassifier (float32)"]["seconds"]
        for label in ("MLPClassifier (float64 X)", "MLPClassifier (float32 X)"):
            print(f"{name}: fit time GlassClassifier / {label} = {glass / per[label]['seconds']:.2f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="fits per estimator and set (seeds 0..repeats-1)")
    parser.add_argument("--epochs-digits", type=int, default=100)
    parser.add_argument("--epochs-synthetic", type=int, default=20)
    parser.add_argument("--n-synthetic", type=int, default=20_000)
    parser.add_argument("--n-features", type=int, default=100)
    parser.add_argument("--threads", type=int, default=None, help="limit BLAS threads (default: leave as is)")
    args = parser.parse_args(argv)

    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    sets = data_sets(args.n_synthetic, args.n_features)
    names = list(sets)
    epochs_for = {names[0]: args.epochs_digits, names[1]: args.epochs_synthetic}
    blas = [f"{i.get('internal_api')} {i.get('version')} ({i.get('num_threads')} threads)"
            for i in threadpool_info() if i.get("user_api") == "blas"]
    print(f"machine: {platform.processor() or platform.machine()}, numpy {np.__version__}, BLAS: {'; '.join(blas)}")
    if args.threads is not None:
        with threadpool_limits(limits=args.threads, user_api="blas"):
            print(f"BLAS limited to {args.threads} thread(s)\n")
            rows = measure(sets, epochs_for, args.repeats)
    else:
        print()
        rows = measure(sets, epochs_for, args.repeats)
    report(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
