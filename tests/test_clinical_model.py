"""The clinical model: supervision (TMS019), staff ratios and monitoring (TMS001, TMS006),
and twice-weekly phases ``min_days_apart`` apart.

A fixture clinic that uses every key is planned as a coordinator would, checked clean,
and then broken one rule at a time to show ``check`` naming the code and the line; random
clinics with random supervision, ratios and monitoring plan clean too.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planhelp import FIXTURES, clinics, plan_clean, rosters
from tms_sched.cli import main
from tms_sched.io.schedule import load_schedule

CLINIC = FIXTURES / "plan" / "clinical-model.toml"
TODAY = "2027-03-29"
ZONE = zoneinfo.ZoneInfo("America/Denver")


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clinical") / "schedule.toml"
    result = CliRunner().invoke(main, ["plan", str(CLINIC), "-o", str(out), "--today", TODAY])
    assert result.exit_code == 0, result.output
    return out


def findings(clinic: Path, schedule: Path) -> list[tuple[str, int | None, str]]:
    result = CliRunner().invoke(main, ["check", str(clinic), str(schedule), "--format", "json"])
    data = json.loads(result.stdout)
    return sorted((f["code"], f["line"], f["message"]) for f in data["findings"])


def local(a) -> dt.datetime:
    return a.start.astimezone(ZONE)


def line_of(path: Path, appointment_id: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if f'id = "{appointment_id}"' in line:
            return number
    raise AssertionError(appointment_id)


def test_every_patient_is_placed_and_check_is_clean(planned: Path):
    schedule, _ = load_schedule(str(planned))
    assert schedule.unplaced == []
    assert len(schedule.patients) == 9
    assert findings(CLINIC, planned) == []


def test_every_session_has_a_physician_on_shift(planned: Path):
    """dr-b works 08:00-13:00 (Mon-Fri), dr-c 12:00-17:00 (Mon-Thu, away 2027-04-14):
    no session falls on Friday afternoon or on the afternoon of 14 April."""
    schedule, _ = load_schedule(str(planned))
    for _, a in schedule.appointments():
        if a.kind == "assessment":
            continue
        start, end = local(a), local(a) + dt.timedelta(minutes=a.minutes)
        afternoon = end.time() > dt.time(13)
        if afternoon:
            assert start.time() >= dt.time(12), a.id
            assert start.weekday() != 4 and start.date() != dt.date(2027, 4, 14), a.id


def test_one_technician_runs_two_itbs_chairs(planned: Path):
    """Mornings until 10:00 hold one technician and one physician; iTBS counts half a
    person, so three sessions run at 08:00 with two staff on shift."""
    schedule, _ = load_schedule(str(planned))
    sessions = [a for _, a in schedule.appointments() if a.kind != "assessment"]
    best = 0
    for a in sessions:
        t = local(a)
        under_way = [b for b in sessions if local(b) <= t < local(b) + dt.timedelta(minutes=b.minutes)]
        best = max(best, len(under_way))
    assert best >= 3


def test_esketamine_is_dosing_then_monitoring_twice_weekly_then_weekly(planned: Path):
    schedule, _ = load_schedule(str(planned))
    for sp in schedule.patients:
        if sp.protocol != "esketamine":
            continue
        sessions = sorted((a for a in sp.appointments if a.kind != "assessment"), key=lambda a: a.start)
        assert [a.monitor_minutes for a in sessions] == [120] * 12
        assert [a.minutes for a in sessions] == [30] + [15] * 11
        days = [local(a).date() for a in sessions]
        weeks: dict[dt.date, list[dt.date]] = {}
        for d in days:
            weeks.setdefault(d - dt.timedelta(days=d.weekday()), []).append(d)
        counts = [len(v) for _, v in sorted(weeks.items())]
        assert counts == [2, 2, 2, 2, 1, 1, 1, 1]
        for week_days in weeks.values():
            assert all((b - a).days >= 2 for a, b in zip(week_days, week_days[1:]))
        # No one else's session sits in the chair during a patient's monitoring.
    by_chair: dict[str, list] = {}
    for _, a in schedule.appointments():
        if a.chair:
            by_chair.setdefault(a.chair, []).append(a)
    for items in by_chair.values():
        items.sort(key=lambda a: a.start)
        for a, b in zip(items, items[1:]):
            assert a.chair_end <= b.start, (a.id, b.id)


def _mutated(tmp_path: Path, planned: Path, edit) -> Path:
    text = planned.read_text(encoding="utf-8")
    changed = edit(text)
    assert changed != text
    out = tmp_path / "schedule.toml"
    out.write_text(changed, encoding="utf-8")
    return out


def _appointment(planned: Path, pattern: str) -> tuple[str, str]:
    """The id and line text of the first appointment line matching ``pattern``."""
    for line in planned.read_text(encoding="utf-8").splitlines():
        if re.search(pattern, line):
            return re.search(r'id = "([^"]+)"', line).group(1), line
    raise AssertionError(pattern)


def test_a_session_without_its_physician_is_tms019(tmp_path: Path, planned: Path):
    """IT-3 comes 15:00-17:00; moved from a Thursday to that Friday, no physician is on shift."""
    schedule, _ = load_schedule(str(planned))
    sp = schedule.patient("IT-3")
    thursday = next(a for a in sp.appointments if a.kind == "treatment" and local(a).weekday() == 3
                    and not any(local(b).date() == local(a).date() + dt.timedelta(days=1) for b in sp.appointments))
    friday = local(thursday) + dt.timedelta(days=1)
    old = f'start = {thursday.start.isoformat()}'
    new = f'start = {friday.isoformat()}'
    broken = _mutated(tmp_path, planned, lambda t: t.replace(f'id = "{thursday.id}", kind = "treatment", session = '
                                                             f'{thursday.session}, chair = "{thursday.chair}", {old}',
                                                             f'id = "{thursday.id}", kind = "treatment", session = '
                                                             f'{thursday.session}, chair = "{thursday.chair}", {new}'))
    found = findings(CLINIC, broken)
    assert [(code, line) for code, line, _ in found] == [("TMS019", line_of(broken, thursday.id))]
    assert "no physician on shift" in found[0][2]


def test_a_session_in_the_chair_during_monitoring_is_tms001(tmp_path: Path, planned: Path):
    """ES-1's second dose holds its chair through the 120 minutes of monitoring after it;
    the next dose in that chair that day, moved to start as ES-1's dose ends, overlaps
    the monitoring, not the dose."""
    schedule, _ = load_schedule(str(planned))
    first = schedule.patient("ES-1").appointments[2]  # session 2, a treatment
    assert first.session == 2 and first.monitor_minutes == 120
    day = local(first).date()
    other = min((a for _, a in schedule.appointments() if a.chair == first.chair and a.start > first.start
                 and local(a).date() == day), key=lambda a: a.start)
    moved = local(first) + dt.timedelta(minutes=first.minutes)
    broken = _mutated(tmp_path, planned, lambda t: t.replace(
        f'id = "{other.id}", kind = "{other.kind}", session = {other.session}, chair = "{other.chair}", '
        f'start = {other.start.isoformat()}',
        f'id = "{other.id}", kind = "{other.kind}", session = {other.session}, chair = "{other.chair}", '
        f'start = {moved.isoformat()}'))
    found = findings(CLINIC, broken)
    assert ("TMS001", line_of(broken, other.id)) in [(code, line) for code, line, _ in found]
    assert {code for code, _, _ in found} <= {"TMS001", "TMS101"}  # the moved dose may drift from its usual time
    end = local(first) + dt.timedelta(minutes=first.minutes + 120)
    assert f"monitored to {end:%H:%M}" in next(m for code, _, m in found if code == "TMS001")


def test_itbs_without_its_ratio_is_tms006(tmp_path: Path, planned: Path):
    """The same schedule against the clinic without the two-chair ratio: the moments
    where three sessions run with two staff on shift are TMS006."""
    clinic = tmp_path / "clinic.toml"
    clinic.write_text(CLINIC.read_text(encoding="utf-8").replace("patients_per_staff = 2\n", ""), encoding="utf-8")
    found = findings(clinic, planned)
    assert found and {code for code, _, _ in found} == {"TMS006"}
    text = planned.read_text(encoding="utf-8").splitlines()
    for _, line, message in found:
        assert "standard-itbs" in text[line - 1] or 'id = "IT-' in text[line - 1] or "IT-" in message


def test_monitoring_without_a_nurse_is_tms006(tmp_path: Path, planned: Path):
    """The nurse away on Thursday 2027-04-08: the four esketamine doses that day are
    monitored with no nurse on shift."""
    clinic = tmp_path / "clinic.toml"
    clinic.write_text(CLINIC.read_text(encoding="utf-8").replace(
        'id = "rn-d"\nrole = "nurse"\n', 'id = "rn-d"\nrole = "nurse"\naway = [2027-04-08]\n'), encoding="utf-8")
    found = findings(clinic, planned)
    schedule, _ = load_schedule(str(planned))
    doses = sorted(a.id for _, a in schedule.appointments()
                   if a.monitor_minutes and local(a).date() == dt.date(2027, 4, 8))
    assert len(doses) == 4
    assert sorted((code, line) for code, line, m in found if "monitored" in m) == sorted(
        ("TMS006", line_of(planned, d)) for d in doses)


def test_twice_weekly_doses_too_close_are_tms009(tmp_path: Path, planned: Path):
    """ES-1's second dose moved from Thursday to Tuesday, one day after the first."""
    schedule, _ = load_schedule(str(planned))
    second = schedule.patient("ES-1").appointments[2]
    assert local(second).weekday() == 3
    tuesday = local(second) - dt.timedelta(days=2)
    broken = _mutated(tmp_path, planned, lambda t: t.replace(f'start = {second.start.isoformat()}, minutes = 15, '
                                                             'monitor_minutes = 120, status = "planned", revision = 1 },'
                                                             , f'start = {tuesday.isoformat()}, minutes = 15, '
                                                             'monitor_minutes = 120, status = "planned", revision = 1 },',
                                                             1))
    found = [(code, line) for code, line, _ in findings(CLINIC, broken)]
    assert found == [("TMS009", line_of(broken, second.id))]


