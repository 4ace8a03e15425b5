"""The words and code of the exercise notebooks: titles, explanations (English, Chinese), stubs, training cells."""

TITLES = {
    "broadcasting": ("Broadcasting and rank-1 arrays", "广播与秩为 1 的数组"),
    "activations": ("Activations and their derivatives", "激活函数及其导数"),
    "initialization": ("Initialization", "初始化"),
    "forward": ("L-layer forward propagation", "L 层前向传播"),
    "backward": ("Backward propagation and the update", "反向传播与参数更新"),
    "regularization": ("L2 regularization and dropout", "L2 正则化与 dropout"),
    "gradient_checking": ("Gradient checking", "梯度检验"),
}

INTRO = {
    "broadcasting": (
        "One column per example: `X` is `(n_x, m)`. In `Z = W A + b` the `(n[l], 1)` column `b` is *broadcast* "
        "to every one of the m columns (C1 §2.15). A sum over the examples keeps two axes with `keepdims=True`; "
        "a rank-1 `(n,)` array broadcasts in surprising ways (C1 §2.16). The cost is one number: "
        "`J = -(1/m) Σ [y log a + (1-y) log(1-a)]` (C1 §2.3).",
        "每个样本一列：`X` 的形状是 `(n_x, m)`。在 `Z = W A + b` 中，`(n[l], 1)` 的列向量 `b` 被*广播*到 m 列中的每一列"
        "（C1 §2.15）。对样本求和时用 `keepdims=True` 保留两个轴；秩为 1 的 `(n,)` 数组会以意想不到的方式广播（C"
        "1 §2.16）。"
        "代价是一个数：`J = -(1/m) Σ [y log a + (1-y) log(1-a)]`（C1 §2.3）。"),
    "activations": (
        "sigmoid `a = 1/(1 + e^-z)` and ReLU `a = max(0, z)` (C1 §3.6), and their derivatives (C1 §3.8): "
        "`σ'(z) = a(1 - a)` with `a = σ(z)`, `ReLU'(z) = 1 if z > 0 else 0`. Forward returns `(A, cache)` with "
        "cache = Z; backward takes dA and that cache and returns `dZ = dA * g'(Z)`, equation (6).",
        "sigmoid `a = 1/(1 + e^-z)` 与 ReLU `a = max(0, z)`（C1 §3.6），以及它们的导数（C1 §3.8）："
        "`σ'(z) = a(1 - a)`，其中 `a = σ(z)`；`ReLU'(z) = 1 if z > 0 else 0`。前向返回 `(A, cache)`，cache = Z；"
        "反向接收 dA 和这个缓存，返回 `dZ = dA * g'(Z)`，即公式 (6)。"),
    "initialization": (
        "Small random weights break the symmetry, biases start at zero: `W[l] = randn(n[l], n[l-1]) * 0.01`, "
        "`b[l] = 0` (C1 §3.11). The course seeds NumPy's generator first (`np.random.seed(1)` for two layers, "
        "`np.random.seed(3)` for L layers) so that everyone draws the same numbers.",
        "小的随机权重打破对称，偏置从零开始：`W[l] = randn(n[l], n[l-1]) * 0.01`，`b[l] = 0`（C1 §3.11）。"
        "课程先设定 NumPy 的随机种子（两层用 `np.random.seed(1)`，L 层用 `np.random.seed(3)`），这样大家抽到同样"
        "的数。"),
    "forward": (
        "For l = 1..L: `Z[l] = W[l] A[l-1] + b[l]`, `A[l] = g[l](Z[l])`, ReLU for the hidden layers and a sigmoid "
        "for the output (C1 §4.2, §4.3). Each layer keeps a cache `((A[l-1], W[l], b[l]), Z[l])` for the backward "
        "pass. `sigmoid` and `relu` are given (`helpers`).",
        "对 l = 1..L：`Z[l] = W[l] A[l-1] + b[l]`，`A[l] = g[l](Z[l])`，隐藏层用 ReLU，输出层用 sigmoid"
        "（C1 §4.2、§4.3）。每层保存缓存 `((A[l-1], W[l], b[l]), Z[l])` 供反向传播使用。`sigmoid` 与 `relu` 已给"
        "出（`helpers`）。"),
    "backward": (
        "Equations (6) to (9) of C1 §4.2: `dZ = dA * g'(Z)`, `dW = (1/m) dZ A_prev^T`, "
        "`db = (1/m) np.sum(dZ, axis=1, keepdims=True)`, `dA_prev = W^T dZ`; the output starts the chain with "
        "`dA[L] = -(Y/A[L] - (1-Y)/(1-A[L]))` (C1 §2.9); then one step of gradient descent, `W = W - α dW` "
        "(C1 §4.6).",
        "C1 §4.2 的公式 (6) 到 (9)：`dZ = dA * g'(Z)`，`dW = (1/m) dZ A_prev^T`，"
        "`db = (1/m) np.sum(dZ, axis=1, keepdims=True)`，`dA_prev = W^T dZ`；输出层从 "
        "`dA[L] = -(Y/A[L] - (1-Y)/(1-A[L]))` 开始（C1 §2.9）；然后做一步梯度下降 `W = W - α dW`（C1 §4.6）。"),
    "regularization": (
        "The course's 3-layer network. L2 adds `(λ/2m) Σ ||W[l]||²` to the cost and `(λ/m) W[l]` to each dW "
        "(C2 §1.4). Inverted dropout keeps a unit with probability keep_prob, `D = rand(A.shape) < keep_prob`, "
        "`A = A * D / keep_prob`, and the backward pass applies the same D (C2 §1.6). The masks are the course's: "
        "`np.random.seed(1)` first, then D1 and D2 with `np.random.rand`. `compute_cost` is given.",
        "课程的 3 层网络。L2 在代价中加上 `(λ/2m) Σ ||W[l]||²`，在每个 dW 上加 `(λ/m) W[l]`（C2 §1.4）。"
        "反向随机失活以 keep_prob 的概率保留单元：`D = rand(A.shape) < keep_prob`，`A = A * D / keep_prob`，"
        "反向传播使用同一个 D（C2 §1.6）。掩码按课程的方式抽取：先 `np.random.seed(1)`，再用 `np.random.rand` 依"
        "次抽 D1、D2。"
        "`compute_cost` 已给出。"),
    "gradient_checking": (
        "Two-sided differences `(J(θ + ε) - J(θ - ε)) / 2ε` approximate each partial derivative with error O(ε²) "
        "(C2 §1.12); the check compares them with backprop's: `difference = ||grad - gradapprox|| / (||grad|| + "
        "||gradapprox||)`, about 1e-7 when backprop is right (C2 §1.13). `forward_propagation_n`, "
        "`dictionary_to_vector`, `vector_to_dictionary` and `gradients_to_vector` are given.",
        "双边差分 `(J(θ + ε) - J(θ - ε)) / 2ε` 以 O(ε²) 的误差逼近每个偏导数（C2 §1.12）；梯度检验把它与反向传播"
        "的结果比较："
        "`difference = ||grad - gradapprox|| / (||grad|| + ||gradapprox||)`，反向传播正确时约为 1e-7（C2 §1.13）。"
        "`forward_propagation_n`、`dictionary_to_vector`、`vector_to_dictionary` 与 `gradients_to_vector` 已给出。"),
}

