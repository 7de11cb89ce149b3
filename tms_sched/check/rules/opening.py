"""Appointments against the clinic's and the patient's calendars (TMS003, TMS004, TMS005, TMS013, TMS017).

Only planned appointments are judged here (except TMS017): done and missed ones are
history, booked against the clinic file as it was then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ...calendar import contains, weekday_key
from ...model.base import WEEKDAY_NAMES, WEEKDAYS
from ...tz import unstable_minutes
from ..context import Booking, Context, day_text, hhmm
from ..finding import Finding
from ..registry import rule


def _windows_text(windows) -> str:
    return ", ".join(f"{hhmm(s)}-{hhmm(e)}" for s, e in windows)


def _overlaps(window: tuple[int, int], b: Booking) -> bool:
    return window[0] < b.end_min and b.start_min < window[1]


def _roster_at(ctx: Context, patient: str) -> str:
    if ctx.roster is None or patient not in ctx.roster.origins:
        return "the roster"
    file, line = ctx.roster.origins[patient]
    return f"{file}:{line}" if line else file


@rule("TMS003", "error", "appointment outside opening hours, on a closed date or a public holiday")
def opening_hours(ctx: Context) -> Iterator[Finding]:
    cal = ctx.calendar
    for b in ctx.bookings:
        if not b.planned:
            continue
        windows = cal.open_windows(b.day)
        if b.end_min <= 24 * 60 and contains(windows, b.start_min, b.end_min):
            continue
        who = f"{b.patient}'s {b.what()} {b.span()}"
        closed = cal.closed_reason(b.day)
        if closed is not None:
            yield ctx.finding("TMS003", f"{who} falls on a day the clinic is closed ({closed}); "
                              "book it on an open day", b)
            continue
        cuts = [(w, why) for w, why in cal.partial_closures(b.day) if _overlaps(w, b)]
        if cuts:
            (s, e), why = cuts[0]
            yield ctx.finding("TMS003", f"{who} falls in a closure {hhmm(s)}-{hhmm(e)} ({why}); "
                              "book it outside the closure", b)
            continue
        unstable = unstable_minutes(b.day, ctx.zone)
        if unstable is not None and _overlaps(unstable, b):
            s, e = unstable
            yield ctx.finding("TMS003", f"{who} falls in {hhmm(s)}-{hhmm(e)}, which the clock change repeats or "
                              "skips on that day; nothing is booked then", b)
            continue
        hours = ctx.clinic.info.hours.get(weekday_key(b.day), ())
        yield ctx.finding("TMS003", f"{who} is outside opening hours ({WEEKDAY_NAMES[b.day.weekday()]}s "
                          f"{_windows_text(hours)}); it must lie wholly within one opening window", b)


@rule("TMS004", "error", "appointment outside the patient's availability or on an unavailable date", needs_roster=True)
def availability(ctx: Context) -> Iterator[Finding]:
    for course in ctx.courses:
        patient = course.roster
        if patient is None:
            continue
        for b in course.bookings:
            if not b.planned:
                continue
            if b.day in patient.unavailable:
                yield ctx.finding("TMS004", f"{b.patient}'s {b.what()} is on {day_text(b.day)}, a date the patient "
                                  f"cannot come (listed under unavailable in its entry, {_roster_at(ctx, b.patient)})",
                                  b)
                continue
            if patient.availability is None:
                continue
            windows = patient.availability.get(weekday_key(b.day), ())
            if contains(windows, b.start_min, b.end_min):
                continue
            weekday = WEEKDAY_NAMES[b.day.weekday()]
            if not windows:
                days = ", ".join(WEEKDAY_NAMES[i][:3] for i, key in enumerate(WEEKDAYS)
                                 if patient.availability.get(key))
                yield ctx.finding("TMS004", f"{b.patient}'s {b.what()} is on {day_text(b.day)}, but the patient is "
                                  f"not available on {weekday}s (available {days or 'never'}; "
                                  f"{_roster_at(ctx, b.patient)})", b)
            else:
                yield ctx.finding("TMS004", f"{b.patient}'s {b.what()} {b.span()} is outside the patient's "
                                  f"availability on {weekday}s ({_windows_text(windows)}; "
                                  f"{_roster_at(ctx, b.patient)})", b)


@rule("TMS005", "error", "chair down, or chair lacks the protocol's capability")
def chair_fit(ctx: Context) -> Iterator[Finding]:
    for b in ctx.bookings:
        if not b.planned or b.appt.chair is None:
            continue
        chair = ctx.clinic.chair(b.appt.chair)
        if chair is None:
            continue  # an unknown chair is TMS016
        protocol = ctx.courses[b.patient_index].protocol
        if b.is_session and protocol is not None and protocol.capability not in chair.capabilities:
            able = [c.id for c in ctx.clinic.chairs_for(protocol.capability)]
            hint = f"; chairs that have it: {', '.join(able)}" if able else "; no chair of the clinic has it"
            yield ctx.finding("TMS005", f"{b.patient}'s {b.what()} {b.span()} is on chair {chair.id}, which lacks "
                              f"capability '{protocol.capability}' that {protocol.id} needs{hint}", b)
            continue
        for (s, e), why in ctx.calendar.chair_down(chair.id, b.day):
            if _overlaps((s, e), b):
                yield ctx.finding("TMS005", f"{b.patient}'s {b.what()} {b.span()} is on chair {chair.id}, which is "
                                  f"down {hhmm(s)}-{hhmm(e)} ({why}); move it to another chair or time", b)
                break


@rule("TMS013", "error", "session before start_after or after deadline", needs_roster=True)
def authorization(ctx: Context) -> Iterator[Finding]:
    for course in ctx.courses:
        patient = course.roster
        if patient is None or (patient.start_after is None and patient.deadline is None):
            continue
        for b in course.bookings:
            if not (b.planned and b.is_session):
                continue
            if patient.start_after is not None and b.day < patient.start_after:
                yield ctx.finding("TMS013", f"{b.patient}'s {b.what()} on {day_text(b.day)} is before the patient's "
                                  f"start_after {patient.start_after} ({_roster_at(ctx, b.patient)}); sessions lie "
                                  "within the authorization window", b)
            elif patient.deadline is not None and b.day > patient.deadline:
                yield ctx.finding("TMS013", f"{b.patient}'s {b.what()} on {day_text(b.day)} is after the patient's "
                                  f"deadline {patient.deadline} ({_roster_at(ctx, b.patient)}); sessions lie "
                                  "within the authorization window", b)


def _offset(delta: dt.timedelta | None) -> str:
    assert delta is not None
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@rule("TMS017", "error", "time offset disagrees with the clinic's time zone at that date")
def time_offset(ctx: Context) -> Iterator[Finding]:
    zone_name = ctx.clinic.info.timezone
    written = ctx.schedule.schedule.timezone
    if written != zone_name:
        yield ctx.finding("TMS017", f"the schedule says timezone '{written}' but the clinic's is '{zone_name}'; "
                          "a schedule is written in its clinic's zone (re-plan it with this clinic file)",
                          line=ctx.line(("schedule", "timezone")))
    for b in ctx.bookings:
        start = b.appt.start
        actual = start.utcoffset()
        expected = start.astimezone(ctx.zone).utcoffset()
        if actual == expected:
            continue
        wall = start.replace(tzinfo=None)
        meant = wall.replace(tzinfo=ctx.zone)
        yield ctx.finding(
            "TMS017",
            f"{b.patient}'s {b.what()} starts {start.isoformat()}, but {zone_name} is at UTC{_offset(expected)} "
            f"then, so this is {hhmm(b.start_min)} local; if {wall.strftime('%H:%M')} is meant, write "
            f"{meant.isoformat()}",
            b,
        )
