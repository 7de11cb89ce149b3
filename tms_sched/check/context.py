"""What every rule reads: the schedule's appointments in clinic wall-clock time, per course.

Built once per schedule so that each rule is a short function over prepared views.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..calendar import ClinicCalendar
from ..io.clinic import Roster
from ..io.tomlpos import PositionIndex
from ..model.base import WEEKDAY_NAMES
from ..model.clinic import Clinic
from ..model.patient import Patient
from ..model.protocol import DailyPhase, IntervalPhase, Protocol, WeeklyPhase
from ..model.schedule import Appointment, Schedule, ScheduledPatient
from .finding import Finding
from .registry import rule_of

SESSION_KINDS = ("mapping", "treatment")
Phase = DailyPhase | WeeklyPhase | IntervalPhase


def hhmm(minute: int) -> str:
    minute %= 24 * 60
    return f"{minute // 60:02d}:{minute % 60:02d}"


def day_text(day: dt.date) -> str:
    return f"{WEEKDAY_NAMES[day.weekday()][:3]} {day.isoformat()}"


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(eq=False)
class Booking:
    """One appointment with its place in the file and its clinic wall-clock position."""

    patient: str
    patient_index: int
    index: int
    appt: Appointment
    day: dt.date
    start_min: int
    end_min: int
    """Minutes after local midnight of ``day``; past 1440 when it runs over midnight."""

    @property
    def id(self) -> str:
        return self.appt.id

    @property
    def path(self) -> tuple[str | int, ...]:
        """Where it stands in the file: ``("patients", i, "appointments", j)``."""
        return ("patients", self.patient_index, "appointments", self.index)

    @property
    def kind(self) -> str:
        return self.appt.kind

    @property
    def is_session(self) -> bool:
        return self.appt.kind in SESSION_KINDS

    @property
    def live(self) -> bool:
        return self.appt.status in ("planned", "done")

    @property
    def planned(self) -> bool:
        return self.appt.status == "planned"

    @property
    def start(self) -> dt.datetime:
        return self.appt.start

    @property
    def end(self) -> dt.datetime:
        return self.appt.end

    @property
    def monitor_min(self) -> int:
        """Minutes of monitoring after the session (in the same chair); 0 when none."""
        return self.appt.monitor_minutes or 0

    @property
    def chair_end(self) -> dt.datetime:
        """When the patient leaves the chair: after the session and its monitoring."""
        return self.appt.chair_end

    @property
    def chair_end_min(self) -> int:
        return self.end_min + self.monitor_min

    def order(self) -> tuple[dt.datetime, int, str]:
        return (self.appt.start, self.appt.session or 0, self.appt.id)

    def span(self) -> str:
        """``08:00-08:40 on Mon 2026-12-07`` (``08:00-08:15 (+120 min monitoring) on ...``)."""
        monitoring = f" (+{self.monitor_min} min monitoring)" if self.monitor_min else ""
        return f"{hhmm(self.start_min)}-{hhmm(self.end_min)}{monitoring} on {day_text(self.day)}"

    def what(self) -> str:
        """``session 3 (P-0001-03)`` or ``assessment baseline (P-0001-b)``."""
        if self.is_session:
            label = "mapping session" if self.kind == "mapping" else "session"
            return f"{label} {self.appt.session} ({self.id})"
        return f"assessment {self.appt.name} ({self.id})"


@dataclass(eq=False)
class Course:
    """One ``[[patients]]`` entry: its protocol, its roster entry and its appointments."""

    patient: ScheduledPatient
    index: int
    protocol: Protocol | None
    roster: Patient | None
    bookings: list[Booking] = field(default_factory=list)
    sessions: list[Booking] = field(default_factory=list)
    """Live mapping and treatment appointments, in time order."""
    missed: list[Booking] = field(default_factory=list)
    """Missed mapping and treatment appointments, in time order."""
    phases: list[tuple[Phase, list[Booking]]] = field(default_factory=list)
    """Each protocol phase with its live sessions: the first ``sessions`` in time, then the next."""
    _phase_by_booking: dict[int, Phase] = field(default_factory=dict, repr=False)

    @property
    def id(self) -> str:
        return self.patient.id

    @property
    def path(self) -> tuple[str | int, ...]:
        return ("patients", self.index)

    @property
    def discharged(self) -> bool:
        return self.patient.status == "discharged"

    def phase_of(self, booking: Booking) -> Phase | None:
        return self._phase_by_booking.get(id(booking))

    def set_phases(self, phases: list[tuple[Phase, list[Booking]]]) -> None:
        self.phases = phases
        self._phase_by_booking = {id(b): phase for phase, members in phases for b in members}

    @property
    def missed_numbers(self) -> set[int]:
        return {b.appt.session for b in self.missed if b.appt.session is not None}

    def is_makeup(self, booking: Booking) -> bool:
        """A live session carrying the number of a missed one, booked after it."""
        return any(m.appt.session == booking.appt.session and m.start < booking.start for m in self.missed)


class Context:
    """A schedule prepared for the rules, with the helpers they share."""

    def __init__(
        self,
        clinic: Clinic,
        schedule: Schedule,
        file: str,
        index: PositionIndex | None = None,
        roster: Roster | None = None,
    ) -> None:
        self.clinic = clinic
        self.schedule = schedule
        self.file = file
        self.index = index
        self.roster = roster
        self.zone = clinic.zone
        self.calendar = ClinicCalendar(clinic, schedule.closures)
        self.staff_rules = bool(clinic.staff)
        self.roster_patients: dict[str, Patient] = {}
        if roster is not None:
            for p in roster.patients:
                self.roster_patients.setdefault(p.id, p)
        self.bookings: list[Booking] = []
        self.courses: list[Course] = []
        for i, sp in enumerate(schedule.patients):
            course = Course(
                patient=sp,
                index=i,
                protocol=clinic.protocols.get(sp.protocol),
                roster=self.roster_patients.get(sp.id),
            )
            for j, appt in enumerate(sp.appointments):
                booking = self._booking(sp.id, i, j, appt)
                course.bookings.append(booking)
                self.bookings.append(booking)
            ordered = sorted(course.bookings, key=Booking.order)
            course.sessions = [b for b in ordered if b.is_session and b.live]
            course.missed = [b for b in ordered if b.is_session and b.appt.status == "missed"]
            course.set_phases(_slice_phases(course.protocol, course.sessions))
            self.courses.append(course)

    def _booking(self, patient: str, i: int, j: int, appt: Appointment) -> Booking:
        local = appt.start.astimezone(self.zone)
        day = local.date()
        start_min = local.hour * 60 + local.minute
        end_local = appt.end.astimezone(self.zone).replace(tzinfo=None)
        end_min = int((end_local - dt.datetime.combine(day, dt.time())).total_seconds() // 60)
        return Booking(patient, i, j, appt, day, start_min, end_min)

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of a key path; looked up only for findings (the file's index is built lazily)."""
        return self.index.line(tuple(path)) if self.index is not None else None

    def finding(
        self,
        code: str,
        message: str,
        booking: Booking | None = None,
        *,
        course: Course | None = None,
        line: int | None = None,
        file: str | None = None,
        patient: str | None = None,
    ) -> Finding:
        """A finding at ``booking`` (or at the course's patient entry, or at ``line``)."""
        rule = rule_of(code)
        if booking is not None:
            return Finding(code, rule.severity, message, file or self.file,
                           line if line is not None else self.line(booking.path),
                           patient or booking.patient, booking.id, booking.start)
        if course is not None:
            return Finding(code, rule.severity, message, file or self.file,
                           line if line is not None else self.line(course.path), patient or course.id)
        return Finding(code, rule.severity, message, file or self.file, line, patient)


def _slice_phases(protocol: Protocol | None, sessions: list[Booking]) -> list[tuple[Phase, list[Booking]]]:
    """Live sessions to phases in time order; sessions past the total join the last phase.

    Time order rather than session numbers: a make-up carries the number of the session
    it replaces but is delivered where it is, so it belongs to the phase it falls in.
    """
    if protocol is None:
        return []
    out: list[tuple[Phase, list[Booking]]] = []
    at = 0
    for k, phase in enumerate(protocol.phases):
        last = k == len(protocol.phases) - 1
        members = sessions[at:] if last else sessions[at : at + phase.sessions]
        out.append((phase, members))
        at += phase.sessions
    return out
