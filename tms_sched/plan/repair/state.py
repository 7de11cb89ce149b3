"""What a replan works on: the clinic's timeline with everything kept booked on it, the
result it hands back, and the small questions every repair asks of an appointment."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from ...calendar import ClinicCalendar, contains, weekday_key
from ...model.clinic import Clinic
from ...model.patient import Patient
from ...model.protocol import Protocol
from ...model.schedule import Appointment, Schedule, ScheduledPatient, Unplaced
from ..builder import Attempt, Policy
from ..occupy import book_appointment, unbook_appointment
from ..timeline import Timeline

ONE_DAY = dt.timedelta(days=1)


@dataclass
class Move:
    patient: str
    appointment: str
    old: Appointment
    new: Appointment


@dataclass
class ReplanResult:
    schedule: Schedule
    moved: list[Move] = field(default_factory=list)
    added: list[tuple[str, Appointment]] = field(default_factory=list)
    # planned appointments in the frozen days that could not take place where they stood
    frozen_invalid: list[tuple[str, Appointment]] = field(default_factory=list)
    unmarked_past: list[tuple[str, Appointment]] = field(default_factory=list)
    # pinned appointments kept where they stand though they can no longer take place there
    pinned_invalid: list[tuple[str, Appointment]] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)

    def moved_summary(self) -> str:
        patients = {m.patient for m in self.moved}
        n, k = len(self.moved), len(patients)
        return f"{n} appointment{'s' if n != 1 else ''} of {k} patient{'s' if k != 1 else ''} moved"


class RepairContext:
    def __init__(self, clinic: Clinic, schedule: Schedule, today: dt.date, freeze_days: int,
                 policy: Policy) -> None:
        self.clinic = clinic
        self.schedule = schedule
        self.today = today
        self.freeze_until = today + dt.timedelta(days=freeze_days)
        self.policy = policy
        self.zone = clinic.zone
        self.slot = clinic.info.slot_minutes
        self.calendar = ClinicCalendar(clinic, schedule.closures)
        self.timeline = Timeline(clinic, self.calendar)
        self.protocol_of = {sp.id: clinic.protocols.get(sp.protocol) for sp in schedule.patients}
        self.revision = schedule.schedule.revision + 1
        # Other patients' planned sessions that may step aside for a course (set by the
        # replan once what stays is known; see repair.room).
        self.room = None

    def slots(self, appt: Appointment) -> tuple[dt.date, int, int, int]:
        local = appt.start.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        first = minute // self.slot
        last = -(-(minute + appt.minutes) // self.slot)
        return local.date(), minute, first, last - first

    def monitor_slots(self, appt: Appointment) -> int:
        """Slots of the monitoring after ``appt`` (the chair and patient stay held)."""
        return -(-(appt.monitor_minutes or 0) // self.slot)

    def book(self, patient_id: str, appt: Appointment) -> None:
        book_appointment(self.timeline, self.clinic, self.protocol_of.get(patient_id), patient_id, appt)

    def fits(self, patient_id: str, patient: Patient | None, protocol: Protocol | None,
             appt: Appointment) -> bool:
        """Whether a planned appointment still keeps every rule where it stands."""
        day, minute, first, length = self.slots(appt)
        monitor = self.monitor_slots(appt)
        end = minute + appt.minutes
        tl = self.timeline
        mask = ((1 << length) - 1) << first
        watch = ((1 << monitor) - 1) << (first + length)  # the monitoring after a session
        if appt.kind != "assessment":
            chair = self.clinic.chair(appt.chair or "")
            if chair is None or protocol is None or protocol.capability not in chair.capabilities:
                return False
            if not contains(self.calendar.chair_windows(chair.id, day), minute, end + (appt.monitor_minutes or 0)):
                return False
            if not self._session_room(chair.id, day, protocol, appt.kind, mask, watch):
                return False
            if patient is not None:
                if patient.start_after and day < patient.start_after:
                    return False
                if patient.deadline and day > patient.deadline:
                    return False
        else:
            if not contains(self.calendar.open_windows(day), minute, end):
                return False
            if tl.has_staff and tl.headroom(day) & mask != mask:
                return False
        if patient is not None:
            hours = patient.availability if patient.availability is not None else self.clinic.info.hours
            if day in patient.unavailable or not contains(hours.get(weekday_key(day), ()), minute,
                                                           end + (appt.monitor_minutes or 0)):
                return False
        # a clash with the patient's other bookings; not the booking notice (min_notice_hours),
        # which keeps new bookings out of the next hours, not those already made
        if tl.patient_busy.get((patient_id, day), 0) & (mask | watch):
            return False
        if self.clinic.staff:
            needs = appt.kind == "mapping" or appt.kind == "assessment"
            if needs and not appt.staff:
                return False
            if appt.staff:
                member = self.clinic.staff_member(appt.staff)
                if member is None:
                    return False
                if appt.kind == "mapping" and protocol and member.role != protocol.first_session_staff:
                    return False
                if appt.kind == "assessment" and member.role not in ("physician", "clinician"):
                    return False
                if tl.staff_free(member.id, day) & mask != mask:
                    return False
        return True

    def _session_room(self, chair: str, day: dt.date, protocol: Protocol, kind: str, mask: int,
                      watch: int) -> bool:
        """The chair free for the session and its monitoring, head-count room for each part,
        the supervising role on shift through the session and the monitoring role through
        the monitoring."""
        tl = self.timeline
        free = tl.chair_open(chair, day) & ~tl.chair_busy.get((chair, day), 0)
        if free & (mask | watch) != mask | watch:
            return False
        if not tl.has_staff:
            return True
        if tl.headroom(day, self.clinic.session_units(protocol, kind)) & mask != mask:
            return False
        role = self.clinic.supervision_for(protocol)
        if role and tl.role_open(role, day) & mask != mask:
            return False
        if watch:
            if tl.headroom(day, self.clinic.monitor_units(protocol)) & watch != watch:
                return False
            if protocol.monitor_role and tl.role_open(protocol.monitor_role, day) & watch != watch:
                return False
        return True


def next_id(taken: set[str], base: str) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def usual_place(ctx: RepairContext, sessions: Sequence[Appointment]) -> tuple[int | None, str | None]:
    """Usual start slot and chair of a course's live sessions."""
    if not sessions:
        return None, None
    starts = [ctx.slots(a)[2] for a in sessions]
    chairs = [a.chair for a in sessions if a.chair]
    chair = max(sorted(set(chairs)), key=chairs.count) if chairs else None
    return int(statistics.median(starts)), chair


