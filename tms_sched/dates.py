"""Dates as people type them on the command line."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

_WEEKDAYS = {"mon": MO, "tue": TU, "wed": WE, "thu": TH, "fri": FR, "sat": SA, "sun": SU}


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
