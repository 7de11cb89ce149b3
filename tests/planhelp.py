"""Helpers for the planner and replanning tests: write clinic and roster files, plan,
check, and a small rule checker of the tests' own.

The rule checker here reads the clinic model and python-holidays directly; it shares
no code with the planner (tms_sched.plan) nor with the calendar module the planner and
``tms-sched check`` both use, so a mistake there cannot hide from it.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import holidays as holidays_lib
from click.testing import CliRunner, Result
from hypothesis import strategies as st

from tms_sched.check import check_schedule
from tms_sched.cli import main
from tms_sched.io import load_setup
from tms_sched.io.clinic import Roster
from tms_sched.io.schedule import load_schedule
from tms_sched.model.clinic import Clinic, ClosedPeriod
from tms_sched.model.patient import Patient
from tms_sched.model.protocol import DailyPhase, IntervalPhase, Protocol, WeeklyPhase
from tms_sched.model.schedule import Appointment, Schedule

FIXTURES = Path(__file__).parent / "fixtures"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ONE_DAY = dt.timedelta(days=1)


# -- writing TOML -----------------------------------------------------------------

def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {value!r}")


def toml_text(data: dict[str, Any]) -> str:
    """TOML for a clinic or roster: top-level tables, arrays of tables, inline values."""
    lines: list[str] = []

    def table(name: str, body: dict[str, Any]) -> None:
        scalars = {k: v for k, v in body.items() if not (isinstance(v, dict) and k in ("hours", "protocols"))}
        lines.append(f"[{name}]")
        for k, v in scalars.items():
            lines.append(f"{k} = {toml_value(v)}")
        lines.append("")
        for k, v in body.items():
            if k not in scalars:
                table(f"{name}.{k}", v)

    for key, value in data.items():
        if key == "protocols":
            for pid, body in value.items():
                table(f"protocols.{pid}", body)
        elif isinstance(value, dict):
            table(key, value)
        elif isinstance(value, list):
            for item in value:
                lines.append(f"[[{key}]]")
                for k, v in item.items():
                    lines.append(f"{k} = {toml_value(v)}")
                lines.append("")
        else:
            raise TypeError(f"top-level {key} must be a table or an array of tables")
    return "\n".join(lines)


def write_setup(folder: Path, clinic: dict[str, Any], patients: Sequence[dict[str, Any]],
                roster_name: str = "roster.toml") -> tuple[Path, Path]:
    clinic_path = folder / "clinic.toml"
    roster_path = folder / roster_name
    clinic_path.write_text(toml_text(clinic), encoding="utf-8")
    roster_path.write_text(toml_text({"patients": list(patients)}), encoding="utf-8")
    return clinic_path, roster_path


def load(clinic_path: Path, *rosters: Path) -> tuple[Clinic, Roster]:
    return load_setup(str(clinic_path), [str(r) for r in rosters])


def load_written(clinic: dict[str, Any], patients: Sequence[dict[str, Any]]) -> tuple[Clinic, Roster]:
    """A clinic and roster given as data, written as real files and read back as the CLI reads them."""
    with tempfile.TemporaryDirectory() as tmp:
        return load(*write_setup(Path(tmp), clinic, patients))


def plan_clean(clinic_data: dict[str, Any], patients_data: Sequence[dict[str, Any]], today: dt.date,
               own_rules: bool = False) -> Schedule:
    """Plan a generated clinic and roster; the plan passes ``tms-sched check`` and the tests'
    own course checker (with ``own_rules``, its rule checker too), books or lists as
    unplaced every patient exactly once, and gives no two appointments one id."""
    from tms_sched.plan.planner import plan_schedule

    clinic, roster = load_written(clinic_data, patients_data)
    schedule = plan_schedule(clinic, roster.patients, today).schedule
    assert errors(clinic, schedule, roster) == []
    if own_rules:
        assert rule_violations(clinic, schedule, roster.patients, today) == []
    assert course_violations(clinic, schedule, roster.patients, today) == []
    booked = [p.id for p in schedule.patients] + [u.id for u in schedule.unplaced]
    assert sorted(booked) == sorted(p.id for p in roster.patients)
    ids = [a.id for _, a in schedule.appointments()]
    assert len(ids) == len(set(ids))
    return schedule


def errors(clinic: Clinic, schedule: Schedule, roster: Roster | None) -> list[str]:
    """The error findings of ``tms-sched check`` on the schedule, as text."""
    report = check_schedule(clinic, schedule, "schedule.toml", None, roster)
    return [f"{f.code} {f.patient} {f.appointment}: {f.message}" for f in report.findings if f.severity == "error"]


# -- the command line, as a coordinator runs it ------------------------------------

def tms(*args: str | Path, code: int | None = 0) -> Result:
    """Run a tms-sched command; ``code`` is the exit code it must end with (None: any)."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    if code is not None:
        assert result.exit_code == code, result.output
    return result


