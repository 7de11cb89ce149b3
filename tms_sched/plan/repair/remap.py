"""Motor-threshold re-mapping after a change: once misses or closures leave a long gap, or
the weekly re-check falls on another day, the session that now needs the re-check becomes
a mapping (first_session_minutes, a named first_session_staff)."""

from __future__ import annotations

from ...model.protocol import DailyPhase, Protocol
from ...model.schedule import Appointment, ScheduledPatient
from ..builder import Attempt, Booking, CourseBuilder
from .makeups import gaps_kept
from .state import RepairContext, unbook


def remap_where_due(ctx: RepairContext, builder: CourseBuilder, protocol: Protocol, sp: ScheduledPatient,
                    kept: list[Appointment], live: list[Appointment], displaced: dict[int, Appointment],
                    attempt: Attempt, journal: list[Appointment]) -> str | None:
    """Turn each session due a re-check into a mapping on its own day; None when done, else
    why not. History, pinned and frozen sessions stay as they are (a done mapping still
    restarts the count)."""
    after, every = protocol.remap_after_days, protocol.remap_every_days
    if after is None and every is None:
        return None
    gap = max((-(-p.min_gap_minutes // ctx.slot) for p in protocol.phases if isinstance(p, DailyPhase)), default=0)
    items: list[tuple[tuple, Appointment | Booking]] = []
    for a in live:
        day, _, first, _ = ctx.slots(a)
        items.append(((day, first, a.session or 0), a))
    for b in attempt.bookings:
        if b.kind != "assessment":
            items.append(((b.day, b.start, b.session or 0), b))
    prev = last_mapping = None
    for (day, start, number), x in sorted(items, key=lambda item: item[0]):
        kind = x.kind
        due = prev is not None and (
            (after is not None and (day - prev).days > after)
            or (every is not None and last_mapping is not None and (day - last_mapping).days >= every))
        if due and kind != "mapping":
            if isinstance(x, Booking):
                _drop(attempt, x)
                remap = _remap(builder, attempt, day, start, x.chair, number)
                if remap is None or not gaps_kept(ctx, day, live, attempt, gap):
                    if remap is not None:
                        _drop(attempt, remap)
                    attempt.add(x)
                    return _why(protocol, number, day)
                kind = "mapping"
            elif x.status == "planned" and not x.pinned and day >= ctx.freeze_until:
                unbook(ctx, sp.id, x)
                journal.append(x)
                kept.remove(x)
                live.remove(x)
                remap = _remap(builder, attempt, day, start, x.chair, number)
                if remap is None or not gaps_kept(ctx, day, live, attempt, gap):
                    return _why(protocol, number, day)
                displaced[number] = x
                kind = "mapping"
        if kind == "mapping":
            last_mapping = day
        prev = day
    return None


def _remap(builder: CourseBuilder, attempt: Attempt, day, start: int, chair: str | None,
           number: int) -> Booking | None:
    b = builder.remap_booking(day, attempt, start, chair)
    if b is None:
        return None
    b.session = number
    attempt.add(b)
    return b


def _drop(attempt: Attempt, b: Booking) -> None:
    attempt.bookings.remove(b)
    attempt.busy[b.day] &= ~(((1 << (b.length + b.monitor)) - 1) << b.start)


def _why(protocol: Protocol, number: int, day) -> str:
    return (f"session {number} on {day} needs a motor-threshold re-check, and no {protocol.first_session_staff} "
            f"is free for a {protocol.first_minutes}-minute mapping that day (a clinician should decide)")
