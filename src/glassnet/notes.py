"""glassnet.notes: the course notes as plain executable NumPy, one formula a line, in the course's function names.

What it is: the reference path. ``initialize_parameters_deep``, ``L_model_forward``, ``compute_cost``,
``L_model_backward``, ``update_parameters``, ``gradient_check_n`` and their helpers, with the names and signatures
of the course assignments, written to be read beside your own assignment. No speed tricks, no buffers, no kernels:
the engine (``glassnet.Network``) is the fast path, and tests/test_engine_equals_notes.py holds it equal to this
module (cost and every gradient to 1e-12 relative, float64) for every activation, output, L2 and dropout mask.

Layout (one column per example):
    X = A[0] (n_x, m),  Y (n_y, m),  W[l] (n[l], n[l-1]),  b[l] (n[l], 1),  Z[l] and A[l] (n[l], m).
    parameters = {"W1": ..., "b1": ..., ..., "WL": ..., "bL": ...};  grads hold "dW1", "db1", ... likewise.

Numbers in the comments are the notes' (深度学习笔记, the Chinese notes of the course): "(6)".."(9)" are the
equations of course 1 §4.2 前向传播和反向传播; where the notes give no equation number the section is named
instead, C1 = course 1 神经网络和深度学习, C2 = course 2 改善深层神经网络.

This module imports NumPy only: it is the foundation room that anything may import and a learner can read alone.
"""

import numpy as np


def _rng(seed):
    """None or an int: a new ``np.random.default_rng(seed)``; a Generator or a RandomState: used as given."""
    return seed if isinstance(seed, np.random.Generator | np.random.RandomState) else np.random.default_rng(seed)


def _name(activation):
    """The name of an activation given as "leaky_relu" or ("leaky_relu", alpha)."""
    return activation[0] if isinstance(activation, tuple) else activation


def _activations(L, hidden_activation="relu", output_activation="sigmoid", activations=None):
    """One activation per layer: ``activations`` if given, else L-1 hidden ones and the output one (the course's)."""
    return list(activations) if activations is not None else [hidden_activation] * (L - 1) + [output_activation]


def g(Z, activation):
    """A = g(Z), elementwise (softmax: over each column). Names: sigmoid, tanh, relu, leaky_relu, linear, softmax.

    leaky_relu has slope 0.01 for z < 0; ("leaky_relu", alpha) chooses another slope. Shapes: A like Z.
    """
    name = _name(activation)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-Z))  # C1 §3.6 激活函数 activation functions: sigmoid a = 1 / (1 + e^-z)
    if name == "tanh":
        return np.tanh(Z)  # C1 §3.6 激活函数 activation functions: tanh a = (e^z - e^-z) / (e^z + e^-z)
    if name == "relu":
        return np.maximum(0, Z)  # C1 §3.6 激活函数 activation functions: ReLU a = max(0, z)
    if name == "leaky_relu":
        alpha = activation[1] if isinstance(activation, tuple) else 0.01
        return np.maximum(alpha * Z, Z)  # C1 §3.6 激活函数 activation functions: Leaky ReLU a = max(0.01 z, z)
    if name == "linear":
        return Z  # C1 §3.7 为什么需要非线性激活函数 (linear activation): a = z
    if name == "softmax":
        t = np.exp(Z - np.max(Z, axis=0, keepdims=True))  # C2 §3.8 Softmax 回归: t = e^z (less each column's max)
        return t / np.sum(t, axis=0, keepdims=True)  # C2 §3.8 Softmax 回归 softmax regression: a = t / sum(t)
    raise ValueError(f"unknown activation {activation!r}; use sigmoid, tanh, relu, leaky_relu, linear or softmax")


def g_prime(Z, activation):
    """g'(Z), elementwise: the derivative the notes' (6) multiplies dA by. We take g'(0) = 0 for ReLU.

    softmax is an output only: with cross-entropy, L_model_backward starts from dZ[L] = A[L] - Y instead.
    """
    name = _name(activation)
    if name == "sigmoid":
        return g(Z, "sigmoid") * (1 - g(Z, "sigmoid"))  # C1 §3.8 激活函数的导数 derivatives: g'(z) = a (1 - a)
    if name == "tanh":
        return 1 - np.tanh(Z) ** 2  # C1 §3.8 激活函数的导数 derivatives of activation functions: g'(z) = 1 - a^2
    if name == "relu":
        return (Z > 0).astype(float)  # C1 §3.8 激活函数的导数 derivatives: g'(z) = 1 if z > 0 else 0
    if name == "leaky_relu":
        alpha = activation[1] if isinstance(activation, tuple) else 0.01
        return np.where(Z > 0, 1.0, alpha)  # C1 §3.8 激活函数的导数 derivatives: g'(z) = 1 if z > 0 else 0.01
    if name == "linear":
        return np.ones_like(Z)  # g'(z) = 1
    raise ValueError(f"no elementwise g' for {activation!r}; softmax is handled as an output (dZ[L] = A[L] - Y)")


