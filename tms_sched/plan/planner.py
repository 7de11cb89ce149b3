"""The planning run: order the patients, build each course, explain the unplaced."""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..calendar import ClinicCalendar, earliest_booking
from ..model.clinic import Clinic
from ..model.patient import Patient
from ..model.protocol import DailyPhase, IntervalPhase
from ..model.schedule import Appointment, Schedule, ScheduledPatient, ScheduleInfo, Unplaced
from ..tz import local_datetime
from .builder import Attempt, Booking, CourseBuilder, Policy, union_masks
from .diagnose import explain_unplaced
from .history import protocols_of_booked
from .search import EFFORTS, STEADY_SHARE, Demand, Search, budget_for, restarts_for
from .occupy import book_appointment, book_booking, unbook_booking
from .timeline import Timeline

ASSESSMENT_SUFFIX = {"baseline": "b", "end-of-course": "e", "follow-up": "f"}


@dataclass
class PatientPlan:
    patient: Patient
    bookings: list[Booking]

    def bookings_first_day(self) -> dt.date:
        return min(b.day for b in self.bookings if b.kind != "assessment")


@dataclass
class PlanResult:
    schedule: Schedule
    plans: list[PatientPlan] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)


def nominal_days(clinic: Clinic, patient: Patient) -> int:
    """Calendar days a course takes when nothing is missed (for ordering by slack)."""
    protocol = clinic.protocols[patient.protocol]
    days = 0
    for phase in protocol.phases:
        if isinstance(phase, DailyPhase):
            per_week = 7 if phase.consecutive else phase.days_per_week
            days += int(phase.days * 7 / per_week)
        elif isinstance(phase, IntervalPhase):
            days += phase.sessions * (sum(phase.every_days) // 2)
        else:
            days += 7 * len(phase.per_week)
    return days


def arrival_order(patients: Sequence[Patient], today: dt.date) -> list[Patient]:
    return sorted(patients, key=lambda p: (p.priority != "urgent", p.start_after or today, p.id))


def deadline_order(clinic: Clinic, patients: Sequence[Patient], today: dt.date) -> list[Patient]:
    """Urgent first, then by the latest day each course may start and still meet its deadline."""
    far = dt.date.max

    def latest_start(p: Patient) -> dt.date:
        if p.deadline is None:
            return far
        return p.deadline - dt.timedelta(days=nominal_days(clinic, p))

    return sorted(patients, key=lambda p: (p.priority != "urgent", latest_start(p), p.start_after or today, p.id))


def chair_minutes(clinic: Clinic, patient: Patient) -> int:
    protocol = clinic.protocols[patient.protocol]
    return protocol.first_minutes + (protocol.total_sessions - 1) * protocol.session_minutes


def smart_order(clinic: Clinic, patients: Sequence[Patient], today: dt.date, bucket_days: int = 7) -> list[Patient]:
    """Urgent first; then by the week a patient may start, the least chair time first within it.

    Booking the shortest courses first within a week is what lowers the mean wait when
    capacity is short (a shortest-job-first rule); weeks keep it from starving anyone.
    """

    def key(p: Patient) -> tuple:
        start = p.start_after or today
        bucket = (max(start, today) - today).days // bucket_days
        return (p.priority != "urgent", bucket, chair_minutes(clinic, p), start, p.id)

    return sorted(patients, key=key)


SHARE_WEEKS_TRIED = 3  # earlier weeks an accelerated course tries to share
SHARE_GROUP_MAX = 4  # courses already starting in a week beyond which it is not tried


def low_bit(mask: int) -> int:
    return (mask & -mask).bit_length() - 1


PORTFOLIO_LIMIT = 150  # patients up to which several greedy passes are compared
FIXED_TIME = Policy(pick_time="earliest", pack=False, times_per_day=1, tolerance_minutes=0, any_time=False)
"""Each course at one time of day, the earliest that holds: a pass that packs tightly."""


class Planner:
    def __init__(self, clinic: Clinic, today: dt.date, policy: Policy | None = None,
                 closures: Sequence = (), booked: Sequence[tuple[str, Appointment]] = (),
                 now_minute: int | None = None, effort: str = "fast",
                 booked_protocols: Mapping[str, str] | None = None) -> None:
        if effort not in EFFORTS:
            raise ValueError(f"effort must be one of {', '.join(EFFORTS)}, not {effort!r}")
        self.effort = effort
        self.clinic = clinic
        self.today = today
        self.now_minute = now_minute
        self.policy = policy or Policy()
        self.calendar = ClinicCalendar(clinic, closures)
        self.booked = list(booked)
        # Whose course each booked appointment is (patient id -> protocol id): with it, a
        # shared session counts its share of a person; without, a whole one. What the
        # caller does not say is read from the appointments themselves.
        self.booked_protocols = {**protocols_of_booked(clinic, self.booked), **(booked_protocols or {})}
        self._booked_timeline: Timeline | None = None
        self.search_moves = self.search_kept = 0
        # Whether the kept pass books a mapping away from its course's usual time where
        # no time holds for both; the search rebooks courses the same way.
        self.split_mapping = self.policy.split_mapping

    def new_timeline(self) -> Timeline:
        """A timeline holding the appointments already booked (they are never moved here)."""
        if self._booked_timeline is None:
            self._booked_timeline = self._book_existing()
        return self._booked_timeline.copy()

    def _book_existing(self) -> Timeline:
        timeline = Timeline(self.clinic, self.calendar)
        timeline.set_now(*earliest_booking(self.clinic, self.today, self.now_minute))
        for patient_id, appt in self.booked:
            if appt.status not in ("planned", "done"):
                continue
            protocol = self.clinic.protocols.get(self.booked_protocols.get(patient_id, ""))
            book_appointment(timeline, self.clinic, protocol, patient_id, appt)
        return timeline

    def run(self, patients: Sequence[Patient], order: str = "smart",
            progress: Callable[[int, int], None] | None = None) -> tuple[list[PatientPlan], list[Patient]]:
        orders = {
            "smart": lambda: smart_order(self.clinic, patients, self.today),
            "arrival": lambda: arrival_order(patients, self.today),
            "deadline": lambda: deadline_order(self.clinic, patients, self.today),
        }
        tries: list[tuple[str, Policy]] = [(order, self.policy)]
        if order == "smart" and len(patients) <= PORTFOLIO_LIMIT:
            # A small roster is cheap to plan: a few greedy passes, the best one kept.
            steady = dataclasses.replace(self.policy, any_time=False)
            loose = dataclasses.replace(self.policy, keep_gaps=False)
            tries += [("smart", steady), ("arrival", self.policy), ("arrival", FIXED_TIME), ("arrival", loose)]
            if self.effort != "fast":
                tries.append(("smart", self.search_policy()))
                if self.booked:
                    # On a running clinic's calendar few hours are free at the same time on
                    # the first day and the days after: a pass that may book a mapping away
                    # from its course's usual time.
                    tries.append(("smart", dataclasses.replace(self.search_policy(), split_mapping=True)))
        best: tuple | None = None
        for i, (name, policy) in enumerate(tries):
            plans, failed = self._place(orders[name](), progress if i == 0 else None, policy)
            score = self._score(plans, failed, waits=len(tries) > 1)
            if best is None or score < best[0]:
                best = (score, plans, failed, self.timeline, policy.split_mapping)
        assert best is not None
        if best[2] and order != "arrival" and any(p.deadline for p in patients):
            # A deadline may be met only when courses are placed earliest-deadline first.
            plans, failed = self._place(orders["deadline"](), None, self.policy)
            score = self._score(plans, failed, waits=len(tries) > 1)
            if score < best[0]:
                best = (score, plans, failed, self.timeline, self.policy.split_mapping)
        _, plans, failed, self.timeline, self.split_mapping = best
        budget = budget_for(self.effort, len(patients)) if order == "smart" else 0
        if budget and (plans or failed):
            plans, failed = self._search(patients, plans, failed, budget, progress)
            plans.sort(key=lambda plan: plan.patient.id)
            failed.sort(key=lambda p: p.id)
        return plans, failed

    def _search(self, patients: Sequence[Patient], plans: list[PatientPlan], failed: list[Patient],
                budget: int, progress: Callable[[int, int], None] | None) -> tuple[list[PatientPlan], list[Patient]]:
        """Improve the greedy plan by several seeded searches from it, the best kept.

        The runs differ in their seed and, every other run, in how the rebooking weighs
        the hours others still need: one search often gets stuck where another does not,
        and the best of a few is much steadier than any one of them."""
        runs = restarts_for(self.effort, len(patients))
        start = self.timeline
        best: tuple | None = None
        for run in range(runs):
            self.timeline = start.copy() if run < runs - 1 else start

            def step(done: int, total: int, run: int = run) -> None:
                if progress:
                    progress(run * budget + done, runs * budget)

            search = Search(self, patients, list(plans), list(failed), budget, step, seed=run,
                            footprint=run % 2 == 1)
            found = search.run()
            self.search_moves += search.moves
            self.search_kept += search.kept
            if best is None or search.score() < best[0]:
                best = (search.score(), found, self.timeline)
        assert best is not None
        _, (plans, failed), self.timeline = best
        return plans, failed

    def search_policy(self) -> Policy:
        """The policy of the scarcity-aware pass and of the search's rebooking."""
        return dataclasses.replace(self.policy, scarcity=True, split_mapping=self.split_mapping)

    def _score(self, plans: list[PatientPlan], failed: list[Patient], waits: bool) -> tuple:
        """Fewer urgent patients lost, then fewer lost, then less waiting (business days),
        then steadier times, then fewer chair changes."""
        urgent_lost = sum(1 for p in failed if p.priority == "urgent")
        # Urgent courses are booked first in every pass, so their waiting does not depend on
        # the routine patients: ranking on it first means no routine patient costs one a day.
        urgent_wait = 0
        for plan in plans:
            if plan.patient.priority == "urgent":
                start = max(plan.patient.start_after or self.today, self.today)
                urgent_wait += self.calendar.business_days(start, plan.bookings_first_day())
        total = changes = daily = steady = drift = 0
        if waits:
            tolerance = self.policy.tolerance_minutes // self.clinic.info.slot_minutes
            for plan in plans:
                sessions = [b for b in plan.bookings if b.kind != "assessment"]
                start = max(plan.patient.start_after or self.today, self.today)
                total += self.calendar.business_days(start, sessions[0].day)
                changes += sum(1 for a, b in zip(sessions, sessions[1:]) if a.chair != b.chair)
                usual = usual_start(plan.bookings)
                if usual is not None:
                    once = once_daily(plan.bookings)
                    daily += len(once)
                    steady += sum(1 for b in once if abs(b.start - usual) <= tolerance)
                    drift += sum(1 for b in once if abs(b.start - usual) > 2 * tolerance)
        # A plan that keeps fewer than 95% of daily sessions near their usual time ranks
        # after one that does: patients fit TMS around work.
        unsteady = daily > 0 and steady < STEADY_SHARE * daily
        # Between plans that wait alike, the one with fewer sessions over an hour from
        # their usual time (what check reports as TMS101), then fewer chair changes.
        return (urgent_lost, urgent_wait, len(failed), unsteady, total, drift, changes)

    def _place(self, ordered: list[Patient], progress, policy: Policy) -> tuple[list[PatientPlan], list[Patient]]:
        timeline = self.new_timeline()
        plans: list[PatientPlan] = []
        failed: list[Patient] = []
        waiting = Demand(self.clinic, ordered) if policy.scarcity else None
        for i, patient in enumerate(ordered):
            protocol = self.clinic.protocols[patient.protocol]
            builder = CourseBuilder(timeline, self.clinic, patient, protocol, self.today, policy)
            if waiting is not None:
                waiting.remove(patient)
                builder.demand = waiting.profile
            attempt = builder.search() if builder.chairs else None
            if attempt is not None and policy.pick_time == "coverage" and _accelerated(protocol):
                if self._share_a_week(timeline, policy, patient, attempt, plans):
                    attempt = None  # booked, with the courses it now shares its week with
                    if progress:
                        progress(i + 1, len(ordered))
                    continue
            if attempt is None:
                failed.append(patient)
            else:
                commit(timeline, patient, attempt)
                plans.append(PatientPlan(patient, sorted(attempt.bookings, key=lambda b: (b.day, b.start))))
            if progress:
                progress(i + 1, len(ordered))
        self.timeline = timeline
        return plans, failed

    def _share_a_week(self, timeline: Timeline, policy: Policy, patient: Patient, attempt: Attempt,
                      plans: list[PatientPlan]) -> bool:
        """Book an accelerated course in an earlier week that other accelerated courses of
        this run already start in, by laying all their mappings first and then each one's
        sessions in the others' gaps. A mapping (an hour) never fits in another course's
        50-minute gaps, so booking each course whole cannot find such a shared week."""
        found = min(b.day for b in attempt.bookings if b.kind != "assessment")
        earliest = max(self.today, patient.start_after or self.today)
        firsts: dict[dt.date, list[PatientPlan]] = {}
        for plan in plans:
            if _accelerated(self.clinic.protocols[plan.patient.protocol]):
                first = plan.bookings_first_day()
                if earliest <= first < found:
                    firsts.setdefault(first, []).append(plan)
        for day in sorted(firsts)[:SHARE_WEEKS_TRIED]:
            group = firsts[day]
            if len(group) >= SHARE_GROUP_MAX:
                continue
            members = [plan.patient for plan in group] + [patient]
            for plan in group:
                uncommit(timeline, plan.patient, plan.bookings)
            held: dict[str, Booking] = {}
            built: dict[str, Attempt] = {}
            ok = True
            for member in members:  # every mapping first, back to back
                protocol = self.clinic.protocols[member.protocol]
                builder = CourseBuilder(timeline, self.clinic, member, protocol, self.today, policy)
                masks = builder.mapping_masks(day, Attempt())
                if not masks:
                    ok = False
                    break
                s, chair = min((low_bit(union_masks(m)), builder.chairs.index(c), c) for c, m in masks.items())[::2]
                staff = builder.staff_at(masks[chair], s)
                held_mapping = builder.session_booking("mapping", day, s, chair, staff, 1)
                book_booking(timeline, member.id, held_mapping)
                held[member.id] = held_mapping
            if ok:
                for member in members:  # then each course around the others
                    held_mapping = held.pop(member.id)
                    s, chair, staff = held_mapping.start, held_mapping.chair, held_mapping.staff
                    unbook_booking(timeline, member.id, held_mapping)
                    protocol = self.clinic.protocols[member.protocol]
                    builder = CourseBuilder(timeline, self.clinic, member, protocol, self.today, policy)
                    trial = builder.course(day, (s, chair, staff))
                    if trial is None:
                        ok = False
                        break
                    commit(timeline, member, trial)
                    built[member.id] = trial
            if ok:
                for plan in group:
                    plan.bookings = sorted(built[plan.patient.id].bookings, key=lambda b: (b.day, b.start))
                plans.append(PatientPlan(patient, sorted(built[patient.id].bookings, key=lambda b: (b.day, b.start))))
                return True
            # Undo the trial and put the group back as it was.
            for member_id, held_mapping in held.items():
                unbook_booking(timeline, member_id, held_mapping)
            for member in members:
                if member.id in built:
                    uncommit(timeline, member, built[member.id].bookings)
            for plan in group:
                commit_bookings(timeline, plan.patient, plan.bookings)
        return False


def commit(timeline: Timeline, patient: Patient, attempt: Attempt) -> None:
    commit_bookings(timeline, patient, attempt.bookings)


def commit_bookings(timeline: Timeline, patient: Patient, bookings: Sequence[Booking]) -> None:
    for b in bookings:
        book_booking(timeline, patient.id, b)


def uncommit(timeline: Timeline, patient: Patient, bookings: Sequence[Booking]) -> None:
    for b in bookings:
        unbook_booking(timeline, patient.id, b)


def _accelerated(protocol) -> bool:
    return any(isinstance(p, DailyPhase) and p.consecutive and p.per_day > 1 for p in protocol.phases)


def appointment_id(patient_id: str, booking: Booking, width: int) -> str:
    if booking.kind == "assessment":
        assert booking.name
        base = f"{patient_id}-{ASSESSMENT_SUFFIX.get(booking.name, booking.name)}"
        return base if booking.after is None else f"{base}-{booking.after}"
    return f"{patient_id}-{booking.session:0{width}d}"


def to_appointments(clinic: Clinic, plan: PatientPlan, revision: int) -> list[Appointment]:
    zone = clinic.zone
    slot = clinic.info.slot_minutes
    protocol = clinic.protocols[plan.patient.protocol]
    width = max(2, len(str(protocol.total_sessions)))
    out = []
    for b in plan.bookings:
        if b.kind == "assessment":
            minutes = next(a.minutes for a in protocol.assessments if a.name == b.name)
        else:
            minutes = protocol.minutes_of(b.kind)
        out.append(Appointment(
            id=appointment_id(plan.patient.id, b, width),
            kind=b.kind,  # type: ignore[arg-type]
            name=b.name,
            session=b.session,
            chair=b.chair,
            start=local_datetime(b.day, b.start * slot, zone),
            minutes=minutes,
            monitor_minutes=(protocol.monitor_minutes or None) if b.kind != "assessment" else None,
            staff=b.staff,
            status="planned",
            revision=revision,
        ))
    return out


def plan_schedule(clinic: Clinic, patients: Sequence[Patient], today: dt.date, *,
                  policy: Policy | None = None, order: str = "smart",
                  progress: Callable[[int, int], None] | None = None,
                  booked: Sequence[tuple[str, Appointment]] = (), now_minute: int | None = None,
                  effort: str = "normal", booked_protocols: Mapping[str, str] | None = None) -> PlanResult:
    """Book every patient's course; returns the schedule and the unplaced with reasons.

    ``booked`` holds appointments of other patients that already occupy the clinic;
    ``booked_protocols`` (patient id -> protocol id) says whose course they are, so that
    a shared session counts its share of a person; a patient it leaves out has its
    protocol read from its appointments (``history.protocols_of_booked``);
    ``now_minute`` (minutes after midnight) is the time of day it is on ``today``;
    ``effort`` (fast, normal, thorough) is how long the search after the greedy passes
    may run, counted in courses built.
    """
    planner = Planner(clinic, today, policy, booked=booked, now_minute=now_minute, effort=effort,
                      booked_protocols=booked_protocols)
    bookable = [p for p in patients if p.protocol in clinic.protocols]
    plans, failed = planner.run(bookable, order=order, progress=progress)
    revision = 1
    by_id = {p.patient.id: p for p in plans}
    scheduled = [
        ScheduledPatient(id=pid, protocol=by_id[pid].patient.protocol,
                         appointments=to_appointments(clinic, by_id[pid], revision))
        for pid in sorted(by_id)
    ]
    unplaced = [
        Unplaced(id=p.id, protocol=p.protocol,
                 reason=explain_unplaced(clinic, planner.calendar, planner.timeline, p, today, planner.policy))
        for p in sorted(failed, key=lambda p: p.id)
    ]
    schedule = Schedule(
        schedule=ScheduleInfo(clinic=clinic.info.name, timezone=clinic.info.timezone, revision=revision,
                              updated=today),
        patients=scheduled,
        unplaced=unplaced,
    )
    return PlanResult(schedule=schedule, plans=sorted(plans, key=lambda p: p.patient.id), unplaced=unplaced)


def once_daily(bookings: Sequence[Booking]) -> list[Booking]:
    """A course's sessions on days with one session, the mapping day left out."""
    per_day: dict[dt.date, list[Booking]] = {}
    for b in bookings:
        if b.kind != "assessment":
            per_day.setdefault(b.day, []).append(b)
    mapping_day = next((b.day for b in bookings if b.kind == "mapping"), None)
    return [v[0] for d, v in per_day.items() if len(v) == 1 and d != mapping_day]


def usual_start(bookings: Sequence[Booking]) -> int | None:
    """The median start slot of a course's once-daily sessions (mapping day left out)."""
    starts = [b.start for b in once_daily(bookings)]
    return int(statistics.median(starts)) if starts else None
