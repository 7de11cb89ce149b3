"""What the views read from a schedule: appointments by local day, chair and patient.

Everything is local wall-clock time in the clinic's zone, as minutes after midnight,
so a session at 08:00 shows at 08:00 on both sides of a daylight-saving change. This
module only arranges what the schedule, the clinic and its calendar already say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ...calendar import ClinicCalendar, Window, weekday_key
from ...model.base import WEEKDAY_NAMES, minutes_to_hhmm
from ...model.clinic import Clinic
from ...model.patient import Patient
from ...model.protocol import DEFAULT_FIRST_SESSION_LABEL, Protocol
from ...model.schedule import Appointment, Schedule, ScheduledPatient
from ...tz import unstable_minutes

DAY_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class Booking:
    """One appointment placed on its local day."""

    patient: str
    appt: Appointment
    day: dt.date
    start: int
    end: int
    total: int | None
    makeup: bool
    first_name: str = "mapping"
    """What this course calls its first session (``mapping``, ``first dose``)."""
    monitor: int = 0
    """Minutes of monitoring after the session, in the same chair."""

    @property
    def chair_end(self) -> int:
        """When the patient leaves the chair: after the session and any monitoring."""
        return self.end + self.monitor

    @property
    def chair(self) -> str | None:
        return self.appt.chair

    @property
    def status(self) -> str:
        return self.appt.status

    @property
    def kind(self) -> str:
        return self.appt.kind

    @property
    def live(self) -> bool:
        return self.appt.status in ("planned", "done")

    @property
    def is_session(self) -> bool:
        return self.appt.kind != "assessment"

    def what(self) -> str:
        if self.appt.kind == "assessment":
            return f"assessment: {self.appt.name}"
        if self.appt.kind == "mapping":
            return self.first_name
        return self.appt.kind

    def session_label(self) -> str:
        if self.appt.session is None:
            return ""
        text = f"{self.appt.session} of {self.total}" if self.total else f"{self.appt.session}"
        return text + (", make-up" if self.makeup else "")

    def span(self) -> str:
        return f"{hhmm(self.start)}-{hhmm(self.end)}"


def first_session_name(protocol: Protocol | None) -> str:
    """The first session as a course names it, in running text: ``mapping`` for the
    motor-threshold mapping, else the protocol's ``first_session_label`` (``first dose``)."""
    label = protocol.first_session_label if protocol is not None else DEFAULT_FIRST_SESSION_LABEL
    if label == DEFAULT_FIRST_SESSION_LABEL:
        return "mapping"
    # Lower the capital a label starts a sentence with, not an acronym's (IV, MT).
    return label[:1].lower() + label[1:] if not label[1:2].isupper() else label


def hhmm(minute: int) -> str:
    return minutes_to_hhmm(min(max(minute, 0), DAY_MINUTES))


def day_name(day: dt.date) -> str:
    return WEEKDAY_NAMES[day.weekday()]


def short_day(day: dt.date) -> str:
    return f"{WEEKDAY_NAMES[day.weekday()][:3]} {day.strftime('%m-%d')}"


def duration(minutes: int) -> str:
    """``95`` -> ``1 h 35 min``."""
    h, m = divmod(int(minutes), 60)
    if h and m:
        return f"{h} h {m} min"
    return f"{h} h" if h else f"{m} min"


def short_duration(minutes: int) -> str:
    """``95`` -> ``1h35``; for narrow columns."""
    h, m = divmod(int(minutes), 60)
    if h and m:
        return f"{h}h{m:02d}"
    return f"{h}h" if h else f"{m}m"


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def merge(intervals: Iterable[Window]) -> list[Window]:
    out: list[Window] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def overlap(intervals: Sequence[Window], lo: int, hi: int) -> int:
    """Minutes of ``intervals`` (merged) that fall in [lo, hi)."""
    total = 0
    for s, e in intervals:
        if e <= lo:
            continue
        if s >= hi:
            break
        total += min(e, hi) - max(s, lo)
    return total


def free_intervals(windows: Sequence[Window], busy: Sequence[Window]) -> list[Window]:
    """The parts of ``windows`` not covered by ``busy`` (both merged and sorted)."""
    out: list[Window] = []
    for ws, we in windows:
        cursor = ws
        for bs, be in busy:
            if be <= cursor or bs >= we:
                continue
            if bs > cursor:
                out.append((cursor, bs))
            cursor = max(cursor, be)
        if cursor < we:
            out.append((cursor, we))
    return out


def down_span(opening: Sequence[Window], start: int, end: int) -> str:
    """A chair's outage as a note says it: ``all day`` when it covers every opening hour
    of the day, else its times."""
    if opening and start <= opening[0][0] and end >= opening[-1][1]:
        return "all day"
    return f"{hhmm(start)}-{hhmm(end)}"


def windows_text(windows: Sequence[Window]) -> str:
    return ", ".join(f"{hhmm(s)}-{hhmm(e)}" for s, e in windows)


