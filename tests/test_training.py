import numpy as np
import pytest

import glassnet as gn


def blobs(m=200, n_x=4, seed=0, noise=1.0):
    rng = np.random.default_rng(seed)
    Y = (rng.random((1, m)) < 0.5).astype(int)
    X = rng.standard_normal((n_x, m)) * noise + 1.5 * (2 * Y - 1)
    return X, Y


def digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    rng = np.random.default_rng(0)
    order = rng.permutation(len(d.target))
    X = (d.data[order] / 16).T
    Y = d.target[order].reshape(1, -1)
    return X[:, :1200], Y[:, :1200], X[:, 1200:], Y[:, 1200:]


def test_full_batch_gd_lowers_the_cost_every_epoch():
    X, Y = blobs()
    net = gn.Network([4, 8, 4, 1], hidden_activation="tanh", seed=0)
    history = net.fit(X, Y, epochs=50, optimizer="gd", learning_rate=0.05)
    costs = np.array(history["cost"])
    assert len(costs) == 50
    assert np.all(np.diff(costs) < 0)
    assert history["accuracy"][-1] > 0.9


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "rmsprop", "adam"])
def test_every_optimizer_trains_softmax_with_minibatches(optimizer):
    Xtr, Ytr, Xte, Yte = digits()
    lr = {"gd": 0.5, "momentum": 0.5, "rmsprop": 0.002, "adam": 0.005}[optimizer]
    net = gn.Network([64, 32, 10], output_activation="softmax", seed=1)
    history = net.fit(Xtr, Ytr, epochs=15, batch_size=32, optimizer=optimizer, learning_rate=lr,
                      X_dev=Xte, Y_dev=Yte, seed=0)
    assert history["dev_accuracy"][-1] > 0.9
    assert net.evaluate(Xte, Yte)["accuracy"] == pytest.approx(history["dev_accuracy"][-1])
    assert history["cost"][-1] < history["cost"][0]


def test_history_contents_and_partial_last_batch():
    X, Y = blobs(m=50)
    net = gn.Network([4, 3, 1], seed=0)
    seen = []
    history = net.fit(X, Y, epochs=2, batch_size=16, learning_rate=0.01, schedule="constant",
                      callbacks=[lambda net, epoch, record: seen.append(record["epoch"])])
    assert seen == [1, 2]
    assert len(history) == 2 and history.stopped_epoch == 2
    assert history["dev_cost"] == [None, None]
    assert all(s > 0 for s in history["seconds"])
    assert history["learning_rate"] == [0.01, 0.01]
    assert history.to_dict()["records"]["epoch"] == [1, 2]


def test_batches_cover_every_example_once_per_epoch(monkeypatch):
    """The last partial batch is used and nothing is seen twice in an epoch."""
    X, Y = blobs(m=50)
    X[0] = np.arange(50)  # tag each example in its first feature
    net = gn.Network([4, 3, 1], seed=0, dtype="float64")
    seen = []
    original = net.train_step

    def spy(A0, Y, weights=None):
        seen.append(np.array(A0[0]))
        return original(A0, Y, weights)

    monkeypatch.setattr(net, "train_step", spy)
    net.fit(X, Y, epochs=2, batch_size=16, seed=3)
    sizes = [s.size for s in seen]
    assert sizes == [16, 16, 16, 2] * 2
    first, second = np.concatenate(seen[:4]), np.concatenate(seen[4:])
    assert sorted(first) == list(range(50)) == sorted(second)
    assert not np.array_equal(first, second)  # reshuffled each epoch


def test_same_seed_same_history_other_seed_other():
    Xtr, Ytr, Xte, Yte = digits()

    def train(seed):
        net = gn.Network([64, 16, 10], output_activation="softmax", keep_prob=0.9, seed=seed)
        return net.fit(Xtr, Ytr, epochs=3, batch_size=64, X_dev=Xte, Y_dev=Yte, seed=seed), net

    (h1, n1), (h2, n2), (h3, _) = train(5), train(5), train(6)
    assert h1["cost"] == h2["cost"] and h1["dev_cost"] == h2["dev_cost"]
    np.testing.assert_array_equal(n1.parameters_to_vector(), n2.parameters_to_vector())
    assert h1["cost"] != h3["cost"]


