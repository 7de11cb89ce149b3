"""Why a patient could not be placed, in words a coordinator can act on."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt

from ..calendar import ClinicCalendar, intersect
from ..model.base import WEEKDAY_NAMES, WEEKDAYS
from ..model.clinic import Clinic
from ..model.patient import Patient
from ..model.protocol import DailyPhase, IntervalPhase
from .builder import CourseBuilder, Policy
from .timeline import Timeline, mask_of, run_starts


def _days_text(days: list[str]) -> str:
    names = [WEEKDAY_NAMES[WEEKDAYS.index(d)][:3] for d in days]
    return ", ".join(names)


def interval_pattern_possible(days: set[int], sessions: int, lo: int, hi: int) -> int:
    """The most sessions in a row, spaced lo..hi days apart, that weekdays ``days`` allow."""
    best = 0
    for start in days:
        # longest path over 8 weeks by dynamic programming on day offsets
        reach = {0: 1}
        for offset in range(0, 7 * 8 * max(1, hi)):
            if offset not in reach:
                continue
            for k in range(lo, hi + 1):
                if (start + offset + k) % 7 in days:
                    reach[offset + k] = max(reach.get(offset + k, 0), reach[offset] + 1)
            if reach[offset] >= sessions:
                return sessions
        best = max(best, max(reach.values()))
    return min(best, sessions)


def explain_unplaced(clinic: Clinic, calendar: ClinicCalendar, timeline: Timeline, patient: Patient,
                     today: dt.date, policy: Policy) -> str:
    protocol = clinic.protocols[patient.protocol]
    chairs = clinic.chairs_for(protocol.capability)
    if not chairs:
        return (f"no chair has capability '{protocol.capability}' that {protocol.id} needs "
                f"(add it to a chair's capabilities)")
    roles = {s.role for s in clinic.staff}
    if clinic.staff and protocol.first_session_staff not in roles:
        return (f"no {protocol.first_session_staff} on staff for the first session "
                f"(add a staff member with role = \"{protocol.first_session_staff}\")")
    hours = patient.availability if patient.availability is not None else clinic.info.hours
    open_days = [d for d in WEEKDAYS if clinic.info.hours.get(d)]
    meet = [d for d in WEEKDAYS if any(s < ce and cs < e for s, e in hours.get(d, ())
                                       for cs, ce in clinic.info.hours.get(d, ()))]
    if not meet:
        return "availability never meets the opening hours (widen the availability)"
    for phase in protocol.phases:
        if isinstance(phase, IntervalPhase):
            lo, hi = phase.every_days
            most = interval_pattern_possible({WEEKDAYS.index(d) for d in meet}, phase.sessions, lo, hi)
            if most < phase.sessions:
                # Suggest only weekdays that, added alone, make the spacing possible.
                helps = [d for d in open_days if d not in meet and interval_pattern_possible(
                    {WEEKDAYS.index(x) for x in meet + [d]}, phase.sessions, lo, hi) >= phase.sessions]
                hint = f" (add {' or '.join(WEEKDAY_NAMES[WEEKDAYS.index(d)] for d in helps[:2])} availability)" \
                    if helps else " (widen the availability to more weekdays)"
                return (f"availability {_days_text(meet)} allows at most {most} sessions {lo} to {hi} days "
                        f"apart; {protocol.id} needs {phase.sessions}{hint}")
        if isinstance(phase, DailyPhase) and not phase.consecutive and protocol.max_span_days:
            per_week = min(phase.days_per_week, len(meet))
            weeks = -(-phase.days // per_week)
            if (weeks - 1) * 7 > protocol.max_span_days:
                others = [d for d in open_days if d not in meet]
                hint = f" (add {', '.join(WEEKDAY_NAMES[WEEKDAYS.index(d)] for d in others[:3])} availability)" \
                    if others else ""
                return (f"availability {_days_text(meet)} allows {per_week} session day"
                        f"{'s' if per_week != 1 else ''} a week: {phase.sessions} sessions take about {weeks} "
                        f"weeks, longer than the {protocol.max_span_days} days {protocol.id} allows{hint}")
        if isinstance(phase, DailyPhase) and phase.consecutive:
            if len(open_days) < phase.days:
                return (f"{protocol.id} needs {phase.days} consecutive open days; the clinic opens "
                        f"{len(open_days)} days a week")
            if len(meet) < phase.days:
                return (f"{protocol.id} needs {phase.days} consecutive days; availability covers only "
                        f"{_days_text(meet)}")
            need = protocol.first_minutes + (phase.per_day - 1) * (protocol.session_minutes + phase.min_gap_minutes)
            longest = max((ws[-1][1] - ws[0][0] for ws in hours.values() if ws), default=0)
            if need > longest:
                return (f"a first day of {protocol.id} needs {need // 60} h {need % 60:02d} min in one day; "
                        f"the availability gives at most {longest // 60} h {longest % 60:02d} min")
            for first_len, label in ((protocol.first_minutes, "a first day"), (protocol.session_minutes, "a day")):
                most = max((sessions_in(intersect(hours[d], clinic.info.hours.get(d, ())), first_len,
                                        protocol.session_minutes, phase.min_gap_minutes) for d in meet), default=0)
                if most < phase.per_day:
                    return (f"{label} of {protocol.id} needs {phase.per_day} sessions {phase.min_gap_minutes} "
                            f"minutes apart; the hours the patient can come hold at most {most} "
                            "(widen the availability, or join its windows into one)")
    staff_reason = _staff_hours_reason(clinic, protocol, hours, meet)
    if staff_reason:
        return staff_reason
    far = today + dt.timedelta(weeks=clinic.info.horizon_weeks * 2)
    horizon_end = today + dt.timedelta(weeks=clinic.info.horizon_weeks)
    if patient.start_after is not None and patient.start_after > horizon_end:
        return (f"start_after {patient.start_after} lies beyond the clinic's {clinic.info.horizon_weeks}-week "
                f"horizon (its last day {horizon_end}): the course is booked by a plan once the horizon "
                "reaches it (plan again nearer the date, or raise horizon_weeks)")
    staff_binding = _staff_binding(clinic, calendar, timeline, patient, protocol, today, policy)
    if staff_binding:
        return staff_binding
    if patient.deadline is not None:
        if patient.deadline < today:
            return f"the deadline {patient.deadline} is already past (renew the authorization)"
        probe = CourseBuilder(timeline, clinic, patient, protocol, today, policy, ignore_deadline=True,
                              horizon_end=far)
        attempt = probe.search()
        if attempt is not None:
            sessions = [b for b in attempt.bookings if b.kind != "assessment"]
            first = min(b.day for b in sessions)
            last = max(b.day for b in sessions)
            return (f"the course cannot finish by the deadline {patient.deadline}: the earliest course "
                    f"that fits starts {first} and ends {last} (extend the authorization to {last}, "
                    "or widen the availability)")
        return (f"no course fits before the deadline {patient.deadline}, nor after it in the next "
                f"{2 * clinic.info.horizon_weeks} weeks (twice the clinic's {clinic.info.horizon_weeks}-week horizon)")
    probe = CourseBuilder(timeline, clinic, patient, protocol, today, policy, horizon_end=far)
    attempt = probe.search()
    what = "chairs and staff" if clinic.staff else "chairs"
    if attempt is not None:
        first = min(b.day for b in attempt.bookings if b.kind != "assessment")
        return (f"no room within the {clinic.info.horizon_weeks}-week horizon: {what} with capability "
                f"'{protocol.capability}' are full; the earliest start that fits is {first}")
    if clinic.staff:
        # Would the course fit if nobody had to be on shift? Then the staff hours block it.
        free = _without_staff(clinic, calendar, timeline)
        unstaffed = CourseBuilder(free, free.clinic, patient, protocol, today, policy, horizon_end=far).search()
        if unstaffed is not None:
            first = min(b.day for b in unstaffed.bookings if b.kind != "assessment")
            return (f"no complete course fits the staff's shifts: the chairs alone would allow a start on {first}, "
                    f"but on too few days is someone on shift at the times the patient can come "
                    f"(extend the staff hours, or widen the availability)")
    if probe.failure:
        return f"no complete course fits: {probe.failure} (check staff hours for assessments)"
    return (f"no complete course fits in the next {2 * clinic.info.horizon_weeks} weeks (twice the clinic's "
            f"{clinic.info.horizon_weeks}-week horizon) with this availability and the {what} free "
            "(widen the availability or add capacity)")


def _staff_binding(clinic: Clinic, calendar: ClinicCalendar, timeline: Timeline, patient: Patient, protocol,
                   today: dt.date, policy: Policy) -> str | None:
    """A reason naming the staff when their shifts, and nothing else, keep the course out of
    its window (the deadline, else the horizon): it would fit with the staff's hours widened
    to the opening hours. The physician's hours are tried alone first."""
    if not clinic.staff:
        return None
    full = {d: w for d, w in clinic.info.hours.items()}

    def fits_with(staff) -> dt.date | None:
        relaxed = dataclasses.replace(clinic, staff=staff)
        tl = _restaffed(timeline, relaxed)
        attempt = CourseBuilder(tl, relaxed, patient, protocol, today, policy).search()
        if attempt is None:
            return None
        return min(b.day for b in attempt.bookings if b.kind != "assessment")

    free = _without_staff(clinic, calendar, timeline)
    if CourseBuilder(free, free.clinic, patient, protocol, today, policy).search() is None:
        return None  # even with nobody needed on shift it does not fit: the staff are not what binds
    role = protocol.first_session_staff
    others = fits_with([m if m.role == role else m.model_copy(update={"hours": full}) for m in clinic.staff])
    if others is not None:
        names = ", ".join(m.id for m in clinic.staff if m.role != role) or "the staff"
        return (f"no complete course fits the staff's shifts: with {names} on shift whenever the clinic is "
                f"open the course could start {others}, but today's shifts leave too few staff at the times "
                "the patient can come (extend the staff hours)")
    first = fits_with([m.model_copy(update={"hours": full}) if m.role == role else m for m in clinic.staff])
    if first is not None:
        names = ", ".join(m.id for m in clinic.staff if m.role == role)
        return (f"the first session needs a {role} on shift, and the {role}'s hours ({names}) leave no room "
                f"for it in the window the patient can take: with a {role} on shift whenever the clinic is open "
                f"the course could start {first} (extend {names}'s hours)")
    first = fits_with([m.model_copy(update={"hours": full}) for m in clinic.staff])
    if first is not None:
        return (f"no complete course fits the staff's shifts: with everyone on shift whenever the clinic is "
                f"open the course could start {first} (extend the staff hours)")
    return None


