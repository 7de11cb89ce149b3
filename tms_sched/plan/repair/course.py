"""Mending one course: its displaced sessions kept on their days where possible, then
make-ups, moves and assessments; a course not yet begun may be booked again whole."""

from __future__ import annotations

import datetime as dt

from ...model.patient import Patient
from ...model.protocol import DailyPhase, IntervalPhase, Protocol, WeeklyPhase
from ...model.schedule import Appointment, ScheduledPatient
from ...tz import local_datetime
from ..builder import Attempt, CourseBuilder
from ..planner import appointment_id, commit
from .assessments import follow_assessments
from .makeups import extend_course, rebook_mapping, relay_taper
from .remap import remap_where_due
from .weekly import within_weeks
from .sameday import keep_their_days, rearrange_accelerated_days
from .state import (
    RepairContext,
    first_day_limit,
    next_id,
    session_days,
    unbook,
    usual_place,
)


def complete_course(ctx: RepairContext, sp: ScheduledPatient, patient: Patient, kept: list[Appointment],
              invalid: list[Appointment]):
    """Book what the course lacks. Returns (moved pairs, added appointments) or a reason.

    First the course is mended in place (make-ups at its end, moves where needed); when
    that fails and nothing of it has been delivered or frozen yet, the whole course is
    booked again from scratch, every planned appointment keeping its id.
    """
    journal: list[Appointment] = []
    mark = len(ctx.room.moves) if ctx.room is not None else 0
    outcome = mend_course(ctx, sp, patient, list(kept), list(invalid), journal)
    if not isinstance(outcome, str):
        return outcome
    if ctx.room is not None:  # others' sessions moved for the failed attempt go back first
        ctx.room.undo(mark)
    for appt in journal:  # undo what the failed attempt freed
        ctx.book(sp.id, appt)
    started = any(a.status == "done" and a.kind != "assessment" for a in sp.appointments)
    frozen = any(a.status == "planned" and (a.pinned or a.start.astimezone(ctx.zone).date() < ctx.freeze_until)
                 for a in kept)
    if started or frozen:
        return outcome
    rebuilt = rebuild_course(ctx, sp, patient, kept, invalid)
    if rebuilt is not None:
        return rebuilt
    limit = first_day_limit(ctx, sp, ctx.clinic.protocols[sp.protocol])
    if limit is not None and fits_later(ctx, sp, patient, kept):
        return (f"the course has to be booked again, and the baseline already given bars a start after "
                f"{limit}; no course fits by then (a clinician may repeat the baseline assessment)")
    return outcome  # (not even a later start would do: the baseline is not what binds)


def fits_later(ctx: RepairContext, sp: ScheduledPatient, patient: Patient, kept: list[Appointment]) -> bool:
    """Whether the course could be booked again from scratch with no limit on its start
    (nothing is booked: only the reason given depends on it)."""
    planned = [a for a in kept if a.status == "planned"]
    for appt in planned:
        unbook(ctx, sp.id, appt)
    try:
        builder = CourseBuilder(ctx.timeline, ctx.clinic, patient, ctx.clinic.protocols[sp.protocol],
                                ctx.freeze_until, ctx.policy)
        return builder.search() is not None
    finally:
        for appt in planned:
            ctx.book(sp.id, appt)


