"""Authorizations: the planner never books more live sessions than a payer authorized.

A patient's ``authorized_sessions`` counts live sessions (mapping and treatment, done
or planned; a make-up counts, a missed or cancelled session does not). A course that
needs more sessions than that is not booked at all but listed as unplaced with the
reason; on a replan, a make-up that would go past it is not booked (the replanner leaves it
out, so the course's assessments stay placed by the sessions it really has).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..model.clinic import Clinic
from ..model.patient import Patient
from ..model.schedule import Schedule, Unplaced
from ..text import plural
from .planner import PlanResult, plan_schedule
from .replan import ReplanResult, replan


@dataclass
class Authorized:
    """The patients the planner may book, and those whose course needs more than authorized."""

    patients: list[Patient] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)


def split_by_authorization(clinic: Clinic, patients: Sequence[Patient],
                           booked: Schedule | None = None) -> Authorized:
    """Hold back every patient not yet booked whose protocol needs more sessions than authorized."""
    already = {p.id for p in booked.patients} if booked is not None else set()
    out = Authorized()
    for patient in patients:
        protocol = clinic.protocols.get(patient.protocol)
        limit = patient.authorized_sessions
        if (protocol is None or limit is None or patient.id in already
                or protocol.total_sessions <= limit):
            out.patients.append(patient)
            continue
        need = protocol.total_sessions
        out.unplaced.append(Unplaced(
            id=patient.id, protocol=patient.protocol,
            reason=f"the {patient.protocol} course needs {need} sessions but {limit} are authorized "
                   f"(authorized_sessions); ask the payer for {need - limit} more or choose a shorter protocol"))
    return out


def add_unplaced(schedule: Schedule, unplaced: Sequence[Unplaced]) -> Schedule:
    """``schedule`` with these entries under ``[[unplaced]]`` (replacing older ones of the same patient)."""
    if not unplaced:
        return schedule
    ids = {u.id for u in unplaced}
    kept = [u for u in schedule.unplaced if u.id not in ids]
    schedule.unplaced = [*kept, *unplaced]
    return schedule


def trim_past_authorization(before: Schedule | None, after: Schedule, patients: Sequence[Patient],
                            clinic: Clinic | None = None) -> list[str]:
    """Remove from ``after`` any newly booked session (a make-up) that would go past a patient's
    authorization; what was already in ``before`` stays (check reports it as TMS021). The
    replanner books no such make-up itself; this holds for whatever booked ``after``.
    Returns a sentence per patient whose course lacks sessions because the authorization is
    used up (with ``clinic``, counted against the protocol; else the sessions trimmed here)."""
    by_id = {p.id: p for p in patients if p.authorized_sessions is not None}
    old_ids = {a.id for _, a in before.appointments()} if before is not None else set()
    notes: list[str] = []
    for sp in after.patients:
        patient = by_id.get(sp.id)
        if patient is None:
            continue
        limit = patient.authorized_sessions
        assert limit is not None
        live = sorted((a for a in sp.appointments if a.kind != "assessment" and a.live),
                      key=lambda a: (a.start, a.id))
        drop = {a.id for a in live[limit:] if a.id not in old_ids}
        if drop:
            sp.appointments = [a for a in sp.appointments if a.id not in drop]
        protocol = clinic.protocols.get(sp.protocol) if clinic is not None else None
        booked = len(live) - len(drop)
        short = max(0, protocol.total_sessions - booked) if protocol is not None else len(drop)
        if short and booked >= limit and sp.status == "active":
            notes.append(f"{sp.id}: {plural(short, 'session')} not booked: "
                         f"{limit} authorized (authorized_sessions) are all booked or done")
    return notes


def plan_within_authorization(clinic: Clinic, patients: Sequence[Patient], today: dt.date,
                              **options: Any) -> PlanResult:
    """A fresh plan that books no course needing more sessions than its patient's authorization;
    such a course is listed under ``[[unplaced]]`` with the reason. ``options`` go to the planner."""
    allowed = split_by_authorization(clinic, patients)
    result = plan_schedule(clinic, allowed.patients, today, **options)
    add_unplaced(result.schedule, allowed.unplaced)
    return result


def replan_within_authorization(clinic: Clinic, existing: Schedule, patients: Sequence[Patient],
                                today: dt.date, **options: Any) -> tuple[ReplanResult, list[str]]:
    """A replan of ``existing`` that books nothing past a patient's authorization: new courses that
    need more are listed as unplaced, make-ups past it are not booked. Returns the replan and a
    sentence per patient whose make-ups were held back. ``options`` go to the replanner."""
    allowed = split_by_authorization(clinic, patients, existing)
    result = replan(clinic, existing, allowed.patients, today, **options)
    notes = trim_past_authorization(existing, result.schedule, patients, clinic)
    add_unplaced(result.schedule, allowed.unplaced)
    return result, notes
