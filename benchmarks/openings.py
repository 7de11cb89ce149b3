"""Where a new course could begin on an instance's booked history.

    python benchmarks/openings.py                      # L at 0.90 and 1.05, history by hand
    python benchmarks/openings.py --only S --loads 0.9 --history planner

A course begins with its mapping: an hour on a capable chair with a physician free for
that same hour. Before any new referral is booked, this prints, week by week, on how
many open days the history (the referrals of the weeks before today, booked by hand or
by the planner, see instances.py) leaves such an opening for a patient free all day, for a standard 10 Hz course and for an
iTBS course, and whether the planner's search finds a whole 5x5 week starting that
Monday. It shows the weeks in
which no planner can start a new course, whatever order or times it chooses.

It then prints a lower bound on the mean wait that any plan of the new referrals can
reach on that history. New bookings only take time away, so a course can start only
on a day where the history leaves its mapping an hour that fits the patient's
availability (for an accelerated course: a Monday of five open days, early enough for
the day's other sessions), and on one day no more courses can start than there are
disjoint such hours (per physician, and per chair). Everything else a course needs is
left out, which is what makes it a bound: the earliest start days under these two
conditions alone, found exactly (a cheapest matching of patients to start days; the
cost of a day is the same for every patient, so taking days earliest first is optimal).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import instances as gen  # noqa: E402
import run  # noqa: E402

from tms_sched.model.patient import Patient  # noqa: E402
from tms_sched.plan.builder import Attempt, CourseBuilder, Policy  # noqa: E402
from tms_sched.model.protocol import DailyPhase  # noqa: E402
from tms_sched.plan.planner import Planner  # noqa: E402
from tms_sched.plan.timeline import bits, mask_of, run_starts  # noqa: E402


def disjoint(starts: int, length: int) -> int:
    """The most starts in ``starts`` pairwise at least ``length`` apart (earliest first)."""
    count, after = 0, 0
    for s in bits(starts):
        if s >= after:
            count, after = count + 1, s + length
    return count


def wait_bound(inst: gen.Instance, horizon_weeks: int = 30) -> float:
    """A lower bound on the mean wait (business days) of the new referrals; see above."""
    clinic = inst.clinic
    planner = Planner(clinic, inst.today, booked=inst.booked)
    timeline = planner.new_timeline()
    cal = planner.calendar
    slot = clinic.info.slot_minutes
    doctors = [s.id for s in clinic.staff if s.role == "physician"]
    days = [inst.today + dt.timedelta(days=k) for k in range(horizon_weeks * 7)]
    days = [d for d in days if cal.is_open(d)]
    memo: dict[tuple, int] = {}

    def mapping_starts(chairs: tuple[str, ...], d: dt.date, length: int) -> int:
        """Starts of an hour on one of ``chairs`` with a physician free for it (if any)."""
        key = (chairs, d, length)
        if key not in memo:
            m = 0
            for c in chairs:
                m |= run_starts(timeline.chair_free(c, d), length)
            if doctors:
                free = 0
                for x in doctors:
                    free |= run_starts(timeline.staff_free(x, d), length)
                m &= free
            memo[key] = m
        return memo[key]

    # On one day, no more courses start than the disjoint mapping hours of each
    # physician, nor than those of each chair (the shortest mapping of the roster).
    shortest = min(-(-clinic.protocols[p.protocol].first_minutes // slot) for p in inst.patients)
    every_chair = tuple(c.id for c in clinic.chairs)
    capacity: dict[dt.date, int] = {}
    for d in days:
        by_chair = sum(disjoint(run_starts(timeline.chair_free(c, d), shortest), shortest) for c in every_chair)
        anywhere = mapping_starts(every_chair, d, shortest)
        by_doctor = sum(disjoint(anywhere & run_starts(timeline.staff_free(x, d), shortest), shortest)
                        for x in doctors)
        capacity[d] = min(by_doctor, by_chair) if doctors else by_chair
    feasible: dict[str, set[dt.date]] = {}
    for p in inst.patients:
        protocol = clinic.protocols[p.protocol]
        first = -(-protocol.first_minutes // slot)
        phase = protocol.phases[0]
        day1 = protocol.first_minutes
        consecutive = isinstance(phase, DailyPhase) and phase.consecutive
        if consecutive:
            day1 += (phase.per_day - 1) * (protocol.session_minutes + phase.min_gap_minutes)
        capable = tuple(c.id for c in clinic.chairs_for(protocol.capability))
        hours = p.availability if p.availability is not None else clinic.info.hours
        ok = set()
        for d in days:
            if d < max(p.start_after or inst.today, inst.today) or d in p.unavailable:
                continue
            if consecutive and not all(cal.is_open(d + dt.timedelta(days=k)) for k in range(1, phase.days)):
                continue
            close = max((e for _, e in cal.open_windows(d)), default=0)
            latest = (close - day1) // slot  # the day's other sessions must end by closing time
            if latest < 0:
                continue
            avail = run_starts(mask_of(hours.get(gen.WEEKDAYS[d.weekday()], ()), slot), first)
            if mapping_starts(capable, d, first) & avail & ((1 << (latest + 1)) - 1):
                ok.add(d)
        feasible[p.id] = ok
    # Start days earliest first; a day is kept when the patients can be matched to the
    # days kept so far (an augmenting path), which gives the cheapest complete matching.
    who: dict[int, str] = {}  # slot number -> patient
    of: dict[str, int] = {}
    slots: list[dt.date] = []
    can = feasible

    def augment(k: int, seen: set[str]) -> bool:
        for pid in can:
            if slots[k] in can[pid] and pid not in seen:
                seen.add(pid)
                if pid not in of or augment(of[pid], seen):
                    who[k], of[pid] = pid, k
                    return True
        return False

    for d in days:
        for _ in range(capacity[d]):
            slots.append(d)
            if not augment(len(slots) - 1, set()):
                slots.pop()
                break
            if len(of) == len(inst.patients):
                break
        if len(of) == len(inst.patients):
            break
    if len(of) < len(inst.patients):
        return float("nan")
    by_id = {p.id: p for p in inst.patients}
    total = sum(cal.business_days(max(by_id[pid].start_after or inst.today, inst.today), slots[k])
                for pid, k in of.items())
    return total / len(inst.patients)


def openings(inst: gen.Instance, weeks: int) -> list[tuple[dt.date, int, int, int, bool]]:
    """(Monday, open days, days with a 10 Hz opening, days with an iTBS opening, 5x5 can start)."""
    planner = Planner(inst.clinic, inst.today, booked=inst.booked)
    timeline = planner.new_timeline()

    def builder(protocol: str) -> CourseBuilder:
        probe = Patient.model_validate({"id": "PROBE", "protocol": protocol, "start_after": inst.today})
        return CourseBuilder(timeline, inst.clinic, probe, inst.clinic.protocols[protocol], inst.today, Policy())

    tenhz, itbs, accelerated = builder("standard-10hz"), builder("standard-itbs"), builder("accelerated-5x5")
    rows = []
    for w in range(weeks):
        monday = inst.today + dt.timedelta(weeks=w)
        days = [monday + dt.timedelta(days=k) for k in range(7)]
        days = [d for d in days if planner.calendar.is_open(d)]
        a = sum(1 for d in days if tenhz.mapping_masks(d, Attempt()))
        b = sum(1 for d in days if itbs.mapping_masks(d, Attempt()))
        rows.append((monday, len(days), a, b, accelerated.try_day(monday) is not None))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="L", help="instance kind: S, M or L")
    parser.add_argument("--loads", default="0.9,1.05", help="comma-separated loads")
    parser.add_argument("--weeks", type=int, default=14, help="weeks from the benchmark's today")
    parser.add_argument("--history", choices=("hand", "planner"), default="hand",
                        help="who booked the weeks before today (default: by hand)")
    parser.add_argument("--seed", type=int, help="the instance's seed (default: its first)")
    args = parser.parse_args()
    booking = (run.BASELINE, "arrival") if args.history == "hand" else (None, "smart")
    for load in (float(x) for x in args.loads.split(",")):
        inst = run.build(args.only, load, args.seed).with_history(*booking)
        print(f"\n{inst.name}, history booked {'by hand' if args.history == 'hand' else 'by the planner'}: "
              "openings left (open days / with a 10 Hz opening / "
              "with an iTBS opening / a 5x5 week can start)\n")
        print("| week of | open days | 10 Hz | iTBS | 5x5 |")
        print("|---|---|---|---|---|")
        for monday, days, a, b, acc in openings(inst, args.weeks):
            print(f"| {monday} | {days} | {a} | {b} | {'yes' if acc else 'no'} |")
        print(f"\nLower bound on the mean wait of any plan: {wait_bound(inst):.2f} business days")


if __name__ == "__main__":
    main()