def rebuild_course(ctx: RepairContext, sp: ScheduledPatient, patient: Patient, kept: list[Appointment],
             invalid: list[Appointment]):
    """Book a course that has not started again from scratch; moved appointments keep their ids."""
    planned = [a for a in kept if a.status == "planned"]
    for appt in planned:
        unbook(ctx, sp.id, appt)
    protocol = ctx.clinic.protocols[sp.protocol]
    builder = CourseBuilder(ctx.timeline, ctx.clinic, patient, protocol, ctx.freeze_until, ctx.policy)
    done_names = {a.name for a in sp.appointments if a.kind == "assessment" and a.status == "done"}
    limit = first_day_limit(ctx, sp, protocol)
    if limit is not None:
        builder.horizon_end = min(builder.horizon_end, limit)
    attempt = builder.search()
    if attempt is None:
        for appt in planned:
            ctx.book(sp.id, appt)
        return None
    attempt.bookings = [b for b in attempt.bookings if not (b.kind == "assessment" and b.name in done_names)]
    old_by_key: dict[tuple, Appointment] = {}
    nth: dict[str | None, int] = {}
    # A protocol's assessment comes once, or once per anchor session (every_sessions):
    # the k-th of a name in time order takes the place of the k-th before.
    for a in sorted(planned + invalid, key=lambda a: (a.kind != "assessment", a.start, a.id)):
        if a.kind == "assessment":
            nth[a.name] = nth.get(a.name, 0) + 1
            old_by_key.setdefault(("assessment", a.name, nth[a.name]), a)
        else:
            old_by_key.setdefault(("session", a.session), a)
    nth = {}

    def replaced(b) -> Appointment | None:
        if b.kind == "assessment":
            nth[b.name] = nth.get(b.name, 0) + 1
            return old_by_key.pop(("assessment", b.name, nth[b.name]), None)
        return old_by_key.pop(("session", b.session), None)

    moved, added = to_appointments(ctx, sp, protocol, attempt, replaced)
    for old in old_by_key.values():
        moved.append((old, old.model_copy(update={"status": "cancelled", "revision": ctx.revision})))
    commit(ctx.timeline, patient, attempt)
    return moved, added


def within_authorization(sp: ScheduledPatient, patient: Patient, needed: list[int],
                         displaced: dict[int, Appointment]) -> list[int]:
    """``needed`` without the make-ups that would take the course past the patient's
    ``authorized_sessions`` (the lowest session numbers are made up first). A displaced
    session moves and adds nothing, so it always stays."""
    limit = patient.authorized_sessions
    if limit is None:
        return needed
    live = sum(1 for a in sp.appointments if a.kind != "assessment" and a.live)
    room = max(0, limit - live)
    makeups = [n for n in needed if n not in displaced]
    allowed = set(makeups[:room])
    return [n for n in needed if n in displaced or n in allowed]


