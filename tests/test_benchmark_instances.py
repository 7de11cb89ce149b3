"""The benchmark's generator makes what benchmarks/RESULTS.md says it makes."""

from __future__ import annotations

import datetime as dt
import sys

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))

import instances as gen  # noqa: E402
import run  # noqa: E402


@pytest.mark.parametrize("load", [0.6, 1.05])
def test_history_asks_for_the_named_share_of_chair_time(load):
    inst = gen.small("L", 8, 60, load, 33, stream=True)
    protocols = gen.protocols()
    asked = sum(gen.course_hours(protocols[p.protocol]) for p in inst.history) / inst.warmup_weeks
    # A Poisson stream over eight weeks: within a fifth of the rate it was drawn at.
    assert asked == pytest.approx(load * gen.open_chair_hours_per_week(inst.clinic), rel=0.2)
    assert all(inst.history_from <= p.start_after < inst.today for p in inst.history)
    assert all(p.start_after >= inst.today for p in inst.patients)


def test_loads_make_different_instances():
    assert len(gen.small("S", 4, 20, 1.05, 11).history) > len(gen.small("S", 4, 20, 0.9, 11).history)


def test_booked_history_starts_no_course_before_its_referral_and_breaks_no_rule():
    inst = gen.small("S", 4, 20, 0.9, 11).with_history(run.BASELINE, "arrival")
    firsts: dict[str, dt.date] = {}
    for pid, appt in inst.booked:
        if appt.kind == "assessment":  # a baseline assessment may come before (SPEC section 1)
            continue
        day = appt.start.astimezone(inst.clinic.zone).date()
        firsts[pid] = min(firsts.get(pid, day), day)
    arrived = {p.id: p.start_after for p in inst.history}
    assert set(firsts) <= set(arrived) and len(firsts) > 0.9 * len(arrived)
    assert all(firsts[pid] >= arrived[pid] for pid in firsts)
    empty = run.plan_schedule(inst.clinic, [], inst.today).schedule
    assert run.count_violations(inst, empty) == 0
