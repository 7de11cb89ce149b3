"""Planning with motor-threshold re-mapping and measurement-based assessments.

A fixture clinic uses every key (tests/fixtures/plan/remap-measure.toml), and random
clinics give the built-in protocols random re-mapping intervals and assessment shapes:
every plan must pass ``check`` and the tests' own course checker (planhelp), which
works out independently where a re-mapping is due and where each assessment belongs.
"""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planhelp import FIXTURES, clinics, errors, load, plan_clean, read_schedule, replan_cli, rosters, tms, write_setup
from test_plan_cases import plan
from test_replan_properties import replay_random_weeks, scenarios as replay_scenarios
from tms_sched.model.schedule import Appointment

ZONE = zoneinfo.ZoneInfo("America/New_York")
CASE = FIXTURES / "plan" / "remap-measure.toml"


def _day(a: Appointment) -> dt.date:
    return a.start.astimezone(ZONE).date()


def test_the_fixture_clinic_places_everyone_and_checks_clean(tmp_path: Path):
    schedule = plan(tmp_path, CASE, "2026-12-14", 0)
    assert schedule.unplaced == []
    by_id = {a.id: a for _, a in schedule.appointments()}

    # R-1 (10 Hz, re-mapped after more than 3 days without a session): the first session
    # after the Christmas week's closures is a mapping with the physician; a weekend is not.
    r1 = sorted((a for a in schedule.patient("R-1").appointments if a.kind != "assessment"), key=lambda a: a.start)
    remaps = [a for a in r1[1:] if a.kind == "mapping"]
    gaps = {a.id: (_day(a) - _day(p)).days for p, a in zip(r1, r1[1:])}
    assert remaps and all(gaps[a.id] > 3 for a in remaps)
    assert all(a.kind == "mapping" for a in r1[1:] if gaps[a.id] > 3)
    assert any(_day(a) == dt.date(2027, 1, 4) for a in remaps)
    assert {a.minutes for a in remaps} == {60} and {a.staff for a in remaps} == {"dr-kim"}

    # A PHQ-9 after sessions 10 and 20, each 0-2 days after its session; ids tell them apart.
    for n in (10, 20):
        rating, session = by_id[f"R-1-phq-9-{n}"], next(a for a in r1 if a.session == n)
        assert 0 <= (_day(rating) - _day(session)).days <= 2 and rating.start >= session.end
    # The follow-up on its preferred day 28; the baseline at most 7 days before, or that day before it.
    assert (_day(by_id["R-1-f"]) - _day(r1[-1])).days == 28
    assert 0 <= (_day(r1[0]) - _day(by_id["R-1-b"])).days <= 7 and by_id["R-1-b"].end <= r1[0].start

    # R-3 and R-4 (iTBS, re-checked weekly): no session 7 days or more after the last mapping.
    for pid in ("R-3", "R-4"):
        sessions = sorted((a for a in schedule.patient(pid).appointments if a.kind != "assessment"),
                          key=lambda a: a.start)
        last_mapping = sessions[0]
        for a in sessions[1:]:
            if a.kind == "mapping":
                last_mapping = a
            assert (_day(a) - _day(last_mapping)).days < 7, a.id
        assert sum(a.kind == "mapping" for a in sessions) >= 4
        # A baseline on the first session's day, before it; a rating the day after session 5,
        # or the nearest day of its window when that day is a weekend (the earlier on a tie).
        baseline = by_id[f"{pid}-b"]
        assert _day(baseline) == _day(sessions[0]) and baseline.end <= sessions[0].start
        fifth = next(a for a in sessions if a.session == 5)
        after = (_day(by_id[f"{pid}-early-rating"]) - _day(fifth)).days
        assert after == (1 if (_day(fifth) + dt.timedelta(days=1)).weekday() < 5 else 0)