def mend_course(ctx: RepairContext, sp: ScheduledPatient, patient: Patient, kept: list[Appointment],
                 invalid: list[Appointment], journal: list[Appointment]):
    clinic = ctx.clinic
    protocol = clinic.protocols[sp.protocol]
    start_from = ctx.freeze_until
    builder = CourseBuilder(ctx.timeline, clinic, patient, protocol, start_from, ctx.policy,
                            horizon_end=start_from + dt.timedelta(weeks=clinic.info.horizon_weeks))
    builder.deadline = patient.deadline
    live_sessions = [a for a in kept if a.kind != "assessment" and a.status in ("planned", "done")]
    have = {a.session for a in live_sessions}
    invalid_by_session = {a.session: a for a in invalid if a.kind != "assessment"}
    needed = [n for n in range(1, protocol.total_sessions + 1) if n not in have]
    needed = within_authorization(sp, patient, needed, invalid_by_session)
    attempt = Attempt()
    target, chair = usual_place(ctx, [a for a in live_sessions if a.kind == "treatment"] or live_sessions)
    keep_their_days(ctx, builder, attempt, patient, protocol, invalid_by_session, needed)
    rearrange_accelerated_days(ctx, builder, attempt, protocol, kept, live_sessions, invalid_by_session, needed,
                               journal)

    def stuck(appointments: list[Appointment]) -> str:
        """Why some of ``appointments`` cannot be lifted (they lie before today unmarked, or
        in the frozen days), for the reason given to the coordinator; "" when none is."""
        pinned = sorted((a for a in appointments if a.pinned), key=lambda a: (a.start, a.id))
        if pinned:
            a = pinned[0]
            return (f"{a.kind} session {a.session} ({a.id}) on {a.start.astimezone(ctx.zone).date()} is pinned "
                    "(unpin it with `tms-sched pin --unpin` to let it move)")
        blocked = sorted((a for a in appointments if a.start.astimezone(ctx.zone).date() < ctx.freeze_until),
                         key=lambda a: (a.start, a.id))
        past = [a for a in blocked if a.start.astimezone(ctx.zone).date() < ctx.today]
        if past:
            a = past[0]
            return (f"{a.kind} session {a.session} ({a.id}) on {a.start.astimezone(ctx.zone).date()} lies before "
                    "today and is not marked yet; mark it done, missed or cancelled, then plan again")
        if blocked:
            a = blocked[0]
            return (f"{a.kind} session {a.session} ({a.id}) on {a.start.astimezone(ctx.zone).date()} lies in the "
                    f"{(ctx.freeze_until - ctx.today).days} frozen days (--freeze-days)")
        return ""

    def lift_out(appointments: list[Appointment]) -> bool:
        """Take planned sessions off the timeline to book them again later; never frozen ones."""
        if stuck(appointments):
            return False
        for a in appointments:
            live_sessions.remove(a)
            kept.remove(a)
            invalid_by_session[a.session] = a
            needed.append(a.session)
            unbook(ctx, sp.id, a)
            journal.append(a)
        return True

    mapping_rebooked = 1 in needed
    if mapping_rebooked and any(isinstance(p, DailyPhase) and p.consecutive for p in protocol.phases):
        # Its days must stay consecutive from the mapping on: the whole course goes again.
        if 1 in invalid_by_session:  # not missed: its day no longer holds it
            return ("the mapping of this accelerated course can no longer stay on its day (the clinic's hours, "
                    "chairs or staff changed), that day cannot hold all its sessions with the protocol's gaps, "
                    "and no other consecutive days fit (a clinician should decide)")
        return ("the missed mapping of an accelerated course means booking the whole course again, "
                "and no consecutive days fit (a clinician should decide)")
    if 1 in needed:
        # A missed mapping comes first: planned treatments before it move after it.
        got = rebook_mapping(ctx, builder, attempt, live_sessions, first_day_limit(ctx, sp, protocol))
        if got is None:
            return "the missed mapping cannot be rebooked within the horizon (a clinician should decide)"
        mapping_day = got.day
        lift = [a for a in live_sessions if a.status == "planned" and a.session != 1
                and a.start.astimezone(ctx.zone).date() <= mapping_day]
        if not lift_out(lift):
            return f"the missed mapping must be given again before any treatment, but {stuck(lift)}"
        needed = sorted(set(needed) - {1})
        if target is None:
            target, chair = got.start, got.chair
    if all(isinstance(p, IntervalPhase) for p in protocol.phases) and (needed or mapping_rebooked):
        # A gap in an interval course is closed by moving the later sessions up behind it,
        # not by a make-up at the end (the spacing would break), unless later ones are done.
        first_missing = 1 if mapping_rebooked else min(needed)
        if any(a.status == "done" and a.session > first_missing for a in live_sessions):
            return (f"session {first_missing} was missed and later sessions were given, so the protocol's "
                    "spacing is already broken; a clinician should decide how to go on")
        later = [a for a in live_sessions if a.status == "planned" and a.session > first_missing]
        if not lift_out(later):
            return f"the sessions after session {first_missing} have to move up behind it, but {stuck(later)}"
        needed = sorted(set(needed))
    if isinstance(protocol.phases[0], WeeklyPhase) and needed:
        # A course of weekly phases from the start (twice weekly, then weekly): each session
        # to rebook stays in its week where the spacing allows, else joins the next week.
        why = within_weeks(ctx, builder, protocol, attempt, live_sessions, needed, target, chair,
                           invalid_by_session, sp)
        if why is not None:
            return why
        needed = []
    weekly = next((p for p in protocol.phases if isinstance(p, WeeklyPhase)), None)
    daily_total = sum(p.sessions for p in protocol.phases if isinstance(p, DailyPhase))
    if weekly is not None and any(n <= daily_total for n in needed):
        # The daily part grows at its end, so the taper weeks after it move along.
        taper = [a for a in live_sessions if a.session > daily_total and a.status == "planned"]
        if not lift_out(taper):
            return f"the taper weeks have to move after the course's new end, but {stuck(taper)}"
        needed = sorted(set(needed))
    if needed:
        daily_needed = [n for n in needed if weekly is None or n <= daily_total]
        origin: dict[int, dt.date] = {}  # the day each session was missed or called off
        for a in sorted(sp.appointments, key=lambda a: a.start):
            if a.kind != "assessment" and a.status in ("missed", "cancelled"):
                origin[a.session] = a.start.astimezone(ctx.zone).date()
        placed = extend_course(ctx, builder, protocol, attempt, live_sessions, daily_needed, target, chair,
                         displaced=set(invalid_by_session), origin=origin) if daily_needed else True
        if isinstance(placed, str):
            return placed
        taper_needed = [n for n in needed if weekly is not None and n > daily_total]
        if taper_needed:
            placed = relay_taper(ctx, builder, weekly, attempt, live_sessions, taper_needed, daily_total,
                                 target or 0, chair, old_places=invalid_by_session)
        if isinstance(placed, str):
            return placed
    why = remap_where_due(ctx, builder, protocol, sp, kept, live_sessions, invalid_by_session, attempt, journal)
    if why is not None:
        return why
    sessions_now = session_days(ctx, live_sessions, attempt)
    if not follow_assessments(ctx, builder, protocol, sp, kept, invalid, attempt, sessions_now, target, journal):
        return "an assessment cannot be booked in its window after the course's change (check staff hours)"
    # Turn bookings into appointments: moved ones keep their ids.
    invalid_assess: dict[str | None, list[Appointment]] = {}
    for a in sorted((a for a in invalid if a.kind == "assessment"), key=lambda a: (a.start, a.id)):
        invalid_assess.setdefault(a.name, []).append(a)

    def replaced(b) -> Appointment | None:
        if b.kind == "assessment":
            return invalid_assess[b.name].pop(0) if invalid_assess.get(b.name) else None
        return invalid_by_session.pop(b.session, None)

    moved, added = to_appointments(ctx, sp, protocol, attempt, replaced)
    # Invalid appointments nobody replaced (their session is no longer needed): cancel.
    for old in list(invalid_by_session.values()) + [a for left in invalid_assess.values() for a in left]:
        moved.append((old, old.model_copy(update={"status": "cancelled", "revision": ctx.revision,
                                                   "note": ((old.note + "; ") if old.note else "")
                                                   + "no longer needed after replanning"})))
    commit(ctx.timeline, patient, attempt)
    return moved, added