def test_two_induction_doses_on_one_day_are_named_weekly_not_taper(tmp_path: Path, planned: Path):
    """Esketamine's twice-weekly induction is a weekly phase with nothing before it: ES-1's
    second dose moved onto the day of its first is two weekly sessions on one day, and the
    message speaks of no taper (the course has none)."""
    schedule, _ = load_schedule(str(planned))
    first, second = schedule.patient("ES-1").appointments[1:3]
    assert (first.session, second.session) == (1, 2)
    later = local(first) + dt.timedelta(hours=3)
    broken = _mutated(tmp_path, planned, lambda t: t.replace(f'start = {second.start.isoformat()}, minutes = 15, ',
                                                             f'start = {later.isoformat()}, minutes = 15, ', 1))
    messages = [m for code, line, m in findings(CLINIC, broken) if code == "TMS009"]
    assert messages == [f"ES-1 has two weekly sessions on {local(first):%a %Y-%m-%d} ({first.id} and {second.id}); "
                        "weekly sessions go on different days"]


def test_a_short_induction_week_names_the_weeks_from_the_first_session(tmp_path: Path, planned: Path):
    """ES-1's second dose cancelled: the first week of the induction falls short, counted
    from the week of the course's first session, not after a daily part it does not have."""
    schedule, _ = load_schedule(str(planned))
    second = schedule.patient("ES-1").appointments[2]
    broken = _mutated(tmp_path, planned, lambda t: t.replace(
        f'start = {second.start.isoformat()}, minutes = 15, monitor_minutes = 120, status = "planned"',
        f'start = {second.start.isoformat()}, minutes = 15, monitor_minutes = 120, status = "cancelled"', 1))
    week = local(second).date() - dt.timedelta(days=local(second).weekday())
    messages = [m for code, line, m in findings(CLINIC, broken) if code == "TMS009"]
    assert f"ES-1 has 1 weekly session in the week of {week.isoformat()}; esketamine wants 2 there (2, 2, 2, 2 " \
           "sessions in its successive calendar weeks, from the week of the course's first session)" in messages
    assert not any("taper" in m or "daily" in m for m in messages), messages


