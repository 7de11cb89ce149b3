"""Rebooking in a course made of weekly phases from its first session on (esketamine:
twice weekly, then weekly): a session that lost its day stays in its calendar week on
another day that keeps the phase's ``min_days_apart``, or else joins the next week as a
make-up (a week may hold fewer only by sessions missed in it)."""

from __future__ import annotations

import datetime as dt

from ...model.protocol import Protocol, WeeklyPhase
from ...model.schedule import Appointment, ScheduledPatient
from ..builder import Attempt, CourseBuilder
from .state import RepairContext


def _phase_of(protocol: Protocol, number: int) -> WeeklyPhase | None:
    at = 0
    for phase in protocol.phases:
        at += phase.sessions
        if number <= at:
            return phase if isinstance(phase, WeeklyPhase) else None
    return None


def within_weeks(ctx: RepairContext, builder: CourseBuilder, protocol: Protocol, attempt: Attempt,
                 live: list[Appointment], needed: list[int], target: int | None, chair: str | None,
                 old_places: dict[int, Appointment], sp: ScheduledPatient) -> str | None:
    """Book each of ``needed`` near where it was; a reason a coordinator can act on when one
    cannot be."""
    origin: dict[int, dt.date] = {n: ctx.slots(a)[0] for n, a in old_places.items()}
    for a in sp.appointments:
        if a.kind != "assessment" and a.status in ("missed", "cancelled") and a.session not in origin:
            origin[a.session] = ctx.slots(a)[0]
    days = [ctx.slots(a)[0] for a in live]
    for number in sorted(needed):
        phase = _phase_of(protocol, number)
        was = origin.get(number)
        if phase is None or was is None:
            return (f"session {number} lost its day and the course's weekly rhythm leaves no rule for where it goes "
                    "(a clinician should decide)")
        apart = phase.min_days_apart
        taken = days + [b.day for b in attempt.bookings if b.kind != "assessment"]
        week = was - dt.timedelta(days=was.weekday())
        placed = False
        for start in (week, week + dt.timedelta(days=7)):
            for i in range(7):
                day = start + dt.timedelta(days=i)
                same_week = [d for d in taken if d - dt.timedelta(days=d.weekday()) == start]
                if day < ctx.freeze_until or day in taken or not ctx.calendar.is_open(day) \
                        or not builder.session_day_ok(day):
                    continue
                if any(abs((day - d).days) < apart for d in same_week):
                    continue
                got = builder.pick(day, builder.session_len, target if target is not None else 0,
                                   chair or builder.chairs[0], attempt, tolerance=10**6)
                if got is None:
                    continue
                attempt.add(builder.session_booking("treatment", day, got[0], got[1], None, number))
                placed = True
                break
            if placed:
                break
        if not placed:
            return (f"session {number} lost its day ({was}) and no day of its week or the next has room with "
                    f"{apart} days between the week's sessions (a clinician should decide)")
    return None