# name: (signature, formula, hint in English, hint in Chinese)
STUBS = {
    "sigmoid": ("sigmoid(Z)", "A = 1 / (1 + e^-Z); return A, cache = Z", "Return `(A, cache)` with cache = Z.",
                "返回 `(A, cache)`，cache = Z。"),
    "relu": ("relu(Z)", "A = max(0, Z); return A, cache = Z", "Return `(A, cache)`; do not change Z.",
             "返回 `(A, cache)`；不要修改 Z。"),
    "sigmoid_backward": ("sigmoid_backward(dA, cache)", "dZ = dA * s * (1 - s), s = sigmoid(Z), Z = cache",
                         "The derivative of σ at Z, not at A.", "σ 的导数在 Z 处求，不是在 A 处。"),
    "relu_backward": ("relu_backward(dA, cache)", "dZ = dA where Z > 0, else 0 (Z = cache)",
                      "The mask comes from Z; keep dA unchanged.", "掩码取自 Z；不要修改 dA。"),
    "initialize_parameters": ("initialize_parameters(n_x, n_h, n_y)",
                              "np.random.seed(1); W1 = randn(n_h, n_x) * 0.01, b1 = 0, W2 = randn(n_y, n_h) * 0.01, "
                              "b2 = 0", "Return the dict W1, b1, W2, b2.", "返回字典 W1, b1, W2, b2。"),
    "initialize_parameters_deep": ("initialize_parameters_deep(layer_dims)",
                                   "np.random.seed(3); W[l] = randn(n[l], n[l-1]) * 0.01, b[l] = zeros((n[l], 1))",
                                   "layer_dims = [n_x, n[1], ..., n[L]].", "layer_dims = [n_x, n[1], ..., n[L]]。"),
    "linear_forward": ("linear_forward(A, W, b)", "Z = W A + b; cache = (A, W, b)", "Return `(Z, cache)`.",
                       "返回 `(Z, cache)`。"),
    "compute_cost": ("compute_cost(AL, Y)", "J = -(1/m) Σ [y log a + (1-y) log(1-a)], a number",
                     "Return a number, not a `(1, 1)` array.", "返回一个数，而不是 `(1, 1)` 数组。"),
    "linear_activation_forward": ("linear_activation_forward(A_prev, W, b, activation)",
                                  "A = g(W A_prev + b); cache = (linear_cache, activation_cache)",
                                  "activation is \"sigmoid\" or \"relu\"; use `linear_forward`, `sigmoid`, `relu`.",
                                  "activation 为 \"sigmoid\" 或 \"relu\"；用 `linear_forward`、`sigmoid`、`relu`。"),
    "L_model_forward": ("L_model_forward(X, parameters)",
                        "for l = 1..L-1: ReLU; layer L: sigmoid; return AL, caches (one per layer)",
                        "L = len(parameters) // 2.", "L = len(parameters) // 2。"),
    "linear_backward": ("linear_backward(dZ, cache)",
                        "(7) dW = (1/m) dZ A_prev^T; (8) db = (1/m) Σ dZ (keepdims); (9) dA_prev = W^T dZ",
                        "Return `(dA_prev, dW, db)`.", "返回 `(dA_prev, dW, db)`。"),
    "linear_activation_backward": ("linear_activation_backward(dA, cache, activation)",
                                   "(6) dZ = dA * g'(Z), then linear_backward",
                                   "Use `relu_backward` / `sigmoid_backward` with the activation cache Z.",
                                   "用激活缓存 Z 调用 `relu_backward` / `sigmoid_backward`。"),
    "L_model_backward": ("L_model_backward(AL, Y, caches)",
                         "dAL = -(Y/AL - (1-Y)/(1-AL)); for l = L..1: grads[\"dA\" + str(l-1)], [\"dW\" + str(l)], "
                         "[\"db\" + str(l)]", "Sigmoid for layer L, ReLU below.", "第 L 层用 sigmoid，其下用 ReLU。"),
    "update_parameters": ("update_parameters(params, grads, learning_rate)",
                          "W[l] = W[l] - α dW[l]; b[l] = b[l] - α db[l]", "Return the updated parameters.",
                          "返回更新后的参数。"),
    "compute_cost_with_regularization": ("compute_cost_with_regularization(A3, Y, parameters, lambd)",
                                         "J = compute_cost(A3, Y) + λ/(2m) (||W1||² + ||W2||² + ||W3||²)",
                                         "`compute_cost` is given.", "`compute_cost` 已给出。"),
    "backward_propagation_with_regularization": ("backward_propagation_with_regularization(X, Y, cache, lambd)",
                                                 "dW[l] = (1/m) dZ[l] A[l-1]^T + (λ/m) W[l]",
                                                 "cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3); return "
                                                 "the dict dZ3, dW3, db3, dA2, ..., db1.",
                                                 "cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)；"
                                                 "返回字典 dZ3, dW3, db3, dA2, ..., db1。"),
    "forward_propagation_with_dropout": ("forward_propagation_with_dropout(X, parameters, keep_prob=0.5)",
                                         "np.random.seed(1); D = rand(A.shape) < keep_prob; A = A * D / keep_prob",
                                         "Drop A1 and A2 only; cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, "
                                         "A3, W3, b3).", "只对 A1 和 A2 做 dropout；cache = (Z1, D1, A1, W1, b1, Z2, "
                                         "D2, A2, W2, b2, Z3, A3, W3, b3)。"),
    "backward_propagation_with_dropout": ("backward_propagation_with_dropout(X, Y, cache, keep_prob)",
                                          "dA[l] = dA[l] * D[l] / keep_prob (the forward pass's D[l])",
                                          "Return the dict dZ3, dW3, db3, dA2, ..., db1.",
                                          "返回字典 dZ3, dW3, db3, dA2, ..., db1。"),
    "gradient_check_n": ("gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False)",
                         "gradapprox[i] = (J(θ + ε e_i) - J(θ - ε e_i)) / (2ε); difference = ||grad - gradapprox|| "
                         "/ (||grad|| + ||gradapprox||)", "Return the difference (a number).",
                         "返回 difference（一个数）。"),
}

