"""Clinic file -> Clinic model (plus any inline roster), with every error at its line."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import holidays as holidays_lib
from pydantic import ValidationError

from ..errors import InputError, Problem
from ..model.base import minutes_to_hhmm
from ..model.clinic import Clinic, ClinicFile
from ..model.patient import Patient
from ..model.protocol import Protocol
from ..protocols import builtin_raw, merged_raw
from .common import parse_toml, read_text
from .tomlpos import PositionIndex, format_path
from .validation import problems_from, suggest


@dataclass
class Roster:
    """Patients with the file and line each came from."""

    patients: list[Patient] = field(default_factory=list)
    origins: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    def extend(self, other: Roster) -> None:
        self.patients.extend(other.patients)
        self.origins.update(other.origins)
        self.warnings.extend(other.warnings)


def off_grid(windows: tuple[tuple[int, int], ...], slot: int) -> str | None:
    for start, end in windows:
        for m in (start, end):
            if m % slot:
                return minutes_to_hhmm(m)
    return None


@lru_cache(maxsize=None)
def holiday_names(country: str, subdiv: str | None) -> frozenset[str]:
    years = range(dt.date.today().year - 1, dt.date.today().year + 3)
    table = holidays_lib.country_holidays(country, subdiv=subdiv, years=years)
    names: set[str] = set()
    for name in table.values():
        for part in name.split(";"):
            names.add(part.strip().removesuffix(" (observed)").removesuffix(" (Observed)"))
    return frozenset(names)


def _country_by_name(text: str) -> str:
    """``"; did you mean 'DE'?"`` for ``Germany``: people write the name, the library wants the code."""
    countries = getattr(getattr(holidays_lib, "registry", None), "COUNTRIES", {})
    wanted = "".join(ch for ch in text.casefold() if ch.isalnum())
    for module, (class_name, code, *_rest) in sorted(countries.items()):
        if wanted in ("".join(ch for ch in module if ch.isalnum()), class_name.casefold()):
            return f"; did you mean '{code}'?"
    return ""


def _check_holidays(cf: ClinicFile, name: str, index: PositionIndex) -> list[Problem]:
    rule = cf.clinic.holidays
    if rule is None:
        return []
    out: list[Problem] = []
    supported = holidays_lib.list_supported_countries()
    path = ("clinic", "holidays")
    if rule.country not in supported:
        hint = (_country_by_name(rule.country) or suggest(rule.country, supported)
                or "; use an ISO 3166 code such as 'US', 'GB' or 'DE'")
        out.append(Problem(name, index.line(path + ("country",)), path=format_path(path + ("country",)),
                           message=f"unknown holiday country '{rule.country}'{hint}"))
        return out
    subdivs = supported[rule.country]
    if rule.subdiv is not None and rule.subdiv not in subdivs:
        hint = suggest(rule.subdiv, subdivs)
        if not hint:
            hint = (f"; {rule.country} has no subdivisions, leave subdiv out" if not subdivs
                    else f"; the subdivisions of {rule.country} are {', '.join(sorted(subdivs))}")
        out.append(Problem(name, index.line(path + ("subdiv",)), path=format_path(path + ("subdiv",)),
                           message=f"unknown subdivision '{rule.subdiv}' of {rule.country}{hint}"))
        return out
    known = holiday_names(rule.country, rule.subdiv)
    region = rule.country + (f"-{rule.subdiv}" if rule.subdiv else "")
    for i, item in enumerate(rule.keep_open):
        p = path + ("keep_open", i)
        if isinstance(item, str) and item not in known:
            hint = suggest(item, known) or "; `tms-sched closures` lists the holidays by name"
            out.append(Problem(name, index.line(p), path=format_path(p),
                               message=f"'{item}' is not a holiday of {region}{hint}"))
        elif isinstance(item, dt.date):
            table = holidays_lib.country_holidays(rule.country, subdiv=rule.subdiv, years=item.year)
            if item not in table:
                out.append(Problem(name, index.line(p), path=format_path(p),
                                   message=f"{item} is not a public holiday of {region}; "
                                   "keep_open lists holidays the clinic works on"))
    return out


def _check_clinic(cf: ClinicFile, name: str, index: PositionIndex) -> list[Problem]:
    out: list[Problem] = []
    slot = cf.clinic.slot_minutes

    def grid(path: tuple[Any, ...], windows: tuple[tuple[int, int], ...]) -> None:
        bad = off_grid(windows, slot)
        if bad:
            out.append(Problem(name, index.line(path), path=format_path(path),
                               message=f"{bad} is off the {slot}-minute slot grid; use a multiple of "
                               f"{slot} minutes (or change clinic.slot_minutes)"))

    for day, windows in cf.clinic.hours.items():
        grid(("clinic", "hours", day), windows)
    if not cf.clinic.hours:
        out.append(Problem(name, index.line(("clinic", "hours")), path="clinic.hours",
                           message="no opening hours; give at least one weekday, e.g. mon = \"08:00-17:00\""))
    seen: dict[str, int] = {}
    for i, chair in enumerate(cf.chairs):
        if chair.id in seen:
            out.append(Problem(name, index.line(("chairs", i, "id")), path=f"chairs[{i}].id",
                               message=f"duplicate chair id '{chair.id}' (also chairs[{seen[chair.id]}]); ids must be unique"))
        seen.setdefault(chair.id, i)
        for j, down in enumerate(chair.down):
            for key, value in (("start", down.start), ("end", down.end)):
                if isinstance(value, dt.datetime) and (value.hour * 60 + value.minute) % slot:
                    p = ("chairs", i, "down", j)
                    out.append(Problem(name, index.line(p), path=format_path(p + (key,)),
                                       message=f"{value.time().isoformat('minutes')} is off the {slot}-minute slot grid"))
    seen_staff: dict[str, int] = {}
    for i, member in enumerate(cf.staff):
        if member.id in seen_staff:
            out.append(Problem(name, index.line(("staff", i, "id")), path=f"staff[{i}].id",
                               message=f"duplicate staff id '{member.id}' (also staff[{seen_staff[member.id]}]); ids must be unique"))
        seen_staff.setdefault(member.id, i)
        for day, windows in member.hours.items():
            grid(("staff", i, "hours", day), windows)
    out.extend(_check_holidays(cf, name, index))
    out.extend(_check_calendar(cf, name, index, seen, seen_staff))
    return out


def _check_calendar(cf: ClinicFile, name: str, index: PositionIndex, chairs: dict[str, int],
                    staff: dict[str, int]) -> list[Problem]:
    """Closures, time away and blocks: on the slot grid, naming chairs and staff that exist."""
    out: list[Problem] = []
    slot = cf.clinic.slot_minutes

    def on_grid(path: tuple[Any, ...], value: Any) -> None:
        if isinstance(value, dt.datetime) and (value.hour * 60 + value.minute) % slot:
            out.append(Problem(name, index.line(path), path=format_path(path),
                               message=f"{value.time().isoformat('minutes')} is off the {slot}-minute slot grid; "
                               f"use a multiple of {slot} minutes"))

    for i, entry in enumerate(cf.clinic.closed):
        if not isinstance(entry, dt.date):
            on_grid(("clinic", "closed", i, "start"), entry.start)
            on_grid(("clinic", "closed", i, "end"), entry.end)
    for i, member in enumerate(cf.staff):
        for j, entry in enumerate(member.away):
            if not isinstance(entry, dt.date):
                on_grid(("staff", i, "away", j, "start"), entry.start)
                on_grid(("staff", i, "away", j, "end"), entry.end)
    for i, block in enumerate(cf.blocks):
        bad = off_grid(block.hours, slot)
        if bad:
            path = ("blocks", i, "hours")
            out.append(Problem(name, index.line(path), path=format_path(path),
                               message=f"{bad} is off the {slot}-minute slot grid; use a multiple of {slot} minutes"))
        for key, known, what in (("chairs", chairs, "chair"), ("staff", staff, "staff member")):
            for j, item in enumerate(getattr(block, key) or ()):
                if item not in known:
                    path = ("blocks", i, key, j)
                    line = index.line(path) or index.line(("blocks", i, key))
                    out.append(Problem(name, line, path=format_path(path),
                                       message=f"no {what} '{item}' in the clinic file{suggest(item, list(known))}"
                                       f" (its {key}: {', '.join(known) or 'none'})"))
    return out


def _load_protocols(cf: ClinicFile, name: str, index: PositionIndex) -> tuple[dict[str, Protocol], list[Problem]]:
    problems: list[Problem] = []
    protocols: dict[str, Protocol] = {}
    builtins = builtin_raw()
    for pid, raw in merged_raw(cf.protocols).items():
        raw = dict(raw)
        if "id" in raw and raw["id"] != pid:
            p = ("protocols", pid, "id")
            problems.append(Problem(name, index.line(p), path=format_path(p),
                                    message=f"id '{raw['id']}' differs from the table name '{pid}'; drop the key"))
            continue
        raw["id"] = pid
        try:
            protocols[pid] = Protocol.model_validate(raw)
        except ValidationError as exc:
            if pid not in builtins or pid in cf.protocols:
                problems.extend(problems_from(exc, Protocol, name, index, prefix=("protocols", pid)))
    return protocols, problems


ROLE_KEYS = ("first_session_staff", "supervision", "monitor_role")
"""Protocol keys that name a staff role: the role must be one the clinic's staff has."""


