import contextlib

import numpy as np
import pytest

import glassnet as gn


@pytest.fixture
def net():
    return gn.Network([3, 4, 1], seed=0)


def test_rank_one_X_is_refused_with_the_reshape(net):
    with pytest.raises(gn.RankOneArrayError) as info:
        net.forward(np.zeros(5))
    message = str(info.value)
    assert "shape (5,)" in message and "X.reshape(1, -1)" in message and "X.reshape(-1, 1)" in message


def test_rank_one_Y_is_refused_with_the_reshape(net):
    X = np.zeros((3, 5))
    with pytest.raises(gn.RankOneArrayError, match=r"Y.reshape\(1, -1\)"):
        net.cost(X, np.zeros(5))


def test_shape_mismatch_names_the_layer_and_both_shapes(net):
    with pytest.raises(gn.ShapeError) as info:
        net.forward(np.zeros((5, 3)))
    message = str(info.value)
    assert "layer 1" in message and "(4, 3)" in message and "(5, 3)" in message
    assert "X.T" in message  # it looks like (m, n_x)


def test_Y_shape_mismatch(net):
    with pytest.raises(gn.ShapeError, match=r"\(1, 5\).*got \(1, 4\)"):
        net.cost(np.zeros((3, 5)), np.zeros((1, 4)))


def test_images_get_the_flatten_hint(net):
    with pytest.raises(gn.ShapeError, match=r"reshape\(m, -1\).T"):
        net.forward(np.zeros((2, 4, 4, 3)))


@pytest.mark.parametrize("kwargs,pattern", [
    ({"l2": -1}, r"l2 must be a number in \[0.0, inf\)"),
    ({"hidden_activation": "swish"}, "unknown activation 'swish'; expected one of: leaky_relu, linear, relu"),
    ({"initializer": "lecun"}, "unknown initializer 'lecun'; expected one of: glorot, he, random, xavier, zeros"),
    ({"output_activation": "relu"}, "output activation must be one of sigmoid, softmax, linear"),
    ({"dtype": "float16"}, "dtype must be 'float32' or 'float64'"),
    ({"layer_dims": [3]}, "at least"),
    ({"layer_dims": [3, 0, 1]}, r"layer_dims\[1\] must be an integer >= 1"),
    ({"init_scale": -2}, "init_scale"),
    ({"activations": ["relu", "sigmoid", "tanh"]}, "L = 2 activations"),
    ({"layer_dims": [3, 1], "output_activation": "softmax"}, "at least 2 units"),
])
def test_hyperparameter_errors(kwargs, pattern):
    args = {"layer_dims": [3, 4, 1], **kwargs}
    with pytest.raises(gn.HyperparameterError, match=pattern):
        gn.Network(**args)


def test_labels_outside_0_1_for_sigmoid(net):
    with pytest.raises(gn.LabelError, match=r"labels in \{0, 1\}, found \[2.0\].*softmax"):
        net.cost(np.zeros((3, 3)), np.array([[0, 1, 2]]))


def test_softmax_labels_out_of_range():
    net = gn.Network([3, 4, 3], output_activation="softmax", seed=0)
    with pytest.raises(gn.LabelError, match="0..2"):
        net.cost(np.zeros((3, 3)), np.array([[0, 1, 3]]))
    with pytest.raises(gn.ShapeError, match=r"one-hot \(3, 3\) or integer labels \(1, 3\)"):
        net.cost(np.zeros((3, 3)), np.zeros((2, 3)))


def test_nan_in_X(net):
    X = np.zeros((3, 4))
    X[1, 2] = np.nan
    with pytest.raises(gn.NonFiniteError, match=r"first at \[1, 2\]"):
        net.forward(X)


def test_backward_before_forward():
    with pytest.raises(gn.NotFittedError, match="forward pass first"):
        gn.Network([3, 2, 1]).backward(np.zeros((1, 2)))


def test_errors_are_also_builtin_types(net):
    with pytest.raises(ValueError):
        net.forward(np.zeros(3))
    assert issubclass(gn.GlassnetError, Exception)


# ---------------------------------------------------------------- every user error a glassnet error (issue 13)

from glassnet import cli, errors, validation  # noqa: E402


@pytest.mark.parametrize("cls,builtin", [
    (errors.HyperparameterTypeError, TypeError), (errors.HyperparameterTypeError, ValueError),
    (errors.UnknownParameterError, KeyError), (errors.TooLargeError, MemoryError),
    (errors.PathError, OSError), (gn.ModelFileError, OSError), (gn.ShapeError, ValueError),
])
def test_each_error_is_also_the_builtin_a_python_user_catches(cls, builtin):
    assert issubclass(cls, gn.GlassnetError) and issubclass(cls, builtin)