EXAMPLES = int(os.environ.get("PLAN_EXAMPLES", "20"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TOTALS = {"standard-10hz": 30, "standard-10hz-taper": 36, "standard-itbs": 30, "accelerated-5x5": 25, "snt": 50,
          "maintenance": 11}


@st.composite
def measured(draw, total: int) -> dict[str, Any]:
    """Re-mapping keys and assessments for a protocol of ``total`` sessions."""
    out: dict[str, Any] = {}
    after = draw(st.sampled_from([None, 2, 3, 5, 10]))
    every = draw(st.sampled_from([None, 3, 7, 14]))
    if after is not None:
        out["remap_after_days"] = after
    if every is not None:
        out["remap_every_days"] = every
    lo = draw(st.sampled_from([-7, -3, 0]))
    assessments = [{"name": "baseline", "anchor": "first", "window_days": [lo, 0]}]
    every_n = draw(st.sampled_from([n for n in (2, 5, 10) if n < total]))
    assessments.append({"name": "phq-9", "anchor": "session", "every_sessions": every_n,
                        "window_days": [0, draw(st.sampled_from([0, 2, 3]))], "minutes": 15})
    n = draw(st.integers(1, total))
    assessments.append({"name": "rating", "anchor": "session", "session": n, "window_days": [0, 4],
                        "prefer_day": draw(st.integers(0, 4))})
    assessments.append({"name": "follow-up", "anchor": "last", "window_days": [14, 28],
                        "prefer_day": draw(st.sampled_from([14, 21, 28]))})
    out["assessments"] = assessments
    return out


@st.composite
def setups(draw):
    clinic, today = draw(clinics())
    for pid, total in TOTALS.items():
        if draw(st.booleans()):
            clinic["protocols"][pid] = draw(measured(total))
    own = dict(clinic["protocols"]["iv-6"])
    own.update(draw(measured(6)))
    clinic["protocols"]["iv-6"] = own
    patients = draw(rosters(clinic, today, most=6))
    return clinic, patients, today


@SETTINGS
@given(setups())
def test_random_clinics_with_remapping_and_assessments_plan_clean(setup):
    plan_clean(*setup, own_rules=True)


def test_replanning_after_missed_days_books_the_re_mapping(tmp_path: Path):
    """R-1 misses four days after its re-mapping of 4 January: the next session, a week after
    the last one given, becomes a mapping with the physician; make-ups follow; check is clean."""
    schedule_path = tmp_path / "schedule.toml"
    tms("plan", CASE, "-o", schedule_path, "--today", "2026-12-14", code=0)
    tms("mark", schedule_path, "--through", "2027-01-04", "done", "--today", "2027-01-11")
    before = read_schedule(schedule_path)
    r1 = [a for a in before.patient("R-1").appointments if a.kind != "assessment"]
    missed = [a for a in r1 if dt.date(2027, 1, 5) <= _day(a) <= dt.date(2027, 1, 8)]
    assert len(missed) == 4
    for a in missed:
        tms("mark", schedule_path, "R-1", _day(a).isoformat(), a.start.astimezone(ZONE).strftime("%H:%M"),
            "missed", "--today", "2027-01-11")
    nxt = min((a for a in r1 if _day(a) > dt.date(2027, 1, 8)), key=lambda a: a.start)
    assert nxt.kind == "treatment"  # no re-check due when it was planned

    replan_cli(CASE, schedule_path, "2027-01-11", code=0)
    after = read_schedule(schedule_path)
    clinic, roster = load(CASE)
    assert errors(clinic, after, roster) == []
    now = {a.id: a for a in after.patient("R-1").appointments}
    remap = now[nxt.id]
    assert (remap.kind, remap.minutes, remap.staff, remap.session) == ("mapping", 60, "dr-kim", nxt.session)
    assert (_day(remap) - dt.date(2027, 1, 4)).days > 3
    assert sum(a.status == "planned" and a.id.endswith("m") for a in now.values()) == 4  # the make-ups


def test_the_built_in_follow_ups_land_on_their_preferred_days(tmp_path: Path):
    """SNT's follow-up on day 28 (its primary outcome was 4 weeks after), the 5x5's on day
    21 (the UCLA study reassessed at two to four weeks)."""
    clinic = {
        "clinic": {"name": "Follow-up Clinic", "timezone": "America/New_York",
                   "hours": {d: "07:00-19:00" for d in ("mon", "tue", "wed", "thu", "fri")}},
        "chairs": [{"id": "A", "capabilities": ["itbs"]}, {"id": "N", "capabilities": ["neuronav"]}],
    }
    patients = [{"id": "P-5x5", "protocol": "accelerated-5x5", "start_after": dt.date(2027, 3, 1)},
                {"id": "P-snt", "protocol": "snt", "start_after": dt.date(2027, 3, 1)}]
    clinic_path, roster_path = write_setup(tmp_path, clinic, patients)
    out = tmp_path / "schedule.toml"
    tms("plan", clinic_path, "--roster", roster_path, "-o", out, "--today", "2027-02-22", code=0)
    schedule = read_schedule(out)
    for pid, day in (("P-5x5", 21), ("P-snt", 28)):
        appts = schedule.patient(pid).appointments
        last = max(_day(a) for a in appts if a.kind != "assessment")
        follow_up = next(a for a in appts if a.name == "follow-up")
        assert (_day(follow_up) - last).days == day, pid


def test_protocols_says_when_each_assessment_falls():
    shown = tms("protocols", "weekly-remap-itbs", "--clinic", CASE).stdout
    assert "+0 to +3 days from session 5, preferably day +1" in shown
    shown = tms("protocols", "standard-10hz", "--clinic", CASE).stdout
    assert "+0 to +2 days from each of sessions 10, 20, ... before the last" in shown
    assert "+14 to +28 days from the last session, preferably day +28" in shown


def test_the_patient_view_reads_a_window_counted_from_a_numbered_session(tmp_path: Path):
    clinic = tmp_path / "clinic.toml"
    clinic.write_text(CASE.read_text(encoding="utf-8").replace(
        '{ name = "follow-up", anchor = "last", window_days = [14, 28], prefer_day = 21, minutes = 30 }',
        '{ name = "follow-up", anchor = "session", session = 20, window_days = [14, 28], minutes = 30 }'),
        encoding="utf-8")
    out = tmp_path / "schedule.toml"
    tms("plan", clinic, "-o", out, "--today", "2026-12-14", code=0)
    schedule = read_schedule(out)
    twentieth = next(a for a in schedule.patient("R-3").appointments if a.session == 20)
    shown = tms("show", out, "--clinic", clinic, "--view", "patient", "--patient", "R-3", "--today", "2026-12-14",
                "--width", "120").stdout
    first = _day(twentieth) + dt.timedelta(days=14)
    line = next(line for line in shown.splitlines() if "follow-up window" in line)
    assert f"{first} to " in line and "(14 to 28 days after session 20)" in line


@st.composite
def measured_scenarios(draw):
    clinic, patients, later, today = draw(replay_scenarios())
    # Short re-mapping intervals, so that a missed day or a closure makes one due.
    for pid, total in [*TOTALS.items(), ("iv-6", 6)]:
        keys = draw(measured(total))
        keys["remap_after_days"] = draw(st.sampled_from([1, 2, 3]))
        clinic["protocols"][pid] = {**clinic["protocols"].get(pid, {}), **keys}
    return clinic, patients, later, today


@settings(SETTINGS, max_examples=max(5, EXAMPLES // 2))
@given(measured_scenarios(), st.data())
def test_random_weeks_of_attendance_with_remapping_replan_check_clean(scenario, data):
    """Misses, closures and chair downtime on clinics that re-map and rate by session:
    every replan keeps history, reports its moves, and passes check (re-mappings where due
    included), or lists the patient unplaced."""
    replay_random_weeks(scenario, data)
