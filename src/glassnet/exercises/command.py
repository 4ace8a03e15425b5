"""``glassnet exercise``: check the course functions of a solution file, write the exercise notebooks.

    glassnet exercise check my_solution.py [--lang zh]     # a table; exit 0 only when every function passes
    glassnet exercise new DIR [--lang zh] [--data-path DIR] [--force]

``check`` runs the file (as Python runs a module), finds every function it defines under a course name
(``glassnet.exercises.names()``), checks each and prints a table, then each failing function's report.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from ..errors import PathError, SolutionFileError
from .check import check
from .index import names

WORDS = {"en": ("function", "result", "diagnosis", "{passed} of {total} functions pass", "passed", "FAILED"),
         "zh": ("函数", "结果", "诊断", "{total} 个函数中 {passed} 个通过", "通过", "未通过")}


def add_exercise_parser(sub) -> None:
    """glassnet exercise check FILE | new DIR."""
    exercise = sub.add_parser("exercise", help="check your own course functions (check FILE) or write the "
                                               "exercise notebooks (new DIR)")
    actions = exercise.add_subparsers(dest="exercise_command", metavar="ACTION")
    checking = actions.add_parser("check", help="check every course-named function of a .py file; exit 0 only "
                                                "when all pass")
    checking.add_argument("file", help="a .py file defining course functions (linear_forward, L_model_backward, ...)")
    checking.add_argument("--lang", choices=["en", "zh"], default="en", help="the reports' language (default en)")
    checking.set_defaults(handler=cmd_check)
    new = actions.add_parser("new", help="write one exercise notebook per topic of the notes into DIR")
    new.add_argument("dir", help="the folder to write the notebooks into (made if missing)")
    new.add_argument("--lang", choices=["en", "zh"], default="en", help="the notebooks' language (default en)")
    new.add_argument("--data-path", default=None, help="folder with catvnoncat/ and regularization-2d/ for the "
                                                       "training cells (default: $GLASSNET_DATA or the cache)")
    new.add_argument("--force", action="store_true", help="overwrite notebooks already in DIR")
    new.set_defaults(handler=cmd_new)


def load_solution(path) -> object:
    """The module of a solution file, run once; its folder on sys.path while it runs (for its own imports)."""
    path = Path(path)
    if not path.is_file() or path.suffix != ".py":
        raise PathError(f"no Python file at {path}; pass the .py file that defines your course functions")
    spec = importlib.util.spec_from_file_location(f"glassnet_solution_{abs(hash(str(path.resolve())))}", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.resolve().parent))
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the learner's file: any error is reported as one line
        raise SolutionFileError(f"{path} does not run: {type(exc).__name__}: {exc}; fix it so that "
                                f"`python {path}` runs") from exc
    finally:
        sys.path.remove(str(path.resolve().parent))
    return module


def functions_of(module) -> list[tuple[str, object]]:
    """The course-named functions the module defines itself (not those it imports)."""
    return [(name, getattr(module, name)) for name in names()
            if callable(getattr(module, name, None)) and getattr(getattr(module, name), "__module__", None)
            == module.__name__]


def table(reports, lang: str = "en") -> str:
    head = WORDS[lang]
    width = max(len(r.name) for r in reports) + 2
    lines = [f"{head[0]:<{width}}{head[1]:<8}{head[2]}"]
    for r in reports:
        what = "" if r.passed or not r.findings else r.findings[0].text(lang)[0]
        if not r.passed and not what:
            what = r.differs_line(r.failed_cases[0])
        lines.append(f"{r.name:<{width}}{head[4] if r.passed else head[5]:<8}{what[:100]}")
    passed = sum(r.passed for r in reports)
    lines.append(head[3].format(passed=passed, total=len(reports)))
    return "\n".join(lines)


def cmd_check(args) -> int:
    module = load_solution(args.file)
    found = functions_of(module)
    if not found:
        raise SolutionFileError(f"{args.file} defines none of the course's functions; name them as the course "
                                f"does: {', '.join(names())}")
    reports = [check(fn, name, args.lang) for name, fn in found]
    print(table(reports, args.lang))
    for report in reports:
        if not report.passed or report.notes:
            print()
            print(report)
    return 0 if all(r.passed for r in reports) else 1


def cmd_new(args) -> int:
    from .notebooks import write

    try:
        paths = write(args.dir, lang=args.lang, data_path=args.data_path, force=args.force)
    except ImportError as exc:
        raise SolutionFileError(f"writing notebooks needs nbformat ({exc}); install it with: pip install nbformat") \
            from exc
    for path in paths:
        print(path)
    print(f"wrote {len(paths)} notebooks; open them with: jupyter lab {args.dir}")
    return 0


__all__ = ["add_exercise_parser", "cmd_check", "cmd_new", "functions_of", "load_solution", "table"]
