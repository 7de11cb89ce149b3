"""Who and what is taken when: chairs, patients and staff (TMS001, TMS002, TMS006, TMS007)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from ...calendar import contains
from ...model.base import WEEKDAY_NAMES
from ..context import Booking, Context, day_text, hhmm
from ..finding import Finding
from ..registry import rule
from ..sweep import overlapping

ASSESSMENT_ROLES = ("physician", "clinician")


def _at(b: Booking) -> str:
    if b.monitor_min:
        return f"{hhmm(b.start_min)}-{hhmm(b.end_min)} (monitored to {hhmm(b.chair_end_min)})"
    return f"{hhmm(b.start_min)}-{hhmm(b.end_min)}"


def _chair_end(b: Booking):
    return b.chair_end


@rule("TMS001", "error", "two appointments overlap on one chair")
def chair_overlap(ctx: Context) -> Iterator[Finding]:
    by_chair: dict[str, list[Booking]] = defaultdict(list)
    for b in ctx.bookings:
        if b.live and b.appt.chair is not None:
            by_chair[b.appt.chair].append(b)
    for chair in sorted(by_chair):
        # The patient stays in the chair for any monitoring after the session.
        for earlier, later in overlapping(by_chair[chair], end=_chair_end):
            yield ctx.finding(
                "TMS001",
                f"chair {chair} is double-booked: {later.patient}'s {later.what()} {later.span()} overlaps "
                f"{earlier.patient}'s {earlier.what()} at {_at(earlier)}; a chair holds one appointment at a time",
                later,
            )


@rule("TMS002", "error", "a patient is booked twice at once")
def patient_overlap(ctx: Context) -> Iterator[Finding]:
    by_patient: dict[str, list[Booking]] = defaultdict(list)
    for b in ctx.bookings:
        if b.live:
            by_patient[b.patient].append(b)
    for patient in sorted(by_patient):
        for earlier, later in overlapping(by_patient[patient], end=_chair_end):
            yield ctx.finding(
                "TMS002",
                f"{patient} is booked twice at once: {later.what()} {later.span()} overlaps "
                f"{earlier.what()} at {_at(earlier)}; a patient is in one appointment at a time",
                later,
            )


def _names(bookings: list[Booking], limit: int = 6) -> str:
    ids = [b.id for b in sorted(bookings, key=lambda b: (b.start_min, b.id))]
    if len(ids) > limit:
        return ", ".join(ids[:limit]) + f" and {len(ids) - limit} more"
    return ", ".join(ids)


@dataclass(eq=False)
class _Part:
    """A stretch of one appointment with the head-count units it takes: the session, or
    the monitoring after it."""

    booking: Booking
    start: int
    end: int
    units: int
    monitoring: bool = False


def _parts(ctx: Context, b: Booking, unit: int) -> list[_Part]:
    protocol = ctx.courses[b.patient_index].protocol
    if protocol is None:
        return [_Part(b, b.start_min, b.end_min, unit)]
    parts = [_Part(b, b.start_min, b.end_min, ctx.clinic.session_units(protocol, b.kind) if unit > 1 else unit)]
    if b.monitor_min:
        parts.append(_Part(b, b.end_min, b.chair_end_min, ctx.clinic.monitor_units(protocol), monitoring=True))
    return parts


@rule("TMS006", "error", "more sessions and assessments under way than staff on shift")
def staff_count(ctx: Context) -> Iterator[Finding]:
    """At every moment of a day, the people the appointments under way need <= staff on shift.

    A session of a protocol with ``patients_per_staff = N`` needs 1/N of a person, a
    monitored patient 1/``monitor_patients_per_staff``; everything else a whole one. The
    counts are kept in whole units (a person is ``staff_unit`` of them). One sweep per day
    over its boundaries (appointment starts and ends, shift starts and ends); done
    appointments count toward the load, but a moment made up of history alone is not
    judged again. Monitoring of a protocol with a ``monitor_role`` also needs one of that
    role on shift.
    """
    if not ctx.staff_rules:
        return
    unit = ctx.clinic.staff_unit
    by_day: dict = defaultdict(list)
    for b in ctx.bookings:
        if b.live:
            by_day[b.day].append(b)
    for day in sorted(by_day):
        bookings = by_day[day]
        if not any(b.planned for b in bookings):
            continue
        shifts = [(s.id, ctx.calendar.staff_windows(s.id, day)) for s in ctx.clinic.staff]
        # (minute, order, part or None, shift delta): at one minute, ends before starts.
        events: list[tuple[int, int, _Part | None, int]] = []
        for b in bookings:
            for part in _parts(ctx, b, unit):
                events.append((part.end, 0, part, 0))
                events.append((part.start, 1, part, 0))
        for _, windows in shifts:
            for s, e in windows:
                events.append((e, 0, None, -1))
                events.append((s, 1, None, +1))
        events.sort(key=lambda ev: (ev[0], ev[1]))
        active: dict[int, _Part] = {}
        planned = on_shift = load = 0
        run: list | None = None  # [culprit, start, end, parts under way]
        k = 0
        while k < len(events):
            minute = events[k][0]
            while k < len(events) and events[k][0] == minute:
                _, order, part, delta = events[k]
                k += 1
                if part is None:
                    on_shift += delta
                elif order == 0:
                    if active.pop(id(part), None) is not None:
                        load -= part.units
                        planned -= part.booking.planned
                else:
                    active[id(part)] = part
                    load += part.units
                    planned += part.booking.planned
            nxt = events[k][0] if k < len(events) else minute
            if nxt == minute:
                continue
            if load > on_shift * unit and planned:
                culprit = max((p.booking for p in active.values() if p.booking.planned),
                              key=lambda b: (b.start_min, b.id))
                if run is not None and run[0] is culprit and run[2] == minute:
                    run[2] = nxt
                    continue
                if run is not None:
                    yield _staff_finding(ctx, day, shifts, *run, unit=unit)
                run = [culprit, minute, nxt, list(active.values())]
        if run is not None:
            yield _staff_finding(ctx, day, shifts, *run, unit=unit)
    yield from _monitor_roles(ctx)


def _staff_finding(ctx: Context, day, shifts, culprit: Booking, start: int, end: int,
                   active: list[_Part], unit: int = 1) -> Finding:
    on_shift = [sid for sid, windows in shifts if contains(windows, start, end)]
    staff = f"{len(on_shift)} staff on shift ({', '.join(on_shift)})" if on_shift else "nobody on shift"
    bookings = list({id(p.booking): p.booking for p in active}.values())
    shared = [p for p in active if p.units != unit or p.monitoring]
    need = ""
    if shared:
        people = sum(p.units for p in active) / unit
        monitored = sum(1 for p in active if p.monitoring)
        need = (f" need {people:.2f}".rstrip("0").rstrip(".") + " staff"
                + (f", {monitored} of them monitored after their session" if monitored else "")
                + " (shared sessions and monitoring count a share of a person),")
    return ctx.finding(
        "TMS006",
        f"{len(bookings)} appointment{'s' if len(bookings) != 1 else ''} under way {hhmm(start)}-{hhmm(end)} "
        f"on {day_text(day)} "
        f"({_names(bookings)}){need} but {staff}; someone must be with every patient the whole time",
        culprit,
    )


def role_covers(ctx: Context, role: str, day, start: int, end: int) -> bool:
    """Whether staff of ``role`` are on shift all through [start, end) (one after another
    counts: a hand-over at the end of a shift keeps someone there)."""
    windows = sorted(w for s in ctx.clinic.staff if s.role == role for w in ctx.calendar.staff_windows(s.id, day))
    reach = start
    for s, e in windows:
        if s > reach:
            break
        reach = max(reach, e)
        if reach >= end:
            return True
    return reach >= end


def _monitor_roles(ctx: Context) -> Iterator[Finding]:
    for b in ctx.bookings:
        if not (b.planned and b.monitor_min):
            continue
        protocol = ctx.courses[b.patient_index].protocol
        role = protocol.monitor_role if protocol else None
        if role is None or role_covers(ctx, role, b.day, b.end_min, b.chair_end_min):
            continue
        yield ctx.finding("TMS006", f"{b.patient}'s {b.what()} {b.span()} is monitored "
                          f"{hhmm(b.end_min)}-{hhmm(b.chair_end_min)} with no {role} on shift all through it; "
                          f"{protocol.id} has its patients observed by a {role}", b)


def _shift_problem(ctx: Context, staff_id: str, b: Booking) -> str | None:
    """Why ``staff_id`` is not on shift for the whole of ``b``, or None when they are."""
    member = ctx.clinic.staff_member(staff_id)
    assert member is not None
    windows = ctx.calendar.staff_windows(staff_id, b.day)
    if contains(windows, b.start_min, b.end_min):
        return None
    weekday = WEEKDAY_NAMES[b.day.weekday()]
    if b.day in member.away:
        return f"{staff_id} is away on {day_text(b.day)}"
    if not windows:
        return f"{staff_id} does not work on {weekday}s"
    hours = ", ".join(f"{hhmm(s)}-{hhmm(e)}" for s, e in windows)
    return f"{staff_id} works {hours} on {weekday}s, not {hhmm(b.start_min)}-{hhmm(b.end_min)}"


@rule("TMS007", "error", "mapping or assessment without a suitable named staff member on shift, or staff double-booked")
def named_staff(ctx: Context) -> Iterator[Finding]:
    if not ctx.staff_rules:
        return
    for b in ctx.bookings:
        if not b.planned:
            continue
        staff_id = b.appt.staff
        member = ctx.clinic.staff_member(staff_id) if staff_id else None
        if staff_id and member is None:
            continue  # an unknown id is TMS016
        course = ctx.courses[b.patient_index]
        if b.kind == "mapping":
            role = course.protocol.first_session_staff if course.protocol else None
            label = (course.protocol.first_session_label if course.protocol else "the first session").lower()
            need = f"a named {role or 'staff member'} on shift for the {label}"
            if member is None:
                yield ctx.finding("TMS007", f"{b.patient}'s {b.what()} {b.span()} names no staff; it needs {need}", b)
                continue
            if role is not None and member.role != role:
                yield ctx.finding("TMS007", f"{b.patient}'s {b.what()} names {member.id}, a {member.role}; "
                                  f"it needs {need}", b)
                continue
        elif b.kind == "assessment":
            need = "a named physician or clinician on shift"
            if member is None:
                yield ctx.finding("TMS007", f"{b.patient}'s {b.what()} {b.span()} names no staff; it needs {need}", b)
                continue
            if member.role not in ASSESSMENT_ROLES:
                yield ctx.finding("TMS007", f"{b.patient}'s {b.what()} names {member.id}, a {member.role}; "
                                  f"it needs {need}", b)
                continue
        if member is not None:
            problem = _shift_problem(ctx, member.id, b)
            if problem:
                yield ctx.finding("TMS007", f"{b.patient}'s {b.what()} {b.span()} is booked with {member.id}, "
                                  f"but {problem}; a named person must be on shift for the whole appointment", b)
    by_staff: dict[str, list[Booking]] = defaultdict(list)
    for b in ctx.bookings:
        if b.live and b.appt.staff and ctx.clinic.staff_member(b.appt.staff) is not None:
            by_staff[b.appt.staff].append(b)
    for staff_id in sorted(by_staff):
        for earlier, later in overlapping(by_staff[staff_id]):
            if not (earlier.planned or later.planned):
                continue
            at = later if later.planned else earlier
            other = earlier if at is later else later
            yield ctx.finding(
                "TMS007",
                f"{staff_id} is booked twice at once: {at.patient}'s {at.what()} {at.span()} and "
                f"{other.patient}'s {other.what()} at {_at(other)}; a person is with one patient at a time",
                at,
            )