@pytest.mark.parametrize("spec,pattern", [
    ({"name": "relu", "alpha": 1}, r"activation 'relu' has no parameter 'alpha'; it takes only 'name'"),
    ({"name": "leaky_relu", "slope": 0.1}, r"no parameter 'slope'; it takes 'alpha' \(and 'name'\)"),
    ({"name": "leaky_relu", "alpha": "0.1"}, r"alpha must be a number in \[0.0, 1.0\), got '0.1'"),
    ({"alpha": 0.1}, "needs a 'name' key"),
    ({"name": 3}, "unknown activation 3"),
    (3.5, "must be a name"),
])
def test_activation_config_dicts_are_checked_against_the_class(spec, pattern):
    with pytest.raises(gn.HyperparameterError, match=pattern):
        gn.Network([2, 3, 1], hidden_activation=spec)


@pytest.mark.parametrize("kwargs,pattern", [
    ({"optimizer": {"name": "adam", "beta": 0.9}}, r"optimizer 'adam' has no parameter 'beta'; it takes "
                                                   r"'learning_rate', 'beta1', 'beta2', 'epsilon'"),
    ({"optimizer": {"name": "momentum", "beta": "x"}}, "beta must be a number"),
    ({"schedule": {"name": "step", "step_size": 2.5}}, r"step_size must be an integer >= 1, got 2.5"),
    ({"schedule": {"name": "exponential", "decay": 0.9}}, r"no parameter 'decay'; it takes 'rate'"),
])
def test_optimizer_and_schedule_config_dicts_are_checked(kwargs, pattern):
    X = np.zeros((2, 4))
    Y = np.zeros((1, 4))
    with pytest.raises(gn.HyperparameterError, match=pattern) as info:
        gn.Network([2, 3, 1], seed=0).fit(X, Y, epochs=1, **kwargs)
    assert isinstance(info.value, TypeError)  # what Python says of an unknown keyword or a value of the wrong type


@pytest.mark.parametrize("value,error", [("3", TypeError), (2.5, TypeError), (True, TypeError), ([3], TypeError),
                                         (0, ValueError), (-5, ValueError)])
def test_integer_arguments_are_integers_in_range(value, error):
    X, Y = np.zeros((2, 4)), np.zeros((1, 4))
    with pytest.raises(gn.HyperparameterError, match="epochs must be an integer >= 1") as info:
        gn.Network([2, 3, 1], seed=0).fit(X, Y, epochs=value)
    assert isinstance(info.value, error)
    if value is not None:  # batch_size=None is the full batch
        with pytest.raises(gn.HyperparameterError, match="batch_size must be an integer >= 1"):
            gn.Network([2, 3, 1], seed=0).fit(X, Y, epochs=1, batch_size=value)


def test_an_integral_float_gets_the_int_hint():
    with pytest.raises(TypeError, match=r"use int\(3.0\) if you mean it"):
        gn.Network([2, 3.0, 1])


@pytest.mark.parametrize("X,pattern", [
    ([[1.0, 2.0], [3.0]], "rows have different lengths"),
    ([["a", "b"], ["c", "d"]], "must hold real numbers, got an array of text"),
    (np.ones((2, 2)) * 1j, "complex numbers"),
    ([[10**400, 1], [1, 1]], "must hold real numbers"),
])
def test_ragged_text_and_complex_inputs_are_refused(X, pattern):
    with pytest.raises(gn.ShapeError, match=pattern):
        gn.Network([2, 3, 1]).predict(X)


def test_a_sparse_matrix_is_refused_with_the_fix():
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(gn.ShapeError, match=r"sparse matrix.*toarray\(\)"):
        gn.Network([2, 3, 1]).predict(sparse.csr_matrix(np.ones((2, 3))))


def test_an_unknown_parameter_name_is_a_glassnet_key_error():
    net = gn.Network([2, 3, 1])
    with pytest.raises(KeyError) as info:
        net.params["W9"] = np.zeros((3, 2))
    assert isinstance(info.value, gn.GlassnetError)
    assert str(info.value) == "no parameter 'W9'; the parameters are W1, b1, W2, b2 (W1, b1 ... WL, bL)"