def _restaffed(timeline: Timeline, relaxed: Clinic) -> Timeline:
    """The same bookings, head-count included, with ``relaxed``'s staff on shift."""
    tl = timeline.copy()
    calendar = copy.copy(timeline.calendar)
    calendar.clinic = relaxed
    tl.clinic, tl.calendar = relaxed, calendar
    tl._staff_open, tl._exactly, tl.full, tl._roles = {}, {}, {}, {}
    for day in tl.levels:
        tl._refresh(day)
    return tl


def _staff_hours_reason(clinic: Clinic, protocol, hours, meet: list[str]) -> str | None:
    """A reason when no shift of the needed role ever meets the patient's availability."""
    if not clinic.staff:
        return None
    slot = clinic.info.slot_minutes
    role = protocol.first_session_staff
    mappers = [s for s in clinic.staff if s.role == role]
    first = -(-protocol.first_minutes // slot)

    def shared(day: str, member) -> int:
        """Slots the patient, the opening hours and ``member``'s shift all cover on ``day``."""
        return (mask_of(hours.get(day, ()), slot) & mask_of(clinic.info.hours.get(day, ()), slot)
                & mask_of(member.hours.get(day, ()), slot))

    fits = [d for d in meet for m in mappers if run_starts(shared(d, m), first)]
    if not fits:
        return (f"the first session needs a {role} on shift for {protocol.first_minutes} minutes within the "
                f"patient's availability ({_days_text(meet)}), and no {role}'s hours meet it "
                f"(change a {role}'s hours, or widen the availability)")
    if protocol.assessments:
        shortest = min(a.minutes for a in protocol.assessments)
        assessors = [s for s in clinic.staff if s.role in ("physician", "clinician")]
        if not any(run_starts(shared(d, m), -(-shortest // slot)) for d in meet for m in assessors):
            return (f"the assessments need a physician or clinician on shift within the patient's availability "
                    f"({_days_text(meet)}), and no one's hours meet it (change a clinician's hours, or widen "
                    f"the availability)")
    return None


def _without_staff(clinic: Clinic, calendar: ClinicCalendar, timeline: Timeline) -> Timeline:
    """The same bookings on a timeline where nobody needs to be on shift."""
    bare = dataclasses.replace(clinic, staff=[])
    free = Timeline(bare, calendar)
    free.chair_busy = dict(timeline.chair_busy)
    free.patient_busy = dict(timeline.patient_busy)
    return free


def sessions_in(windows, first: int, length: int, gap: int) -> int:
    """How many sessions fit in ``windows`` (minutes), the first ``first`` minutes long and
    the others ``length``, each ``gap`` minutes after the previous one ends. Taking each
    session as early as it fits gives the most."""
    count, t, size = 0, 0, first
    for start, end in windows:
        t = max(t, start)
        while t + size <= end:
            count, t, size = count + 1, t + size + gap, length
    return count
