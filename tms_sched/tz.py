"""Time zones and wall-clock conversions in the clinic's zone."""

from __future__ import annotations

import datetime as dt
import difflib
import zoneinfo
from functools import lru_cache


@lru_cache(maxsize=None)
def load_zone(name: str) -> zoneinfo.ZoneInfo:
    """The IANA zone ``name``, or a ValueError that suggests the nearest real name."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(name, sorted(zoneinfo.available_timezones()), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else " (use an IANA name such as 'America/Los_Angeles')"
        raise ValueError(f"unknown time zone '{name}'{hint}") from None


def local_datetime(day: dt.date, minute: int, zone: dt.tzinfo) -> dt.datetime:
    """The aware datetime at ``minute`` after local midnight of ``day`` (wall clock)."""
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)
    return naive.replace(tzinfo=zone)


def wall_minute(moment: dt.datetime, zone: dt.tzinfo) -> tuple[dt.date, int]:
    """The local date and minute after midnight of an aware datetime."""
    local = moment.astimezone(zone)
    return local.date(), local.hour * 60 + local.minute


def unstable_minutes(day: dt.date, zone: dt.tzinfo) -> tuple[int, int] | None:
    """The wall-clock range of ``day`` skipped or repeated by a daylight-saving change.

    In the skipped hour a wall-clock time does not exist; in the repeated one it exists
    twice. Either way a booking there has no single meaning, so the calendar keeps it
    closed. ``None`` on days without a change.
    """
    start, end = _midnights(day, zone)
    if start.utcoffset() == end.utcoffset():
        return None
    utc = dt.timezone.utc
    t0 = start.astimezone(utc)
    t1 = end.astimezone(utc)
    # Find the instant where the offset changes (to the minute), then the local range.
    lo, hi = t0, t1
    while hi - lo > dt.timedelta(minutes=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(zone).utcoffset() == start.utcoffset():
            lo = mid
        else:
            hi = mid
    before = start.utcoffset()
    after = end.utcoffset()
    assert before is not None and after is not None
    change = hi.astimezone(zone)
    m_after = change.hour * 60 + change.minute
    shift = int((after - before).total_seconds() // 60)
    if shift > 0:  # spring forward: [m_after - shift, m_after) does not exist
        return (max(0, m_after - shift), m_after)
    return (m_after, min(24 * 60, m_after - shift))  # fall back: repeated range


@lru_cache(maxsize=4096)
def skipped_minutes(day: dt.date, zone: dt.tzinfo) -> tuple[int, int] | None:
    """(the wall-clock minute where ``day``'s skipped range starts, its length), on a day
    the clocks go forward; ``None`` on other days.

    Across that range a wall-clock difference overstates the time that passes: 00:25 to
    02:00 is 35 minutes when 01:00-02:00 is skipped.
    """
    start, end = _midnights(day, zone)
    before, after = start.utcoffset(), end.utcoffset()
    assert before is not None and after is not None
    if after <= before:  # no change, or the clocks go back
        return None
    lo, hi = unstable_minutes(day, zone)  # type: ignore[misc]
    return lo, hi - lo


def _midnights(day: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight at the start of ``day`` and at its end, aware."""
    start = dt.datetime.combine(day, dt.time())
    return start.replace(tzinfo=zone), (start + dt.timedelta(days=1)).replace(tzinfo=zone)