def test_early_stopping_restores_the_best_dev_weights():
    # an over-fitting run: few noisy examples, a big network, many epochs
    X, Y = blobs(m=60, n_x=20, noise=3.0, seed=1)
    Xd, Yd = blobs(m=200, n_x=20, noise=3.0, seed=2)
    net = gn.Network([20, 100, 100, 1], seed=0, dtype="float64")
    snapshots = {}
    stopper = gn.EarlyStopping(patience=5)
    history = net.fit(X, Y, epochs=300, batch_size=20, learning_rate=0.003, X_dev=Xd, Y_dev=Yd,
                      early_stopping=stopper, seed=0,
                      callbacks=[lambda n, e, r: snapshots.__setitem__(e, n.parameters_to_vector())])
    dev = history["dev_cost"]
    best = int(np.argmin(dev)) + 1
    assert history.best_epoch == best
    assert history.stopped_epoch == best + 5 < 300  # it stopped early, patience epochs after
    assert "early stopping" in history.stop_reason
    np.testing.assert_array_equal(net.parameters_to_vector(), snapshots[best])
    assert net.evaluate(Xd, Yd)["cost"] == pytest.approx(min(dev), rel=1e-12)


def test_early_stopping_restores_best_even_when_epochs_run_out():
    X, Y = blobs(m=60, n_x=20, noise=3.0, seed=1)
    Xd, Yd = blobs(m=200, n_x=20, noise=3.0, seed=2)
    net = gn.Network([20, 100, 1], seed=0, dtype="float64")
    history = net.fit(X, Y, epochs=40, batch_size=20, learning_rate=0.003, X_dev=Xd, Y_dev=Yd,
                      early_stopping=gn.EarlyStopping(patience=1000), seed=0)
    assert history.stopped_epoch == 40
    assert net.evaluate(Xd, Yd)["cost"] == pytest.approx(min(history["dev_cost"]), rel=1e-12)


def test_early_stopping_errors():
    X, Y = blobs()
    net = gn.Network([4, 3, 1])
    with pytest.raises(gn.UnknownNameError, match="dev_accuracy"):
        gn.EarlyStopping(monitor="dev_loss")
    with pytest.raises(gn.HyperparameterError, match="no dev set"):
        net.fit(X, Y, epochs=2, early_stopping=gn.EarlyStopping())
    # monitoring the training cost needs no dev set
    net.fit(X, Y, epochs=2, early_stopping=gn.EarlyStopping(monitor="cost"))


def test_nan_mid_training_stops_with_the_last_verified_weights():
    X, Y = blobs()
    net = gn.Network([4, 5, 1], seed=0, dtype="float64")
    good = {}

    def poison(net, epoch, record):
        good[epoch] = net.parameters_to_vector()
        if epoch == 3:
            net.params["W1"][0, 0] = np.nan  # the next epoch's cost is NaN

    with pytest.warns(gn.DivergenceWarning, match=r"epoch 4.*weights after epoch 2.*lower learning rate.*normalize"):
        history = net.fit(X, Y, epochs=10, callbacks=[poison])
    assert history.stopped_epoch == 4 and len(history) == 3
    # The weights after epoch 3 were never scored (epoch 4's first cost is NaN): the ones kept are
    # those epoch 3 started from, whose cost its first mini-batch computed finite.
    np.testing.assert_array_equal(net.parameters_to_vector(), good[2])
    assert np.isfinite(net.cost(X, Y))
    net.params["W1"][0, 0] = np.nan
    with pytest.raises(gn.DivergenceError, match="epoch 1"):
        net.fit(X, Y, epochs=2, on_divergence="raise")


