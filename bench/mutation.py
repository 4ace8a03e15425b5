"""``python -m bench.mutation``: mutation testing of the core modules with mutmut (bench/README.md, "Mutation score").

mutmut 3 rewrites every function of a module into many mutants (``+`` for ``-``, ``<=`` for ``<``, a constant
changed, an argument dropped, ...) and runs, for each mutant, only the tests that called that function when it
recorded them; a mutant that no test fails on "survives". Its configuration is ``[tool.mutmut]`` in
pyproject.toml (which modules, which tests, which lines are left alone).

mutmut writes its mutants next to the sources (under ``mutants/``), so this command never runs it in the working
tree: it copies the tree (the files git tracks or would track, plus a compiled ``_fused`` kernel) into ``--copy``
(default: a ``glassnet-mutation`` folder in the temporary directory), runs ``mutmut run`` there on the modules
asked for, then scores each module, leaving out the mutants ``bench/mutation-equivalent.txt`` lists (a change
that cannot change behaviour), and prints every other survivor with its line::

    nice -n 19 python -m bench.mutation                       # every core module (see MODULES)
    nice -n 19 python -m bench.mutation activations losses    # some of them
    python -m bench.mutation --report-only                    # score the last run in --copy again

mutmut keeps its results in the copy (by the text of each function): a second run of every module re-tests only
the functions that changed; naming modules re-tests all of their mutants; ``--fresh`` starts from nothing.
Measured (bench/README.md): all eight modules, 3 845 mutants, 589 s on the 2-core machine (1 167 s under a load of 2-7).
Install: ``pip install -e ".[mutation]"``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT_FILE = ROOT / "bench" / "mutation-equivalent.txt"

# short name -> source file (under src/); the order is the order they run (smaller modules first)
MODULES = {
    "activations": "glassnet/activations.py",
    "losses": "glassnet/losses.py",
    "layers": "glassnet/layers.py",
    "optimizers": "glassnet/optimizers.py",
    "preprocessing": "glassnet/data/preprocessing.py",
    "check": "glassnet/gradcheck/check.py",
    "notes": "glassnet/notes.py",
    "network": "glassnet/network.py",
}

# mutmut's exit codes -> outcome (mutmut.stats.status_by_exit_code); a timeout counts as killed
KILLED = {1, 3, -24, 24, 152, 255, 36, -11, -9}
SURVIVED = {0, 5, 33}  # 5 / 33: no test reaches the function


def module_name(source: str) -> str:
    return source.removesuffix(".py").replace("/", ".")


def copy_tree(dest: Path) -> None:
    """The working tree's files (tracked, and untracked but not ignored) into dest, plus the compiled kernel."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if not src.is_file():
            continue
        target = dest / rel
        if target.exists() and target.read_bytes() == src.read_bytes():
            continue  # unchanged: keep its mtime, so mutmut keeps its cached results
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
    for kernel in (ROOT / "src" / "glassnet").glob("_fused*.so"):
        shutil.copy2(kernel, dest / "src" / "glassnet" / kernel.name)


@dataclass
class Equivalent:
    module: str
    line: int
    function: str
    before: str
    after: str
    why: str

    def key(self) -> tuple[str, str, str, str]:
        return self.module, self.function, _squash(self.before), _squash(self.after)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def read_equivalents(path: Path = EQUIVALENT_FILE) -> list[Equivalent]:
    """The listed equivalent mutants. Each is a block:

        <module>:<line> <function>
        - <the line as written>
        + <the line as mutated>
          why: <why it cannot change behaviour>

    A mutant is matched by module, function and the two lines (not by its line number or mutmut's mutant
    number, which move when the code above it changes)."""
    found, block = [], []
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    for raw in [*lines, ""]:
        if raw.startswith("#"):
            continue
        if raw.strip():
            block.append(raw)
            continue
        if block:
            head, before, after, why = block[0], block[1], block[2], " ".join(b.strip() for b in block[3:])
            where, function = head.split(maxsplit=1)
            module, line = where.rsplit(":", 1)
            found.append(Equivalent(module, int(line), function.strip(), before[1:].strip(), after[1:].strip(),
                                    why.removeprefix("why:").strip()))
            block = []
    return found


@dataclass
class Mutant:
    name: str
    outcome: str  # killed / survived / no tests
    function: str = ""
    line: int = 0
    before: str = ""
    after: str = ""

    def key(self, module: str) -> tuple[str, str, str, str]:
        return module, self.function, _squash(self.before), _squash(self.after)


@dataclass
class Score:
    module: str
    mutants: list[Mutant] = field(default_factory=list)
    equivalent: list[Mutant] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.mutants)

    @property
    def killed(self) -> int:
        return sum(m.outcome == "killed" for m in self.mutants)

    @property
    def survivors(self) -> list[Mutant]:
        keys = {id(m) for m in self.equivalent}
        return [m for m in self.mutants if m.outcome != "killed" and id(m) not in keys]

    def as_dict(self) -> dict:
        non_equivalent = self.total - len(self.equivalent)
        return {"module": self.module, "total": self.total, "killed": self.killed,
                "equivalent": len(self.equivalent), "survived": len(self.survivors),
                "score": self.killed / self.total if self.total else None,
                "score_non_equivalent": self.killed / non_equivalent if non_equivalent else None,
                "survivors": [f"{m.line}: {m.before!s} -> {m.after!s} ({m.name})" for m in self.survivors]}


