"""Variants of a clinic a capacity run compares: each adds one unit of capacity."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..calendar import DAY, ClinicCalendar, _base_name
from ..model.base import WEEKDAYS
from ..model.clinic import Chair, Clinic, StaffMember

EXTRA_MINUTES = 60


@dataclass
class Variant:
    """A clinic to simulate: ``added`` says what it has beyond today's (``{}`` for today's)."""

    name: str
    added: dict[str, Any]
    clinic: Clinic
    units: int = 0
    resource: str | None = None  # "chair:CAP", "staff:ROLE" or "hours": the unit it adds
    notes: list[str] = field(default_factory=list)


def capability_sets(clinic: Clinic) -> list[tuple[str, ...]]:
    """The distinct sets of capabilities the clinic's chairs have, in a stable order."""
    return sorted({tuple(sorted(c.capabilities)) for c in clinic.chairs})


def roles(clinic: Clinic) -> list[str]:
    return sorted({s.role for s in clinic.staff})


def _weekly_minutes(member: StaffMember) -> int:
    return sum(e - s for windows in member.hours.values() for s, e in windows)


def _free_id(taken: set[str], base: str) -> str:
    n = 1
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def with_chair(clinic: Clinic, caps: tuple[str, ...]) -> Clinic:
    """One more chair with these capabilities, in service the whole time the clinic opens."""
    chair = Chair(id=_free_id({c.id for c in clinic.chairs}, "extra-chair"), name="added chair",
                  capabilities=list(caps))
    return dataclasses.replace(clinic, chairs=[*clinic.chairs, chair])


def with_staff(clinic: Clinic, role: str) -> Clinic:
    """One more member of ``role``, on the shifts of the role's member who works the most hours
    (ties: the first by id), with no days away."""
    model = sorted((s for s in clinic.staff if s.role == role), key=lambda s: (-_weekly_minutes(s), s.id))[0]
    member = model.model_copy(update={"id": _free_id({s.id for s in clinic.staff}, f"extra-{role}"),
                                      "name": f"added {role}", "away": []})
    return dataclasses.replace(clinic, staff=[*clinic.staff, member])


def with_longer_days(clinic: Clinic, minutes: int = EXTRA_MINUTES) -> Clinic:
    """Open ``minutes`` longer each open day: later at the end of the day (earlier in the
    morning for what would pass midnight). Staff whose shift ends at closing time stay on
    for the extra time, so the added hour is staffed as the last hour is today."""
    hours: dict[str, Any] = {}
    moved: dict[str, tuple[int, int, int, int]] = {}  # weekday -> old open, old close, new open, new close
    for day, windows in clinic.info.hours.items():
        if not windows:
            hours[day] = windows
            continue
        first, last = windows[0], windows[-1]
        later = min(minutes, DAY - last[1])
        earlier = min(minutes - later, first[0])
        new = list(windows)
        new[-1] = (new[-1][0], last[1] + later)
        new[0] = (new[0][0] - earlier, new[0][1])
        hours[day] = tuple(new)
        moved[day] = (first[0], last[1], first[0] - earlier, last[1] + later)
    staff = []
    for member in clinic.staff:
        shifts: dict[str, Any] = {}
        for day, windows in member.hours.items():
            if day not in moved or not windows:
                shifts[day] = windows
                continue
            old_open, old_close, new_open, new_close = moved[day]
            stretched = [(new_open if s == old_open else s, new_close if e == old_close else e) for s, e in windows]
            shifts[day] = tuple(stretched)
        staff.append(member.model_copy(update={"hours": shifts}))
    info = clinic.info.model_copy(update={"hours": hours})
    return dataclasses.replace(clinic, info=info, staff=staff)


def closing_holidays(clinic: Clinic, first: dt.date, last: dt.date) -> list[str]:
    """Names of the public holidays that close the clinic between ``first`` and ``last``."""
    calendar = ClinicCalendar(clinic)
    names: set[str] = set()
    day = first
    while day <= last:
        if clinic.info.hours.get(WEEKDAYS[day.weekday()]):
            name = calendar.holiday(day)
            if name:
                names.update(_base_name(name))
        day += dt.timedelta(days=1)
    return sorted(n for n in names if n)


def with_holidays_open(clinic: Clinic, names: list[str]) -> Clinic:
    rule = clinic.info.holidays
    assert rule is not None
    keep = [*rule.keep_open, *(n for n in names if n not in rule.keep_open)]
    info = clinic.info.model_copy(update={"holidays": rule.model_copy(update={"keep_open": keep})})
    return dataclasses.replace(clinic, info=info)


def clinic_variants(clinic: Clinic, first: dt.date, last: dt.date,
                    needed: Iterable[str] | None = None) -> list[Variant]:
    """Today's clinic, then one more chair of each capability set in use (a set holding a
    capability in ``needed``, when given), one more staff member of each role, an hour more
    a day, and open on the holidays that close it between ``first`` and ``last``."""
    out = [Variant("today", {}, clinic)]
    wanted = None if needed is None else set(needed)
    for caps in capability_sets(clinic):
        if wanted is not None and not wanted.intersection(caps):
            continue
        out.append(Variant(f"+1 chair ({', '.join(caps)})", {"chair": list(caps)}, with_chair(clinic, caps),
                           units=1, resource=f"chair:{'+'.join(caps)}"))
    for role in roles(clinic):
        out.append(Variant(f"+1 {role}", {"staff": role}, with_staff(clinic, role), units=1,
                           resource=f"staff:{role}"))
    out.append(Variant("+1 hour a day", {"hours": 1}, with_longer_days(clinic), units=1, resource="hours"))
    names = closing_holidays(clinic, first, last)
    if names:
        out.append(Variant("open on holidays", {"open_holidays": names}, with_holidays_open(clinic, names),
                           units=1))
    return out
