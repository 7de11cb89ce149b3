"""Rules about what the payer authorized: the number of sessions."""

from __future__ import annotations

from collections.abc import Iterator

from ..context import Context, day_text
from ..finding import Finding
from ..registry import rule
from .opening import _roster_at


@rule("TMS021", "error", "live sessions beyond authorized_sessions", needs_roster=True)
def authorized_sessions(ctx: Context) -> Iterator[Finding]:
    for course in ctx.courses:
        patient = course.roster
        if patient is None or patient.authorized_sessions is None:
            continue
        limit = patient.authorized_sessions
        if len(course.sessions) <= limit:
            continue
        first = course.sessions[limit]  # the first live session past the authorization, in time order
        yield ctx.finding("TMS021", f"{course.id} has {len(course.sessions)} live sessions (done and planned, "
                          f"make-ups included) but {limit} authorized ({_roster_at(ctx, course.id)}); the first "
                          f"past it is {first.what()} on {day_text(first.day)}: cancel sessions or record a "
                          "larger authorization", first)
