"""results.csv as an append-only file that heals, and side files written atomically.

A row is one physical line (no newline inside a field), written whole: one ``os.write`` of the
complete line on an ``O_APPEND`` descriptor, then ``os.fsync``. A line cut short (a kill, a full
disk) is at the end of the file; before anything is appended, ``heal`` sets it aside: it is
appended to ``results.csv.torn`` with its line number, reported in one line, and the file is
truncated to its last complete line, so the next row never merges with it. On read every row is
checked (all columns, numbers that parse, no extra field); a bad row is reported by line number
and skipped, never parsed as numbers.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .. import atomic
from ..errors import HyperparameterError, PathError

INTEGER_COLUMNS = ("trial", "seed")
TEXT_COLUMNS = ("id", "status", "worker", "error")
STATUSES = ("ok", "error")


@dataclass
class BadRow:
    """A row of results.csv that cannot be read: its line number, text and why."""

    line: int
    text: str
    reason: str

    def describe(self, path: Path) -> str:
        return f"{path} line {self.line}: {self.reason}; skipped (its trial runs again)"


def say(message: str) -> None:
    """One line on stderr (what a sweep repaired or skipped)."""
    print(f"glassnet: {message}", file=sys.stderr, flush=True)


def os_failure(path: Path, exc: OSError, doing: str = "write") -> PathError:
    """An OSError while writing ``path`` as one line naming the file, the reason and the fix."""
    return PathError(f"cannot {doing} {path} ({exc.strerror or exc}): free space or choose a folder you can write "
                     "to, then rerun the same command (finished trials are kept)")


def write_text_atomic(path: Path, text: str) -> None:
    """``text`` written whole (``glassnet.atomic``); an OS error is one line naming the file and the fix."""
    try:
        atomic.write_text_atomic(path, text)
    except OSError as exc:
        raise os_failure(Path(path), exc) from exc


def one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


def format_line(columns: list, row: dict) -> str:
    """The CSV line of ``row`` (text values), ending in CRLF, with no newline inside a field."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(["" if row.get(c) is None else one_line(str(row.get(c)))
                                                          for c in columns])
    return buffer.getvalue()


def append_whole(path: Path, text: str) -> None:
    """Append ``text`` (whole lines) with one write on an O_APPEND descriptor, then fsync."""
    data = text.encode("utf-8")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
        try:
            written = os.write(fd, data)
            while written < len(data):  # a short write (rare): the rest follows, the line ends in one piece
                written += os.write(fd, data[written:])
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise os_failure(path, exc, "append to") from exc


def check_line(fields: list, columns: list, numbers: set) -> str:
    """Why a row's fields are not a row of ``columns`` ("" when they are)."""
    if len(fields) != len(columns):
        return f"{len(fields)} fields, expected {len(columns)}"
    row = dict(zip(columns, fields, strict=True))
    if row.get("status") not in STATUSES:
        return f"status {row.get('status')!r}, expected ok or error"
    if not row.get("id"):
        return "no trial id"
    for column in columns:
        text = row[column]
        if column in INTEGER_COLUMNS and not text.lstrip("-").isdigit():
            return f"{column} {text!r} is not an integer"
        if column in numbers and text:
            try:
                float(text)
            except ValueError:
                return f"{column} {text!r} is not a number"
    return ""


def number_columns(columns: list, keys: list) -> set:
    """The columns of results.csv that hold numbers (not the swept settings, whose text is a value)."""
    return {c for c in columns if c not in keys and c not in TEXT_COLUMNS}


def heal(path: Path, columns: list, keys: list) -> BadRow | None:
    """Set aside a torn last line of ``path`` (no newline at its end, or a row that does not read):
    appended to ``path.torn`` with its line number, reported, and cut from ``path``."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise os_failure(path, exc, "read") from exc
    cut = len(data)
    if data and not data.endswith(b"\n"):
        cut = data.rfind(b"\n") + 1
    elif data.count(b"\n") > 1:  # the last complete row (not the header) must read
        start = data.rfind(b"\n", 0, len(data) - 1) + 1
        if check_line(parse_line(data[start:]), columns, number_columns(columns, keys)):
            cut = start
    if cut == len(data):
        return None
    line = data.count(b"\n", 0, cut) + 1
    text = data[cut:].decode("utf-8", errors="replace").rstrip("\r\n")
    bad = BadRow(line, text, "a torn last row")
    append_whole(path.with_name(path.name + ".torn"), f"line {line}: {one_line(text)}\n")
    try:
        with open(path, "r+b") as handle:
            handle.truncate(cut)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise os_failure(path, exc) from exc
    say(f"{path} line {line}: a torn last row was set aside in {path.name}.torn; its trial runs again")
    return bad


def parse_line(data: bytes) -> list:
    text = data.decode("utf-8", errors="replace").rstrip("\r\n")
    rows = list(csv.reader([text]))
    return rows[0] if rows else []


def read_rows(path: Path, columns: list, keys: list = ()) -> tuple[list[dict], list[BadRow]]:
    """The rows of results.csv that read (all columns, numbers that parse) and the bad ones, by line.

    The header must be ``columns``: a file of other columns belongs to another sweep."""
    try:
        with open(path, "rb") as handle:
            lines = handle.read().split(b"\n")
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        raise os_failure(path, exc, "read") from exc
    header = parse_line(lines[0]) if lines and lines[0].strip() else []
    if header and header != columns:
        raise HyperparameterError(
            f"{path} has the columns {', '.join(header)}, this sweep writes {', '.join(columns)}: "
            "it is another sweep; choose another out folder")
    numbers, rows, bad = number_columns(columns, keys), [], []
    for number, data in enumerate(lines[1:], start=2):
        if not data.strip():
            continue
        fields = parse_line(data)
        reason = "a torn last row (no line end)" if number == len(lines) else check_line(fields, columns, numbers)
        if reason:
            bad.append(BadRow(number, data.decode("utf-8", errors="replace").rstrip("\r"), reason))
            continue
        rows.append(dict(zip(columns, fields, strict=True)))
    return rows, bad


def set_aside(path: Path, bad: list[BadRow]) -> None:
    """Keep the bad rows of ``path`` in ``path.torn`` (before a rewrite leaves them out)."""
    if bad:
        append_whole(path.with_name(path.name + ".torn"),
                     "".join(f"line {b.line}: {one_line(b.text)}\n" for b in bad))


__all__ = ["BadRow", "append_whole", "check_line", "format_line", "heal", "number_columns", "os_failure",
           "read_rows", "say", "set_aside", "write_text_atomic"]