def _check_roles(cf: ClinicFile, name: str, index: PositionIndex, protocols: dict[str, Protocol]) -> list[Problem]:
    """A role the clinic file names must be someone's role, or nobody could ever fill it.

    Only what the clinic file writes is judged: a built-in's default (a physician maps) on a
    clinic without physicians is the planner's to report, patient by patient."""
    roles = sorted({s.role for s in cf.staff})
    out: list[Problem] = []

    def judge(path: tuple[Any, ...], role: Any, needs_staff: bool) -> None:
        if not isinstance(role, str) or role in roles or (not cf.staff and not needs_staff):
            return
        if not cf.staff:
            message = (f"'{role}' is named here, but the clinic names no staff; add [[staff]] members "
                       f"with role = \"{role}\", or drop the key")
        else:
            message = (f"no staff member has role '{role}'{suggest(role, roles)} (the staff's roles: "
                       f"{', '.join(roles)}); add one with role = \"{role}\", or name one of these")
        out.append(Problem(name, index.line(path), path=format_path(path), message=message))

    clinic_keys = cf.clinic.model_dump()
    for key in ROLE_KEYS:
        if key in clinic_keys and clinic_keys[key] is not None:
            judge(("clinic", key), clinic_keys[key], needs_staff=True)
    for pid, raw in cf.protocols.items():
        if pid not in protocols:
            continue
        for key in ROLE_KEYS:
            if key in raw:
                judge(("protocols", pid, key), raw[key], needs_staff=key != "first_session_staff")
    return out


def load_clinic(path: str) -> tuple[Clinic, Roster]:
    """Read a clinic file; returns the clinic and its inline roster (maybe empty)."""
    text = read_text(path)
    data, index = parse_toml(text, path)
    try:
        cf = ClinicFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(sorted(problems_from(exc, ClinicFile, path, index), key=_order)) from None
    problems = _check_clinic(cf, path, index)
    protocols, protocol_problems = _load_protocols(cf, path, index)
    problems.extend(protocol_problems)
    problems.extend(_check_roles(cf, path, index, protocols))
    if problems:
        raise InputError(sorted(problems, key=_order))
    clinic = Clinic(
        info=cf.clinic,
        chairs=cf.chairs,
        staff=cf.staff,
        protocols=protocols,
        own_protocols=frozenset(cf.protocols),
        blocks=cf.blocks,
    )
    from .roster import validate_patients

    roster = validate_patients(cf.patients, clinic, path, index, Roster())
    return clinic, roster


def _order(p: Problem) -> tuple[int, str]:
    return (p.line if p.line is not None else 0, p.path)