_GIVEN = '''import glassnet as gn
from tqdm.auto import trange

from glassnet.display import Curves

RS = np.random.RandomState
iterations, learning_rate = {iterations}, {learning_rate}
data = gn.load_dataset("{data}", path=DATA_PATH)
X, Y, X_test, Y_test = data.X_train, data.Y_train, data.X_test, data.Y_test
'''

_ENGINE = '''net = gn.Network(layer_dims, initializer="xavier", l2={l2}, keep_prob={keep_prob}, dtype="float64", seed=0)
net.vector_to_parameters(notes.dictionary_to_vector(initial)[0].ravel())  # the same start as yours
history = net.fit(X, Y, epochs=iterations, batch_size=None, optimizer="gd", learning_rate=learning_rate,
                  schedule="constant", verbose=0, seed=0)
print(f"test accuracy: your functions {{accuracy:.1%}}, glassnet {{net.evaluate(X_test, Y_test)['accuracy']:.1%}}")
Curves({{"your functions": costs, "glassnet Network.fit": history["cost"]}})'''


def _train(data, iterations, learning_rate, body, l2=0.0, keep_prob=1.0):
    return (_GIVEN.format(data=data, iterations=iterations, learning_rate=learning_rate) + body
            + _ENGINE.format(l2=l2, keep_prob=keep_prob))


