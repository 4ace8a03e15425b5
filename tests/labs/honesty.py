"""What every lab's results.json must state: n, each claim's verdict with its test and level, what each figure shows."""

import json
import re
from pathlib import Path

from glassnet.labs.evidence import LEVEL, MIN_SEEDS, VERDICTS

SHOWS = re.compile(r"\bseed \d+|median over \d+ seeds|no random draw")
"""A figure's title names the seed it draws, says it shows medians over N seeds, or that nothing in it is random."""


def check_honest(out) -> dict:
    """Read ``out/results.json`` and check it states n, each claim's test and level, and each figure's seed."""
    saved = json.loads((Path(out) / "results.json").read_text())
    n = saved["n"]
    assert isinstance(n["seeds"], int) and n["seeds"] == len(n["seed_list"]), n
    assert isinstance(n["examples"], dict), n
    assert saved["claims"], "a lab without claims"
    for c in saved["claims"]:
        assert c["verdict"] in VERDICTS and c["holds"] == (c["verdict"] == "holds"), c
        assert c["test"] and "level" in c and isinstance(c["n"], int), c
        if c["level"] is None:
            assert c["test"].startswith("exact"), c
        else:
            assert c["level"] == LEVEL, c
            if c["verdict"] == "holds":
                assert c["p_holds"] <= c["level"] and c["n"] >= MIN_SEEDS, c
        if n["seeds"] < MIN_SEEDS and c["level"] is not None:
            assert c["verdict"] != "holds", f"{n['seeds']} seeds cannot make a claim hold: {c}"
    assert sorted(saved["figure_titles"]) == sorted(Path(f).name for f in saved["figures"])
    for name, titles in saved["figure_titles"].items():
        assert any(SHOWS.search(t) for t in titles), f"{name} does not say which seed it shows: {titles}"
    return saved
