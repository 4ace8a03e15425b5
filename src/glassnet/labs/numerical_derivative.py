"""Lab: the two-sided difference is a much better derivative than the one-sided one (f(θ) = θ³).

The notes' example: f(θ) = θ³ at θ = 1, ε = 0.01, true derivative g(θ) = 3θ² = 3.

    two-sided  (f(θ + ε) − f(θ − ε)) / (2ε) = 3.0001    error ε²  = 0.0001      O(ε²)
    one-sided  (f(θ + ε) − f(θ)) / ε        = 3.0301    error 3ε + ε² = 0.0301  O(ε)

(for θ³ both errors are exact polynomials in ε: 3 + ε² and 3 + 3ε + ε²). Then the error against
ε on a log-log plot: from ε = 1e-1 to 1e-4 the lines have slopes 2 and 1 (the orders of the
two formulas, fitted by least squares). Further down, rounding takes over: f(θ ± ε) carry a
relative error of about u = 2^-53 ≈ 1.1e-16 (float64), which the division by ε blows up to
about u·|f(θ)|/ε, so the error turns and grows again as ε shrinks; the smallest error sits near
ε ≈ u^(1/3) for the two-sided and ε ≈ u^(1/2) for the one-sided difference. The same sweep in
float32 (u ≈ 6e-8) turns already near ε ≈ 1e-3: why gradient checks run in float64.
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_derivative
from ..plots import new_figure
from .evidence import exact

TITLE_ZH = "梯度的数值逼近"
TITLE_EN = "Numerical approximation of gradients"

THETA = 1.0
EPSILON = 0.01
FIT_RANGE = (1e-4, 1e-1)  # where truncation dominates: the slopes are fitted here
SMALLEST = 1e-10  # the sweep goes down to here, to show rounding taking over
TABLE_EPSILONS = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8, 1e-10)


def f(theta):
    """f(θ) = θ³."""
    return theta**3


def true_derivative(theta):
    """g(θ) = f'(θ) = 3θ²."""
    return 3 * theta**2


def float32_derivative(theta: float, epsilon: float, two_sided: bool) -> float:
    """The same differences computed in float32 arithmetic throughout."""
    t, e = np.float32(theta), np.float32(epsilon)
    if two_sided:
        return float((f(t + e) - f(t - e)) / (np.float32(2) * e))
    return float((f(t + e) - f(t)) / e)


def slope(epsilons, errors) -> float:
    """Least-squares slope of log10(error) against log10(ε): the order p of error ≈ C ε^p."""
    return float(np.polyfit(np.log10(epsilons), np.log10(errors), 1)[0])


def in_fit_range(eps: np.ndarray) -> np.ndarray:
    """Which ε of the sweep lie in FIT_RANGE, with a 1e-9 relative slack for the rounding of the ε grid."""
    return (eps >= FIT_RANGE[0] * (1 - 1e-9)) & (eps <= FIT_RANGE[1] * (1 + 1e-9))


def run(ctx, result) -> None:
    per_decade = 4 if ctx.quick else 10
    data = _measure(per_decade)
    _table(result, data["true_derivative"])
    _notes(result, data, per_decade)
    result.data = data
    result.set_n([], epsilons=len(data["sweep"]["epsilon"]))
    _claims(result, data)
    _plot(ctx, result, data)


