"""Make-ups: sessions that were missed, or lost their day, booked later in the course
as each protocol allows (at the end of a daily course, at the spacing of an interval
series, after the grown daily part of a tapered course, the same or next day of an
accelerated one), and a missed mapping booked again before any treatment."""

from __future__ import annotations

import dataclasses
import datetime as dt

from ...model.protocol import DailyPhase, IntervalPhase, Protocol, WeeklyPhase
from ...model.schedule import Appointment
from ..builder import Attempt, Booking, CourseBuilder
from .state import ONE_DAY, RepairContext, session_days, unbook

# How many open days before the first that has room a missed mapping tries to make room on.
ROOM_DAYS = 3


def rebook_mapping(ctx: RepairContext, builder: CourseBuilder, attempt: Attempt,
                    live: list[Appointment], limit: dt.date | None = None) -> Booking | None:
    """The mapping on the earliest day one fits; on the few open days before that, where
    another patient's session can step aside for it (each day earlier saves the course a
    treatment that would have to move after it). The course's own planned treatments do
    not stand in its way: those on or before the mapping's day move after it anyway."""
    pid = builder.patient.id
    own: dict[dt.date, list[Appointment]] = {}
    for a in live:
        day = a.start.astimezone(ctx.zone).date()
        if a.status == "planned" and a.kind != "assessment" and not a.pinned and day >= ctx.freeze_until:
            own.setdefault(day, []).append(a)

    def option(day: dt.date, make_room: bool):
        mine = own.get(day, [])
        for a in mine:
            unbook(ctx, pid, a)
        try:
            if make_room:
                avoid = 0
                for a in mine:
                    _, _, first, length = ctx.slots(a)
                    avoid |= ((1 << (length + builder.monitor_len)) - 1) << first
                return ctx.room.clear(builder, attempt, day, "mapping", 0, avoid=avoid)
            options = builder.mapping_options(day, attempt)
            return min(options, key=lambda o: (o[0], o[1])) if options else None
        finally:
            for a in mine:
                ctx.book(pid, a)

    day = ctx.freeze_until
    end = builder.horizon_end if limit is None else min(builder.horizon_end, limit)
    earlier: list[dt.date] = []
    while day <= end:
        if ctx.calendar.is_open(day) and builder.session_day_ok(day):
            got = option(day, False)
            if got is not None:
                for before in earlier[:ROOM_DAYS] if ctx.room is not None else ():
                    sooner = option(before, True)
                    if sooner is not None:
                        day, got = before, sooner
                        break
                b = builder.session_booking("mapping", day, got[0], got[1], got[2], 1)
                attempt.add(b)
                return b
            earlier.append(day)
        day += ONE_DAY
    return None


