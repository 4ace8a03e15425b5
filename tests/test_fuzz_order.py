"""The fuzz test after the rest of the suite, in one process (issue 27).

tests/test_fuzz.py once failed only when many other test files had run before it in the same process (a raw
``TypeError`` that a text array reached through hypothesis's shared state), so the suite passed or failed by
scheduling. Each fuzz test now has its own ``@settings`` and ``@seed``; ``test_fuzz_passes_after_the_whole_suite``
runs every other test file first and test_fuzz.py last, in one pytest process without xdist, and asks that the
fuzz tests pass there too. It takes about 3 minutes (the whole suite on one core: 164 s measured), so it is ``slow``:
``python -m pytest -m slow tests/test_fuzz_order.py``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
FUZZ = TESTS / "test_fuzz.py"


def suite_then_fuzz() -> list[str]:
    """Every test folder and test file of tests/ but this one and test_fuzz.py, in name order, then test_fuzz.py."""
    before = sorted(
        p for p in TESTS.iterdir()
        if p != FUZZ and p.name != Path(__file__).name
        and ((p.is_dir() and (p / "__init__.py").exists()) or (p.is_file() and re.fullmatch(r"test_.*\.py", p.name)))
    )
    return [str(p) for p in before] + [str(FUZZ)]


def test_the_fuzz_file_comes_last_and_once():
    paths = suite_then_fuzz()
    assert paths[-1] == str(FUZZ) and paths.count(str(FUZZ)) == 1
    assert str(TESTS / "test_network.py") in paths and str(TESTS / "data") in paths
    assert str(Path(__file__).resolve()) not in paths


@pytest.mark.slow
def test_fuzz_passes_after_the_whole_suite():
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
               "-p", "no:randomly", "-m", "not slow", *suite_then_fuzz()]
    done = subprocess.run(command, cwd=TESTS.parent, capture_output=True, text=True, timeout=1800,
                          env={**os.environ, "PYTHONHASHSEED": "0"})
    tail = done.stdout[-6000:] + done.stderr[-2000:]
    assert done.returncode == 0, tail
    assert "test_fuzz.py" not in "".join(line for line in done.stdout.splitlines() if line.startswith("FAILED"))
    assert re.search(r"\d+ passed", done.stdout), tail
