"""What the clinical-model keys do to waits and chair use on instance M (RESULTS.md).

M (6 chairs, 40 measured referrals after 8 weeks of history, load 0.9, seed 22) is
planned four times on each of two staffings:

- the benchmark's own staffing: a technician per chair, a physician and a clinician all
  day (staff never bind);
- a lean staffing: two technicians all day, one physician 08:00-17:00, one clinician all
  day (four people for six chairs: staff bind).

The four variants: today's rules; ``[clinic] supervision = "physician"``;
``patients_per_staff = 2`` for the iTBS protocols (standard-itbs and accelerated-5x5);
both. Each variant books its own history week by week the way the planner would, then
the measured referrals; the figures are those of run.py (mean and p90 wait in business
days, chair use over the measured weeks), with the independent checker's error count.

    python benchmarks/clinical_model.py            prints the table (markdown)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import instances as gen  # noqa: E402
import run  # noqa: E402

from tms_sched.model.clinic import Clinic, ClinicInfo, StaffMember  # noqa: E402
from tms_sched.model.protocol import Protocol  # noqa: E402
from tms_sched.plan.planner import plan_schedule  # noqa: E402

ITBS = ("standard-itbs", "accelerated-5x5")
SHIFT = {d: "07:30-18:00" for d in ("mon", "tue", "wed", "thu", "fri")}


def lean_staff() -> list[StaffMember]:
    doctor = {d: "08:00-17:00" for d in SHIFT}
    return [StaffMember.model_validate({"id": "dr-1", "role": "physician", "hours": doctor}),
            StaffMember.model_validate({"id": "rn-1", "role": "clinician", "hours": SHIFT}),
            StaffMember.model_validate({"id": "tech-01", "role": "technician", "hours": SHIFT}),
            StaffMember.model_validate({"id": "tech-02", "role": "technician", "hours": SHIFT})]


def variant(clinic: Clinic, supervision: bool, ratio: bool, staff: list[StaffMember] | None) -> Clinic:
    info: ClinicInfo = clinic.info.model_copy(update={"supervision": "physician" if supervision else None})
    protocols: dict[str, Protocol] = dict(clinic.protocols)
    if ratio:
        for pid in ITBS:
            protocols[pid] = protocols[pid].model_copy(update={"patients_per_staff": 2})
    return dataclasses.replace(clinic, info=info, protocols=protocols,
                               staff=list(clinic.staff if staff is None else staff))


def book(inst: gen.Instance) -> tuple[dict, float]:
    """History week by week, then the measured referrals; the run.py figures."""
    booked: list = []
    protocols_of: dict[str, str] = {}
    for w in range(inst.warmup_weeks):
        monday = inst.history_from + dt.timedelta(weeks=w)
        week = [p for p in inst.history if monday <= p.start_after < monday + dt.timedelta(weeks=1)]
        if week:
            result = plan_schedule(inst.clinic, week, monday, booked=booked, booked_protocols=protocols_of)
            for sp in result.schedule.patients:
                protocols_of[sp.id] = sp.protocol
                booked.extend((sp.id, a) for a in sp.appointments)
    inst = dataclasses.replace(inst, booked=booked, history_protocols=protocols_of)
    t0 = time.process_time()
    result = plan_schedule(inst.clinic, inst.patients, inst.today, booked=booked, booked_protocols=protocols_of)
    return run.metrics(inst, result.schedule, time.process_time() - t0), time.process_time() - t0


def main() -> None:
    base = run.build("M", 0.9)
    print("| staffing | supervision | iTBS ratio | placed | mean wait | p90 wait | chair use | violations |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for staffing, staff in (("one technician per chair", None), ("lean: 2 technicians, 1 physician 08-17", lean_staff())):
        for supervision, ratio in ((False, False), (True, False), (False, True), (True, True)):
            inst = dataclasses.replace(base, clinic=variant(base.clinic, supervision, ratio, staff))
            m, _ = book(inst)
            print(f"| {staffing} | {'physician' if supervision else '-'} | {'2' if ratio else '1'} | {m['placed']} "
                  f"| {m['mean_wait']:.1f} | {m['p90_wait']} | {100 * m['utilisation']:.0f}% | {m['violations']} |",
                  flush=True)


if __name__ == "__main__":
    main()