class ScheduleFacts:
    """A schedule read for display: bookings by local day and by patient."""

    def __init__(self, schedule: Schedule, clinic: Clinic, calendar: ClinicCalendar, today: dt.date,
                 roster: Sequence[Patient] = (), include_names: bool = False) -> None:
        self.schedule = schedule
        self.roster: dict[str, Patient] = {}
        for entry in roster:
            self.roster.setdefault(entry.id, entry)
        self.include_names = include_names
        self.clinic = clinic
        self.calendar = calendar
        self.today = today
        self.zone = clinic.zone
        self.by_day: dict[dt.date, list[Booking]] = {}
        self.by_patient: dict[str, list[Booking]] = {}
        self.patients: dict[str, ScheduledPatient] = {p.id: p for p in schedule.patients}
        for patient in schedule.patients:
            protocol = clinic.protocols.get(patient.protocol)
            total = protocol.total_sessions if protocol else None
            missed: dict[int, dt.datetime] = {}
            for appt in patient.appointments:
                if appt.status == "missed" and appt.session is not None:
                    first = missed.get(appt.session)
                    missed[appt.session] = appt.start if first is None else min(first, appt.start)
            placed = []
            for appt in patient.appointments:
                local = appt.start.astimezone(self.zone)
                start = local.hour * 60 + local.minute
                makeup = (appt.status in ("planned", "done") and appt.session in missed
                          and appt.start > missed[appt.session])
                booking = Booking(patient.id, appt, local.date(), start, start + appt.minutes, total, makeup,
                                  first_session_name(protocol), appt.monitor_minutes or 0)
                placed.append(booking)
                self.by_day.setdefault(booking.day, []).append(booking)
            placed.sort(key=_order)
            self.by_patient[patient.id] = placed
        for bookings in self.by_day.values():
            bookings.sort(key=_order)
        known = [c.id for c in clinic.chairs]
        named = {a.chair for p in schedule.patients for a in p.appointments if a.chair}
        self._chair_ids = known + sorted(named - set(known))
        days = sorted(self.by_day)
        self.first_day: dt.date | None = days[0] if days else None
        self.last_day: dt.date | None = days[-1] if days else None
        self._busy: dict[tuple[dt.date, str | None], list[Window]] = {}
        self._unstaffed: dict[dt.date, list[tuple[Window, str]]] = {}

    # -- lookups -------------------------------------------------------------------
    def label(self, patient_id: str) -> str:
        """The patient's id, and the roster's name after it with ``--include-names``."""
        entry = self.roster.get(patient_id)
        if self.include_names and entry is not None and entry.name:
            return f"{patient_id} {entry.name}"
        return patient_id

    def phone(self, patient_id: str) -> str:
        """The roster's phone number with ``--include-names``, else empty."""
        entry = self.roster.get(patient_id)
        if self.include_names and entry is not None and entry.phone:
            return entry.phone
        return ""

    def protocol_of(self, patient_id: str) -> Protocol | None:
        patient = self.patients.get(patient_id)
        return self.clinic.protocols.get(patient.protocol) if patient else None

    def chair_ids(self) -> list[str]:
        """The clinic's chairs in file order, then any chair only the schedule names."""
        return list(self._chair_ids)

    def chair_label(self, chair_id: str) -> str:
        chair = self.clinic.chair(chair_id)
        return f"{chair_id} {chair.name}".strip() if chair else f"{chair_id} (not in the clinic file)"

    def bookings(self, day: dt.date, chair: str | None = None, patient: str | None = None,
                 cancelled: bool = False) -> list[Booking]:
        """The day's appointments in time order; cancelled ones only when asked for."""
        out = []
        for b in self.by_day.get(day, ()):
            if chair is not None and b.chair != chair:
                continue
            if patient is not None and b.patient != patient:
                continue
            if b.status == "cancelled" and not cancelled:
                continue
            out.append(b)
        return out

    def busy(self, day: dt.date, chair: str | None) -> list[Window]:
        """Merged live intervals on one chair, or of every appointment when ``chair`` is None."""
        key = (day, chair)
        cached = self._busy.get(key)
        if cached is None:
            cached = merge((b.start, b.chair_end) for b in self.by_day.get(day, ())
                           if b.live and (chair is None or b.chair == chair))
            self._busy[key] = cached
        return cached

    def unstaffed(self, day: dt.date) -> list[tuple[Window, str]]:
        """Open time of ``day`` with nobody on shift, where the clinic names staff (nothing can be
        booked then), each part with why: the block or time away that took the staff off, or
        "outside staff hours" where no shift covers it."""
        cached = self._unstaffed.get(day)
        if cached is None:
            cached = self._unstaffed[day] = self._find_unstaffed(day)
        return cached

    def no_staff(self, day: dt.date) -> list[Window]:
        """The open time of ``day`` with nobody on shift, merged (``unstaffed`` without the why)."""
        return merge(w for w, _ in self.unstaffed(day))

    def free_minutes(self, day: dt.date, chair: str) -> tuple[int, int]:
        """(free, free with no staff) minutes of one chair on ``day``: open time with nothing
        under way, and the part of it with nobody on shift, which cannot be booked."""
        free = free_intervals(self.windows(day, chair), self.busy(day, chair))
        no_staff = self.no_staff(day)
        return sum(e - s for s, e in free), sum(overlap(no_staff, s, e) for s, e in free)

    def _find_unstaffed(self, day: dt.date) -> list[tuple[Window, str]]:
        if not self.clinic.staff:
            return []
        windows = self.calendar.open_windows(day)
        on_shift = merge(w for m in self.clinic.staff for w in self.calendar.staff_windows(m.id, day))
        out: list[tuple[Window, str]] = []
        for s, e in free_intervals(windows, on_shift):
            reasons: list[str] = []
            for member in self.clinic.staff:
                shift = member.hours.get(weekday_key(day), ())
                for (cs, ce), why in self.calendar.staff_away(member.id, day):
                    if overlap(shift, max(s, cs), min(e, ce)) and why not in reasons:
                        reasons.append(why)
            out.append(((s, e), "; ".join(reasons) if reasons else "outside staff hours"))
        return out

    def windows(self, day: dt.date, chair: str | None = None) -> tuple[Window, ...]:
        if chair is None:
            return self.calendar.open_windows(day)
        return self.calendar.chair_windows(chair, day)

    def time_span(self, days: list[dt.date], chair: str | None, step: int,
                  live_only: bool) -> tuple[int, int] | None:
        """The opening hours and bookings of ``days``, widened to whole ``step`` minutes."""
        starts: list[int] = []
        ends: list[int] = []
        for d in days:
            for s, e in self.weekly_hours(d):
                starts.append(s)
                ends.append(e)
            for b in self.bookings(d, chair):
                if b.live or not live_only:
                    starts.append(b.start)
                    ends.append(b.chair_end)
        if not starts:
            return None
        return min(starts) // step * step, min(24 * 60, -(-max(ends) // step) * step)

    def weekly_hours(self, day: dt.date) -> tuple[Window, ...]:
        """The clinic's usual hours on that weekday, closures aside (for a grid's extent)."""
        return tuple(self.clinic.info.hours.get(weekday_key(day), ()))

    def has_hours(self, day: dt.date) -> bool:
        return bool(self.weekly_hours(day))

    def closed_reason(self, day: dt.date) -> str | None:
        return self.calendar.closed_reason(day)

    def clock_change(self, day: dt.date) -> str | None:
        """A sentence about a daylight-saving change on ``day``, or None."""
        unstable = unstable_minutes(day, self.zone)
        if unstable is None:
            return None
        s, e = unstable
        before = dt.datetime.combine(day, dt.time()).replace(tzinfo=self.zone).utcoffset()
        after = (dt.datetime.combine(day, dt.time()) + dt.timedelta(days=1)).replace(tzinfo=self.zone).utcoffset()
        assert before is not None and after is not None
        if after > before:
            return f"clocks go forward {hhmm(s)} -> {hhmm(e)}"
        return f"clocks go back {hhmm(e)} -> {hhmm(s)}"

    def clock_changes(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
        out = []
        for day in days_between(start, end):
            change = self.clock_change(day)
            if change:
                out.append((day, change))
        return out

    def chair_minutes(self, day: dt.date, chair: str) -> tuple[int, int]:
        """(booked, available) minutes of one chair on ``day``, within its open windows."""
        windows = self.windows(day, chair)
        available = sum(e - s for s, e in windows)
        busy = self.busy(day, chair)
        booked = sum(overlap(busy, s, e) for s, e in windows)
        return booked, available

    def staff_minutes(self, day: dt.date) -> tuple[int, int]:
        """(booked, on shift) staff minutes on ``day``: every live session and assessment needs
        a person for its length (a share of one where the protocol shares staff, and for the
        monitoring after it); on shift is each staff member's shift within opening hours."""
        windows = self.calendar.open_windows(day)
        on_shift = 0
        for member in self.clinic.staff:
            for s, e in self.calendar.staff_windows(member.id, day):
                on_shift += overlap(windows, s, e)
        booked = round(sum(self._staff_share(b) for b in self.by_day.get(day, ()) if b.live))
        return booked, on_shift

    def _staff_share(self, b: Booking) -> float:
        protocol = self.protocol_of(b.patient)
        if protocol is None:
            return b.end - b.start
        unit = self.clinic.staff_unit
        return ((b.end - b.start) * self.clinic.session_units(protocol, b.kind)
                + b.monitor * self.clinic.monitor_units(protocol)) / unit


def _order(b: Booking) -> tuple:
    return (b.day, b.start, b.chair or "~", b.patient, b.appt.id)


__all__ = [
    "Booking", "ScheduleFacts", "days_between", "day_name", "duration", "free_intervals", "hhmm", "merge",
    "monday_of", "overlap", "short_day", "short_duration", "windows_text",
]
