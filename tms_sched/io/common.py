"""Reading files safely: text, TOML with positions, and atomic writes."""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import tomli

from ..errors import InputError, OutputError, Problem
from .bounds import out_of_bounds
from .tomlpos import PositionIndex, index_toml


def read_text(path: str | os.PathLike[str]) -> str:
    """A file's text, or an InputError that says plainly why it cannot be read."""
    name = str(path)
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError([Problem(name, None, message="no such file; check the path")]) from None
    except IsADirectoryError:
        raise InputError([Problem(name, None, message="is a directory; give a file")]) from None
    except PermissionError:
        raise InputError([Problem(name, None, message="permission denied; the file cannot be read")]) from None
    except OSError as exc:
        raise InputError([Problem(name, None, message=f"cannot be read ({exc.strerror})")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            [Problem(name, line, message="is not UTF-8 text; save it as UTF-8")]
        ) from None
    return text.removeprefix("\ufeff")


class LazyPositionIndex(PositionIndex):
    """Key positions found only when a message first needs a line (large files read fast)."""

    def __init__(self, text: str) -> None:  # noqa: D107  (no scan yet)
        self._text = text
        self._positions: dict | None = None

    @property
    def positions(self) -> dict:  # type: ignore[override]
        if self._positions is None:
            self._positions = index_toml(self._text).positions
        return self._positions


def parse_toml(text: str, name: str) -> tuple[dict[str, Any], PositionIndex]:
    """A TOML document and the positions of its keys; TOML errors name line and column."""
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        col = getattr(exc, "colno", None)
        msg = getattr(exc, "msg", str(exc))
        lines = text.splitlines()
        source = lines[line - 1] if line and line <= len(lines) else ""
        raise InputError([Problem(name, line, col,
                                  message=f"TOML syntax error: {msg}{_toml_hint(msg, source)}")]) from None
    index = LazyPositionIndex(text)
    problems = out_of_bounds(data, name, index)
    if problems:
        raise InputError(problems)
    return data, index


_TOML_HINTS = (
    ("Illegal character '\\n'", "a string is not closed: add the closing quote"),
    ("Unterminated string", "a string is not closed: add the closing quote"),
    ("Invalid value", 'text needs quotes, e.g. name = "Harbor TMS"'),
    ("Cannot overwrite a value", "this key is already set above; give each key once"),
    ("Cannot declare", "this table is already declared above"),
    ("Expected newline or end of document", 'one key = value per line; quote text and times, e.g. mon = "08:00-17:00"'),
    ("Unclosed array", "a list is missing its closing ]"),
    ("Unclosed inline table", "a table is missing its closing }"),
)


# A date written the way a spreadsheet shows it: 03/01/2027, 1.3.2027.
_LOCAL_DATE = re.compile(r"=\s*\d{1,4}[/.]\d{1,2}[/.]\d{1,4}\s*(#.*)?$")


# A date in ISO form that the calendar may not have: 2026-14-12, 2027-02-30.
_ISO_DATE = re.compile(r"(?<![\d\"'])(\d{4})-(\d{2})-(\d{2})(?!\d)")


def impossible_date(source: str) -> str | None:
    """What is wrong with the first ISO-looking date on the line that no calendar has."""
    for m in _ISO_DATE.finditer(source.split("#", 1)[0]):
        year, month, day = (int(g) for g in m.groups())
        if not 1 <= month <= 12:
            return (f"{m.group(0)} is not a date: the month {m.group(2)} is out of range; "
                    "write YYYY-MM-DD, month 01 to 12")
        try:
            dt.date(year, month, day)
        except ValueError:
            last = calendar.monthrange(year, month)[1]
            return (f"{m.group(0)} is not a date: {calendar.month_name[month]} {year} has {last} days; "
                    "write YYYY-MM-DD")
    return None


def _toml_hint(msg: str, source: str = "") -> str:
    """tomli's message stays (it is exact); a plain sentence says what to do about it."""
    if _LOCAL_DATE.search(source):
        return " (write a date as YYYY-MM-DD, without quotes, e.g. start_after = 2027-03-01)"
    impossible = impossible_date(source)
    if impossible:
        return f" ({impossible})"
    hint = next((h for start, h in _TOML_HINTS if msg.startswith(start)), None)
    return f" ({hint})" if hint else ""


def refuse_to_replace(path: str | os.PathLike[str], ours: Callable[[str], bool], *, folder: str,
                      foreign: str, missing_folder: Callable[[Path], str] | None = None) -> None:
    """The one rule for every file tms-sched writes: it replaces only a file of its own
    kind (``ours``), never a folder or anything else. Raises OutputError with ``folder``
    when ``path`` is a folder, ``foreign`` when it holds something else, and (when given)
    ``missing_folder(the folder)`` when the folder it goes in is missing."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(folder)
    if missing_folder is not None:
        directory = target.parent if str(target.parent) else Path(".")
        if not directory.is_dir():
            raise OutputError(missing_folder(directory))
    if target.exists() and not ours(str(target)):
        raise OutputError(foreign)


def atomic_write(path: str | os.PathLike[str], text: str | Iterable[str]) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename: never half a file.

    ``text`` may be a string or pieces of one, written as they come (a large file need not
    be held whole in memory)."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"{target}: the folder {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            if isinstance(text, str):
                handle.write(text)
            else:
                handle.writelines(text)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
