"""Replanning on top of an existing schedule.

Policies (docs/replanning.md tells them to coordinators):

- History never moves: done, missed and cancelled appointments are kept exactly.
- A planned appointment stays where it is unless it now breaks a rule (a closure, a
  chair down, changed hours, availability or staff, a clash); then it moves, keeping
  its id (calendars update it rather than duplicate it) and taking the new revision.
- ``freeze_days``: nothing planned in the next N days moves, and nothing new is
  booked there; only an appointment there that cannot take place where it stands (a
  closure, chair downtime, changed hours) moves out of them, and is reported.
- A missed or cancelled session gets a make-up: a new appointment with its own id
  (``P-0001-07m``) carrying the missed session's number. Standard courses are
  extended at their end; a missed mapping is rebooked before any further treatment
  (treatments planned before it move after it); accelerated courses take the make-up
  the same day when the gaps allow, else on a course day with room, else on the day
  after the last one if that keeps the days consecutive, else the patient is
  reported for a clinician's decision. A make-up that would break ``max_gap_days``
  is reported, not booked.
- Where a course would lose a day only because another patient's once-daily session
  (or mapping) holds the chair or the physician, that session steps aside the same day
  (``repair.room``): another chair at its time first, else a time near it.
- Assessments follow the course: one that falls outside its window once the course
  has changed moves; a missed one is booked again.
- Discharged patients are never rebooked. Patients new to the roster are planned as
  in a first plan, around everything already booked; the search after it (``effort``)
  moves only their courses.

The work is split by job under ``tms_sched.plan.repair``; this module ties it together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from ..calendar import earliest_booking
from ..model.clinic import Clinic
from ..model.patient import Patient
from ..model.schedule import (
    Appointment,
    Schedule,
    ScheduledPatient,
    ScheduleInfo,
    Unplaced,
)
from .builder import Policy
from .diagnose import explain_unplaced
from .planner import PatientPlan, to_appointments
from .repair.course import complete_course
from .repair.history import hold, sort_existing
from .repair.makeups import every_days_of
from .repair.referrals import plan_referrals
from .repair.room import Room
from .repair.state import Move, RepairContext, ReplanResult
from .search import EFFORTS

__all__ = ["Move", "ReplanResult", "every_days_of", "replan"]


def replan(clinic: Clinic, schedule: Schedule, patients: Sequence[Patient], today: dt.date, *,
           freeze_days: int = 0, policy: Policy | None = None,
           progress: Callable[[int, int], None] | None = None, now_minute: int | None = None,
           effort: str = "fast") -> ReplanResult:
    """``now_minute`` (minutes after midnight): nothing new is booked on ``today`` before it.
    ``effort`` (fast, normal, thorough): how long the search for a better plan of the
    patients new to the roster may run; it moves only their courses (fast: none)."""
    if effort not in EFFORTS:
        raise ValueError(f"effort must be one of {', '.join(EFFORTS)}, not {effort!r}")
    policy = policy or Policy()
    ctx = RepairContext(clinic, schedule, today, freeze_days, policy)
    ctx.timeline.set_now(*earliest_booking(clinic, today, now_minute))  # now, plus min_notice_hours
    roster = {p.id: p for p in patients}
    result = ReplanResult(schedule=schedule)

    keep, invalid, past_ids = sort_existing(ctx, schedule, roster, now_minute, result)
    ctx.room = room = Room(ctx, keep, roster, past_ids)
    # 3. Each active patient's course is completed: make-ups, moves, assessments.
    new_lines: dict[str, list[Appointment]] = {}
    replaced: dict[str, Appointment] = {}
    failures: dict[str, str] = {}
    moves: dict[str, Move] = {}

    def record(pid: str, old: Appointment, new: Appointment) -> None:
        """One appointment's move; moved again later (it stepped aside for another course
        first), it is still one move, from where it was to where it ends."""
        replaced[old.id] = new
        if old.id in moves:
            moves[old.id].new = new
        else:
            moves[old.id] = Move(pid, old.id, old, new)
            result.moved.append(moves[old.id])

    def stepped_aside(mark: int) -> None:
        """The sessions other courses' patients moved to make room, since ``mark``."""
        for r in room.moves[mark:]:
            lines = new_lines.get(r.patient, [])
            fresh = next((i for i, a in enumerate(lines) if a.id == r.old.id), None)
            if fresh is not None:  # booked new in this replan: it is still one new appointment
                lines[fresh] = r.new
                result.added[result.added.index((r.patient, r.old))] = (r.patient, r.new)
            else:
                record(r.patient, r.old, r.new)

    ordered = sorted(schedule.patients, key=lambda sp: (
        roster.get(sp.id).priority != "urgent" if sp.id in roster else True, sp.id))
    for i, sp in enumerate(ordered):
        if sp.status == "discharged" or sp.protocol not in clinic.protocols:
            continue
        patient = roster.get(sp.id) or Patient(id=sp.id, protocol=sp.protocol)
        mark = room.begin(sp.id)
        outcome = complete_course(ctx, sp, patient, keep[sp.id], invalid.get(sp.id, []))
        if isinstance(outcome, str):
            room.undo(mark)
            failures[sp.id] = outcome
            # The course goes on hold for a clinician: its planned appointments from the
            # frozen days on are cancelled (a broken one never stays), nothing is half-booked.
            given_up = hold(ctx, sp, keep[sp.id], invalid.get(sp.id, []), past_ids)
            room.settled(sp.id, given_up, [])
            for old in given_up:
                new = old.model_copy(update={"status": "cancelled", "revision": ctx.revision,
                                             "note": ((old.note + "; ") if old.note else "")
                                             + "on hold for a clinician's decision (see [[unplaced]])"})
                record(sp.id, old, new)
            continue
        moved, added = outcome
        for old, new in moved:
            record(sp.id, old, new)
        new_lines[sp.id] = added
        result.added.extend((sp.id, a) for a in added)
        room.settled(sp.id, [old for old, _ in moved],
                     [new for _, new in moved if new.status == "planned"] + added)
        stepped_aside(mark)

    # 4. Patients new to the roster, planned around everything booked.
    known = {sp.id for sp in schedule.patients}
    fresh = [p for p in patients if p.id not in known]
    plans: list[PatientPlan] = []
    failed: list[Patient] = []
    if fresh:
        plans, failed = plan_referrals(ctx, fresh, progress, effort=effort)

    # 5. The new schedule: existing patients in their order, lines kept in place.
    out_patients: list[ScheduledPatient] = []
    for sp in schedule.patients:
        appts = [replaced.get(a.id, a) for a in sp.appointments] + new_lines.get(sp.id, [])
        out_patients.append(sp.model_copy(update={"appointments": appts}))
    for plan in sorted(plans, key=lambda p: p.patient.id):
        appointments = to_appointments(clinic, plan, ctx.revision)
        out_patients.append(ScheduledPatient(id=plan.patient.id, protocol=plan.patient.protocol,
                                             appointments=appointments))
    # A course already on hold keeps the reason it was put on hold with (its planned
    # appointments cancelled since, the search now fails on more sessions, same cause).
    held = {u.id: u.reason for u in schedule.unplaced}
    unplaced = [Unplaced(id=pid, protocol=schedule.patient(pid).protocol, reason=held.get(pid, why))
                for pid, why in sorted(failures.items())]
    unplaced += [Unplaced(id=p.id, protocol=p.protocol,
                          reason=explain_unplaced(clinic, ctx.calendar, ctx.timeline, p, today, policy))
                 for p in sorted(failed, key=lambda p: p.id)]
    changed = bool(result.moved or result.added or plans or unplaced != schedule.unplaced
                   or [sp.id for sp in schedule.patients] != [sp.id for sp in out_patients])
    info = schedule.schedule
    new_info = ScheduleInfo(clinic=clinic.info.name, timezone=clinic.info.timezone,
                            revision=ctx.revision if changed else info.revision,
                            updated=today if changed else info.updated)
    result.schedule = Schedule(schedule=new_info, patients=out_patients, closures=schedule.closures,
                               unplaced=unplaced)
    result.unplaced = unplaced
    return result
