"""Property-based tests of the planner over random small clinics and rosters.

Every plan, from any time of day and at every effort, must pass ``tms-sched check``
without an error and the tests' own rule checker (planhelp.rule_violations,
course_violations), book nothing before the time it was made, account for every
patient, never put an urgent patient later than the greedy passes would nor later than
it would be on its own, and come out the same twice.

One test checks the rules, the time of day and the urgent patients' starts on each plan
it makes, so that every example pays for its plan once.
"""

from __future__ import annotations

import os
import tempfile
import zoneinfo
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planhelp import (clinics, course_violations, errors, first_session_day, load, rosters, rule_violations,
                      write_setup)
from tms_sched.io.schedule import to_toml
from tms_sched.plan.planner import plan_schedule
from tms_sched.plan.search import EFFORTS

# PLAN_EXAMPLES=500 runs a longer search by hand; CI keeps the default.
EXAMPLES = int(os.environ.get("PLAN_EXAMPLES", "30"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def setups(draw, most: int = 8):
    clinic, today = draw(clinics())
    patients = draw(rosters(clinic, today, most=most))
    return clinic, patients, today


def _load(clinic_data, patients):
    with tempfile.TemporaryDirectory() as tmp:
        clinic_path, roster_path = write_setup(Path(tmp), clinic_data, patients)
        return load(clinic_path, roster_path)


@SETTINGS
@given(setups(), st.sampled_from(EFFORTS), st.one_of(st.none(), st.integers(min_value=0, max_value=24 * 60 - 1)))
def test_every_plan_keeps_every_rule(setup, effort, now):
    """At every effort and from any time of day (None: the start of the day), and with the
    greedy passes' own plan beside it for the urgent patients' starts."""
    clinic_data, patients_data, today = setup
    clinic, roster = _load(clinic_data, patients_data)
    result = plan_schedule(clinic, roster.patients, today, effort=effort, now_minute=now)
    schedule = result.schedule

    assert errors(clinic, schedule, roster) == []
    assert rule_violations(clinic, schedule, roster.patients, today) == []
    assert course_violations(clinic, schedule, roster.patients, today) == []

    # Every patient is booked or listed unplaced, exactly once, with a reason.
    booked = [p.id for p in schedule.patients]
    unplaced = [u.id for u in schedule.unplaced]
    assert sorted(booked + unplaced) == sorted(p.id for p in roster.patients)
    assert all(u.reason.strip() for u in schedule.unplaced)
    assert [u.id for u in result.unplaced] == unplaced
    # Every appointment is new: planned, revision 1 like the schedule.
    assert schedule.schedule.revision == 1 and schedule.schedule.updated == today
    assert {(a.status, a.revision) for _, a in schedule.appointments()} <= {("planned", 1)}

    # Nothing is booked before the time of day the plan is made.
    zone = zoneinfo.ZoneInfo(clinic.info.timezone)
    if now is not None:
        for _, a in schedule.appointments():
            local = a.start.astimezone(zone)
            if local.date() == today:
                assert local.hour * 60 + local.minute >= now, \
                    f"{a.id} at {local:%H:%M} is before {now // 60:02d}:{now % 60:02d}"

    # The search after the greedy passes never makes an urgent patient wait longer.
    urgent = [p for p in roster.patients if p.priority == "urgent"]
    if effort == "fast" or not urgent:
        return  # the greedy passes are the plan itself
    greedy = plan_schedule(clinic, roster.patients, today, effort="fast", now_minute=now).schedule
    for p in urgent:
        if first_session_day(greedy, p.id, zone) is None:
            continue
        day = first_session_day(schedule, p.id, zone)
        assert day is not None and day <= first_session_day(greedy, p.id, zone), p.id


@SETTINGS
@given(setups(), st.sampled_from(EFFORTS))
def test_the_same_input_gives_the_same_schedule(setup, effort):
    clinic_data, patients_data, today = setup
    clinic, roster = _load(clinic_data, patients_data)
    first = to_toml(plan_schedule(clinic, roster.patients, today, effort=effort).schedule)
    clinic2, roster2 = _load(clinic_data, patients_data)
    assert to_toml(plan_schedule(clinic2, roster2.patients, today, effort=effort).schedule) == first


@SETTINGS
@given(setups())
def test_urgent_patients_never_wait_for_routine_ones(setup):
    clinic_data, patients_data, today = setup
    clinic, roster = _load(clinic_data, patients_data)
    urgent = [p for p in roster.patients if p.priority == "urgent"]
    if not urgent or len(urgent) == len(roster.patients):
        return
    zone = zoneinfo.ZoneInfo(clinic.info.timezone)
    together = plan_schedule(clinic, roster.patients, today).schedule
    alone = plan_schedule(clinic, urgent, today).schedule
    for p in urgent:
        day_alone = first_session_day(alone, p.id, zone)
        day_together = first_session_day(together, p.id, zone)
        if day_alone is None:
            continue
        assert day_together is not None, f"{p.id} is placed alone but not beside routine patients"
        assert day_together <= day_alone, f"{p.id} starts {day_together} beside routine patients, {day_alone} alone"


def test_plan_offers_every_effort_the_planner_has():
    from tms_sched.cli.plan import EFFORTS as OFFERED

    assert OFFERED == EFFORTS
