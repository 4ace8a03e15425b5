"""What a report says, in English and Chinese: the formulas of the notes and each known mistake with its fix.

A formula is cited by its section of the notes (C1 = course 1, C2 = course 2; §4.2's backward equations by their
numbers (6) to (9)) and by its entry in the notes map (docs/notes-map.md, E1 to E64), which links the line of
``glassnet.notes`` that writes it. A mistake's text takes ``{part}`` (the output it shows in, e.g. ``db``),
``{m}``, ``{got}`` and ``{expected}`` (shapes or values) from the case where it was found.
"""

from __future__ import annotations

# key: (reference, formula, Chinese section title, notes map entry[, the formula in Chinese where it has words])
FORMULAS = {
    "cost": ("C1 §2.3", "J = -(1/m) Σ [y log a + (1-y) log(1-a)]", "逻辑回归的代价函数", "E1"),
    "update": ("C1 §2.4, §4.6", "W[l] = W[l] - α dW[l];  b[l] = b[l] - α db[l]", "梯度下降 / 搭建神经网络块", "E3"),
    "dAL": ("C1 §2.9", "dA[L] = -(Y/A[L] - (1-Y)/(1-A[L]));  dZ[L] = A[L] - Y", "逻辑回归的梯度下降", "E4"),
    "broadcasting": ("C1 §2.15", "(n[l], m) + (n[l], 1) → (n[l], m): b is added to every column", "Python中的广播机制",
                     "E5", "(n[l], m) + (n[l], 1) → (n[l], m)：b 加到每一列"),
    "rank1": ("C1 §2.16", "never a rank-1 (n,) array: keep (n, 1), e.g. keepdims=True or .reshape(n, 1)",
              "关于 Python与numpy向量的使用", "E6",
              "不用秩为 1 的 (n,) 数组：保持 (n, 1)，如 keepdims=True 或 .reshape(n, 1)"),
    "sigmoid": ("C1 §3.6", "a = σ(z) = 1 / (1 + e^-z)", "激活函数", "E7"),
    "relu": ("C1 §3.6", "a = max(0, z)", "激活函数", "E9"),
    "sigmoid'": ("C1 §3.8", "g'(z) = a (1 - a) with a = σ(z)", "激活函数的导数", "E12"),
    "relu'": ("C1 §3.8", "g'(z) = 1 if z > 0 else 0", "激活函数的导数", "E14"),
    "init": ("C1 §3.11", "W[l] = randn(n[l], n[l-1]) * 0.01;  b[l] = 0", "随机初始化", "E17"),
    "linear": ("C1 §4.2", "Z[l] = W[l] A[l-1] + b[l]", "前向传播和反向传播", "E18"),
    "activation": ("C1 §4.2", "A[l] = g[l](Z[l])", "前向传播和反向传播", "E19"),
    "cache": ("C1 §4.2", "cache = ((A[l-1], W[l], b[l]), Z[l])", "前向传播和反向传播", "E20"),
    "(6)": ("C1 §4.2 (6)", "dZ[l] = dA[l] * g[l]'(Z[l])", "前向传播和反向传播", "E21"),
    "(7)": ("C1 §4.2 (7)", "dW[l] = (1/m) dZ[l] A[l-1]^T", "前向传播和反向传播", "E22"),
    "(8)": ("C1 §4.2 (8)", "db[l] = (1/m) np.sum(dZ[l], axis=1, keepdims=True)", "前向传播和反向传播", "E23"),
    "(9)": ("C1 §4.2 (9)", "dA[l-1] = W[l]^T dZ[l]", "前向传播和反向传播", "E24"),
    "forward": ("C1 §4.3", "A[0] = X; for l = 1..L: Z[l] = W[l] A[l-1] + b[l], A[l] = g[l](Z[l]) "
                "(ReLU for l < L, sigmoid for l = L)", "深层网络中的前向传播", "E25",
                "A[0] = X；l = 1..L：Z[l] = W[l] A[l-1] + b[l]，A[l] = g[l](Z[l])（l < L 用 ReLU，l = L 用 sigmoid）"),
    "shapes": ("C1 §4.4", "W[l] (n[l], n[l-1]);  b[l] (n[l], 1);  Z[l], A[l] (n[l], m);  dW, db like W, b",
               "核对矩阵的维数", "E26",
               "W[l] (n[l], n[l-1])；b[l] (n[l], 1)；Z[l]、A[l] (n[l], m)；dW、db 与 W、b 同形"),
    "backward": ("C1 §4.6", "for l = L..1: (6), (7), (8), (9); grads[\"dA\" + str(l-1)], [\"dW\" + str(l)], "
                 "[\"db\" + str(l)]", "搭建神经网络块", "E27",
                 "l = L..1：(6)、(7)、(8)、(9)；grads[\"dA\" + str(l-1)]、[\"dW\" + str(l)]、[\"db\" + str(l)]"),
    "l2cost": ("C2 §1.4", "J = cross-entropy + (λ/2m) Σ_l ||W[l]||_F^2", "正则化", "E31"),
    "l2grad": ("C2 §1.4", "dW[l] = (7) + (λ/m) W[l]", "正则化", "E32"),
    "mask": ("C2 §1.6", "D[l] = np.random.rand(*A[l].shape) < keep_prob (after np.random.seed(1))",
             "dropout 正则化", "E33", "D[l] = np.random.rand(*A[l].shape) < keep_prob（先 np.random.seed(1)）"),
    "inverted": ("C2 §1.6", "A[l] = A[l] * D[l] / keep_prob", "dropout 正则化", "E34"),
    "dropback": ("C2 §1.6", "dA[l] = dA[l] * D[l] / keep_prob (the forward pass's D[l])", "dropout 正则化", "E35",
                 "dA[l] = dA[l] * D[l] / keep_prob（用前向传播的 D[l]）"),
    "twosided": ("C2 §1.12", "gradapprox[i] = (J(θ + ε e_i) - J(θ - ε e_i)) / (2ε), error O(ε²)",
                 "梯度的数值逼近", "E48", "gradapprox[i] = (J(θ + ε e_i) - J(θ - ε e_i)) / (2ε)，误差 O(ε²)"),
    "difference": ("C2 §1.13", "difference = ||grad - gradapprox||₂ / (||grad||₂ + ||gradapprox||₂)", "梯度检验",
                   "E51"),
}

