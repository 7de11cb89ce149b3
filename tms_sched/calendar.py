"""The clinic's calendar: what is open when, per chair and per staff member.

Everything here is local wall-clock time in the clinic's zone: a day is a date and a
window is ``(start, end)`` minutes after local midnight. Both the planner and the
checker read the clinic through this one module, so they agree on what "open" means.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

import holidays as holidays_lib

from .model.base import WEEKDAYS
from .model.clinic import Clinic
from .model.schedule import Closure
from .tz import unstable_minutes

Window = tuple[int, int]
DAY = 24 * 60


def subtract(windows: Sequence[Window], cut: Window) -> tuple[Window, ...]:
    cs, ce = cut
    out: list[Window] = []
    for s, e in windows:
        if ce <= s or e <= cs:
            out.append((s, e))
            continue
        if s < cs:
            out.append((s, cs))
        if ce < e:
            out.append((ce, e))
    return tuple(out)


def intersect(a: Sequence[Window], b: Sequence[Window]) -> tuple[Window, ...]:
    out: list[Window] = []
    for s1, e1 in a:
        for s2, e2 in b:
            s, e = max(s1, s2), min(e1, e2)
            if s < e:
                out.append((s, e))
    return tuple(sorted(out))


def contains(windows: Iterable[Window], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in windows)


def weekday_key(day: dt.date) -> str:
    return WEEKDAYS[day.weekday()]


def _clip(start: dt.datetime, end: dt.datetime, day: dt.date) -> Window | None:
    """The part of the local range [start, end) that falls on ``day``, in minutes."""
    d0 = dt.datetime.combine(day, dt.time())
    s = max(start, d0)
    e = min(end, d0 + dt.timedelta(days=1))
    if e <= s:
        return None
    return (int((s - d0).total_seconds() // 60), int(-(-(e - d0).total_seconds() // 60)))


def _day_parts(start: dt.datetime, end: dt.datetime) -> Iterator[tuple[dt.date, Window]]:
    """Each day a local range [start, end) touches, with the part of that day it covers."""
    day = start.date()
    while dt.datetime.combine(day, dt.time()) < end:
        clip = _clip(start, end, day)
        if clip:
            yield day, clip
        day += dt.timedelta(days=1)


@lru_cache(maxsize=256)
def _holiday_table(country: str, subdiv: str | None, year: int) -> dict[dt.date, str]:
    return dict(holidays_lib.country_holidays(country, subdiv=subdiv, years=year).items())


def _base_name(name: str) -> list[str]:
    return [p.strip().removesuffix(" (observed)").removesuffix(" (Observed)") for p in name.split(";")]


def earliest_booking(clinic: Clinic, today: dt.date, now_minute: int | None = None) -> tuple[dt.date, int | None]:
    """The first local (day, minute) at which something new may be booked: now, plus the
    clinic's ``min_notice_hours``. ``now_minute`` None means the start of ``today``; the
    minute comes back None when nothing on that day is ruled out."""
    notice = clinic.info.min_notice_hours
    if not notice:
        return today, now_minute
    moment = dt.datetime.combine(today, dt.time()) + dt.timedelta(minutes=now_minute or 0, hours=notice)
    return moment.date(), moment.hour * 60 + moment.minute


class ClinicCalendar:
    """Open windows of a clinic, its chairs and its staff, day by day."""

    def __init__(self, clinic: Clinic, closures: Sequence[Closure] = ()) -> None:
        self.clinic = clinic
        self.zone = clinic.zone
        info = clinic.info
        self._closed: dict[dt.date, str] = {}
        self._partial: dict[dt.date, list[tuple[Window, str]]] = {}
        self._chair_down: dict[tuple[str, dt.date], list[tuple[Window, str]]] = {}
        self._away: dict[tuple[str, dt.date], list[tuple[Window, str]]] = {}
        for period in info.closed_periods():
            reason = period.reason or "closed (clinic file)"
            if period.whole_days:
                for day in period.dates():
                    self._closed.setdefault(day, reason)
            else:
                self._add_range(None, period.start_local(), period.end_local(), reason)
        for member in clinic.staff:
            for period in member.away_periods():
                self._add_away(member.id, period.start_local(), period.end_local(), period.reason or "away")
        self._blocks = list(getattr(clinic, "blocks", ()))
        for chair in clinic.chairs:
            for down in chair.down:
                self._add_range(chair.id, down.start_local(), down.end_local(), down.reason or "chair down")
        for closure in closures:
            reason = closure.reason or "closure"
            if closure.chair is not None:
                self._add_range(closure.chair, closure.start_local(), closure.end_local(), reason)
            elif closure.date is not None or (
                not isinstance(closure.start, dt.datetime) and not isinstance(closure.end, dt.datetime)
            ):
                day = closure.start_local().date()
                while day < closure.end_local().date():
                    self._closed.setdefault(day, reason)
                    day += dt.timedelta(days=1)
            else:
                self._add_range(None, closure.start_local(), closure.end_local(), reason)
        keep = info.holidays.keep_open if info.holidays else []
        self._keep_dates = {k for k in keep if isinstance(k, dt.date)}
        self._keep_names = {k for k in keep if isinstance(k, str)}
        self._windows_cache: dict[dt.date, tuple[Window, ...]] = {}

    def _add_range(self, chair: str | None, start: dt.datetime, end: dt.datetime, reason: str) -> None:
        for day, clip in _day_parts(start, end):
            if chair is None:
                if clip == (0, DAY):  # a range's whole middle days are closed days
                    self._closed.setdefault(day, reason)
                else:
                    self._partial.setdefault(day, []).append((clip, reason))
            else:
                self._chair_down.setdefault((chair, day), []).append((clip, reason))

    def _add_away(self, staff: str, start: dt.datetime, end: dt.datetime, reason: str) -> None:
        for day, clip in _day_parts(start, end):
            self._away.setdefault((staff, day), []).append((clip, reason))

    def blocks_on(self, day: dt.date) -> list:
        """The weekly ``[[blocks]]`` that apply on ``day``."""
        return [b for b in self._blocks if b.applies(day)]

    def _block_cuts(self, day: dt.date, chair: str | None = None, staff: str | None = None) -> list[tuple[Window, str]]:
        out: list[tuple[Window, str]] = []
        for block in self.blocks_on(day):
            if chair is None and staff is None:
                hit = block.whole_clinic
            elif chair is not None:
                hit = chair in (block.chairs or ())
            else:
                hit = staff in (block.staff or ())
            if hit:
                out.extend((w, block.reason or "weekly block") for w in block.hours)
        return out

    # -- days --------------------------------------------------------------------
    def holiday(self, day: dt.date) -> str | None:
        """The public holiday that closes the clinic on ``day``, if any."""
        rule = self.clinic.info.holidays
        if rule is None:
            return None
        name = _holiday_table(rule.country, rule.subdiv, day.year).get(day)
        if name is None or day in self._keep_dates:
            return None
        # Two holidays may share a date; keeping one open leaves the other closing the clinic.
        closing = [part.strip() for part in name.split(";") if _base_name(part)[0] not in self._keep_names]
        return "; ".join(closing) if closing else None

    def closed_reason(self, day: dt.date) -> str | None:
        """Why the whole clinic is closed on ``day`` (holiday, closure), or None if it opens."""
        if day in self._closed:
            return self._closed[day]
        name = self.holiday(day)
        if name:
            return f"public holiday: {name}"
        if not self.clinic.info.hours.get(weekday_key(day)):
            return f"closed on {day.strftime('%A')}s"
        return None

    def is_open(self, day: dt.date) -> bool:
        return bool(self.open_windows(day))

    def open_windows(self, day: dt.date) -> tuple[Window, ...]:
        """Opening hours of ``day`` less closures and any hour a clock change makes ambiguous."""
        cached = self._windows_cache.get(day)
        if cached is not None:
            return cached
        if self.closed_reason(day) is not None:
            windows: tuple[Window, ...] = ()
        else:
            windows = tuple(self.clinic.info.hours.get(weekday_key(day), ()))
            unstable = unstable_minutes(day, self.zone)
            if unstable:
                windows = subtract(windows, unstable)
            for cut, _ in self.partial_closures(day):
                windows = subtract(windows, cut)
        self._windows_cache[day] = windows
        return windows

    def chair_windows(self, chair_id: str, day: dt.date) -> tuple[Window, ...]:
        windows = self.open_windows(day)
        for cut, _ in self.chair_down(chair_id, day):
            windows = subtract(windows, cut)
        return windows

    def chair_down(self, chair_id: str, day: dt.date) -> list[tuple[Window, str]]:
        """The chair's downtime on ``day`` (clinic file, recorded closures, weekly blocks)."""
        return list(self._chair_down.get((chair_id, day), ())) + self._block_cuts(day, chair=chair_id)

    def partial_closures(self, day: dt.date) -> list[tuple[Window, str]]:
        """Parts of ``day`` the whole clinic is closed (partial closures, weekly blocks)."""
        return list(self._partial.get(day, ())) + self._block_cuts(day)

    def staff_away(self, staff_id: str, day: dt.date) -> list[tuple[Window, str]]:
        """Parts of ``day`` a staff member is away (leave, weekly blocks); (0, 1440) for a whole day."""
        return list(self._away.get((staff_id, day), ())) + self._block_cuts(day, staff=staff_id)

    def staff_member_works(self, staff_id: str, day: dt.date) -> bool:
        """True when ``day`` is one of the staff member's shift days (away or not)."""
        member = self.clinic.staff_member(staff_id)
        return member is not None and bool(member.hours.get(weekday_key(day)))

    def staff_windows(self, staff_id: str, day: dt.date) -> tuple[Window, ...]:
        member = self.clinic.staff_member(staff_id)
        if member is None:
            return ()
        windows = tuple(member.hours.get(weekday_key(day), ()))
        for cut, _ in self.staff_away(staff_id, day):
            windows = subtract(windows, cut)
        return windows

    def business_days(self, start: dt.date, end: dt.date) -> int:
        """Open days from ``start`` up to, not including, ``end``."""
        count = 0
        day = start
        while day < end:
            if self.is_open(day):
                count += 1
            day += dt.timedelta(days=1)
        return count

    def closed_days(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
        """Every day in [start, end] on which the clinic would open by its hours but is closed."""
        out: list[tuple[dt.date, str]] = []
        day = start
        while day <= end:
            if self.clinic.info.hours.get(weekday_key(day)):
                reason = self.closed_reason(day)
                if reason:
                    out.append((day, reason))
                else:
                    for (s, e), why in self.partial_closures(day):
                        out.append((day, f"{why} ({s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d})"))
            day += dt.timedelta(days=1)
        return out
