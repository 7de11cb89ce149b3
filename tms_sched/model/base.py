"""Shared pieces of the model: strict base class, weekdays, time-of-day windows."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainSerializer, PlainValidator, WithJsonSchema

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class StrictModel(BaseModel):
    """Unknown keys are errors and nothing is silently coerced (a typo must not drop a rule)."""

    model_config = ConfigDict(extra="forbid", strict=True)


_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def minutes_to_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_window(text: str) -> tuple[int, int]:
    """``"07:30-12:00"`` -> ``(450, 720)`` minutes after midnight, wall-clock."""
    m = _WINDOW.match(text)
    if not m:
        raise ValueError(f"'{text}' is not a time window; write it as \"HH:MM-HH:MM\", e.g. \"07:30-12:00\"")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    for h, mi in ((h1, m1), (h2, m2)):
        if mi > 59 or h > 24 or (h == 24 and mi != 0):
            raise ValueError(f"'{text}' has a time that does not exist; hours run 00:00 to 24:00")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end <= start:
        raise ValueError(f"'{text}' ends before it starts; write the earlier time first")
    return (start, end)


def _validate_windows(value: Any) -> tuple[tuple[int, int], ...]:
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        items = list(value)
    else:
        raise ValueError(f'expected a time window "HH:MM-HH:MM" in quotes, or a list of them; got {value!r}')
    windows = sorted(parse_window(v) for v in items)
    for (s1, e1), (s2, e2) in zip(windows, windows[1:]):
        if s2 < e1:
            raise ValueError(
                f"windows {minutes_to_hhmm(s1)}-{minutes_to_hhmm(e1)} and "
                f"{minutes_to_hhmm(s2)}-{minutes_to_hhmm(e2)} overlap; merge them into one"
            )
    return tuple(windows)


def format_windows(windows: tuple[tuple[int, int], ...]) -> str | list[str]:
    texts = [f"{minutes_to_hhmm(s)}-{minutes_to_hhmm(e)}" for s, e in windows]
    return texts[0] if len(texts) == 1 else texts


_WINDOW_SCHEMA = {
    "pattern": r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$",
    "type": "string",
    "description": 'a wall-clock window "HH:MM-HH:MM"',
}

Windows = Annotated[
    tuple[tuple[int, int], ...],
    PlainValidator(_validate_windows),
    PlainSerializer(format_windows),
    WithJsonSchema({"anyOf": [_WINDOW_SCHEMA, {"type": "array", "items": _WINDOW_SCHEMA}]}),
]
"""One or several "HH:MM-HH:MM" windows, held as sorted (start, end) minutes."""


def _without_empty_days(hours: dict[str, tuple[tuple[int, int], ...]]) -> dict[str, tuple[tuple[int, int], ...]]:
    # `wed = []` says what leaving wed out says: no hours that day.
    return {day: windows for day, windows in hours.items() if windows}


WeekHours = Annotated[dict[Weekday, Windows], AfterValidator(_without_empty_days)]


def _lower_case(value: str) -> str:
    # Chairs and protocols meet on the exact word; "10Hz" would silently match nothing.
    if value != value.lower():
        raise ValueError(f"capabilities are lower case: write '{value.lower()}', not '{value}'")
    return value


Capability = Annotated[str, AfterValidator(_lower_case)]
"""What a chair delivers and a protocol needs (``10hz``, ``itbs``): lower case."""


_ROLE = re.compile(r"^[a-z][a-z0-9_-]*$")


def _role_word(value: str) -> str:
    # Roles are the clinic's own words; protocols name them, so they must match exactly.
    if not _ROLE.match(value):
        hint = f"write '{value.strip().lower()}'" if _ROLE.match(value.strip().lower()) else "write one word"
        raise ValueError(f"a role is one lower-case word such as technician, physician or nurse; {hint}, "
                         f"not '{value}'")
    return value


StaffRole = Annotated[
    str,
    AfterValidator(_role_word),
    WithJsonSchema({"type": "string", "pattern": _ROLE.pattern,
                    "description": "a staff role in the clinic's own words, lower case: technician, nurse, ..."}),
]
"""A staff role in the clinic's own words (``technician``, ``physician``, ``nurse``): lower case."""
