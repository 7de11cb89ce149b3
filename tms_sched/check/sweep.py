"""Overlaps among intervals by one sweep over their start order, not by comparing all pairs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator

from .context import Booking


def overlapping(bookings: Iterable[Booking],
                end: Callable[[Booking], dt.datetime] = lambda b: b.end) -> Iterator[tuple[Booking, Booking]]:
    """Each booking that overlaps an earlier-starting one, paired with the one it hits.

    Sorted by start, a booking overlaps something before it exactly when it starts
    before the latest end seen so far; the booking holding that end is its partner.
    O(n log n), and each offending booking is reported once.
    """
    reach: Booking | None = None
    for booking in sorted(bookings, key=lambda b: (b.start, end(b), b.id)):
        if reach is not None and booking.start < end(reach):
            yield reach, booking
        if reach is None or end(booking) > end(reach):
            reach = booking
