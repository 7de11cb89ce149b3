"""The agenda: a day or a range of days, appointments in time order, gaps shown."""

from __future__ import annotations

import datetime as dt

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from .facts import Booking, ScheduleFacts, day_name, days_between, duration, free_intervals, hhmm, windows_text
from .marks import FREE, KIND_STYLE, status_legend, status_text


def agenda_view(facts: ScheduleFacts, start: dt.date, end: dt.date,
                chair: str | None = None, patient: str | None = None) -> RenderableType:
    days = days_between(start, end)
    parts: list[RenderableType] = [_title(facts, start, end, chair, patient)]
    shown = 0
    for day in days:
        bookings = facts.bookings(day, chair, patient)
        if len(days) > 1 and not bookings and not facts.has_hours(day):
            continue  # a weekend without appointments says nothing in a range
        parts.append(Text())
        parts.extend(_day(facts, day, bookings, chair, patient))
        shown += 1
    if not shown:
        parts.append(Text(f"No open days and no appointments from {start} to {end}.", style="dim"))
    parts.append(Text())
    parts.append(status_legend())
    return Group(*parts)


def _title(facts: ScheduleFacts, start: dt.date, end: dt.date, chair: str | None, patient: str | None) -> Text:
    text = Text(f"Agenda of {facts.clinic.info.name}", style="bold")
    text.append(f", {start}" if start == end else f", {start} to {end}")
    if chair:
        text.append(f", chair {facts.chair_label(chair)}")
    if patient:
        text.append(f", patient {patient}")
    return text


def _day(facts: ScheduleFacts, day: dt.date, bookings: list[Booking], chair: str | None,
         patient: str | None) -> list[RenderableType]:
    head = Text(f"{day_name(day)} {day}", style="bold")
    if day == facts.today:
        head.append("  (today)", style="bold cyan")
    out: list[RenderableType] = [head]
    notes: list[Text] = []
    closed = facts.closed_reason(day)
    windows = facts.windows(day, chair)
    if closed:
        notes.append(Text(f"closed: {closed}", style="bold"))
    else:
        summary = f"open {windows_text(windows)}" if windows else "no open hours"
        summary += f"; {_count(bookings)}"
        if patient is None:
            chairs = [chair] if chair else facts.chair_ids()
            booked = available = 0
            for c in chairs:
                b, a = facts.chair_minutes(day, c)
                booked += b
                available += a
            if available:
                summary += (f"; chair time {round(100 * booked / available)}% booked, "
                            f"{duration(available - booked)} free")
        notes.append(Text(summary, style="dim"))
    change = facts.clock_change(day)
    if change:
        notes.append(Text(f"daylight saving: {change}; times are local wall-clock", style="bold"))
    for (s, e), why in facts.calendar.partial_closures(day):
        notes.append(Text(f"closed {hhmm(s)}-{hhmm(e)}: {why}", style="bold"))
    for c in ([chair] if chair else facts.chair_ids()):
        for (s, e), why in facts.calendar.chair_down(c, day):
            notes.append(Text(f"chair {c} down {hhmm(s)}-{hhmm(e)}: {why}", style="red"))
    for note in notes:
        out.append(Text("  ") + note)
    rows = _rows(facts, day, bookings, windows, chair, patient)
    if rows:
        out.append(_table(rows))
    elif not closed:
        out.append(Text("  no appointments", style="dim"))
    return out


def _count(bookings: list[Booking]) -> str:
    n = len(bookings)
    return "1 appointment" if n == 1 else f"{n} appointments"


Row = tuple[int, int, list[Text | str]]


def _rows(facts: ScheduleFacts, day: dt.date, bookings: list[Booking], windows: tuple[tuple[int, int], ...],
          chair: str | None, patient: str | None) -> list[Row]:
    rows: list[Row] = []
    for b in bookings:
        style = KIND_STYLE[b.kind]
        extra = "; ".join(x for x in (f"with {b.appt.staff}" if b.appt.staff else "", b.appt.note or "") if x)
        rows.append((b.start, 1, [
            Text(b.span(), style="dim" if b.status == "missed" else ""),
            b.chair or "-",
            b.patient,
            Text(b.what(), style=style),
            b.session_label(),
            status_text(b.status),
            extra,
        ]))
    if patient is None and windows:
        # Gaps: open time with nothing under way (on the chair, when one is chosen).
        for s, e in free_intervals(windows, facts.busy(day, chair)):
            rows.append((s, 0, [Text(f"{hhmm(s)}-{hhmm(e)}", style="green"), Text(FREE, style="green"),
                                Text("free", style="green"), Text(duration(e - s), style="green"), "", "", ""]))
        for (_, s), (e, _) in zip(windows, windows[1:]):
            rows.append((s, 0, [Text(f"{hhmm(s)}-{hhmm(e)}", style="dim"), "", Text("closed", style="dim"),
                                "", "", "", ""]))
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows


def _table(rows: list[Row]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), header_style="bold")
    table.add_column("  time", no_wrap=True)
    table.add_column("chair", no_wrap=True)
    table.add_column("patient", no_wrap=True)
    table.add_column("what", overflow="fold")
    table.add_column("session", overflow="fold")
    table.add_column("status", no_wrap=True)
    table.add_column("with / note", overflow="fold")
    for _, _, cells in rows:
        first = cells[0]
        first = Text("  ") + (first if isinstance(first, Text) else Text(first))
        table.add_row(first, *cells[1:])
    return table


__all__ = ["agenda_view"]