def extend_course(ctx: RepairContext, builder: CourseBuilder, protocol: Protocol, attempt: Attempt,
            live: list[Appointment], needed: list[int], target: int | None, chair: str | None,
            displaced: set[int] = frozenset(),  # type: ignore[assignment]
            origin: dict[int, dt.date] | None = None):
    """Place the needed session numbers after the course's live sessions. ``displaced``:
    the numbers of planned sessions that lost their place (the others were missed)."""

    def what(number: int) -> str:
        return (f"session {number}, which can no longer stay where it was, booked again"
                if number in displaced else f"the make-up of session {number}")

    phase = protocol.phases[-1] if len(protocol.phases) == 1 else protocol.phases[0]
    days = session_days(ctx, live, attempt)
    last = days[-1] if days else ctx.freeze_until - ONE_DAY
    chair = chair or (builder.chairs[0] if builder.chairs else None)
    if chair is None:
        return f"no chair has capability '{protocol.capability}'"
    if target is None:
        target = 0
    gap_limit = protocol.max_gap_days
    if isinstance(phase, DailyPhase) and phase.per_day > 1:
        return accelerated_makeups(ctx, builder, phase, attempt, live, needed, chair, origin or {})
    todo = list(needed)
    if isinstance(phase, IntervalPhase):
        prev = last  # the spacing counts from the last session given, even when that is past
        if interval_tail(ctx, builder, protocol, attempt, prev, todo, target, chair):
            return True
        return (f"the sessions from session {todo[0]} on cannot be booked at the protocol's spacing after "
                f"{prev} (a clinician should decide how to go on)")
    per_week = phase.days_per_week if isinstance(phase, DailyPhase) else 5
    week_count: dict[dt.date, int] = {}
    for d in days:
        wk = d - dt.timedelta(days=d.weekday())
        week_count[wk] = week_count.get(wk, 0) + 1
    if isinstance(phase, DailyPhase) and days:
        # A spare day inside the course (open, the patient free, its week below
        # days_per_week) takes a make-up before the course's end is pushed back.
        taken = set(days)
        missed_on = set((origin or {}).values())  # not the day a session was missed on
        day = max(days[0] + ONE_DAY, ctx.freeze_until)
        while todo and day < last:
            wk = day - dt.timedelta(days=day.weekday())
            if ctx.calendar.is_open(day) and day not in taken and day not in missed_on \
                    and week_count.get(wk, 0) < per_week and builder.session_day_ok(day):
                got = builder.pick(day, builder.session_len, target, chair, attempt) or \
                    builder.pick(day, builder.session_len, target, chair, attempt, tolerance=10**6) or \
                    make_room(ctx, builder, attempt, day, target)
                if got:
                    attempt.add(builder.session_booking("treatment", day, got[0], got[1], None, todo.pop(0)))
                    week_count[wk] = week_count.get(wk, 0) + 1
                    taken.add(day)
            day += ONE_DAY
        days = sorted(set(days) | taken)
    day = max(last + ONE_DAY, ctx.freeze_until)
    prev = last
    while todo:
        if gap_limit is not None and days and (day - prev).days > gap_limit:
            return (f"{what(todo[0])} would come more than {gap_limit} days after the "
                    f"session of {prev}; a clinician should decide whether to go on")
        if protocol.max_span_days is not None and days and (day - days[0]).days > protocol.max_span_days:
            return (f"{what(todo[0])} would end the course more than "
                    f"{protocol.max_span_days} days after its first session ({days[0]}); a clinician should "
                    "decide whether to go on")
        if day > builder.horizon_end or (builder.deadline and day > builder.deadline):
            return (f"{what(todo[0])} does not fit before "
                    f"{'the deadline ' + str(builder.deadline) if builder.deadline else 'the horizon'}")
        wk = day - dt.timedelta(days=day.weekday())
        busy_day = day in days
        if ctx.calendar.is_open(day) and not busy_day and week_count.get(wk, 0) < per_week \
                and builder.session_day_ok(day):
            got = builder.pick(day, builder.session_len, target, chair, attempt)
            if got is None:
                got = builder.pick(day, builder.session_len, target, chair, attempt, tolerance=10**6)
            if got is None:
                got = make_room(ctx, builder, attempt, day, target)
            if got:
                attempt.add(builder.session_booking("treatment", day, got[0], got[1], None, todo.pop(0)))
                week_count[wk] = week_count.get(wk, 0) + 1
                prev = day
        day += ONE_DAY
    return True


def make_room(ctx: RepairContext, builder: CourseBuilder, attempt: Attempt, day: dt.date,
              target: int) -> tuple[int, str] | None:
    """A treatment's (start, chair) on ``day`` once another patient's session steps aside."""
    got = ctx.room.clear(builder, attempt, day, "treatment", target) if ctx.room is not None else None
    return None if got is None else (got[0], got[1])


def every_days_of(protocol: Protocol, number: int) -> tuple[int, int]:
    """The [min, max] days before session ``number`` in an interval protocol."""
    count = 0
    for phase in protocol.phases:
        if number <= count + phase.sessions:
            return tuple(phase.every_days) if isinstance(phase, IntervalPhase) else (1, 7)  # type: ignore[return-value]
        count += phase.sessions
    return (1, 7)