def _measure(per_decade: int) -> dict:
    """Both differences over the sweep of ε (float64, float32), at ε = EPSILON, their slopes and best ε."""
    decades = int(round(-np.log10(SMALLEST)))
    # ε = 10^(-k/per_decade), k = per_decade .. decades*per_decade: 1e-1 down to 1e-10
    epsilons = [10.0 ** (-k / per_decade) for k in range(per_decade, decades * per_decade + 1)]
    g = true_derivative(THETA)

    sweep = {"epsilon": epsilons, "two_sided": [], "one_sided": [], "two_sided_float32": [],
             "one_sided_float32": []}
    for e in epsilons:
        sweep["two_sided"].append(numerical_derivative(f, THETA, e, two_sided=True))
        sweep["one_sided"].append(numerical_derivative(f, THETA, e, two_sided=False))
        sweep["two_sided_float32"].append(float32_derivative(THETA, e, True))
        sweep["one_sided_float32"].append(float32_derivative(THETA, e, False))
    errors = {k: [abs(v - g) for v in values] for k, values in sweep.items() if k != "epsilon"}

    two = numerical_derivative(f, THETA, EPSILON, two_sided=True)
    one = numerical_derivative(f, THETA, EPSILON, two_sided=False)
    err_two, err_one = abs(two - g), abs(one - g)
    ratio = err_one / err_two

    eps = np.array(epsilons)
    in_fit = in_fit_range(eps)
    slope_two = slope(eps[in_fit], np.array(errors["two_sided"])[in_fit])
    slope_one = slope(eps[in_fit], np.array(errors["one_sided"])[in_fit])

    def best(key):
        i = int(np.argmin(errors[key]))
        return float(eps[i]), float(errors[key][i])

    best_two, best_one = best("two_sided"), best("one_sided")
    best_two32, best_one32 = best("two_sided_float32"), best("one_sided_float32")
    u64, u32 = float(np.finfo(np.float64).eps) / 2, float(np.finfo(np.float32).eps) / 2
    return {
        "theta": THETA, "true_derivative": g, "epsilon": EPSILON, "two_sided": two, "one_sided": one,
        "two_sided_error": err_two, "one_sided_error": err_one, "error_ratio": ratio,
        "fit_range": list(FIT_RANGE), "slope_two_sided": slope_two, "slope_one_sided": slope_one,
        "best_epsilon": {"two_sided": best_two[0], "one_sided": best_one[0], "two_sided_float32": best_two32[0],
                         "one_sided_float32": best_one32[0]},
        "best_error": {"two_sided": best_two[1], "one_sided": best_one[1], "two_sided_float32": best_two32[1],
                       "one_sided_float32": best_one32[1]},
        "unit_roundoff": {"float64": u64, "float32": u32},
        "sweep": {"epsilon": epsilons, **sweep, "errors": errors},
    }


def _table(result, g: float) -> None:
    """The lab's table: both differences and their errors at the ε of TABLE_EPSILONS."""
    for e in TABLE_EPSILONS:
        two, one = numerical_derivative(f, THETA, e), numerical_derivative(f, THETA, e, two_sided=False)
        result.rows.append({
            "ε": f"{e:g}", "two-sided": f"{two:.10f}", "two-sided error": f"{abs(two - g):.3e}",
            "one-sided": f"{one:.10f}", "one-sided error": f"{abs(one - g):.3e}",
            "error ratio one/two": f"{abs(one - g) / abs(two - g):.3g}" if two != g else "inf",
        })


def _notes(result, data: dict, per_decade: int) -> None:
    """The notes: the sweep, both differences at ε = 0.01, the slopes, where rounding takes over."""
    two, one, ratio = data["two_sided"], data["one_sided"], data["error_ratio"]
    best_eps, best_err, u64 = data["best_epsilon"], data["best_error"], data["unit_roundoff"]["float64"]
    result.notes += [
        f"f(θ) = θ³ at θ = {THETA:g}, true derivative g(θ) = 3θ² = {data['true_derivative']:g}; sweep of "
        f"{len(data['sweep']['epsilon'])} values of ε from 1e-1 to {SMALLEST:g} ({per_decade} per decade), slopes "
        f"fitted on ε in [{FIT_RANGE[0]:g}, {FIT_RANGE[1]:g}]",
        f"ε = {EPSILON:g}: two-sided {two:.4f} (error {data['two_sided_error']:.4g}), one-sided {one:.4f} (error "
        f"{data['one_sided_error']:.4g}): the one-sided error is {ratio:.0f}x larger",
        f"log-log slopes of the error: two-sided {data['slope_two_sided']:.4f} (O(ε²)), one-sided "
        f"{data['slope_one_sided']:.4f} (O(ε))",
        f"rounding takes over below the smallest error: float64 two-sided best at ε ≈ {best_eps['two_sided']:.1e} "
        f"(error {best_err['two_sided']:.1e}; u^(1/3) = {u64 ** (1 / 3):.1e}), one-sided at ε ≈ "
        f"{best_eps['one_sided']:.1e} (error {best_err['one_sided']:.1e}; u^(1/2) = {u64 ** 0.5:.1e}); float32 "
        f"two-sided best at ε ≈ {best_eps['two_sided_float32']:.1e} (error {best_err['two_sided_float32']:.1e}), "
        f"one-sided at ε ≈ {best_eps['one_sided_float32']:.1e}",
    ]


