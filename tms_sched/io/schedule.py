"""Schedules <-> files: TOML (one line per appointment), JSON, and a CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import InputError, Problem
from ..model.schedule import Appointment, Schedule
from .bounds import out_of_bounds
from .common import atomic_write, parse_toml, read_text, refuse_to_replace
from .tomlpos import PositionIndex
from .validation import problems_from

APPOINTMENT_KEYS = ("id", "kind", "name", "session", "chair", "start", "minutes", "monitor_minutes", "staff",
                    "status", "revision", "pinned", "previous_start", "moved_from", "note")
# Columns added later go at the end, so a spreadsheet built on an older export keeps its columns.
CSV_COLUMNS = ("patient", "protocol", "id", "kind", "name", "session", "chair", "date", "start", "end",
               "minutes", "staff", "status", "revision", "note", "pinned", "previous_start", "moved_from",
               "monitor_minutes")
CSV_FIRST_COLUMNS = CSV_COLUMNS[:15]  # an export written before pinned existed starts with these


def schedule_format(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return {".json": "json", ".csv": "csv"}.get(suffix, "toml")


def load_schedule(path: str) -> tuple[Schedule, PositionIndex | None]:
    """Read a schedule; returns it with the key positions (TOML) for line-accurate messages."""
    fmt = schedule_format(path)
    text = read_text(path)
    if fmt == "csv":
        raise InputError([Problem(path, None, message="a CSV schedule is an export for spreadsheets and "
                                  "cannot be read back; give the TOML or JSON schedule")])
    index: PositionIndex | None = None
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError([Problem(path, exc.lineno, exc.colno, message=f"JSON syntax error: {exc.msg}")]) from None
        data = _json_to_native(data)
        if problems := out_of_bounds(data, path):
            raise InputError(problems)
    else:
        data, index = parse_toml(text, path)
    if "schedule" not in data:
        raise InputError([Problem(path, 1, message="not a tms-sched schedule (no [schedule] table); "
                                  "is this a clinic or roster file?")])
    try:
        schedule = Schedule.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from(exc, Schedule, path, index)) from None
    return schedule, index


def _json_to_native(data: Any) -> Any:
    """JSON carries dates and times as ISO strings; turn them into the types TOML gives."""
    if isinstance(data, dict):
        out = {}
        for k, v in data.items():
            if k in ("start", "end", "updated", "date", "previous_start") and isinstance(v, str):
                try:
                    v = dt.datetime.fromisoformat(v) if "T" in v else dt.date.fromisoformat(v)
                except ValueError:
                    pass  # left as text; validation says what is wrong
            out[k] = _json_to_native(v)
        return out
    if isinstance(data, list):
        return [_json_to_native(v) for v in data]
    return data


# -- writing -----------------------------------------------------------------------

def _toml_str(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return _toml_str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if hasattr(value, "model_dump"):
        return _inline(list(value.model_dump().items()))
    raise TypeError(f"cannot write {value!r} as TOML")


def _inline(pairs: list[tuple[str, Any]]) -> str:
    return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in pairs if v is not None) + " }"


def appointment_pairs(appt: Appointment) -> list[tuple[str, Any]]:
    # pinned and moved_from are written only when set, so schedules without them read exactly as before
    return [(k, getattr(appt, k)) for k in APPOINTMENT_KEYS
            if not (k == "pinned" and not appt.pinned) and not (k == "moved_from" and not appt.moved_from)]


def to_toml(schedule: Schedule) -> str:
    info = schedule.schedule
    lines = [
        "# A tms-sched schedule: one line per appointment, grouped by patient.",
        "# Read by `tms-sched check`, `show`, `export` and `mark`; `plan --schedule` updates it.",
        "",
        "[schedule]",
        f"clinic = {_toml_str(info.clinic)}",
        f"timezone = {_toml_str(info.timezone)}",
        f"revision = {info.revision}",
    ]
    if info.updated is not None:
        lines.append(f"updated = {info.updated.isoformat()}")
    for patient in schedule.patients:
        lines += ["", "[[patients]]", f"id = {_toml_str(patient.id)}", f"protocol = {_toml_str(patient.protocol)}"]
        if patient.status != "active":
            lines.append(f"status = {_toml_str(patient.status)}")
        if patient.reason:
            lines.append(f"reason = {_toml_str(patient.reason)}")
        lines.append("appointments = [")
        for appt in patient.appointments:
            lines.append(f"  {_inline(appointment_pairs(appt))},")
        lines.append("]")
    for closure in schedule.closures:
        lines += ["", "[[closures]]"]
        for key in ("date", "start", "end", "chair", "reason"):
            value = getattr(closure, key)
            if value is not None and value != "":
                lines.append(f"{key} = {_toml_value(value)}")
    for item in schedule.unplaced:
        lines += ["", "[[unplaced]]", f"id = {_toml_str(item.id)}", f"protocol = {_toml_str(item.protocol)}",
                  f"reason = {_toml_str(item.reason)}"]
    return "\n".join(lines) + "\n"


def to_json(schedule: Schedule) -> str:
    data = schedule.model_dump(mode="json", exclude_none=True)
    for patient in data.get("patients", []):
        for appt in patient.get("appointments", []):
            if not appt.get("pinned"):
                appt.pop("pinned", None)
            if not appt.get("moved_from"):
                appt.pop("moved_from", None)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, made plain text (OWASP CSV injection).

    A note such as ``=HYPERLINK(...)`` or ``@SUM(1+1)`` would otherwise run when the CSV is
    opened; a leading apostrophe makes spreadsheets show it as the text it is.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(schedule: Schedule) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    # With "\n" ending the lines the csv module leaves a lone "\r" unquoted, and readers
    # take it for the end of a row; a row holding one is written with every cell quoted.
    quoted = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_COLUMNS)
    for patient, appt in schedule.appointments():
        local = appt.start
        row = [neutralise_cell(cell) for cell in [
            patient.id, patient.protocol, appt.id, appt.kind, appt.name or "", appt.session or "",
            appt.chair or "", local.date().isoformat(), local.strftime("%H:%M"), appt.end.strftime("%H:%M"),
            appt.minutes, appt.staff or "", appt.status, appt.revision, appt.note or "",
            "true" if appt.pinned else "", appt.previous_start.isoformat() if appt.previous_start else "",
            "; ".join(f"{e.start.isoformat()} (revisions {e.booked}-{e.moved})" for e in appt.moved_from),
            appt.monitor_minutes or "",
        ]]
        (quoted if any(isinstance(c, str) and "\r" in c for c in row) else writer).writerow(row)
    return buf.getvalue()


def render_schedule(schedule: Schedule, fmt: str) -> str:
    return {"json": to_json, "csv": to_csv}.get(fmt, to_toml)(schedule)


def parse_any(path: str) -> tuple[str, str, Any] | None:
    """``(format, text, data)`` of a TOML or JSON file at ``path`` parsed once (``data`` is
    None for CSV, or where the text does not parse); None when it cannot be read as text."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    fmt = schedule_format(path)
    if fmt == "csv":
        return fmt, text, None
    try:
        if fmt == "json":
            return fmt, text, json.loads(text)
        import tomli

        return fmt, text, tomli.loads(text)
    except (ValueError, json.JSONDecodeError):
        return fmt, text, None


