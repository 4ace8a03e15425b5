"""Figures: a decision boundary's legend names the class of each colour and its grid is predicted in bounded
batches, in order; a paired-seeds plot draws every seed."""

import numpy as np

from glassnet.network import Network
from glassnet.plots import GRID_BATCH, decision_boundary, new_figure, paired_seeds


def two_classes():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 40))
    return X, (X[0:1] > 0).astype(np.int64)


def test_decision_boundary_has_a_legend_of_the_class_colours():
    X, Y = two_classes()
    net = Network([2, 4, 1], seed=0)
    fig = decision_boundary(net, X, Y, resolution=20)
    ax = fig.axes[0]
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["class 0", "class 1"]
    scatter = ax.collections[-1]
    colours = [tuple(h.get_markerfacecolor()) for h in legend.legend_handles]
    assert colours == [tuple(scatter.cmap(scatter.norm(k))) for k in (0, 1)]  # the points' colours
    assert "class" in legend.get_title().get_text()


class Recording:
    """A classifier whose prediction is x1 > 0.3 (numbers it can check), recording the columns of each call."""

    class_names = None

    def __init__(self):
        self.calls = []

    def predict(self, X):
        self.calls.append(X.copy())
        return (X[0:1] > 0.3).astype(np.int64)


def test_decision_boundary_predicts_the_grid_in_bounded_batches_in_order():
    X, Y = two_classes()
    net = Recording()
    ax = new_figure().add_subplot()
    shaded = {}
    contourf = ax.contourf
    ax.contourf = lambda gx, gy, regions, **kw: shaded.update(gx=gx, regions=regions) or contourf(gx, gy, regions, **kw)
    decision_boundary(net, X, Y, resolution=150, ax=ax)  # 22 500 points: several batches, the last one short
    assert len(net.calls) == -(-150 * 150 // GRID_BATCH) and all(c.shape[1] <= GRID_BATCH for c in net.calls)
    assert np.concatenate(net.calls, axis=1).shape == (2, 150 * 150)
    # each point's prediction shades that point: the regions are x1 > 0.3 over the whole grid
    assert np.array_equal(shaded["regions"], (shaded["gx"] > 0.3).astype(np.int64))


def test_legend_on_a_given_axes_with_class_names():
    X, Y = two_classes()
    fig = new_figure()
    ax = decision_boundary(Network([2, 4, 1], seed=0), X, Y, resolution=20, ax=fig.add_subplot(),
                           class_names=["blue", "red"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["blue", "red"]


def test_multiclass_legend():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((2, 60))
    Y = np.eye(3)[:, rng.integers(0, 3, 60)]
    net = Network([2, 5, 3], output_activation="softmax", seed=0)
    ax = decision_boundary(net, X, Y, resolution=20).axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1", "class 2"]


def test_paired_seeds_draws_every_seed_and_the_median():
    fig = paired_seeds({"none": [0.9, 0.8, 0.95], "L2": [0.92, 0.81, 0.93]}, [0, 1, 2], "test accuracy (%)",
                       "median over 3 seeds")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["seed 0", "seed 1", "seed 2", "median over 3 seeds"]
    np.testing.assert_allclose(ax.lines[-1].get_ydata(), [90, 92])
