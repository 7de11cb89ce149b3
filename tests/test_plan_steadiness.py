"""Steadiness: the search keeps a clinic's once-daily sessions at their usual time.

A rebooked course may start earlier by taking another hour on the days its usual hour
is held; move by move that drifted a network site to 91% of once-daily sessions within
30 minutes of their usual time. The target (issue #12, SPEC section 5's measure) is 95%.
"""

from __future__ import annotations

import sys

from conftest import REPO
from tms_sched.plan.planner import plan_schedule

sys.path.insert(0, str(REPO / "benchmarks"))

import instances as gen  # noqa: E402
import run  # noqa: E402


def test_the_search_keeps_95_percent_of_daily_sessions_near_their_usual_time():
    # A three-chair site of the benchmark's network: 40 referrals, a physician and a
    # clinician and no technician, so the head-count moves sessions on busy days.
    site = gen.network(run.SEEDS["network"])[4]
    fast = run.metrics(site, plan_schedule(site.clinic, site.patients, site.today, effort="fast").schedule, 0)
    searched = run.metrics(site, plan_schedule(site.clinic, site.patients, site.today).schedule, 0)
    assert searched["violations"] == 0
    assert searched["on_time"] >= 0.95  # 91.1% before the search kept to 95%
    assert searched["mean_wait"] < fast["mean_wait"]  # and the search still shortens the waits
