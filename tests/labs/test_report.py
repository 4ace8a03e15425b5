"""A lab's report: claims carry their evidence, tables state n, figures say what they show."""

import json

import pytest

from glassnet.labs.evidence import exact, sign_test
from glassnet.labs.report import LabContext, LabResult
from glassnet.plots import new_figure


def test_a_claim_needs_evidence_not_a_bool():
    result = LabResult("x", "中", "en")
    with pytest.raises(TypeError, match="Evidence"):
        result.claim("more is better", True, "0.925 vs 0.92")


def test_lines_say_holds_fails_or_inconclusive_with_the_test():
    result = LabResult("x", "中", "en")
    result.claim("a beats b", sign_test([0.005, -0.005, 0.0, 0.005, 0.01]), "92.5% vs 92.0%")
    result.claim("b beats a", sign_test([-1] * 5), "x")
    result.claim("1 + 1 = 2", exact(True), "2")
    lines = [c.line() for c in result.claims]
    assert lines[0].startswith("  [?] a beats b: inconclusive (92.5% vs 92.0%)") and "p = " in lines[0]
    assert "FAILS" in lines[1] and "[x] 1 + 1 = 2: holds, exact" in lines[2]
    assert [c.holds for c in result.claims] == [False, False, True]


def test_results_json_states_n_claims_tests_levels_and_figure_titles(tmp_path):
    ctx = LabContext(out=tmp_path)
    result = LabResult("x", "中", "en")
    result.set_n(ctx.seeds, train=211, test=200)
    result.rows.append({"model": "none", "test acc": 0.92})
    result.claim("a beats b", sign_test([1] * 5), "m")
    fig = new_figure()
    fig.add_subplot().set_title("costs")
    ctx.save_figure(fig, "f.png", result, shows="seed 0")
    saved = json.loads(result.save(tmp_path).read_text())
    assert saved["n"] == {"seeds": 5, "seed_list": [0, 1, 2, 3, 4], "examples": {"train": 211, "test": 200}}
    claim = saved["claims"][0]
    assert claim["verdict"] == "holds" and claim["level"] == 0.05 and "sign test" in claim["test"] and claim["n"] == 5
    assert saved["figure_titles"]["f.png"] == ["seed 0", "costs"]  # the caption became the figure's title
    assert "n = 5 seeds (0, 1, 2, 3, 4); examples: 211 train, 200 test" in str(result)


def test_a_lab_states_its_trainings_as_run_specs(tmp_path):
    """describe_runs: a note with each spec's non-default settings (the seed left out when every seed runs it)
    and the whole specs in results.json, which read back as the same RunSpecs."""
    from glassnet.runs import RunSpec

    plain = RunSpec(layers=(10, 5), optimizer="gd", learning_rate=0.1, schedule="constant", batch_size=None,
                    normalize=False, seed=3)
    specs = {"plain": plain, "L2": plain.replace(l2=0.7)}
    result = LabResult("x", "中", "en")
    result.describe_runs(specs, [3, 4, 5])
    note = result.notes[-1]
    assert note.startswith("the trainings as RunSpecs")
    assert "every seed of [3, 4, 5] runs its spec with that seed" in note
    assert "  plain: input pipeline: normalize=False; architecture: layers=10,5; " in note
    assert "regularization: l2=0.7" in note.splitlines()[2] and "seed=" not in note
    saved = json.loads(result.save(tmp_path).read_text())
    assert {name: RunSpec.from_dict(d) for name, d in saved["run_specs"].items()} == specs
    one = LabResult("x", "中", "en")
    one.describe_runs({"plain": plain}, [3])  # one seed: the spec says it
    assert "seed: seed=3" in one.notes[-1]
    assert "run_specs" not in LabResult("x", "中", "en").to_dict()  # a lab that trains nothing states none