def initialize_parameters_deep(layer_dims, initializer="he", scale=1.0, seed=None):
    """W[l] = scale * std * randn(n[l], n[l-1]) and b[l] = 0 for l = 1..L (C2 §1.11 神经网络的权重初始化).

    std: zeros 0; random 1 (the course's randn * 0.01 is scale=0.01); he sqrt(2/n[l-1]); xavier sqrt(1/n[l-1]);
    glorot sqrt(2/(n[l-1] + n[l])). seed: None or an int (a new default_rng), or a Generator or np.random.RandomState
    used as given: RandomState(3) draws the course's np.random.seed(3) numbers, and the global state is never used.
    layer_dims = [n_x, n[1], ..., n[L]]. Shapes: W[l] (n[l], n[l-1]), b[l] (n[l], 1).
    """
    rng = _rng(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):
        n, n_prev = layer_dims[l], layer_dims[l - 1]
        std = {"zeros": 0.0, "random": 1.0, "he": np.sqrt(2 / n_prev), "xavier": np.sqrt(1 / n_prev),
               "glorot": np.sqrt(2 / (n_prev + n))}[initializer]
        parameters[f"W{l}"] = scale * std * rng.standard_normal((n, n_prev))  # C2 §1.11 权重初始化: W = randn * std
        parameters[f"b{l}"] = np.zeros((n, 1))  # C1 §3.11 随机初始化 random initialization: b[l] = 0
    return parameters


