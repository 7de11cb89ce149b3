"""After the greedy passes: a search that improves the plan by rebooking small groups.

A move takes a patient who waits (or is unplaced) and a few courses that hold the hours
that patient could have had, unbooks them all, and books them again in another order:
the waiting patient first, then the others, each taking the earliest course that fits
and, among a start day's times, the one the patients still waiting need least. The
move is kept only when the whole plan is better by the planner's order (fewer unplaced,
urgent ones first; less urgent waiting; then steadiness and less waiting; then fewer
sessions far from the usual time and fewer chair changes); otherwise everything is put
back as it was. Once such moves stop gaining, a shift books a waiting patient at the
day and hour that push fewest booked courses aside, and rebooks those. The budget counts
the courses built, never the time, so the same inputs give the same plan on every machine.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..model.clinic import Clinic
from ..model.patient import Patient
from ..model.protocol import DailyPhase
from .timeline import bits, mask_of, run_starts

STEADY_SHARE = 0.95
"""The share of once-daily sessions a plan keeps within the tolerance of their course's
usual time before it is ranked on waiting (a plan below it ranks after every plan at it)."""

EFFORTS = ("fast", "normal", "thorough")
"""How hard `plan` searches: fast = the greedy passes only."""

GROUP = 6  # courses unbooked with the waiting patient in one move
POOL = 12  # the competing courses a group is drawn from
SHIFT_DAYS = 10  # open days before a waiting course's start where it is tried
SHIFT_MOST = 3  # booked courses a course may push aside to start earlier
SHIFT_WORK = 60000  # (course, time) pairs looked at to choose one shift: bounded on large clinics


def budget_for(effort: str, patients: int) -> int:
    """Courses the search may build: none for fast; for normal eight a patient (at least 300,
    at most 1,500); for thorough sixty a patient (at most 20,000)."""
    if effort == "fast":
        return 0
    if effort == "thorough":
        return min(60 * patients, 20000)
    return min(max(8 * patients, 300), 1500)


MOST_RESTARTS = 4  # runs of the search on a small clinic, the best kept
FEWEST_FOR_RESTARTS = 10  # below this, one run already builds 30 courses a patient
MOST_FOR_RESTARTS = 30  # above this, one run: the M clinic's 40 referrals stay within a second


def restarts_for(effort: str, patients: int) -> int:
    """How many searches run from the greedy plan, the best result kept: four on a small
    clinic (10 to 30 patients to book), one on any other, none with ``fast`` (the
greedy passes only). A roster of fewer than ten
    gets one because its single run already builds over thirty courses a patient; a
    larger one, because the planner must stay quick there. Each run is seeded by its
    number, so the same inputs give the same plan."""
    if effort == "fast":
        return 0
    if FEWEST_FOR_RESTARTS <= patients <= MOST_FOR_RESTARTS:
        return MOST_RESTARTS
    return 1


class Demand:
    """Per slot of the day, how much the patients still waiting need it.

    A patient who can come in only a few slots of the day needs each of them much; one
    who can come all day needs each a little: a slot counts a session's length over the
    number of slots the patient can come in, summed over the patients still waiting.
    With ``footprint``, a slot counts instead the share of the patient's possible start
    times whose usual day of sessions covers it (see footprint_share).
    """

    def __init__(self, clinic: Clinic, patients: Sequence[Patient],
                 shares: dict[str, tuple[list[int], list[float]]] | None = None, footprint: bool = False) -> None:
        self.clinic = clinic
        self.footprint = footprint
        self.slot = clinic.info.slot_minutes
        self.profile = [0.0] * (24 * 60 // self.slot)
        self.parts: dict[str, tuple[list[int], list[float]]] = {}
        # A patient's share depends on the patient and the clinic alone: a search that
        # builds a Demand per move passes one dict, so each share is worked out once.
        self.shares = shares if shares is not None else {}
        self._open: int | None = None
        for p in patients:
            self.add(p)

    def open_mask(self) -> int:
        if self._open is None:
            self._open = 0
            for windows in self.clinic.info.hours.values():
                self._open |= mask_of(windows, self.slot)
        return self._open

    def _part(self, patient: Patient) -> tuple[list[int], list[float]]:
        known = self.shares.get(patient.id)
        if known is not None:
            return known
        hours = patient.availability if patient.availability is not None else self.clinic.info.hours
        mask = 0
        for windows in hours.values():
            mask |= mask_of(windows, self.slot)
        mask &= self.open_mask()
        protocol = self.clinic.protocols[patient.protocol]
        if self.footprint:
            share = footprint_share(protocol, mask, self.slot)
        else:
            slots = bits(mask)
            length = -(-protocol.session_minutes // self.slot)
            share = (slots, [min(1.0, length / len(slots))] * len(slots)) if slots else ([], [])
        self.shares[patient.id] = share
        return share

    def add(self, patient: Patient) -> None:
        if patient.id in self.parts or patient.protocol not in self.clinic.protocols:
            return
        slots, weights = self.parts[patient.id] = self._part(patient)
        for s, w in zip(slots, weights):
            self.profile[s] += w

    def remove(self, patient: Patient) -> None:
        part = self.parts.pop(patient.id, None)
        if part is None:
            return
        slots, weights = part
        for s, w in zip(slots, weights):
            self.profile[s] -= w


def footprint_share(protocol, mask: int, slot: int) -> tuple[list[int], list[float]]:
    """The slots of the day a course could take on a usual day, and how much it needs each.

    A usual day's sessions form a pattern (one session; or an accelerated course's
    sessions with their gaps) that may start at any time the whole pattern fits in
    ``mask``. Each start counts as equally likely: a slot gets the share of the starts
    whose pattern covers it. A course that fits only one way needs its slots wholly; one
    that fits many ways needs each a little; the middle of a window is needed more than
    its edges. The shares add up to the pattern's length.
    """
    length = -(-(protocol.session_minutes + protocol.monitor_minutes) // slot)
    first = protocol.phases[0] if protocol.phases else None
    per_day = first.per_day if isinstance(first, DailyPhase) else 1
    step = length + (-(-first.min_gap_minutes // slot) if isinstance(first, DailyPhase) else 0)
    pattern = 0
    for k in range(per_day):
        pattern |= ((1 << length) - 1) << (k * step)
    starts = [t for t in bits(mask) if (pattern << t) & ~mask == 0]
    if not starts:
        return [], []
    count: dict[int, int] = {}
    for t in starts:
        for s in bits(pattern << t):
            count[s] = count.get(s, 0) + 1
    slots = sorted(count)
    return slots, [count[s] / len(starts) for s in slots]


@dataclass
class Parts:
    """One patient's share of the plan's score."""

    urgent_lost: int = 0
    urgent_wait: int = 0
    lost: int = 0
    wait: int = 0
    daily: int = 0
    steady: int = 0
    drift: int = 0
    changes: int = 0


class Search:
    """Large-neighbourhood search over a planner's finished plan (see the module's text)."""

    def __init__(self, planner, patients: Sequence[Patient], plans: list, failed: list[Patient],
                 budget: int, progress: Callable[[int, int], None] | None = None, seed: int = 0,
                 footprint: bool = False) -> None:
        self.planner = planner
        self.clinic: Clinic = planner.clinic
        self.today: dt.date = planner.today
        self.patients = {p.id: p for p in patients}
        self.plans = {plan.patient.id: plan for plan in plans}
        self.failed = {p.id: p for p in failed}
        self.budget = budget
        self.progress = progress
        self.built = 0
        # A fixed seed: the same inputs give the same moves, and a larger budget only
        # continues the smaller one's moves (thorough is never worse than normal).
        self.rng = random.Random(len(patients) * 7919 + seed)
        # How the rebooking weighs the hours the others still need (see Demand).
        self.footprint = footprint
        self.parts: dict[str, Parts] = {pid: self._parts(pid) for pid in self.patients}
        # Per booked course: first and last session day, the slots of the day its
        # sessions take, and its chairs (who competes with whom, at a glance).
        self.held: dict[str, tuple[dt.date, dt.date, int, set[str]]] = {
            pid: self._held(plan) for pid, plan in self.plans.items()}
        self.total = Parts()
        for part in self.parts.values():
            self._add(self.total, part, 1)
        self.moves = self.kept = 0
        self.shares: dict[str, tuple[list[int], list[float]]] = {}
        self.shifted: set[tuple] = set()  # shifts tried, each once
        self.shifting = False  # shifts are tried once the moves alone are stuck

    # -- the score -------------------------------------------------------------------
    def _parts(self, pid: str) -> Parts:
        from .planner import once_daily, usual_start

        patient = self.patients[pid]
        urgent = patient.priority == "urgent"
        plan = self.plans.get(pid)
        if plan is None:
            return Parts(urgent_lost=int(urgent), lost=1)
        start = max(patient.start_after or self.today, self.today)
        sessions = [b for b in plan.bookings if b.kind != "assessment"]
        wait = self.planner.calendar.business_days(start, sessions[0].day)
        part = Parts(urgent_wait=wait if urgent else 0, wait=wait)
        part.changes = sum(1 for a, b in zip(sessions, sessions[1:]) if a.chair != b.chair)
        usual = usual_start(plan.bookings)
        if usual is not None:
            tolerance = self.planner.policy.tolerance_minutes // self.clinic.info.slot_minutes
            once = once_daily(plan.bookings)
            part.daily = len(once)
            part.steady = sum(1 for b in once if abs(b.start - usual) <= tolerance)
            part.drift = sum(1 for b in once if abs(b.start - usual) > 2 * tolerance)
        return part

    @staticmethod
    def _held(plan) -> tuple[dt.date, dt.date, int, set[str]]:
        sessions = [b for b in plan.bookings if b.kind != "assessment"]
        held = 0
        for b in sessions:
            held |= ((1 << b.length) - 1) << b.start
        return sessions[0].day, sessions[-1].day, held, {b.chair for b in sessions if b.chair}

    @staticmethod
    def _add(total: Parts, part: Parts, sign: int) -> None:
        for name in Parts.__dataclass_fields__:
            setattr(total, name, getattr(total, name) + sign * getattr(part, name))

    def score(self) -> tuple:
        """The planner's order (Planner._score with waits counted)."""
        t = self.total
        unsteady = t.daily > 0 and t.steady < STEADY_SHARE * t.daily
        return (t.urgent_lost, t.urgent_wait, t.lost, unsteady, t.wait, t.drift, t.changes)

    # -- moves -----------------------------------------------------------------------
    def run(self) -> tuple[list, list[Patient]]:
        # The best plan seen: kept moves as good as before may wander off it, and a
        # search that finds nothing better leaves the first plan exactly as it was.
        best = (self.score(), dict(self.plans))
        stale = 0
        while self.built < self.budget:
            victims = self._victims()
            if not victims:
                break
            improved = False
            built = self.built
            # A round tries each waiting patient once, the longest waits first.
            for victim in victims:
                if self.built >= self.budget:
                    break
                if victim in self.patients and (self._move(victim) or self.shifting and self._shift(victim)):
                    improved = True
                    if self.score() < best[0]:
                        best = (self.score(), dict(self.plans))
            stale = 0 if improved else stale + 1
            if self.built == built:
                break  # nothing left to try
            if stale >= 3:  # rounds of every waiting patient without a gain
                if self.shifting:
                    break
                # Stuck where no group rebooked at random helps, with budget left: go on
                # from the best plan with shifts as well, until three more rounds gain
                # nothing. Until then the moves are those of a search without shifts, so
                # the budget left over can only improve it.
                self._restore(best[1])
                self.shifting = True
                stale = 0
        if self.score() != best[0] or self.plans != best[1]:
            self._restore(best[1])
        return list(self.plans.values()), list(self.failed.values())

    def _restore(self, plans: dict) -> None:
        from .planner import commit_bookings, uncommit

        timeline = self.planner.timeline
        for plan in self.plans.values():
            uncommit(timeline, plan.patient, plan.bookings)
        for plan in plans.values():
            commit_bookings(timeline, plan.patient, plan.bookings)
        for pid in self.patients:
            self._set(pid, plans.get(pid))

    def _victims(self) -> list[str]:
        """Who might wait less: the unplaced, then the longest waits, urgent first."""
        waiting = [pid for pid in self.patients if pid in self.failed or self.parts[pid].wait > 0]
        return sorted(waiting, key=lambda pid: (self.patients[pid].priority != "urgent",
                                               pid not in self.failed, -self.parts[pid].wait, pid))

    def _competitors(self, pid: str) -> list[str]:
        """Booked courses holding hours the patient could use before its current start."""
        patient = self.patients[pid]
        slot = self.clinic.info.slot_minutes
        hours = patient.availability if patient.availability is not None else self.clinic.info.hours
        want = 0
        for windows in hours.values():
            want |= mask_of(windows, slot)
        earliest = max(patient.start_after or self.today, self.today)
        plan = self.plans.get(pid)
        horizon = self.today + dt.timedelta(weeks=self.clinic.info.horizon_weeks)
        until = (plan.bookings_first_day() if plan else horizon) + dt.timedelta(days=42)
        capability = self.clinic.protocols[patient.protocol].capability
        chairs = {c.id for c in self.clinic.chairs_for(capability)}
        scored = []
        for other_id, (first, last, held, used) in self.held.items():
            if other_id == pid or last < earliest or first >= until or not used & chairs:
                continue
            overlap = (held & want).bit_count()
            if overlap:
                scored.append((-overlap, other_id))
        scored.sort()
        return [other_id for _, other_id in scored[:POOL]]

    def _move(self, pid: str) -> bool:
        pool = self._competitors(pid)
        if not pool:
            return False
        # Which of the competitors to unbook, and in which order to rebook them: the
        # waiting patient first always; the others by a seeded draw.
        size = min(len(pool), 1 + self.rng.randrange(GROUP))
        group = self.rng.sample(pool, size)
        members = [pid] + group
        if self.rng.random() < 0.5:
            order = [pid] + sorted(group)
        else:
            order = [pid] + self.rng.sample(group, len(group))
        return self._try(members, order)

    def _shift(self, pid: str) -> bool:
        """Start a waiting course earlier, at a time of day that few booked courses hold
        over its weeks: unbook those few, book the course there, and rebook them (each
        at its earliest). The day and time tried are the ones that push fewest aside,
        the earliest day first."""
        from .builder import CourseBuilder

        patient = self.patients[pid]
        protocol = self.clinic.protocols[patient.protocol]
        plan = self.plans.get(pid)
        calendar = self.planner.calendar
        earliest = max(patient.start_after or self.today, self.today)
        horizon = self.today + dt.timedelta(weeks=self.clinic.info.horizon_weeks)
        current = plan.bookings_first_day() if plan else horizon
        builder = CourseBuilder(self.planner.timeline, self.clinic, patient, protocol, self.today,
                                self.planner.policy)
        length = max(builder.first_len, builder.session_len)
        starts = run_starts(self._want(pid), length)
        if not starts or not builder.chairs:
            return False
        span = dt.timedelta(days=(self.held[pid][1] - self.held[pid][0]).days if plan else 42)
        best: tuple | None = None
        # The days worth trying: the earliest, and each day after a booked course ends
        # (where its hours come free), before the course's present start.
        days = {earliest} | {last + dt.timedelta(days=1) for first, last, _, _ in self.held.values()}
        tried = work = 0
        times = bits(starts)
        for day in sorted(d for d in days if earliest <= d < current):
            if tried >= SHIFT_DAYS:
                break
            if not (calendar.is_open(day) and builder.avail(day)):
                continue
            tried += 1
            until = day + span
            active = [(other, held, used) for other, (first, last, held, used) in self.held.items()
                      if other != pid and first <= until and last >= day]
            work += len(active) * len(times)
            if work > SHIFT_WORK:
                break  # a large clinic: the random moves below do the work
            for rank, chair in enumerate(builder.chairs):
                on_chair = [(other, held) for other, held, used in active if chair in used]
                for t in times:
                    seg = ((1 << length) - 1) << t
                    blockers = [other for other, held in on_chair if held & seg]
                    if len(blockers) > SHIFT_MOST:
                        continue
                    key = (len(blockers), (day - earliest).days, rank, t)
                    if best is None or key < best[0]:
                        tried_key = (pid, day, t, chair, tuple(sorted(blockers)), plan and plan.bookings_first_day())
                        if tried_key not in self.shifted:
                            best = (key, day, t, chair, blockers, tried_key)
        if best is None:
            return False
        _, day, t, chair, blockers, tried_key = best
        self.shifted.add(tried_key)
        if any(self.patients[b].priority == "urgent" for b in blockers) and patient.priority != "urgent":
            return False
        first_day = {b: self.held[b][0] for b in blockers}
        order = [pid] + sorted(blockers, key=lambda b: (self.patients[b].priority != "urgent", first_day[b], b))
        return self._try([pid] + blockers, order, forced=(pid, day, t, chair))

    def _want(self, pid: str) -> int:
        """The slots of the day the patient can come, inside opening hours."""
        patient = self.patients[pid]
        slot = self.clinic.info.slot_minutes
        hours = patient.availability if patient.availability is not None else self.clinic.info.hours
        want = opened = 0
        for windows in hours.values():
            want |= mask_of(windows, slot)
        for windows in self.clinic.info.hours.values():
            opened |= mask_of(windows, slot)
        return want & opened

    def _forced(self, builder, day: dt.date, t: int, chair: str):
        """The course starting on ``day`` with its mapping at ``t`` on ``chair`` if that fits,
        else at another time that day, else at its earliest."""
        from .builder import Attempt

        if builder.cal.is_open(day) and builder.avail(day):
            masks = builder.mapping_masks(day, Attempt())
            if chair in masks and any(m >> t & 1 for _, m in masks[chair]):
                attempt = builder.course(day, (t, chair, builder.staff_at(masks[chair], t)))
                if attempt is not None:
                    return attempt
            attempt = builder.try_day(day)
            if attempt is not None:
                return attempt
        return builder.search()

    def _try(self, members: list[str], order: list[str], forced: tuple | None = None) -> bool:
        from .builder import CourseBuilder, Policy
        from .planner import PatientPlan, commit, commit_bookings, uncommit

        timeline = self.planner.timeline
        before = self.score()
        old = {pid: self.plans.get(pid) for pid in members}
        old_parts = {pid: self.parts[pid] for pid in members}
        for pid in members:
            plan = old[pid]
            if plan is not None:
                uncommit(timeline, plan.patient, plan.bookings)
        policy: Policy = self.planner.search_policy()
        waiting = Demand(self.clinic, [self.patients[pid] for pid in order], self.shares, footprint=self.footprint)
        new: dict[str, object] = {}
        for pid in order:
            patient = self.patients[pid]
            waiting.remove(patient)
            protocol = self.clinic.protocols[patient.protocol]
            builder = CourseBuilder(timeline, self.clinic, patient, protocol, self.today, policy)
            builder.demand = waiting.profile
            if not builder.chairs:
                attempt = None
            elif forced is not None and forced[0] == pid:
                attempt = self._forced(builder, *forced[1:])
            else:
                attempt = builder.search()
            self.built += 1
            if attempt is not None:
                commit(timeline, patient, attempt)
                new[pid] = PatientPlan(patient, sorted(attempt.bookings, key=lambda b: (b.day, b.start)))
            else:
                new[pid] = None
        for pid in members:
            self._set(pid, new[pid])
        self.moves += 1
        if self.progress:
            self.progress(min(self.built, self.budget), self.budget)
        # An urgent patient never starts later for a move (SPEC section 1: urgent patients
        # never lose a place), even where the urgent waits add up to less.
        later = any(self.parts[pid].urgent_lost > old_parts[pid].urgent_lost
                    or self.parts[pid].urgent_wait > old_parts[pid].urgent_wait for pid in members)
        after = self.score()
        if not later and after <= before:
            # A move as good as before is kept too: it lets the search cross plateaus
            # (many plans wait alike); only a better one counts as a gain.
            self.kept += after < before
            return after < before
        # Put everything back as it was.
        for pid in members:
            plan = new[pid]
            if plan is not None:
                uncommit(timeline, plan.patient, plan.bookings)
        for pid in members:
            plan = old[pid]
            if plan is not None:
                commit_bookings(timeline, plan.patient, plan.bookings)
            self._set(pid, plan, old_parts[pid])
        return False

    def _set(self, pid: str, plan, part: Parts | None = None) -> None:
        if plan is None:
            self.plans.pop(pid, None)
            self.held.pop(pid, None)
            self.failed[pid] = self.patients[pid]
        else:
            self.plans[pid] = plan
            self.held[pid] = self._held(plan)
            self.failed.pop(pid, None)
        self._add(self.total, self.parts[pid], -1)
        self.parts[pid] = part if part is not None else self._parts(pid)
        self._add(self.total, self.parts[pid], 1)

