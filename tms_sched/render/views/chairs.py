"""One day, a timeline bar per chair: who sits where, what is free, what is down.

Open time with nobody on shift is not free (nothing can be booked then): its own mark,
as the agenda's ``no staff`` rows, and left out of each chair's free time.
"""

from __future__ import annotations

import datetime as dt

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from .facts import (Booking, ScheduleFacts, day_name, down_span, free_intervals, hhmm, overlap, short_duration,
                    windows_text)
from .marks import (BOOKED, CLOSED, DONE, DOWN, FIRST, FREE, MISSED, MONITORING, MUTED, NO_STAFF, STATUS_MARK,
                    STATUS_STYLE, legend, mark)

STEPS = (1, 2, 3, 5, 6, 10, 15, 20, 30, 60)
LABEL = 16
STATS = 12
NO_CHAIR = "no chair"


def chairs_view(facts: ScheduleFacts, day: dt.date, chair: str | None = None, width: int = 100) -> RenderableType:
    chairs = [chair] if chair else facts.chair_ids()
    title = Text(f"Chairs on {day_name(day)} {day}, {facts.clinic.info.name}", style="bold")
    if day == facts.today:
        title.append("  (today)", style="bold cyan")
    head = [title]
    closed = facts.closed_reason(day)
    if closed:
        head.append(Text(f"closed: {closed}", style="bold"))
    else:
        head.append(Text(f"open {windows_text(facts.windows(day))}", style=MUTED))
    change = facts.clock_change(day)
    if change:
        head.append(Text(f"daylight saving: {change}; times stay local wall-clock", style="bold"))
    bookings = facts.bookings(day)
    chairless = [b for b in bookings if b.chair is None and chair is None]
    lo, hi = _extent(facts, day, bookings)
    room = max(12, width - LABEL - STATS - 4)
    step = next((s for s in STEPS if (hi - lo) / s <= room), 60)
    cells = -(-(hi - lo) // step)
    # Whole chair names wherever the columns the bar leaves allow them.
    labels = [facts.chair_label(c) for c in chairs] + ([NO_CHAIR] if chairless else [])
    label_width = max(LABEL, min(max(len(t) for t in labels), LABEL + room - cells))

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, width=label_width)
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True, justify="right")
    grid.add_row(Text(f"one mark: {step} min", style=MUTED), _ticks(lo, step, cells), Text("booked  free", style=MUTED))
    for c in chairs:
        booked, available = facts.chair_minutes(day, c)
        free, no_staff = facts.free_minutes(day, c)
        stats = Text(f"{round(100 * booked / available):>3}%  {short_duration(free - no_staff):>5}"
                     if available else "    -", style=MUTED)
        grid.add_row(_label(facts.chair_label(c), label_width), _bar(facts, day, c, lo, step, cells), stats)
    if chairless:
        grid.add_row(Text(NO_CHAIR, style=MUTED), _bar(facts, day, None, lo, step, cells), Text(""))

    parts: list[RenderableType] = [*head, Text(), grid]
    notes = []
    opening = facts.windows(day)
    for c in chairs:
        for (s, e), why in facts.calendar.chair_down(c, day):
            notes.append(Text(f"chair {c} down {down_span(opening, s, e)}: {why}", style="red"))
    unstaffed = facts.unstaffed(day) if not closed else []
    for (s, e), why in unstaffed:
        notes.append(Text(f"no staff on shift {hhmm(s)}-{hhmm(e)}: {why}", style=MUTED))
    parts.extend(notes)
    keys = [(BOOKED, "cyan", "planned"), (DONE, "green", "done"), (FIRST, "magenta", "mapping"),
            (MISSED, "bold red", "missed"), (FREE, "green", "free"), (DOWN, "red", "down"), (CLOSED, "", "closed")]
    if unstaffed:
        keys.insert(5, (NO_STAFF, MUTED, "no staff"))
    if any(b.monitor for b in bookings):
        keys.insert(3, (MONITORING, "cyan", "monitoring"))
    parts.append(legend(keys))
    listing = _listing(facts, day, chairs + ([None] if chairless else []), width)
    if listing is not None:
        parts.extend([Text(), listing])
    return Group(*parts)


