"""Booked history counts its share of the staff, whether or not the caller names its protocols.

In the clinical-model clinic one technician runs two iTBS chairs (patients_per_staff = 2)
and mornings until 10:00 hold two staff. IT-1, IT-2 and IT-4 can all come only at 08:00:
booked as history, IT-1's and IT-2's treatments take half a person each, so IT-4 fits
beside them in its first week; counted as whole people they would fill the morning and
IT-4 would wait six weeks for their courses to end.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from planhelp import FIXTURES, errors, load
from tms_sched.model.schedule import Schedule
from tms_sched.plan.history import protocols_of_booked
from tms_sched.plan.planner import plan_schedule

TODAY = dt.date(2027, 3, 29)


@pytest.fixture(scope="module")
def setup():
    clinic, roster = load(FIXTURES / "plan" / "clinical-model.toml")
    first = [p for p in roster.patients if p.id in ("IT-1", "IT-2")]
    history = plan_schedule(clinic, first, TODAY, effort="fast").schedule
    booked = [(sp.id, a) for sp in history.patients for a in sp.appointments]
    return clinic, roster, history, booked


def test_the_protocols_are_read_from_the_appointments(setup):
    clinic, _, _, booked = setup
    assert protocols_of_booked(clinic, booked) == {"IT-1": "standard-itbs", "IT-2": "standard-itbs"}


@pytest.mark.parametrize("named", [False, True], ids=["read from the appointments", "named by the caller"])
def test_a_shared_session_in_the_history_counts_half_a_person(setup, named: bool):
    clinic, roster, history, booked = setup
    later = [p for p in roster.patients if p.id == "IT-4"]
    protocols = {sp.id: sp.protocol for sp in history.patients} if named else None
    result = plan_schedule(clinic, later, TODAY, booked=booked, booked_protocols=protocols, effort="fast")
    assert result.schedule.unplaced == []
    (course,) = result.schedule.patients
    first = min(a.start for a in course.appointments if a.kind != "assessment")
    assert first.astimezone(clinic.zone).date() < dt.date(2027, 4, 12)  # the week it may start
    together = Schedule(schedule=history.schedule, patients=[*history.patients, course], unplaced=[])
    three = dataclasses.replace(roster, patients=[p for p in roster.patients if p.id in ("IT-1", "IT-2", "IT-4")])
    assert errors(clinic, together, three) == []


def test_a_caller_naming_a_protocol_overrides_what_the_appointments_suggest(setup):
    """Told IT-1 and IT-2 follow a protocol without the shared chairs, the planner counts
    them as whole people and IT-4 waits for the mornings to free up."""
    clinic, roster, _, booked = setup
    later = [p for p in roster.patients if p.id == "IT-4"]
    result = plan_schedule(clinic, later, TODAY, booked=booked, effort="fast",
                           booked_protocols={"IT-1": "standard-10hz", "IT-2": "standard-10hz"})
    firsts = [a.start for sp in result.schedule.patients for a in sp.appointments if a.kind != "assessment"]
    assert not firsts or min(firsts).astimezone(clinic.zone).date() >= dt.date(2027, 4, 12)


def test_appointments_no_protocol_fits_or_protocols_that_disagree_count_a_whole_person(setup):
    clinic, _, _, booked = setup
    it1 = [(pid, a) for pid, a in booked if pid == "IT-1"]
    odd = [(pid, a.model_copy(update={"minutes": 7})) for pid, a in it1 if a.kind == "treatment"]
    assert protocols_of_booked(clinic, odd) == {}
    # standard-itbs shares a chair with another patient; a clinic protocol of the same shape
    # that does not leaves the history's share in doubt: it counts a whole person.
    twin = clinic.protocols["standard-itbs"].model_copy(update={"id": "itbs-alone", "patients_per_staff": 1})
    doubtful = dataclasses.replace(clinic, protocols={**clinic.protocols, "itbs-alone": twin})
    assert protocols_of_booked(doubtful, it1) == {}
    assert protocols_of_booked(clinic, it1) == {"IT-1": "standard-itbs"}
