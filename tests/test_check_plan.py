"""The checker against the planner's own output: a plan checks clean, and a plan broken
one rule at a time is caught with that rule's code at the broken appointment's line."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from check_helpers import REPO
from tms_sched.check import check
from tms_sched.cli import main
from tms_sched.io import load_setup
from tms_sched.io.schedule import load_schedule, to_toml
from tms_sched.model.schedule import Appointment, Schedule

pytestmark = pytest.mark.skipif(importlib.util.find_spec("tms_sched.cli.plan") is None,
                                reason="the planner is not there")

CONFIG = REPO / "config.example.toml"
EXAMPLES = REPO / "tests" / "fixtures" / "examples"


def plan(tmp: Path, clinic: Path, *args: str, today: str = "2026-11-30") -> Path:
    out = tmp / "schedule.toml"
    result = CliRunner().invoke(main, ["plan", str(clinic), "-o", str(out), "--today", today, *args])
    assert result.exit_code in (0, 1), result.output
    return out


@pytest.fixture(scope="module")
def example_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return plan(tmp_path_factory.mktemp("plan"), CONFIG)


def test_a_plan_of_the_example_config_checks_clean(example_plan: Path):
    result = CliRunner().invoke(main, ["check", str(CONFIG), str(example_plan), "--format", "json"])
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data["summary"]["errors"] == 0, data["findings"]
    assert data["schedules"][0]["patients"] == 10
    assert result.exit_code == 0


def test_a_plan_of_the_shared_examples_has_no_errors(tmp_path: Path):
    rosters = ["--roster", str(EXAMPLES / "roster.toml"), "--roster", str(EXAMPLES / "roster.csv")]
    schedule = plan(tmp_path, EXAMPLES / "clinic.toml", *rosters)
    result = CliRunner().invoke(main, ["check", str(EXAMPLES / "clinic.toml"), str(schedule), *rosters,
                                       "--format", "json", "--select", "TMS0"])
    assert result.exit_code == 0, result.stdout


# -- a clean plan, broken one rule at a time ---------------------------------------

def _find(schedule: Schedule, patient: str, pred: Callable[[Appointment], bool]) -> tuple[int, int]:
    for i, p in enumerate(schedule.patients):
        if p.id == patient:
            for j, a in enumerate(p.appointments):
                if pred(a):
                    return i, j
    raise AssertionError(f"no such appointment of {patient}")


def _session(n: int) -> Callable[[Appointment], bool]:
    return lambda a: a.session == n and a.kind != "assessment"


def _set(schedule: Schedule, at: tuple[int, int], **changes) -> str:
    i, j = at
    appt = schedule.patients[i].appointments[j]
    schedule.patients[i].appointments[j] = appt.model_copy(update=changes)
    return changes.get("id", appt.id)


def _shift(schedule: Schedule, at: tuple[int, int], **delta) -> str:
    appt = schedule.patients[at[0]].appointments[at[1]]
    return _set(schedule, at, start=appt.start + dt.timedelta(**delta))


def m_chair_overlap(s: Schedule) -> str:
    other = s.patients[_find(s, "R-003", _session(5))[0]].appointments[_find(s, "R-003", _session(5))[1]]
    return _set(s, _find(s, "R-001", _session(5)), chair=other.chair, start=other.start)


def m_patient_overlap(s: Schedule) -> str:
    i, j = _find(s, "R-001", _session(1))
    mapping = s.patients[i].appointments[j]
    _set(s, _find(s, "R-001", lambda a: a.name == "baseline"), start=mapping.start)
    return mapping.id  # the longer of two appointments starting together is reported


def m_saturday(s: Schedule) -> str:
    at = _find(s, "R-003", _session(10))
    appt = s.patients[at[0]].appointments[at[1]]
    return _shift(s, at, days=5 - appt.start.weekday())


def m_outside_availability(s: Schedule) -> str:
    return _shift(s, _find(s, "R-001", _session(4)), hours=8)


def m_wrong_capability(s: Schedule) -> str:
    return _set(s, _find(s, "R-005", _session(12)), chair="A")


def m_mapping_without_staff(s: Schedule) -> str:
    return _set(s, _find(s, "R-001", _session(1)), staff=None)


def m_session_deleted(s: Schedule) -> str:
    i, j = _find(s, "R-003", _session(17))
    del s.patients[i].appointments[j]
    return "patient:R-003"


def m_accelerated_day_too_full(s: Schedule) -> str:
    # Session 11 opens day 3 of the 5x5 course: put it at the end of day 2.
    i, j = _find(s, "R-004", _session(10))
    last = s.patients[i].appointments[j]
    return _set(s, _find(s, "R-004", _session(11)), start=last.start + dt.timedelta(minutes=70))


def m_gap_too_short(s: Schedule) -> str:
    i, j = _find(s, "R-005", _session(2))
    prev = s.patients[i].appointments[j]
    return _set(s, _find(s, "R-005", _session(3)), start=prev.end + dt.timedelta(minutes=10))


def m_days_not_consecutive(s: Schedule) -> str:
    for n in range(21, 26):
        _shift(s, _find(s, "R-009", _session(n)), days=3)
    return s.patients[_find(s, "R-009", _session(21))[0]].appointments[_find(s, "R-009", _session(21))[1]].id


def m_long_gap(s: Schedule) -> str:
    at = _find(s, "R-003", _session(30))
    return _shift(s, at, days=35)


def m_no_mapping(s: Schedule) -> str:
    return _set(s, _find(s, "R-002", _session(1)), kind="treatment")


def m_follow_up_deleted(s: Schedule) -> str:
    i, j = _find(s, "R-001", lambda a: a.name == "follow-up")
    del s.patients[i].appointments[j]
    return "patient:R-001"


def m_duplicate_id(s: Schedule) -> str:
    i, j = _find(s, "R-001", _session(2))
    return _set(s, _find(s, "R-001", _session(3)), id=s.patients[i].appointments[j].id)


def m_wrong_offset(s: Schedule) -> str:
    at = _find(s, "R-003", _session(8))
    appt = s.patients[at[0]].appointments[at[1]]
    return _set(s, at, start=appt.start.replace(tzinfo=dt.timezone(appt.start.utcoffset() + dt.timedelta(hours=1))))


def m_patient_dropped(s: Schedule) -> str:
    s.patients = [p for p in s.patients if p.id != "R-010"]
    return "roster:R-010"


def m_drift(s: Schedule) -> str:
    return _shift(s, _find(s, "R-003", _session(12)), hours=3)


def m_chair_change(s: Schedule) -> str:
    for patient in s.patients:
        chairs = {a.chair for a in patient.appointments if a.kind != "assessment"}
        if chairs in ({"A"}, {"B"}) and any(a.session == 6 for a in patient.appointments):
            return _set(s, _find(s, patient.id, _session(6)), chair="B" if chairs == {"A"} else "A")
    raise AssertionError("no course on one chair of A and B")


PLAN_MUTATIONS = [
    ("TMS001", m_chair_overlap), ("TMS002", m_patient_overlap), ("TMS003", m_saturday),
    ("TMS004", m_outside_availability), ("TMS005", m_wrong_capability), ("TMS007", m_mapping_without_staff),
    ("TMS008", m_session_deleted), ("TMS009", m_accelerated_day_too_full), ("TMS010", m_gap_too_short),
    ("TMS011", m_days_not_consecutive), ("TMS012", m_long_gap), ("TMS014", m_no_mapping),
    ("TMS015", m_follow_up_deleted), ("TMS016", m_duplicate_id), ("TMS017", m_wrong_offset),
    ("TMS018", m_patient_dropped), ("TMS101", m_drift), ("TMS102", m_chair_change),
]


@pytest.mark.parametrize(("code", "mutate"), PLAN_MUTATIONS, ids=[f"{c}-{m.__name__[2:]}" for c, m in PLAN_MUTATIONS])
def test_a_broken_plan_is_caught(example_plan: Path, tmp_path: Path, code: str, mutate):
    schedule, _ = load_schedule(str(example_plan))
    at = mutate(schedule)
    text = to_toml(schedule)
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    clinic, roster = load_setup(str(CONFIG))
    model, index = load_schedule(str(path))
    report = check(clinic, [(str(path), model, index)], roster)
    hits = [f for f in report.findings if f.code == code]
    assert hits, [f"{f.code} {f.line} {f.message}" for f in report.findings]
    if at.startswith("patient:"):
        pid = at.split(":", 1)[1]
        want = next(i for i, p in enumerate(model.patients) if p.id == pid)
        assert index.line(("patients", want)) in {f.line for f in hits} | {
            index.line(("patients", want, "appointments", j)) for j in range(len(model.patients[want].appointments))}
    elif at.startswith("roster:"):
        assert {(f.file, f.patient) for f in hits} == {(str(CONFIG), at.split(":", 1)[1])}
    else:
        lines = [n for n, line in enumerate(text.splitlines(), start=1) if f'{{ id = "{at}",' in line]
        assert set(lines) & {f.line for f in hits}


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(today=st.dates(dt.date(2026, 11, 2), dt.date(2027, 3, 29)))
def test_plans_from_any_day_check_without_errors(tmp_path: Path, today: dt.date):
    """Whatever day the planner starts from (holidays, clock changes), its plan passes check."""
    out = tmp_path / f"plan-{today}.toml"
    result = CliRunner().invoke(main, ["plan", str(CONFIG), "-o", str(out), "--today", today.isoformat()])
    assert result.exit_code in (0, 1), result.output
    checked = CliRunner().invoke(main, ["check", str(CONFIG), str(out), "--format", "json"])
    assert checked.exit_code == 0, checked.stdout
