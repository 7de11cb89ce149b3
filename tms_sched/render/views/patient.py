"""One patient's course: progress, mapping, sessions by week, assessments and their windows."""

from __future__ import annotations

import datetime as dt

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ...model.protocol import Protocol
from ...model.base import WEEKDAY_NAMES, WEEKDAYS
from .facts import Booking, ScheduleFacts, day_name, hhmm, monday_of
from .marks import MUTED, STATUS_MARK, STATUS_STYLE, legend, status_legend, status_text

WINDOW = "╌"
BAR = 50
FOLLOW_UP = "follow-up"


def patient_view(facts: ScheduleFacts, patient_id: str, width: int = 100) -> RenderableType:
    unplaced = next((u for u in facts.schedule.unplaced if u.id == patient_id), None)
    if patient_id not in facts.patients and unplaced is not None:
        return Group(Text(f"{patient_id}, {unplaced.protocol}", style="bold"),
                     Text(f"  not booked: {unplaced.reason}"))
    patient = facts.patients[patient_id]
    protocol = facts.protocol_of(patient_id)
    bookings = facts.by_patient[patient_id]
    sessions = [b for b in bookings if b.is_session]
    live = [b for b in sessions if b.live]
    total = protocol.total_sessions if protocol else max((b.appt.session or 0 for b in sessions), default=0)
    windows = _assessment_windows(protocol, live)
    if patient.status != "active":
        windows.pop(FOLLOW_UP, None)  # a discharged course has no follow-up window to keep

    title = Text(f"{facts.label(patient_id)}, {patient.protocol}", style="bold")
    if facts.phone(patient_id):
        title.append(f", phone {facts.phone(patient_id)}")
    if protocol:
        title.append(f": {protocol.label}")
    facts_table = Table.grid(padding=(0, 2))
    facts_table.add_column(style=MUTED, no_wrap=True)
    facts_table.add_column()
    status = "active" if patient.status == "active" else f"discharged: {patient.reason or 'no reason given'}"
    facts_table.add_row("status", Text(status, style="" if patient.status == "active" else "bold"))
    counts, bar = _progress(sessions, live, total)
    facts_table.add_row("progress", counts)
    if total:
        facts_table.add_row("", bar + Text("  ") + legend([("█", "green", "done"), ("░", "cyan", "planned"),
                                                            ("·", MUTED, "not booked")]))
    mapping = next((b for b in sessions if b.appt.session == 1 and b.live), None) or \
        next((b for b in sessions if b.appt.session == 1), None)
    if mapping is not None:
        facts_table.add_row(mapping.first_name, _when(mapping))
    chairs = sorted({b.chair for b in live if b.chair})
    if chairs:
        facts_table.add_row("chair" if len(chairs) == 1 else "chairs",
                            ", ".join(facts.chair_label(c) for c in chairs))
    usual = _usual_start(live)
    if usual is not None:
        facts_table.add_row("usual start", hhmm(usual))
    observed = sorted({b.monitor for b in live if b.monitor})
    if observed:
        who = f", with a {protocol.monitor_role} on shift" if protocol and protocol.monitor_role else ""
        minutes = " or ".join(str(m) for m in observed)
        facts_table.add_row("monitoring", f"{minutes} min in the same chair after each session{who}")
    facts_table.add_row("projected end", _projected_end(patient.status, live, total))
    if FOLLOW_UP in windows:
        lo, hi = windows[FOLLOW_UP]
        text = Text(f"{lo} to {hi}")
        anchor = _rule(protocol, FOLLOW_UP)
        if anchor:
            text.append(f" ({anchor})", style=MUTED)
        facts_table.add_row("follow-up window", text)

    parts: list[RenderableType] = [title, facts_table, Text()]
    parts.append(Text("Sessions by week", style="bold"))
    grid, skipped = _weeks(facts, bookings, windows.get(FOLLOW_UP), width)
    parts.append(grid)
    extra = []
    if any(b.makeup for b in bookings):
        extra.append(("*", "bold", "make-up"))
    if FOLLOW_UP in windows:
        extra.append((WINDOW, "yellow", "follow-up window"))
    if skipped:
        extra.append(("… n wk", MUTED, "weeks without appointments"))
    parts.append(status_legend())
    if extra:
        parts.append(legend(extra))
    assessments = _assessments(protocol, bookings, windows)
    if assessments is not None:
        parts.append(Text())
        parts.append(Text("Assessments", style="bold"))
        parts.append(assessments)
    return Group(*parts)


