"""The agenda: a day or a range of days, appointments in time order, gaps shown."""

from __future__ import annotations

import datetime as dt

from rich import box
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ...calendar import intersect
from ...text import plural
from .facts import (
    Booking, ScheduleFacts, day_name, days_between, down_span, duration, free_intervals, hhmm, merge, windows_text,
)
from .marks import FREE, KIND_STYLE, MUTED, status_legend, status_text


Row = tuple[int, int, list[Text | str]]


def agenda_view(facts: ScheduleFacts, start: dt.date, end: dt.date,
                chair: str | None = None, patient: str | None = None, width: int = 100) -> RenderableType:
    days = days_between(start, end)
    parts: list[RenderableType] = [_title(facts, start, end, chair, patient)]
    sections: list[tuple[list[RenderableType], list[Row]]] = []
    for day in days:
        # On a closed day the cancelled appointments are the people to phone: list them.
        bookings = facts.bookings(day, chair, patient, cancelled=bool(facts.closed_reason(day)))
        if len(days) > 1 and not bookings and not facts.has_hours(day) and not facts.clock_change(day):
            continue  # a weekend without appointments says nothing in a range
        sections.append(_day(facts, day, bookings, chair, patient))
    # One set of column widths for every day, so that a range reads as one list.
    widths = [0] * len(HEADERS)
    for _, rows in sections:
        for _, _, cells in rows:
            for i, cell in enumerate(cells):
                widths[i] = max(widths[i], Text(cell).cell_len if isinstance(cell, str) else cell.cell_len)
    widths = [max(w, len(h)) for w, h in zip(widths, HEADERS)]
    # Spaces between columns; none fit: the compact layout, each day's table on its own.
    gap = next((g for g in (3, 2) if sum(widths) + 2 + g * (len(widths) - 1) <= width), 0)
    for head, rows in sections:
        parts.append(Text())
        parts.extend(head)
        # A day without rows has said "no appointments" in its summary line already.
        if rows:
            parts.append(_lines(rows, widths, gap) if gap else _table(rows, width))
    if not sections:
        parts.append(Text(f"No open days and no appointments from {start} to {end}.", style=MUTED))
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
         patient: str | None) -> tuple[list[RenderableType], list[Row]]:
    """The day's heading and notes, and its rows."""
    head = Text(f"{day_name(day)} {day}", style="bold")
    if day == facts.today:
        head.append("  (today)", style="bold cyan")
    out: list[RenderableType] = [head]
    notes: list[Text] = []
    closed = facts.closed_reason(day)
    windows = facts.windows(day, chair)
    if closed:
        notes.append(Text(closed if closed.startswith("closed") else f"closed: {closed}", style="bold"))
        cancelled = sum(1 for b in bookings if b.status == "cancelled")
        if cancelled:
            notes.append(Text(f"{plural(cancelled, 'cancelled appointment')} to rebook "
                              "and phone (--view calls lists them by patient)", style="bold"))
    else:
        # The clinic's hours; a chair down all day is the note below, not "no open hours".
        opening = facts.windows(day)
        summary = f"open {windows_text(opening)}" if opening else "no open hours"
        summary += f"; {_count(bookings)}"
        if patient is None:
            chairs = [chair] if chair else facts.chair_ids()
            booked = available = idle = 0
            for c in chairs:
                b, a = facts.chair_minutes(day, c)
                booked += b
                available += a
                idle += facts.free_minutes(day, c)[1]
            if available:
                summary += (f"; chair time {round(100 * booked / available)}% booked, "
                            f"{duration(available - booked)} free")
                if idle:
                    summary += f" ({duration(idle)} of it with no staff on shift)"
        notes.append(Text(summary, style=MUTED))
    change = facts.clock_change(day)
    if change:
        notes.append(Text(f"daylight saving: {change}; times stay local wall-clock", style="bold"))
    for (s, e), why in facts.calendar.partial_closures(day):
        notes.append(Text(f"closed {hhmm(s)}-{hhmm(e)}: {why}", style="bold"))
    if chair:
        chairs = [chair]
    elif patient:
        chairs = sorted({b.chair for b in bookings if b.chair})
    else:
        chairs = facts.chair_ids()
    for c in chairs:
        for (s, e), why in facts.calendar.chair_down(c, day):
            notes.append(Text(f"chair {c} down {down_span(facts.windows(day), s, e)}: {why}", style="red"))
    for note in notes:
        out.append(Padding(note, (0, 0, 0, 2), expand=False))
    return out, _rows(facts, day, bookings, windows, chair, patient)


def _count(bookings: list[Booking]) -> str:
    n = len(bookings)
    return {0: "no appointments", 1: "1 appointment"}.get(n, f"{n} appointments")


