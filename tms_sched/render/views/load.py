"""Chair load: a heat map of utilisation by day and hour over a range, with a legend.

Utilisation is booked chair time over open chair time (each chair's opening hours less
closures and downtime) in that hour; every level has its own shading glyph.
"""

from __future__ import annotations

import datetime as dt

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ...text import plural
from .facts import ScheduleFacts, days_between, overlap, short_day, short_duration
from .marks import LEVELS, MUTED, OVER, legend, level

LABEL = 10
STATS = 12


def load_view(facts: ScheduleFacts, start: dt.date, end: dt.date, chair: str | None = None,
              width: int = 100) -> RenderableType:
    chairs = [chair] if chair else facts.chair_ids()
    title = Text(f"Chair load of {facts.clinic.info.name}, {start} to {end}", style="bold")
    if chair:
        title.append(f", chair {facts.chair_label(chair)}")
    else:
        title.append(f", all {plural(len(chairs), 'chair')}" if len(chairs) != 1 else ", the one chair")
    days = [d for d in days_between(start, end) if facts.has_hours(d) or facts.bookings(d, chair)]
    if not days:
        return Group(title, Text("No open days in this range.", style=MUTED))
    lo, hi = _extent(facts, days, chair)
    hours = list(range(lo, hi, 60))
    room = max(len(hours), width - LABEL - STATS - 4)
    cell = 3 if 3 * len(hours) <= room else (2 if 2 * len(hours) <= room else 1)

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, width=LABEL)
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True, justify="right")
    grid.add_row(Text(""), _hour_labels(hours, cell), Text("booked  hours", style=MUTED))
    totals = [[0, 0] for _ in hours]
    previous: dt.date | None = None
    closed: list[Text] = []
    for day in days:
        if previous is not None and day.weekday() < previous.weekday():
            grid.add_row("", "", "")  # a blank line between calendar weeks
        previous = day
        label = Text(short_day(day), style="bold cyan" if day == facts.today else "")
        reason = facts.closed_reason(day)
        booked_day = available_day = 0
        heat = Text()
        for i, h in enumerate(hours):
            available = booked = 0
            for c in chairs:
                available += overlap(facts.windows(day, c), h, h + 60)
                booked += overlap(facts.busy(day, c), h, h + 60)
            totals[i][0] += booked
            totals[i][1] += available
            booked_day += booked
            available_day += available
            heat.append_text(_cell(booked, available, cell))
        if reason and not booked_day:
            grid.add_row(label, Text("closed", style=MUTED), Text("-", style=MUTED))
            closed.append(Text(f"{short_day(day)} closed: {reason}", style=MUTED))
            continue
        grid.add_row(label, heat, _stats(booked_day, available_day))
    grid.add_row("", "", "")
    mean = Text()
    booked_all = available_all = 0
    for booked, available in totals:
        mean.append_text(_cell(booked, available, cell))
        booked_all += booked
        available_all += available
    grid.add_row(Text("all days", style="bold"), mean, _stats(booked_all, available_all))

    parts: list[RenderableType] = [title, Text("booked chair time / open chair time, per hour", style=MUTED),
                                   Text(), grid, Text()]
    items = [(LEVELS[0][1], LEVELS[0][2], "0%")]
    previous_bound = 0
    for bound, glyph, style in LEVELS[1:]:
        items.append((glyph, style, f"{previous_bound + 1}-{bound}%"))
        previous_bound = bound
    items.append((OVER[0], OVER[1], "over 100%"))
    items.append((" ", "", "closed"))
    parts.append(legend(items, muted=MUTED))
    parts.extend(closed)
    for day, change in facts.clock_changes(start, end):
        parts.append(Text(f"{short_day(day)} daylight saving: {change}; hours stay local wall-clock", style=MUTED))
    if facts.clinic.staff and chair is None:
        parts.append(Text())
        parts.append(_binding(facts, days))
    return Group(*parts)


def _binding(facts: ScheduleFacts, days: list[dt.date]) -> RenderableType:
    """Per day: chair use next to staff time booked against staff on shift, and which binds."""
    table = Table(box=None, padding=(0, 2, 0, 0), show_edge=False, pad_edge=False, header_style="bold")
    for header, justify in (("day", "left"), ("chair use", "right"), ("staff use", "right"),
                            ("staff booked / on shift", "right"), ("binds", "left")):
        table.add_column(header, justify=justify, no_wrap=True)
    for day in days:
        if facts.closed_reason(day):
            continue
        chair_booked = chair_open = 0
        for c in facts.chair_ids():
            b, a = facts.chair_minutes(day, c)
            chair_booked += b
            chair_open += a
        staff_booked, on_shift = facts.staff_minutes(day)
        chair_pct = 100 * chair_booked / chair_open if chair_open else 0.0
        staff_pct = 100 * staff_booked / on_shift if on_shift else (100.0 if staff_booked else 0.0)
        if not chair_booked and not staff_booked:
            binds = "-"
        else:
            binds = "staff" if staff_pct > chair_pct else "chairs"
        table.add_row(short_day(day), f"{round(chair_pct)}%", f"{round(staff_pct)}%",
                      f"{short_duration(staff_booked)} / {short_duration(on_shift)}", binds)
    return Group(Text("Chairs and staff by day: the resource nearer full binds", style="bold"), table)


def _extent(facts: ScheduleFacts, days: list[dt.date], chair: str | None) -> tuple[int, int]:
    return facts.time_span(days, chair, 60, live_only=True) or (8 * 60, 18 * 60)


def _hour_labels(hours: list[int], cell: int) -> Text:
    text = Text(style=MUTED)
    for i, h in enumerate(hours):
        label = f"{h // 60:02d}"
        if cell >= 3:
            text.append(label + " " * (cell - 2))
        elif cell == 2:
            text.append(label if i % 2 == 0 else "  ")
        else:
            text.append(label[1] if i % 3 == 0 else " ")
    return text


def _cell(booked: int, available: int, cell: int) -> Text:
    fill = max(1, cell - 1)
    pad = " " * (cell - fill)
    if available == 0:
        if booked:
            return Text(OVER[0] * fill, style=OVER[1]) + Text(pad)
        return Text(" " * cell)
    glyph, style = level(100 * booked / available)
    return Text(glyph * fill, style=style) + Text(pad)


def _stats(booked: int, available: int) -> Text:
    if not available:
        return Text("-", style=MUTED)
    return Text(f"{round(100 * booked / available):>3}%  {short_duration(booked):>6}")


__all__ = ["load_view"]
