"""Builds one patient's whole course on the timeline: mapping, sessions, assessments.

The builder tries start days from the earliest allowed, and for each a usual time of
day chosen for how many later days keep that time free; it then walks the protocol's
phases day by day. Nothing is booked until the whole course (with its assessments)
fits, so a failed attempt leaves the timeline untouched.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..calendar import weekday_key
from ..model.clinic import Clinic
from ..model.patient import Patient
from ..model.protocol import Assessment, DailyPhase, IntervalPhase, Protocol, WeeklyPhase
from ..tz import skipped_minutes
from .timeline import Timeline, bits, free_runs, mask_of, nearest_bit, run_starts

ONE_DAY = dt.timedelta(days=1)
TIGHT_GAPS = 6
"""A chair's day counts as tight when fewer hour-long gaps than this would stay free."""
ASSESSMENT_ROLES = ("clinician", "physician")


@dataclass
class Booking:
    kind: str  # mapping | treatment | assessment
    day: dt.date
    start: int  # slot index
    length: int  # slots
    chair: str | None = None
    staff: str | None = None
    session: int | None = None
    name: str | None = None
    after: int | None = None  # an assessment counted from a numbered session: that number
    monitor: int = 0  # slots of monitoring after the session, in the same chair
    units: int | None = None  # head-count units of the session (None: a whole person)
    monitor_units: int | None = None

    @property
    def end(self) -> int:
        """The slot after the patient leaves the chair (session and monitoring)."""
        return self.start + self.length + self.monitor


@dataclass
class Policy:
    """How the builder chooses among feasible courses."""

    pick_time: str = "coverage"  # coverage | earliest
    tolerance_minutes: int = 30
    any_time: bool = True  # else a day without a slot near the usual time is skipped
    times_per_day: int = 4  # usual times tried on one start day before the next day
    pack: bool = True
    keep_gaps: bool = True  # place sessions so that hour-long gaps for new courses stay open
    spare_physicians: bool = True  # assessments go to a clinician where one is free in the window
    scarcity: bool = False  # among a start day's times, the one the patients still waiting need least
    # Where no mapping time holds on the coming days, the course keeps a time that does
    # and its mapping goes where an hour is free on the first day (the usual time leaves
    # the mapping day out).
    split_mapping: bool = False


@dataclass
class Attempt:
    """A candidate course, not yet booked."""

    bookings: list[Booking] = field(default_factory=list)
    busy: dict[dt.date, int] = field(default_factory=dict)  # the patient's own pending slots

    def next_session(self) -> int:
        return 1 + sum(1 for b in self.bookings if b.kind != "assessment")

    def add(self, b: Booking) -> None:
        self.bookings.append(b)
        self.busy[b.day] = self.busy.get(b.day, 0) | (((1 << (b.length + b.monitor)) - 1) << b.start)

    def drop_last(self) -> None:
        b = self.bookings.pop()
        self.busy[b.day] &= ~(((1 << (b.length + b.monitor)) - 1) << b.start)

    def roll_back(self, size: int) -> None:
        """Forget every booking after the first ``size`` (and the slots they held)."""
        while len(self.bookings) > size:
            self.drop_last()


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


