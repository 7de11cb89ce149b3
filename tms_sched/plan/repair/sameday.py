"""Same-day repair: a session that lost its place (a closure, a chair down, changed
hours) stays on its own day when the clinic has room, before any make-up later."""

from __future__ import annotations

import datetime as dt

from ...model.patient import Patient
from ...model.protocol import DailyPhase, IntervalPhase, Protocol, WeeklyPhase
from ...model.schedule import Appointment
from ..builder import Attempt, CourseBuilder
from ..timeline import bits
from .state import RepairContext, unbook


def same_day_mapping(builder: CourseBuilder, attempt: Attempt, day: dt.date, first: int,
                      exact: bool = False) -> tuple[int, str, str | None] | None:
    """A mapping that lost its place on ``day``: the same day, nearest its old start
    (``exact``: at that very start only, as in an accelerated day whose gaps are set)."""
    options = [o for o in builder.mapping_options(day, attempt) if not exact or o[0] == first]
    if not options:
        return None
    return min(options, key=lambda o: (abs(o[0] - first), o[0], o[1]))


def keep_their_days(ctx: RepairContext, builder: CourseBuilder, attempt: Attempt, patient: Patient,
                    protocol: Protocol, invalid_by_session: dict[int, Appointment], needed: list[int]) -> None:
    """Book each session that lost its place on its own day where it can; the numbers
    placed leave ``needed``."""
    # A session that lost its place keeps its day where it can, in this order: the same
    # time on another capable chair; (once a day) a time within the usual tolerance; (once
    # a day) any time the patient gave. The course itself does not change.
    once_daily = all(not isinstance(p, DailyPhase) or p.per_day == 1 for p in protocol.phases)
    # Where the course is laid out again after a missed session anyway (an interval series
    # moving up, taper weeks following a grown daily part), its displaced sessions go along.
    missed = set(needed) - set(invalid_by_session)
    interval = all(isinstance(p, IntervalPhase) for p in protocol.phases)
    daily_part = sum(p.sessions for p in protocol.phases if isinstance(p, DailyPhase))
    tapered = any(isinstance(p, WeeklyPhase) for p in protocol.phases)
    for number, old in sorted(invalid_by_session.items()):
        if number not in needed or (interval and missed):
            continue
        if tapered and number > daily_part and any(n <= daily_part for n in missed):
            continue
        day, _, first, _ = ctx.slots(old)
        # In the frozen days only the same time on another chair will do (the patient sees
        # no change); elsewhere the day's other times too.
        frozen = day < ctx.freeze_until
        if frozen and (day < ctx.today or (patient.start_after and day < patient.start_after)
                       or (patient.deadline and day > patient.deadline)):
            continue
        if (not frozen and not builder.session_day_ok(day)) or not ctx.calendar.is_open(day):
            continue
        if old.kind == "mapping":
            got_map = same_day_mapping(builder, attempt, day, first, exact=frozen or not once_daily)
            if got_map is None and once_daily and not frozen and ctx.room is not None:
                got_map = ctx.room.clear(builder, attempt, day, "mapping", first)
            if got_map is not None:
                attempt.add(builder.session_booking("mapping", day, got_map[0], got_map[1], got_map[2], number))
                needed.remove(number)
            continue
        if old.kind != "treatment" or 1 in needed:
            continue  # (a mapping to book again comes first; treatments before it move after it)
        got = builder.pick(day, builder.session_len, first, old.chair, attempt, tolerance=0)
        if got is None and once_daily and not frozen:
            got = builder.pick(day, builder.session_len, first, old.chair, attempt)
        if got is None and once_daily and not frozen:
            got = builder.pick(day, builder.session_len, first, old.chair, attempt, tolerance=10**6)
        if got is None and once_daily and not frozen and ctx.room is not None:
            got = ctx.room.clear(builder, attempt, day, "treatment", first)
        if got is not None:
            attempt.add(builder.session_booking("treatment", day, got[0], got[1], None, number))
            needed.remove(number)


