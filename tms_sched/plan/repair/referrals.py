"""Patients new to the roster, planned as in a first plan around everything booked."""

from __future__ import annotations

from ...model.patient import Patient
from ..builder import CourseBuilder
from ..planner import PatientPlan, commit, smart_order
from .state import RepairContext


def plan_referrals(ctx: RepairContext, fresh: list[Patient], progress):
    plans: list[PatientPlan] = []
    failed: list[Patient] = []
    ordered = smart_order(ctx.clinic, fresh, ctx.today)
    for i, patient in enumerate(ordered):
        protocol = ctx.clinic.protocols.get(patient.protocol)
        builder = CourseBuilder(ctx.timeline, ctx.clinic, patient, protocol, ctx.freeze_until, ctx.policy) \
            if protocol else None
        attempt = builder.search() if builder and builder.chairs else None
        if attempt is None:
            failed.append(patient)
        else:
            commit(ctx.timeline, patient, attempt)
            plans.append(PatientPlan(patient, sorted(attempt.bookings, key=lambda b: (b.day, b.start))))
        if progress:
            progress(i + 1, len(ordered))
    return plans, failed
