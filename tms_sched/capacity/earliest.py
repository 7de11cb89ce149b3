"""The earliest start a new patient of each protocol could get, booked as `plan` would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..model.clinic import Clinic
from ..model.patient import Patient
from ..model.schedule import Schedule
from ..plan.authorized import plan_within_authorization, replan_within_authorization


@dataclass(frozen=True)
class Start:
    """Where a new course's first session would go; ``reason`` says why none when ``date`` is None."""

    protocol: str
    date: dt.date | None = None
    time: str | None = None
    chair: str | None = None
    staff: str | None = None
    reason: str | None = None


def probe_id(protocol: str, taken: set[str]) -> str:
    base = f"new-{protocol}"
    pid, n = base, 2
    while pid in taken:
        pid, n = f"{base}-{n}", n + 1
    return pid


def next_starts(clinic: Clinic, schedule: Schedule | None, roster: Sequence[Patient], today: dt.date, *,
                now_minute: int | None = None, protocols: Sequence[str] | None = None) -> list[Start]:
    """For each protocol, plan one more patient, free whenever the clinic opens and ready
    today, exactly as `tms-sched plan` (with ``schedule``: `plan --schedule`) would with the
    roster (within each patient's authorized sessions), and report the first session it gets. Nothing is written."""
    taken = {p.id for p in roster} | ({sp.id for sp in schedule.patients} if schedule else set())
    out = []
    zone = clinic.zone
    for protocol in protocols if protocols is not None else sorted(clinic.protocols):
        probe = Patient(id=probe_id(protocol, taken), protocol=protocol)
        patients = [*roster, probe]
        if schedule is not None:
            result, _ = replan_within_authorization(clinic, schedule, patients, today, now_minute=now_minute)
            booked, unplaced = result.schedule.patients, result.schedule.unplaced
        else:
            fresh = plan_within_authorization(clinic, patients, today, now_minute=now_minute)
            booked, unplaced = fresh.schedule.patients, fresh.schedule.unplaced
        mine = next((sp for sp in booked if sp.id == probe.id), None)
        if mine is None:
            why = next((u.reason for u in unplaced if u.id == probe.id), "the planner found no place")
            out.append(Start(protocol, reason=why))
            continue
        first = min((a for a in mine.appointments if a.kind != "assessment"), key=lambda a: a.start)
        local = first.start.astimezone(zone)
        out.append(Start(protocol, local.date(), f"{local:%H:%M}", first.chair, first.staff))
    return out
