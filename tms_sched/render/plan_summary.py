"""The summary `tms-sched plan` prints: one row per patient, then the unplaced."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..model.protocol import Protocol
from ..model.schedule import Schedule, ScheduledPatient
from ..text import plural
from .views.facts import first_session_name


def _local(schedule_zone, moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(schedule_zone)


def patient_row(patient: ScheduledPatient, zone) -> dict[str, Any]:
    live = [a for a in patient.appointments if a.status in ("planned", "done")]
    sessions = sorted((a for a in live if a.kind != "assessment"), key=lambda a: a.start)
    row: dict[str, Any] = {"id": patient.id, "protocol": patient.protocol, "sessions": len(sessions)}
    if not sessions:
        return row
    first, last = sessions[0], sessions[-1]
    per_day: dict[dt.date, list] = {}
    for a in sessions:
        per_day.setdefault(a.start.astimezone(zone).date(), []).append(a)
    first_day = first.start.astimezone(zone).date()
    daily = [v[0] for d, v in per_day.items() if len(v) == 1 and d != first_day]
    usual = None
    if daily:
        minutes = [a.start.astimezone(zone).hour * 60 + a.start.astimezone(zone).minute for a in daily]
        m = int(statistics.median(minutes))
        usual = f"{m // 60:02d}:{m % 60:02d}"
    chairs = sorted({a.chair for a in sessions if a.chair})
    follow = next((a for a in live if a.kind == "assessment" and a.name == "follow-up"), None)
    row.update({
        "first": first.start.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "usual_time": usual,
        "chairs": chairs,
        "last": last.start.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "follow_up": follow.start.astimezone(zone).strftime("%Y-%m-%d") if follow else None,
    })
    return row


def summary_data(schedule: Schedule, zone, written_to: str | None, moved: list[str] | None = None) -> dict[str, Any]:
    on_hold = {u.id for u in schedule.unplaced}  # a course on hold is listed as not placed only
    return {
        "schedule": written_to,
        "revision": schedule.schedule.revision,
        "placed": [patient_row(p, zone) for p in schedule.patients if p.status == "active" and p.id not in on_hold],
        "unplaced": [{"id": u.id, "protocol": u.protocol, "reason": u.reason} for u in schedule.unplaced],
        **({"moved": moved} if moved is not None else {}),
    }


SUMMARY_COLUMNS = ("patient", "protocol", "first", "usual time", "chair", "last", "follow-up")


def _summary_layout(rows: list[list[str]], width: int | None) -> tuple[list[str], int]:
    """Headers and the space between columns that let every cell show whole in ``width``.

    Tried in turn: three spaces, two, two with the short header ``time``; then the
    right-most columns give way (follow-up, then last). A protocol id is never broken.
    """
    headers = list(SUMMARY_COLUMNS)
    for gap, short in ((3, False), (2, False), (2, True)):
        names = [("time" if h == "usual time" and short else h) for h in headers]
        widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
        if width is None or sum(widths) + gap * (len(widths) - 1) <= width:
            return names, gap
    names = [("time" if h == "usual time" else h) for h in headers]
    while len(names) > 4:
        names.pop()
        widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
        if sum(widths) + 2 * (len(widths) - 1) <= width:
            break
    return names, 2


def summary_view(data: dict[str, Any], width: int | None = None) -> RenderableType:
    """The plan's summary, laid out for ``width`` columns (default: as wide as it needs)."""
    rows = [[row["id"], row["protocol"], (row.get("first") or "-")[:10], row.get("usual_time") or "-",
             ",".join(row.get("chairs") or []) or "-", (row.get("last") or "-")[:10], row.get("follow_up") or "-"]
            for row in data["placed"]]
    names, gap = _summary_layout(rows, width)
    table = Table(title=f"Planned courses (schedule revision {data['revision']})", title_justify="left",
                  box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  padding=(0, (gap - 1) // 2, 0, gap - 1 - (gap - 1) // 2))
    for name in names:
        table.add_column(name, no_wrap=True, overflow="ellipsis")
    for row in rows:
        table.add_row(*row[:len(names)])
    parts: list[RenderableType] = [table]
    if len(names) < len(SUMMARY_COLUMNS):
        left_out = " and ".join(SUMMARY_COLUMNS[len(names):])
        parts.append(Text(f"({left_out} left out to fit {width} columns; --width or --format json shows them)",
                          style="dim"))
    if data["unplaced"]:
        unplaced = Table(title=f"Not placed ({len(data['unplaced'])})", title_justify="left", title_style="bold red",
                         box=box.SIMPLE_HEAD, pad_edge=False)
        unplaced.add_column("patient", no_wrap=True)
        unplaced.add_column("protocol", no_wrap=True)
        unplaced.add_column("why, and what would help")
        for u in data["unplaced"]:
            unplaced.add_row(u["id"], u["protocol"], u["reason"])
        parts.append(unplaced)
    parts.append(Text())
    placed, missing = len(data["placed"]), len(data["unplaced"])
    line = Text(f"{plural(placed, 'patient')} placed, {missing} not placed")
    if data.get("schedule"):
        line.append(f"; written to {data['schedule']}")
    if data.get("moved") is not None:
        line.append(f"; {plural(len(data['moved']), 'appointment')} moved")
    parts.append(line)
    return Group(*parts)


def _line(appt, zone) -> str:
    local = appt.start.astimezone(zone)
    where = f" chair {appt.chair}" if appt.chair else ""
    who = f" with {appt.staff}" if appt.staff else ""
    return f"{local:%Y-%m-%d %H:%M}{where}{who}"


def diff_lines(old: Schedule, new: Schedule, zone, protocols: Mapping[str, Protocol] | None = None) -> list[str]:
    """What changed between two schedules, one line per appointment, in file order.

    ``protocols`` (the clinic's) name each course's first session as it calls it
    (``first dose`` rather than ``mapping``)."""
    before = {a.id: (p.id, a) for p, a in old.appointments()}
    courses = {p.id: p.protocol for p in new.patients}
    out: list[str] = []
    for patient, appt in new.appointments():
        was = before.get(appt.id)
        if was is None:
            what = f"session {appt.session}" if appt.session else f"{appt.name} assessment"
            kind = appt.kind
            if kind == "mapping":
                kind = first_session_name((protocols or {}).get(courses.get(patient.id, "")))
            out.append(f"+ {patient.id} {appt.id}: {kind} {what} {_line(appt, zone)}")
            continue
        prev = was[1]
        if prev == appt:
            continue
        if prev.status != appt.status:
            out.append(f"~ {patient.id} {appt.id}: {prev.status} -> {appt.status} ({_line(appt, zone)})")
        else:
            out.append(f"> {patient.id} {appt.id}: {_line(prev, zone)} -> {_line(appt, zone)}")
    gone = set(before) - {a.id for _, a in new.appointments()}
    for appt_id in sorted(gone):
        out.append(f"- {before[appt_id][0]} {appt_id}: removed")
    was_unplaced = {u.id: u for u in old.unplaced}
    now_unplaced = {u.id: u for u in new.unplaced}
    for pid in sorted(set(was_unplaced) | set(now_unplaced)):
        if pid not in now_unplaced:
            out.append(f"! {pid}: no longer unplaced")
        elif was_unplaced.get(pid) != now_unplaced[pid]:
            out.append(f"! {pid}: unplaced: {now_unplaced[pid].reason}")
    if not out:
        out.append("no changes" if old.schedule.revision == new.schedule.revision
                   else f"no appointment changed; revision {old.schedule.revision} -> {new.schedule.revision}")
    return out
