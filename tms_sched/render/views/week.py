"""The week: half-hour rows by weekday columns, for all chairs or one.

For all chairs each cell holds one mark per chair (booked, partly booked, free, no staff
on shift, closed) so free capacity stands out at a glance; when the chairs do not fit the
column, the cell counts the chairs free for the whole half hour. For one chair the cells
name the patients. Open time with nobody on shift is not free (nothing can be booked
then), as in the agenda's ``no staff`` rows.
"""

from __future__ import annotations

import datetime as dt

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ...text import plural
from .facts import (Booking, ScheduleFacts, down_span, free_intervals, hhmm, monday_of, overlap, short_day,
                    short_duration)
from .marks import (BOOKED, CLOSED, FREE, MUTED, NO_STAFF, PARTLY, STATUS_MARK, STATUS_STYLE, legend, mark,
                    status_legend)

STEP = 30


def week_view(facts: ScheduleFacts, day: dt.date, chair: str | None = None, width: int = 100) -> RenderableType:
    monday = monday_of(day)
    week = [monday + dt.timedelta(days=i) for i in range(7)]
    days = [d for d in week if facts.has_hours(d) or facts.bookings(d, chair)]
    chairs = [chair] if chair else facts.chair_ids()
    title = Text(f"Week of Monday {monday}, {facts.clinic.info.name}", style="bold")
    if chair:
        title.append(f", chair {facts.chair_label(chair)}")
    if not days:
        return Group(title, Text("No open days and no appointments this week.", style=MUTED))
    lo, hi = _extent(facts, days, chair)
    # Columns of a fixed width that always fit: the time column and borders take 9.
    cell_width = max(3, min(18, (width - 9) // len(days) - 3))
    per_chair = chair is None and len(chairs) <= cell_width
    spaced = per_chair and 2 * len(chairs) - 1 <= cell_width
    if chair is None:  # marks or a count need no more room than a day's heading
        cell_width = min(cell_width, max(9, (2 * len(chairs) - 1 if spaced else len(chairs)) if per_chair else 0))
    if chair is None:
        title.append(", all chairs")
        if per_chair:
            title.append(f" (cells: a mark per chair, {' '.join(chairs)})")
        else:
            title.append(f" (cells: how many of the {plural(len(chairs), 'chair')} are free)")

    table = Table(box=box.SQUARE, show_lines=False, padding=(0, 1), header_style="bold", pad_edge=True)
    table.add_column("time", no_wrap=True, style=MUTED, min_width=5)
    for d in days:
        head = Text(short_day(d) if cell_width >= 9 else short_day(d).replace(" ", "\n"))
        if d == facts.today:
            head.append("\ntoday", style="bold cyan")
        elif facts.closed_reason(d):
            head.append("\nclosed", style="bold")
        table.add_column(head, no_wrap=True, overflow="ellipsis", width=cell_width)

    for t in range(lo, hi, STEP):
        cells: list[Text | str] = [hhmm(t)]
        for d in days:
            if chair is None:
                cells.append(_capacity_cell(facts, d, chairs, t, per_chair, spaced))
            else:
                cells.append(_chair_cell(facts, d, chair, t))
        table.add_row(*cells)
    free_row: list[Text | str] = [Text("free", style="bold")]
    for d in days:
        available = free = 0
        for c in chairs:
            available += facts.chair_minutes(d, c)[1]
            all_free, no_staff = facts.free_minutes(d, c)
            free += all_free - no_staff
        free_row.append(Text(short_duration(free), style="green") if available else Text("-", style=MUTED))
    table.add_section()
    table.add_row(*free_row)

    parts: list[RenderableType] = [title, table]
    for note in _notes(facts, week, chairs):
        parts.append(note)
    unstaffed = _unstaffed_notes(facts, days)
    parts.extend(unstaffed)
    no_staff = [(NO_STAFF, MUTED, "no staff")] if unstaffed else []
    if chair is None and per_chair:
        parts.append(legend([(BOOKED, "cyan", "booked"), (PARTLY, "cyan", "partly booked"), (FREE, "green", "free"),
                             *no_staff, (CLOSED, "", "closed or chair down")]))
    elif chair is None:
        text = Text("a number: the chairs open, with staff on shift and with nothing booked in that half hour; ",
                    style=MUTED)
        if unstaffed:
            text.append_text(mark(NO_STAFF))
            text.append(" no staff; ", style=MUTED)
        text.append("(blank) closed", style=MUTED)
        parts.append(text)
    else:
        marks = legend([("│", "", "continues"), (FREE, "green", "free"), *no_staff, (CLOSED, "", "closed or chair down")])
        line = status_legend() + Text("   ") + marks
        parts.extend([line] if line.cell_len <= width else [status_legend(), marks])
    return Group(*parts)


def _extent(facts: ScheduleFacts, days: list[dt.date], chair: str | None) -> tuple[int, int]:
    return facts.time_span(days, chair, STEP, live_only=False) or (8 * 60, 18 * 60)


def _staffed(facts: ScheduleFacts, day: dt.date, chair: str) -> list[tuple[int, int]]:
    """The chair's open time with somebody on shift."""
    return free_intervals(facts.windows(day, chair), facts.no_staff(day))


def _capacity_cell(facts: ScheduleFacts, day: dt.date, chairs: list[str], t: int, per_chair: bool,
                   spaced: bool) -> Text:
    marks = Text()
    free = 0
    open_chairs = staffed_chairs = 0
    for c in chairs:
        available = overlap(facts.windows(day, c), t, t + STEP)
        busy = facts.busy(day, c)
        booked = overlap(busy, t, t + STEP)
        staffed = _staffed(facts, day, c)
        bookable = overlap(free_intervals(staffed, busy), t, t + STEP)
        if available == 0 and booked == 0:
            glyph = CLOSED
        elif booked == 0:
            glyph = FREE if bookable else NO_STAFF
            free += glyph == FREE
        elif bookable == 0:
            glyph = BOOKED
        else:
            glyph = PARTLY
        if available:
            open_chairs += 1
            staffed_chairs += overlap(staffed, t, t + STEP) > 0
        if spaced and marks:
            marks.append(" ")
        marks.append_text(mark(glyph))
    if per_chair:
        return marks
    if not open_chairs:
        return Text("")
    if not staffed_chairs:
        return Text(f"{NO_STAFF:>3}", style=MUTED)
    style = "green" if free * 2 >= staffed_chairs else ("yellow" if free else "red")
    return Text(f"{free:>3}", style=style)


def _chair_cell(facts: ScheduleFacts, day: dt.date, chair: str, t: int) -> Text:
    starting: list[Booking] = []
    ongoing: Booking | None = None
    for b in facts.bookings(day, chair):
        if t <= b.start < t + STEP:
            starting.append(b)
        elif b.live and b.start < t < b.chair_end:  # the session, or the monitoring after it
            ongoing = b
    if starting:
        first = starting[0]
        label = first.appt.session or (first.appt.name or "")[:4]
        text = Text(f"{STATUS_MARK[first.status]}{label}", style=STATUS_STYLE[first.status])
        text.append(f" {first.patient}")
        if len(starting) > 1:
            text.append(f" +{len(starting) - 1}", style="bold")
        return text
    if ongoing is not None:
        return Text("│", style=STATUS_STYLE[ongoing.status])
    if overlap(_staffed(facts, day, chair), t, t + STEP):
        return mark(FREE)
    if overlap(facts.windows(day, chair), t, t + STEP):
        return mark(NO_STAFF)
    return Text("")


def _notes(facts: ScheduleFacts, week: list[dt.date], chairs: list[str]) -> list[Text]:
    notes: list[Text] = []
    for d in week:
        reason = facts.closed_reason(d)
        if reason and facts.has_hours(d):
            notes.append(Text(f"{short_day(d)} closed: {reason}", style="bold"))
        for (s, e), why in facts.calendar.partial_closures(d):
            notes.append(Text(f"{short_day(d)} closed {hhmm(s)}-{hhmm(e)}: {why}", style="bold"))
        for c in chairs:
            for (s, e), why in facts.calendar.chair_down(c, d):
                notes.append(Text(f"{short_day(d)} chair {c} down {down_span(facts.windows(d), s, e)}: {why}",
                                  style="red"))
        change = facts.clock_change(d)
        if change:
            notes.append(Text(f"{short_day(d)} daylight saving: {change}; rows stay local wall-clock",
                              style="bold"))
    return notes


def _unstaffed_notes(facts: ScheduleFacts, days: list[dt.date]) -> list[Text]:
    """Open time with nobody on shift, one line for each stretch and reason, naming its days."""
    seen: dict[tuple[int, int, str], list[dt.date]] = {}
    for d in days:
        for (s, e), why in facts.unstaffed(d):
            seen.setdefault((s, e, why), []).append(d)
    notes = []
    for (s, e, why), on in sorted(seen.items(), key=lambda item: (item[1][0], item[0])):
        names = ", ".join(short_day(d)[:3] for d in on)
        notes.append(Text(f"{names} no staff on shift {hhmm(s)}-{hhmm(e)}: {why}", style=MUTED))
    return notes


__all__ = ["week_view"]
