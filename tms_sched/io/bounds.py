"""Limits on every number and date a file may hold, checked as it is read.

Types alone let through values that no clinic means and that break later arithmetic:
an appointment of a trillion minutes, a downtime to the year 9999, a revision beyond
the 32-bit SEQUENCE that calendar programs read. Each is refused here, at its line,
before any model or calendar sees it. The limits are generous: a value inside them is
judged by the rules of the model; a value outside them is a typo.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from ..errors import Problem
from .tomlpos import Path, PositionIndex, format_path

MIN_YEAR = 1900
MAX_YEAR = 2199
"""Dates and times lie in these years: room for any history and any plan, and far from
the ends of the calendar (years 1 and 9999), where date arithmetic overflows."""

DAY_MINUTES = 24 * 60
MAX_SEQUENCE = 2**31 - 1  # RFC 5545: SEQUENCE is an INTEGER, a signed 32-bit value

_MINUTES = (0, DAY_MINUTES, "minutes: at most a day")
_DAYS = (-3660, 3660, "days: at most ten years either way")
_COUNT = (0, 1000, "at most 1000")

LIMITS: dict[str, tuple[int, int, str]] = {
    "minutes": _MINUTES,
    "session_minutes": _MINUTES,
    "first_session_minutes": _MINUTES,
    "monitor_minutes": _MINUTES,
    "min_gap_minutes": _MINUTES,
    "max_span_days": _DAYS,
    "max_gap_days": _DAYS,
    "remap_after_days": _DAYS,
    "remap_every_days": _DAYS,
    "min_days_apart": _DAYS,
    "every_days": _DAYS,
    "window_days": _DAYS,
    "prefer_day": _DAYS,
    "sessions": _COUNT,
    "session": _COUNT,
    "per_day": _COUNT,
    "per_week": _COUNT,
    "days_per_week": _COUNT,
    "every_sessions": _COUNT,
    "authorized_sessions": _COUNT,
    "patients_per_staff": _COUNT,
    "monitor_patients_per_staff": _COUNT,
    "revision": (0, MAX_SEQUENCE, "the largest revision calendar programs can read"),
}
DEFAULT_LIMIT = (-100_000, 100_000, "no setting needs more")


def _year_problem(value: dt.date) -> str | None:
    if MIN_YEAR <= value.year <= MAX_YEAR:
        return None
    return (f"{value.isoformat()} lies outside the years {MIN_YEAR} to {MAX_YEAR} that tms-sched plans in; "
            "check the year")


def out_of_bounds(data: Any, file: str, index: PositionIndex | None = None, *, prefix: Path = (),
                  line: int | None = None) -> list[Problem]:
    """A Problem for every number or date in ``data`` beyond its limits, at its line.

    ``index`` gives lines by key path (TOML); without it every problem takes ``line``
    (a CSV row, or none for JSON).
    """
    problems: list[Problem] = []

    def report(path: Path, message: str) -> None:
        where = index.find(path) if index is not None else None
        problems.append(Problem(file, where[0] if where else line, None, format_path(path), message))

    def visit(value: Any, path: Path, key: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                visit(v, (*path, k), str(k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                visit(v, (*path, i), key)
        elif isinstance(value, bool):
            return
        elif isinstance(value, int):
            lo, hi, why = LIMITS.get(key, DEFAULT_LIMIT)
            if not lo <= value <= hi:
                report(path, f"{value} is out of range: {key} lies between {lo} and {hi} ({why})")
        elif isinstance(value, float):
            lo, hi, why = LIMITS.get(key, DEFAULT_LIMIT)
            if not math.isfinite(value) or not lo <= value <= hi:
                report(path, f"{value} is out of range: {key} lies between {lo} and {hi} ({why})")
        elif isinstance(value, (dt.date, dt.datetime)):
            message = _year_problem(value)
            if message:
                report(path, message)

    visit(data, prefix, "")
    return problems