def interval_tail(ctx: RepairContext, builder: CourseBuilder, protocol: Protocol, attempt: Attempt,
                   prev: dt.date, numbers: list[int], target: int, chair: str) -> bool:
    """Book ``numbers`` one after another, each at its phase's spacing (a small search)."""
    budget = [2000]

    def place(prev_day: dt.date, index: int) -> bool:
        if index == len(numbers):
            return True
        budget[0] -= 1
        if budget[0] < 0:
            return False
        lo, hi = every_days_of(protocol, numbers[index])
        mid = (lo + hi) / 2
        for k in sorted(range(lo, hi + 1), key=lambda k: (abs(k - mid), k)):
            day = prev_day + dt.timedelta(days=k)
            if day < ctx.freeze_until or not builder.session_day_ok(day) or not ctx.calendar.is_open(day):
                continue
            got = builder.pick(day, builder.session_len, target, chair, attempt, tolerance=10**6)
            if not got:
                continue
            attempt.add(builder.session_booking("treatment", day, got[0], got[1], None, numbers[index]))
            if place(day, index + 1):
                return True
            attempt.drop_last()
        return False

    return place(prev, 0)


def relay_taper(ctx: RepairContext, builder: CourseBuilder, phase: WeeklyPhase, attempt: Attempt,
           live: list[Appointment], needed: list[int], daily_total: int, target: int, chair: str | None,
           old_places: dict[int, Appointment] | None = None):
    """Lay the taper weeks out again after the (grown) daily part of the course: where
    they can, each taper session keeps its weekday, time and chair, in the same week when
    the daily part still ends in its old week (nothing moves), else as many weeks later as
    the daily part's end moved; otherwise the weeks are laid out afresh."""
    daily_days = [a.start.astimezone(ctx.zone).date() for a in live if a.session <= daily_total]
    daily_days += [b.day for b in attempt.bookings if b.kind != "assessment" and (b.session or 0) <= daily_total]
    last_daily = max(daily_days)
    max_span = builder.protocol.max_span_days
    span_limit = min(daily_days) + dt.timedelta(days=max_span) if max_span else None
    before = len(attempt.bookings)
    if old_places and all(n in old_places for n in needed) and _taper_kept(
            ctx, builder, attempt, needed, old_places, last_daily, span_limit):
        return True
    # Taper sessions laid out again keep their time where it is free (nothing moves
    # without need), so gaps are not kept at their expense.
    policy, builder.policy = builder.policy, dataclasses.replace(builder.policy, keep_gaps=False)
    try:
        ok = builder._weekly(phase, attempt, last_daily, target, chair or builder.chairs[0], 0, span_limit)
    finally:
        builder.policy = policy
    if not ok:
        return ("the taper weeks cannot be booked after the course's new end"
                + (f" within {max_span} days of its first session" if max_span else "")
                + " (a clinician should decide how to go on)")
    laid = attempt.bookings[before:]
    for extra in laid[len(needed):]:  # taper sessions already delivered are not booked twice
        attempt.bookings.remove(extra)
        attempt.busy[extra.day] &= ~(((1 << (extra.length + extra.monitor)) - 1) << extra.start)
    for b, number in zip(laid, sorted(needed)):
        b.session = number
    return True


def _taper_kept(ctx: RepairContext, builder: CourseBuilder, attempt: Attempt, needed: list[int],
                old_places: dict[int, Appointment], last_daily: dt.date, span_limit: dt.date | None) -> bool:
    """The taper sessions at their old weekday, time and chair, shifted by whole weeks so
    that the taper weeks follow the week of the daily part's last session."""
    olds = [old_places[n] for n in sorted(needed)]
    first_old = min(ctx.slots(a)[0] for a in olds)
    first_week = last_daily - dt.timedelta(days=last_daily.weekday()) + dt.timedelta(weeks=1)
    shift = first_week - (first_old - dt.timedelta(days=first_old.weekday()))
    if shift.days < 0:
        return False
    before = len(attempt.bookings)
    for a in olds:
        old_day, _, first, length = ctx.slots(a)
        day = old_day + shift
        if day <= last_daily or (span_limit and day > span_limit) or not ctx.calendar.is_open(day) \
                or not builder.session_day_ok(day):
            break
        got = builder.pick(day, length, first, a.chair, attempt, tolerance=0)
        if got is None:
            break
        booking = builder.session_booking("treatment", day, got[0], got[1], None, a.session)
        booking.length = length  # the old appointment's length, kept
        attempt.add(booking)
    else:
        return True
    attempt.roll_back(before)
    return False