def _when(b: Booking) -> Text:
    text = Text(f"{day_name(b.day)} {b.day} {hhmm(b.start)}")
    if b.chair:
        text.append(f", chair {b.chair}")
    if b.appt.staff:
        text.append(f", with {b.appt.staff}")
    text.append(", ")
    text.append_text(status_text(b.status))
    return text


def _progress(sessions: list[Booking], live: list[Booking], total: int) -> tuple[Text, Text]:
    """The counts as a sentence, and a bar of one mark per session (done, planned, neither)."""
    done = len({b.appt.session for b in sessions if b.status == "done"})
    planned = len({b.appt.session for b in live if b.status == "planned"})
    missed = sum(1 for b in sessions if b.status == "missed")
    live_numbers = {b.appt.session for b in live}
    cancelled = len({b.appt.session for b in sessions if b.status == "cancelled"} - live_numbers)
    unbooked = max(0, total - len(live_numbers) - cancelled)
    text = Text(f"{done} of {total} done", style="bold")
    details = [f"{planned} planned"]
    if missed:
        details.append(f"{missed} missed")
    if cancelled:
        details.append(f"{cancelled} cancelled")
    if unbooked:
        details.append(f"{unbooked} not booked")
    text.append(f" ({', '.join(details)})")
    bar = Text()
    scale = min(1.0, BAR / total) if total else 0
    n_done = round(done * scale)
    n_planned = round((done + planned) * scale) - n_done
    bar.append("█" * n_done, style="green")
    bar.append("░" * n_planned, style="cyan")
    bar.append("·" * max(0, round(total * scale) - n_done - n_planned), style=MUTED)
    return text, bar