def read_schedule(path: Path) -> Schedule:
    """The schedule file as the planner loads it."""
    return load_schedule(str(path))[0]


def clinic_with_chair_b_down(folder: Path) -> Path:
    """The replan fixture clinic with chair B down from 2027-04-07 to 04-09, written to ``folder``."""
    clinic = folder / "clinic.toml"
    clinic.write_text((FIXTURES / "replan" / "clinic.toml").read_text(encoding="utf-8").replace(
        'id = "B"\ncapabilities = ["10hz", "itbs"]\n',
        'id = "B"\ncapabilities = ["10hz", "itbs"]\ndown = [{ start = 2027-04-07, end = 2027-04-09 }]\n'),
        encoding="utf-8")
    return clinic


def first_plan(tmp_path: Path, clinic: Path, today: str, *rosters: Path) -> Path:
    out = tmp_path / "schedule.toml"
    tms("plan", clinic, *(x for r in rosters for x in ("--roster", r)), "-o", out, "--today", today)
    return out


def replan_cli(clinic: Path, schedule: Path, today: str, *args: str | Path, rosters: tuple[Path, ...] = (),
               code: int | None = None) -> Result:
    """``tms-sched plan CLINIC --schedule SCHEDULE --diff``: replans in place."""
    return tms("plan", clinic, *(x for r in rosters for x in ("--roster", r)), "--schedule", schedule,
               "--today", today, "--diff", *args, code=code)


def diff(result: Result) -> list[str]:
    """The lines of ``--diff``: + new, > moved, ~ status changed, ! listed unplaced or no longer."""
    return [line for line in result.stdout.splitlines() if line[:2] in ("+ ", "> ", "~ ", "! ")]


def cli_errors(clinic: Path, schedule: Path, *rosters: Path) -> list[tuple[str, str]]:
    """(code, patient) of every error `tms-sched check` finds (a course listed unplaced is on
    hold: check itself leaves its shape alone)."""
    result = tms("check", clinic, schedule, *(x for r in rosters for x in ("--roster", r)), "--format", "json",
                 code=None)
    data = json.loads(result.stdout)
    return sorted({(f["code"], f["patient"]) for f in data["findings"] if f["severity"] == "error"})


# -- the tests' own rule checker ---------------------------------------------------

class Wall:
    """An appointment in the clinic's wall-clock time."""

    def __init__(self, patient: str, appt: Appointment, zone: zoneinfo.ZoneInfo) -> None:
        local = appt.start.astimezone(zone)
        self.patient = patient
        self.appt = appt
        self.day = local.date()
        self.start = local.hour * 60 + local.minute
        self.end = self.start + appt.minutes
        self.naive = local.replace(tzinfo=None)
        self.naive_end = self.naive + dt.timedelta(minutes=appt.minutes)
        self.offset_ok = appt.start.utcoffset() == local.utcoffset()

    def __repr__(self) -> str:
        return f"{self.patient}/{self.appt.id}@{self.naive:%Y-%m-%d %H:%M}"


