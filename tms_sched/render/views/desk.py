"""The coordinator's desk views: a staff member's day, the calls to make, authorizations
and the waiting list. Each reads a :class:`ScheduleFacts` and decides nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ...calendar import intersect, weekday_key
from ...text import plural
from .facts import Booking, ScheduleFacts, day_name, duration, hhmm, merge, overlap, windows_text
from .marks import KIND_STYLE, MUTED, status_text

WARN_DAYS = 14
"""The authorizations view warns when a deadline falls within this many days of today."""


def _table(*headers: str, right: Sequence[str] = ()) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 2, 0, 0),
                  header_style="bold")
    for h in headers:
        table.add_column(h, justify="right" if h in right else "left", overflow="fold")
    return table


def _local(facts: ScheduleFacts, moment: dt.datetime, width: int = 100) -> str:
    # a narrow terminal drops the year, so old and new time each stay on one line
    return moment.astimezone(facts.zone).strftime("%a %Y-%m-%d %H:%M" if width >= 90 else "%a %m-%d %H:%M")


# -- staff ----------------------------------------------------------------------------

def staff_view(facts: ScheduleFacts, day: dt.date, staff: str | None = None, width: int = 100) -> RenderableType:
    """Each staff member's day: shift, time away, the appointments booked with them, and how
    many sessions and assessments are under way in the clinic while they are on shift."""
    members = [m for m in facts.clinic.staff if staff is None or m.id == staff]
    title = Text(f"Staff day of {facts.clinic.info.name}, {day_name(day)} {day}", style="bold")
    parts: list[RenderableType] = [title]
    closed = facts.closed_reason(day)
    if closed:
        parts.append(Text(f"  clinic closed: {closed}", style="bold"))
    if not members:
        parts.append(Text("  the clinic file names no staff", style=MUTED))
        return Group(*parts)
    under_way = [b for b in facts.bookings(day) if b.live]
    with_cancelled = facts.bookings(day, cancelled=True)
    for member in members:
        parts.append(Text())
        head = Text(f"{member.id}", style="bold")
        head.append(f" {member.name}" if member.name else "")
        head.append(f", {member.role}", style=MUTED)
        parts.append(head)
        usual = member.hours.get(weekday_key(day), ())
        shift = facts.calendar.staff_windows(member.id, day)
        if not usual:
            parts.append(Text("  not on shift (no hours on this weekday)", style=MUTED))
        else:
            line = Text(f"  shift {windows_text(shift)}" if shift else "  off shift all day")
            parts.append(line)
            for (s, e), why in facts.calendar.staff_away(member.id, day):
                span = "all day" if (s, e) == (0, 24 * 60) else f"{hhmm(s)}-{hhmm(e)}"
                parts.append(Text(f"  away {span}: {why}", style="bold"))
        mine = [b for b in with_cancelled if b.appt.staff == member.id]
        if shift:
            busy = sum(overlap(facts.busy(day, None), s, e) for s, e in shift)
            total = sum(e - s for s, e in shift)
            parts.append(Text(f"  clinic: {plural(len(under_way), 'appointment')} "
                              f"today; something under way {duration(busy)} of {duration(total)} on shift",
                              style=MUTED))
        parts.extend(_on_site(facts, member.role, shift, under_way))
        if not mine:
            parts.append(Text("  no appointments named with them", style=MUTED))
            continue
        table = _table("  time", "chair", "patient", "what", "status")
        for b in mine:
            table.add_row(f"  {b.span()}", b.chair or "-", facts.label(b.patient),
                          Text(b.what(), style=KIND_STYLE[b.kind]), status_text(b.status))
        parts.append(table)
    return Group(*parts)


def _on_site(facts: ScheduleFacts, role: str, shift, under_way: list[Booking]) -> list[RenderableType]:
    """When this person's role must be on site during their shift: sessions its role
    supervises (``supervision``) and patients observed after a session (``monitor_role``)."""
    supervised: list[tuple[int, int]] = []
    observed: list[tuple[int, int]] = []
    for b in under_way:
        protocol = facts.protocol_of(b.patient)
        if protocol is None or not b.is_session:
            continue
        if facts.clinic.supervision_for(protocol) == role:
            supervised.append((b.start, b.end))
        if b.monitor and protocol.monitor_role == role:
            observed.append((b.end, b.chair_end))
    out: list[RenderableType] = []
    for label, spans, why in (("supervising", supervised, f"sessions that need a {role} on site"),
                              ("observing", observed, f"patients monitored by a {role}")):
        mine = merge(intersect(merge(spans), shift)) if spans else []
        if mine:
            total = sum(e - s for s, e in mine)
            out.append(Padding(Text(f"{label} {windows_text(mine)} ({duration(total)} of {why})"), (0, 0, 0, 2),
                               expand=False))
    return out


# -- calls ----------------------------------------------------------------------------

def changes_since(facts: ScheduleFacts, revision: int) -> dict[str, list[tuple[str, Booking]]]:
    """Per patient (in file order), the appointments changed after ``revision``: cancelled,
    moved (from the start it had at ``revision``, however often it moved since) or added
    (not booked yet at ``revision``). Attendance marks are not calls."""
    out: dict[str, list[tuple[str, Booking]]] = {}
    for pid, bookings in facts.by_patient.items():
        for b in bookings:
            if b.appt.revision <= revision:
                continue
            if b.status == "cancelled":
                change = "cancelled"
            elif b.status == "planned" and b.appt.start_at(revision) is not None:
                change = "moved"
            elif b.status == "planned":
                change = "added"
            else:
                continue  # done or missed: recorded attendance
            out.setdefault(pid, []).append((change, b))
    return out


def calls_view(facts: ScheduleFacts, since: int, width: int = 100) -> RenderableType:
    info = facts.schedule.schedule
    title = Text(f"Calls: what changed since revision {since} (now revision {info.revision}), "
                 f"{facts.clinic.info.name}", style="bold")
    changes = changes_since(facts, since)
    if not changes:
        return Group(title, Text(f"Nothing changed since revision {since}.", style=MUTED))
    parts: list[RenderableType] = [title]
    counts = {"cancelled": 0, "moved": 0, "added": 0}
    for pid, items in changes.items():
        parts.append(Text())
        head = Text(facts.label(pid), style="bold")
        phone = facts.phone(pid)
        if phone:
            head.append(f", phone {phone}")
        parts.append(head)
        table = _table("  change", "was", "now", "what", "chair")
        lost = {b.appt.session for b in facts.by_patient[pid] if b.status in ("missed", "cancelled")}
        for change, b in items:
            counts[change] += 1
            known = b.appt.start_at(since)
            was = _local(facts, known, width) if change == "moved" and known is not None else ""
            now = _local(facts, b.appt.start, width)
            if change == "cancelled":  # at the time the patient knew, where it moved since
                was, now = _local(facts, known or b.appt.start, width), "-"
            what = b.what() + (f" {b.appt.session}" if b.appt.session else "")
            if change == "added" and b.appt.session in lost:
                what += ", make-up"
            style = {"cancelled": "bold red", "moved": "yellow", "added": "green"}[change]
            table.add_row(Text(f"  {change}", style=style), was, now, what, b.chair or "-")
        parts.append(table)
    parts.append(Text())
    parts.append(Text(f"{plural(len(changes), 'patient')} to call: "
                      f"{counts['cancelled']} cancelled, {counts['moved']} moved, {counts['added']} added", style="bold"))
    return Group(*parts)


# -- authorizations -------------------------------------------------------------------

def authorization_rows(facts: ScheduleFacts) -> list[dict]:
    """Per roster patient with an authorization (sessions or deadline) and a course in the
    schedule: authorized, done, planned, remaining, deadline and the warnings."""
    rows = []
    for pid, sp in facts.patients.items():
        entry = facts.roster.get(pid)
        if entry is None or (entry.authorized_sessions is None and entry.deadline is None):
            continue
        sessions = [b for b in facts.by_patient[pid] if b.is_session]
        done = sum(1 for b in sessions if b.status == "done")
        planned = sum(1 for b in sessions if b.status == "planned")
        limit = entry.authorized_sessions
        warnings = []
        if limit is not None and done + planned > limit:
            warnings.append(f"{done + planned - limit} planned past the authorization")
        if entry.deadline is not None:
            left = (entry.deadline - facts.today).days
            late = sum(1 for b in sessions if b.status == "planned" and b.day > entry.deadline)
            if late:
                warnings.append(f"{late} planned after the deadline")
            if 0 <= left <= WARN_DAYS and planned:
                warnings.append(f"deadline in {plural(left, 'day')} with {planned} to go")
            elif left < 0 and planned:
                warnings.append("deadline passed")
        rows.append({"patient": pid, "authorized": limit, "done": done, "planned": planned,
                     "remaining": None if limit is None else limit - done - planned,
                     "deadline": entry.deadline, "warnings": warnings})
    return rows


def authorizations_view(facts: ScheduleFacts, width: int = 100) -> RenderableType:
    title = Text(f"Authorizations at {facts.clinic.info.name}, {facts.today}", style="bold")
    rows = authorization_rows(facts)
    if not rows:
        return Group(title, Text("No booked patient has authorized_sessions or a deadline in the roster.",
                                 style=MUTED))
    table = _table("patient", "authorized", "done", "planned", "remaining", "deadline", "warning",
                   right=("authorized", "done", "planned", "remaining"))
    for r in rows:
        table.add_row(facts.label(r["patient"]), "-" if r["authorized"] is None else str(r["authorized"]),
                      str(r["done"]), str(r["planned"]), "-" if r["remaining"] is None else str(r["remaining"]),
                      str(r["deadline"] or "-"), Text("; ".join(r["warnings"]), style="bold red"))
    warned = sum(1 for r in rows if r["warnings"])
    foot = Text(f"{warned} of {len(rows)} need attention (a deadline within {WARN_DAYS} days with sessions to go, "
                "or sessions planned past the authorization)" if warned else
                f"none of {len(rows)} needs attention", style="bold" if warned else MUTED)
    return Group(title, Text(), table, Text(), foot)


# -- waiting list ---------------------------------------------------------------------

def waitlist_view(facts: ScheduleFacts, width: int = 100) -> RenderableType:
    title = Text(f"Waiting list of {facts.clinic.info.name}, {facts.today}", style="bold")
    parts: list[RenderableType] = [title, Text()]
    unplaced = facts.schedule.unplaced
    if unplaced:
        parts.append(Text(f"Not placed ({len(unplaced)})", style="bold"))
        table = _table("patient", "protocol", "why, and what would help")
        for u in unplaced:
            table.add_row(facts.label(u.id), u.protocol, u.reason)
        parts.append(table)
    else:
        parts.append(Text("Everyone on the schedule is placed.", style=MUTED))
    parts.append(Text())
    rows = []
    on_hold = {u.id for u in unplaced}  # listed as not placed above, and only there
    for pid, sp in facts.patients.items():
        if pid in on_hold:
            continue
        sessions = [b for b in facts.by_patient[pid] if b.is_session and b.live]
        if not sessions:
            continue
        first = min(sessions, key=lambda b: (b.day, b.start))
        entry = facts.roster.get(pid)
        start_after = entry.start_after if entry is not None else None
        wait = facts.calendar.business_days(start_after, first.day) if start_after else None
        rows.append((pid, sp.protocol, start_after, first.day, wait))
    parts.append(Text(f"Placed ({len(rows)}): wait in business days from start_after to the first session",
                      style="bold"))
    table = _table("patient", "protocol", "start_after", "first session", "wait", right=("wait",))
    for pid, protocol, start_after, first_day, wait in rows:
        table.add_row(facts.label(pid), protocol, str(start_after or "-"), str(first_day),
                      "-" if wait is None else str(wait))
    parts.append(table)
    waits = sorted(w for *_, w in rows if w is not None)
    if waits:
        mean = sum(waits) / len(waits)
        p90 = waits[min(len(waits) - 1, -(-9 * len(waits) // 10) - 1)]
        parts.append(Text(f"mean wait {mean:.1f} business days, p90 {p90}", style=MUTED))
    elif rows:
        parts.append(Text("no waits: no roster entry of these patients gives a start_after (a roster in a file "
                          "needs --roster FILE)", style=MUTED))
    return Group(*parts)


__all__ = ["authorizations_view", "calls_view", "changes_since", "staff_view", "waitlist_view"]