def _usual_start(live: list[Booking]) -> int | None:
    """The median start of the once-a-day sessions, the mapping day left out."""
    per_day: dict[dt.date, list[Booking]] = {}
    for b in live:
        per_day.setdefault(b.day, []).append(b)
    starts = sorted(bs[0].start for bs in per_day.values()
                    if len(bs) == 1 and bs[0].appt.session != 1)
    if not starts:
        return None
    return starts[(len(starts) - 1) // 2]


def _projected_end(status: str, live: list[Booking], total: int) -> Text:
    if status != "active":
        return Text("none (discharged)")
    if not live:
        return Text("nothing booked")
    last = max(live, key=lambda b: (b.day, b.start))
    text = Text(f"{day_name(last.day)} {last.day}")
    booked = len({b.appt.session for b in live})
    if booked < total:
        missing = total - booked
        text.append(f" ({missing} session{'s' if missing > 1 else ''} still to book)", style="bold")
    return text


def _assessment_windows(protocol: Protocol | None, live: list[Booking]) -> dict[str, tuple[dt.date, dt.date]]:
    if protocol is None or not live:
        return {}
    first = min(b.day for b in live)
    last = max(b.day for b in live)
    by_number = {}
    for b in sorted(live, key=lambda b: b.day):
        by_number.setdefault(b.appt.session, b.day)
    out = {}
    for a in protocol.assessments:
        if a.anchor == "session":  # the first window of a numbered anchor, once that session is booked
            numbers = [n for n in a.anchor_sessions(protocol.total_sessions) if n in by_number]
            if not numbers:
                continue
            anchor = by_number[numbers[0]]
        else:
            anchor = first if a.anchor == "first" else last
        lo, hi = a.window_days
        out[a.name] = (anchor + dt.timedelta(days=lo), anchor + dt.timedelta(days=hi))
    return out


def _rule(protocol: Protocol | None, name: str) -> str:
    if protocol is None:
        return ""
    for a in protocol.assessments:
        if a.name == name:
            lo, hi = a.window_days
            if a.anchor == "last":
                return f"{lo} to {hi} days after the last session"
            if a.anchor == "session":
                which = f"session {a.session}" if a.session is not None else f"every {a.every_sessions} sessions"
                return f"{lo} to {hi} days after {which}"
            return f"{-hi} to {-lo} days before the first session"
    return ""


def _weeks(facts: ScheduleFacts, bookings: list[Booking], follow_up: tuple[dt.date, dt.date] | None,
           width: int) -> tuple[Table, bool]:
    """One row per calendar week of the course, a column per weekday; empty weeks folded."""
    by_day: dict[dt.date, list[Booking]] = {}
    for b in bookings:
        by_day.setdefault(b.day, []).append(b)
    span = sorted(by_day)
    if follow_up:
        span += list(follow_up)
    first_week = monday_of(min(span)) if span else monday_of(facts.today)
    last_week = monday_of(max(span)) if span else first_week
    sessions = [b for b in bookings if b.is_session]
    course_week = monday_of(min(b.day for b in sessions)) if sessions else first_week
    used = {d.weekday() for d in by_day}
    weekdays = [i for i in range(7) if i in used or facts.clinic.info.hours.get(WEEKDAYS[i])]

    plan: list[tuple[dt.date, list[dt.date], Text] | int] = []  # an int: that many empty weeks
    week = first_week
    while week <= last_week:
        days = [week + dt.timedelta(days=i) for i in weekdays]
        in_window = follow_up is not None and any(follow_up[0] <= d <= follow_up[1] for d in days)
        if not any(d in by_day for d in days) and not in_window:
            if plan and isinstance(plan[-1], int):
                plan[-1] += 1
            else:
                plan.append(1)
        else:
            plan.append((week, days, _tally([b for d in days for b in by_day.get(d, []) if b.is_session])))
        week += dt.timedelta(days=7)

    tally_width = max([len("sessions")] + [p[2].cell_len for p in plan if not isinstance(p, int)])
    widths = _day_widths(facts, plan, by_day, follow_up, len(weekdays),
                         # the week column (8), the tally, and three between columns (padding and divider)
                         width - 8 - tally_width - 3 * (len(weekdays) + 1))
    rows: list[list[Text] | int] = []
    for entry in plan:
        if isinstance(entry, int):
            rows.append(entry)
            continue
        week, days, tally = entry
        number = (week - course_week).days // 7 + 1
        label = Text(f"{number:>2} " if number >= 1 else "   ", style="bold")
        label.append(week.strftime("%m-%d"), style=MUTED)
        cells = [label] + [_day_cell(facts, d, by_day.get(d, []), follow_up, w) for d, w in zip(days, widths)]
        rows.append(cells + [tally])

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), header_style="bold")
    table.add_column("week", no_wrap=True, min_width=8)
    for i, cell_width in zip(weekdays, widths):
        table.add_column(WEEKDAY_NAMES[i][:3], width=cell_width, overflow="fold")
    table.add_column("sessions", no_wrap=True)
    skipped = False
    for row in rows:
        if isinstance(row, int):
            table.add_row(Text(f" … {row} wk", style=MUTED), *[""] * (len(weekdays) + 1))
            skipped = True
        else:
            table.add_row(*row)
    return table, skipped