def test_monitor_minutes_read_back_from_every_format(tmp_path: Path, planned: Path):
    from tms_sched.io.schedule import to_csv, to_json, write_schedule

    schedule, _ = load_schedule(str(planned))
    path = tmp_path / "schedule.json"
    write_schedule(str(path), schedule)
    again, _ = load_schedule(str(path))
    assert again == schedule
    assert '"monitor_minutes": 120' in to_json(schedule)
    header, *rows = to_csv(schedule).splitlines()
    assert header.split(",")[-1] == "monitor_minutes"
    assert rows[0].split(",")[-1] in ("", "120")


# -- random clinics ------------------------------------------------------------------------

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def clinical_setups(draw):
    clinic, today = draw(clinics())
    clinic = copy.deepcopy(clinic)
    if not clinic.get("staff"):
        days = list(clinic["clinic"]["hours"])
        clinic["staff"] = [{"id": "phys-0", "role": "physician", "hours": {d: "06:00-19:00" for d in days}},
                           {"id": "tech-1", "role": "technician", "hours": {d: "07:00-16:00" for d in days}}]
    if draw(st.booleans()):
        days = list(clinic["clinic"]["hours"])
        clinic["staff"].append({"id": "nurse-9", "role": "nurse",
                                "hours": {d: draw(st.sampled_from(["07:00-15:00", "10:00-19:00"])) for d in days}})
    roles = sorted({s["role"] for s in clinic["staff"]})
    supervision = draw(st.sampled_from([None, *roles]))
    if supervision:
        clinic["clinic"]["supervision"] = supervision
    protocols: dict[str, Any] = clinic["protocols"]
    for pid in ("standard-itbs", "accelerated-5x5", "standard-10hz"):
        ratio = draw(st.integers(1, 3))
        if ratio > 1:
            protocols[pid] = {"patients_per_staff": ratio}
    own = dict(protocols["iv-6"])
    monitor = draw(st.sampled_from([0, 30, 60, 120]))
    if monitor:
        own["monitor_minutes"] = monitor
        own["monitor_patients_per_staff"] = draw(st.integers(1, 3))
        role = draw(st.sampled_from([None, *roles]))
        if role:
            own["monitor_role"] = role
        own["session_minutes"] = own["first_session_minutes"] = draw(st.sampled_from([15, 30]))
    if draw(st.booleans()):
        own["phases"] = [{"kind": "weekly", "per_week": [2, 2, 2], "min_days_apart": draw(st.integers(1, 3))}]
    protocols["iv-6"] = own
    patients = draw(rosters(clinic, today, most=6))
    return clinic, patients, today


