"""glassnet.exercises.check: the corpus of learners' implementations (buggy ones named, correct ones passed), the
reports in English and Chinese, and the check's own contract (names, arguments, global state, the calls note)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import glassnet.exercises as ex
from glassnet.errors import GlassnetError
from glassnet.exercises import helpers
from glassnet.exercises.messages import MISTAKES

from .corpus import BUGGY, CORRECT

LISTED = {  # the mistakes the issue names, each held by at least one buggy implementation of the corpus
    "missing_1_over_m", "cost_missing_1_over_m", "rank1", "sum_wrong_axis", "transposed", "g_prime_from_A",
    "sigmoid_prime_from_z", "relu_mask_from_dA", "update_sign", "l2_lambda_over_m", "bias_not_zero",
    "weights_not_scaled", "dropout_not_scaled", "dropout_mask_not_reused", "cache_order", "input_changed",
    "number_as_array", "one_sided",
}


def fixed_text(template: str) -> str:
    """The words of a message up to its first placeholder: what the report must show whatever the case."""
    return re.split(r"\{", template)[0].strip()


def test_the_corpus_is_large_enough_and_covers_every_listed_mistake():
    assert len(BUGGY) >= 30 and len(CORRECT) >= 10
    assert LISTED <= {key for _, _, key in BUGGY}
    assert set(ex.names()) <= {name for name, _, _ in BUGGY + CORRECT} | {"relu", "sigmoid_backward"}


def test_every_buggy_implementation_fails_with_its_diagnosis_in_both_languages():
    wrong = []
    for name, fn, key in BUGGY:
        report, chinese = ex.check(fn, name), ex.check(fn, name, lang="zh")
        what_en, what_zh = MISTAKES[key][1][0], MISTAKES[key][2][0]
        text, text_zh = str(report), str(chinese)
        if (report.passed or key not in report.mistakes or fixed_text(what_en) not in text
                or fixed_text(what_zh) not in text_zh or "未通过" not in text_zh or "FAILED" not in text):
            wrong.append(f"{fn.__name__} ({key}): {report.mistakes}\n{text}")
    assert not wrong, "\n\n".join(wrong)


def test_every_correct_implementation_written_another_way_passes():
    failed = [f"{fn.__name__}:\n{ex.check(fn, name)}" for name, fn, _ in CORRECT if not ex.check(fn, name).passed]
    assert not failed, "\n\n".join(failed)
    for name, fn, _ in CORRECT:
        assert "与 glassnet.notes 一致" in str(ex.check(fn, name, lang="zh")).splitlines()[0], fn.__name__


def test_the_reference_helpers_pass_and_the_report_names_the_cases():
    for name in ex.names():
        report = ex.check(getattr(helpers, name))
        assert report.passed, str(report)
        assert "glassnet.notes" in str(report) and "✓" in str(report)


def test_notes_on_passing_code_written_otherwise():
    own = [fn for name, fn, _ in CORRECT if fn.__name__ == "init_deep_own_generator"][0]
    report = ex.check(own, "initialize_parameters_deep")
    assert report.passed and "not the course's draws" in str(report)
    in_place = [fn for name, fn, _ in CORRECT if fn.__name__ == "update_parameters_in_place"][0]
    assert "in place" in str(ex.check(in_place, "update_parameters"))


def test_a_report_shows_what_ran_what_differs_and_the_formula():
    name, fn, _ = next(entry for entry in BUGGY if entry[2] == "rank1" and entry[0] == "linear_backward")
    text = str(ex.check(fn, name))
    assert "ran: linear_backward(dZ=(3, 4), cache=((5, 4), (3, 5), (3, 1)))" in text
    assert "C1 §4.2 (8)" in text and "notes map E23" in text and "C1 §2.16" in text
    html = ex.check(fn, name)._repr_html_()
    assert "<ol>" in html and "keepdims" in html and "<script" not in html
    zh = str(ex.check(fn, name, lang="zh"))
    assert "秩为 1" in zh and "笔记对照 E23" in zh


def test_a_function_that_calls_a_wrong_course_function_says_so():
    namespace = {"np": np, "sigmoid_backward": helpers.sigmoid_backward, "relu_backward": helpers.relu_backward}
    exec("def linear_backward(dZ, cache):\n"  # noqa: S102  (a learner's notebook: two functions in one namespace)
         "    A_prev, W, b = cache\n"
         "    return W.T @ dZ, dZ @ A_prev.T, np.sum(dZ, axis=1, keepdims=True)\n"
         "def linear_activation_backward(dA, cache, activation):\n"
         "    dZ = sigmoid_backward(dA, cache[1]) if activation == 'sigmoid' else relu_backward(dA, cache[1])\n"
         "    return linear_backward(dZ, cache[0])\n", namespace)
    report = ex.check(namespace["linear_activation_backward"])
    assert not report.passed and "it calls your linear_backward, which fails its own check" in str(report)


def test_missing_helpers_and_wrong_arguments():
    namespace = {"np": np}
    exec("def compute_cost_with_regularization(A3, Y, parameters, lambd):\n"  # noqa: S102
         "    return compute_cost(A3, Y)\n", namespace)
    report = ex.check(namespace["compute_cost_with_regularization"])
    assert "from glassnet.exercises.helpers import compute_cost" in str(report)
    with pytest.raises(GlassnetError, match="expected one of: sigmoid"):
        ex.check(lambda Z: Z)
    with pytest.raises(GlassnetError, match="lang must be 'en' or 'zh'"):
        ex.check(helpers.relu, lang="fr")
    with pytest.raises(GlassnetError, match="pass the function itself"):
        ex.check(helpers.relu(np.zeros((1, 1))), "relu")


def test_the_check_leaves_numpys_global_state_as_it_found_it():
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    ex.check(helpers.initialize_parameters_deep)
    ex.check(helpers.forward_propagation_with_dropout)
    np.testing.assert_array_equal(np.random.get_state()[1], before)