def _inside(windows: Iterable[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in windows)


def _overlap(a0, a1, b0, b1) -> bool:
    return a0 < b1 and b0 < a1


def _closed_dates(clinic: Clinic) -> set[dt.date]:
    out: set[dt.date] = set()
    for c in clinic.info.closed:
        period = c if isinstance(c, ClosedPeriod) else ClosedPeriod(date=c)
        day = period.date or period.start
        last = period.date or period.end
        while day <= last:
            out.add(day)
            day += ONE_DAY
    return out


def holiday_closed(clinic: Clinic, day: dt.date) -> bool:
    rule = clinic.info.holidays
    if rule is None:
        return False
    name = holidays_lib.country_holidays(rule.country, subdiv=rule.subdiv, years=day.year).get(day)
    if name is None:
        return False
    keep = rule.keep_open
    if day in keep:
        return False
    names = [part.strip().replace(" (observed)", "").replace(" (Observed)", "") for part in name.split(";")]
    return any(n not in keep for n in names)


def rule_violations(clinic: Clinic, schedule: Schedule, patients: Sequence[Patient], today: dt.date,
                    *, judge_history: bool = False) -> list[str]:
    """Every broken hard rule the tests can see without the product's own code.

    Planned appointments are judged on every rule; done, missed and cancelled ones
    (history) only occupy chairs, staff and patients when live.
    """
    zone = zoneinfo.ZoneInfo(clinic.info.timezone)
    roster = {p.id: p for p in patients}
    out: list[str] = []
    walls: list[Wall] = []
    for sp in schedule.patients:
        for a in sp.appointments:
            walls.append(Wall(sp.id, a, zone))
    live = [w for w in walls if w.appt.status in ("planned", "done")]
    judged = [w for w in live if w.appt.status == "planned" or judge_history]
    closed = _closed_dates(clinic)
    ids = [w.appt.id for w in walls]
    if len(ids) != len(set(ids)):
        out.append(f"duplicate appointment ids: {sorted(i for i in set(ids) if ids.count(i) > 1)}")

    # Occupancy: chairs, patients, named staff never twice at once.
    def clashes(key, items, what):
        groups: dict[Any, list[Wall]] = defaultdict(list)
        for w in items:
            k = key(w)
            if k is not None:
                groups[(k, w.day)].append(w)
        for (k, _), group in groups.items():
            group.sort(key=lambda w: w.naive)
            for i, a in enumerate(group):
                for b in group[i + 1:]:
                    if b.naive >= a.naive_end:
                        break
                    out.append(f"{what} {k} double-booked: {a} and {b}")

    clashes(lambda w: w.appt.chair, live, "chair")
    clashes(lambda w: w.patient, live, "patient")
    clashes(lambda w: w.appt.staff, live, "staff")

    for w in judged:
        a = w.appt
        if not w.offset_ok:
            out.append(f"{w}: offset {a.start.utcoffset()} is not the zone's")
        if w.day < today:
            out.append(f"{w}: planned before today {today}")
        weekday = WEEKDAYS[w.day.weekday()]
        hours = clinic.info.hours.get(weekday, ())
        if not _inside(hours, w.start, w.end):
            out.append(f"{w}: outside opening hours {hours}")
        if w.day in closed:
            out.append(f"{w}: on a closed date")
        if holiday_closed(clinic, w.day):
            out.append(f"{w}: on a public holiday")
        for c in schedule.closures:
            if c.chair is None and _overlap(w.naive, w.naive_end, c.start_local(), c.end_local()):
                out.append(f"{w}: in a recorded closure {c.reason!r}")
        p = roster.get(w.patient)
        if p is not None:
            avail = p.availability if p.availability is not None else clinic.info.hours
            if not _inside(avail.get(weekday, ()), w.start, w.end):
                out.append(f"{w}: outside the patient's availability")
            if w.day in p.unavailable:
                out.append(f"{w}: on a date the patient is unavailable")
            if a.kind != "assessment":
                if p.start_after and w.day < p.start_after:
                    out.append(f"{w}: before start_after {p.start_after}")
                if p.deadline and w.day > p.deadline:
                    out.append(f"{w}: after the deadline {p.deadline}")
        if a.kind != "assessment":
            chair = clinic.chair(a.chair or "")
            sp = schedule.patient(w.patient)
            protocol = clinic.protocols.get(sp.protocol) if sp else None
            if chair is None:
                out.append(f"{w}: unknown chair {a.chair}")
            else:
                if protocol and protocol.capability not in chair.capabilities:
                    out.append(f"{w}: chair {chair.id} lacks {protocol.capability}")
                for d in chair.down:
                    if _overlap(w.naive, w.naive_end, d.start_local(), d.end_local()):
                        out.append(f"{w}: chair {chair.id} is down")
                for c in schedule.closures:
                    if c.chair == chair.id and _overlap(w.naive, w.naive_end, c.start_local(), c.end_local()):
                        out.append(f"{w}: chair {chair.id} is down (recorded)")
        elif a.chair is not None:
            out.append(f"{w}: an assessment on a chair")
    out += _staff_violations(clinic, live, judged)
    return out


def _on_shift(clinic: Clinic, staff_id: str, w: Wall) -> bool:
    member = clinic.staff_member(staff_id)
    if member is None or w.day in member.away:
        return False
    return _inside(member.hours.get(WEEKDAYS[w.day.weekday()], ()), w.start, w.end)


def _staff_violations(clinic: Clinic, live: list[Wall], judged: list[Wall]) -> list[str]:
    if not clinic.staff:
        return []
    out: list[str] = []
    for w in judged:
        a = w.appt
        if a.kind in ("mapping", "assessment"):
            if not a.staff:
                out.append(f"{w}: {a.kind} without a named staff member")
                continue
            member = clinic.staff_member(a.staff)
            if member is None:
                out.append(f"{w}: unknown staff {a.staff}")
                continue
            if not _on_shift(clinic, a.staff, w):
                out.append(f"{w}: {a.staff} is not on shift")
    # Head-count: at every minute, appointments under way <= staff on shift.
    by_day: dict[dt.date, list[Wall]] = defaultdict(list)
    for w in live:
        by_day[w.day].append(w)
    judged_ids = {id(w) for w in judged}
    for day, group in by_day.items():
        if not any(id(w) in judged_ids for w in group):
            continue
        weekday = WEEKDAYS[day.weekday()]
        points = sorted({w.start for w in group})
        for m in points:
            under_way = [w for w in group if w.start <= m < w.end]
            shift = sum(1 for s in clinic.staff if day not in s.away
                        and _inside(s.hours.get(weekday, ()), m, m + 1))
            if len(under_way) > shift and any(id(w) in judged_ids for w in under_way):
                out.append(f"{day} {m // 60:02d}:{m % 60:02d}: {len(under_way)} under way, {shift} staff on shift "
                           f"({under_way})")
    return out


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def course_violations(clinic: Clinic, schedule: Schedule, patients: Sequence[Patient], today: dt.date) -> list[str]:
    """Course shape of a fresh plan (no history): numbers, counts, gaps, spans, assessments."""
    zone = zoneinfo.ZoneInfo(clinic.info.timezone)
    roster = {p.id: p for p in patients}
    out: list[str] = []
    for sp in schedule.patients:
        protocol = clinic.protocols[sp.protocol]
        walls = sorted((Wall(sp.id, a, zone) for a in sp.appointments), key=lambda w: w.naive)
        sessions = [w for w in walls if w.appt.kind != "assessment"]
        out += [f"{sp.id}: {m}" for m in _course_shape(protocol, sessions)]
        if sessions:
            first = sessions[0]
            if first.appt.kind != "mapping" or first.appt.session != 1:
                out.append(f"{sp.id}: the first session {first} is not the mapping, session 1")
            if first.appt.minutes != protocol.first_minutes:
                out.append(f"{sp.id}: mapping lasts {first.appt.minutes} min, not {protocol.first_minutes}")
            if clinic.staff:
                member = clinic.staff_member(first.appt.staff or "")
                if member is None or member.role != protocol.first_session_staff:
                    out.append(f"{sp.id}: mapping staff {first.appt.staff} is not a {protocol.first_session_staff}")
            horizon = today + dt.timedelta(weeks=clinic.info.horizon_weeks)
            if first.day > horizon:
                out.append(f"{sp.id}: first session {first.day} beyond the horizon {horizon}")
            prev, last_mapping = first, first
            for w in sessions[1:]:
                gap, since = (w.day - prev.day).days, (w.day - last_mapping.day).days
                remap = ((protocol.remap_after_days is not None and gap > protocol.remap_after_days)
                         or (protocol.remap_every_days is not None and since >= protocol.remap_every_days))
                if remap:
                    if w.appt.kind != "mapping" or w.appt.minutes != protocol.first_minutes:
                        out.append(f"{sp.id}: {w} should be a {protocol.first_minutes}-minute re-mapping "
                                   f"({gap} days after the last session, {since} after the last mapping)")
                    elif clinic.staff:
                        member = clinic.staff_member(w.appt.staff or "")
                        if member is None or member.role != protocol.first_session_staff:
                            out.append(f"{sp.id}: re-mapping staff {w.appt.staff} is not a "
                                       f"{protocol.first_session_staff}")
                    last_mapping = w
                elif w.appt.kind != "treatment" or w.appt.minutes != protocol.session_minutes:
                    out.append(f"{sp.id}: {w} should be a {protocol.session_minutes}-minute treatment")
                prev = w
            out += [f"{sp.id}: {m}" for m in _assessment_shape(protocol, walls, sessions, clinic)]
        p = roster.get(sp.id)
        if p is not None and p.protocol != sp.protocol:
            out.append(f"{sp.id}: booked as {sp.protocol}, the roster says {p.protocol}")
    return out


def _course_shape(protocol: Protocol, sessions: list[Wall]) -> list[str]:
    out: list[str] = []
    numbers = [w.appt.session for w in sessions]
    total = protocol.total_sessions
    if numbers != list(range(1, total + 1)):
        out.append(f"session numbers in time order are {numbers}, not 1..{total}")
        return out
    days = [w.day for w in sessions]
    if protocol.max_span_days is not None and (days[-1] - days[0]).days > protocol.max_span_days:
        out.append(f"span {(days[-1] - days[0]).days} days > {protocol.max_span_days}")
    if protocol.max_gap_days is not None:
        for a, b in zip(days, days[1:]):
            if (b - a).days > protocol.max_gap_days:
                out.append(f"gap {a} -> {b} over {protocol.max_gap_days} days")
    at = 0
    previous: list[Wall] = []
    for phase in protocol.phases:
        members = sessions[at:at + phase.sessions]
        at += phase.sessions
        per_day: dict[dt.date, list[Wall]] = defaultdict(list)
        for w in members:
            per_day[w.day].append(w)
        if isinstance(phase, DailyPhase):
            for day, group in per_day.items():
                if len(group) > phase.per_day:
                    out.append(f"{len(group)} sessions on {day}, at most {phase.per_day}")
                if phase.consecutive and len(group) != phase.per_day:
                    out.append(f"{len(group)} sessions on {day}, an accelerated day has {phase.per_day}")
                for x, y in zip(group, group[1:]):
                    if (y.naive - x.naive_end).total_seconds() / 60 < phase.min_gap_minutes:
                        out.append(f"{x} and {y}: gap under {phase.min_gap_minutes} min")
            week_days: dict[dt.date, set[dt.date]] = defaultdict(set)
            for day in per_day:
                week_days[monday(day)].add(day)
            for week, ds in week_days.items():
                if len(ds) > phase.days_per_week:
                    out.append(f"{len(ds)} session days in the week of {week}, at most {phase.days_per_week}")
            if phase.consecutive:
                ordered = sorted(per_day)
                if any((b - a).days != 1 for a, b in zip(ordered, ordered[1:])):
                    out.append(f"accelerated days not consecutive: {ordered}")
        elif isinstance(phase, WeeklyPhase):
            # As the first phase, its first week is the mapping's (which counts toward it).
            week0 = monday(previous[-1].day) + dt.timedelta(days=7) if previous else monday(members[0].day)
            for i, count in enumerate(phase.per_week):
                week = week0 + dt.timedelta(days=7 * i)
                in_week = [w for w in members if monday(w.day) == week]
                if len(in_week) != count or len({w.day for w in in_week}) != count:
                    out.append(f"taper week {week}: {[w.day for w in in_week]}, wants {count} on different days")
                days = sorted(w.day for w in in_week)
                if any((b - a).days < phase.min_days_apart for a, b in zip(days, days[1:])):
                    out.append(f"week {week}: {days}, wants them {phase.min_days_apart} days apart")
        elif isinstance(phase, IntervalPhase):
            lo, hi = phase.every_days
            chain = ([previous[-1]] if previous else []) + members
            for x, y in zip(chain, chain[1:]):
                if not lo <= (y.day - x.day).days <= hi:
                    out.append(f"{x} -> {y}: {(y.day - x.day).days} days, wants {lo}..{hi}")
        previous = members
    return out


def _assessment_shape(protocol: Protocol, walls: list[Wall], sessions: list[Wall], clinic: Clinic) -> list[str]:
    out: list[str] = []
    first, last = sessions[0], sessions[-1]
    by_number = {w.appt.session: w for w in sessions}
    for a in protocol.assessments:
        got = [w for w in walls if w.appt.kind == "assessment" and w.appt.name == a.name]
        if a.anchor == "first":
            anchors = [first]
        elif a.anchor == "last":
            anchors = [last]
        elif a.session is not None:
            anchors = [by_number[a.session]]
        else:
            anchors = [by_number[n] for n in range(a.every_sessions, protocol.total_sessions, a.every_sessions)]
        if len(got) != len(anchors):
            out.append(f"{len(got)} {a.name} assessments, wants {len(anchors)}")
            continue
        for w, anchor in zip(got, sorted(anchors, key=lambda x: x.naive)):
            lo, hi = a.window_days
            if not lo <= (w.day - anchor.day).days <= hi:
                out.append(f"{a.name} on {w.day}, outside {lo}..{hi} days of {anchor.day}")
            if a.anchor != "first" and w.day == anchor.day and w.naive < anchor.naive_end:
                out.append(f"{a.name} on the day of {anchor} before it ends")
            if a.anchor == "first" and w.day == anchor.day and w.naive_end > anchor.naive:
                out.append(f"{a.name} on the first session's day, not before it")
            if clinic.staff:
                member = clinic.staff_member(w.appt.staff or "")
                if member is None or member.role not in ("physician", "clinician"):
                    out.append(f"{a.name} with {w.appt.staff}, not a physician or clinician")
            if w.appt.minutes != a.minutes:
                out.append(f"{a.name} lasts {w.appt.minutes} min, not {a.minutes}")
    return out


def first_session_day(schedule: Schedule, patient_id: str, zone: zoneinfo.ZoneInfo) -> dt.date | None:
    sp = schedule.patient(patient_id)
    if sp is None:
        return None
    days = [a.start.astimezone(zone).date() for a in sp.appointments if a.kind != "assessment"]
    return min(days) if days else None


# -- random clinics and rosters (hypothesis strategies) ------------------------------

ZONES = ("America/New_York", "Europe/Berlin", "Australia/Sydney", "America/Los_Angeles", "UTC")
# Days near clock changes (US: Mar 8 / Nov 1 2026; EU: Mar 29 / Oct 25 2026; Sydney: Apr 5 / Oct 4
# 2026), Christmas, New Year and an ordinary spring week.
TODAYS = (dt.date(2026, 3, 2), dt.date(2026, 3, 23), dt.date(2026, 9, 28), dt.date(2026, 10, 19),
          dt.date(2026, 10, 26), dt.date(2026, 12, 14), dt.date(2026, 12, 21), dt.date(2027, 3, 1),
          dt.date(2027, 5, 3))
BUILTIN = ("standard-10hz", "standard-10hz-taper", "standard-itbs", "accelerated-5x5", "snt", "maintenance")
CAPABILITIES = ("10hz", "itbs", "neuronav", "infusion")
HOLIDAY_RULES = ({"country": "US"}, {"country": "US", "subdiv": "NY", "keep_open": ["Columbus Day"]},
                 {"country": "DE", "subdiv": "BE"}, {"country": "GB", "subdiv": "ENG"}, {"country": "AU",
                                                                                         "subdiv": "NSW"})
# A protocol of the clinic's own, like the IV ketamine example: spaced sessions only.
OWN_PROTOCOL = {
    "label": "Six infusions two to four days apart",
    "capability": "infusion",
    "session_minutes": 90,
    "first_session_minutes": 90,
    "first_session_label": "First infusion",
    "phases": [{"kind": "interval", "sessions": 6, "every_days": [2, 4]}],
    "assessments": [{"name": "baseline", "anchor": "first", "window_days": [-14, -1], "minutes": 30},
                    {"name": "follow-up", "anchor": "last", "window_days": [14, 28], "minutes": 30}],
}


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def day_hours(draw, slot: int) -> list[str]:
    """One weekday's opening hours: a morning start, an evening end, maybe a lunch break."""
    start = draw(st.sampled_from([360, 420, 450, 480, 540]))
    end = draw(st.sampled_from([900, 960, 1020, 1080, 1140]))
    lunch = draw(st.sampled_from([None, (720, 750), (720, 780)]))
    if lunch is None:
        return [f"{hhmm(start)}-{hhmm(end)}"]
    return [f"{hhmm(start)}-{hhmm(lunch[0])}", f"{hhmm(lunch[1])}-{hhmm(end)}"]


@st.composite
def windows(draw, slot: int, lo: int = 360, hi: int = 1140, least: int = 60) -> str:
    step = 30 if slot == 10 else 15  # on every slot grid
    start = draw(st.integers(lo // step, (hi - least) // step)) * step
    end = draw(st.integers((start + least + step - 1) // step, hi // step)) * step
    return f"{hhmm(start)}-{hhmm(end)}"


@st.composite
def clinics(draw) -> tuple[dict[str, Any], dt.date]:
    today = draw(st.sampled_from(TODAYS))
    slot = draw(st.sampled_from([5, 10, 15]))
    zone = draw(st.sampled_from(ZONES))
    days = draw(st.sampled_from([WEEKDAYS[:5], WEEKDAYS[:5], WEEKDAYS[:6], ("mon", "tue", "wed", "thu"),
                                 WEEKDAYS[:5]]))
    same = draw(st.booleans())
    hours: dict[str, Any] = {}
    first = draw(day_hours(slot))
    for d in days:
        hours[d] = first if same else draw(day_hours(slot))
    info: dict[str, Any] = {"name": "Random TMS Clinic", "timezone": zone, "slot_minutes": slot,
                            "horizon_weeks": draw(st.sampled_from([8, 12, 26]))}
    if draw(st.booleans()):
        info["holidays"] = draw(st.sampled_from(HOLIDAY_RULES))
    closed = draw(st.lists(st.integers(0, 50), max_size=2, unique=True))
    if closed:
        info["closed"] = [today + dt.timedelta(days=k) for k in sorted(closed)]
    info["hours"] = hours
    n_chairs = draw(st.integers(1, 4))
    chairs = []
    for i in range(n_chairs):
        if draw(st.integers(0, 2)) < 2:
            caps = list(CAPABILITIES)
        else:
            caps = draw(st.lists(st.sampled_from(CAPABILITIES), min_size=1, max_size=3, unique=True))
        chair: dict[str, Any] = {"id": "ABCD"[i], "capabilities": sorted(caps)}
        if draw(st.integers(0, 3)) == 3:
            d0 = today + dt.timedelta(days=draw(st.integers(0, 30)))
            if draw(st.booleans()):
                chair["down"] = [{"start": d0, "end": d0 + dt.timedelta(days=draw(st.integers(0, 3))),
                                  "reason": "service"}]
            else:
                at = dt.datetime.combine(d0, dt.time(12))
                chair["down"] = [{"start": at, "end": at + dt.timedelta(hours=3), "reason": "coil"}]
        chairs.append(chair)
    data: dict[str, Any] = {"clinic": info, "chairs": chairs}
    if draw(st.booleans()):
        staff = []
        roles = draw(st.lists(st.sampled_from(["technician", "physician", "clinician"]), min_size=1, max_size=4))
        if draw(st.integers(0, 4)) < 4:
            roles = ["physician", *roles]  # most clinics with staff have a physician
        for i, role in enumerate(roles):
            if draw(st.integers(0, 2)) < 2:  # a full-time shift
                window = draw(st.sampled_from(["06:00-19:00", "07:00-16:00", "10:00-19:00"]))
                shift = {d: window for d in days}
            else:
                shift_days = draw(st.lists(st.sampled_from(days), min_size=1, unique=True))
                shift = {d: draw(windows(slot, least=180)) for d in WEEKDAYS if d in shift_days}
            member: dict[str, Any] = {"id": f"{role[:4]}-{i}", "role": role, "hours": shift}
            away = draw(st.lists(st.integers(0, 40), max_size=3, unique=True))
            if away:
                member["away"] = [today + dt.timedelta(days=k) for k in sorted(away)]
            staff.append(member)
        data["staff"] = staff
    data["protocols"] = {"iv-6": OWN_PROTOCOL}
    return data, today


@st.composite
def rosters(draw, clinic: dict[str, Any], today: dt.date, least: int = 1, most: int = 8,
            prefix: str = "P") -> list[dict[str, Any]]:
    slot = clinic["clinic"]["slot_minutes"]
    caps = {c["id"]: set(c["capabilities"]) for c in clinic["chairs"]}
    need = {"standard-10hz": "10hz", "standard-10hz-taper": "10hz", "standard-itbs": "itbs",
            "accelerated-5x5": "itbs", "snt": "neuronav", "maintenance": "10hz", "iv-6": "infusion"}
    n = draw(st.integers(least, most))
    out = []
    served = [p for p in BUILTIN + ("iv-6",) if any(need[p] in cs for cs in caps.values())]
    for i in range(n):
        if served and draw(st.integers(0, 5)) < 5:
            protocol = draw(st.sampled_from(served))
        else:
            protocol = draw(st.sampled_from(BUILTIN + ("iv-6",)))
        p: dict[str, Any] = {"id": f"{prefix}-{i + 1:02d}", "protocol": protocol}
        start = None
        if draw(st.booleans()):
            start = today + dt.timedelta(days=draw(st.integers(-5, 21)))
            p["start_after"] = start
        if draw(st.integers(0, 3)) == 3:
            p["deadline"] = max(start or today, today) + dt.timedelta(days=draw(st.integers(3, 120)))
        if draw(st.integers(0, 2)) == 2:
            p["priority"] = "urgent"
        able = sorted(c for c, cs in caps.items() if need[protocol] in cs)
        if able and draw(st.integers(0, 4)) == 4:
            p["preferred_chair"] = draw(st.sampled_from(able))
        shape = draw(st.integers(0, 3))
        if shape == 1:  # the same window every weekday
            window = draw(windows(slot, least=draw(st.sampled_from([120, 240, 600]))))
            p["availability"] = {d: window for d in WEEKDAYS[:5]}
        elif shape == 2:  # some days, some hours
            avail_days = draw(st.lists(st.sampled_from(WEEKDAYS[:6]), min_size=1, max_size=6, unique=True))
            p["availability"] = {d: draw(windows(slot, least=draw(st.sampled_from([60, 120, 360]))))
                                 for d in WEEKDAYS if d in avail_days}
        gone = draw(st.lists(st.integers(0, 40), max_size=3, unique=True))
        if gone:
            p["unavailable"] = [today + dt.timedelta(days=k) for k in sorted(gone)]
        out.append(p)
    return out
