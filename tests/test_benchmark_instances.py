"""The benchmark's generator and runner do what benchmarks/RESULTS.md says they do."""

from __future__ import annotations

import datetime as dt
import sys

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))

import instances as gen  # noqa: E402
import run  # noqa: E402


def asked_per_week(patients, weeks: float) -> float:
    """Chair hours a week the referrals ask for, from the protocol table itself."""
    protocols = gen.protocols()
    minutes = sum(protocols[p.protocol].first_minutes
                  + (protocols[p.protocol].total_sessions - 1) * protocols[p.protocol].session_minutes
                  for p in patients)
    return minutes / 60 / weeks


@pytest.mark.parametrize("load", [0.6, 0.9, 1.05])
def test_referrals_ask_for_the_named_share_of_chair_time(load):
    inst = gen.small("L", 8, 60, load, 33, stream=True)
    open_hours = gen.open_chair_hours_per_week(inst.clinic)
    assert open_hours == 8 * 50  # 07:30-18:00 less half an hour for lunch, five days
    # History and measured referrals are one stream; over the eleven or so weeks they
    # span, the seeded draw lands within a tenth of the rate it was drawn at.
    everyone = inst.history + inst.patients
    last = max(p.start_after for p in inst.patients if p.protocol != "accelerated-5x5")
    weeks = (last - inst.history_from).days / 7
    assert asked_per_week(everyone, weeks) == pytest.approx(load * open_hours, rel=0.1)
    assert all(inst.history_from <= p.start_after < inst.today for p in inst.history)
    assert all(p.start_after >= inst.today for p in inst.patients)


def chair_hours_booked(inst, weeks: int = 8) -> float:
    """Chair hours the booked history holds in the weeks from today."""
    end = inst.today + dt.timedelta(weeks=weeks)
    return sum(a.minutes for _, a in inst.booked
               if a.chair and inst.today <= a.start.astimezone(inst.clinic.zone).date() < end) / 60


def test_a_higher_load_leaves_a_fuller_calendar():
    # The old generator stopped its background short at 0.90 and 1.05 alike. (Over the
    # first four weeks both are full; the backlog of 1.05 shows in the weeks after.)
    booked = [chair_hours_booked(gen.small("S", 4, 20, load, 11).with_history(*run.BY_HAND))
              for load in (0.6, 0.9, 1.05)]
    assert booked[0] < booked[1] < booked[2]


@pytest.mark.parametrize("who", ["planner", "baseline"])
def test_booked_history_places_everyone_late_enough_and_breaks_no_rule(who):
    inst = gen.small("S", 4, 20, 1.05, 11).with_history(*run.HISTORY[who])
    firsts: dict[str, dt.date] = {}
    for pid, appt in inst.booked:
        if appt.kind == "assessment":  # a baseline assessment may come before (SPEC section 1)
            continue
        day = appt.start.astimezone(inst.clinic.zone).date()
        firsts[pid] = min(firsts.get(pid, day), day)
    assert set(firsts) == {p.id for p in inst.history}
    assert all(firsts[p.id] >= p.start_after for p in inst.history)
    empty = run.plan_schedule(inst.clinic, [], inst.today).schedule
    assert run.count_violations(inst, empty) == 0


def test_each_row_books_with_the_method_it_names():
    assert run.HISTORY["planner"] == run.MEASURED["planner"] == run.PLANNER
    assert run.HISTORY["baseline"] == run.MEASURED["baseline"] == run.BY_HAND
    # The switch-over day: a history booked by hand, the new referrals by the planner.
    assert (run.HISTORY["switch"], run.MEASURED["switch"]) == (run.BY_HAND, run.PLANNER)
    assert run.BASELINE.times_per_day == 1 and run.BASELINE.tolerance_minutes == 0


def test_seeds_combine_into_means_sums_and_maxima():
    rows = [{"placed": "20/20", "mean_wait": 10.0, "p90_wait": 20.0, "on_time": 1.0, "chair_changes": 4,
             "utilisation": 0.5, "seconds": 0.2, "rss_mb": 40, "violations": 0, "label": "S"},
            {"placed": "19/20", "mean_wait": 14.0, "p90_wait": 30.0, "on_time": 0.9, "chair_changes": 6,
             "utilisation": 0.7, "seconds": 0.4, "rss_mb": 50, "violations": 1, "label": "S"}]
    r = run.combine(rows)
    assert (r["placed"], r["mean_wait"], r["p90_wait"], r["chair_changes"]) == ("39/40", 12.0, 25.0, 5)
    assert (r["seconds"], r["rss_mb"], r["violations"], r["per_seed"]) == (0.4, 50, 1, [10.0, 14.0])
    assert r["on_time"] == pytest.approx(0.95) and r["utilisation"] == pytest.approx(0.6)
