"""After the greedy passes: a search that improves the plan by rebooking small groups.

A move takes a patient who waits (or is unplaced) and a few courses that hold the hours
that patient could have had, unbooks them all, and books them again in another order:
the waiting patient first, then the others, each taking the earliest course that fits
and, among a start day's times, the one the patients still waiting need least. The
move is kept only when the whole plan is better by the planner's order (fewer unplaced,
urgent ones first; less urgent waiting; then steadiness and less waiting; then fewer
sessions far from the usual time and fewer chair changes); otherwise everything is put
back as it was. The budget counts the courses built, never the time, so the same
inputs give the same plan on every machine.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..model.clinic import Clinic
from ..model.patient import Patient
from .timeline import mask_of

EFFORTS = ("fast", "normal", "thorough")
"""How hard `plan` searches: fast = the greedy passes only."""

GROUP = 6  # courses unbooked with the waiting patient in one move
POOL = 12  # the competing courses a group is drawn from


def budget_for(effort: str, patients: int) -> int:
    """Courses the search may build: none for fast; for normal eight a patient (at least 300,
    at most 1,500); for thorough sixty a patient (at most 20,000)."""
    if effort == "fast":
        return 0
    if effort == "thorough":
        return min(60 * patients, 20000)
    return min(max(8 * patients, 300), 1500)


class Demand:
    """Per slot of the day, how much the patients still waiting need it.

    A patient who can come in only a few slots of the day needs each of them much; one
    who can come all day needs each a little: a slot counts a session's length over the
    number of slots the patient can come in, summed over the patients still waiting.
    """

    def __init__(self, clinic: Clinic, patients: Sequence[Patient]) -> None:
        self.clinic = clinic
        self.slot = clinic.info.slot_minutes
        self.profile = [0.0] * (24 * 60 // self.slot)
        self.parts: dict[str, tuple[list[int], float]] = {}
        for p in patients:
            self.add(p)

    def _part(self, patient: Patient) -> tuple[list[int], float]:
        hours = patient.availability if patient.availability is not None else self.clinic.info.hours
        open_mask = 0
        mask = 0
        for day, windows in self.clinic.info.hours.items():
            open_mask |= mask_of(windows, self.slot)
        for day, windows in hours.items():
            mask |= mask_of(windows, self.slot)
        mask &= open_mask
        slots = [s for s in range(len(self.profile)) if mask >> s & 1]
        if not slots:
            return [], 0.0
        protocol = self.clinic.protocols[patient.protocol]
        length = -(-protocol.session_minutes // self.slot)
        return slots, min(1.0, length / len(slots))

    def add(self, patient: Patient) -> None:
        if patient.id in self.parts or patient.protocol not in self.clinic.protocols:
            return
        slots, weight = self.parts[patient.id] = self._part(patient)
        for s in slots:
            self.profile[s] += weight

    def remove(self, patient: Patient) -> None:
        part = self.parts.pop(patient.id, None)
        if part is None:
            return
        slots, weight = part
        for s in slots:
            self.profile[s] -= weight


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
                 budget: int, progress: Callable[[int, int], None] | None = None) -> None:
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
        self.rng = random.Random(len(patients) * 7919)
        self.parts: dict[str, Parts] = {pid: self._parts(pid) for pid in self.patients}
        # Per booked course: first and last session day, the slots of the day its
        # sessions take, and its chairs (who competes with whom, at a glance).
        self.held: dict[str, tuple[dt.date, dt.date, int, set[str]]] = {
            pid: self._held(plan) for pid, plan in self.plans.items()}
        self.total = Parts()
        for part in self.parts.values():
            self._add(self.total, part, 1)
        self.moves = self.kept = 0

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
        unsteady = t.daily > 0 and t.steady < 0.9 * t.daily
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
            # A round tries each waiting patient once, the longest waits first.
            for victim in victims:
                if self.built >= self.budget:
                    break
                if victim in self.patients and self._move(victim):
                    improved = True
                    if self.score() < best[0]:
                        best = (self.score(), dict(self.plans))
            stale = 0 if improved else stale + 1
            if stale >= 3:  # rounds of every waiting patient without a gain
                break
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

    def _try(self, members: list[str], order: list[str]) -> bool:
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
        waiting = Demand(self.clinic, [self.patients[pid] for pid in order])
        new: dict[str, object] = {}
        for pid in order:
            patient = self.patients[pid]
            waiting.remove(patient)
            protocol = self.clinic.protocols[patient.protocol]
            builder = CourseBuilder(timeline, self.clinic, patient, protocol, self.today, policy)
            builder.demand = waiting.profile
            attempt = builder.search() if builder.chairs else None
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

