"""Rosters (TOML or CSV) -> Patient models, checked against the clinic."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from pydantic import ValidationError

from ..errors import InputError, Problem
from ..model.base import WEEKDAYS
from ..model.clinic import Clinic
from ..model.patient import Patient
from ..model.protocol import DailyPhase
from ..text import plural
from .bounds import out_of_bounds
from .clinic import Roster, off_grid
from .common import impossible_date, parse_toml, read_text
from .tomlpos import PositionIndex, format_path
from .validation import problems_from, show_value, suggest

CSV_COLUMNS = ("id", "name", "protocol", "start_after", "deadline", "priority", "preferred_chair",
               *WEEKDAYS, "unavailable", "phone", "authorized_sessions")


def validate_patients(
    raws: list[Any],
    clinic: Clinic,
    name: str,
    index: PositionIndex | None,
    known: Roster,
    lines: list[int] | None = None,
    prefix_of=lambda i: ("patients", i),
) -> Roster:
    """Validate raw patient tables; ``known`` holds patients already read (for duplicates)."""
    roster = Roster()
    problems: list[Problem] = []
    slot = clinic.info.slot_minutes
    for i, raw in enumerate(raws):
        prefix = prefix_of(i)
        row_line = lines[i] if lines else None

        def where(*keys: Any) -> tuple[int | None, str]:
            p = prefix + keys
            line = index.line(p) if index else row_line
            # A CSV problem is named by its column (availability.mon is the column mon).
            return line, format_path(p) if index else (str(keys[-1]) if keys else "")

        if not isinstance(raw, dict):
            line, path = where()
            problems.append(Problem(name, line, path=path,
                                    message=f"expected a [[patients]] table of keys, got {show_value(raw)}"))
            continue
        try:
            patient = Patient.model_validate(raw)
        except ValidationError as exc:
            if index is not None:
                problems.extend(problems_from(exc, Patient, name, index, prefix=prefix))
            else:
                problems.extend(_csv_paths(problems_from(exc, Patient, name, None, line=row_line)))
            continue
        protocol = clinic.protocols.get(patient.protocol)
        if protocol is None:
            line, path = where("protocol")
            hint = suggest(patient.protocol, clinic.protocols) or (
                f"; known protocols: {', '.join(sorted(clinic.protocols))}")
            problems.append(Problem(name, line, path=path,
                                    message=f"unknown protocol '{patient.protocol}'{hint}"))
        if patient.preferred_chair is not None:
            chair = clinic.chair(patient.preferred_chair)
            line, path = where("preferred_chair")
            if chair is None:
                ids = [c.id for c in clinic.chairs]
                hint = suggest(patient.preferred_chair, ids) or f"; the chairs are {', '.join(ids)}"
                problems.append(Problem(name, line, path=path,
                                        message=f"unknown chair '{patient.preferred_chair}'{hint}"))
            elif protocol is not None and protocol.capability not in chair.capabilities:
                able = [c.id for c in clinic.chairs_for(protocol.capability)]
                problems.append(Problem(name, line, path=path,
                                        message=f"chair '{chair.id}' lacks capability '{protocol.capability}' "
                                        f"that {protocol.id} needs"
                                        + (f"; chairs that have it: {', '.join(able)}" if able else "")))
        for day, windows in (patient.availability or {}).items():
            bad = off_grid(windows, slot)
            if bad:
                line, path = where("availability", day)
                problems.append(Problem(name, line, path=path,
                                        message=f"{bad} is off the {slot}-minute slot grid; use a multiple of {slot} minutes"))
        if patient.id in known.origins or patient.id in roster.origins:
            first = known.origins.get(patient.id) or roster.origins[patient.id]
            line, path = where("id")
            if first[0] == name and first[1]:
                at = f"line {first[1]}"
            else:
                at = f"{first[0]}:{first[1]}" if first[1] else first[0]
            problems.append(Problem(name, line, path=path,
                                    message=f"duplicate patient id '{patient.id}' (also at {at}); ids must be unique"))
            continue
        line, _ = where()
        roster.patients.append(patient)
        roster.origins[patient.id] = (name, line)
    if problems:
        raise InputError(problems)
    return roster


def roster_warnings(clinic: Clinic, roster: Roster, today: dt.date) -> list[Problem]:
    """Valid but unbookable patients: the file loads; the planner reports them unplaced."""
    out: list[Problem] = []
    roles = {s.role for s in clinic.staff}
    for p in roster.patients:
        file, line = roster.origins.get(p.id, ("", None))
        protocol = clinic.protocols.get(p.protocol)
        if protocol is None:
            continue
        if not clinic.chairs_for(protocol.capability):
            out.append(Problem(file, line, path=p.id, message=f"no chair has capability '{protocol.capability}' "
                               f"that {protocol.id} needs; this patient cannot be booked"))
        if clinic.staff and protocol.first_session_staff not in roles:
            out.append(Problem(file, line, path=p.id, message=f"no staff member is a {protocol.first_session_staff}, "
                               f"whom the first session of {protocol.id} needs; this patient cannot be booked"))
        if p.availability is not None:
            meets = any(
                s < ce and cs < e
                for day, windows in p.availability.items()
                for s, e in windows
                for cs, ce in clinic.info.hours.get(day, ())
            )
            if not meets:
                out.append(Problem(file, line, path=p.id, message="availability never meets the opening hours; "
                                   "this patient cannot be booked"))
        if p.deadline is not None and p.deadline < today:
            out.append(Problem(file, line, path=p.id, message=f"deadline {p.deadline} is already past"))
        for phase in protocol.phases:
            if isinstance(phase, DailyPhase) and phase.per_day > 1:
                need = protocol.first_minutes + (phase.per_day - 1) * (protocol.session_minutes + phase.min_gap_minutes)
                longest = max((e - s for day in clinic.info.hours.values() for s, e in [(day[0][0], day[-1][1])]), default=0)
                if need > longest:
                    out.append(Problem(file, line, path=p.id,
                                       message=f"a first day of {protocol.id} needs {need // 60} h {need % 60} min; "
                                       f"the longest opening day is {longest // 60} h {longest % 60} min"))
    return out


def load_roster(path: str, clinic: Clinic, known: Roster) -> Roster:
    if path.lower().endswith(".csv"):
        return _load_csv(path, clinic, known)
    text = read_text(path)
    data, index = parse_toml(text, path)
    problems: list[Problem] = []
    for key in data:
        if key != "patients":
            problems.append(Problem(path, index.line((key,)), path=key,
                                    message=f"unknown key '{key}'; a roster holds only [[patients]] tables"))
    if problems:
        raise InputError(problems)
    raws = data.get("patients", [])
    if not isinstance(raws, list):
        raise InputError([Problem(path, index.line(("patients",)), path="patients",
                                  message="expected [[patients]] tables")])
    return validate_patients(raws, clinic, path, index, known)


def _csv_paths(problems: list[Problem]) -> list[Problem]:
    """In a CSV file a problem is named by its column: ``availability.mon`` -> ``mon``."""
    out = []
    for p in problems:
        column = p.path.removeprefix("availability.").split("[")[0]
        out.append(Problem(p.file, p.line, p.column, column, p.message))
    return out


def _csv_date(value: str) -> dt.date:
    text = value.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(impossible_date(text) or f"'{text}' is not a day of the calendar") from None
        raise ValueError(f"'{text}' is not a date; write YYYY-MM-DD, e.g. 2026-12-01") from None


def _load_csv(path: str, clinic: Clinic, known: Roster) -> Roster:
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError([Problem(path, 1, message="empty file; the first line names the columns")]) from None
    header = [h.strip() for h in header]
    if len(header) == 1 and ";" in header[0]:
        raise InputError([Problem(path, 1, message="the columns are separated by ';'; save the file as CSV with "
                                  "commas between columns (in a spreadsheet: CSV, comma-separated)")])
    problems: list[Problem] = []
    for h in header:
        if h not in CSV_COLUMNS:
            if h.lower() in ("availability", "available", "hours", "windows"):
                # The TOML roster's availability table is spread over one column per weekday.
                hint = (f"; a CSV roster gives availability per weekday, in the columns {', '.join(WEEKDAYS)} "
                        "(e.g. 08:00-11:00; several windows separated by spaces; those columns empty all "
                        "round: clinic hours)")
            else:
                hint = suggest(h, CSV_COLUMNS) or f"; the columns are {', '.join(CSV_COLUMNS)}"
            problems.append(Problem(path, 1, path=h or "(empty)", message=f"unknown column '{h}'{hint}"))
    for required in ("id", "protocol"):
        if required not in header:
            problems.append(Problem(path, 1, path=required, message=f"missing column '{required}'"))
    dupes = sorted({h for h in header if header.count(h) > 1})
    for h in dupes:
        problems.append(Problem(path, 1, path=h, message=f"column '{h}' appears twice"))
    if problems:
        raise InputError(problems)
    raws: list[dict[str, Any]] = []
    lines: list[int] = []
    line = reader.line_num
    for row in reader:
        start_line = line + 1
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(Problem(path, start_line,
                                    message=f"{plural(len(row), 'cell')} where the header has "
                                    f"{plural(len(header), 'column')}; a comma is missing or extra (quote a cell "
                                    "that holds a comma)"))
            continue
        cells = {h: c.strip() for h, c in zip(header, row)}
        raw: dict[str, Any] = {}
        for key in ("id", "name", "protocol", "priority", "preferred_chair", "phone"):
            if cells.get(key):
                raw[key] = cells[key]
        if cells.get("authorized_sessions"):
            try:
                raw["authorized_sessions"] = int(cells["authorized_sessions"])
            except ValueError:
                problems.append(Problem(path, start_line, path="authorized_sessions",
                                        message=f"'{cells['authorized_sessions']}' is not a whole number of sessions"))
        for key in ("start_after", "deadline"):
            if cells.get(key):
                try:
                    raw[key] = _csv_date(cells[key])
                except ValueError as exc:
                    problems.append(Problem(path, start_line, path=key, message=str(exc)))
        days = {d: cells[d].split() for d in WEEKDAYS if cells.get(d)}
        if days:
            raw["availability"] = {d: (w[0] if len(w) == 1 else w) for d, w in days.items()}
        if cells.get("unavailable"):
            dates = []
            for part in cells["unavailable"].split(";"):
                if part.strip():
                    try:
                        dates.append(_csv_date(part))
                    except ValueError as exc:
                        problems.append(Problem(path, start_line, path="unavailable", message=str(exc)))
            raw["unavailable"] = dates
        problems.extend(_csv_paths(out_of_bounds(raw, path, line=start_line)))
        raws.append(raw)
        lines.append(start_line)
    if problems:
        raise InputError(problems)
    return validate_patients(raws, clinic, path, None, known, lines=lines)
