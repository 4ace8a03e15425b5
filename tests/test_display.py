"""What a notebook shows: _repr_html_ of Network, History (inline SVG curves), the gradient-check report and the
diagnosis; the text stays their fallback. No scripts, nothing that needs ipywidgets."""

from __future__ import annotations

import glassnet as gn
from glassnet.display import Curves, curves


def test_the_objects_of_a_run_render_as_html():
    X, Y = gn.datasets.make_moons(120, noise=0.2, seed=0)
    net = gn.Network([2, 6, 1], seed=0)
    history = net.fit(X, Y, epochs=4, X_dev=X[:, :30], Y_dev=Y[:, :30], verbose=0, seed=0)
    page = net._repr_html_()
    assert "Network [2, 6, 1]" in page and "<table" in page and "(6, 2)" in page
    page = history._repr_html_()
    assert page.count("<polyline") == 2 and "dev cost" in page and "train cost" in page
    report = gn.gradient_check(net, X[:, :10], Y[:, :10])
    assert "gradient check passed" in report._repr_html_() and str(report).splitlines()[0] in report._repr_html_()
    diagnosis = gn.diagnose(net, X, Y)
    assert f"diagnosis: {diagnosis.verdict}" in diagnosis._repr_html_()
    for page in (net._repr_html_(), history._repr_html_(), report._repr_html_(), diagnosis._repr_html_()):
        assert "<script" not in page and "widget" not in page.lower()


def test_curves_draw_each_run_and_skip_missing_values():
    svg = curves({"a": [3.0, 2.0, None, 1.0], "b": [float("nan"), 2.5, 1.5]})
    assert svg.count("<polyline") == 2 and svg.startswith("<svg")
    shown = Curves({"yours": [1.0, 0.5], "glassnet": [1.0, 0.4]})
    assert "first 1, last 0.5" in repr(shown) and "<svg" in shown._repr_html_()
    assert curves({"empty": []}) == "<svg width='0' height='0'></svg>"