@pytest.mark.parametrize("epochs", [1, 2, 20])
def test_divergence_keeps_only_weights_whose_cost_was_finite(epochs):
    X, Y = gn.datasets.make_moons(200, noise=0.2, seed=0)
    net = gn.Network([2, 8, 1], seed=0)
    start = net.parameters_to_vector()
    with pytest.warns(gn.DivergenceWarning, match="weights after epoch 0"):
        history = net.fit(X, Y, epochs=epochs, batch_size=None, optimizer="gd", learning_rate=1e30)
    # the first step already overflows: only the initial weights were ever scored finite
    np.testing.assert_array_equal(net.parameters_to_vector(), start)
    assert np.isfinite(net.cost(X, Y))
    assert history.stopped_epoch == min(epochs, 2)


def test_a_single_epoch_that_explodes_is_warned_about():
    X, Y = gn.datasets.make_moons(200, noise=0.2, seed=0)
    net = gn.Network([2, 8, 1], seed=0, dtype="float64")
    with pytest.warns(gn.DivergenceWarning, match="after the last update"):
        net.fit(X, Y, epochs=1, optimizer="gd", learning_rate=1e30)


def test_a_cost_that_grows_a_thousandfold_is_warned_about():
    X, Y = gn.datasets.make_moons(200, noise=0.2, seed=0)
    net = gn.Network([2, 8, 1], seed=0, dtype="float64")
    with pytest.warns(gn.DivergenceWarning, match="grew from"):
        net.fit(X, Y, epochs=30, batch_size=None, schedule="constant", optimizer="adam", learning_rate=1e6)


def test_large_learning_rate_divergence_is_caught():
    X, Y = blobs()
    X = X * 1e3
    net = gn.Network([4, 50, 1], output_activation="linear", seed=0)
    with pytest.warns(gn.DivergenceWarning):
        history = net.fit(X, Y.astype(float), epochs=50, optimizer="gd", learning_rate=10.0)
    assert history.stopped_epoch < 50
    assert np.isfinite(net.parameters_to_vector()).all()


def test_regression_records_rmse():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (2, 300))
    Y = np.vstack([np.sin(3 * X[0]) + X[1], X[0] * X[1]])
    net = gn.Network([2, 32, 32, 2], hidden_activation="tanh", output_activation="linear", seed=0)
    history = net.fit(X, Y, epochs=200, batch_size=32, learning_rate=0.01, seed=0)
    assert history["rmse"][-1] < 0.1
    assert history["accuracy"] == [None] * 200


def test_fit_argument_errors():
    X, Y = blobs()
    net = gn.Network([4, 3, 1])
    with pytest.raises(gn.HyperparameterError, match="epochs must be an integer >= 1"):
        net.fit(X, Y, epochs=0)
    with pytest.raises(gn.HyperparameterError, match="batch_size"):
        net.fit(X, Y, epochs=1, batch_size=0)
    with pytest.raises(gn.HyperparameterError, match="both X_dev and Y_dev"):
        net.fit(X, Y, epochs=1, X_dev=X)
    with pytest.raises(gn.RankOneArrayError):
        net.fit(X, Y[0], epochs=1)
    with pytest.raises(gn.ShapeError, match="layer 1"):
        net.fit(X.T, Y, epochs=1)
    with pytest.raises(gn.HyperparameterError, match="verbose"):
        net.fit(X, Y, epochs=1, verbose=5)


def test_verbose_line_per_epoch(capsys):
    X, Y = blobs(m=40)
    gn.Network([4, 3, 1], seed=0).fit(X, Y, epochs=2, verbose=2)
    out = capsys.readouterr().out
    assert "epoch     1" in out and "epoch     2" in out and "cost" in out


