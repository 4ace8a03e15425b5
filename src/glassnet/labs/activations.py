"""Lab: the activation functions and their derivatives, with the values the notes give."""

from __future__ import annotations

import numpy as np

from ..activations import LeakyReLU, ReLU, Sigmoid, Tanh
from ..plots import new_figure
from .evidence import exact

TITLE_ZH = "激活函数 / 激活函数的导数"
TITLE_EN = "Activation functions and their derivatives"


def run(ctx, result) -> None:
    functions = {"sigmoid": Sigmoid(), "tanh": Tanh(), "relu": ReLU(), "leaky_relu(0.01)": LeakyReLU(0.01)}
    points = np.array([[-10.0, -1.0, 0.0, 1.0, 10.0]])
    for name, g in functions.items():
        values, slopes = g.forward(points)[0], g.derivative(points)[0]
        row = {"g": name}
        row.update({f"g({z:g})": float(v) for z, v in zip(points[0], values, strict=True)})
        row.update({f"g'({z:g})": float(d) for z, d in zip(points[0], slopes, strict=True)})
        result.rows.append(row)
        result.data[name] = {"z": points[0].tolist(), "g": values.tolist(), "g_prime": slopes.tolist()}
    result.set_n([], z=points.shape[1])
    zero = np.zeros((1, 1))
    s0, t0 = Sigmoid().derivative(zero)[0, 0], Tanh().derivative(zero)[0, 0]
    result.claim("sigmoid'(0) = 1/4", exact(s0 == 0.25), f"{s0}")
    result.claim("tanh'(0) = 1", exact(t0 == 1.0), f"{t0}")
    far = np.array([[-10.0, 10.0]])
    s10, t10 = Sigmoid().derivative(far)[0], Tanh().derivative(far)[0]
    result.claim("sigmoid' and tanh' are almost 0 at z = ±10 (saturation: learning slows)",
                 exact(np.all(s10 < 1e-4) and np.all(t10 < 1e-7)), f"sigmoid' {s10[1]:.2e}, tanh' {t10[1]:.2e}")
    result.claim("ReLU' is 1 for z > 0 and 0 for z < 0; Leaky ReLU' is 0.01 for z < 0",
                 exact(ReLU().derivative(far)[0].tolist() == [0.0, 1.0]
                       and LeakyReLU(0.01).derivative(far)[0].tolist() == [0.01, 1.0]), "g'(-10), g'(10)")
    result.notes.append("At z = 0 ReLU is not differentiable; glassnet takes ReLU'(0) = 0 and "
                        "LeakyReLU'(0) = alpha (PyTorch's convention; the notes allow either).")

    z = np.linspace(-6, 6, 601).reshape(1, -1)
    fig = new_figure(10, 4)
    ax_g, ax_d = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    for name, g in functions.items():
        ax_g.plot(z[0], g.forward(z)[0], label=name)
        ax_d.plot(z[0], g.derivative(z)[0], label=name)
    ax_g.set_title("g(z)")
    ax_d.set_title("g'(z)")
    for ax in (ax_g, ax_d):
        ax.set_xlabel("z")
        ax.grid(alpha=0.3)
        ax.legend()
    ax_g.set_ylim(-1.5, 3)
    ctx.save_figure(fig, "activations.png", result, shows="exact curves, no random draw")
