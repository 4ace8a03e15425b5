"""The command table and the way out: ``build_parser``, ``main``, exit statuses, one-line errors.

A command's handler is named in its parser (``set_defaults(handler="cmd_train")``) and looked up in
the ``glassnet.cli`` package when it runs, so the package is the one table of commands.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import GlassnetError
from .model import add_export_parser, add_model_parsers
from .outfolder import reason
from .parser import Parser
from .signals import Terminated
from .sweep import add_sweep_parser
from .tools import add_tool_parsers
from .train import add_train_parser


def build_parser() -> Parser:
    """The ``glassnet`` parser with every subcommand."""
    from ..exercises.command import add_exercise_parser
    from ..version import __version__

    parser = Parser(prog="glassnet", description="Deep learning on NumPy that you can see through.")
    parser.add_argument("--version", action="version", version=f"glassnet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_train_parser(sub)
    add_model_parsers(sub)
    add_tool_parsers(sub)
    add_export_parser(sub)
    add_sweep_parser(sub)
    add_exercise_parser(sub)
    return parser


def typed_flags(argv: list[str]) -> set[str]:
    """The destinations of the flags typed in ``argv`` (not filled in by argparse's defaults)."""
    parser = build_parser()
    parsers = [parser, *parser._subparsers._group_actions[0].choices.values()]
    for each in parsers:
        for action in each._actions:
            action.default = argparse.SUPPRESS
    return set(vars(parser.parse_args(argv))) - {"command", "handler"}


def parse_args(argv: list[str], parser: Parser | None = None) -> argparse.Namespace:
    """The command line parsed; with ``--spec``, ``typed`` records which flags were typed (they override the spec)."""
    args = (parser or build_parser()).parse_args(argv)
    if getattr(args, "spec", None) is not None:
        args.typed = typed_flags(argv)
    return args


def split_debug(argv: list[str]) -> tuple[list[str], bool]:
    """Take the global ``--debug`` out of argv wherever it stands (before ``--``)."""
    end = argv.index("--") if "--" in argv else len(argv)
    debug = "--debug" in argv[:end]
    return [a for i, a in enumerate(argv) if i >= end or a != "--debug"], debug


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def handler_of(args):
    """The function of the command: a name is looked up in the ``glassnet.cli`` package."""
    handler = getattr(args, "handler", None)
    if isinstance(handler, str):
        return getattr(importlib.import_module(__package__), handler)
    return handler


def main(argv=None) -> int:
    """The ``glassnet`` command. Exit status: 0 done, 1 an internal error (or a failed check), 2 a user
    error (one line ``glassnet: error: ...``; an OS error writing or reading a file too: a full disk, a
    read-only folder), 3 a training that diverged, 4 an inconclusive gradient check, 130 interrupted
    (Ctrl-C), 143 terminated (SIGTERM, where the command handles it: train). ``--debug`` shows the traceback."""
    argv, debug = split_debug(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    parser.add_argument("--debug", action="store_true", help="show the Python traceback of an error")
    try:
        args = parse_args(argv, parser)
    except SystemExit as exc:  # --help, --version, or a command-line mistake already printed
        return exc.code if isinstance(exc.code, int) else 2
    handler = handler_of(args)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM as a Terminated (its exit status 143)
        if not getattr(exc, "said", False):
            print(f"glassnet: {exc}" if isinstance(exc, Terminated) else "glassnet: interrupted", file=sys.stderr)
        return getattr(exc, "exit_status", 130)
    except BrokenPipeError:  # `glassnet predict ... | head`: the reader left, nothing to report
        return 0
    except Exception as exc:
        return report_error(exc, debug)


def report_error(exc: Exception, debug: bool) -> int:
    """A user error (GlassnetError) is one line and status 2, and so is an OS error of a named file (no space,
    read-only, no permission: the file and errno's text); anything else an internal error, status 1."""
    if debug:
        import traceback

        traceback.print_exc()
    if isinstance(exc, GlassnetError):
        print(f"glassnet: error: {one_line(exc)}", file=sys.stderr)
        return 2
    if isinstance(exc, OSError) and exc.filename is not None:
        print(f"glassnet: error: {exc.filename}: {one_line(reason(exc))}", file=sys.stderr)
        return 2
    print(f"glassnet: internal error: {type(exc).__name__}: {one_line(exc)}"
          f"{'' if debug else ' (rerun with --debug for the traceback)'}", file=sys.stderr)
    return 1


__all__ = ["build_parser", "handler_of", "main", "one_line", "parse_args", "report_error", "split_debug",
           "typed_flags"]
