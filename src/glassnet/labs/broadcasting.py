"""Lab: NumPy broadcasting and why the notes forbid rank-1 arrays."""

from __future__ import annotations

import numpy as np

from ..errors import RankOneArrayError
from ..network import Network
from ..plots import new_figure
from .evidence import exact

TITLE_ZH = "python中的广播机制"
TITLE_EN = "Broadcasting in Python (and rank-1 arrays)"


def run(ctx, result) -> None:
    rng = np.random.default_rng(ctx.seed)
    a = rng.standard_normal(5)  # rank 1: shape (5,)
    c = a.reshape(5, 1)  # a column vector: shape (5, 1)
    cases = [
        ("a.shape", a.shape, c.shape),
        ("a.T.shape", a.T.shape, c.T.shape),
        ("np.dot(a, a.T)", np.shape(np.dot(a, a.T)), np.dot(c, c.T).shape),
        ("a + a.T", (a + a.T).shape, (c + c.T).shape),
        ("a * a.T (elementwise)", (a * a.T).shape, (c * c.T).shape),
    ]
    for expression, rank1, column in cases:
        result.rows.append({"expression": expression, "a = randn(5)": str(rank1),
                            "a = randn(5, 1)": str(column)})
    result.claim("a rank-1 array's transpose is itself", exact(a.T.shape == a.shape), f"a.T.shape = {a.T.shape}")
    result.claim("np.dot(a, a.T) of a rank-1 a is a number, not the outer product",
                 exact(np.ndim(np.dot(a, a.T)) == 0), f"np.dot(a, a.T) = {float(np.dot(a, a.T)):.4f}")
    result.claim("with a (5, 1) column, a a^T is the (5, 5) outer product and a + a^T broadcasts to (5, 5)",
                 exact(np.dot(c, c.T).shape == (5, 5) and (c + c.T).shape == (5, 5)),
                 f"{np.dot(c, c.T).shape}, {(c + c.T).shape}")

    # Broadcasting as the network uses it: Z = W A + b adds the (n, 1) b to every column.
    W = rng.standard_normal((3, 5))
    A = rng.standard_normal((5, 4))
    b = rng.standard_normal((3, 1))
    Z = W @ A + b
    explicit = np.stack([W @ A[:, j] + b[:, 0] for j in range(4)], axis=1)
    result.claim("Z = W A + b adds b (n, 1) to every column (one column per example)",
                 exact(np.allclose(Z, explicit)), f"max difference {np.abs(Z - explicit).max():.1e}")

    net = Network([1, 3, 1], seed=ctx.seed)
    try:
        net.forward(np.arange(4.0))
        refused, message = False, "accepted"
    except RankOneArrayError as exc:
        refused, message = True, str(exc)
    result.notes.append(f"glassnet given a rank-1 X of shape (4,):\n  {message}")
    result.claim("glassnet refuses a rank-1 input and shows the reshape to use",
                 exact(refused and "reshape(1, -1)" in message), "RankOneArrayError" if refused else "accepted")
    result.set_n([ctx.seed])  # the values come from the seed; the shapes and identities claimed do not
    result.data = {"a": a.tolist(), "cases": [list(map(str, c)) for c in cases], "refusal": message}

    fig = new_figure(9, 3)
    panels = [("a a^T (5, 5)", np.dot(c, c.T)), ("a + a^T (5, 5)", c + c.T), ("W A + b (3, 4)", Z)]
    for i, (title, values) in enumerate(panels):
        ax = fig.add_subplot(1, 3, i + 1)
        image = ax.imshow(values, cmap="coolwarm")
        fig.colorbar(image, ax=ax, shrink=0.8)
        ax.set_title(title)
    ctx.save_figure(fig, "broadcasting.png", result, shows=f"values drawn from seed {ctx.seed}")
