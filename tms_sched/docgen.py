"""docs/configuration.md and schemas/*.schema.json, generated from the models so that
neither can drift.

    python -m tms_sched.docgen            print the reference
    python -m tms_sched.docgen --write    write docs/configuration.md and schemas/
    python -m tms_sched.docgen --check    exit 1 when either is out of date

The schemas are the output of `tms-sched schema KIND`, committed so that
config.example.toml can name its schema on its first line (`#:schema`) and an editor
checks the file as it is opened, without running tms-sched first.

Every key's name, type, default and description comes from the pydantic models; only
the prose between the tables is written here.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from .io.roster import CSV_COLUMNS
from .model.base import WEEKDAYS, Windows
from .model.clinic import Block, Chair, ClinicFile, ClinicInfo, ClosedPeriod, Downtime, HolidayRule, StaffMember
from .model.patient import Patient
from .model.protocol import Assessment, DailyPhase, IntervalPhase, Protocol, WeeklyPhase
from .model.schedule import Appointment, Closure, EarlierStart, Schedule, ScheduledPatient, ScheduleInfo, Unplaced
from .schema import KINDS, json_schema

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"


@dataclass(frozen=True)
class Section:
    heading: str
    model: type[BaseModel]
    intro: str
    skip: tuple[str, ...] = ()


def _type(ann: Any) -> str:
    """A field's type in the words of someone writing the file."""
    if ann is Windows or ann == typing.get_args(Windows)[0]:  # a field's own annotation loses the Annotated
        return '"HH:MM-HH:MM" or a list of them'
    origin = typing.get_origin(ann)
    if origin is typing.Annotated:
        return _type(typing.get_args(ann)[0])
    if origin in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(ann) if m is not type(None)]
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        if len(models) > 1 and all(m in (DailyPhase, WeeklyPhase, IntervalPhase) for m in models):
            return "table (kind daily, weekly or interval)"
        return " or ".join(dict.fromkeys(_type(m) for m in members))
    if origin is Literal:
        choices = [f'"{a}"' for a in typing.get_args(ann)]
        return choices[0] if len(choices) == 1 else "one of " + ", ".join(choices)
    if origin is list:
        (item,) = typing.get_args(ann) or (Any,)
        inner = _type(item)
        return f"list of {_plural(inner)}"
    if origin is dict:
        key, value = typing.get_args(ann)
        if typing.get_origin(key) is Literal:
            return f"table of weekday = {_type(value)}"
        return "table of tables, by id" if typing.get_origin(value) is dict else "table"
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return "table"
    words = {str: "text", int: "integer", bool: "true or false", dt.date: "date", dt.datetime: "date-time",
             Any: "any"}
    if ann in words:
        return words[ann]
    raise TypeError(f"no words for the type {ann!r}; teach tms_sched.docgen._type")


def _plural(text: str) -> str:
    for word in ("table", "integer", "date"):
        if text.startswith(word):
            return word + "s" + text[len(word):]
    return text


def _field_type(field: Any) -> str:
    """The type with the bounds a value must keep (``integer, 1 to 7``)."""
    bounds = {type(m).__name__: m for m in field.metadata}
    if {"MinLen", "MaxLen"} <= set(bounds) and bounds["MinLen"].min_length == bounds["MaxLen"].max_length == 2:
        return "[min, max] (two integers)"
    text = _type(field.annotation)
    low = bounds["Ge"].ge if "Ge" in bounds else (bounds["Gt"].gt + 1 if "Gt" in bounds else None)
    high = bounds["Le"].le if "Le" in bounds else None
    if text == "integer" and low is not None:
        text += f", {low} to {high}" if high is not None else f", at least {low}"
    if "MinLen" in bounds and bounds["MinLen"].min_length == 1:
        text += ", not empty"
    return text


def _default(field: Any) -> str:
    if field.is_required():
        return "required"
    value = field.default
    if value is PydanticUndefined or value is None:
        return "absent"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, (list, dict)) and not value:
        return "`[]`" if isinstance(value, list) else "`{}`"
    return f"`{value}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def model_table(model: type[BaseModel], skip: tuple[str, ...] = ()) -> list[str]:
    rows = ["| key | type | default | description |", "| --- | --- | --- | --- |"]
    for name, field in model.model_fields.items():
        if name in skip:
            continue
        if not field.description:
            raise ValueError(f"{model.__name__}.{name} has no description; add description= to its Field")
        rows.append(f"| `{field.alias or name}` | {_cell(_field_type(field))} | {_default(field)} | {_cell(field.description)} |")
    return rows


