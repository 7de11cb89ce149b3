"""Assessments follow the course: one that falls outside its window once the course has
changed moves, and a missed one is booked again."""

from __future__ import annotations

import datetime as dt

from ...model.protocol import Protocol
from ...model.schedule import Appointment, ScheduledPatient
from ..builder import Attempt, Booking, CourseBuilder, assessment_anchors
from .state import RepairContext, unbook


def follow_assessments(ctx: RepairContext, builder: CourseBuilder, protocol: Protocol, sp: ScheduledPatient,
                 kept: list[Appointment], invalid: list[Appointment], attempt: Attempt,
                 session_days: list[dt.date], target: int | None, journal: list[Appointment]) -> bool:
    if not session_days:
        return True
    # Every live session, kept or newly booked, as the builder sees a course.
    sessions = [b for b in attempt.bookings if b.kind != "assessment"]
    for x in kept:
        if x.kind != "assessment" and x.status in ("planned", "done"):
            day, _, first, length = ctx.slots(x)
            sessions.append(Booking(x.kind, day, first, length, x.chair, x.staff, session=x.session,
                                    monitor=ctx.monitor_slots(x)))
    for a in protocol.assessments:
        anchors = assessment_anchors(a, protocol.total_sessions, sessions)
        live = sorted((x for x in kept if x.kind == "assessment" and x.name == a.name
                       and x.status in ("planned", "done")), key=lambda x: (x.start, x.id))
        if a.every_sessions is None and any(x.status == "done" for x in live):
            continue  # given once: never again
        free = list(live)
        missing = []
        for number, day, limits in anchors:
            fit = next((x for x in free if _inside(ctx, x, day, a.window_days, limits)), None)
            if fit is not None:
                free.remove(fit)
            else:
                missing.append((number, day, limits))
        if not missing:
            continue
        # Outside its window now: a planned one moves; one given, pinned or frozen stays
        # where it is and stands for one of the missing.
        for x in free:
            if x.status == "planned" and not x.pinned and x.start.astimezone(ctx.zone).date() >= ctx.freeze_until:
                kept.remove(x)
                invalid.append(x)
                unbook(ctx, sp.id, x)
                journal.append(x)
            elif missing:
                missing.pop(0)
        for number, day, limits in missing:
            booking = builder.book_assessment(a, day, limits, target or 0, attempt, ctx.freeze_until)
            if booking is None:
                return False
            booking.after = number if a.every_sessions is not None else None
            attempt.add(booking)
    return True


def _inside(ctx: RepairContext, x: Appointment, anchor: dt.date, window: list[int],
            limits: dict[dt.date, tuple[int, int | None]]) -> bool:
    """Whether assessment ``x`` lies in its window around ``anchor``, and on a bounded day
    within its bounds (after the session it follows, before a first session)."""
    day, _, first, length = ctx.slots(x)
    if not window[0] <= (day - anchor).days <= window[1]:
        return False
    lo, hi = limits.get(day, (0, None))
    return first >= lo and (hi is None or first + length <= hi)