def _day_widths(facts: ScheduleFacts, plan: list, by_day: dict[dt.date, list[Booking]],
                follow_up: tuple[dt.date, dt.date] | None, columns: int, room: int) -> list[int]:
    """Each weekday column as wide as its cells need (at least 6), the widest narrowed
    first until all fit ``room``: a long assessment name shows whole while the columns
    of session numbers leave it the space."""
    widths = [6] * columns
    for entry in plan:
        if isinstance(entry, int):
            continue
        for i, d in enumerate(entry[1]):
            cell = _day_cell(facts, d, by_day.get(d, []), follow_up, 10 ** 6)
            widths[i] = max(widths[i], *(line.cell_len for line in cell.split("\n")))
    while sum(widths) > room and max(widths) > 6:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    return widths


def _day_cell(facts: ScheduleFacts, day: dt.date, bookings: list[Booking],
              follow_up: tuple[dt.date, dt.date] | None, width: int) -> Text:
    text = Text()
    sessions = [b for b in bookings if b.is_session]
    if len(sessions) == 1:
        b = sessions[0]
        text.append(f"{STATUS_MARK[b.status]}{b.appt.session}{'*' if b.makeup else ''}", style=STATUS_STYLE[b.status])
        if b.kind == "mapping":
            text.append(_first_short(b, width - len(text)), style="magenta")
    elif sessions:
        for b in sessions:
            text.append(STATUS_MARK[b.status], style=STATUS_STYLE[b.status])
        numbers = [b.appt.session or 0 for b in sessions]
        text.append(f" {min(numbers)}-{max(numbers)}{'*' if any(b.makeup for b in sessions) else ''}")
        first = next((b for b in sessions if b.kind == "mapping"), None)
        if first is not None:
            text.append(_first_short(first, width), style="magenta")
    for b in bookings:
        if b.is_session:
            continue
        if text:
            text.append("\n")
        name = b.appt.name or ""
        if len(name) + 2 > width:
            name = name[: max(1, width - 3)] + "…"
        text.append(f"{STATUS_MARK[b.status]} {name}", style="yellow")
    if not text:
        reason = facts.closed_reason(day)
        if reason and facts.has_hours(day):
            text.append("closed", style=MUTED)
        elif follow_up and follow_up[0] <= day <= follow_up[1]:
            text.append(WINDOW * 3, style="yellow")
    return text


def _first_short(b: Booking, room: int) -> str:
    """`` map`` for a motor-threshold mapping or re-check, else the course's own name of
    its first session (`` first dose``), cut to ``room``."""
    name = "map" if b.first_name == "mapping" or "motor-threshold" in b.first_name.lower() else b.first_name
    if len(name) + 1 > room:
        name = name[: max(1, room - 2)] + "…"
    return " " + name


def _tally(sessions: list[Booking]) -> Text:
    counts = {s: sum(1 for b in sessions if b.status == s) for s in ("done", "missed", "planned", "cancelled")}
    text = Text()
    for status, n in counts.items():
        if n:
            if text:
                text.append(" ")
            text.append(f"{n}{STATUS_MARK[status]}", style=STATUS_STYLE[status])
    return text


def _assessments(protocol: Protocol | None, bookings: list[Booking],
                 windows: dict[str, tuple[dt.date, dt.date]]) -> Table | None:
    names = [a.name for a in protocol.assessments] if protocol else []
    for b in bookings:
        if not b.is_session and b.appt.name not in names:
            names.append(b.appt.name or "")
    if not names:
        return None
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), header_style="bold")
    for column in ("assessment", "window", "booked", "status", "with"):
        table.add_column(column, overflow="fold")
    for name in names:
        booked = [b for b in bookings if not b.is_session and b.appt.name == name]
        window = windows.get(name)
        window_text = Text(f"{window[0]} to {window[1]}") if window else Text("-", style=MUTED)
        if not booked:
            table.add_row(name, window_text, Text("not booked", style="bold"), "", "")
            continue
        for b in booked:
            when = Text(f"{day_name(b.day)[:3]} {b.day} {hhmm(b.start)}")
            if window and b.live and not window[0] <= b.day <= window[1]:
                when.append(" (outside the window)", style="bold red")
            table.add_row(name, window_text, when, status_text(b.status), b.appt.staff or "")
    return table


__all__ = ["patient_view"]