def _claims(result, data: dict) -> None:
    """The notes' claims: 3.0001 and 3.0301 at ε = 0.01, orders 2 and 1, rounding below the best ε."""
    two, one, ratio = data["two_sided"], data["one_sided"], data["error_ratio"]
    err_two, err_one = data["two_sided_error"], data["one_sided_error"]
    slope_two, slope_one = data["slope_two_sided"], data["slope_one_sided"]
    best_two_eps, best_two_err = data["best_epsilon"]["two_sided"], data["best_error"]["two_sided"]
    smallest_two = data["sweep"]["errors"]["two_sided"][-1]
    result.claim("two-sided difference at ε = 0.01 gives 3.0001 (to 4 decimals)", exact(round(two, 4) == 3.0001),
                 f"{two:.10f}")
    result.claim("one-sided difference at ε = 0.01 gives 3.0301 (to 4 decimals)", exact(round(one, 4) == 3.0301),
                 f"{one:.10f}")
    result.claim("the two-sided error is about 100x smaller at ε = 0.01 (at least 100x)", exact(ratio >= 100),
                 f"{err_two:.4g} vs {err_one:.4g}: {ratio:.0f}x smaller")
    result.claim("two-sided error is O(ε²): log-log slope 2 ± 0.1 for ε in 1e-4..1e-1",
                 exact(abs(slope_two - 2) <= 0.1),
                 f"slope {slope_two:.4f}")
    result.claim("one-sided error is O(ε): log-log slope 1 ± 0.1 for ε in 1e-4..1e-1",
                 exact(abs(slope_one - 1) <= 0.1),
                 f"slope {slope_one:.4f}")
    result.claim("for very small ε rounding takes over: the two-sided error grows again (at 1e-10 at least 100x "
                 "its smallest value)", exact(smallest_two >= 100 * best_two_err and best_two_eps > SMALLEST),
                 f"smallest {best_two_err:.1e} at ε ≈ {best_two_eps:.1e}, {smallest_two:.1e} at ε = {SMALLEST:g}")
    best_two32_eps = data["best_epsilon"]["two_sided_float32"]
    result.claim("in float32 rounding takes over 100x earlier (best ε at least 100x larger than in float64)",
                 exact(best_two32_eps >= 100 * best_two_eps),
                 f"float32 best ε ≈ {best_two32_eps:.1e} vs float64 {best_two_eps:.1e}")


def _plot(ctx, result, data: dict) -> None:
    """The error of both differences against ε on log-log axes, with ε², 3ε, the rounding line and the best ε."""
    eps, errors = np.array(data["sweep"]["epsilon"]), data["sweep"]["errors"]
    slope_two, slope_one = data["slope_two_sided"], data["slope_one_sided"]
    best_eps, u64 = data["best_epsilon"], data["unit_roundoff"]["float64"]
    fig = new_figure(7, 5)
    ax = fig.add_subplot()
    ax.loglog(eps, errors["two_sided"], "o-", color="C0", markersize=3, label="two-sided (float64)")
    ax.loglog(eps, errors["one_sided"], "s-", color="C1", markersize=3, label="one-sided (float64)")
    ax.loglog(eps, errors["two_sided_float32"], ":", color="C0", alpha=0.6, label="two-sided (float32)")
    ax.loglog(eps, errors["one_sided_float32"], ":", color="C1", alpha=0.6, label="one-sided (float32)")
    ref = eps[in_fit_range(eps)]
    ax.loglog(ref, ref**2, "--", color="C0", linewidth=1, alpha=0.7, label=f"ε² (fitted slope {slope_two:.3f})")
    ax.loglog(ref, 3 * ref, "--", color="C1", linewidth=1, alpha=0.7, label=f"3ε (fitted slope {slope_one:.3f})")
    ax.loglog(eps, u64 * abs(f(THETA)) / eps, "-.", color="grey", linewidth=1, label="rounding u·|f(θ)|/ε (float64)")
    ax.axvspan(FIT_RANGE[0], FIT_RANGE[1], color="green", alpha=0.06, label="fit range")
    ax.axvspan(SMALLEST, best_eps["two_sided"], color="red", alpha=0.06,
               label="rounding takes over (two-sided, float64)")
    ax.axvline(best_eps["two_sided"], color="C0", linewidth=0.8, linestyle=":")
    ax.axvline(best_eps["one_sided"], color="C1", linewidth=0.8, linestyle=":")
    ax.invert_xaxis()  # ε shrinks to the right
    ax.set_ylim(min(min(errors["two_sided"]), 1e-12) / 3, 10)
    ax.set_xlabel("ε (shrinking →)")
    ax.set_ylabel("|numerical − true derivative|")
    ax.set_title("f(θ) = θ³ at θ = 1: error of the finite differences")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, loc="lower left")
    ctx.save_figure(fig, "error_vs_epsilon.png", result, shows="exact arithmetic, no random draw")
