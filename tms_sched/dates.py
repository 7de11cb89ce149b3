"""Dates and times of day as people type them on the command line."""

from __future__ import annotations

import datetime as dt
import re

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

_WEEKDAYS = {"mon": MO, "tue": TU, "wed": WE, "thu": TH, "fri": FR, "sat": SA, "sun": SU}


_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_time(text: str) -> dt.time | None:
    """A time of day written HH:MM (or H:MM), else None."""
    m = _TIME.match(text.strip())
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def parse_date(text: str, today: dt.date) -> dt.date:
    """An ISO date, ``today``, ``tomorrow``, ``yesterday`` or a weekday name (the next one,
    today included). Raises ValueError with a sentence that says what is accepted."""
    word = text.strip().lower()
    if word == "today":
        return today
    if word == "tomorrow":
        return today + dt.timedelta(days=1)
    if word == "yesterday":
        return today - dt.timedelta(days=1)
    for prefix, weekday in _WEEKDAYS.items():
        full = {"mon": "monday", "tue": "tuesday", "wed": "wednesday", "thu": "thursday",
                "fri": "friday", "sat": "saturday", "sun": "sunday"}[prefix]
        if word in (prefix, full):
            return today + relativedelta(weekday=weekday)
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"'{text}' is not a date; use YYYY-MM-DD, today, tomorrow or a weekday name such as monday"
        ) from None
