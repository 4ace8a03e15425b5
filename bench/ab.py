"""``python -m bench.ab OLD_SRC NEW_SRC``: the same training in two source trees, CPU seconds per epoch.

For a change that must not change speed (a restructuring): each tree's glassnet, imported from its
``src`` folder in a fresh process with one BLAS thread, trains 784-512-256-10 on 12 800 random
examples in batches of 128; the median of ``time.process_time()`` per epoch (the first left out) is
printed for each tree, the trees alternating ``--rounds`` times. CPU time, not wall time, so that a
busy machine changes little; the old tree may be any commit: ``git archive <commit> src | tar -x -C
/tmp/old``. The compiled kernels are used where the tree has them built.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

ONE_RUN = """
import sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np, glassnet as gn
rng = np.random.default_rng(0)
dims = [int(n) for n in sys.argv[2].split(",")]
X = rng.standard_normal((12800, dims[0])).astype(np.float32).T
Y = rng.integers(0, dims[-1], (1, 12800))
net = gn.Network(dims, output_activation="softmax", seed=0)
marks = []
net.fit(X, Y, epochs=int(sys.argv[3]), batch_size=128, schedule="constant",
        callbacks=[lambda net, epoch, record: marks.append(time.process_time())])
per_epoch = np.diff(marks)
print(f"{np.median(per_epoch):.4f}")
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs=2, metavar="SRC", help="two src folders: the old, then the new")
    parser.add_argument("--layers", default="784,512,256,10")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    medians = {tree: [] for tree in args.trees}
    for _ in range(args.rounds):
        for tree in args.trees:
            out = subprocess.run([sys.executable, "-c", ONE_RUN, tree, args.layers, str(args.epochs)], env=env,
                                 capture_output=True, text=True, check=True).stdout
            medians[tree].append(float(out.strip().splitlines()[-1]))
    for tree, values in medians.items():
        print(f"{tree}: CPU s per epoch {', '.join(f'{v:.3f}' for v in values)}")
    old, new = (sorted(medians[t])[len(medians[t]) // 2] for t in args.trees)
    print(f"new / old: {new / old:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