def accelerated_makeups(ctx: RepairContext, builder: CourseBuilder, phase: DailyPhase, attempt: Attempt,
                         live: list[Appointment], needed: list[int], chair: str,
                         origin: dict[int, dt.date] | None = None):
    """Make-ups of an accelerated course: each later the day it was missed or the next day
    (``origin``: the day each session was missed), the days staying consecutive."""
    origin = origin or {}
    days = sorted({a.start.astimezone(ctx.zone).date() for a in live})
    todo = list(needed)
    count = {d: sum(1 for a in live if a.start.astimezone(ctx.zone).date() == d) for d in days}
    candidates = [d for d in days if d >= ctx.freeze_until]
    if days:
        candidates.append(days[-1] + ONE_DAY)
    for day in sorted(set(candidates)):
        if not todo:
            break
        if day not in count and days and day != days[-1] + ONE_DAY:
            continue
        if not ctx.calendar.is_open(day) or not builder.session_day_ok(day):
            continue
        room = phase.per_day - count.get(day, 0)
        eligible = [n for n in todo if n not in origin or 0 <= (day - origin[n]).days <= 1]
        if room <= 0 or not eligible:
            continue
        # Chain after the day's own sessions (already on the timeline), with the protocol's gap.
        gap = -(-phase.min_gap_minutes // ctx.slot)
        after = max((builder.after_gap(day, first + length, gap) for a in live
                     if a.start.astimezone(ctx.zone).date() == day
                     for _, _, first, length in [ctx.slots(a)]), default=0)
        before = len(attempt.bookings)
        n = builder._chain(day, attempt, chair, min(room, len(eligible)), phase.min_gap_minutes, after)
        if n and not gaps_kept(ctx, day, live, attempt, gap):
            attempt.roll_back(before)  # the day's sessions would come too close: not this day
            n = 0
        for b in attempt.bookings[before:]:
            b.session = eligible.pop(0)
            todo.remove(b.session)
        count[day] = count.get(day, 0) + n
        if day not in days and n:
            days.append(day)
    final = sorted(set(days) | {b.day for b in attempt.bookings if b.kind != "assessment"})
    gapless = all((b - a).days == 1 for a, b in zip(final, final[1:]))
    if todo or not gapless or len(final) > phase.days + 1:
        if todo and all(n not in origin for n in todo):  # nothing missed: sessions that lost their place
            return (f"session {todo[0]} of this accelerated course can no longer stay on its day (the clinic's "
                    "hours, chairs or staff changed) and fits neither later that day nor on the next one, its "
                    "days staying consecutive; a clinician should decide how to go on")
        return ("the missed sessions of this accelerated course cannot be made up the day they were missed "
                "or the next one, its days staying consecutive; a clinician should decide how to go on")
    return True


def gaps_kept(ctx: RepairContext, day: dt.date, live: list[Appointment], attempt: Attempt, gap: int) -> bool:
    """Whether a day's sessions (kept and newly booked) keep ``gap`` slots between them."""
    spans = [(first, first + length) for a in live if a.start.astimezone(ctx.zone).date() == day
             for _, _, first, length in [ctx.slots(a)]]
    spans += [(b.start, b.start + b.length) for b in attempt.bookings if b.day == day and b.kind != "assessment"]
    spans.sort()
    return all(nxt[0] - prev[1] >= gap for prev, nxt in zip(spans, spans[1:]))