_LOOP_END = '''    grads = helpers.L_model_backward(AL, Y, caches)
    parameters = helpers.update_parameters(parameters, grads, learning_rate)
accuracy = helpers.predict(X_test, Y_test, parameters)[1]
'''

TRAIN = {
    "broadcasting": _train("course_2d", 3000, 0.3, '''layer_dims = [2, 20, 3, 1]
initial = parameters = notes.initialize_parameters_deep(layer_dims, "xavier", seed=RS(3))
costs = []
for i in trange(iterations):
    A, caches = X, []
    for l in range(1, len(layer_dims)):
        Z, linear_cache = linear_forward(A, parameters[f"W{l}"], parameters[f"b{l}"])  # yours
        A = notes.g(Z, "sigmoid" if l == len(layer_dims) - 1 else "relu")
        caches.append((linear_cache, Z))
    AL = A
    costs.append(float(compute_cost(AL, Y)))  # yours
''' + _LOOP_END),
    "activations": _train("course_2d", 3000, 0.3, '''layer_dims = [2, 20, 3, 1]
initial = parameters = notes.initialize_parameters_deep(layer_dims, "xavier", seed=RS(3))
costs, L = [], len(layer_dims) - 1
for i in trange(iterations):
    A, caches = X, []
    for l in range(1, L + 1):
        Z, linear_cache = helpers.linear_forward(A, parameters[f"W{l}"], parameters[f"b{l}"])
        A, activation_cache = sigmoid(Z) if l == L else relu(Z)  # yours
        caches.append((linear_cache, activation_cache))
    costs.append(helpers.compute_cost(A, Y))
    dA, grads = -(Y / A - (1 - Y) / (1 - A)), {}
    for l in range(L, 0, -1):
        linear_cache, Z = caches[l - 1]
        dZ = sigmoid_backward(dA, Z) if l == L else relu_backward(dA, Z)  # yours
        dA, grads[f"dW{l}"], grads[f"db{l}"] = helpers.linear_backward(dZ, linear_cache)
    parameters = helpers.update_parameters(parameters, grads, learning_rate)
accuracy = helpers.predict(X_test, Y_test, parameters)[1]
'''),
    "initialization": _train("cats", 1500, 0.0075, '''layer_dims = [X.shape[0], 7, 1]
initial = parameters = initialize_parameters(X.shape[0], 7, 1)  # yours
deep = initialize_parameters_deep([X.shape[0], 20, 7, 5, 1])  # yours: one more check of its shapes
print({k: v.shape for k, v in deep.items()})
costs = []
for i in trange(iterations):
    AL, caches = helpers.L_model_forward(X, parameters)
    costs.append(helpers.compute_cost(AL, Y))
''' + _LOOP_END),
    "forward": _train("course_2d", 3000, 0.3, '''layer_dims = [2, 20, 3, 1]
initial = parameters = notes.initialize_parameters_deep(layer_dims, "xavier", seed=RS(3))
costs = []
for i in trange(iterations):
    AL, caches = L_model_forward(X, parameters)  # yours
    costs.append(helpers.compute_cost(AL, Y))
''' + _LOOP_END),
    "backward": _train("course_2d", 3000, 0.3, '''layer_dims = [2, 20, 3, 1]
initial = parameters = notes.initialize_parameters_deep(layer_dims, "xavier", seed=RS(3))
costs = []
for i in trange(iterations):
    AL, caches = helpers.L_model_forward(X, parameters)
    costs.append(helpers.compute_cost(AL, Y))
    grads = L_model_backward(AL, Y, caches)  # yours
    parameters = update_parameters(parameters, grads, learning_rate)  # yours
accuracy = helpers.predict(X_test, Y_test, parameters)[1]
'''),
    "regularization": _train("course_2d", 3000, 0.3, '''layer_dims, lambd, keep_prob = [2, 20, 3, 1], 0.7, 0.86
initial = parameters = notes.initialize_parameters_deep(layer_dims, "xavier", seed=RS(3))
costs = []
for i in trange(iterations):
    A3, cache = helpers.forward_propagation(X, parameters)
    costs.append(compute_cost_with_regularization(A3, Y, parameters, lambd))  # yours
    grads = backward_propagation_with_regularization(X, Y, cache, lambd)  # yours
    parameters = helpers.update_parameters(parameters, grads, learning_rate)
accuracy = helpers.predict_3_layer(X_test, Y_test, parameters)[1]
dropped = initial
for i in trange(iterations):
    A3, cache = forward_propagation_with_dropout(X, dropped, keep_prob)  # yours
    grads = backward_propagation_with_dropout(X, Y, cache, keep_prob)  # yours
    dropped = helpers.update_parameters(dropped, grads, learning_rate)
print(f"with dropout (keep_prob {keep_prob}): test accuracy {helpers.predict_3_layer(X_test, Y_test, dropped)[1]:.1%}")
''', l2="lambd"),
    "gradient_checking": _train("course_2d", 2000, 0.3, '''layer_dims, few = [2, 5, 3, 1], slice(0, 20)
initial = notes.initialize_parameters_deep(layer_dims, "xavier", seed=RS(3))
# b = 0.1, not 0: with b = 0 a unit that is dead for an example feeds Z = 0 exactly to the next ReLU, a kink where
# the two-sided difference is not the derivative (C2 §1.14)
initial = parameters = {k: v if k[0] == "W" else v + 0.1 for k, v in initial.items()}
Xc, Yc = X[:, few], Y[:, few]
grads = helpers.backward_propagation_n(Xc, Yc, helpers.forward_propagation_n(Xc, Yc, parameters)[1])
print("at initialization:", gradient_check_n(parameters, grads, Xc, Yc))  # yours: about 1e-7 or less
planted = dict(grads, dW2=grads["dW2"] * 2)
print("with dW2 doubled:", gradient_check_n(parameters, planted, Xc, Yc))  # yours: far above 1e-7
costs = []
for i in trange(iterations):
    AL, caches = helpers.L_model_forward(X, parameters)
    costs.append(helpers.compute_cost(AL, Y))
''' + _LOOP_END + '''cache = helpers.forward_propagation_n(Xc, Yc, parameters)[1]
grads = helpers.backward_propagation_n(Xc, Yc, cache)
print("after training:", gradient_check_n(parameters, grads, Xc, Yc))  # yours again, after training (C2 §1.14)
'''),
}