def test_a_network_larger_than_the_machine_is_refused_before_allocating():
    with pytest.raises(MemoryError, match=r"1,000,002,000,001 parameters.*would need 14.6 TiB") as info:
        gn.Network([10**6, 10**6, 1])
    assert isinstance(info.value, errors.TooLargeError)


def test_a_folder_argument_naming_a_file_is_refused(tmp_path):
    (tmp_path / "runs").write_text("not a folder")
    with pytest.raises(errors.PathError, match="is a file"):
        validation.check_folder(tmp_path / "runs" / "ckpt", "checkpoint_dir")
    assert validation.check_folder(tmp_path / "new" / "ckpt", "checkpoint_dir") == tmp_path / "new" / "ckpt"


@pytest.mark.parametrize("front_end", ["fit", "sweep", "cli"])
def test_every_output_folder_is_checked_by_the_one_rule_before_any_work(tmp_path, front_end, capsys):
    (tmp_path / "runs").write_text("not a folder")
    folder = tmp_path / "runs" / "out"
    X, Y = np.zeros((2, 8)), np.array([[0, 1] * 4])
    started = []
    with pytest.raises(errors.PathError, match="is a file") if front_end != "cli" else contextlib.nullcontext():
        if front_end == "fit":
            gn.Network([2, 1]).fit(X, Y, epochs=1, checkpoint_dir=folder, checkpoint_every=1,
                                   callbacks=[lambda net, epoch, record: started.append(epoch)])
        elif front_end == "sweep":
            gn.sweeps.run_sweep(gn.RunSpec(layers=(), epochs=1), data=gn.sweeps.arrays_data({"train": (X, Y)}), seeds=1,
                                out=folder, backend="sequential", progress=False)
        else:
            from glassnet.cli import main

            assert main(["train", "--data", "moons", "--out", str(folder)]) == 2
            assert "--out" in capsys.readouterr().err
    assert started == []  # refused before the first epoch


# ---------------------------------------------------------------- the command line's voice


@pytest.mark.parametrize("argv,message", [
    (["train", "--epochs", "x"], "argument --epochs: "),
    (["train", "--nope"], "unrecognized arguments: --nope"),
    (["bogus"], "invalid choice: 'bogus'"),
    (["evaluate"], "the following arguments are required: model"),
])
def test_command_line_mistakes_are_one_line_and_exit_2_without_the_usage_screen(capsys, argv, message):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("glassnet: error: ") and message in err
    assert len(err.strip().splitlines()) == 1 and "usage:" not in err


def test_an_internal_error_is_one_line_with_the_debug_hint_and_exit_1(capsys, monkeypatch):
    def broken(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli, "cmd_data", broken)
    assert cli.main(["data"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == ("glassnet: internal error: ZeroDivisionError: division by zero "
                           "(rerun with --debug for the traceback)")
    assert cli.main(["data", "--debug"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "ZeroDivisionError" in err
    assert cli.main(["--debug", "data"]) == 1 and "Traceback" in capsys.readouterr().err


def test_a_glassnet_error_with_several_lines_prints_one(capsys, monkeypatch):
    def user_error(args):
        raise gn.HyperparameterError("first\nsecond")

    monkeypatch.setattr(cli, "cmd_data", user_error)
    assert cli.main(["data"]) == 2
    assert capsys.readouterr().err == "glassnet: error: first second\n"


@pytest.mark.parametrize("call,shown", [
    (lambda: gn.Network([2, 3, 1], l2=np.float64(-1)), "got -1.0;"),
    (lambda: gn.Network([2, np.int64(0), 1]), "got 0"),
    (lambda: gn.Network([2, 3, 1], activations=[np.str_("swish"), "sigmoid"]), "unknown activation 'swish'"),
    (lambda: gn.load_dataset(np.str_("moon")), "unknown data set 'moon'"),
    (lambda: gn.Network([2, 3, 1], dtype=np.str_("float16")), "got 'float16'"),
    (lambda: gn.Network([2, 3, 1]).fit(np.zeros((2, 4)), np.zeros((1, 4)), epochs=np.float64(3.0)),
     "got 3.0 (use int(3.0) if you mean it)"),
    (lambda: gn.Network([2, 3, 1]).fit(np.zeros((2, 4)), np.zeros((1, 4)), epochs=2, normalize=np.str_("yes")),
     "got 'yes'"),
])
def test_messages_show_numpy_scalars_as_plain_values(call, shown):
    """A value that came as a NumPy scalar reads as the user wrote it, not as np.str_('swish')."""
    with pytest.raises(gn.GlassnetError) as info:
        call()
    assert shown in str(info.value) and "np." not in str(info.value)