@SETTINGS
@given(clinical_setups())
def test_random_clinics_with_supervision_ratios_and_monitoring_plan_clean(setup):
    plan_clean(*setup)


# -- views and calendars show the monitoring ----------------------------------------------------

def _show(schedule: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["show", str(schedule), "--clinic", str(CLINIC), "--today", TODAY,
                                       "--width", "120", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_views_show_the_monitoring_after_a_dose(planned: Path):
    schedule, _ = load_schedule(str(planned))
    dose = schedule.patient("ES-1").appointments[2]
    start = local(dose)
    end = start + dt.timedelta(minutes=dose.minutes)
    out = end + dt.timedelta(minutes=120)
    day = start.date().isoformat()
    agenda = _show(planned, "--date", day, "--patient", "ES-1")
    assert re.search(rf"^  {end:%H:%M}-{out:%H:%M}\s+{dose.chair}\s+ES-1\s+monitoring\s+after 2\s+a nurse on shift$",
                     agenda, re.M), agenda
    chairs = _show(planned, "--view", "chairs", "--date", day)
    assert "≈ monitoring" in chairs and "+120 min observed" in chairs
    course = _show(planned, "--view", "patient", "--patient", "ES-1")
    assert re.search(r"^monitoring\s+120 min in the same chair after each session, with a nurse on shift$", course,
                     re.M), course


def test_the_staff_day_lists_supervision_and_observation_hours(planned: Path):
    schedule, _ = load_schedule(str(planned))
    dose = schedule.patient("ES-1").appointments[2]
    day = local(dose).date().isoformat()
    staff = " ".join(_show(planned, "--view", "staff", "--date", day).split())
    assert re.search(r"dr-b, physician shift 08:00-13:00 .*supervising 08:00-.* of sessions that need a physician on "
                     r"site\)", staff), staff
    end = local(dose) + dt.timedelta(minutes=dose.minutes)
    assert f"observing {end:%H:%M}-" in staff and "of patients monitored by a nurse)" in staff
    # a role nobody's sessions need says nothing of the kind
    tech = staff[staff.index("tech-a"):staff.index("dr-b")]
    assert "supervising" not in tech and "observing" not in tech


def test_a_calendar_event_covers_dose_and_monitoring(planned: Path, tmp_path: Path):
    import icalendar

    result = CliRunner().invoke(main, ["export", "ical", str(planned), "--clinic", str(CLINIC), "--by", "patient",
                                       "--patient", "ES-1", "-o", str(tmp_path / "cal")])
    assert result.exit_code == 0, result.output
    cal = icalendar.Calendar.from_ical((tmp_path / "cal" / "patient-ES-1.ics").read_bytes())
    schedule, _ = load_schedule(str(planned))
    dose = schedule.patient("ES-1").appointments[2]
    event = next(e for e in cal.walk("VEVENT") if str(e["UID"]).startswith(f"{dose.id}@"))
    assert event.decoded("DTSTART") == dose.start
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=dose.minutes + 120)
    end = local(dose) + dt.timedelta(minutes=dose.minutes)
    description = str(event["DESCRIPTION"])
    assert f"Session: {local(dose):%H:%M}-{end:%H:%M} ({dose.minutes} min)" in description
    out = end + dt.timedelta(minutes=120)
    assert f"Monitoring: {end:%H:%M}-{out:%H:%M} (120 min in the same chair, observed by a nurse)" in description


def test_a_replan_keeps_supervision_ratios_and_monitoring(tmp_path: Path, planned: Path):
    """A snow day, missed sessions and a chair down: the replan moves what it must and the
    schedule stays clean under every new key."""
    schedule = tmp_path / "schedule.toml"
    schedule.write_text(planned.read_text(encoding="utf-8"), encoding="utf-8")

    def tms(*args: str) -> None:
        result = CliRunner().invoke(main, list(args))
        assert result.exit_code == 0, result.output

    tms("mark", str(schedule), "--through", "2027-04-07", "done", "--today", "2027-04-08")
    tms("mark", str(schedule), "ES-1", "2027-04-08", "missed", "--today", "2027-04-08")
    tms("mark", str(schedule), "IT-1", "2027-04-08", "missed", "--today", "2027-04-08")
    tms("mark", str(schedule), "--closed", "2027-04-12", "--reason", "snow", "--today", "2027-04-08")
    tms("mark", str(schedule), "--chair-down", "K2", "2027-04-13", "2027-04-13", "--reason", "service",
        "--today", "2027-04-08")
    result = CliRunner().invoke(main, ["plan", str(CLINIC), "--schedule", str(schedule), "--today", "2027-04-08"])
    assert result.exit_code in (0, 1), result.output
    # errors none; a course may change chair for the day its chair is down (TMS102, a warning)
    assert [f for f in findings(CLINIC, schedule) if f[0] < "TMS100"] == []
