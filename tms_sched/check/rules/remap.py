"""Motor-threshold re-mapping: after a long gap, and at least every so many days (TMS020).

Live sessions only (planned and done), in time order. A done session is history: it is
not judged again, but a done mapping restarts the count.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Booking, Context, day_text
from ..finding import Finding
from ..registry import rule


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


@rule("TMS020", "error", "a session after a longer gap, or past remap_every_days, is not a mapping")
def remapping(ctx: Context) -> Iterator[Finding]:
    for course in ctx.courses:
        protocol = course.protocol
        if protocol is None or not protocol.remaps:
            continue
        mapping = (f"a mapping ({protocol.first_session_label.lower()}, {protocol.first_minutes} min, with a named "
                   f"{protocol.first_session_staff})")
        prev: Booking | None = None
        last_mapping: Booking | None = None
        for b in course.sessions:
            if b.kind == "mapping":
                prev = last_mapping = b
                continue
            why = None
            after, every = protocol.remap_after_days, protocol.remap_every_days
            if after is not None and prev is not None and (b.day - prev.day).days > after:
                why = (f"comes {_days((b.day - prev.day).days)} after {prev.what()} on {day_text(prev.day)}; "
                       f"{protocol.id} re-maps after more than {_days(after)} without a session (remap_after_days)")
            elif every is not None and last_mapping is not None and (b.day - last_mapping.day).days >= every:
                why = (f"comes {_days((b.day - last_mapping.day).days)} after the last mapping "
                       f"({last_mapping.id}, {day_text(last_mapping.day)}); {protocol.id} re-maps every "
                       f"{_days(every)} (remap_every_days)")
            if why is not None and b.planned:
                yield ctx.finding("TMS020", f"{course.id}'s {b.what()} on {day_text(b.day)} {why}: it should be "
                                  f"{mapping}", b)
            prev = b
