"""Same-day repair: a session that lost its place (a closure, a chair down, changed
hours) stays on its own day when the clinic has room, before any make-up later."""

from __future__ import annotations

import datetime as dt

from ...model.patient import Patient
from ...model.protocol import DailyPhase, IntervalPhase, Protocol, WeeklyPhase
from ...model.schedule import Appointment
from ..builder import Attempt, Booking, CourseBuilder
from .state import RepairContext


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
            if got_map is not None:
                attempt.add(Booking("mapping", day, got_map[0], builder.first_len, got_map[1], got_map[2],
                                    session=number))
                needed.remove(number)
            continue
        if old.kind != "treatment" or 1 in needed:
            continue  # (a mapping to book again comes first; treatments before it move after it)
        got = builder.pick(day, builder.session_len, first, old.chair, attempt, tolerance=0)
        if got is None and once_daily and not frozen:
            got = builder.pick(day, builder.session_len, first, old.chair, attempt)
        if got is None and once_daily and not frozen:
            got = builder.pick(day, builder.session_len, first, old.chair, attempt, tolerance=10**6)
        if got is not None:
            attempt.add(Booking("treatment", day, got[0], builder.session_len, got[1], None, session=number))
            needed.remove(number)