CLINIC_SECTIONS = (
    Section("Top level of a clinic file", ClinicFile,
            "A clinic file holds these tables. `config.example.toml` at the project root is a complete one."),
    Section("`[clinic]`", ClinicInfo, ""),
    Section("`clinic.holidays`", HolidayRule,
            "Public holidays come from python-holidays; `tms-sched closures CLINIC` lists the days they close, "
            "with their names. A keep_open name matches a holiday and its observed day."),
    Section("`clinic.closed` and `staff.away` entries", ClosedPeriod,
            "Each entry is a bare date (`2026-12-24`) or a table with `date`, or `start` and `end`, and a "
            "`reason`. `start` and `end` are dates (whole days, both included: "
            "`{ start = 2027-01-04, end = 2027-01-08 }`) or local date-times for part of a day "
            "(`{ start = 2027-01-12T13:00:00, end = 2027-01-12T18:00:00 }`)."),
    Section("`[[chairs]]`", Chair, ""),
    Section("`chairs.down` entries", Downtime, ""),
    Section("`[[staff]]`", StaffMember,
            "A role is the clinic's own word in lower case: `technician`, `physician` and `clinician` as "
            "before, or `nurse`, `psychologist`, ... A protocol's `first_session_staff` (and the supervision "
            "and monitoring roles) may name any of them; naming a role nobody on the staff has is an error "
            "at its line. Assessments still go to a named physician or clinician."),
    Section("`[[blocks]]`", Block,
            "Weekly recurring closures: a staff meeting (`staff`), coil maintenance (`chairs`), or the whole "
            "clinic (neither). The planner books nothing in them and `check` reports what lies in them "
            "(TMS003 for the clinic, TMS005 for a chair, TMS006/TMS007 for staff). Example: "
            '`{ weekdays = ["tue"], hours = "12:00-13:00", staff = ["tech-ana", "dr-kim"], reason = "team meeting" }`.'),
    Section("`[protocols.ID]`", Protocol,
            "The six built-in protocols (`tms-sched protocols`, docs/protocols.md) use this schema too. A table "
            "with a built-in's id overrides that protocol key by key: give only the keys to change. A new id "
            "defines a protocol of the clinic's own, and then `label`, `capability`, `session_minutes` and "
            "`phases` are required.",
            skip=("id",)),
    Section('Phase `kind = "daily"`', DailyPhase, "Sessions on treatment days."),
    Section('Phase `kind = "weekly"`', WeeklyPhase, "Taper weeks: the i-th calendar week gets `per_week[i]` "
            "sessions, on different days."),
    Section('Phase `kind = "interval"`', IntervalPhase, "Sessions a number of days apart (boosters, infusions)."),
    Section("`assessments` entries", Assessment, ""),
)

ROSTER_SECTIONS = (
    Section("`[[patients]]`", Patient,
            "In a roster file, or inline in the clinic file. Nothing else may stand at the top of a roster."),
)

SCHEDULE_SECTIONS = (
    Section("Top level of a schedule", Schedule, "`tms-sched plan` writes this file; `check`, `show`, `export` and `mark` "
            "read it. JSON carries the same keys; a CSV export holds the appointments only and is not read "
            "back."),
    Section("`[schedule]`", ScheduleInfo, ""),
    Section("`[[patients]]` of a schedule", ScheduledPatient, "A patient's course as booked."),
    Section("`appointments` entries", Appointment, "One inline table per line, so a change to a booking is a "
            "one-line diff."),
    Section("`moved_from` entries", EarlierStart, "An appointment's earlier starts, oldest first, written when it "
            "moves (`tms-sched move`, a replan), e.g. `moved_from = [{ start = 2027-03-05T09:00:00-05:00, "
            "booked = 1, moved = 2 }]`: it stood there from revision 1 until revision 2 moved it. `show --view "
            "calls --since-revision N` reads from them the time the patient knew at revision N. A schedule written "
            "before this key has `previous_start` alone; since when that start held is not known (0)."),
    Section("`[[closures]]`", Closure, "Closures recorded after planning (`tms-sched mark --closed`, "
            "`--chair-down`)."),
    Section("`[[unplaced]]`", Unplaced, ""),
)

