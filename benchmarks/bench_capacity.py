"""How long `tms-sched capacity` takes on an M clinic (not a test; prints figures).

    python benchmarks/bench_capacity.py                    # 26 weeks, 6 variants, 5 seeds, load 0.6
    python benchmarks/bench_capacity.py --load 0.9 --jobs 2

The clinic is benchmarks/instances.py's M (six chairs, one technician per chair, a
physician and a clinician, open 07:30-18:00 on weekdays). Referrals arrive in the
instances' protocol mix at the rate that asks for ``--load`` of its open chair time a
week. Six variants: today's and the first five of the command's list (one more chair of
each kind, one more clinician, physician, technician; the hour variant is the seventh
and is left out unless ``--variants 7``). Prints wall and CPU seconds (the processes
of ``--jobs`` included) and the peak memory of one process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import instances as gen  # noqa: E402

from tms_sched.capacity.simulate import REACH_WEEKS, Setup, simulate  # noqa: E402
from tms_sched.capacity.referrals import booking_days  # noqa: E402
from tms_sched.capacity.variants import clinic_variants  # noqa: E402


def rates_for(clinic, load: float) -> dict[str, float]:
    protos = gen.protocols()
    per_referral = sum(w * gen.course_hours(protos[pid]) for pid, w in gen.MIX)
    rate = load * gen.open_chair_hours_per_week(clinic) / per_referral
    return {pid: round(rate * w, 2) for pid, w in gen.MIX}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--load", type=float, default=0.6)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--variants", type=int, default=6)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    clinic = gen.make_clinic("M", 6)
    rates = rates_for(clinic, args.load)
    setup = Setup(clinic, gen.START)
    last = booking_days(gen.START, args.weeks)[-1] + dt.timedelta(weeks=REACH_WEEKS)
    variants = clinic_variants(clinic, gen.START, last, needed=setup.capabilities_in_use(rates))[: args.variants]
    wall, cpu = time.perf_counter(), time.process_time()
    report = simulate(setup, rates, weeks=args.weeks, runs=args.runs, variants=variants, jobs=args.jobs)
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    referrals = sum(len(ws) for o in report.outcomes[:1] for run in o.runs for ws in run.waits.values())
    print(f"M clinic, load {args.load:.2f}: {sum(rates.values()):.1f} referrals a week "
          f"({', '.join(f'{p} {r:g}' for p, r in rates.items())})")
    print(f"{args.weeks} weeks x {len(variants)} variants x {args.runs} seeds, jobs {args.jobs}: "
          f"{wall:.1f} s wall, {cpu:.1f} s CPU, peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"referrals booked on today's clinic, all seeds: {referrals}")
    for o in report.outcomes:
        waits = ", ".join(f"{p} {o.mean_wait(p) or 0:.1f}/{o.p90_wait(p)}" for p in report.protocols)
        print(f"  {o.variant.name:28} mean/p90 wait: {waits}; unplaced {o.total_unplaced():.1f}; binding {o.binding}")


if __name__ == "__main__":
    main()