def test_normalizer_fitted_on_training_set_only_and_saved(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 100)) * np.array([[1.0], [100.0], [0.01]]) + 50
    Y = (X[:1] > 50).astype(int)
    Xd = rng.standard_normal((3, 40)) * 7 - 20  # a dev set with other statistics
    Yd = (Xd[:1] > -20).astype(int)
    net = gn.Network([3, 5, 1], seed=0, dtype="float64")
    net.fit(X, Y, epochs=5, X_dev=Xd, Y_dev=Yd, normalize=True)
    np.testing.assert_allclose(net.normalizer.mu, X.mean(axis=1, keepdims=True))
    np.testing.assert_allclose(net.normalizer.sigma2, X.var(axis=1, keepdims=True))
    # predict applies the stored statistics to raw inputs
    manual = gn.Network([3, 5, 1], dtype="float64")
    manual.vector_to_parameters(net.parameters_to_vector())
    X_norm = (Xd - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)
    np.testing.assert_allclose(net.predict_proba(Xd), manual.predict_proba(X_norm), rtol=1e-10)
    loaded = gn.load(gn.save(net, tmp_path / "m.npz"))
    np.testing.assert_array_equal(loaded.normalizer.mu, net.normalizer.mu)
    np.testing.assert_array_equal(loaded.predict_proba(Xd), net.predict_proba(Xd))
    # a second fit without normalize drops the normalizer
    net.fit(X, Y, epochs=1)
    assert net.normalizer is None


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fit_matches_a_plain_reference_loop(dtype):
    """The fast loop (reused buffers, flat in-place Adam) computes what the notes' loop computes."""
    X, Y = blobs(m=70, n_x=5)
    net = gn.Network([5, 6, 4, 1], keep_prob=1.0, l2=0.2, seed=0, dtype=dtype)
    reference = net.copy()
    net.fit(X, Y, epochs=3, batch_size=16, optimizer="adam", learning_rate=0.01, schedule="constant", seed=7)

    opt = gn.optimizers.Adam(0.01)
    rng = np.random.default_rng(7)
    params = {k: np.array(v) for k, v in reference.params.items()}
    for _ in range(3):
        order = rng.permutation(70)
        for start in range(0, 70, 16):
            idx = order[start:start + 16]
            _, grads = reference.cost_and_gradients(X[:, idx], Y[:, idx], training=True)
            opt.update(params, grads)
            for k, v in params.items():
                reference.params[k] = v
    tolerance = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(net.parameters_to_vector(), reference.parameters_to_vector(),
                               rtol=tolerance, atol=tolerance)


def test_normalize_keep_continues_with_the_first_statistics():
    X, Y = blobs()
    net = gn.Network([4, 3, 1], seed=0)
    net.fit(X * 10 + 5, Y, epochs=2, normalize=True)
    first = net.normalizer
    net.fit(X, Y, epochs=2, normalize="keep")
    assert net.normalizer is first
    with pytest.raises(gn.HyperparameterError, match="normalize must be True"):
        net.fit(X, Y, epochs=1, normalize="yes")


def test_augment_touches_every_training_batch_and_never_the_dev_set():
    rng = np.random.default_rng(0)
    X = rng.random((2 * 3 * 1, 50))  # 50 "images" of 2x3x1
    Y = (X[0:1] > 0.5).astype(int)
    Xd = rng.random((6, 20))
    Yd = (Xd[0:1] > 0.5).astype(int)
    calls = []

    def shift(images, rng):
        calls.append(images.shape)
        return images + 100.0  # unmistakable if it ever reached the dev set

    net = gn.Network([6, 4, 1], seed=0, dtype="float64")
    history = net.fit(X, Y, epochs=2, batch_size=16, X_dev=Xd, Y_dev=Yd, augment=[shift], image_shape=(2, 3, 1))
    assert calls == ([(16, 2, 3, 1)] * 3 + [(2, 2, 3, 1)]) * 2  # every mini-batch of both epochs, the last partial
    assert net.evaluate(Xd, Yd)["cost"] == pytest.approx(history["dev_cost"][-1], rel=1e-12)
    with pytest.raises(gn.HyperparameterError, match="image_shape"):
        net.fit(X, Y, epochs=1, augment=[shift])


def test_augmentation_pipeline_from_names_is_reproducible():
    rng = np.random.default_rng(1)
    X = rng.random((8 * 8, 64))
    Y = rng.integers(0, 3, (1, 64))

    def train(seed):
        net = gn.Network([64, 8, 3], output_activation="softmax", seed=0)
        return net.fit(X, Y, epochs=2, batch_size=16, seed=seed, augment="crop,rotate", image_shape=(8, 8, 1))

    assert train(3)["cost"] == train(3)["cost"]
    assert train(3)["cost"] != train(4)["cost"]