def holds_schedule(fmt: str, text: str, data: Any) -> bool:
    """True when a file read by :func:`parse_any` is a schedule (TOML, JSON) or a CSV export of one."""
    if fmt == "csv":
        return text.startswith(",".join(CSV_FIRST_COLUMNS))
    return isinstance(data, dict) and isinstance(data.get("schedule"), dict)


def is_schedule_file(path: str) -> bool:
    """True when ``path`` holds a tms-sched schedule (TOML or JSON) or a CSV export of one."""
    parsed = parse_any(path)
    return parsed is not None and holds_schedule(*parsed)


def check_schedule_target(path: str) -> None:
    """Raise the OutputError writing a schedule to ``path`` would end in: a folder there, a
    file that is not a schedule, or a folder to put it in that does not exist. Checked
    before the work that makes the schedule, so that a mistyped -o costs no wait."""
    refuse_to_replace(path, is_schedule_file,
                      folder=f"{path}: is a directory; give a file name such as schedule.toml",
                      foreign=f"{path}: exists and is not a tms-sched schedule; refusing to overwrite it "
                              "(choose another -o or move the file)",
                      missing_folder=lambda directory: f"{Path(path)}: the folder {directory} does not exist")


def write_schedule(path: str, schedule: Schedule) -> None:
    """Write atomically; refuse to replace a file that is not a schedule."""
    check_schedule_target(path)
    atomic_write(path, render_schedule(schedule, schedule_format(path)))