class CourseBuilder:
    def __init__(self, timeline: Timeline, clinic: Clinic, patient: Patient, protocol: Protocol,
                 today: dt.date, policy: Policy, ignore_deadline: bool = False,
                 horizon_end: dt.date | None = None) -> None:
        self.tl = timeline
        self.cal = timeline.calendar
        self.clinic = clinic
        self.patient = patient
        self.protocol = protocol
        self.today = today
        self.policy = policy
        self.slot = clinic.info.slot_minutes
        self.tol = policy.tolerance_minutes // self.slot
        self.deadline = None if ignore_deadline else patient.deadline
        self.horizon_end = horizon_end or today + dt.timedelta(weeks=clinic.info.horizon_weeks)
        self.chairs = [c.id for c in clinic.chairs_for(protocol.capability)]
        if patient.preferred_chair in self.chairs:
            self.chairs.remove(patient.preferred_chair)
            self.chairs.insert(0, patient.preferred_chair)
        self.first_len = self._slots(protocol.first_minutes)
        # The longest first session of the clinic's protocols: a gap this long is where
        # a new course can begin, so sessions are placed to keep such gaps open.
        self.gap_len = max(self._slots(p.first_minutes) for p in clinic.protocols.values())
        self.day_slots = 24 * 60 // self.slot
        self.session_len = self._slots(protocol.session_minutes)
        # Who must be on shift around a session, and what share of a person it takes.
        self.supervision = clinic.supervision_for(protocol) if timeline.has_staff else None
        self.monitor_len = self._slots(protocol.monitor_minutes)
        self.monitor_role = protocol.monitor_role if timeline.has_staff else None
        self.treatment_units = clinic.session_units(protocol, "treatment")
        self.monitor_units = clinic.monitor_units(protocol)
        self.mapping_staff = [s.id for s in clinic.staff if s.role == protocol.first_session_staff]
        self.assessment_staff = [s.id for r in ASSESSMENT_ROLES for s in clinic.staff if s.role == r]
        self.mappers = set(self.mapping_staff)
        clinicians = [s.id for s in clinic.staff if s.role == "clinician"]
        physicians = [s.id for s in clinic.staff if s.role == "physician"]
        if policy.spare_physicians and clinicians and physicians:
            self.assessment_groups = [clinicians, self.assessment_staff]
        else:
            self.assessment_groups = [self.assessment_staff]
        self._avail: dict[dt.date, int] = {}
        # Session starts per (chair, day, length) on days this course holds nothing yet,
        # valid while the timeline is at ``_starts_version`` (see chair_starts).
        self._starts: dict[tuple[str, dt.date, int], int] = {}
        self._starts_version = -1
        # Live sessions booked before this attempt (replanning), as (day, kind): they count
        # toward when the next re-mapping is due.
        self.history: list[tuple[dt.date, str]] = []
        self.failure: str | None = None
        # Per slot of the day, how much the patients still waiting need it (set by the
        # planner when the policy is scarcity-aware; see Demand).
        self.demand: list[float] | None = None

    def _slots(self, minutes: int) -> int:
        return -(-minutes // self.slot)

    # -- masks -----------------------------------------------------------------------
    def avail(self, day: dt.date) -> int:
        m = self._avail.get(day)
        if m is None:
            p = self.patient
            if day in p.unavailable:
                m = 0
            else:
                hours = p.availability if p.availability is not None else self.clinic.info.hours
                m = mask_of(hours.get(weekday_key(day), ()), self.slot)
            self._avail[day] = m
        return m

    def session_day_ok(self, day: dt.date) -> bool:
        if day < self.today or (self.patient.start_after and day < self.patient.start_after):
            return False
        if self.deadline and day > self.deadline:
            return False
        return True

    def base(self, day: dt.date, attempt: Attempt) -> int:
        return self.avail(day) & self.tl.patient_free(self.patient.id, day) & ~attempt.busy.get(day, 0)

    def chair_starts(self, day: dt.date, length: int, attempt: Attempt, base: int | None = None) -> dict[str, int]:
        """chair -> starts of a treatment session of ``length`` slots on ``day`` (chairs with
        none left out)."""
        if base is None and not attempt.busy.get(day):
            out = {}
            for chair in self.chairs:
                m = self.starts_on(chair, day, length, attempt)
                if m:
                    out[chair] = m
            return out
        b = self.base(day, attempt) if base is None else base
        if not b:
            return {}
        out = {}
        for chair in self.chairs:
            m = self.session_starts(chair, day, length, b, self.treatment_units)
            if m:
                out[chair] = m
        return out

    def starts_on(self, chair: str, day: dt.date, length: int, attempt: Attempt) -> int:
        """Starts of a treatment session of ``length`` slots on ``chair`` on ``day`` (what
        chair_starts gives that chair). The course tries many start days, and each looks
        at the same coming days: on a day the attempt holds nothing yet, the answer
        depends on the timeline alone, so it is kept until the timeline changes."""
        if attempt.busy.get(day):
            return self.session_starts(chair, day, length, self.base(day, attempt), self.treatment_units)
        if self._starts_version != self.tl.version:
            self._starts.clear()
            self._starts_version = self.tl.version
        key = (chair, day, length)
        m = self._starts.get(key)
        if m is None:
            b = self.base(day, attempt)
            m = self.session_starts(chair, day, length, b, self.treatment_units) if b else 0
            self._starts[key] = m
        return m

    def session_starts(self, chair: str, day: dt.date, length: int, base: int, units: int | None) -> int:
        """Starts of a session of ``length`` slots on ``chair`` within ``base``: the chair free
        for the session and any monitoring after it, room in the head-count for each part
        (``units`` for the session), the supervising role on shift through the session and
        the monitoring role through the monitoring."""
        tl = self.tl
        if not (self.supervision or self.monitor_len or (units is not None and units != tl.unit)):
            return run_starts(tl.chair_free(chair, day) & base, length)
        free = tl.chair_open(chair, day) & ~tl.chair_busy.get((chair, day), 0) & base
        session = free
        if tl.has_staff:
            session &= tl.headroom(day, units)
            if self.supervision:
                session &= tl.role_open(self.supervision, day)
        m = run_starts(session, length)
        if self.monitor_len and m:
            watch = free
            if tl.has_staff:
                watch &= tl.headroom(day, self.monitor_units)
                if self.monitor_role:
                    watch &= tl.role_open(self.monitor_role, day)
            m &= run_starts(watch, self.monitor_len) >> length
        return m

    def session_booking(self, kind: str, day: dt.date, start: int, chair: str, staff: str | None,
                        session: int) -> Booking:
        """A mapping or treatment booking with its monitoring and head-count share."""
        if kind == "mapping":
            return Booking(kind, day, start, self.first_len, chair, staff, session=session, monitor=self.monitor_len,
                           units=self.clinic.session_units(self.protocol, kind), monitor_units=self.monitor_units)
        return Booking(kind, day, start, self.session_len, chair, staff, session=session, monitor=self.monitor_len,
                       units=self.treatment_units, monitor_units=self.monitor_units)

    def staffed_starts(self, day: dt.date, length: int, free: int, people: list[str]) -> dict[str, int]:
        out = {}
        for person in people:
            m = run_starts(free & self.tl.staff_free(person, day), length)
            if m:
                out[person] = m
        return out

    def mapping_masks(self, day: dt.date, attempt: Attempt) -> dict[str, list[tuple[str | None, int]]]:
        """chair -> [(staff, start mask)] where session 1 can go on ``day``."""
        b = self.base(day, attempt)
        if not b:
            return {}
        out: dict[str, list[tuple[str | None, int]]] = {}
        if self.tl.has_staff:
            # Whoever of the role is free, first: most days fail here, before any chair.
            free_people = [(p, self.tl.staff_free(p, day)) for p in self.mapping_staff]
            anyone = union_masks(free_people)
            b &= anyone
            if not run_starts(b & self.tl.headroom(day), self.first_len):
                return {}
        for chair in self.chairs:
            m = self.session_starts(chair, day, self.first_len, b, None)
            if not m:
                continue
            if not self.tl.has_staff:
                out[chair] = [(None, m)]
                continue
            people = [(p, pm) for p, f in free_people if (pm := run_starts(f, self.first_len) & m)]
            if people:
                out[chair] = people
        return out

    @staticmethod
    def staff_at(masks: list[tuple[str | None, int]], s: int) -> str | None:
        return next(person for person, m in masks if m >> s & 1)

    def mapping_options(self, day: dt.date, attempt: Attempt) -> list[tuple[int, str, str | None]]:
        """(start, chair, staff) for session 1 on ``day``, earliest first."""
        out = []
        for chair, masks in self.mapping_masks(day, attempt).items():
            union = 0
            for _, m in masks:
                union |= m
            for s in bits(union):
                out.append((s, chair, self.staff_at(masks, s)))
        return sorted(out, key=lambda o: (o[0], self.chairs.index(o[1])))

    # -- choosing a slot on one day ----------------------------------------------------------
    def pick(self, day: dt.date, length: int, target: int, chair_pref: str | None, attempt: Attempt,
             tolerance: int | None = None, not_before: int = 0) -> tuple[int, str] | None:
        """A slot within tolerance of ``target``: on the first chair in order (the usual
        one) that has one, else on whichever chair's slot is best.

        The nearest slot wins; with ``keep_gaps``, on a tight day the slot that takes
        fewest starts of an hour-long first session (another course's mapping) wins
        first, so the gaps where a new course could begin stay open."""
        pack = self.policy.pack and self.policy.keep_gaps
        if chair_pref is not None and target >= not_before:
            fits = self.starts_on(chair_pref, day, length, attempt)
            if fits >> target & 1 and not (pack and self._closes(free_runs(self.tl.chair_free(chair_pref, day)),
                                                                 target, length)):
                return target, chair_pref  # the usual chair at the usual time: nothing is better
        starts = self.chair_starts(day, length, attempt)
        if not starts:
            return None
        tol = self.tol if tolerance is None else tolerance
        low = max(target - tol, not_before, 0)
        high = min(target + tol, self.day_slots)
        window = ((1 << (high + 1)) - 1) & ~((1 << low) - 1)
        order = ([chair_pref] if chair_pref in starts else []) + [c for c in starts if c != chair_pref]
        best: tuple[tuple[int, int, int], str, int] | None = None
        # Gaps are kept only among slots within the usual tolerance; a wider search (a
        # session that would otherwise be lost, a taper or interval day) takes the nearest.
        near = window & ((1 << (min(target + self.tol, self.day_slots) + 1)) - 1)
        near &= ~((1 << max(target - self.tol, 0)) - 1)
        for rank, chair in enumerate(order):
            m = starts[chair] & window
            if not m:
                continue
            if pack and m & near:
                runs = free_runs(self.tl.chair_free(chair, day))
                gaps = self._gaps(runs)
                s = min(bits(m & near), key=lambda t: (self._closes(runs, t, length, gaps), abs(t - target), t))
                closes = self._closes(runs, s, length, gaps)
            else:
                s, closes = nearest_bit(m, target), 0
            if rank == 0:
                return s, chair  # the usual chair within tolerance beats any other
            key = (closes, abs(s - target), rank)
            if best is None or key < best[0]:
                best = (key, chair, s)
        if best is None:
            return None
        return best[2], best[1]

    def _gaps(self, runs: list[tuple[int, int]]) -> int:
        """How many hour-long first sessions fit, one after another, in the free ``runs``."""
        g = self.gap_len
        return sum((b - a) // g for a, b in runs)

    def _closes(self, runs: list[tuple[int, int]], start: int, length: int, gaps: int | None = None) -> int:
        """How many starts of an hour-long first session a booking at ``start`` takes away,
        counted only on a tight day (few hour-long gaps left on the chair): on a quiet day
        the usual time is kept. ``gaps``: ``_gaps(runs)`` when the caller has it already."""
        g = self.gap_len
        if gaps is None:
            gaps = self._gaps(runs)
        for a, b in runs:
            if a <= start < b:
                lost = (b - a) // g - (start - a) // g - (b - start - length) // g
                if gaps - lost >= TIGHT_GAPS:
                    return 0
                return max(0, min(start + length, b - g + 1) - max(a, start - g + 1))
        return 0

    # -- re-mapping --------------------------------------------------------------------
    def remap_due(self, attempt: Attempt, day: dt.date) -> bool:
        """Whether the next session, on ``day``, is a motor-threshold re-check: after more
        than ``remap_after_days`` without a session, or ``remap_every_days`` after the last
        mapping (the sessions of this attempt and the live ones booked before it)."""
        after, every = self.protocol.remap_after_days, self.protocol.remap_every_days
        if after is None and every is None:
            return False
        prev: dt.date | None = None
        last_mapping: dt.date | None = None
        sessions = self.history + [(b.day, b.kind) for b in attempt.bookings if b.kind != "assessment"]
        for d, kind in sessions:
            if d > day:
                continue
            prev = d if prev is None else max(prev, d)
            if kind == "mapping":
                last_mapping = d if last_mapping is None else max(last_mapping, d)
        if prev is None:
            return False
        if after is not None and (day - prev).days > after:
            return True
        return every is not None and last_mapping is not None and (day - last_mapping).days >= every

    def remap_booking(self, day: dt.date, attempt: Attempt, target: int, chair: str | None,
                      not_before: int = 0) -> Booking | None:
        """A re-mapping on ``day`` (first_session_minutes, with a named person of the
        protocol's first_session_staff on shift), nearest ``target`` from ``not_before`` on,
        the course's chair winning a tie."""
        best: tuple[tuple[int, int], int, str, str | None] | None = None
        floor = ~((1 << not_before) - 1)
        for c, people in self.mapping_masks(day, attempt).items():
            s = nearest_bit(union_masks(people) & floor, target)
            if s is None:
                continue
            key = (abs(s - target), 0 if c == chair else 1 + self.chairs.index(c))
            if best is None or key < best[0]:
                best = (key, s, c, self.staff_at(people, s))
        if best is None:
            return None
        _, s, c, staff = best
        return self.session_booking("mapping", day, s, c, staff, attempt.next_session())

    def add_remap(self, day: dt.date, attempt: Attempt, target: int, chair: str | None,
                  not_before: int = 0) -> bool:
        b = self.remap_booking(day, attempt, target, chair, not_before)
        if b is None:
            self.failure = f"no {self.protocol.first_session_staff} free for a motor-threshold re-check"
            return False
        attempt.add(b)
        return True

    # -- phases ------------------------------------------------------------------------
    def course(self, d0: dt.date, mapping: tuple[int, str, str | None],
               usual: tuple[int, str] | None = None) -> Attempt | None:
        """The whole course from its mapping on ``d0``; the later sessions near the mapping's
        time on its chair, or near ``usual`` (time, chair) when given."""
        attempt = Attempt()
        start, chair, staff = mapping
        attempt.add(self.session_booking("mapping", d0, start, chair, staff, 1))
        target = start
        if usual is not None:
            target, chair = usual
        session = 1
        last_day = d0
        daily_last: dt.date | None = None
        span_limit = d0 + dt.timedelta(days=self.protocol.max_span_days) if self.protocol.max_span_days else None
        for index, phase in enumerate(self.protocol.phases):
            first_phase = index == 0
            if isinstance(phase, DailyPhase):
                ok = self._daily(phase, attempt, d0 if first_phase else None, last_day, target, chair,
                                 session, span_limit)
            elif isinstance(phase, WeeklyPhase):
                ok = self._weekly(phase, attempt, daily_last or last_day, target, chair, session, span_limit,
                                  first_phase=first_phase)
            else:
                ok = self._interval(phase, attempt, first_phase, last_day, target, chair, session, span_limit)
            if not ok:
                return None
            session = max(b.session or 0 for b in attempt.bookings)
            last_day = max(b.day for b in attempt.bookings)
            if isinstance(phase, DailyPhase):
                daily_last = last_day
        if not self._assessments(attempt, target):
            return None
        return attempt

    def _gap_ok(self, prev: dt.date, day: dt.date) -> bool:
        gap = self.protocol.max_gap_days
        return gap is None or (day - prev).days <= gap

    def _within(self, day: dt.date, span_limit: dt.date | None) -> bool:
        if span_limit and day > span_limit:
            return False
        return self.session_day_ok(day)

    def _daily(self, phase: DailyPhase, attempt: Attempt, d0: dt.date | None, last_day: dt.date,
               target: int, chair: str, session: int, span_limit: dt.date | None) -> bool:
        """``per_day`` sessions on each day, at most ``days_per_week`` days a calendar week."""
        per_week: dict[dt.date, int] = {}
        placed = 0
        day = last_day + ONE_DAY
        if d0 is not None:  # the mapping is session 1: it counts toward the total and day 1
            placed, day = 1, d0
            per_week[week_of(d0)] = 1
        prev = last_day
        while placed < phase.sessions:
            if not self._within(day, span_limit) or not self._gap_ok(prev, day):
                return False
            week = week_of(day)
            today_count = sum(1 for b in attempt.bookings if b.day == day and b.kind != "assessment")
            if not today_count and per_week.get(week, 0) >= phase.days_per_week:
                if phase.consecutive:
                    return False
                day += ONE_DAY
                continue
            need = min(phase.per_day - today_count, phase.sessions - placed)
            if phase.per_day == 1:
                n = 1 if need and self._one_session(day, attempt, target, chair) else 0
            else:
                n = self._chain(day, attempt, chair, need, phase.min_gap_minutes)
            if phase.consecutive and n < need:
                return False
            if n:
                placed += n
                if not today_count:
                    per_week[week] = per_week.get(week, 0) + 1
                prev = day
            day += ONE_DAY
        return True

    def _one_session(self, day: dt.date, attempt: Attempt, target: int, chair: str) -> bool:
        if self.remap_due(attempt, day):
            return self.add_remap(day, attempt, target, chair)
        # Near the usual time if possible; else any time the patient gave, rather than a lost day.
        got = self.pick(day, self.session_len, target, chair, attempt)
        if got is None and self.policy.any_time:
            got = self.pick(day, self.session_len, target, chair, attempt, tolerance=10**6)
        if got is None:
            return False
        s, c = got
        attempt.add(self.session_booking("treatment", day, s, c, None, attempt.next_session()))
        return True

    def _chain(self, day: dt.date, attempt: Attempt, chair: str, need: int, gap_minutes: int,
               after: int = 0) -> int:
        """Place up to ``need`` sessions on ``day``, each >= gap after the previous one ends
        (and, for sessions booked before, ends at ``after`` at the earliest): on the course's
        chair when it is free within the tolerance of the earliest slot, else at the earliest
        slot on any chair."""
        before = len(attempt.bookings)
        placed = self._chain_once(day, attempt, chair, need, gap_minutes, self.tol, after)
        if placed < need and self.tol:
            attempt.roll_back(before)
            placed = self._chain_once(day, attempt, chair, need, gap_minutes, 0, after)
        return placed

    def _chain_once(self, day: dt.date, attempt: Attempt, chair: str, need: int, gap_minutes: int,
                    loyalty: int, after: int = 0) -> int:
        gap = -(-gap_minutes // self.slot)
        today_own = [b for b in attempt.bookings if b.day == day and b.kind != "assessment"]
        not_before = max((self.after_gap(day, b.end, gap) for b in today_own), default=after)
        placed = 0
        for i in range(need):
            if self.remap_due(attempt, day):
                if not self.add_remap(day, attempt, not_before, chair, not_before=not_before):
                    break
                placed += 1
                not_before = self.after_gap(day, attempt.bookings[-1].end, gap)
                continue
            starts = self.chair_starts(day, self.session_len, attempt)
            best: tuple[int, int, str] | None = None
            for rank, c in enumerate([chair] + [x for x in starts if x != chair]):
                m = starts.get(c, 0) >> not_before
                if not m:
                    continue
                s = (m & -m).bit_length() - 1 + not_before
                if best is None or (s, rank) < (best[0], best[1]):
                    best = (s, rank, c)
            if best is None:
                break
            own = starts.get(chair, 0) >> not_before
            if loyalty and own and best[2] != chair:
                s_own = (own & -own).bit_length() - 1 + not_before
                if s_own - best[0] <= loyalty:
                    best = (s_own, 0, chair)
            s, _, c = best
            booking = self.session_booking("treatment", day, s, c, None, attempt.next_session())
            attempt.add(booking)
            placed += 1
            not_before = self.after_gap(day, booking.end, gap)
        return placed

    def after_gap(self, day: dt.date, end: int, gap: int) -> int:
        """The first slot of ``day`` that lies ``gap`` slots of real time after slot ``end``.

        On the day the clocks go forward the skipped hour passes in no time, so a gap
        that spans it ends that much later on the wall clock.
        """
        start = end + gap
        skipped = skipped_minutes(day, self.clinic.zone)
        if skipped and end <= skipped[0] // self.slot < start:
            start += -(-skipped[1] // self.slot)
        return start

    def _weekly(self, phase: WeeklyPhase, attempt: Attempt, daily_last: dt.date, target: int, chair: str,
                session: int, span_limit: dt.date | None, first_phase: bool = False) -> bool:
        """``per_week[i]`` sessions in the i-th calendar week after the previous phase's last
        week, on different days at least ``min_days_apart`` apart. As the course's first
        phase, its first week is the mapping's, and the mapping counts toward it."""
        apart = phase.min_days_apart
        week = week_of(daily_last) if first_phase else week_of(daily_last) + dt.timedelta(days=7)
        prev = daily_last
        for index, count in enumerate(phase.per_week):
            held = [daily_last] if first_phase and index == 0 else []
            options = []
            for i in range(7):
                day = week + dt.timedelta(days=i)
                if day <= prev or any(abs((day - h).days) < apart for h in held):
                    continue
                if self._within(day, span_limit) and self.pick(day, self.session_len, target, chair, attempt,
                                                               tolerance=10**6):
                    options.append(day)
            chosen = _spread(options, count - len(held), apart)
            if chosen is None:
                return False
            for day in chosen:
                if not self._gap_ok(prev, day):
                    return False
                if self.remap_due(attempt, day):
                    if not self.add_remap(day, attempt, target, chair):
                        return False
                    prev = day
                    continue
                got = self.pick(day, self.session_len, target, chair, attempt, tolerance=10**6)
                if got is None:
                    return False
                attempt.add(self.session_booking("treatment", day, got[0], got[1], None, attempt.next_session()))
                prev = day
            week += dt.timedelta(days=7)
        return True

    def _interval(self, phase: IntervalPhase, attempt: Attempt, first_phase: bool, last_day: dt.date,
                  target: int, chair: str, session: int, span_limit: dt.date | None) -> bool:
        lo, hi = phase.every_days
        todo = phase.sessions - (1 if first_phase else 0)
        mid = (lo + hi) / 2
        budget = [4000]

        def dfs(prev: dt.date, n: int) -> bool:
            if n == 0:
                return True
            budget[0] -= 1
            if budget[0] < 0:
                return False
            offsets = sorted(range(lo, hi + 1), key=lambda k: (abs(k - mid), k))
            for k in offsets:
                day = prev + dt.timedelta(days=k)
                if not self._within(day, span_limit) or not self._gap_ok(prev, day):
                    continue
                if self.remap_due(attempt, day):
                    if not self.add_remap(day, attempt, target, chair):
                        continue
                else:
                    got = self.pick(day, self.session_len, target, chair, attempt, tolerance=10**6)
                    if got is None:
                        continue
                    attempt.add(self.session_booking("treatment", day, got[0], got[1], None,
                                                     attempt.next_session()))
                if dfs(day, n - 1):
                    return True
                attempt.drop_last()
            return False

        return dfs(last_day, todo)

    # -- assessments -------------------------------------------------------------------
    def _assessments(self, attempt: Attempt, target: int) -> bool:
        sessions = [b for b in attempt.bookings if b.kind != "assessment"]
        for a in self.protocol.assessments:
            for number, day, limits in assessment_anchors(a, self.protocol.total_sessions, sessions):
                booking = self.book_assessment(a, day, limits, target, attempt, self.today)
                if booking is None:
                    self.failure = f"no {a.name} assessment slot"
                    return False
                booking.after = number if a.every_sessions is not None else None
                attempt.add(booking)
        return True

    def book_assessment(self, a: Assessment, anchor: dt.date, limits: dict[dt.date, tuple[int, int | None]],
                        target: int, attempt: Attempt, earliest: dt.date) -> Booking | None:
        """Assessment ``a`` in its window around ``anchor``, on the preferred day when it can
        (else the nearest); ``limits`` bounds the slots of the anchor's day."""
        days = [anchor + dt.timedelta(days=k) for k in a.days_in_order()]
        length = self._slots(a.minutes)
        return self.assessment_booking(a.name, days, length, target, attempt, limits, earliest,
                                       day_first=a.prefer_day is not None)

    def assessment_booking(self, name: str, days: list[dt.date], length: int, target: int, attempt: Attempt,
                           limits: dict[dt.date, int | tuple[int, int | None]], earliest: dt.date,
                           day_first: bool = False) -> Booking | None:
        """The assessment on the first of ``days`` (from ``earliest``) with a slot; a clinician
        anywhere in the window before a physician, whose time every new course's mapping needs
        (with ``day_first``, a preferred day: the earliest day in order with either).

        ``limits`` bounds a day's slots: an int is the first slot allowed (after a session
        it follows), a pair (first, end) also the end (before a first session that day)."""
        groups = self.assessment_groups
        order = ([(g, d) for d in days for g in groups] if day_first else [(g, d) for g in groups for d in days])
        for staff, day in order:
            if day < earliest:
                continue
            bound = limits.get(day, 0)
            lo, hi = bound if isinstance(bound, tuple) else (bound, None)
            got = self._assessment_slot(day, length, target, attempt, lo, staff, hi)
            if got:
                return Booking("assessment", day, got[0], length, None, got[1], name=name)
        return None

    def _assessment_slot(self, day: dt.date, length: int, target: int, attempt: Attempt,
                         not_before: int, staff: list[str], end_by: int | None = None) -> tuple[int, str | None] | None:
        free = self.base(day, attempt) & mask_of(self.cal.open_windows(day), self.slot) & self.tl.headroom(day)
        free &= ~((1 << not_before) - 1)
        if end_by is not None:
            free &= (1 << end_by) - 1
        if not free:
            return None
        if not self.tl.has_staff:
            s = nearest_bit(run_starts(free, length), target)
            return (s, None) if s is not None else None
        best = None
        for rank, (person, m) in enumerate(self.staffed_starts(day, length, free, staff).items()):
            if self.policy.spare_physicians and person in self.mappers:
                # A mapper's hour-long gaps are where new courses begin: keep them open.
                runs = free_runs(self.tl.staff_free(person, day))
                gaps = self._gaps(runs)
                s = min(bits(m), key=lambda t: (self._closes(runs, t, length, gaps), abs(t - target), t))
                key = (self._closes(runs, s, length, gaps), abs(s - target), rank)
            else:
                s = nearest_bit(m, target)
                key = (0, abs(s - target), rank)
            if best is None or key < best[0]:
                best = (key, s, person)
        return (best[1], best[2]) if best else None

    # -- the search --------------------------------------------------------------------------
    def earliest_day(self) -> dt.date:
        day = max(self.today, self.patient.start_after or self.today)
        return day

    def search(self) -> Attempt | None:
        day = self.earliest_day()
        last_start = self.horizon_end
        if self.deadline and self.deadline < last_start:
            last_start = self.deadline
        while day <= last_start:
            if self.cal.is_open(day) and self.avail(day):
                attempt = self.try_day(day)
                if attempt:
                    return attempt
            day += ONE_DAY
        return None

    def try_day(self, d0: dt.date) -> Attempt | None:
        phase = self.protocol.phases[0]
        if isinstance(phase, DailyPhase) and phase.consecutive:
            for k in range(1, phase.days):
                if not self.cal.is_open(d0 + dt.timedelta(days=k)):
                    return None
        masks = self.mapping_masks(d0, Attempt())
        floor = self._same_day_first(d0)
        if floor:
            keep = ~((1 << floor) - 1)
            masks = {c: kept for c, people in masks.items()
                     if (kept := [(p, m & keep) for p, m in people if m & keep])}
        if not masks:
            return None
        elsewhere = self._usual_elsewhere(d0, masks) if self.policy.split_mapping else None
        if elsewhere and not elsewhere[0]:
            # No mapping time holds on the coming days, but another time does: the course
            # keeps that time, its mapping goes where an hour is free on its first day.
            for mapping, usual in elsewhere[1]:
                attempt = self.course(d0, mapping, usual)
                if attempt:
                    return attempt
            elsewhere = None
        for start, chair in self.rank_times(d0, {c: union_masks(m) for c, m in masks.items()}):
            attempt = self.course(d0, (start, chair, self.staff_at(masks[chair], start)))
            if attempt:
                return attempt
        for mapping, usual in (elsewhere[1] if elsewhere else ()):
            attempt = self.course(d0, mapping, usual)
            if attempt:
                return attempt
        return None

    def _usual_elsewhere(self, d0: dt.date, masks: dict[str, list[tuple[str | None, int]]]
                         ) -> tuple[bool, list[tuple[tuple[int, str, str | None], tuple[int, str]]]] | None:
        """(whether a mapping time itself holds, [(mapping, usual time)]): times of day that
        stay free for a session on the same chair on every coming day, earliest first, each
        with the mapping on ``d0`` nearest it (on its chair if it can be). The usual time is
        the median of the once-daily sessions, the mapping day left out, so the mapping may
        be at another hour. None when no time holds."""
        days = self._coverage_days(d0)
        if not days:
            return None
        empty = Attempt()
        held: dict[str, int] = {}
        for c in self.chairs:
            m = -1
            for day in days:
                m &= self.starts_on(c, day, self.session_len, empty)
                if not m:
                    break
            if m:
                held[c] = m
        if not held:
            return None
        mapping_at = {c: union_masks(people) for c, people in masks.items()}
        coupled = any(mapping_at.get(c, 0) & m for c, m in held.items())
        times = _distinct_times(((t, c) for t in bits(union_masks(held.values())) for c in self.chairs
                                 if held.get(c, 0) >> t & 1), self.policy.times_per_day)
        out = []
        for t, c in times:
            best = None
            for mc, mm in mapping_at.items():
                s = nearest_bit(mm, t)
                if s is None:
                    continue
                key = (abs(s - t), mc != c, self.chairs.index(mc))
                if best is None or key < best[0]:
                    best = (key, s, mc)
            if best is not None:
                out.append(((best[1], best[2], self.staff_at(masks[best[2]], best[1])), (t, c)))
        return coupled, out

    def _same_day_first(self, d0: dt.date) -> int:
        """The earliest slot session 1 may start on ``d0`` so that the assessments that must
        fall on its day, before it (window_days = [0, 0] from the first), fit before it."""
        floor = 0
        for a in self.protocol.assessments:
            if a.anchor != "first" or a.window_days != [0, 0]:
                continue
            length = self._slots(a.minutes)
            free = self.base(d0, Attempt()) & mask_of(self.cal.open_windows(d0), self.slot) & self.tl.headroom(d0)
            if self.tl.has_staff:
                free &= union_masks(self.tl.staff_free(p, d0) for p in self.assessment_staff)
            starts = run_starts(free, length)
            if not starts:
                return self.day_slots  # no room for it on d0: no start works
            floor += ((starts & -starts).bit_length() - 1 + length) if not floor else length
        return floor

    def rank_times(self, d0: dt.date, starts: dict[str, int]) -> list[tuple[int, str]]:
        """(time, chair) for session 1, best first: how well the time of day holds later on."""
        limit = self.policy.times_per_day
        order = [c for c in self.chairs if c in starts]
        if self.policy.pick_time == "earliest":
            return _distinct_times(((s, c) for s in bits(union_masks(starts.values())) for c in order
                                    if starts[c] >> s & 1), limit)
        days = self._coverage_days(d0)
        empty = Attempt()
        per_day = [self.chair_starts(day, self.session_len, empty) for day in days]
        # Times that stay free on the same chair on every coming day the patient can come.
        full = {}
        for c in order:
            m = starts[c]
            for day_starts in per_day:
                m &= day_starts.get(c, 0)
                if not m:
                    break
            if m:
                full[c] = m
        pref = self.patient.preferred_chair
        if full:
            def group(chairs: list[str], packed: bool):
                masks = {c: full[c] & (self._touching(d0, c) if packed else -1) for c in chairs if c in full}
                for t in bits(union_masks(masks.values())):
                    yield t, next(c for c in chairs if masks.get(c, 0) >> t & 1)

            mine = [c for c in order if c == pref]
            others = [c for c in order if c != pref]
            ranked = (x for chairs in (mine, others) for packed in (True, False) for x in group(chairs, packed))
            if self.demand is not None and self.policy.scarcity:
                return self._least_needed(_distinct_times(ranked, 10**6), limit)
            return _distinct_times(ranked, limit)
        # Else count the days each time holds, on the chairs with most room today.
        widest = sorted(order, key=lambda c: (-starts[c].bit_count(), order.index(c)))[:8]
        count: dict[tuple[int, str], int] = {}
        for day_starts in per_day:
            for c in widest:
                for s in bits(starts[c] & day_starts.get(c, 0)):
                    count[(s, c)] = count.get((s, c), 0) + 1
        candidates = [(s, c) for c in widest for s in bits(starts[c])]
        candidates.sort(key=lambda sc: (-count.get(sc, 0), 0 if sc[1] == pref else 1, sc[0], order.index(sc[1])))
        if self.demand is not None and self.policy.scarcity:
            best = count.get(candidates[0], 0) if candidates else 0
            held = [sc for sc in candidates if count.get(sc, 0) == best]
            return self._least_needed(_distinct_times(held, 10**6), limit) + _distinct_times(
                [sc for sc in candidates if count.get(sc, 0) < best], limit)[:max(0, limit - len(held))]
        return _distinct_times(candidates, limit)

    def need(self, start: int) -> float:
        """How much the patients still waiting need the slots a session at ``start`` takes."""
        assert self.demand is not None
        return sum(self.demand[start:start + self.session_len])

    def _least_needed(self, ranked: list[tuple[int, str]], limit: int) -> list[tuple[int, str]]:
        """The times in ``ranked`` that the waiting patients need least first, the rank
        breaking ties (a time no one else can use is as good as the earliest)."""
        order = sorted(range(len(ranked)), key=lambda i: (round(self.need(ranked[i][0]), 6), i))
        return [ranked[i] for i in order[:limit]]

    def _coverage_days(self, d0: dt.date) -> list[dt.date]:
        """The next (up to) twenty days after ``d0`` on which the patient could have a session."""
        out = []
        day = d0 + ONE_DAY
        while len(out) < 20 and (day - d0).days < 42:
            if self.cal.is_open(day) and self.session_day_ok(day) and self.avail(day):
                out.append(day)
            day += ONE_DAY
        return out

    def _touching(self, day: dt.date, chair: str) -> int:
        """Starts whose session 1 would touch a booking or the edge of the chair's hours."""
        if not self.policy.pack:
            return -1
        busy = ~self.tl.chair_free(chair, day)
        return (busy << 1) | (busy >> self.first_len)


def assessment_anchors(a: Assessment, total: int, sessions: list[Booking]
                       ) -> list[tuple[int | None, dt.date, dict[dt.date, tuple[int, int | None]]]]:
    """(anchor number, anchor day, slot limits) for each window of ``a`` over a course's
    session bookings: the first and last in time, or the session of each anchor number.
    On the anchor's own day an assessment ends before a first session starts, or starts
    after the session it follows ends."""
    if not sessions:
        return []
    if a.anchor == "first":
        first = min(sessions, key=lambda b: (b.day, b.start))
        return [(None, first.day, {first.day: (0, first.start)})]
    if a.anchor == "last":
        last = max(b.day for b in sessions)
        end = max(b.end for b in sessions if b.day == last)  # after any monitoring too
        return [(None, last, {last: (end, None)})]
    by_number: dict[int, Booking] = {}
    for b in sorted(sessions, key=lambda b: (b.day, b.start)):
        if b.session is not None:
            by_number.setdefault(b.session, b)
    out = []
    for n in a.anchor_sessions(total):
        b = by_number.get(n)
        if b is not None:
            out.append((n, b.day, {b.day: (b.end, None)}))
    return out


def _spread(options: list[dt.date], count: int, apart: int) -> list[dt.date] | None:
    """``count`` of the week's ``options`` (in date order), spread over the week, each at
    least ``apart`` days from the one before; None when they cannot be."""
    if count <= 0:
        return []
    if len(options) < count:
        return None
    chosen = [options[round(i * (len(options) - 1) / max(count - 1, 1))] for i in range(count)] \
        if count > 1 else [options[0]]
    if len(set(chosen)) < count:
        chosen = options[:count]

    def spaced(days: Sequence[dt.date]) -> bool:
        return all((b - a).days >= apart for a, b in zip(days, days[1:]))

    if spaced(chosen):
        return chosen
    return next((list(c) for c in itertools.combinations(options, count) if spaced(c)), None)


def union_masks(masks) -> int:
    """OR of masks, given bare or as (who, mask) pairs."""
    out = 0
    for m in masks:
        out |= m[1] if isinstance(m, tuple) else m
    return out


def _distinct_times(ranked, limit: int) -> list[tuple[int, str]]:
    """The first ``limit`` entries of distinct times of day."""
    out: list[tuple[int, str]] = []
    seen: set[int] = set()
    for s, c in ranked:
        if s not in seen:
            seen.add(s)
            out.append((s, c))
            if len(out) >= limit:
                break
    return out