def _rows(facts: ScheduleFacts, day: dt.date, bookings: list[Booking], windows: tuple[tuple[int, int], ...],
          chair: str | None, patient: str | None) -> list[Row]:
    rows: list[Row] = []
    for b in bookings:
        style = KIND_STYLE[b.kind]
        extra = "; ".join(x for x in (f"with {b.appt.staff}" if b.appt.staff else "", b.appt.note or "") if x)
        rows.append((b.start, 1, [
            Text(b.span(), style=MUTED if b.status == "missed" else ""),
            b.chair or "-",
            facts.label(b.patient),
            Text(b.what(), style=style),
            b.session_label(),
            status_text(b.status),
            extra,
        ]))
        if b.monitor and b.status != "cancelled":
            protocol = facts.protocol_of(b.patient)
            who = f"a {protocol.monitor_role} on shift" if protocol and protocol.monitor_role else ""
            rows.append((b.end, 1, [
                Text(f"{hhmm(b.end)}-{hhmm(b.chair_end)}", style=MUTED),
                b.chair or "-",
                facts.label(b.patient),
                Text("monitoring", style=MUTED),
                Text(f"after {b.appt.session}", style=MUTED),
                "",
                who,
            ]))
    if patient is None and windows:
        # Gaps: open time with nothing under way (on the chair, when one is chosen) and
        # somebody on shift; open time nobody staffs cannot be booked, so it is not free.
        unstaffed = [(part, why) for w, why in facts.unstaffed(day) for part in intersect(windows, (w,))]
        taken = merge([*facts.busy(day, chair), *(w for w, _ in unstaffed)])
        for s, e in free_intervals(windows, taken):
            rows.append((s, 0, [Text(f"{hhmm(s)}-{hhmm(e)}", style="green"), Text(FREE, style="green"),
                                Text("free", style="green"), Text(duration(e - s), style="green"), "", "", ""]))
        for (s, e), why in unstaffed:
            rows.append((s, 0, [Text(f"{hhmm(s)}-{hhmm(e)}", style=MUTED), "", Text("no staff", style=MUTED),
                                Text(why, style=MUTED), "", "", ""]))
        down = facts.calendar.chair_down(chair, day) if chair else []
        for (_, s), (e, _) in zip(windows, windows[1:]):
            if not any(ds <= s and e <= de for (ds, de), _ in down):
                rows.append((s, 0, [Text(f"{hhmm(s)}-{hhmm(e)}", style=MUTED), "", Text("closed", style=MUTED),
                                    "", "", "", ""]))
        for (s, e), why in down:
            rows.append((s, 0, [Text(f"{hhmm(s)}-{hhmm(e)}", style="red"), "", Text("down", style="red"),
                                Text(why, style="red"), "", "", ""]))
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows


HEADERS = ("time", "chair", "patient", "what", "session", "status", "with / note")
COMPACT_HEADERS = ("time", "chair", "patient", "", "what")


def _compact(cells: list[Text | str], start_only: bool) -> list[Text | str]:
    """Fewer, wider columns for a narrow terminal: the status as its mark, the rest in one."""
    time, chair, patient, what, session, status, extra = cells
    if start_only:
        time = time[:5]
    combined = what.copy() if isinstance(what, Text) else Text(what)
    for sep, part in ((", ", session), ("; ", extra)):
        if part:
            combined.append(sep)
            combined.append_text(part if isinstance(part, Text) else Text(part))
    mark = status[:1] if isinstance(status, Text) else Text(status[:1])
    return [time, chair, patient, mark, combined]


def _lines(rows: list[Row], widths: list[int], spaces: int) -> Text:
    """The day's rows as one block of text in columns of the given widths.

    Laid out by hand rather than as a rich table: a busy clinic's week has thousands of
    rows, and columns that are known to fit need no measuring.
    """
    gap = " " * spaces
    out = Text(no_wrap=True, overflow="ellipsis")
    header = "  " + gap.join(h.ljust(w) for h, w in zip(HEADERS, widths))
    out.append(header.rstrip() + "\n", style="bold")
    out.append("─" * (sum(widths) + 2 + len(gap) * (len(widths) - 1)) + "\n")
    last = len(widths) - 1
    for n, (_, _, cells) in enumerate(rows):
        line = Text("  ")
        for i, (cell, w) in enumerate(zip(cells, widths)):
            text = cell if isinstance(cell, Text) else Text(cell)
            line.append_text(text)
            if i < last and any(c for c in cells[i + 1:]):
                line.append(" " * (w - text.cell_len) + gap)
        out.append_text(line)
        if n < len(rows) - 1:
            out.append("\n")
    return out


def _table(rows: list[Row], width: int) -> Table:
    """A narrow terminal: fewer columns, and rich folds the long ones."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), header_style="bold")
    for i, header in enumerate(COMPACT_HEADERS):
        wrap = header == "what"
        table.add_column(("  " if i == 0 else "") + header, no_wrap=not wrap, overflow="fold" if wrap else "ellipsis")
    for _, _, cells in rows:
        cells = _compact(cells, start_only=width < 60)
        first = cells[0]
        first = Text("  ") + (first if isinstance(first, Text) else Text(first))
        table.add_row(first, *cells[1:])
    return table


__all__ = ["agenda_view"]
