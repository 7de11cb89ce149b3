"""How much of the clinic's open time the booked appointments use: chairs and staff."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from ..calendar import ClinicCalendar, intersect
from ..model.clinic import Clinic
from ..model.schedule import LIVE, Appointment


def _occupied_minutes(appt: Appointment) -> int:
    # A session's observation time after it (revision 2's monitor_minutes) keeps the chair.
    return appt.minutes + (getattr(appt, "monitor_minutes", None) or 0)


def _local(appt: Appointment, clinic: Clinic) -> tuple[dt.date, int, int]:
    local = appt.start.astimezone(clinic.zone)
    start = local.hour * 60 + local.minute
    return local.date(), start, start + _occupied_minutes(appt)


def chair_use(clinic: Clinic, calendar: ClinicCalendar, appointments: Iterable[Appointment],
              first: dt.date, end: dt.date) -> dict[str, float]:
    """Per capability: the share of open chair time (chairs with it) that sessions fill,
    over the days ``first`` up to, not including, ``end``."""
    open_minutes: dict[str, int] = {}
    busy: dict[str, int] = {}
    chairs = {c.id: c for c in clinic.chairs}
    for chair in clinic.chairs:
        total = 0
        day = first
        while day < end:
            total += sum(e - s for s, e in calendar.chair_windows(chair.id, day))
            day += dt.timedelta(days=1)
        for cap in chair.capabilities:
            open_minutes[cap] = open_minutes.get(cap, 0) + total
    for appt in appointments:
        if appt.status not in LIVE or appt.chair not in chairs:
            continue
        day, s, e = _local(appt, clinic)
        if not first <= day < end:
            continue
        inside = sum(max(0, min(e, we) - max(s, ws)) for ws, we in calendar.chair_windows(appt.chair, day))
        for cap in chairs[appt.chair].capabilities:
            busy[cap] = busy.get(cap, 0) + inside
    return {cap: (busy.get(cap, 0) / total if total else 0.0) for cap, total in sorted(open_minutes.items())}


def staff_use(clinic: Clinic, calendar: ClinicCalendar, appointments: Sequence[Appointment],
              first: dt.date, end: dt.date, slot: int | None = None) -> dict[str, float]:
    """Per role: the share of its on-shift time (while the clinic is open) spent with patients.

    A named appointment (a mapping, an assessment) occupies its named person. Every other
    appointment needs someone on shift (the head-count rule) without naming who: its time
    is shared evenly among the staff on shift and not already busy at that moment.
    """
    if not clinic.staff:
        return {}
    slot = slot or clinic.info.slot_minutes
    role_of = {s.id: s.role for s in clinic.staff}
    roles = sorted(set(role_of.values()))
    by_day: dict[dt.date, list[tuple[int, int, str | None]]] = {}
    for appt in appointments:
        if appt.status not in LIVE:
            continue
        day, s, e = _local(appt, clinic)
        if first <= day < end:
            by_day.setdefault(day, []).append((s // slot, -(-e // slot), appt.staff if appt.staff in role_of else None))
    shift_slots = {r: 0.0 for r in roles}
    busy_slots = {r: 0.0 for r in roles}
    day = first
    while day < end:
        opened = calendar.open_windows(day)
        if opened:
            _one_day(clinic, calendar, day, opened, by_day.get(day, []), slot, role_of, shift_slots, busy_slots)
        day += dt.timedelta(days=1)
    return {r: (busy_slots[r] / shift_slots[r] if shift_slots[r] else 0.0) for r in roles}


def _one_day(clinic, calendar, day, opened, booked, slot, role_of, shift_slots, busy_slots) -> None:
    n = 24 * 60 // slot
    on_shift: dict[str, list[int]] = {}
    for member in clinic.staff:
        counts = on_shift.setdefault(member.role, [0] * n)
        for s, e in intersect(calendar.staff_windows(member.id, day), opened):
            for k in range(-(-s // slot), e // slot):
                counts[k] += 1
    named: dict[str, list[int]] = {r: [0] * n for r in on_shift}
    unnamed = [0] * n
    for a, b, who in booked:
        if who is None:
            for k in range(max(a, 0), min(b, n)):
                unnamed[k] += 1
        else:
            row = named[role_of[who]]
            for k in range(max(a, 0), min(b, n)):
                row[k] += 1
    open_slots = [k for s, e in opened for k in range(-(-s // slot), e // slot)]
    for k in open_slots:
        free = {r: max(0, counts[k] - named[r][k]) for r, counts in on_shift.items()}
        total_free = sum(free.values())
        share = min(unnamed[k], total_free) / total_free if total_free else 0.0
        for r, counts in on_shift.items():
            if counts[k]:
                shift_slots[r] += counts[k]
                busy_slots[r] += min(named[r][k], counts[k]) + free[r] * share