def _extent(facts: ScheduleFacts, day: dt.date, bookings: list[Booking]) -> tuple[int, int]:
    starts = [s for s, _ in facts.weekly_hours(day)] + [b.start for b in bookings]
    ends = [e for _, e in facts.weekly_hours(day)] + [b.chair_end for b in bookings]
    if not starts:
        return 8 * 60, 18 * 60
    return min(starts) // 60 * 60, min(24 * 60, -(-max(ends) // 60) * 60)


def _label(text: str, width: int = LABEL) -> Text:
    return Text(text if len(text) <= width else text[: width - 1] + "…")


def _ticks(lo: int, step: int, cells: int) -> Text:
    line = [" "] * cells
    last = -2
    for i in range(cells):
        t = lo + i * step
        if t % 60 == 0 and i > last + 1 and i + 2 <= cells:
            line[i:i + 2] = list(f"{t // 60:02d}")
            last = i + 1
    return Text("".join(line), style=MUTED)


def _bar(facts: ScheduleFacts, day: dt.date, chair: str | None, lo: int, step: int, cells: int) -> Text:
    bookings = [b for b in facts.bookings(day) if b.chair == chair]
    windows = facts.windows(day, chair) if chair else ()
    staffed = free_intervals(windows, facts.no_staff(day))
    down = sorted(w for w, _ in facts.calendar.chair_down(chair, day)) if chair else []
    opening = facts.windows(day)
    bar = Text()
    for i in range(cells):
        t0, t1 = lo + i * step, lo + (i + 1) * step
        here = [b for b in bookings if b.start < t1 and t0 < b.end]
        live = [b for b in here if b.live]
        observed = [b for b in bookings if b.live and b.end < t1 and t0 < b.chair_end]
        if observed and not live:
            bar.append(MONITORING, style="cyan")
        elif live:
            if any(b.kind == "mapping" for b in live):
                bar.append(FIRST, style="magenta")
            else:
                bar.append_text(mark(BOOKED if any(b.status == "planned" for b in live) else DONE))
        elif here:
            bar.append_text(mark(MISSED))
        elif chair and overlap(staffed, t0, t1):
            bar.append_text(mark(FREE))
        elif chair and overlap(windows, t0, t1):
            bar.append_text(mark(NO_STAFF))
        elif chair and overlap(down, t0, t1) and overlap(opening, t0, t1):
            # Down only where the clinic would be open: not over lunch or past closing.
            bar.append_text(mark(DOWN))
        else:
            bar.append(CLOSED)
    return bar


def _listing(facts: ScheduleFacts, day: dt.date, chairs: list[str | None], width: int) -> Table | None:
    """Who sits where, in time order; entries are packed whole onto lines that fit."""
    label_width = max([len("chair")] + [len(c or NO_CHAIR) for c in chairs])
    room = max(20, width - label_width - 3)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), header_style="bold")
    table.add_column("chair", no_wrap=True)
    table.add_column("appointments in time order", no_wrap=True, overflow="ellipsis")
    rows = 0
    for c in chairs:
        bookings = [b for b in facts.bookings(day) if b.chair == c]
        if not bookings:
            continue
        text = Text()
        line_length = 0
        for b in bookings:
            entry = Text(f"{hhmm(b.start)} {b.patient} ")
            label = b.appt.session if b.is_session else b.appt.name
            entry.append(f"{STATUS_MARK[b.status]}{label}", style=STATUS_STYLE[b.status])
            if b.monitor:
                entry.append(f" +{b.monitor} min observed", style=MUTED)
            if line_length and line_length + 3 + entry.cell_len > room:
                text.append("\n")
                line_length = 0
            elif line_length:
                text.append(",  ")
                line_length += 3
            text.append_text(entry)
            line_length += entry.cell_len
        table.add_row(c or NO_CHAIR, text)
        rows += 1
    return table if rows else None


__all__ = ["chairs_view"]
