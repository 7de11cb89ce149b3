"""Making room on a day for a course that would otherwise lose it.

When a session or mapping fits a day except for another patient's planned session on
the chair, that session may step aside within its own rules, the same day: to another
capable chair at the very same time first (its patient sees no change), else to another
time within the usual tolerance of it; a mapping in the way of another mapping's
physician moves so too, keeping its physician. Only sessions of courses with at most
one session a day move so (daily, weekly or interval ones: their course's shape depends
on the day alone; an accelerated day's sessions keep their gaps), never history, a
pinned one, one in the frozen days or before now, nor a session of the course being
mended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ...model.patient import Patient
from ...model.protocol import DailyPhase
from ...model.schedule import Appointment
from ...tz import local_datetime
from ..builder import Attempt, CourseBuilder
from ..timeline import bits, run_starts, span_mask
from .state import unbook

# How many places (chair and start) are tried on one day before giving up on it.
TRIES = 12


@dataclass
class Relocation:
    patient: str
    old: Appointment
    new: Appointment


class Room:
    """The planned sessions that may step aside, by day, and the moves made so far."""

    def __init__(self, ctx, keep: Mapping[str, list[Appointment]], roster: Mapping[str, Patient],
                 skip: set[str]) -> None:
        self.ctx = ctx
        self.keep = keep
        self.roster = roster
        self.by_day: dict[dt.date, dict[str, tuple[str, Appointment]]] = {}
        self.moves: list[Relocation] = []
        self.current: str | None = None
        discharged = {sp.id for sp in ctx.schedule.patients if sp.status == "discharged"}
        for pid, kept in keep.items():
            if pid in discharged:
                continue
            for appt in kept:
                if appt.id not in skip:
                    self.add(pid, appt)

    def movable(self, pid: str, appt: Appointment) -> bool:
        ctx = self.ctx
        protocol = ctx.protocol_of.get(pid)
        if protocol is None or appt.status != "planned" or appt.pinned or appt.kind not in ("treatment", "mapping"):
            return False
        if any(isinstance(p, DailyPhase) and p.per_day > 1 for p in protocol.phases):
            return False  # an accelerated day's sessions keep their gaps: not moved for others
        return appt.start.astimezone(ctx.zone).date() >= ctx.freeze_until

    def add(self, pid: str, appt: Appointment) -> None:
        if self.movable(pid, appt):
            self.by_day.setdefault(appt.start.astimezone(self.ctx.zone).date(), {})[appt.id] = (pid, appt)

    def drop(self, appt: Appointment) -> None:
        self.by_day.get(appt.start.astimezone(self.ctx.zone).date(), {}).pop(appt.id, None)

    # -- the course being mended -------------------------------------------------------
    def begin(self, pid: str) -> int:
        """Mending ``pid``'s course starts: its own sessions never step aside for it."""
        self.current = pid
        return len(self.moves)

    def undo(self, mark: int) -> None:
        """Put back every session moved since ``mark`` (the course it made room for failed)."""
        while len(self.moves) > mark:
            r = self.moves.pop()
            self._swap(r.patient, r.new, r.old)

    def settled(self, pid: str, gone: list[Appointment], placed: list[Appointment]) -> None:
        """``pid``'s course is mended: ``gone`` left their places, ``placed`` are booked."""
        for appt in gone:
            self.drop(appt)
        for appt in placed:
            self.add(pid, appt)
        self.current = None

    def _swap(self, pid: str, old: Appointment, new: Appointment) -> None:
        ctx = self.ctx
        unbook(ctx, pid, old)
        ctx.book(pid, new)
        self.drop(old)
        self.add(pid, new)
        kept = self.keep.get(pid)
        if kept is not None:
            for i, a in enumerate(kept):
                if a.id == old.id:
                    kept[i] = new

    # -- making room -----------------------------------------------------------------
    def clear(self, builder: CourseBuilder, attempt: Attempt, day: dt.date, kind: str, target: int,
              staff: str | None = None, avoid: int = 0):
        """A place for ``kind`` (mapping or treatment) on ``day``, nearest ``target``, after
        moving other patients' sessions out of the way: (start, chair, staff), or None (and
        nothing moved). No session steps into the slots of ``avoid`` (the mended course's own
        sessions, taken off the timeline for a moment)."""
        ctx = self.ctx
        tl = ctx.timeline
        if tl.now is not None and day < tl.now[0]:
            return None
        others = [(pid, a) for pid, a in self.by_day.get(day, {}).values() if pid != self.current]
        if not others:
            return None
        length = builder.first_len if kind == "mapping" else builder.session_len
        span = length + builder.monitor_len
        fits = run_starts(builder.base(day, attempt), length)
        if not fits:
            return None
        by_chair: dict[str, list[tuple[str, Appointment, int, int]]] = {}
        by_staff: dict[str, list[tuple[str, Appointment, int, int]]] = {}
        for pid, a in others:
            _, _, first, ln = ctx.slots(a)
            if a.staff:
                by_staff.setdefault(a.staff, []).append((pid, a, first, ln))
            ln += ctx.monitor_slots(a)
            by_chair.setdefault(a.chair or "", []).append((pid, a, first, ln))
        # Who gives the mapping, and when they could, once their movable mappings step aside.
        people: list[tuple[str | None, int, list]] = [(None, fits, [])]
        if kind == "mapping" and tl.has_staff:
            people = []
            for person in builder.mapping_staff:
                if staff is not None and person != staff:
                    continue
                theirs = by_staff.get(person, [])
                soft = 0
                for _, _, first, ln in theirs:
                    soft |= span_mask(first, ln)
                free = tl.staff_open(person, day) & ~(tl.staff_busy.get((person, day), 0) & ~soft)
                m = run_starts(free, length) & fits
                if m:
                    people.append((person, m, theirs))
        candidates = []
        for chair in builder.chairs:
            mine = by_chair.get(chair, [])
            soft = 0
            for _, _, first, ln in mine:
                soft |= span_mask(first, ln)
            hard = tl.chair_busy.get((chair, day), 0) & ~soft
            free = run_starts(tl.chair_open(chair, day) & ~hard, span)
            for person, starts, theirs in people:
                for s in bits(free & starts):
                    blocking = [m for m in mine if m[2] < s + span and s < m[2] + m[3]]
                    # An appointment both on this chair and with this person is listed
                    # twice (its chair entry counts its monitoring): step it aside once.
                    ids = {m[1].id for m in blocking}
                    blocking += [m for m in theirs if m[2] < s + length and s < m[2] + m[3] and m[1].id not in ids]
                    if blocking:
                        candidates.append((len(blocking), abs(s - target), s, chair, person, blocking))
        candidates.sort(key=lambda c: (c[0], c[1], c[2], builder.chairs.index(c[3]), c[4] or ""))
        for _, _, s, chair, person, blocking in candidates[:TRIES]:
            mark = len(self.moves)
            held = {chair: span_mask(s, span)}
            if all(self._step_aside(pid, a, held, attempt, avoid, person, span_mask(s, length))
                   for pid, a, _, _ in blocking):
                got = self._place(builder, attempt, day, kind, s, chair, length, person)
                if got is not None:
                    return got
            self.undo(mark)
        return None

    def clear_chain(self, builder: CourseBuilder, attempt: Attempt, day: dt.date, count: int,
                    gap_minutes: int, after: int) -> bool:
        """Room for ``count`` treatments of an accelerated day from slot ``after`` on, each the
        protocol's gap after the one before, on the course's chairs: where the earliest such
        layout is held up only by other patients' movable sessions, those step aside. True
        when something moved (the caller lays the day out again, and undoes on failure)."""
        ctx = self.ctx
        tl = ctx.timeline
        others = [(pid, a) for pid, a in self.by_day.get(day, {}).values() if pid != self.current]
        if not others or (tl.now is not None and day < tl.now[0]):
            return False
        length = builder.session_len
        span = length + builder.monitor_len
        gap = -(-gap_minutes // ctx.slot)
        fits = run_starts(builder.base(day, attempt), length)
        by_chair: dict[str, list[tuple[str, Appointment, int, int]]] = {}
        for pid, a in others:
            _, _, first, ln = ctx.slots(a)
            by_chair.setdefault(a.chair or "", []).append((pid, a, first, ln + ctx.monitor_slots(a)))
        free: dict[str, int] = {}
        for chair in builder.chairs:
            soft = 0
            for _, _, first, ln in by_chair.get(chair, []):
                soft |= span_mask(first, ln)
            free[chair] = tl.chair_open(chair, day) & ~(tl.chair_busy.get((chair, day), 0) & ~soft)
        held: dict[str, int] = {}
        blocking: list[tuple[str, Appointment]] = []
        not_before = after
        for _ in range(count):
            best = None
            for chair in builder.chairs:
                m = run_starts(free[chair] & ~held.get(chair, 0), span) & fits
                m = m >> not_before << not_before
                if m and (best is None or (m & -m) < best[0]):
                    best = (m & -m, chair)
            if best is None:
                return False
            s, chair = best[0].bit_length() - 1, best[1]
            held[chair] = held.get(chair, 0) | span_mask(s, span)
            blocking += [(pid, a) for pid, a, first, ln in by_chair.get(chair, [])
                         if first < s + span and s < first + ln and (pid, a) not in blocking]
            not_before = builder.after_gap(day, s + span, gap)
        if not blocking:
            return False
        mark = len(self.moves)
        if all(self._step_aside(pid, a, held, attempt) for pid, a in blocking):
            return True
        self.undo(mark)
        return False

    def _place(self, builder: CourseBuilder, attempt: Attempt, day: dt.date, kind: str, s: int, chair: str,
               length: int, staff: str | None):
        if kind == "mapping":
            for start, c, person in builder.mapping_options(day, attempt):
                if start == s and c == chair and (staff is None or person == staff):
                    return start, c, person
            return None
        fits = builder.session_starts(chair, day, length, builder.base(day, attempt), builder.treatment_units)
        return (s, chair, None) if fits >> s & 1 else None

    def _step_aside(self, pid: str, appt: Appointment, held: Mapping[str, int], attempt: Attempt,
                    avoid: int = 0, person: str | None = None, staffed_slots: int = 0) -> bool:
        """Move ``appt``, the same day, off the slots ``held`` for the mended course on each
        chair (and off ``person``'s ``staffed_slots``)."""
        ctx = self.ctx
        tl = ctx.timeline
        day, _, first, staffed = ctx.slots(appt)
        ln = staffed + ctx.monitor_slots(appt)
        protocol = ctx.protocol_of.get(pid)
        patient = self.roster.get(pid)
        if protocol is None:
            return False
        pending = attempt.busy.get(day, 0) | avoid  # the mended course's own bookings, not on the timeline yet
        tol = ctx.policy.tolerance_minutes // ctx.slot
        if person is not None and appt.staff == person:  # a physician's hour is freed only by
            tol = max(tol, staffed_slots.bit_count())  # moving a mapping that far
        chairs = [c.id for c in ctx.clinic.chairs_for(protocol.capability)]
        options = [(first, c) for c in chairs if c != appt.chair]
        if patient is not None:  # (another time only within the hours the patient gave)
            options += [(first + d * k, c) for d in range(1, tol + 1) for k in (-1, 1)
                        for c in [appt.chair, *(c for c in chairs if c != appt.chair)]]
        unbook(ctx, pid, appt)
        for s, c in options:
            if s < 0 or span_mask(s, ln) & pending:
                continue
            if span_mask(s, ln) & held.get(c, 0):
                continue
            if person is not None and appt.staff == person and span_mask(s, staffed) & staffed_slots:
                continue
            if tl.now is not None and (day, s) < tl.now:
                continue
            new = appt.model_copy(update={"chair": c, "start": local_datetime(day, s * ctx.slot, ctx.zone),
                                          "revision": ctx.revision})
            if ctx.fits(pid, patient, protocol, new):
                ctx.book(pid, appt)  # (so that the swap takes it off again, and keeps one record)
                self._swap(pid, appt, new)
                self.moves.append(Relocation(pid, appt, new))
                return True
        ctx.book(pid, appt)
        return False
