"""``python -m bench.spy [--case NAME]``: a sampling profile of glassnet's training, by source line.

Runs the glassnet worker of a case under ``py-spy record --nonblocking`` (``pip install py-spy``)
and splits the main thread's samples inside ``fit`` by what its innermost glassnet line does:

* matmul (BLAS): the line calls ``matmul`` or ``@`` (read from the source file);
* otherwise by file: the optimizer (optimizers.py), activations, the loss, the layers' other
  NumPy work (bias add, dW/db scaling, sums), the mini-batch gather (``take`` in training.py)
  and the rest of the fit loop (metrics, Python).

Unlike cProfile there is no per-call overhead and a NumPy call's time is charged to the line that
makes it. ``--nonblocking`` never stops the process: py-spy's default (pausing it at every sample,
which ``--native`` needs) stalls OpenBLAS's threads and inflates the matrix products several
times. py-spy samples Python threads only; the main thread's time is the epoch's wall time.
"""

from __future__ import annotations

import argparse
import collections
import linecache
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .common import CASES, ROOT
from .run import worker_env

GLASSNET_FRAME = re.compile(r"^(?P<function>[^ ]+) \((?:.*/)?glassnet/(?P<file>[\w/]+\.py):(?P<line>\d+)\)$")


def source_line(file: str, line: int) -> str:
    return linecache.getline(str(ROOT / "src" / "glassnet" / file), line).strip()


def category(frames: list[str]) -> tuple[str, str]:
    """(category, innermost glassnet frame) of one sampled stack."""
    inner = ""
    for frame in frames:
        if GLASSNET_FRAME.match(frame):
            inner = frame
    match = GLASSNET_FRAME.match(inner)
    if match is None:
        return "other", inner
    file, function = match["file"], match["function"]
    code = source_line(file, int(match["line"]))
    if "matmul" in code or re.search(r"[\w)\]] @ ", code):
        return "matmul (BLAS)", inner
    if file == "optimizers.py":
        return "optimizer (Adam)", inner
    if file == "activations.py":
        return "activations (g, g')", inner
    if file == "losses.py":
        return "loss (cost, dZ[L])", inner
    if file == "layers.py":
        return "layers: bias, dW/db scaling, sums", inner
    if file == "training.py" and any("take" in f for f in frames):
        return "mini-batch gather (take)", inner
    if file == "training.py" or function in ("batch_metric_sum", "decide", "labels_of"):
        return "fit loop: metrics, Y gather, Python", inner
    return f"other glassnet ({file})", inner


def analyse(raw: Path, top: int = 15) -> str:
    by_category: collections.Counter = collections.Counter()
    by_line: collections.Counter = collections.Counter()
    for text in raw.read_text().splitlines():
        stack, _, count = text.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        if not any(re.search(r"glassnet/training\.py", f) for f in frames):
            continue  # data generation, imports: not training
        kind, inner = category(frames)
        by_category[kind] += int(count)
        by_line[(kind, inner)] += int(count)
    total = sum(by_category.values())
    if not total:
        return "no samples inside glassnet's fit (is py-spy allowed to attach? try as root or with SYS_PTRACE)"
    lines = [f"{total:,} samples of the main thread inside fit", "", "by kind of work:"]
    lines += [f"  {n / total:6.1%}  {kind}" for kind, n in by_category.most_common()]
    lines += ["", f"top {top} glassnet lines:"]
    for (_kind, inner), n in by_line.most_common(top):
        match = GLASSNET_FRAME.match(inner)
        code = source_line(match["file"], int(match["line"])) if match else ""
        lines.append(f"  {n / total:6.1%}  {inner:<48} {code[:70]}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.spy", description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="mlp512-b128", choices=[c for c, v in CASES.items() if v.kind == "train"])
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs after one warm-up (default 2)")
    parser.add_argument("--m", type=int, default=60_000)
    parser.add_argument("--rate", type=int, default=250, help="samples per second (default 250)")
    parser.add_argument("--framework", default="glassnet", choices=["glassnet", "glassnet-1t"])
    parser.add_argument("--raw", help="also keep py-spy's raw (collapsed stacks) output at this path")
    args = parser.parse_args(argv)
    spy = shutil.which("py-spy")
    if spy is None:
        print("py-spy is not installed: pip install py-spy", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="glassnet-spy-") as tmp:
        raw = Path(args.raw) if args.raw else Path(tmp) / "stacks.txt"
        command = [spy, "record", "--nonblocking", "--rate", str(args.rate), "--format", "raw", "--output", str(raw),
                   "--", sys.executable, "-m", "bench.worker", args.framework, "--case", args.case,
                   "--m", str(args.m), "--epochs", str(args.epochs), "--warmup", "1",
                   "--out", str(Path(tmp) / "result.json")]
        proc = subprocess.run(command, cwd=ROOT, env=worker_env(), capture_output=True, text=True)
        if proc.returncode != 0 or not raw.exists():
            print(f"py-spy failed ({proc.returncode}): {proc.stderr.strip()[-600:]}", file=sys.stderr)
            return 1
        import json

        result = json.loads((Path(tmp) / "result.json").read_text())
        print(f"{CASES[args.case].description}, {args.framework}: epochs "
              f"{' '.join(f'{s:.2f}' for s in result['warmup_seconds'] + result['epoch_seconds'])} s "
              f"(first is the warm-up; all are sampled)")
        print(analyse(raw))
    return 0


if __name__ == "__main__":
    sys.exit(main())