def valid_alone(ctx: RepairContext, patient: Patient | None, protocol: Protocol | None, appt: Appointment) -> bool:
    """Rules of the appointment's own place (hours, closures, chair, availability), not clashes."""
    day, minute, _, _ = ctx.slots(appt)
    end = minute + appt.minutes
    if appt.kind != "assessment":
        end += appt.monitor_minutes or 0  # the patient stays in the chair, observed
        chair = ctx.clinic.chair(appt.chair or "")
        if chair is None or not contains(ctx.calendar.chair_windows(chair.id, day), minute, end):
            return False
    elif not contains(ctx.calendar.open_windows(day), minute, end):
        return False
    return True


def staffed_alone(ctx: RepairContext, appt: Appointment) -> bool:
    """Staff on shift for the appointment's whole length, where the clinic names staff: its
    named person, or else anyone (time away and staff ``[[blocks]]`` taken off)."""
    if not ctx.clinic.staff:
        return True
    day, minute, _, _ = ctx.slots(appt)
    end = minute + appt.minutes
    if appt.staff:
        return contains(ctx.calendar.staff_windows(appt.staff, day), minute, end)
    covered = minute
    for s, e in sorted(w for m in ctx.clinic.staff for w in ctx.calendar.staff_windows(m.id, day)):
        if s > covered:
            break
        covered = max(covered, e)
    return covered >= end


def unbook(ctx: RepairContext, patient_id: str, appt: Appointment) -> None:
    """Free what a kept appointment occupied (it is about to move)."""
    unbook_appointment(ctx.timeline, ctx.clinic, ctx.protocol_of.get(patient_id), patient_id, appt)


def session_days(ctx: RepairContext, live: list[Appointment], attempt: Attempt) -> list[dt.date]:
    days = [a.start.astimezone(ctx.zone).date() for a in live]
    days += [b.day for b in attempt.bookings if b.kind != "assessment"]
    return sorted(days)


def first_day_limit(ctx: RepairContext, sp: ScheduledPatient, protocol: Protocol) -> dt.date | None:
    """The latest first session that keeps an assessment already given (a baseline) in its
    window, so that it need not be given twice."""
    limit = None
    for a in protocol.assessments:
        if a.anchor != "first":
            continue
        for x in sp.appointments:
            if x.kind == "assessment" and x.name == a.name and x.status == "done":
                latest = x.start.astimezone(ctx.zone).date() - dt.timedelta(days=a.window_days[0])
                limit = latest if limit is None else min(limit, latest)
    return limit
