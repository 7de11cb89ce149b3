"""Assessments follow the course: one that falls outside its window once the course has
changed moves, and a missed one is booked again."""

from __future__ import annotations

import datetime as dt

from ...model.protocol import Protocol
from ...model.schedule import Appointment, ScheduledPatient
from ..builder import Attempt, CourseBuilder
from .state import RepairContext, unbook


def follow_assessments(ctx: RepairContext, builder: CourseBuilder, protocol: Protocol, sp: ScheduledPatient,
                 kept: list[Appointment], invalid: list[Appointment], attempt: Attempt,
                 session_days: list[dt.date], target: int | None, journal: list[Appointment]) -> bool:
    if not session_days:
        return True
    first, last = session_days[0], session_days[-1]
    # Where the last day's last session ends (slots): an assessment anchored on the last
    # session comes after it on that day.
    last_end = max((b.start + b.length for b in attempt.bookings if b.day == last and b.kind != "assessment"),
                   default=0)
    for x in kept:
        if x.kind != "assessment" and x.status in ("planned", "done") and x.start.astimezone(ctx.zone).date() == last:
            _, _, f, ln = ctx.slots(x)
            last_end = max(last_end, f + ln)
    for a in protocol.assessments:
        anchor = first if a.anchor == "first" else last
        lo, hi = a.window_days
        live = [x for x in kept if x.kind == "assessment" and x.name == a.name and x.status in ("planned", "done")]
        if any(x.status == "done" for x in live):
            continue
        ok = [x for x in live if lo <= (x.start.astimezone(ctx.zone).date() - anchor).days <= hi
              and not (a.anchor == "last" and x.start.astimezone(ctx.zone).date() == last
                       and ctx.slots(x)[2] < last_end)]
        if ok:
            continue
        if any(x.pinned for x in live):
            continue  # a pinned assessment stays where it was agreed
        for x in live:  # planned but now out of its window: it moves
            if x.start.astimezone(ctx.zone).date() >= ctx.freeze_until:
                kept.remove(x)
                invalid.append(x)
                unbook(ctx, sp.id, x)
                journal.append(x)
        if any(x.start.astimezone(ctx.zone).date() < ctx.freeze_until for x in live):
            continue
        length = builder._slots(a.minutes)
        days = [anchor + dt.timedelta(days=k) for k in range(lo, hi + 1)]
        if a.anchor == "first":
            days.reverse()
        not_before = {last: last_end} if a.anchor == "last" else {}
        booking = builder.assessment_booking(a.name, days, length, target or 0, attempt, not_before, ctx.freeze_until)
        if booking is None:
            return False
        attempt.add(booking)
    return True
