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
- Assessments follow the course: one that falls outside its window once the course
  has changed moves; a missed one is booked again.
- Discharged patients are never rebooked. Patients new to the roster are planned as
  in a first plan, around everything already booked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..calendar import ClinicCalendar, contains, earliest_booking
from ..model.clinic import Clinic
from ..model.patient import Patient
from ..model.protocol import DailyPhase, IntervalPhase, Protocol, WeeklyPhase
from ..model.schedule import Appointment, Schedule, ScheduledPatient, ScheduleInfo, Unplaced
from ..tz import local_datetime
from .builder import Attempt, Booking, CourseBuilder, Policy
from .diagnose import explain_unplaced
from .planner import ASSESSMENT_SUFFIX, PatientPlan, commit, smart_order, to_appointments
from .timeline import Timeline

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


class _Context:
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
        self.revision = schedule.schedule.revision + 1

    def slots(self, appt: Appointment) -> tuple[dt.date, int, int, int]:
        local = appt.start.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        first = minute // self.slot
        last = -(-(minute + appt.minutes) // self.slot)
        return local.date(), minute, first, last - first

    def book(self, patient_id: str, appt: Appointment) -> None:
        day, _, first, length = self.slots(appt)
        self.timeline.book(day, first, length, patient_id, appt.chair, appt.staff)

    def fits(self, patient_id: str, patient: Patient | None, protocol: Protocol | None,
             appt: Appointment) -> bool:
        """Whether a planned appointment still keeps every rule where it stands."""
        day, minute, first, length = self.slots(appt)
        end = minute + appt.minutes
        tl = self.timeline
        mask = ((1 << length) - 1) << first
        if appt.kind != "assessment":
            chair = self.clinic.chair(appt.chair or "")
            if chair is None or protocol is None or protocol.capability not in chair.capabilities:
                return False
            if not contains(self.calendar.chair_windows(chair.id, day), minute, end):
                return False
            if tl.chair_free(chair.id, day) & mask != mask:
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
            from ..calendar import weekday_key

            if day in patient.unavailable or not contains(hours.get(weekday_key(day), ()), minute, end):
                return False
        # a clash with the patient's other bookings; not the booking notice (min_notice_hours),
        # which keeps new bookings out of the next hours, not those already made
        if tl.patient_busy.get((patient_id, day), 0) & mask:
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


def _next_id(taken: set[str], base: str) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def _usual(ctx: _Context, sessions: Sequence[Appointment]) -> tuple[int | None, str | None]:
    """Usual start slot and chair of a course's live sessions."""
    if not sessions:
        return None, None
    starts = [ctx.slots(a)[2] for a in sessions]
    chairs = [a.chair for a in sessions if a.chair]
    chair = max(sorted(set(chairs)), key=chairs.count) if chairs else None
    return int(statistics.median(starts)), chair


def replan(clinic: Clinic, schedule: Schedule, patients: Sequence[Patient], today: dt.date, *,
           freeze_days: int = 0, policy: Policy | None = None,
           progress: Callable[[int, int], None] | None = None, now_minute: int | None = None) -> ReplanResult:
    """``now_minute`` (minutes after midnight): nothing new is booked on ``today`` before it."""
    policy = policy or Policy()
    ctx = _Context(clinic, schedule, today, freeze_days, policy)
    ctx.timeline.set_now(*earliest_booking(clinic, today, now_minute))  # now, plus min_notice_hours
    roster = {p.id: p for p in patients}
    result = ReplanResult(schedule=schedule)

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
                    if appt.pinned and sp.status != "discharged" and not _valid_alone(
                            ctx, roster.get(sp.id), clinic.protocols.get(sp.protocol), appt):
                        result.pinned_invalid.append((sp.id, appt))
                    ctx.book(sp.id, appt)
                    kept.append(appt)
                elif day < ctx.freeze_until:
                    protocol = clinic.protocols.get(sp.protocol)
                    if _valid_alone(ctx, roster.get(sp.id), protocol, appt):
                        ctx.book(sp.id, appt)
                        kept.append(appt)
                    else:
                        result.frozen_invalid.append((sp.id, appt))
                        invalid.setdefault(sp.id, []).append(appt)
                else:
                    candidates.append((sp.id, appt))
    past_ids = {appt.id for _, appt in result.unmarked_past}
    # 2. Other planned appointments stay where they still keep every rule.
    for pid, appt in sorted(candidates, key=lambda c: (c[1].start, c[1].id)):
        sp = schedule.patient(pid)
        assert sp is not None
        protocol = clinic.protocols.get(sp.protocol)
        if ctx.fits(pid, roster.get(pid), protocol, appt):
            ctx.book(pid, appt)
            keep[pid].append(appt)
        else:
            invalid.setdefault(pid, []).append(appt)
    # 3. Each active patient's course is completed: make-ups, moves, assessments.
    new_lines: dict[str, list[Appointment]] = {}
    replaced: dict[str, Appointment] = {}
    failures: dict[str, str] = {}
    ordered = sorted(schedule.patients, key=lambda sp: (
        roster.get(sp.id).priority != "urgent" if sp.id in roster else True, sp.id))
    for i, sp in enumerate(ordered):
        if sp.status == "discharged" or sp.protocol not in clinic.protocols:
            continue
        patient = roster.get(sp.id) or Patient(id=sp.id, protocol=sp.protocol)
        outcome = _complete(ctx, sp, patient, keep[sp.id], invalid.get(sp.id, []))
        if isinstance(outcome, str):
            failures[sp.id] = outcome
            # The course goes on hold for a clinician: its planned appointments from the
            # frozen days on are cancelled (a broken one never stays), nothing is half-booked.
            for old in _hold(ctx, sp, keep[sp.id], invalid.get(sp.id, []), past_ids):
                new = old.model_copy(update={"status": "cancelled", "revision": ctx.revision,
                                             "note": ((old.note + "; ") if old.note else "")
                                             + "on hold for a clinician's decision (see [[unplaced]])"})
                replaced[old.id] = new
                result.moved.append(Move(sp.id, old.id, old, new))
            continue
        moved, added = outcome
        for old, new in moved:
            replaced[old.id] = new
            result.moved.append(Move(sp.id, old.id, old, new))
        new_lines[sp.id] = added
        result.added.extend((sp.id, a) for a in added)

    # 4. Patients new to the roster, planned around everything booked.
    known = {sp.id for sp in schedule.patients}
    fresh = [p for p in patients if p.id not in known]
    plans: list[PatientPlan] = []
    failed: list[Patient] = []
    if fresh:
        plans, failed = _plan_fresh(ctx, fresh, progress)

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


def _hold(ctx: _Context, sp: ScheduledPatient, kept: list[Appointment], invalid: list[Appointment],
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
        _unbook(ctx, sp.id, appt)
        given_up.append(appt)
    return sorted(given_up, key=lambda a: (a.start, a.id))


def _valid_alone(ctx: _Context, patient: Patient | None, protocol: Protocol | None, appt: Appointment) -> bool:
    """Rules of the appointment's own place (hours, closures, chair, availability), not clashes."""
    day, minute, _, _ = ctx.slots(appt)
    end = minute + appt.minutes
    if appt.kind != "assessment":
        chair = ctx.clinic.chair(appt.chair or "")
        if chair is None or not contains(ctx.calendar.chair_windows(chair.id, day), minute, end):
            return False
    elif not contains(ctx.calendar.open_windows(day), minute, end):
        return False
    return True


def _plan_fresh(ctx: _Context, fresh: list[Patient], progress):
    plans: list[PatientPlan] = []
    failed: list[Patient] = []
    ordered = smart_order(ctx.clinic, fresh, ctx.today)
    for i, patient in enumerate(ordered):
        protocol = ctx.clinic.protocols.get(patient.protocol)
        builder = CourseBuilder(ctx.timeline, ctx.clinic, patient, protocol, ctx.freeze_until, ctx.policy) \
            if protocol else None
        attempt = builder.search() if builder and builder.chairs else None
        if attempt is None:
            failed.append(patient)
        else:
            commit(ctx.timeline, patient, attempt)
            plans.append(PatientPlan(patient, sorted(attempt.bookings, key=lambda b: (b.day, b.start))))
        if progress:
            progress(i + 1, len(ordered))
    return plans, failed


def _complete(ctx: _Context, sp: ScheduledPatient, patient: Patient, kept: list[Appointment],
              invalid: list[Appointment]):
    """Book what the course lacks. Returns (moved pairs, added appointments) or a reason.

    First the course is mended in place (make-ups at its end, moves where needed); when
    that fails and nothing of it has been delivered or frozen yet, the whole course is
    booked again from scratch, every planned appointment keeping its id.
    """
    journal: list[Appointment] = []
    outcome = _incremental(ctx, sp, patient, list(kept), list(invalid), journal)
    if not isinstance(outcome, str):
        return outcome
    for appt in journal:  # undo what the failed attempt freed
        ctx.book(sp.id, appt)
    started = any(a.status == "done" and a.kind != "assessment" for a in sp.appointments)
    frozen = any(a.status == "planned" and (a.pinned or a.start.astimezone(ctx.zone).date() < ctx.freeze_until)
                 for a in kept)
    if started or frozen:
        return outcome
    rebuilt = _rebuild(ctx, sp, patient, kept, invalid)
    if rebuilt is not None:
        return rebuilt
    limit = _first_day_limit(ctx, sp, ctx.clinic.protocols[sp.protocol])
    if limit is not None and not any(a.status == "done" and a.kind != "assessment" for a in sp.appointments):
        return (f"the course has to be booked again, and the baseline already given bars a start after "
                f"{limit}; no course fits by then (a clinician may repeat the baseline assessment)")
    return outcome


def _rebuild(ctx: _Context, sp: ScheduledPatient, patient: Patient, kept: list[Appointment],
             invalid: list[Appointment]):
    """Book a course that has not started again from scratch; moved appointments keep their ids."""
    planned = [a for a in kept if a.status == "planned"]
    for appt in planned:
        _unbook(ctx, sp.id, appt)
    protocol = ctx.clinic.protocols[sp.protocol]
    builder = CourseBuilder(ctx.timeline, ctx.clinic, patient, protocol, ctx.freeze_until, ctx.policy)
    done_names = {a.name for a in sp.appointments if a.kind == "assessment" and a.status == "done"}
    limit = _first_day_limit(ctx, sp, protocol)
    if limit is not None:
        builder.horizon_end = min(builder.horizon_end, limit)
    attempt = builder.search()
    if attempt is None:
        for appt in planned:
            ctx.book(sp.id, appt)
        return None
    attempt.bookings = [b for b in attempt.bookings if not (b.kind == "assessment" and b.name in done_names)]
    old_by_key: dict[tuple, Appointment] = {}
    for a in sorted(planned + invalid, key=lambda a: a.id):
        key = ("assessment", a.name) if a.kind == "assessment" else ("session", a.session)
        old_by_key.setdefault(key, a)
    moved: list[tuple[Appointment, Appointment]] = []
    added: list[Appointment] = []
    taken = {a.id for a in sp.appointments}
    width = max(2, len(str(protocol.total_sessions)))
    for b in sorted(attempt.bookings, key=lambda b: (b.day, b.start)):
        minutes = (next(x.minutes for x in protocol.assessments if x.name == b.name)
                   if b.kind == "assessment" else protocol.minutes_for(b.session or 0))
        start = local_datetime(b.day, b.start * ctx.slot, ctx.zone)
        key = ("assessment", b.name) if b.kind == "assessment" else ("session", b.session)
        old = old_by_key.pop(key, None)
        if old is not None:
            new = old.model_copy(update={"start": start, "chair": b.chair, "staff": b.staff, "kind": b.kind,
                                         "minutes": minutes})
            if new != old:
                new = new.model_copy(update={"revision": ctx.revision})
                moved.append((old, new))
        else:
            base = (f"{sp.id}-{ASSESSMENT_SUFFIX.get(b.name or '', b.name)}" if b.kind == "assessment"
                    else f"{sp.id}-{b.session:0{width}d}m")
            new_id = _next_id(taken, base)
            taken.add(new_id)
            added.append(Appointment(id=new_id, kind=b.kind, name=b.name, session=b.session, chair=b.chair,
                                     start=start, minutes=minutes, staff=b.staff, status="planned",
                                     revision=ctx.revision))
    for old in old_by_key.values():
        moved.append((old, old.model_copy(update={"status": "cancelled", "revision": ctx.revision})))
    commit(ctx.timeline, patient, attempt)
    return moved, added


def _incremental(ctx: _Context, sp: ScheduledPatient, patient: Patient, kept: list[Appointment],
                 invalid: list[Appointment], journal: list[Appointment]):
    clinic = ctx.clinic
    protocol = clinic.protocols[sp.protocol]
    start_from = ctx.freeze_until
    builder = CourseBuilder(ctx.timeline, clinic, patient, protocol, start_from, ctx.policy,
                            horizon_end=start_from + dt.timedelta(weeks=clinic.info.horizon_weeks))
    builder.deadline = patient.deadline
    taken = {a.id for a in sp.appointments}
    live_sessions = [a for a in kept if a.kind != "assessment" and a.status in ("planned", "done")]
    have = {a.session for a in live_sessions}
    invalid_by_session = {a.session: a for a in invalid if a.kind != "assessment"}
    needed = [n for n in range(1, protocol.total_sessions + 1) if n not in have]
    attempt = Attempt()
    moved: list[tuple[Appointment, Appointment]] = []
    added: list[Appointment] = []
    target, chair = _usual(ctx, [a for a in live_sessions if a.kind == "treatment"] or live_sessions)
    # A session that lost its place keeps its day where it can, in this order: the same
    # time on another capable chair; (once a day) a time within the usual tolerance; (once
    # a day) any time the patient gave. The course itself does not change.
    once_daily = all(not isinstance(p, DailyPhase) or p.per_day == 1 for p in protocol.phases)
    # Where the course is laid out again after a missed session anyway (an interval series
    # moving up, taper weeks following a grown daily part), its displaced sessions go along.
    missed = set(needed) - set(invalid_by_session)
    interval = all(isinstance(p, IntervalPhase) for p in protocol.phases)
    daily_part = sum(p.sessions for p in protocol.phases if isinstance(p, DailyPhase))
    tapered = any(isinstance(p, WeeklyPhase) for p in protocol.phases)
    for number, old in sorted(invalid_by_session.items()):
        if number not in needed or (interval and missed):
            continue
        if tapered and number > daily_part and any(n <= daily_part for n in missed):
            continue
        day, _, first, _ = ctx.slots(old)
        # In the frozen days only the same time on another chair will do (the patient sees
        # no change); elsewhere the day's other times too.
        frozen = day < ctx.freeze_until
        if frozen and (day < ctx.today or (patient.start_after and day < patient.start_after)
                       or (patient.deadline and day > patient.deadline)):
            continue
        if (not frozen and not builder.session_day_ok(day)) or not ctx.calendar.is_open(day):
            continue
        if old.kind == "mapping":
            got_map = _same_day_mapping(builder, attempt, day, first, exact=frozen or not once_daily)
            if got_map is not None:
                attempt.add(Booking("mapping", day, got_map[0], builder.first_len, got_map[1], got_map[2],
                                    session=number))
                needed.remove(number)
            continue
        if old.kind != "treatment" or 1 in needed:
            continue  # (a mapping to book again comes first; treatments before it move after it)
        got = builder.pick(day, builder.session_len, first, old.chair, attempt, tolerance=0)
        if got is None and once_daily and not frozen:
            got = builder.pick(day, builder.session_len, first, old.chair, attempt)
        if got is None and once_daily and not frozen:
            got = builder.pick(day, builder.session_len, first, old.chair, attempt, tolerance=10**6)
        if got is not None:
            attempt.add(Booking("treatment", day, got[0], builder.session_len, got[1], None, session=number))
            needed.remove(number)

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
            _unbook(ctx, sp.id, a)
            journal.append(a)
        return True

    mapping_rebooked = 1 in needed
    if mapping_rebooked and any(isinstance(p, DailyPhase) and p.consecutive for p in protocol.phases):
        # Its days must stay consecutive from the mapping on: the whole course goes again.
        return ("the missed mapping of an accelerated course means booking the whole course again, "
                "and no consecutive days fit (a clinician should decide)")
    if 1 in needed:
        # A missed mapping comes first: planned treatments before it move after it.
        got = _rebook_mapping(ctx, builder, attempt, live_sessions, _first_day_limit(ctx, sp, protocol))
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
        placed = _extend(ctx, builder, protocol, attempt, live_sessions, daily_needed, target, chair,
                         displaced=set(invalid_by_session), origin=origin) if daily_needed else True
        if isinstance(placed, str):
            return placed
        taper_needed = [n for n in needed if weekly is not None and n > daily_total]
        if taper_needed:
            placed = _taper(ctx, builder, weekly, attempt, live_sessions, taper_needed, daily_total,
                            target or 0, chair)
        if isinstance(placed, str):
            return placed
    sessions_now = _session_days(ctx, live_sessions, attempt)
    if not _assessments(ctx, builder, protocol, sp, kept, invalid, attempt, sessions_now, target, journal):
        return "an assessment cannot be booked in its window after the course's change (check staff hours)"
    # Turn bookings into appointments: moved ones keep their ids.
    invalid_assess = {a.name: a for a in invalid if a.kind == "assessment"}
    width = max(2, len(str(protocol.total_sessions)))
    for b in sorted(attempt.bookings, key=lambda b: (b.day, b.start)):
        minutes = (next(x.minutes for x in protocol.assessments if x.name == b.name)
                   if b.kind == "assessment" else protocol.minutes_for(b.session or 0))
        start = local_datetime(b.day, b.start * ctx.slot, ctx.zone)
        old = invalid_assess.pop(b.name, None) if b.kind == "assessment" else invalid_by_session.pop(b.session, None)
        if old is not None:
            new = old.model_copy(update={"start": start, "chair": b.chair, "staff": b.staff, "minutes": minutes})
            if new != old:  # laid out again at the very same place is no move
                moved.append((old, new.model_copy(update={"revision": ctx.revision})))
        else:
            if b.kind == "assessment":
                base = f"{sp.id}-{ASSESSMENT_SUFFIX.get(b.name or '', b.name)}"
            else:
                base = f"{sp.id}-{b.session:0{width}d}m"
            new_id = _next_id(taken, base)
            taken.add(new_id)
            added.append(Appointment(id=new_id, kind=b.kind, name=b.name, session=b.session, chair=b.chair,
                                     start=start, minutes=minutes, staff=b.staff, status="planned",
                                     revision=ctx.revision))
    # Invalid appointments nobody replaced (their session is no longer needed): cancel.
    for old in list(invalid_by_session.values()) + list(invalid_assess.values()):
        moved.append((old, old.model_copy(update={"status": "cancelled", "revision": ctx.revision,
                                                   "note": ((old.note + "; ") if old.note else "")
                                                   + "no longer needed after replanning"})))
    commit(ctx.timeline, patient, attempt)
    return moved, added


def _unbook(ctx: _Context, patient_id: str, appt: Appointment) -> None:
    """Free what a kept appointment occupied (it is about to move)."""
    day, _, first, length = ctx.slots(appt)
    mask = ~(((1 << length) - 1) << first)
    tl = ctx.timeline
    if appt.chair:
        tl.chair_busy[(appt.chair, day)] = tl.chair_busy.get((appt.chair, day), 0) & mask
    if appt.staff:
        tl.staff_busy[(appt.staff, day)] = tl.staff_busy.get((appt.staff, day), 0) & mask
    tl.patient_busy[(patient_id, day)] = tl.patient_busy.get((patient_id, day), 0) & mask
    if tl.has_staff:  # recount the head-count of that day from scratch
        tl.unbook_count(day, ((1 << length) - 1) << first)


def _session_days(ctx: _Context, live: list[Appointment], attempt: Attempt) -> list[dt.date]:
    days = [a.start.astimezone(ctx.zone).date() for a in live]
    days += [b.day for b in attempt.bookings if b.kind != "assessment"]
    return sorted(days)


def _first_day_limit(ctx: _Context, sp: ScheduledPatient, protocol: Protocol) -> dt.date | None:
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


def _same_day_mapping(builder: CourseBuilder, attempt: Attempt, day: dt.date, first: int,
                      exact: bool = False) -> tuple[int, str, str | None] | None:
    """A mapping that lost its place on ``day``: the same day, nearest its old start
    (``exact``: at that very start only, as in an accelerated day whose gaps are set)."""
    options = [o for o in builder.mapping_options(day, attempt) if not exact or o[0] == first]
    if not options:
        return None
    return min(options, key=lambda o: (abs(o[0] - first), o[0], o[1]))


def _rebook_mapping(ctx: _Context, builder: CourseBuilder, attempt: Attempt,
                    live: list[Appointment], limit: dt.date | None = None) -> Booking | None:
    day = ctx.freeze_until
    end = builder.horizon_end if limit is None else min(builder.horizon_end, limit)
    while day <= end:
        if ctx.calendar.is_open(day) and builder.session_day_ok(day):
            options = builder.mapping_options(day, attempt)
            if options:
                s, chair, staff = min(options, key=lambda o: (o[0], o[1]))
                b = Booking("mapping", day, s, builder.first_len, chair, staff, session=1)
                attempt.add(b)
                return b
        day += ONE_DAY
    return None


def _extend(ctx: _Context, builder: CourseBuilder, protocol: Protocol, attempt: Attempt,
            live: list[Appointment], needed: list[int], target: int | None, chair: str | None,
            displaced: set[int] = frozenset(),  # type: ignore[assignment]
            origin: dict[int, dt.date] | None = None):
    """Place the needed session numbers after the course's live sessions. ``displaced``:
    the numbers of planned sessions that lost their place (the others were missed)."""

    def what(number: int) -> str:
        return (f"session {number}, which can no longer stay where it was, booked again"
                if number in displaced else f"the make-up of session {number}")

    phase = protocol.phases[-1] if len(protocol.phases) == 1 else protocol.phases[0]
    days = _session_days(ctx, live, attempt)
    last = days[-1] if days else ctx.freeze_until - ONE_DAY
    chair = chair or (builder.chairs[0] if builder.chairs else None)
    if chair is None:
        return f"no chair has capability '{protocol.capability}'"
    if target is None:
        target = 0
    gap_limit = protocol.max_gap_days
    if isinstance(phase, DailyPhase) and phase.per_day > 1:
        return _accelerated_makeups(ctx, builder, phase, attempt, live, needed, chair, origin or {})
    todo = list(needed)
    if isinstance(phase, IntervalPhase):
        prev = last  # the spacing counts from the last session given, even when that is past
        if _interval_tail(ctx, builder, protocol, attempt, prev, todo, target, chair):
            return True
        return (f"the sessions from session {todo[0]} on cannot be booked at the protocol's spacing after "
                f"{prev} (a clinician should decide how to go on)")
    per_week = phase.days_per_week if isinstance(phase, DailyPhase) else 5
    week_count: dict[dt.date, int] = {}
    for d in days:
        wk = d - dt.timedelta(days=d.weekday())
        week_count[wk] = week_count.get(wk, 0) + 1
    day = max(last + ONE_DAY, ctx.freeze_until)
    prev = last
    while todo:
        if gap_limit is not None and days and (day - prev).days > gap_limit:
            return (f"{what(todo[0])} would come more than {gap_limit} days after the "
                    f"session of {prev}; a clinician should decide whether to go on")
        if protocol.max_span_days is not None and days and (day - days[0]).days > protocol.max_span_days:
            return (f"{what(todo[0])} would end the course more than "
                    f"{protocol.max_span_days} days after its first session ({days[0]}); a clinician should "
                    "decide whether to go on")
        if day > builder.horizon_end or (builder.deadline and day > builder.deadline):
            return (f"{what(todo[0])} does not fit before "
                    f"{'the deadline ' + str(builder.deadline) if builder.deadline else 'the horizon'}")
        wk = day - dt.timedelta(days=day.weekday())
        busy_day = day in days
        if ctx.calendar.is_open(day) and not busy_day and week_count.get(wk, 0) < per_week \
                and builder.session_day_ok(day):
            got = builder.pick(day, builder.session_len, target, chair, attempt)
            if got is None:
                got = builder.pick(day, builder.session_len, target, chair, attempt, tolerance=10**6)
            if got:
                attempt.add(Booking("treatment", day, got[0], builder.session_len, got[1], None,
                                    session=todo.pop(0)))
                week_count[wk] = week_count.get(wk, 0) + 1
                prev = day
        day += ONE_DAY
    return True


def every_days_of(protocol: Protocol, number: int) -> tuple[int, int]:
    """The [min, max] days before session ``number`` in an interval protocol."""
    count = 0
    for phase in protocol.phases:
        if number <= count + phase.sessions:
            return tuple(phase.every_days) if isinstance(phase, IntervalPhase) else (1, 7)  # type: ignore[return-value]
        count += phase.sessions
    return (1, 7)


def _interval_tail(ctx: _Context, builder: CourseBuilder, protocol: Protocol, attempt: Attempt,
                   prev: dt.date, numbers: list[int], target: int, chair: str) -> bool:
    """Book ``numbers`` one after another, each at its phase's spacing (a small search)."""
    budget = [2000]

    def place(prev_day: dt.date, index: int) -> bool:
        if index == len(numbers):
            return True
        budget[0] -= 1
        if budget[0] < 0:
            return False
        lo, hi = every_days_of(protocol, numbers[index])
        mid = (lo + hi) / 2
        for k in sorted(range(lo, hi + 1), key=lambda k: (abs(k - mid), k)):
            day = prev_day + dt.timedelta(days=k)
            if day < ctx.freeze_until or not builder.session_day_ok(day) or not ctx.calendar.is_open(day):
                continue
            got = builder.pick(day, builder.session_len, target, chair, attempt, tolerance=10**6)
            if not got:
                continue
            booking = Booking("treatment", day, got[0], builder.session_len, got[1], None, session=numbers[index])
            attempt.add(booking)
            if place(day, index + 1):
                return True
            attempt.bookings.pop()
            attempt.busy[day] &= ~(((1 << booking.length) - 1) << booking.start)
        return False

    return place(prev, 0)


def _taper(ctx: _Context, builder: CourseBuilder, phase: WeeklyPhase, attempt: Attempt,
           live: list[Appointment], needed: list[int], daily_total: int, target: int, chair: str | None):
    """Lay the taper weeks out again after the (grown) daily part of the course."""
    daily_days = [a.start.astimezone(ctx.zone).date() for a in live if a.session <= daily_total]
    daily_days += [b.day for b in attempt.bookings if b.kind != "assessment" and (b.session or 0) <= daily_total]
    last_daily = max(daily_days)
    max_span = builder.protocol.max_span_days
    span_limit = min(daily_days) + dt.timedelta(days=max_span) if max_span else None
    before = len(attempt.bookings)
    # Taper sessions laid out again keep their time where it is free (nothing moves
    # without need), so gaps are not kept at their expense.
    policy, builder.policy = builder.policy, dataclasses.replace(builder.policy, keep_gaps=False)
    try:
        ok = builder._weekly(phase, attempt, last_daily, target, chair or builder.chairs[0], 0, span_limit)
    finally:
        builder.policy = policy
    if not ok:
        return ("the taper weeks cannot be booked after the course's new end"
                + (f" within {max_span} days of its first session" if max_span else "")
                + " (a clinician should decide how to go on)")
    laid = attempt.bookings[before:]
    for extra in laid[len(needed):]:  # taper sessions already delivered are not booked twice
        attempt.bookings.remove(extra)
        attempt.busy[extra.day] &= ~(((1 << extra.length) - 1) << extra.start)
    for b, number in zip(laid, sorted(needed)):
        b.session = number
    return True


def _accelerated_makeups(ctx: _Context, builder: CourseBuilder, phase: DailyPhase, attempt: Attempt,
                         live: list[Appointment], needed: list[int], chair: str,
                         origin: dict[int, dt.date] | None = None):
    """Make-ups of an accelerated course: each later the day it was missed or the next day
    (``origin``: the day each session was missed), the days staying consecutive."""
    origin = origin or {}
    days = sorted({a.start.astimezone(ctx.zone).date() for a in live})
    todo = list(needed)
    count = {d: sum(1 for a in live if a.start.astimezone(ctx.zone).date() == d) for d in days}
    candidates = [d for d in days if d >= ctx.freeze_until]
    if days:
        candidates.append(days[-1] + ONE_DAY)
    for day in sorted(set(candidates)):
        if not todo:
            break
        if day not in count and days and day != days[-1] + ONE_DAY:
            continue
        if not ctx.calendar.is_open(day) or not builder.session_day_ok(day):
            continue
        room = phase.per_day - count.get(day, 0)
        eligible = [n for n in todo if n not in origin or 0 <= (day - origin[n]).days <= 1]
        if room <= 0 or not eligible:
            continue
        # Chain after the day's own sessions (already on the timeline), with the protocol's gap.
        gap = -(-phase.min_gap_minutes // ctx.slot)
        after = max((builder.after_gap(day, first + length, gap) for a in live
                     if a.start.astimezone(ctx.zone).date() == day
                     for _, _, first, length in [ctx.slots(a)]), default=0)
        before = len(attempt.bookings)
        n = builder._chain(day, attempt, chair, min(room, len(eligible)), phase.min_gap_minutes, after)
        if n and not _gaps_kept(ctx, day, live, attempt, gap):
            for b in attempt.bookings[before:]:  # the day's sessions would come too close: not this day
                attempt.busy[b.day] &= ~(((1 << b.length) - 1) << b.start)
            del attempt.bookings[before:]
            n = 0
        for b in attempt.bookings[before:]:
            b.session = eligible.pop(0)
            todo.remove(b.session)
        count[day] = count.get(day, 0) + n
        if day not in days and n:
            days.append(day)
    final = sorted(set(days) | {b.day for b in attempt.bookings if b.kind != "assessment"})
    gapless = all((b - a).days == 1 for a, b in zip(final, final[1:]))
    if todo or not gapless or len(final) > phase.days + 1:
        if todo and all(n not in origin for n in todo):  # nothing missed: sessions that lost their place
            return (f"session {todo[0]} of this accelerated course can no longer stay on its day (the clinic's "
                    "hours, chairs or staff changed) and fits neither later that day nor on the next one, its "
                    "days staying consecutive; a clinician should decide how to go on")
        return ("the missed sessions of this accelerated course cannot be made up the day they were missed "
                "or the next one, its days staying consecutive; a clinician should decide how to go on")
    return True


def _gaps_kept(ctx: _Context, day: dt.date, live: list[Appointment], attempt: Attempt, gap: int) -> bool:
    """Whether a day's sessions (kept and newly booked) keep ``gap`` slots between them."""
    spans = [(first, first + length) for a in live if a.start.astimezone(ctx.zone).date() == day
             for _, _, first, length in [ctx.slots(a)]]
    spans += [(b.start, b.start + b.length) for b in attempt.bookings if b.day == day and b.kind != "assessment"]
    spans.sort()
    return all(nxt[0] - prev[1] >= gap for prev, nxt in zip(spans, spans[1:]))


def _assessments(ctx: _Context, builder: CourseBuilder, protocol: Protocol, sp: ScheduledPatient,
                 kept: list[Appointment], invalid: list[Appointment], attempt: Attempt,
                 session_days: list[dt.date], target: int | None, journal: list[Appointment]) -> bool:
    if not session_days:
        return True
    first, last = session_days[0], session_days[-1]
    # Where the last day's last session ends (slots): an assessment anchored on the last
    # session comes after it on that day.
    last_end = max((b.start + b.length for b in attempt.bookings if b.day == last and b.kind != "assessment"),
                   default=0)
    for x in kept:
        if x.kind != "assessment" and x.status in ("planned", "done") and x.start.astimezone(ctx.zone).date() == last:
            _, _, f, ln = ctx.slots(x)
            last_end = max(last_end, f + ln)
    for a in protocol.assessments:
        anchor = first if a.anchor == "first" else last
        lo, hi = a.window_days
        live = [x for x in kept if x.kind == "assessment" and x.name == a.name and x.status in ("planned", "done")]
        if any(x.status == "done" for x in live):
            continue
        ok = [x for x in live if lo <= (x.start.astimezone(ctx.zone).date() - anchor).days <= hi
              and not (a.anchor == "last" and x.start.astimezone(ctx.zone).date() == last
                       and ctx.slots(x)[2] < last_end)]
        if ok:
            continue
        if any(x.pinned for x in live):
            continue  # a pinned assessment stays where it was agreed
        for x in live:  # planned but now out of its window: it moves
            if x.start.astimezone(ctx.zone).date() >= ctx.freeze_until:
                kept.remove(x)
                invalid.append(x)
                _unbook(ctx, sp.id, x)
                journal.append(x)
        if any(x.start.astimezone(ctx.zone).date() < ctx.freeze_until for x in live):
            continue
        length = builder._slots(a.minutes)
        days = [anchor + dt.timedelta(days=k) for k in range(lo, hi + 1)]
        if a.anchor == "first":
            days.reverse()
        not_before = {last: last_end} if a.anchor == "last" else {}
        booking = builder.assessment_booking(a.name, days, length, target or 0, attempt, not_before, ctx.freeze_until)
        if booking is None:
            return False
        attempt.add(booking)
    return True