ALL_SECTIONS = CLINIC_SECTIONS + ROSTER_SECTIONS + SCHEDULE_SECTIONS


def _csv_table() -> list[str]:
    """The CSV columns: the patient keys, in cells as plain text (no quotes)."""
    rows = ["| column | cell | default | description |", "| --- | --- | --- | --- |"]
    fields = Patient.model_fields
    for column in CSV_COLUMNS:
        if column in WEEKDAYS[1:]:
            continue  # one row for the seven weekday columns
        if column == WEEKDAYS[0]:
            rows.append(f"| `{'`, `'.join(WEEKDAYS)}` | windows separated by spaces, e.g. `07:30-09:00 16:00-18:00` "
                        "| empty | Availability on that weekday. A row whose weekday cells are all empty is available "
                        "in opening hours; otherwise an empty weekday is unavailable. |")
            continue
        field = fields[column]
        if column == "unavailable":
            cell = "dates separated by `;`, e.g. `2026-12-28;2026-12-29`"
        else:
            cell = _field_type(field).replace('"', "")
        if field.is_required():
            default = "required"
        else:
            default = "empty" if field.default in (None, [], "") else f"`{field.default}`"
        rows.append(f"| `{column}` | {_cell(cell)} | {default} | {_cell(field.description or '')} |")
    return rows


def _sections(sections: tuple[Section, ...]) -> list[str]:
    out: list[str] = []
    for section in sections:
        out += ["", f"### {section.heading}", ""]
        if section.intro:
            out += [section.intro, ""]
        out += model_table(section.model, section.skip)
    return out


def render() -> str:
    lines = [
        "# Configuration reference",
        "",
        "<!-- Generated by `python -m tms_sched.docgen --write` from the models in tms_sched/model/;",
        "     do not edit by hand. A test fails when this file and the models disagree. -->",
        "",
        "tms-sched reads three kinds of file: a **clinic** file, **rosters** of waiting patients",
        "(TOML or CSV, or inline in the clinic file) and **schedules**. TOML files are read as",
        "TOML 1.1. Unknown keys are errors, reported with file and line, so that a typo never",
        "drops a rule silently. `tms-sched schema clinic|roster|schedule` prints the same",
        "structure as JSON Schema for editors.",
        "",
        "Conventions:",
        "",
        '- A time window is a string `"HH:MM-HH:MM"` of local wall-clock time in the clinic\'s',
        "  time zone; a list of them gives several windows a day. Windows must not overlap and",
        "  must lie on the clinic's `slot_minutes` grid.",
        "- Weekdays are `mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun`. A weekday left out of",
        "  an hours or availability table is closed or unavailable.",
        "- Dates are TOML dates without quotes (`2026-12-01`); a local date-time is",
        "  `2026-12-10T12:00:00`. In quotes they are text, and rejected.",
        "- *absent* means the key may be left out and has no value of its own.",
        "",
        "## Clinic file",
    ]
    lines += _sections(CLINIC_SECTIONS)
    lines += ["", "## Roster file (TOML)"]
    lines += _sections(ROSTER_SECTIONS)
    lines += [
        "",
        "## Roster file (CSV)",
        "",
        "The first line names the columns; `id` and `protocol` are required, the others may",
        "be left out or left empty. Each row is one patient, and errors name its line.",
        "",
    ]
    lines += _csv_table()
    lines += ["", "## Schedule file"]
    lines += _sections(SCHEDULE_SECTIONS)
    return "\n".join(lines) + "\n"


def schema_texts() -> dict[str, str]:
    """File name in schemas/ -> its text: exactly what `tms-sched schema KIND` prints."""
    return {f"{kind}.schema.json": json.dumps(json_schema(kind), indent=2, sort_keys=False) + "\n"
            for kind in KINDS}


def generated() -> dict[Path, str]:
    """Every generated file, by path, with the text it should hold."""
    return {DOC_PATH: render(), **{SCHEMA_DIR / name: text for name, text in schema_texts().items()}}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    files = generated()
    if "--write" in args:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}", file=sys.stderr)
        return 0
    if "--check" in args:
        stale = [path for path, text in files.items()
                 if (path.read_text(encoding="utf-8") if path.exists() else "") != text]
        for path in stale:
            print(f"{path} is out of date; run: python -m tms_sched.docgen --write", file=sys.stderr)
        return 1 if stale else 0
    sys.stdout.write(files[DOC_PATH])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