def test_diagnostics_per_epoch_and_the_gradient_norm_plot(tmp_path):
    from glassnet import plots

    X, Y = blobs()
    net = gn.Network([4, 6, 5, 1], seed=0)
    history = net.fit(X, Y, epochs=4, batch_size=50, diagnostics=True)
    assert len(history.diagnostics) == 4
    assert len(history.diagnostics[0]["grad_norm"]) == 3
    plots.gradient_norms(history, tmp_path / "norms.png")
    assert (tmp_path / "norms.png").stat().st_size > 0


def test_integer_sample_weights_equal_repeated_examples():
    X, Y = gn.datasets.make_moons(60, noise=0.2, seed=1)
    counts = np.random.default_rng(0).integers(0, 4, 60)
    counts[0] = 1
    repeated = np.repeat(np.arange(60), counts)
    weighted = gn.Network([2, 6, 1], l2=0.3, dtype="float64", seed=2)
    copied = weighted.copy()
    h_w = weighted.fit(X, Y, epochs=30, optimizer="gd", learning_rate=0.5, sample_weight=counts.reshape(1, -1))
    h_r = copied.fit(X[:, repeated], Y[:, repeated], epochs=30, optimizer="gd", learning_rate=0.5)
    np.testing.assert_allclose(weighted.parameters_to_vector(), copied.parameters_to_vector(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h_w["cost"], h_r["cost"], rtol=1e-10)
    np.testing.assert_allclose(h_w["l2_cost"], h_r["l2_cost"], rtol=1e-10)
    J_w, g_w = weighted.cost_and_gradients(X, Y, training=False, sample_weight=counts.reshape(1, -1))
    J_r, g_r = weighted.cost_and_gradients(X[:, repeated], Y[:, repeated], training=False)
    assert J_w == pytest.approx(J_r, rel=1e-12)
    for name in g_r:
        np.testing.assert_allclose(g_w[name], g_r[name], rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("weights", [np.ones(5), -np.ones((1, 5)), np.zeros((1, 5)), np.ones((1, 4)),
                                     np.full((1, 5), np.nan)])
def test_bad_sample_weights_are_refused(weights):
    X, Y = blobs()
    net = gn.Network([4, 3, 1], seed=0)
    with pytest.raises(gn.GlassnetError, match="sample_weight"):
        net.fit(X[:, :5], Y[:, :5], epochs=1, sample_weight=weights)


def test_reported_costs_are_data_costs_comparable_across_sizes():
    X, Y = gn.datasets.make_moons(80, noise=0.2, seed=3)
    net = gn.Network([2, 8, 1], l2=5.0, dtype="float64", seed=0)
    history = net.fit(X, Y, epochs=5, X_dev=X, Y_dev=Y)  # full batch, dev set = training set
    # the train cost is that of the weights before each step, the dev cost after it: compare
    # epoch t+1's train cost with epoch t's dev cost (the same weights)
    np.testing.assert_allclose(history["cost"][1:], history["dev_cost"][:-1], rtol=1e-10)
    # the L2 term sits beside the cost, with the training set's m
    W2 = sum(float((w ** 2).sum()) for name, w in net.params.items() if name.startswith("W"))
    assert history["l2_cost"][-1] == pytest.approx(5.0 / (2 * 80) * W2)
    # a data set's cost does not depend on how many examples are scored (L2 on)
    once, four = net.evaluate(X, Y), net.evaluate(np.tile(X, 4), np.tile(Y, 4))
    assert once["cost"] == pytest.approx(four["cost"], rel=1e-12)
    assert once["accuracy"] == four["accuracy"]
    # the notes' J (what backprop differentiates) is that data cost plus the L2 term
    assert net.cost(X, Y) == pytest.approx(once["cost"] + net.l2_cost(80), rel=1e-12)
    assert "l2_cost" in history and "rmse" not in history


# ---------------------------------------------------------------------- callbacks keep their own state
def test_early_stopping_state_restores_into_a_fresh_one_and_says_why_it_stopped():
    X, Y = blobs()
    es = gn.EarlyStopping(monitor="cost", patience=2, min_delta=10.0)  # no epoch improves by 10
    history = gn.Network([4, 8, 1], seed=0).fit(X, Y, epochs=20, early_stopping=es)
    assert es.stop_reason == "early stopping: cost did not improve for 2 epochs after epoch 1"
    assert history.stop_reason == es.stop_reason and history.stopped_epoch == 3
    state = es.state()
    assert set(state) == {"best_value", "best_epoch", "wait", "best_theta"} and state["best_epoch"] == 1
    again = gn.EarlyStopping(monitor="cost", patience=2)
    assert again.stop_reason is None
    again.restore(state)
    assert again.best_epoch == 1 and again.wait == 2 and again.best_value == state["best_value"]
    np.testing.assert_array_equal(again.best_theta, state["best_theta"])


def test_a_callback_may_say_why_it_stops():
    class Enough(gn.Callback):
        stop_reason = "enough: three epochs"

        def on_epoch_end(self, net, epoch, record):
            return epoch == 3

    X, Y = blobs()
    history = gn.Network([4, 8, 1], seed=0).fit(X, Y, epochs=50, callbacks=[Enough()])
    assert history.stop_reason == "enough: three epochs" and history.stopped_epoch == 3
    history = gn.Network([4, 8, 1], seed=0).fit(X, Y, epochs=50, callbacks=[lambda net, epoch, record: epoch == 2])
    assert history.stop_reason == "a callback stopped training after epoch 2"


def test_callbacks_are_attached_to_the_public_training_state():
    seen = []

    class Look(gn.Callback):
        def attach(self, training):
            seen.append(training)

    X, Y = blobs()
    es, look = gn.EarlyStopping(monitor="cost"), Look()
    net = gn.Network([4, 8, 1], seed=0)
    history = net.fit(X, Y, epochs=2, early_stopping=es, callbacks=[look], seed=3)
    (training,) = seen
    assert isinstance(training, gn.callbacks.TrainingState)
    assert training.net is net and training.history is history and training.early_stopping is es
    assert training.callbacks == [look, es] and set(training.rngs) == {"shuffle", "augment"}
    assert training.optimizer.name == "adam"


def test_checkpoints_as_a_callback_write_what_checkpoint_dir_writes(tmp_path):
    X, Y = blobs()
    kwargs = {"epochs": 4, "X_dev": X, "Y_dev": Y, "seed": 1}
    gn.Network([4, 8, 1], seed=0).fit(X, Y, early_stopping=gn.EarlyStopping(patience=5), checkpoint_dir=tmp_path / "a",
                                      checkpoint_every=2, **kwargs)
    gn.Network([4, 8, 1], seed=0).fit(X, Y, early_stopping=gn.EarlyStopping(patience=5),
                                      callbacks=[gn.callbacks.Checkpoints(tmp_path / "b", every=2)], **kwargs)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert {"checkpoint-epoch0002.npz", "checkpoint-epoch0004.npz", "checkpoint-last.npz", "checkpoint-best.npz"} \
        <= set(names)
    for name in names:
        a, b = gn.load_metadata(tmp_path / "a" / name), gn.load_metadata(tmp_path / "b" / name)
        assert a["arrays"] == b["arrays"] and a["early_stopping"] == b["early_stopping"]
        assert a["optimizer"] == b["optimizer"] and a["rng"] == b["rng"]
        assert gn.History.from_dict(a["history"])["cost"] == gn.History.from_dict(b["history"])["cost"]
    with pytest.raises(gn.HyperparameterError, match="checkpoint_every"):
        gn.callbacks.Checkpoints(tmp_path, every=0)


def test_the_loop_and_everything_it_imports_know_no_network():
    from .test_structure import import_graph

    graph = import_graph()
    reached, todo = set(), ["glassnet.training"]
    while todo:
        for target in graph[todo.pop()] - reached:
            reached.add(target)
            todo.append(target)
    assert "glassnet.network" not in reached and "glassnet.io" not in reached
    assert {"glassnet.modelfile", "glassnet.layer_stats", "glassnet.callbacks"} <= reached
    assert "glassnet.training" in graph["glassnet.network"]
