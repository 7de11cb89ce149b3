"""Keeping history: which existing appointments stay exactly where they are, and which
must move. Done, missed and cancelled lines never change; a planned one stays unless it
now breaks a rule; a course put on hold gives its planned appointments up."""

from __future__ import annotations

from collections.abc import Mapping

from ...model.patient import Patient
from ...model.schedule import Appointment, Schedule, ScheduledPatient
from .state import RepairContext, ReplanResult, staffed_alone, unbook, valid_alone


def sort_existing(ctx: RepairContext, schedule: Schedule, roster: Mapping[str, Patient],
                  now_minute: int | None, result: ReplanResult
                  ) -> tuple[dict[str, list[Appointment]], dict[str, list[Appointment]], set[str]]:
    """Book what stays onto the timeline. Returns each patient's kept appointments, the
    planned ones that must move, and the ids of planned ones left unmarked in the past."""
    clinic, today = ctx.clinic, ctx.today
    # 1. History and frozen or past planned appointments occupy the clinic as they are;
    # a frozen one that cannot take place where it stands (a closure, chair downtime,
    # changed hours) moves out of the frozen days all the same: no broken one is kept.
    keep: dict[str, list[Appointment]] = {}
    candidates: list[tuple[str, Appointment]] = []
    invalid: dict[str, list[Appointment]] = {}
    for sp in schedule.patients:
        kept = keep.setdefault(sp.id, [])
        for appt in sp.appointments:
            day = appt.start.astimezone(ctx.zone).date()
            if appt.status == "done":
                ctx.book(sp.id, appt)
                kept.append(appt)
            elif appt.status == "planned":
                if day < today or (day == today and now_minute is not None and ctx.slots(appt)[1] < now_minute):
                    result.unmarked_past.append((sp.id, appt))
                    ctx.book(sp.id, appt)
                    kept.append(appt)
                elif sp.status == "discharged" or appt.pinned:  # a pinned one never moves, as history
                    if appt.pinned and sp.status != "discharged" and not (valid_alone(
                            ctx, roster.get(sp.id), clinic.protocols.get(sp.protocol), appt)
                            and staffed_alone(ctx, appt)):
                        result.pinned_invalid.append((sp.id, appt))
                    ctx.book(sp.id, appt)
                    kept.append(appt)
                elif day < ctx.freeze_until:
                    protocol = clinic.protocols.get(sp.protocol)
                    if valid_alone(ctx, roster.get(sp.id), protocol, appt):
                        ctx.book(sp.id, appt)
                        kept.append(appt)
                    else:
                        result.frozen_invalid.append((sp.id, appt))
                        invalid.setdefault(sp.id, []).append(appt)
                else:
                    candidates.append((sp.id, appt))
    past_ids = {appt.id for _, appt in result.unmarked_past}
    # 2. Other planned appointments stay where they still keep every rule.
    by_id = {sp.id: sp for sp in schedule.patients}  # (a lookup per appointment would scan them all)
    for pid, appt in sorted(candidates, key=lambda c: (c[1].start, c[1].id)):
        sp = by_id[pid]
        protocol = clinic.protocols.get(sp.protocol)
        if ctx.fits(pid, roster.get(pid), protocol, appt):
            ctx.book(pid, appt)
            keep[pid].append(appt)
        else:
            invalid.setdefault(pid, []).append(appt)
    return keep, invalid, past_ids


def hold(ctx: RepairContext, sp: ScheduledPatient, kept: list[Appointment], invalid: list[Appointment],
          past_ids: set[str]) -> list[Appointment]:
    """The planned appointments a course on hold gives up, freed from the timeline: every
    one that broke a rule, and the valid ones outside the frozen days."""
    given_up = list(invalid)
    for appt in list(kept):
        if appt.status != "planned" or appt.id in past_ids or appt.pinned:
            continue
        if appt.start.astimezone(ctx.zone).date() < ctx.freeze_until:
            continue
        kept.remove(appt)
        unbook(ctx, sp.id, appt)
        given_up.append(appt)
    return sorted(given_up, key=lambda a: (a.start, a.id))
