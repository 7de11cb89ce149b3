"""Who is busy when: chairs, staff, patients and the staff head-count, as slot bitmasks.

A day is a Python int whose bit ``s`` stands for the slot starting at ``s * slot``
minutes after local midnight. Free runs, overlaps and head-counts are then a few
bitwise operations, which keeps the planner fast on large clinics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..calendar import ClinicCalendar
from ..model.clinic import Clinic


def mask_of(windows: Iterable[tuple[int, int]], slot: int) -> int:
    """Bits of every slot wholly inside the windows (minutes)."""
    mask = 0
    for s, e in windows:
        a = -(-s // slot)
        b = e // slot
        if b > a:
            mask |= ((1 << (b - a)) - 1) << a
    return mask


def span_mask(start: int, length: int) -> int:
    return ((1 << length) - 1) << start


def run_starts(free: int, length: int) -> int:
    """Bits s such that slots s .. s+length-1 are all set in ``free``."""
    r = free
    k = 1
    while k < length and r:
        step = min(k, length - k)
        r &= r >> step
        k += step
    return r


def bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def free_runs(free: int) -> list[tuple[int, int]]:
    """The maximal runs of set bits, as (first, end) slot pairs."""
    starts = bits(free & ~(free << 1))
    ends = bits(free & ~(free >> 1))
    return [(a, b + 1) for a, b in zip(starts, ends)]


def nearest_bit(mask: int, target: int) -> int | None:
    """The set bit closest to ``target`` (earlier wins a tie), or None."""
    if not mask:
        return None
    if mask >> target & 1:
        return target
    above = mask >> target
    up = (above & -above).bit_length() - 1 + target if above else None
    below = mask & ((1 << target) - 1)
    down = below.bit_length() - 1 if below else None
    if up is None:
        return down
    if down is None:
        return up
    return down if target - down <= up - target else up


class Timeline:
    """Bookings so far, and the open capacity of the clinic, day by day."""

    def __init__(self, clinic: Clinic, calendar: ClinicCalendar) -> None:
        self.clinic = clinic
        self.calendar = calendar
        self.slot = clinic.info.slot_minutes
        self.chair_busy: dict[tuple[str, dt.date], int] = {}
        self.staff_busy: dict[tuple[str, dt.date], int] = {}
        self.patient_busy: dict[tuple[str, dt.date], int] = {}
        self.levels: dict[dt.date, list[int]] = {}
        self.full: dict[dt.date, int] = {}
        self.has_staff = bool(clinic.staff)
        # Head-count in units: a person on shift stands for ``unit`` of them, a session
        # shared N ways takes unit/N (1 and 1 when no protocol shares staff).
        self.unit = clinic.staff_unit
        self._room: dict[dt.date, dict[int, int]] = {}
        self._roles: dict[tuple[str, dt.date], int] = {}
        self.now: tuple[dt.date, int] | None = None  # (today, slot): nothing is booked before it
        self._open: dict[tuple[str, dt.date], int] = {}
        self._staff_open: dict[tuple[str, dt.date], int] = {}
        self._exactly: dict[dt.date, list[int]] = {}
        # Counts every change of bookings (and of ``now``): a cache of free slots built
        # at one version holds while the version is the same.
        self.version = 0

    def copy(self) -> Timeline:
        """An independent timeline with the same bookings (the calendar caches are shared)."""
        other = Timeline.__new__(Timeline)
        other.__dict__.update(self.__dict__)
        other.chair_busy = dict(self.chair_busy)
        other.staff_busy = dict(self.staff_busy)
        other.patient_busy = dict(self.patient_busy)
        other.levels = {day: list(levels) for day, levels in self.levels.items()}
        other.full = dict(self.full)
        other._room = {}
        return other

    # -- capacity ------------------------------------------------------------------
    def chair_open(self, chair: str, day: dt.date) -> int:
        key = (chair, day)
        m = self._open.get(key)
        if m is None:
            m = mask_of(self.calendar.chair_windows(chair, day), self.slot)
            self._open[key] = m
        return m

    def staff_open(self, staff: str, day: dt.date) -> int:
        key = (staff, day)
        m = self._staff_open.get(key)
        if m is None:
            m = mask_of(self.calendar.staff_windows(staff, day), self.slot)
            self._staff_open[key] = m
        return m

    def _shift_levels(self, day: dt.date) -> list[int]:
        """``[E0, E1, ...]``: slots where exactly k staff are on shift."""
        e = self._exactly.get(day)
        if e is None:
            all_slots = (1 << (24 * 60 // self.slot)) - 1
            # per-slot head-count via level masks: at_least[k] = slots with >= k on shift
            at_least = [all_slots]
            for member in self.clinic.staff:
                m = self.staff_open(member.id, day)
                at_least.append(0)
                for k in range(len(at_least) - 1, 0, -1):
                    at_least[k] |= at_least[k - 1] & m
            e = [at_least[k] & ~(at_least[k + 1] if k + 1 < len(at_least) else 0) for k in range(len(at_least))]
            self._exactly[day] = e
        return e

    def headroom(self, day: dt.date, units: int | None = None) -> int:
        """Slots where one more appointment taking ``units`` of the head-count (a whole
        person by default) still has the staff on shift to attend it."""
        if not self.has_staff:
            return -1
        if units is None or units == self.unit:
            full = self.full.get(day)
            if full is None:
                full = self._full(day, self.unit)
                self.full[day] = full
            return ~full
        room = self._room.setdefault(day, {})
        m = room.get(units)
        if m is None:
            m = room[units] = ~self._full(day, units)
        return m

    def _full(self, day: dt.date, units: int) -> int:
        """Slots where ``units`` more would exceed the staff on shift: with j people on
        shift, where at least j*unit - units + 1 units are already taken."""
        levels = self.levels.get(day, [])
        exactly = self._shift_levels(day)
        full = exactly[0]
        for j in range(1, len(exactly)):
            k = j * self.unit - units + 1  # levels[k - 1]: slots with at least k units taken
            if k <= 0:
                continue
            full |= exactly[j] & (levels[k - 1] if k - 1 < len(levels) else 0)
        return full

    def role_open(self, role: str, day: dt.date) -> int:
        """Slots where someone of ``role`` is on shift (who, does not matter: supervising
        and observing do not occupy them)."""
        key = (role, day)
        m = self._roles.get(key)
        if m is None:
            m = 0
            for member in self.clinic.staff:
                if member.role == role:
                    m |= self.staff_open(member.id, day)
            self._roles[key] = m
        return m

    # -- bookings ------------------------------------------------------------------
    def book(self, day: dt.date, start: int, length: int, patient: str,
             chair: str | None = None, staff: str | None = None, units: int | None = None) -> None:
        """Take the slots for a patient (and chair, and named person); ``units`` of the
        head-count (a whole person by default)."""
        m = span_mask(start, length)
        self.version += 1
        if chair is not None:
            self.chair_busy[(chair, day)] = self.chair_busy.get((chair, day), 0) | m
        if staff is not None:
            self.staff_busy[(staff, day)] = self.staff_busy.get((staff, day), 0) | m
        self.patient_busy[(patient, day)] = self.patient_busy.get((patient, day), 0) | m
        if self.has_staff:
            levels = self.levels.setdefault(day, [])
            for _ in range(self.unit if units is None else units):
                if not levels or levels[-1] & m:  # a new level only where the count grows past it
                    levels.append(0)
                for k in range(len(levels) - 1, 0, -1):
                    levels[k] |= levels[k - 1] & m
                levels[0] |= m
            self._refresh(day)

    def _refresh(self, day: dt.date) -> None:
        # Worked out again when next asked for (headroom): a course booked or unbooked
        # whole touches many days that are not looked at before they change again.
        self._room.pop(day, None)
        self.full.pop(day, None)

    def unbook(self, day: dt.date, start: int, length: int, patient: str,
               chair: str | None = None, staff: str | None = None, units: int | None = None) -> None:
        """Undo one ``book`` of the same arguments."""
        m = span_mask(start, length)
        self.version += 1
        if chair is not None:
            self.chair_busy[(chair, day)] = self.chair_busy.get((chair, day), 0) & ~m
        if staff is not None:
            self.staff_busy[(staff, day)] = self.staff_busy.get((staff, day), 0) & ~m
        self.patient_busy[(patient, day)] = self.patient_busy.get((patient, day), 0) & ~m
        if self.has_staff:
            self.unbook_count(day, m, units)

    def unbook_count(self, day: dt.date, mask: int, units: int | None = None) -> None:
        """Take one appointment (``units`` of the head-count) over ``mask`` off ``day``."""
        self.version += 1
        levels = self.levels.get(day, [])
        for _ in range(self.unit if units is None else units):
            # levels[k]: slots with at least k+1 under way; in ``mask`` one fewer is under way
            for k in range(len(levels)):
                above = levels[k + 1] if k + 1 < len(levels) else 0
                levels[k] = (levels[k] & ~mask) | (above & mask)
        self._refresh(day)

    def chair_free(self, chair: str, day: dt.date) -> int:
        key = (chair, day)
        m = self._open.get(key)
        if m is None:
            m = self.chair_open(chair, day)
        m &= ~self.chair_busy.get(key, 0)
        if self.has_staff:
            full = self.full.get(day)
            if full is None:
                full = self.full[day] = self._full(day, self.unit)
            m &= ~full
        return m

    def staff_free(self, staff: str, day: dt.date) -> int:
        return self.staff_open(staff, day) & ~self.staff_busy.get((staff, day), 0)

    def patient_free(self, patient: str, day: dt.date) -> int:
        free = ~self.patient_busy.get((patient, day), 0)
        if self.now is not None and day <= self.now[0]:
            if day < self.now[0]:
                return 0  # before the first bookable day (the clinic's min_notice_hours)
            free &= ~((1 << self.now[1]) - 1)  # earlier today is already past
        return free

    def set_now(self, day: dt.date, minute: int | None) -> None:
        """Book nothing before ``minute`` of ``day`` (the time of day it is now, or the first
        moment the clinic's notice allows); nothing at all on the days before it."""
        self.now = None if minute is None else (day, -(-minute // self.slot))
        self.version += 1
