"""glassnet exercise check FILE (the table and the exit status) and glassnet exercise new DIR (the notebooks)."""

from __future__ import annotations

import textwrap

import pytest

from glassnet.cli import main

MIXED = textwrap.dedent('''
    import numpy as np
    from glassnet.exercises.helpers import sigmoid, relu  # given: imported, so not checked

    def linear_forward(A, W, b):
        return np.dot(W, A) + b, (A, W, b)

    def linear_backward(dZ, cache):
        A_prev, W, b = cache
        m = A_prev.shape[1]
        return np.dot(W.T, dZ), np.dot(dZ, A_prev.T) / m, np.sum(dZ, axis=1) / m

    def update_parameters(params, grads, learning_rate):
        return {k: v + learning_rate * grads["d" + k] for k, v in params.items()}

    def helper_of_mine(x):
        return x
''')


def test_check_prints_a_table_and_fails_when_one_function_fails(tmp_path, capsys):
    solution = tmp_path / "my_solution.py"
    solution.write_text(MIXED)
    assert main(["exercise", "check", str(solution)]) == 1
    out = capsys.readouterr().out
    rows = {line.split()[0]: line for line in out.splitlines()[1:4]}
    assert list(rows) == ["linear_forward", "linear_backward", "update_parameters"]
    assert "passed" in rows["linear_forward"] and "FAILED" in rows["linear_backward"]
    assert "rank-1 array (3,)" in rows["linear_backward"] and "goes up the gradient" in rows["update_parameters"]
    assert "1 of 3 functions pass" in out and "sigmoid" not in out.splitlines()[0:5]
    assert "C1 §4.2 (8)" in out and "C1 §2.4, §4.6" in out  # each failing function's report follows
    assert main(["exercise", "check", str(solution), "--lang", "zh"]) == 1
    assert "3 个函数中 1 个通过" in capsys.readouterr().out


def test_check_exits_0_when_every_function_passes_and_2_on_a_bad_file(tmp_path, capsys):
    good = tmp_path / "good.py"
    good.write_text(MIXED.split("def linear_backward")[0])
    assert main(["exercise", "check", str(good)]) == 0
    assert "1 of 1 functions pass" in capsys.readouterr().out
    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    assert main(["exercise", "check", str(empty)]) == 2
    assert "defines none of the course's functions" in capsys.readouterr().err
    broken = tmp_path / "broken.py"
    broken.write_text("import numpy as np\nraise RuntimeError('half written')\n")
    assert main(["exercise", "check", str(broken)]) == 2
    assert "does not run: RuntimeError: half written" in capsys.readouterr().err
    assert main(["exercise", "check", str(tmp_path / "missing.py")]) == 2


def test_new_writes_one_valid_notebook_per_topic(tmp_path, capsys):
    nbformat = pytest.importorskip("nbformat")
    folder = tmp_path / "exercises"
    assert main(["exercise", "new", str(folder), "--lang", "zh"]) == 0
    written = sorted(folder.glob("*.ipynb"))
    assert [p.name for p in written] == ["01_broadcasting.ipynb", "02_activations.ipynb", "03_initialization.ipynb",
                                         "04_forward.ipynb", "05_backward.ipynb", "06_regularization.ipynb",
                                         "07_gradient_checking.ipynb"]
    for path in written:
        nb = nbformat.read(str(path), as_version=4)
        nbformat.validate(nb)
        assert "LANG = 'zh'" in nb.cells[1].source and "DATA_PATH = None" in nb.cells[1].source
        assert any("check" in c.metadata.get("glassnet", {}) for c in nb.cells)
        assert "train" in nb.cells[-1].metadata["glassnet"]
    assert main(["exercise", "new", str(folder)]) == 2  # the learner's work is not overwritten
    assert "pass --force" in capsys.readouterr().err
    assert main(["exercise", "new", str(folder), "--force", "--data-path", str(tmp_path)]) == 0
    assert repr(str(tmp_path)) in nbformat.read(str(written[0]), as_version=4).cells[1].source
    assert main(["exercise", "new", str(tmp_path / "other"), "--data-path", str(tmp_path / "nowhere")]) == 2
