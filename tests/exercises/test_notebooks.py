"""The exercise notebooks run in a real Jupyter kernel (nbclient + ipykernel): each one with its stubs filled from
glassnet.notes (every check passes, the last cell trains the learner's functions beside the engine), and each one
with a planted mistake (its diagnosis appears in the cell's output)."""

from __future__ import annotations

import importlib.util
import re

import pytest

# Whether they are installed, without importing them here: importing nbformat (jsonschema's format checkers build
# a grammar) takes about 2 s, which every test process would pay while collecting; the tests import them.
for _name in ("nbformat", "nbclient", "ipykernel"):
    if importlib.util.find_spec(_name) is None:
        pytest.skip(f"{_name} is not installed (pip install -e '.[test]')", allow_module_level=True)

from glassnet.exercises import notebooks  # noqa: E402

from ..conftest import SHARED_DATASETS  # noqa: E402

if not (SHARED_DATASETS / "catvnoncat").is_dir() or not (SHARED_DATASETS / "regularization-2d").is_dir():
    pytest.skip("the course's data sets are not in ../shared/datasets", allow_module_level=True)

ITERATIONS = re.compile(r"iterations, learning_rate = \d+, ")
PLANTED = {  # topic: (function, the learner's wrong code, what its diagnosis says)
    "broadcasting": ("compute_cost", "def compute_cost(AL, Y):\n    m = Y.shape[1]\n"
                     "    return -1 / m * (np.dot(Y, np.log(AL).T) + np.dot(1 - Y, np.log(1 - AL).T))",
                     "where the course expects a number"),
    "activations": ("relu_backward", "def relu_backward(dA, cache):\n    dZ = np.array(dA, copy=True)\n"
                    "    dZ[dA <= 0] = 0\n    return dZ", "mask is taken from dA"),
    "initialization": ("initialize_parameters_deep", "def initialize_parameters_deep(layer_dims):\n"
                       "    np.random.seed(3)\n    p = {}\n    for l in range(1, len(layer_dims)):\n"
                       "        p['W' + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01\n"
                       "        p['b' + str(l)] = np.zeros(layer_dims[l])\n    return p", "is a rank-1 array"),
    "forward": ("L_model_forward", "def L_model_forward(X, parameters):\n    A, caches = X, []\n"
                "    for l in range(1, len(parameters) // 2 + 1):\n"
                "        A, cache = linear_activation_forward(A, parameters[f'W{l}'], parameters[f'b{l}'], 'sigmoid')\n"
                "        caches.append(cache)\n    return A, caches", "the hidden layers use sigmoid"),
    "backward": ("linear_backward", "def linear_backward(dZ, cache):\n    A_prev, W, b = cache\n"
                 "    return W.T @ dZ, dZ @ A_prev.T, np.mean(dZ, axis=1, keepdims=True)", "the 1/m is missing"),
    "regularization": ("backward_propagation_with_dropout", "def backward_propagation_with_dropout(X, Y, cache, "
                       "keep_prob):\n    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache\n"
                       "    cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)\n"
                       "    return helpers.backward_propagation(X, Y, cache)",
                       "the forward pass's mask is not applied"),
    "gradient_checking": ("gradient_check_n", "def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, "
                          "print_msg=False):\n    theta, _ = dictionary_to_vector(parameters)\n"
                          "    grad = gradients_to_vector(gradients)\n    approx = np.zeros_like(theta)\n"
                          "    J = forward_propagation_n(X, Y, vector_to_dictionary(theta))[0]\n"
                          "    for i in range(len(theta)):\n        plus = theta.copy()\n        plus[i] += epsilon\n"
                          "        J_plus = forward_propagation_n(X, Y, vector_to_dictionary(plus))[0]\n"
                          "        approx[i] = (J_plus - J) / epsilon\n"
                          "    return np.linalg.norm(grad - approx) / (np.linalg.norm(grad) + np.linalg.norm(approx))",
                          "one-sided"),
}


def prepared(topic: str, lang: str, planted: bool = False):
    """The topic's notebook with its stubs filled from glassnet.notes (through the helpers), short training."""
    import nbformat

    nb = notebooks.notebook(topic, lang, str(SHARED_DATASETS))
    for cell in nb.cells:
        meta = cell.metadata.get("glassnet", {})
        if "stub" in meta:
            name = meta["stub"]
            cell.source = PLANTED[topic][1] if planted and PLANTED[topic][0] == name else \
                f"from glassnet.exercises.helpers import {name}"
        if "train" in meta:
            cell.source = ITERATIONS.sub("iterations, learning_rate = 30, ", cell.source)
    # one kernel runs every notebook in turn (a kernel starts in 1-2 s): each starts from an empty namespace
    nb.cells = [nbformat.v4.new_code_cell("%reset -f")] + (nb.cells[:-2] if planted else nb.cells)
    return nb


@pytest.fixture
def kernel(tmp_path):
    from jupyter_client import KernelManager

    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(tmp_path))
    yield km
    km.shutdown_kernel(now=True)


def texts(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        data = output.get("data", {})
        parts += [data.get("text/plain", ""), data.get("text/html", "")]
    return "\n".join(parts)


def test_every_notebook_runs_with_the_stubs_filled_and_trains(kernel):
    import nbclient

    for i, topic in enumerate(notebooks.ORDER):
        lang = "zh" if i % 2 else "en"
        nb = prepared(topic, lang)
        nbclient.NotebookClient(nb, km=kernel, timeout=180).execute()
        checks = [c for c in nb.cells if "check" in c.metadata.get("glassnet", {})]
        assert checks and all(("passed" if lang == "en" else "通过") in texts(c) for c in checks), topic
        last = texts(nb.cells[-1])
        assert "test accuracy: your functions" in last and "<svg" in last, (topic, last[:500])


def test_every_notebook_names_its_planted_mistake(kernel):
    import nbclient

    for topic, (name, _, diagnosis) in PLANTED.items():
        nb = prepared(topic, "en", planted=True)
        nbclient.NotebookClient(nb, km=kernel, timeout=120).execute()
        cell = next(c for c in nb.cells if c.metadata.get("glassnet", {}).get("check") == name)
        assert "FAILED" in texts(cell) and diagnosis in texts(cell), (topic, texts(cell)[:2000])