def linear_forward(A_prev, W, b):
    """Z[l] = W[l] A[l-1] + b[l]; cache = (A_prev, W, b) as the course's.

    Shapes: A_prev (n[l-1], m), W (n[l], n[l-1]), b (n[l], 1) -> Z (n[l], m).
    """
    Z = W @ A_prev + b  # C1 §4.3 深层网络中的前向传播 forward propagation: Z[l] = W[l] A[l-1] + b[l]
    return Z, (A_prev, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    """A[l] = g[l](W[l] A[l-1] + b[l]); cache = (linear_cache, activation_cache = Z) exactly as the course's.

    activation: a name of ``g`` (e.g. "relu", ("leaky_relu", 0.2)). Shapes: A (n[l], m).
    """
    Z, linear_cache = linear_forward(A_prev, W, b)
    A = g(Z, activation)  # C1 §4.3 深层网络中的前向传播 forward propagation: A[l] = g[l](Z[l])
    return A, (linear_cache, Z)


def L_model_forward(X, parameters, keep_prob=1.0, seed=None, dropout_masks=None, **more):
    """A[L] and the caches: A[0] = X, then for l = 1..L: dropout on A[l-1] (when kept < 1), Z[l], A[l].

    more: hidden_activation="relu" and output_activation="sigmoid" (the course's), or activations=[g1, ..., gL].
    keep_prob: a float for every hidden layer (the course drops hidden layers only), or one value per layer input
    [input features, hidden 1, ..., hidden L-1]: entry l-1 is the keep_prob of A[l-1], the input of layer l.
    Masks D = rand(A.shape) < keep_prob are drawn from ``seed`` (as initialize_parameters_deep reads it; the course's
    np.random.seed(1) masks come from RandomState(1)), or taken from dropout_masks (one per layer input, used where
    that input is dropped; None there draws one).
    caches[l-1] = ((A[l-1] after dropout, W[l], b[l]), Z[l]) as the course's, and a third element (D, keep_prob)
    when layer l's input was dropped: L_model_backward applies that mask to dA[l-1].
    Shapes: X (n_x, m) -> AL (n[L], m).
    """
    L = len(parameters) // 2
    activations = _activations(L, **more)
    keep_probs = [1.0] + [keep_prob] * (L - 1) if np.isscalar(keep_prob) else list(keep_prob)
    rng = _rng(seed)
    A, caches = X, []
    for l in range(1, L + 1):
        A_prev, kp, dropout = A, keep_probs[l - 1], None
        if kp < 1:
            D = None if dropout_masks is None else dropout_masks[l - 1]  # given masks (e.g. the engine's)
            if D is None:
                D = rng.random(A_prev.shape) < kp  # C2 §1.6 dropout 正则化 dropout: d = rand(a.shape) < keep_prob
            A_prev = A_prev * D / kp  # C2 §1.6 dropout 正则化 inverted dropout: a = a * d / keep_prob
            dropout = (D, kp)
        A, cache = linear_activation_forward(A_prev, parameters[f"W{l}"], parameters[f"b{l}"], activations[l - 1])
        caches.append(cache if dropout is None else cache + (dropout,))
    return A, caches


def compute_cost(AL, Y, parameters=None, l2=0.0, output="sigmoid"):
    """J = (1/m) sum of the losses, the loss paired with the output activation; + the L2 term when given.

    sigmoid: J = -(1/m) sum(y log a + (1-y) log(1-a));  softmax: J = -(1/m) sum sum(y log a), Y one-hot (C, m);
    linear: J = 1/(2m) sum (a - y)^2;  L2 (with parameters): + (l2 / 2m) sum_l ||W[l]||_F^2 (l2 is the notes' λ).
    Shapes: AL and Y (n[L], m). Returns a float.
    """
    m = AL.shape[1]
    if output == "sigmoid":
        cost = -1 / m * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))  # C1 §2.3 逻辑回归的代价函数 cost function
    elif output == "softmax":
        cost = -1 / m * np.sum(Y * np.log(AL))  # C2 §3.9 训练一个 Softmax 分类器: J = -(1/m) sum y log a
    elif output == "linear":
        cost = 1 / (2 * m) * np.sum((AL - Y) ** 2)  # squared error: J = 1/(2m) sum (a - y)^2
    else:
        raise ValueError(f"unknown output {output!r}; use sigmoid, softmax or linear")
    if parameters is not None and l2:
        W_squares = sum(np.sum(np.square(parameters[f"W{l}"])) for l in range(1, len(parameters) // 2 + 1))
        cost = cost + l2 / (2 * m) * W_squares  # C2 §1.4 正则化 L2 regularization: J += λ/(2m) sum ||W[l]||_F^2
    return float(cost)


def linear_backward(dZ, cache):
    """dA[l-1], dW[l], db[l] from dZ[l] and cache = (A_prev, W, b): the notes' (7), (8), (9).

    Shapes: dZ (n[l], m) -> dA_prev (n[l-1], m), dW (n[l], n[l-1]), db (n[l], 1).
    """
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1 / m * dZ @ A_prev.T  # (7) 反向传播 backward propagation: dW[l] = 1/m dZ[l] A[l-1]^T
    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)  # (8) 反向传播 backward propagation: db[l] = 1/m sum(dZ[l], axis=1)
    dA_prev = W.T @ dZ  # (9) 反向传播 backward propagation: dA[l-1] = W[l]^T dZ[l]
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    """dA[l-1], dW[l], db[l] from dA[l] and the course's cache (linear_cache, Z): (6), then linear_backward.

    Any Z is accepted (the course's test cases build caches by hand). Shapes: dA like Z (n[l], m).
    """
    linear_cache, Z = cache[0], cache[1]
    dZ = dA * g_prime(Z, activation)  # (6) 反向传播 backward propagation: dZ[l] = dA[l] * g[l]'(Z[l])
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches, l2=0.0, **more):
    """grads of the cost for layers L down to 1: "dA0".."dA{L-1}", "dW1".."dWL", "db1".."dbL".

    more: the activations, as L_model_forward takes them. The output starts the chain: sigmoid dA[L] = -(Y/A[L] -
    (1-Y)/(1-A[L])), the course's, so (6) gives dZ[L] = A[L] - Y; softmax with cross-entropy dZ[L] = A[L] - Y;
    linear dA[L] = A[L] - Y. Then each layer: (6), (7), (8), (9); L2 adds (l2/m) W[l] to dW[l]; a cache's third
    element (D, keep_prob) drops dA[l-1] with the forward pass's mask. caches: the course's list of
    ((A_prev, W, b), Z) pairs (built by hand, any Z) or L_model_forward's. grads["dA{l}"] is the notes' dA[l], the
    derivative of the summed loss (dJ/dA[l] = dA[l]/m: the 1/m enters in (7) and (8)). Shapes: each like its array.
    """
    L, m, grads = len(caches), AL.shape[1], {}
    activations = _activations(L, **more)
    output = _name(activations[-1])
    dA = AL - Y  # linear output: dA[L] = dL/da of (a - y)^2 / 2 (softmax: not used, its dZ[L] is set below)
    if output == "sigmoid":
        dA = -(Y / AL - (1 - Y) / (1 - AL))  # C1 §2.9 逻辑回归的梯度下降: dA[L] = dL/da = -(y/a - (1-y)/(1-a))
    for l in range(L, 0, -1):
        cache = caches[l - 1]
        if l == L and output == "softmax":
            dZ = AL - Y  # C2 §3.9 训练一个 Softmax 分类器 softmax classifier: dZ[L] = A[L] - Y
            dA_prev, dW, db = linear_backward(dZ, cache[0])
        else:
            dA_prev, dW, db = linear_activation_backward(dA, cache, activations[l - 1])
        if l2:
            dW = dW + l2 / m * cache[0][1]  # C2 §1.4 正则化 L2 regularization: dW[l] += (λ/m) W[l]
        if len(cache) == 3:
            D, keep_prob = cache[2]
            dA_prev = dA_prev * D / keep_prob  # C2 §1.6 dropout 正则化 inverted dropout: da = da * d / keep_prob
        grads[f"dA{l - 1}"], grads[f"dW{l}"], grads[f"db{l}"] = dA_prev, dW, db
        dA = dA_prev
    return grads