def _function_of(name: str) -> str:
    """'glassnet.losses.xǁSoftmaxCrossEntropyǁcost__mutmut_3' -> 'SoftmaxCrossEntropy.cost'."""
    local = name.rsplit(".", 1)[-1].rsplit("__mutmut_", 1)[0]
    if local.startswith("xǁ"):
        return ".".join(local[2:].split("ǁ"))
    return local.removeprefix("x_")


def describe(mutant: Mutant, source_path: Path, mutated_path: Path, source_lines: list[str]) -> None:
    """Fill in the mutant's function, line and the line before/after, from mutmut's diff."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    mutant.function = _function_of(mutant.name)
    try:
        diff = get_diff_for_mutant(mutant.name, path=mutated_path)
    except Exception as error:  # noqa: BLE001 - an unreadable mutant is reported, not fatal
        mutant.after = f"(no diff: {error})"
        return
    body = diff.splitlines()[2:]
    removed = [d[1:] for d in body if d.startswith("-")]
    added = [d[1:] for d in body if d.startswith("+")]
    mutant.before, mutant.after = " / ".join(s.strip() for s in removed), " / ".join(s.strip() for s in added)
    if removed:
        first = removed[0].strip()
        for number, text in enumerate(source_lines, 1):
            if text.strip() == first:
                mutant.line = number
                break


def collect(copy: Path, modules: list[str], equivalents: list[Equivalent]) -> list[Score]:
    os.chdir(copy)  # mutmut reads its configuration from the current folder
    known = {e.key() for e in equivalents}
    scores = []
    for short in modules:
        source = MODULES[short]
        meta = copy / "mutants" / "src" / (source + ".meta")
        if not meta.exists():
            continue
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        score = Score(short)
        source_lines = (copy / "src" / source).read_text(encoding="utf-8").splitlines()
        for name, code in sorted(codes.items()):
            if code is None:
                continue  # not run (this run asked for other modules)
            outcome = "killed" if code in KILLED else ("no tests" if code in (5, 33) else "survived")
            mutant = Mutant(name, outcome)
            score.mutants.append(mutant)
            if outcome != "killed":
                describe(mutant, copy / "src" / source, copy / "mutants" / "src" / source, source_lines)
                if mutant.key(source) in known:
                    score.equivalent.append(mutant)
        scores.append(score)
    return scores


def report(scores: list[Score]) -> str:
    rows = ["| module | mutants | killed | equivalent | survived | killed / all | killed / non-equivalent |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for s in scores:
        d = s.as_dict()
        rows.append(f"| {s.module} | {d['total']} | {d['killed']} | {d['equivalent']} | {d['survived']} | "
                    f"{_pct(d['score'])} | {_pct(d['score_non_equivalent'])} |")
    lines = ["\n".join(rows), ""]
    for s in scores:
        for m in s.survivors:
            lines.append(f"survived  {MODULES[s.module]}:{m.line}  {m.function}  [{m.outcome}]  {m.name}")
            lines.append(f"    - {m.before}")
            lines.append(f"    + {m.after}")
    return "\n".join(lines)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f} %"


def in_a_yielding_group() -> None:
    """In the child, before mutmut starts: a session of its own whose scheduling group has this process's nice.

    Where the kernel groups processes by session (``/proc/sys/kernel/sched_autogroup_enabled`` = 1), nice only
    orders the processes of one group, so a ``nice -n 19`` run still takes a whole core from a benchmark in
    another terminal. The new session's group takes the nice asked for (``/proc/self/autogroup``; mutmut's
    workers inherit it), and the caller's own session is left as it was.
    """
    niceness = os.nice(0)
    if niceness > 0:
        with contextlib.suppress(OSError):  # no autogroups (another OS, or the feature off): plain nice it is
            Path("/proc/self/autogroup").write_text(str(niceness))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", choices=[[], *MODULES], metavar="module",
                        help=f"which core modules (default: all): {', '.join(MODULES)}")
    parser.add_argument("--copy", type=Path, default=Path(tempfile.gettempdir()) / "glassnet-mutation",
                        help="the folder mutmut runs in (a copy of this tree)")
    parser.add_argument("--fresh", action="store_true", help="forget mutmut's cached results in --copy")
    parser.add_argument("--report-only", action="store_true", help="do not run mutmut; score what --copy holds")
    parser.add_argument("--json", type=Path, help="write the scores and survivors here")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args(argv)
    modules = args.modules or list(MODULES)
    copy = args.copy.resolve()
    if copy == ROOT or ROOT in copy.parents:
        parser.error("--copy must be outside the working tree (mutmut rewrites the sources it runs on)")

    started = time.monotonic()
    if not args.report_only:
        if args.fresh and (copy / "mutants").exists():
            shutil.rmtree(copy / "mutants")
        copy.mkdir(parents=True, exist_ok=True)
        copy_tree(copy)
        patterns = [module_name(MODULES[m]) + ".*" for m in modules]
        command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children), *patterns]
        print("$", " ".join(command), f"  (in {copy})", flush=True)
        done = subprocess.run(command, cwd=copy, start_new_session=True, preexec_fn=in_a_yielding_group)
        if done.returncode != 0:
            print(f"mutmut run exited with {done.returncode}", file=sys.stderr)
            return done.returncode
    scores = collect(copy, modules, read_equivalents())
    print(report(scores))
    print(f"\n{time.monotonic() - started:.0f} s", flush=True)
    if args.json:
        args.json.write_text(json.dumps([s.as_dict() for s in scores], indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