def to_appointments(ctx, sp: ScheduledPatient, protocol: Protocol, attempt: Attempt,
                    replaced) -> tuple[list[tuple[Appointment, Appointment]], list[Appointment]]:
    """Turn an attempt's bookings into appointments, in time order: a booking that
    ``replaced(booking)`` pairs with an earlier appointment moves it (keeping its id; laid
    out again at the very same place is no move); any other is added under a new id."""
    moved: list[tuple[Appointment, Appointment]] = []
    added: list[Appointment] = []
    taken = {a.id for a in sp.appointments}
    width = max(2, len(str(protocol.total_sessions)))
    for b in sorted(attempt.bookings, key=lambda b: (b.day, b.start)):
        minutes = (next(x.minutes for x in protocol.assessments if x.name == b.name)
                   if b.kind == "assessment" else protocol.minutes_of(b.kind))
        start = local_datetime(b.day, b.start * ctx.slot, ctx.zone)
        old = replaced(b)
        if old is not None:
            new = old.model_copy(update={"start": start, "chair": b.chair, "staff": b.staff, "kind": b.kind,
                                         "minutes": minutes, "monitor_minutes": monitored(protocol, b.kind)})
            if new != old:
                moved.append((old, new.model_copy(update={"revision": ctx.revision})))
        else:
            base = assessment_id(sp.id, b) if b.kind == "assessment" else f"{sp.id}-{b.session:0{width}d}m"
            new_id = next_id(taken, base)
            taken.add(new_id)
            added.append(Appointment(id=new_id, kind=b.kind, name=b.name, session=b.session, chair=b.chair,
                                     start=start, minutes=minutes, staff=b.staff, status="planned",
                                     revision=ctx.revision, monitor_minutes=monitored(protocol, b.kind)))
    return moved, added


def assessment_id(patient_id: str, b) -> str:
    """The id a new assessment gets: as the planner names it (``P-1-b``, ``P-1-phq-9-10``)."""
    return appointment_id(patient_id, b, 2)


def monitored(protocol: Protocol, kind: str) -> int | None:
    """The minutes of monitoring a new session appointment records (None: none)."""
    return (protocol.monitor_minutes or None) if kind != "assessment" else None