def rearrange_accelerated_days(ctx: RepairContext, builder: CourseBuilder, attempt: Attempt,
                               protocol: Protocol, kept: list[Appointment], live: list[Appointment],
                               invalid_by_session: dict[int, Appointment], needed: list[int],
                               journal: list[Appointment]) -> None:
    """An accelerated day that lost a session keeps it by rearranging the day, before the
    course is given up: first the displaced sessions alone take other times that day (the
    day's other sessions staying, the protocol's gap kept between all of them, in session
    order); else the whole day is laid out again within the patient's hours. A day with a
    session already given, pinned or frozen is left alone. Sessions rearranged this way
    leave ``needed``; those of the day moved along join ``invalid_by_session``."""
    phase = next((p for p in protocol.phases if isinstance(p, DailyPhase) and p.per_day > 1), None)
    if phase is None:
        return
    gap = -(-phase.min_gap_minutes // ctx.slot)
    days: dict[dt.date, list[int]] = {}
    for number in sorted(needed):
        old = invalid_by_session.get(number)
        if old is None or old.kind == "assessment":
            continue
        days.setdefault(ctx.slots(old)[0], []).append(number)
    for day, numbers in sorted(days.items()):
        if day < ctx.freeze_until or not ctx.calendar.is_open(day) or not builder.session_day_ok(day):
            continue
        own = [a for a in live if a.start.astimezone(ctx.zone).date() == day]
        now = ctx.timeline.now  # (day, slot) before which nothing is booked, notice included
        if any(a.status != "planned" or a.pinned or (now is not None and (day, ctx.slots(a)[2]) < now)
               for a in own):
            continue
        if _fill_between(ctx, builder, attempt, day, numbers, own, invalid_by_session, gap):
            for n in numbers:
                needed.remove(n)
            continue
        # Sessions of the day already given another chair at their old time are laid out
        # again with the rest (they would hold the others where they no longer fit).
        prior = [b for b in attempt.bookings if b.day == day and b.kind != "assessment"]
        for b in prior:
            attempt.bookings.remove(b)
            attempt.busy[b.day] &= ~(((1 << (b.length + b.monitor)) - 1) << b.start)
        if not _lay_day_again(ctx, builder, attempt, day, numbers + [b.session for b in prior], own,
                              invalid_by_session, phase.min_gap_minutes):
            for b in prior:
                attempt.add(b)
        else:
            for a in own:
                live.remove(a)
                kept.remove(a)
                invalid_by_session[a.session] = a
                journal.append(a)
            for n in numbers:
                needed.remove(n)


def _fill_between(ctx: RepairContext, builder: CourseBuilder, attempt: Attempt, day: dt.date,
                  numbers: list[int], own: list[Appointment], invalid_by_session: dict[int, Appointment],
                  gap: int) -> bool:
    """The displaced sessions of ``day`` at other times that day, the others staying."""
    before = len(attempt.bookings)
    # (start, slots in the chair: the session and any monitoring after it)
    placed: dict[int, tuple[int, int]] = {
        a.session: (ctx.slots(a)[2], ctx.slots(a)[3] + builder.monitor_len) for a in own}
    placed |= {b.session: (b.start, b.end - b.start) for b in attempt.bookings
               if b.day == day and b.kind != "assessment"}
    for number in numbers:
        old = invalid_by_session[number]
        _, _, first, _ = ctx.slots(old)
        earlier = [placed[n] for n in placed if n < number]
        later = [placed[n] for n in placed if n > number]
        low = max((builder.after_gap(day, s + ln, gap) for s, ln in earlier), default=0)
        if old.kind == "mapping":
            options = [(s, c, st) for s, c, st in builder.mapping_options(day, attempt) if s >= low]
            length = builder.first_len
        else:
            length = builder.session_len
            options = [(s, c, None) for c, m in builder.chair_starts(day, length, attempt).items()
                       for s in bits(m >> low << low)]
        options = [o for o in options
                   if all(builder.after_gap(day, o[0] + length + builder.monitor_len, gap) <= s for s, _ in later)]
        if not options:
            attempt.roll_back(before)
            return False
        s, chair, staff = min(options, key=lambda o: (abs(o[0] - first), o[0], o[1] != old.chair, o[1]))
        attempt.add(builder.session_booking(old.kind, day, s, chair, staff, number))
        placed[number] = (s, length + builder.monitor_len)
    return True


def _lay_day_again(ctx: RepairContext, builder: CourseBuilder, attempt: Attempt, day: dt.date,
                   numbers: list[int], own: list[Appointment], invalid_by_session: dict[int, Appointment],
                   gap_minutes: int) -> bool:
    """Every session of ``day`` laid out again, in session order, the protocol's gap kept;
    from the day's old first start where the day allows, else from its earliest hour."""
    gap = -(-gap_minutes // ctx.slot)
    sessions = sorted([*numbers, *(a.session for a in own)])
    olds = {a.session: a for a in own} | {n: invalid_by_session[n] for n in numbers}
    mapping = olds[sessions[0]].kind == "mapping"
    start = min(ctx.slots(a)[2] for a in olds.values())
    chair = olds[sessions[-1]].chair or (builder.chairs[0] if builder.chairs else "")
    for a in own:  # the day's own sessions make way
        unbook(ctx, builder.patient.id, a)
    before = len(attempt.bookings)
    for after in (start, 0):
        rest, not_before = sessions, after
        if mapping:
            options = [o for o in builder.mapping_options(day, attempt) if o[0] >= after]
            if not options:
                continue
            s, c, staff = options[0]
            attempt.add(builder.session_booking("mapping", day, s, c, staff, sessions[0]))
            rest, chair = sessions[1:], c
            not_before = builder.after_gap(day, s + builder.first_len + builder.monitor_len, gap)
        n = builder._chain(day, attempt, chair, len(rest), gap_minutes, not_before) if rest else 0
        if n == len(rest):
            for b, number in zip(attempt.bookings[before + (1 if mapping else 0):], rest):
                b.session = number
            return True
        attempt.roll_back(before)
    room = ctx.room
    if room is not None and not mapping:
        # Held up by other patients' sessions on the chairs: those that may step aside do.
        for after in (start, 0):
            mark = len(room.moves)
            if room.clear_chain(builder, attempt, day, len(sessions), gap_minutes, after):
                if builder._chain(day, attempt, chair, len(sessions), gap_minutes, after) == len(sessions):
                    for b, number in zip(attempt.bookings[before:], sessions):
                        b.session = number
                    return True
                attempt.roll_back(before)
            room.undo(mark)
    for a in own:  # nothing fits: the day stays as it was
        ctx.book(builder.patient.id, a)
    return False