# key: (formula key, English what / fix, Chinese what / fix)
MISTAKES = {
    "missing_1_over_m": ("(7)", ("{part} is m = {m} times too large: the 1/m is missing",
                                 "multiply by 1/m (or use np.mean over the examples)"),
                         ("{part} 大了 m = {m} 倍：缺少 1/m", "乘以 1/m（或对样本求 np.mean）")),
    "extra_1_over_m": ("(9)", ("{part} is divided by m = {m}: (9) has no 1/m (it enters in (7) and (8) only)",
                               "drop the 1/m from {part}"),
                       ("{part} 被多除了 m = {m}：(9) 没有 1/m（1/m 只出现在 (7) 和 (8)）", "去掉 {part} 中的 1/m")),
    "cost_missing_1_over_m": ("cost", ("the cost is m = {m} times too large: the 1/m of the average is missing",
                                       "multiply the sum by -1/m (or use np.mean)"),
                              ("代价大了 m = {m} 倍：缺少求平均的 1/m", "把求和乘以 -1/m（或用 np.mean）")),
    "cost_sign": ("cost", ("the cost has the wrong sign: log a < 0, so the sum needs the minus in -1/m",
                           "J = -(1/m) Σ (...): put the minus back"),
                  ("代价的符号反了：log a < 0，所以和前面要有 -1/m 的负号", "J = -(1/m) Σ (...)：补上负号")),
    "cost_missing_term": ("cost", ("the cost keeps only y log a: the (1-y) log(1-a) term is missing",
                                   "add (1 - Y) * np.log(1 - AL)"),
                          ("代价只有 y log a：缺少 (1-y) log(1-a) 一项", "加上 (1 - Y) * np.log(1 - AL)")),
    "cost_log10": ("cost", ("the cost uses log base 10: the notes' log is the natural log", "use np.log, not np.log10"),
                   ("代价用了以 10 为底的对数：笔记中的 log 是自然对数", "用 np.log，不要用 np.log10")),
    "number_as_array": ("rank1", ("{part} is an array of shape {got} where the course expects a number",
                                  "return float(...) or np.squeeze(...) (np.dot of (1, m) and (m, 1) gives (1, 1))"),
                        ("{part} 是形状为 {got} 的数组，课程要的是一个数",
                         "返回 float(...) 或 np.squeeze(...)（(1, m) 与 (m, 1) 的 np.dot 得到 (1, 1)）")),
    "rank1": ("rank1", ("{part} is a rank-1 array {got}, expected {expected} (np.sum without keepdims, or "
                        "np.zeros(n), gives one axis only)", "keep two axes: np.sum(..., axis=1, keepdims=True), "
                        "np.zeros(({expected_rows}, 1)) or .reshape({expected_rows}, 1)"),
              ("{part} 是秩为 1 的数组 {got}，应为 {expected}（不带 keepdims 的 np.sum 或 np.zeros(n) 只有一个轴）",
               "保留两个轴：np.sum(..., axis=1, keepdims=True)、np.zeros(({expected_rows}, 1)) 或 "
               ".reshape({expected_rows}, 1)")),
    "sum_wrong_axis": ("(8)", ("{part} is summed over the wrong axis ({got}, expected {expected}): the examples are "
                               "the columns, axis=1", "np.sum(dZ, axis=1, keepdims=True)"),
                       ("{part} 沿错误的轴求和（{got}，应为 {expected}）：样本是列，axis=1",
                        "np.sum(dZ, axis=1, keepdims=True)")),
    "transposed": ("shapes", ("{part} has the transposed shape {got}, expected {expected}",
                              "check which factor is transposed: the shapes must chain, (n[l], m) (m, n[l-1])"),
                   ("{part} 的形状是转置的 {got}，应为 {expected}",
                    "检查转置放在哪个因子上：维数要能衔接，(n[l], m) (m, n[l-1])")),
    "transposed_values": ("shapes", ("{part} multiplies by a transposed matrix: its shape fits only because the "
                                     "matrix is square", "W[l] A[l-1] for the forward pass, W[l]^T dZ[l] for (9)"),
                          ("{part} 乘了一个转置的矩阵：只因矩阵是方阵形状才碰巧对上",
                           "前向用 W[l] A[l-1]，(9) 用 W[l]^T dZ[l]")),
    "bias_broadcast_rows": ("broadcasting", ("b is added along the rows, not to every column: it was flattened or "
                                             "transposed before the addition", "add b as it is, (n[l], 1)"),
                            ("b 被加到了行上而不是每一列：相加前被展平或转置了", "直接加形状为 (n[l], 1) 的 b")),
    "sigmoid_sign": ("sigmoid", ("sigmoid uses e^z instead of e^-z: σ(z) falls where it should rise",
                                 "1 / (1 + np.exp(-Z))"),
                     ("sigmoid 用了 e^z 而不是 e^-z：σ(z) 变成了递减", "1 / (1 + np.exp(-Z))")),
    "cache_is_A": ("cache", ("the cache holds A, not Z: the backward pass needs g'(Z)", "return A, Z (cache = Z)"),
                   ("缓存里存的是 A 而不是 Z：反向传播要用 g'(Z)", "返回 A, Z（cache = Z）")),
    "sigmoid_prime_from_z": ("sigmoid'", ("sigmoid's derivative is taken from Z: a (1 - a) needs a = σ(Z), not Z "
                                          "itself", "s = 1 / (1 + np.exp(-Z)); dZ = dA * s * (1 - s)"),
                             ("sigmoid 的导数直接用了 Z：a (1 - a) 中的 a 是 σ(Z)，不是 Z",
                              "s = 1 / (1 + np.exp(-Z)); dZ = dA * s * (1 - s)")),
    "g_prime_from_A": ("(6)", ("g' is computed from A instead of Z: (6) evaluates g' at Z[l] (the activation cache)",
                               "pass the activation cache Z to sigmoid_backward / relu_backward"),
                       ("g' 用 A 而不是 Z 计算：(6) 在 Z[l]（激活缓存）处求 g'",
                        "把激活缓存 Z 传给 sigmoid_backward / relu_backward")),
    "no_dA": ("(6)", ("{part} is g'(Z) alone: the chain rule multiplies it by dA", "dZ = dA * g'(Z)"),
              ("{part} 只有 g'(Z)：链式法则还要乘以 dA", "dZ = dA * g'(Z)")),
    "relu_mask_from_dA": ("relu'", ("ReLU's mask is taken from dA: the gradient passes where Z > 0, whatever the sign "
                                    "of dA", "dZ = np.array(dA, copy=True); dZ[Z <= 0] = 0"),
                          ("ReLU 的掩码取自 dA：梯度在 Z > 0 处通过，与 dA 的符号无关",
                           "dZ = np.array(dA, copy=True); dZ[Z <= 0] = 0")),
    "input_changed": ("cache", ("your function changed its input {part} in place: the caller's array (a cache, dA, "
                                "the parameters) now holds other numbers", "work on a copy: np.array(x, copy=True), "
                                "x.copy() or copy.deepcopy(d); or write x = x - ... instead of x -= ..."),
                      ("函数原地修改了输入 {part}：调用者的数组（缓存、dA、参数）里的数已经变了",
                       "在副本上计算：np.array(x, copy=True)、x.copy() 或 copy.deepcopy(d)；"
                       "或写 x = x - ... 而不是 x -= ...")),
    "update_in_place": ("update", ("update_parameters changed the given parameters in place (the course's current "
                                   "version copies them first); training works either way",
                                   "parameters = copy.deepcopy(params) before the loop"),
                        ("update_parameters 原地修改了传入的参数（课程的新版本先复制一份）；两种写法都能训练",
                         "循环前先 parameters = copy.deepcopy(params)")),
    "update_sign": ("update", ("the update goes up the gradient: W + α dW", "W = W - learning_rate * dW"),
                    ("更新沿梯度上升了：W + α dW", "W = W - learning_rate * dW")),
    "bias_not_updated": ("update", ("b is not updated", "b[l] = b[l] - learning_rate * db[l]"),
                         ("b 没有更新", "b[l] = b[l] - learning_rate * db[l]")),
    "bias_not_zero": ("init", ("the biases are not zero", "b[l] = np.zeros((n[l], 1))"),
                      ("偏置不是零", "b[l] = np.zeros((n[l], 1))")),
    "weights_not_scaled": ("init", ("W is not scaled: its spread is {got} times the course's randn * 0.01",
                                    "np.random.randn(n[l], n[l-1]) * 0.01"),
                           ("W 没有缩放：它的幅度是课程 randn * 0.01 的 {got} 倍",
                            "np.random.randn(n[l], n[l-1]) * 0.01")),
    "weights_zero": ("init", ("W is all zeros: every unit of a layer stays the same (symmetry is never broken)",
                              "np.random.randn(n[l], n[l-1]) * 0.01"),
                     ("W 全为零：同一层的各单元始终相同（对称性没有被打破）", "np.random.randn(n[l], n[l-1]) * 0.01")),
    "not_course_draws": ("init", ("the numbers are not the course's draws (its seed, then randn in the order W1, W2, "
                                  "...): fine for training, but the course's grader compares numbers",
                                  "keep the stub's np.random.seed(...) first and draw with np.random.randn"),
                         ("这些数不是课程的抽样（先设种子，再按 W1、W2……的顺序 randn）："
                          "训练没问题，但课程的评分会比对数值",
                          "保留模板里的 np.random.seed(...)，用 np.random.randn 抽样")),
    "missing_layer": ("forward", ("{part} is missing: the loop stops a layer early (range(1, L) where range(1, L + 1) "
                                  "or the output layer after the loop is needed)", "count the layers: L = "
                                                                                   "len(parameters) "
                                  "// 2, or len(layer_dims) - 1 for layer_dims"),
                      ("缺少 {part}：循环少跑了一层（需要 range(1, L + 1)，或在循环后算输出层）",
                       "数清层数：L = len(parameters) // 2；对 layer_dims 是 len(layer_dims) - 1")),
    "layer_count": ("forward", ("there is no {part}: the layer count is wrong (parameters holds W1, b1, ..., WL, bL: "
                                "L = len(parameters) // 2)", "L = len(parameters) // 2"),
                    ("没有 {part}：层数算错了（parameters 里是 W1, b1, ..., WL, bL：L = len(parameters) // 2）",
                     "L = len(parameters) // 2")),
    "cache_order": ("cache", ("the cache holds the right arrays in another order: the backward pass unpacks "
                              "{expected}", "return the cache as {expected}"),
                    ("缓存里的数组对了，但顺序不对：反向传播按 {expected} 解包", "按 {expected} 返回缓存")),
    "activation_swapped": ("activation", ("activation=\"sigmoid\" and \"relu\" are swapped",
                                          "if activation == \"sigmoid\": sigmoid(Z); elif activation == \"relu\": "
                                          "relu(Z)"),
                           ("activation=\"sigmoid\" 和 \"relu\" 用反了",
                            "if activation == \"sigmoid\": sigmoid(Z); elif activation == \"relu\": relu(Z)")),
    "hidden_activation": ("forward", ("the hidden layers use sigmoid: the course's network is ReLU for l < L",
                                      "linear_activation_forward(..., \"relu\") inside the loop"),
                          ("隐藏层用了 sigmoid：课程的网络在 l < L 时用 ReLU",
                           "循环内用 linear_activation_forward(..., \"relu\")")),
    "output_activation": ("forward", ("the output layer uses ReLU: the course's network ends with a sigmoid",
                                      "linear_activation_forward(..., \"sigmoid\") for layer L"),
                          ("输出层用了 ReLU：课程的网络最后一层是 sigmoid",
                           "第 L 层用 linear_activation_forward(..., \"sigmoid\")")),
    "caches_count": ("forward", ("caches holds {got} entries, expected {expected}: one cache per layer, the output "
                                 "layer's too", "caches.append(cache) after every layer"),
                     ("caches 有 {got} 项，应为 {expected}：每层一个缓存，包括输出层",
                      "每层之后都 caches.append(cache)")),
    "dAL_sign": ("dAL", ("dA[L] has the wrong sign", "dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))"),
                 ("dA[L] 的符号反了", "dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))")),
    "dAL_as_dZ": ("dAL", ("dA[L] = A[L] - Y is dZ[L]: passing it through sigmoid_backward multiplies by σ'(Z) twice",
                          "dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))"),
                  ("dA[L] = A[L] - Y 其实是 dZ[L]：再经过 sigmoid_backward 就多乘了一次 σ'(Z)",
                   "dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))")),
    "grads_keys": ("backward", ("the grads' keys are off by one ({got} where the course stores {expected})",
                                "grads[\"dA\" + str(l - 1)], grads[\"dW\" + str(l)], grads[\"db\" + str(l)] for "
                                "layer l"),
                   ("grads 的键错了一位（{got}，课程存的是 {expected}）",
                    "第 l 层：grads[\"dA\" + str(l - 1)]、grads[\"dW\" + str(l)]、grads[\"db\" + str(l)]")),
    "l2_lambda_over_m": ("l2cost", ("the L2 term is twice the notes': λ/m where the cost has λ/(2m)",
                                    "lambd / (2 * m) * (np.sum(np.square(W1)) + ...)"),
                         ("L2 项是笔记的两倍：代价里是 λ/(2m)，不是 λ/m",
                          "lambd / (2 * m) * (np.sum(np.square(W1)) + ...)")),
    "l2_missing_m": ("l2cost", ("the L2 term is not divided by m", "lambd / (2 * m) * (...)"),
                     ("L2 项没有除以 m", "lambd / (2 * m) * (...)")),
    "l2_missing_layer": ("l2cost", ("the L2 term leaves out a layer's weights: the sum runs over every W[l]",
                                    "np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3))"),
                         ("L2 项漏了某一层的权重：要对每个 W[l] 求和",
                          "np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3))")),
    "l2_sum_squared": ("l2cost", ("the L2 term squares the sum of W, not the sum of the squares: ||W||_F^2 = Σ w²",
                                  "np.sum(np.square(W))"),
                       ("L2 项是 W 之和的平方，而不是平方和：||W||_F^2 = Σ w²", "np.sum(np.square(W))")),
    "l2_includes_b": ("l2cost", ("the L2 term includes the biases: the notes regularize the W[l] only",
                                 "leave b out of the sum"),
                      ("L2 项包含了偏置：笔记只对 W[l] 正则化", "求和时不要包括 b")),
    "l2_grad_missing": ("l2grad", ("{part} has no L2 term", "add lambd / m * W to every dW"),
                        ("{part} 缺少 L2 项", "给每个 dW 加上 lambd / m * W")),
    "l2_grad_half": ("l2grad", ("{part}'s L2 term is (λ/2m) W: the derivative of (λ/2m) ||W||² is (λ/m) W",
                                "lambd / m * W"),
                     ("{part} 的 L2 项是 (λ/2m) W：(λ/2m) ||W||² 的导数是 (λ/m) W", "lambd / m * W")),
    "dropout_not_scaled": ("inverted", ("the kept activations are not divided by keep_prob (not inverted dropout)",
                                        "A = A * D / keep_prob"),
                           ("保留下来的激活没有除以 keep_prob（不是反向随机失活）", "A = A * D / keep_prob")),
    "dropout_times_keep_prob": ("inverted", ("the kept activations are multiplied by keep_prob: inverted dropout "
                                             "divides", "A = A * D / keep_prob"),
                                ("保留下来的激活乘以了 keep_prob：反向随机失活是除以", "A = A * D / keep_prob")),
    "dropout_mask_reversed": ("mask", ("the mask keeps a unit when rand >= keep_prob: it keeps 1 - keep_prob of them",
                                       "D = np.random.rand(*A.shape) < keep_prob"),
                              ("掩码在 rand >= keep_prob 时保留单元：保留的比例成了 1 - keep_prob",
                               "D = np.random.rand(*A.shape) < keep_prob")),
    "dropout_masks_differ": ("mask", ("the masks are not the course's: np.random.seed(1), then D1 and then D2 drawn "
                                      "with np.random.rand(A.shape[0], A.shape[1])",
                                      "keep the stub's np.random.seed(1) and draw D1 before D2 with np.random.rand"),
                             ("掩码不是课程的：先 np.random.seed(1)，"
                              "再依次用 np.random.rand(A.shape[0], A.shape[1]) 抽 D1、D2",
                              "保留模板里的 np.random.seed(1)，先 D1 后 D2 用 np.random.rand 抽样")),
    "dropout_mask_not_reused": ("dropback", ("{part} lets gradient through units that the forward pass dropped: the "
                                             "forward pass's mask is not applied", "dA = dA * D / keep_prob with the D "
                                             "from the cache"),
                                ("{part} 让梯度流过了前向传播中被丢弃的单元：没有用前向传播的掩码",
                                 "用缓存里的 D：dA = dA * D / keep_prob")),
    "dropout_backward_not_scaled": ("dropback", ("{part} is masked but not divided by keep_prob",
                                                 "dA = dA * D / keep_prob"),
                                    ("{part} 用了掩码但没有除以 keep_prob", "dA = dA * D / keep_prob")),
    "one_sided": ("twosided", ("the numerical gradient is one-sided, (J(θ + ε) - J(θ)) / ε: its error is O(ε), the "
                               "two-sided difference's O(ε²)", "gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * "
                                                               "epsilon)"),
                  ("数值梯度用了单边差分 (J(θ + ε) - J(θ)) / ε：误差是 O(ε)，双边差分是 O(ε²)",
                   "gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)")),
    "gc_epsilon_not_doubled": ("twosided", ("the two-sided difference is divided by ε, not 2ε: gradapprox is twice "
                                            "the gradient", "(J_plus[i] - J_minus[i]) / (2 * epsilon)"),
                               ("双边差分除以了 ε 而不是 2ε：gradapprox 成了梯度的两倍",
                                "(J_plus[i] - J_minus[i]) / (2 * epsilon)")),
    "gc_no_denominator": ("difference", ("the difference is not divided by ||grad|| + ||gradapprox||: it is not "
                                         "relative", "numerator / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))"),
                          ("差值没有除以 ||grad|| + ||gradapprox||：不是相对差",
                           "numerator / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))")),
    "gc_denominator": ("difference", ("the denominator is ||grad + gradapprox||: the notes add the two norms",
                                      "np.linalg.norm(grad) + np.linalg.norm(gradapprox)"),
                       ("分母用了 ||grad + gradapprox||：笔记是两个范数相加",
                        "np.linalg.norm(grad) + np.linalg.norm(gradapprox)")),
    "missing_helper": ("forward", ("{part} is not defined where your function runs", "import it: from "
                                   "glassnet.exercises.helpers import {part}"),
                       ("函数运行时找不到 {part}", "导入它：from glassnet.exercises.helpers import {part}")),
    "error": ("shapes", ("{part}", "check each product's shapes against the notes: (n[l], n[l-1]) (n[l-1], m)"),
              ("{part}", "对照笔记检查每个乘积的维数：(n[l], n[l-1]) (n[l-1], m)")),
    "error_other": ("forward", ("{part}", "run your function on the case above and read the traceback"),
                    ("{part}", "用上面的用例运行你的函数，读一读报错的回溯")),
    "differs": ("forward", ("{part} differs from the notes' value ({got} where {expected} was expected)",
                            "compare your line for {part} with the formula below"),
                ("{part} 与笔记的值不同（得到 {got}，应为 {expected}）", "把你计算 {part} 的那一行与下面的公式对照")),
    "scaled": ("(7)", ("{part} is {got} times the expected values", "compare your formula with the notes' line"),
               ("{part} 是期望值的 {got} 倍", "把你的公式和笔记那一行对照")),
    "sign": ("(7)", ("{part} has the opposite sign", "check the minus signs against the notes' line"),
             ("{part} 的符号反了", "对照笔记那一行检查负号")),
}

