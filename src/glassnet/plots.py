"""Figures with matplotlib: cost curves, train/dev curves, decision boundaries, gradient norms.

Each function draws on a fresh ``matplotlib.figure.Figure`` (no pyplot state, no display needed),
returns it, and writes a PNG when ``path`` is given.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def new_figure(width: float = 6.0, height: float = 4.0):
    """A fresh matplotlib Figure (constrained layout, 100 dpi): no pyplot state, no display needed."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _finish(fig, path):
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path)
    return fig


def cost_curve(history, path=None, title="Training cost", log_scale: bool = False):
    """The training cost per epoch (the notes' cost curve): the data cost, J without the L2 term."""
    fig = new_figure()
    ax = fig.add_subplot()
    ax.plot(history["epoch"], history["cost"], label="train cost")
    ax.set_xlabel("epoch")
    ax.set_ylabel("data cost (J without the L2 term)")
    if log_scale:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return _finish(fig, path)


def train_dev_curves(history, path=None, title="Train and dev", weights_epoch: int | None = None):
    """Cost and the metric (accuracy or RMSE) for train and dev.

    The costs are data costs (J without the L2 term), so train and dev compare. ``weights_epoch``:
    the epoch whose weights the model holds (early stopping restores its best epoch; otherwise the
    last). The history's best epoch is marked only when it is that epoch: a marker must not point
    at weights that were not kept.
    """
    metric = "rmse" if any(v is not None for v in history["rmse"]) else "accuracy"
    fig = new_figure(10, 4)
    for i, (key, label) in enumerate((("cost", "data cost (J without L2)"), (metric, metric))):
        ax = fig.add_subplot(1, 2, i + 1)
        ax.plot(history["epoch"], history[key], label="train")
        dev = history["dev_" + key]
        if any(v is not None for v in dev):
            ax.plot(history["epoch"], [np.nan if v is None else v for v in dev], label="dev")
        if history.best_epoch is not None and history.best_epoch == weights_epoch:
            ax.axvline(history.best_epoch, color="grey", linestyle="--", linewidth=1,
                       label=f"best epoch {history.best_epoch} (the saved weights)")
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    return _finish(fig, path)


GRID_BATCH = 4096  # grid points per prediction in decision_boundary


def decision_boundary(net, X, Y, path=None, title="Decision boundary", resolution: int = 300, ax=None,
                      class_names=None):
    """The regions a 2-D classifier predicts, with the examples (X (2, m), Y (1, m)) on top.

    A legend names the class of each colour (``class_names``, else the net's class names, else
    "class 0", "class 1", ...): the points' colour is their true class, the shading the predicted one.
    """
    X = np.asarray(X)
    if X.shape[0] != 2:
        raise ValueError(f"decision_boundary needs 2-D inputs, X of shape (2, m); got {X.shape}")
    labels = np.asarray(Y).reshape(-1) if np.asarray(Y).shape[0] == 1 else np.asarray(Y).argmax(axis=0)
    pad_x = 0.1 * (X[0].max() - X[0].min() + 1e-9)
    pad_y = 0.1 * (X[1].max() - X[1].min() + 1e-9)
    xs = np.linspace(X[0].min() - pad_x, X[0].max() + pad_x, resolution)
    ys = np.linspace(X[1].min() - pad_y, X[1].max() + pad_y, resolution)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.vstack([gx.ravel(), gy.ravel()])
    # the grid (90 000 points at the default resolution) a few thousand columns at a time: one call would hold
    # every layer's Z and A for all of them (550 MB for a 256-128 float64 net) where these hold 25 MB
    regions = np.concatenate([np.asarray(net.predict(grid[:, start:start + GRID_BATCH]))[0]
                              for start in range(0, grid.shape[1], GRID_BATCH)]).reshape(gx.shape)
    fig = None
    if ax is None:
        fig = new_figure(5, 5)
        ax = fig.add_subplot()
    top = max(int(regions.max()), int(labels.max()), 1)  # same colours for the same class in both layers
    ax.contourf(gx, gy, regions, alpha=0.35, cmap="coolwarm", levels=np.arange(top + 2) - 0.5, vmin=0, vmax=top)
    points = ax.scatter(X[0], X[1], c=labels, cmap="coolwarm", vmin=0, vmax=top, s=12, edgecolors="k",
                        linewidths=0.3)
    _class_legend(ax, points, top + 1, class_names if class_names is not None else getattr(net, "class_names", None))
    ax.set_title(title)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    return _finish(fig, path) if fig is not None else ax


def _class_legend(ax, points, n_classes: int, names=None) -> None:
    """One legend entry per class, in the colour of its points (points: the true class; shading: the predicted one)."""
    from matplotlib.lines import Line2D

    names = list(names) if names is not None and len(names) == n_classes else [f"class {k}" for k in range(n_classes)]
    handles = [Line2D([], [], marker="o", linestyle="", markersize=6, markeredgecolor="k", markeredgewidth=0.3,
                      markerfacecolor=points.cmap(points.norm(k)), label=str(name)) for k, name in enumerate(names)]
    ax.legend(handles=handles, title="colour = class (points: true, shading: predicted)", fontsize=7,
              title_fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=min(n_classes, 4),
              frameon=False)  # below the x label: the plane stays clear


def paired_seeds(values: dict, seeds, ylabel: str, title: str, path=None, scale: float = 100.0):
    """Each seed's value in every arm, joined by a line (the pairs a sign test compares), with the median.

    ``values``: {arm: [value per seed, in the order of ``seeds``]}; values times ``scale`` (100: percent).
    """
    import textwrap

    fig = new_figure(max(5.0, 2.0 * len(values)), 4)
    ax = fig.add_subplot()
    arms = list(values)
    x = np.arange(len(arms))
    table = np.array([values[a] for a in arms], dtype=float) * scale  # (arms, seeds)
    for j, seed in enumerate(seeds):
        ax.plot(x, table[:, j], "o-", color=f"C{j % 10}", alpha=0.6, linewidth=1, markersize=4, label=f"seed {seed}")
    ax.plot(x, np.median(table, axis=1), "_", color="k", markersize=30, markeredgewidth=2,
            label=f"median over {len(seeds)} seeds")
    ax.set_xticks(x, [textwrap.fill(str(a), 18) for a in arms], fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncols=2)
    return _finish(fig, path)


def gradient_norms(history, path=None, title="Gradient norm per layer"):
    """‖dW[l]‖ per layer over epochs, from ``fit(..., diagnostics=True)`` (log scale)."""
    records = history.diagnostics
    if not records:
        raise ValueError("no diagnostics in this history; train with fit(..., diagnostics=True)")
    fig = new_figure()
    ax = fig.add_subplot()
    norms = np.array([r["grad_norm"] for r in records], dtype=float)
    epochs = history["epoch"][: len(records)]
    for l in range(norms.shape[1]):
        ax.plot(epochs, norms[:, l], label=f"‖dW{l + 1}‖")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("gradient norm")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return _finish(fig, path)
