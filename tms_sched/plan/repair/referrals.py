"""Patients new to the roster, planned as in a first plan around everything booked.

They are booked one by one (urgent first, then by the week they may start, shortest
courses first), then improved by the same search as a first plan (plan/search.py),
which unbooks and rebooks only these new courses: history, pinned appointments and
the courses already planned stay where the replan left them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from ...model.patient import Patient
from ..builder import CourseBuilder, Policy
from ..planner import PatientPlan, commit, smart_order
from ..search import Search, budget_for
from .state import RepairContext


class ReferralPlanner:
    """What the search asks of a planner, for the new patients of a replan: the clinic, the
    first day anything new may be booked (after the frozen days), and the timeline with
    everything else booked on it, which the search changes only by these patients' courses."""

    def __init__(self, ctx: RepairContext, timeline, policy: Policy) -> None:
        self.clinic = ctx.clinic
        self.today: dt.date = ctx.freeze_until
        self.calendar = ctx.calendar
        self.timeline = timeline
        self.policy: Policy = policy

    def search_policy(self) -> Policy:
        return dataclasses.replace(self.policy, scarcity=True)


def book_in_turn(ctx: RepairContext, timeline, ordered: list[Patient], policy: Policy, progress=None):
    """Each new patient's earliest course, one after another, onto ``timeline``."""
    plans: list[PatientPlan] = []
    failed: list[Patient] = []
    for i, patient in enumerate(ordered):
        protocol = ctx.clinic.protocols.get(patient.protocol)
        builder = CourseBuilder(timeline, ctx.clinic, patient, protocol, ctx.freeze_until, policy) \
            if protocol else None
        attempt = builder.search() if builder and builder.chairs else None
        if attempt is None:
            failed.append(patient)
        else:
            commit(timeline, patient, attempt)
            plans.append(PatientPlan(patient, sorted(attempt.bookings, key=lambda b: (b.day, b.start))))
        if progress:
            progress(i + 1, len(ordered))
    return plans, failed


def plan_referrals(ctx: RepairContext, fresh: list[Patient], progress, effort: str = "fast"):
    """Book the new patients' courses; with an ``effort`` other than fast, search for a
    better plan of them within that effort's budget (counted in courses built, never in
    time: the same files give the same schedule)."""
    ordered = smart_order(ctx.clinic, fresh, ctx.today)
    bookable = {p.id for p in ordered if p.protocol in ctx.clinic.protocols}
    budget = budget_for(effort, len(bookable))
    if not (budget and bookable):
        return book_in_turn(ctx, ctx.timeline, ordered, ctx.policy, progress)
    # Two ways of booking them in turn, the better kept: each course's mapping at its usual
    # time, or, where no such time holds on the coming days, a time that does and the
    # mapping where an hour is free on its first day (a booked calendar has few hours
    # free at the same time for both). The search goes on from the better one.
    best = None
    for split in (False, True):
        policy = dataclasses.replace(ctx.policy, split_mapping=split)
        timeline = ctx.timeline.copy()
        plans, failed = book_in_turn(ctx, timeline, ordered, policy, progress if not split else None)
        search = Search(ReferralPlanner(ctx, timeline, policy), [p for p in ordered if p.id in bookable], plans,
                        [p for p in failed if p.id in bookable], budget, progress)
        if best is None or search.score() < best[0].score():
            best = (search, failed)
    search, failed = best
    ctx.timeline = search.planner.timeline
    plans, searched = search.run()
    failed = searched + [p for p in failed if p.id not in bookable]
    plans.sort(key=lambda plan: plan.patient.id)
    failed.sort(key=lambda p: p.id)
    return plans, failed