# the words of the report around the diagnoses
WORDS = {
    "en": {"passed": "passed", "failed": "FAILED", "cases": "cases", "case": "case", "ran": "ran", "differs": "differs",
           "diagnosis": "diagnosis", "fix": "fix", "notes": "notes map", "yours": "yours", "expected": "expected",
           "error": "raised", "no_diagnosis": "no known mistake matches; compare each line with the notes' formula",
           "calls": "it calls your {name}, which fails its own check: fix {name} first",
           "note": "note", "all_cases": "all {n} cases agree with glassnet.notes", "of": "of",
           "returned": "returned", "course_expects": "the course's returns", "shape": "shape", "at": "at",
           "not_checked": "no check for a function named {name!r}; the course's functions are: {names}"},
    "zh": {"passed": "通过", "failed": "未通过", "cases": "个用例", "case": "用例", "ran": "运行",
    "differs": "不同之处",
           "diagnosis": "诊断", "fix": "改法", "notes": "笔记对照", "yours": "你的", "expected": "应为",
           "error": "抛出", "no_diagnosis": "没有匹配的已知错误；请逐行对照笔记中的公式",
           "calls": "它调用了你的 {name}，而 {name} 本身没有通过检查：先改 {name}",
           "note": "注意", "all_cases": "全部 {n} 个用例与 glassnet.notes 一致", "of": "/",
           "returned": "返回了", "course_expects": "课程的函数返回", "shape": "形状", "at": "位置",
           "not_checked": "没有名为 {name!r} 的检查；课程的函数有：{names}"},
}


def formula_line(key: str, lang: str) -> str:
    """'C1 §4.2 (7) 前向传播和反向传播: dW[l] = (1/m) dZ[l] A[l-1]^T (notes map E22)' for a formula key."""
    ref, formula, title_zh, entry, *zh = FORMULAS[key]
    if lang == "zh":
        return f"{ref} {title_zh}：{zh[0] if zh else formula}（笔记对照 {entry}）"
    return f"{ref}: {formula} (notes map {entry})"


def mistake_text(key: str, lang: str, formula: str | None = None, **values) -> tuple[str, str, str]:
    """(what, fix, formula line) of a known mistake in ``lang``, its placeholders filled from ``values``."""
    default_formula, en, zh = MISTAKES[key]
    what, fix = zh if lang == "zh" else en
    fill = _Blank(values)
    return what.format_map(fill), fix.format_map(fill), formula_line(formula or default_formula, lang)


class _Blank(dict):
    """Formats a missing placeholder as '?' rather than raising."""

    def __missing__(self, key):
        return "?"


__all__ = ["FORMULAS", "MISTAKES", "WORDS", "formula_line", "mistake_text"]
