"""Who must be on site while sessions run: the supervising role (TMS019)."""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context
from ..finding import Finding
from ..registry import rule
from .occupancy import role_covers


@rule("TMS019", "error", "a session without its supervising role on shift")
def supervision(ctx: Context) -> Iterator[Finding]:
    """Every planned session of a protocol with ``supervision`` (its own, or the clinic's)
    has staff of that role on shift all through it; supervising does not occupy them."""
    if not ctx.staff_rules:
        return
    for course in ctx.courses:
        role = ctx.clinic.supervision_for(course.protocol) if course.protocol else None
        if role is None:
            continue
        for b in course.sessions:
            if b.planned and not role_covers(ctx, role, b.day, b.start_min, b.end_min):
                on_shift = sorted(s.id for s in ctx.clinic.staff if s.role == role
                                  and any(s_ < b.end_min and b.start_min < e
                                          for s_, e in ctx.calendar.staff_windows(s.id, b.day)))
                partly = f" ({', '.join(on_shift)} only for part of it)" if on_shift else ""
                yield ctx.finding("TMS019", f"{b.patient}'s {b.what()} {b.span()} runs with no {role} on shift"
                                  f"{partly}; {course.protocol.id} sessions are supervised by a {role} on site: "
                                  f"move the session into a {role}'s shift or change the shifts", b)
