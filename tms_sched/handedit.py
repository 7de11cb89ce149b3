"""Hand edits of a schedule: pin appointments, move one to a time agreed with the patient.

A move is judged by the same rules as ``check``: the schedule is checked before and
after, and only the findings the move causes count (a schedule that already breaks a
rule elsewhere does not block an unrelated move). Each function returns a new schedule
and never modifies the one it is given; the revision goes up by one and ``updated``
becomes today, as with every write. A moved appointment records where it stood
(``previous_start``, and with every earlier start in ``moved_from``) and takes the new
revision, so calendar exports update it and the calls view can say "moved from ... to ...".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from .attendance import AttendanceError, describe, suggest
from .check.engine import check_schedule
from .check.finding import Finding
from .check.registry import all_codes
from .io.clinic import Roster
from .model.clinic import Clinic
from .model.schedule import Appointment, Schedule, ScheduledPatient
from .tz import load_zone, unstable_minutes


@dataclass
class Edited:
    """The schedule after a hand edit, what changed, and what the coordinator should know."""

    schedule: Schedule
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    caused: list[Finding] = field(default_factory=list)  # findings a move causes (blocking unless forced)
    # a pinned appointment's place breaks these rules: the replan keeps it there all the same
    pinned_badly: list[Finding] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def find_appointment(schedule: Schedule, appointment_id: str) -> tuple[int, ScheduledPatient, int, Appointment]:
    """The patient and appointment with this id (positions too, for error lines)."""
    for pi, patient in enumerate(schedule.patients):
        for ai, appt in enumerate(patient.appointments):
            if appt.id == appointment_id:
                return pi, patient, ai, appt
    ids = [a.id for _, a in schedule.appointments()]
    if not ids:
        raise AttendanceError(f"no appointment '{appointment_id}': the schedule has no appointments")
    raise AttendanceError(f"no appointment '{appointment_id}' in the schedule (appointment ids are the `id` "
                          f"of each line; `tms-sched show SCHEDULE --view patient` lists them)"
                          f"{suggest(appointment_id, ids)}")


def _bump(schedule: Schedule, today: dt.date) -> int:
    schedule.schedule.revision += 1
    schedule.schedule.updated = today
    return schedule.schedule.revision


# The rules about an appointment's own place and time: what a pin holds on to, right or wrong.
PLACE_CODES = ("TMS003", "TMS004", "TMS005", "TMS006", "TMS007", "TMS013", "TMS019")


def place_findings(clinic: Clinic, schedule: Schedule, appointment_ids: Sequence[str], file: str = "schedule",
                   roster: Roster | None = None) -> list[Finding]:
    """The errors `check` reports about where and when these appointments stand (closed,
    chair down, nobody or not their named person on shift, outside the patient's hours)."""
    codes = [c for c in PLACE_CODES if c in all_codes()]
    wanted = set(appointment_ids)
    report = check_schedule(clinic, schedule, file, None, roster, codes)
    return [f for f in report.findings if f.appointment in wanted and f.severity == "error"]


def set_pins(schedule: Schedule, appointment_ids: Sequence[str], pinned: bool, today: dt.date, *,
             clinic: Clinic | None = None, file: str = "schedule") -> Edited:
    """Pin (or unpin) each appointment; history needs no pin and is left as it is. With
    ``clinic``, ``pinned_badly`` lists the rules the pinned appointments' places break."""
    out = schedule.model_copy(deep=True)
    edited = Edited(out)
    zone = load_zone(out.schedule.timezone)
    seen: set[str] = set()
    for appointment_id in appointment_ids:
        if appointment_id in seen:
            continue
        seen.add(appointment_id)
        pi, patient, ai, appt = find_appointment(out, appointment_id)
        head = f"{patient.id} {appt.start.astimezone(zone):%Y-%m-%d %H:%M} {describe(appt)} ({appt.id})"
        if appt.status != "planned":
            edited.notes.append(f"{head} is {appt.status}: history is never moved, "
                                f"so it needs no pin; left as it is")
            continue
        if appt.pinned == pinned:
            edited.notes.append(f"{head} is already {'pinned' if pinned else 'not pinned'}")
            continue
        appt.pinned = pinned
        edited.changes.append(f"{head}: {'pinned' if pinned else 'unpinned'}")
    if clinic is not None and pinned:
        edited.pinned_badly = place_findings(clinic, out, [i for i in seen if _is_planned(out, i)], file)
    if edited.changed:
        _bump(out, today)
        return edited
    return Edited(schedule, [], edited.notes, pinned_badly=edited.pinned_badly)


def _is_planned(schedule: Schedule, appointment_id: str) -> bool:
    return find_appointment(schedule, appointment_id)[3].status == "planned"


def local_start(schedule: Schedule, day: dt.date, at: dt.time) -> dt.datetime:
    """The aware start at wall-clock ``at`` on ``day`` in the schedule's zone; refuses a time
    a clock change skips or repeats (it has no single meaning)."""
    zone = load_zone(schedule.schedule.timezone)
    minute = at.hour * 60 + at.minute
    unstable = unstable_minutes(day, zone)
    if unstable is not None and unstable[0] <= minute < unstable[1]:
        raise AttendanceError(f"{day} {at:%H:%M} falls in the hour the clocks change in "
                              f"{schedule.schedule.timezone}; choose another time")
    return dt.datetime.combine(day, at).replace(tzinfo=zone)


def _key(f: Finding) -> tuple:
    return (f.code, f.patient, f.appointment, f.message)


def move_appointment(
    clinic: Clinic,
    schedule: Schedule,
    appointment_id: str,
    start: dt.datetime,
    today: dt.date,
    *,
    roster: Roster | None = None,
    chair: str | None = None,
    staff: str | None = None,
    pin: bool = False,
    now: dt.datetime | None = None,
    file: str = "schedule",
) -> Edited:
    """Move one planned appointment to ``start`` (aware), on ``chair`` / with ``staff`` when given.

    ``caused`` lists the check findings the move brings that the schedule did not have
    before; the caller refuses the move when there are any, unless forced. ``now`` is
    the moment the clinic's ``min_notice_hours`` counts from (default: start of today).
    """
    zone = load_zone(schedule.schedule.timezone)
    _, patient, _, old = find_appointment(schedule, appointment_id)
    if old.status != "planned":
        raise AttendanceError(f"{appointment_id} is {old.status}: only a planned appointment can be moved "
                              "(history stays where it happened)")
    if patient.status != "active":
        raise AttendanceError(f"{patient.id} is discharged; its appointments are not moved")
    local = start.astimezone(zone)
    if local.date() < today:
        raise AttendanceError(f"{local:%Y-%m-%d} is before today ({today}); an appointment can only move "
                              "to today or later")
    if chair is not None and old.kind == "assessment":
        raise AttendanceError(f"{appointment_id} is an assessment; it takes no chair (leave out --chair)")
    if chair is not None and clinic.chair(chair) is None:
        ids = [c.id for c in clinic.chairs]
        raise AttendanceError(f"no chair '{chair}' in the clinic{suggest(chair, ids)} (its chairs: {', '.join(ids)})")
    if staff is not None and clinic.staff_member(staff) is None:
        ids = [s.id for s in clinic.staff]
        listing = f" (its staff: {', '.join(ids)})" if ids else " (the clinic file names no staff)"
        raise AttendanceError(f"no staff member '{staff}' in the clinic{suggest(staff, ids)}{listing}")
    notice = getattr(clinic.info, "min_notice_hours", None)
    if notice:
        moment = now if now is not None else dt.datetime.combine(today, dt.time()).replace(tzinfo=zone)
        earliest = moment + dt.timedelta(hours=notice)
        if start < earliest and start != old.start:
            raise AttendanceError(f"{local:%Y-%m-%d %H:%M} is sooner than the clinic's min_notice_hours "
                                  f"({notice} h) allows; the earliest is {earliest.astimezone(zone):%Y-%m-%d %H:%M}")

    out = schedule.model_copy(deep=True)
    _, patient, _, appt = find_appointment(out, appointment_id)
    same_place = (start == old.start and (chair is None or chair == old.chair)
                  and (staff is None or staff == old.staff))
    edited = Edited(out)
    head = f"{patient.id} {describe(appt)} ({appt.id})"
    if same_place:
        if pin and not appt.pinned:
            appt.pinned = True
            edited.changes.append(f"{head}: stays at {local:%Y-%m-%d %H:%M}, pinned")
            _bump(out, today)
            edited.pinned_badly = place_findings(clinic, out, [appointment_id], file, roster)
            return edited
        edited.notes.append(f"{head} is already at {local:%Y-%m-%d %H:%M}"
                            f"{' on chair ' + old.chair if old.chair else ''}; nothing to move")
        return Edited(schedule, [], edited.notes)

    appt.start = start.astimezone(dt.timezone(start.utcoffset()))  # type: ignore[arg-type]
    if chair is not None:
        appt.chair = chair
    if staff is not None:
        appt.staff = staff
    if pin:
        appt.pinned = True
    revision = _bump(out, today)
    appt.record_move(old, revision)
    appt.revision = revision

    before = check_schedule(clinic, schedule, file, None, roster).findings
    after = check_schedule(clinic, out, file, None, roster).findings
    had = {_key(f) for f in before}
    had_here = {f.code for f in before if f.appointment == appointment_id}
    edited.caused = [f for f in after if _key(f) not in had
                     and not (f.appointment == appointment_id and f.code in had_here)]
    if pin:  # what it breaks where it stood already is not caused, but the pin holds it there
        caused = {_key(f) for f in edited.caused}
        edited.pinned_badly = [f for f in after if f.appointment == appointment_id and f.code in PLACE_CODES
                               and f.severity == "error" and _key(f) not in caused]
    where = f" on chair {appt.chair}" if appt.chair else ""
    with_staff = f" with {appt.staff}" if staff is not None else ""
    edited.changes.append(f"{head}: {old.start.astimezone(zone):%Y-%m-%d %H:%M} -> {local:%Y-%m-%d %H:%M}"
                          f"{where}{with_staff}{', pinned' if pin else ''}")
    return edited


def record_moves(before: Schedule | None, after: Schedule) -> Schedule:
    """Mark in ``after`` each planned appointment whose place differs from ``before``: it
    records the old start (``previous_start``, ``moved_from``) for the calls list. Returns ``after``."""
    if before is None:
        return after
    olds = {a.id: a for _, a in before.appointments()}
    for _, appt in after.appointments():
        old = olds.get(appt.id)
        # another chair or person at the same time is a move too, as `move` records it
        if (old is not None and appt.status == "planned"
                and (old.start, old.chair, old.staff) != (appt.start, appt.chair, appt.staff)):
            appt.record_move(old, after.schedule.revision)
    return after