def update_parameters(parameters, grads, learning_rate):
    """One step of gradient descent, returned as a new dict (the given one is not changed).

    W[l] = W[l] - α dW[l],  b[l] = b[l] - α db[l]  (α is the learning rate). Shapes unchanged.
    """
    new = {}
    for l in range(1, len(parameters) // 2 + 1):
        new[f"W{l}"] = parameters[f"W{l}"] - learning_rate * grads[f"dW{l}"]  # C1 §4.6 搭建神经网络块: W = W - α dW
        new[f"b{l}"] = parameters[f"b{l}"] - learning_rate * grads[f"db{l}"]  # C1 §4.6 搭建神经网络块: b = b - α db
    return new


def dictionary_to_vector(parameters):
    """theta (n, 1): W1, b1, W2, b2, ... each matrix row-major (glassnet's flat order); keys: a name per entry."""
    names = [name for l in range(1, len(parameters) // 2 + 1) for name in (f"W{l}", f"b{l}")]
    theta = np.concatenate([parameters[name].reshape(-1, 1) for name in names])  # C2 §1.13 梯度检验: θ
    keys = [name for name in names for _ in range(parameters[name].size)]
    return theta, keys


def vector_to_dictionary(theta, layer_dims):
    """{"W1": (n[1], n[0]), "b1": (n[1], 1), ...} read back from theta in dictionary_to_vector's order."""
    parameters, start = {}, 0
    for l in range(1, len(layer_dims)):
        for name, shape in ((f"W{l}", (layer_dims[l], layer_dims[l - 1])), (f"b{l}", (layer_dims[l], 1))):
            parameters[name] = theta[start:start + shape[0] * shape[1]].reshape(shape)
            start += shape[0] * shape[1]
    return parameters


def gradient_check_n(parameters, X, Y, epsilon=1e-7, l2=0.0, gradients=None, print_msg=False, **more):
    """difference = ||dθ - dθ_approx||_2 / (||dθ||_2 + ||dθ_approx||_2), dθ_approx by two-sided differences of J.

    J is the full cost (its L2 term when l2 is given) with dropout off, as the notes ask (C2 §1.14).
    gradients: the grads to check (default: L_model_backward's). more: the activations, as L_model_forward takes them.
    The notes' reading: about 1e-7 or less, backward propagation is most likely right; 1e-3 or more, look for a bug.
    """
    L = len(parameters) // 2
    layer_dims = [parameters["W1"].shape[1]] + [parameters[f"W{l}"].shape[0] for l in range(1, L + 1)]
    output = _name(_activations(L, **more)[-1])

    def J(theta):
        candidate = vector_to_dictionary(theta, layer_dims)
        return compute_cost(L_model_forward(X, candidate, **more)[0], Y, candidate, l2, output)

    if gradients is None:
        AL, caches = L_model_forward(X, parameters, **more)
        gradients = L_model_backward(AL, Y, caches, l2, **more)
    theta, _ = dictionary_to_vector(parameters)
    grad, _ = dictionary_to_vector({name: gradients["d" + name] for name in parameters})
    gradapprox = np.zeros_like(theta)
    for i in range(theta.shape[0]):
        theta_plus, theta_minus = np.copy(theta), np.copy(theta)
        theta_plus[i] = theta_plus[i] + epsilon
        theta_minus[i] = theta_minus[i] - epsilon
        gradapprox[i] = (J(theta_plus) - J(theta_minus)) / (2 * epsilon)  # C2 §1.12 梯度的数值逼近: (J(θ+ε)-J(θ-ε))/2ε
    norm = np.linalg.norm  # the Euclidean norm ||.||_2
    difference = norm(grad - gradapprox) / (norm(grad) + norm(gradapprox))  # C2 §1.13 梯度检验 gradient checking
    if print_msg:
        verdict = "backward propagation looks right" if difference < 2e-7 else "there may be a bug in backward"
        print(f"gradient check: difference = {difference:.3e} ({verdict})")
    return float(difference)


# ---------------------------------------------------------------- the course's 3-layer network (C2 week 1)
# The Regularization assignment's network, LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID, with its own
# flat cache; lambd is the notes' λ (l2 above). These five functions keep the course's names and signatures.
def forward_propagation(X, parameters):
    """A3 and cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) of the course's 3-layer network."""
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = W1 @ X + b1  # C1 §4.3 深层网络中的前向传播: Z[1] = W[1] X + b[1]
    A1 = g(Z1, "relu")
    Z2 = W2 @ A1 + b2
    A2 = g(Z2, "relu")
    Z3 = W3 @ A2 + b3
    A3 = g(Z3, "sigmoid")
    return A3, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    """J = cross-entropy + (λ/2m)(||W1||² + ||W2||² + ||W3||²), a float (C2 §1.4). Shapes: A3 and Y (1, m)."""
    m = Y.shape[1]
    cross_entropy_cost = compute_cost(A3, Y)
    squares = np.sum(np.square(parameters["W1"])) + np.sum(np.square(parameters["W2"])) \
        + np.sum(np.square(parameters["W3"]))
    L2_regularization_cost = lambd / (2 * m) * squares  # C2 §1.4 正则化 L2 regularization: (λ/2m) Σ ||W[l]||_F^2
    return float(cross_entropy_cost + L2_regularization_cost)


def backward_propagation_with_regularization(X, Y, cache, lambd):
    """The 3-layer network's gradients with the L2 term: (7) + (λ/m) W[l] (C2 §1.4); keys dZ3, dW3, ..., db1."""
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y  # C1 §2.9 逻辑回归的梯度下降: dZ[L] = A[L] - Y
    dW3 = 1 / m * dZ3 @ A2.T + lambd / m * W3  # C2 §1.4 正则化: dW[l] = (7) + (λ/m) W[l]
    db3 = 1 / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = W3.T @ dZ3
    dZ2 = dA2 * g_prime(Z2, "relu")
    dW2 = 1 / m * dZ2 @ A1.T + lambd / m * W2
    db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = W2.T @ dZ2
    dZ1 = dA1 * g_prime(Z1, "relu")
    dW1 = 1 / m * dZ1 @ X.T + lambd / m * W1
    db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    """A3 and cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3): inverted dropout on A1 and A2.

    As the course draws them: np.random.seed(1) (the global generator, reseeded on every call), then
    D = rand(A.shape) < keep_prob, so a learner's version is compared with this one number for number.
    """
    np.random.seed(1)  # the course's masks: the global generator, seed 1 (the rest of glassnet never uses it)
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = W1 @ X + b1
    A1 = g(Z1, "relu")
    D1 = (np.random.rand(*A1.shape) < keep_prob).astype(int)  # C2 §1.6 dropout 正则化: d = rand(a.shape) < keep_prob
    A1 = A1 * D1 / keep_prob  # C2 §1.6 dropout 正则化 inverted dropout: a = a * d / keep_prob
    Z2 = W2 @ A1 + b2
    A2 = g(Z2, "relu")
    D2 = (np.random.rand(*A2.shape) < keep_prob).astype(int)
    A2 = A2 * D2 / keep_prob
    Z3 = W3 @ A2 + b3
    A3 = g(Z3, "sigmoid")
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    """The 3-layer network's gradients through the forward pass's masks: dA = dA * D / keep_prob (C2 §1.6)."""
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1 / m * dZ3 @ A2.T
    db3 = 1 / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = W3.T @ dZ3 * D2 / keep_prob  # C2 §1.6 dropout 正则化: da = da * d / keep_prob (the forward pass's d)
    dZ2 = dA2 * g_prime(Z2, "relu")
    dW2 = 1 / m * dZ2 @ A1.T
    db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = W2.T @ dZ2 * D1 / keep_prob
    dZ1 = dA1 * g_prime(Z1, "relu")
    dW1 = 1 / m * dZ1 @ X.T
    db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
