"""Run the planner and a first-come-first-served baseline on seeded instances.

    python benchmarks/run.py                 # every instance, markdown table on stdout
    python benchmarks/run.py --only S,M      # a subset
    python benchmarks/run.py --seeds 1       # S, M and L on their first seed only

Each run is a fresh process so that peak memory (max RSS) is its own. Figures per SPEC
section 5: placed, mean and p90 wait in business days, share of once-daily sessions
within 30 minutes of the usual start, chair changes, utilisation, wall time, peak RSS,
and rule violations found by `tms_sched.check`.

S, M and L run on several seeds (five by default) and report the mean over them (placed
and violations: the sums; seconds and memory: the largest). Their rows:

- planner: the clinic booked with `tms-sched plan`, its history as well;
- baseline: the clinic booked by hand, first come first served, its history as well;
- planner, hand-booked history: the day a clinic starts with tms-sched, the history
  booked by hand and the measured referrals by the planner.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import instances as gen  # noqa: E402

from tms_sched.calendar import ClinicCalendar  # noqa: E402
from tms_sched.plan.builder import Policy  # noqa: E402
from tms_sched.plan.planner import plan_schedule  # noqa: E402

# First come, first served, the way clinics book by hand: each patient in arrival order
# takes the earliest day and time at which the whole course can be booked at that same
# time every day (on any capable chair); a day without that time is skipped.
BASELINE = Policy(pick_time="earliest", pack=False, times_per_day=1, tolerance_minutes=0, any_time=False,
                  spare_physicians=False)
SEEDS = {"S": 11, "M": 22, "L": 33, "large": 44, "network": 55}
SMALL = ("S", "M", "L")
ROWS = {"planner": "planner", "baseline": "baseline", "switch": "planner, hand-booked history"}
PLANNER = (None, "smart")
BY_HAND = (BASELINE, "arrival")
# Who books a row's history and who books its measured referrals.
HISTORY = {"planner": PLANNER, "baseline": BY_HAND, "switch": BY_HAND}
MEASURED = {"planner": PLANNER, "baseline": BY_HAND, "switch": PLANNER}


def metrics(inst: gen.Instance, schedule, seconds: float) -> dict:
    clinic = inst.clinic
    zone = clinic.zone
    cal = ClinicCalendar(clinic)
    by_id = {p.id: p for p in inst.patients}
    waits, within, daily_total, chair_changes = [], 0, 0, 0
    booked = 0
    first_day, last_day = None, None
    for sp in schedule.patients:
        sessions = sorted((a for a in sp.appointments if a.kind != "assessment"), key=lambda a: a.start)
        if not sessions:
            continue
        d0 = sessions[0].start.astimezone(zone).date()
        p = by_id[sp.id]
        waits.append(cal.business_days(max(p.start_after or inst.today, inst.today), d0))
        per_day: dict[dt.date, list] = {}
        for a in sessions:
            per_day.setdefault(a.start.astimezone(zone).date(), []).append(a)
            booked += a.minutes
        daily = [v[0] for d, v in per_day.items() if len(v) == 1 and d != d0]
        if daily:
            mins = [a.start.astimezone(zone).hour * 60 + a.start.astimezone(zone).minute for a in daily]
            usual = statistics.median(mins)
            within += sum(1 for m in mins if abs(m - usual) <= 30)
            daily_total += len(mins)
        chair_changes += sum(1 for a, b in zip(sessions, sessions[1:]) if a.chair != b.chair)
        d1 = sessions[-1].start.astimezone(zone).date()
        first_day = d0 if first_day is None or d0 < first_day else first_day
        last_day = d1 if last_day is None or d1 > last_day else last_day
    window_end = inst.today + dt.timedelta(weeks=inst.weeks)
    capacity = gen.open_chair_minutes(clinic, inst.today, inst.weeks * 7)
    in_window = 0
    everything = [a for sp in schedule.patients for a in sp.appointments] + [a for _, a in inst.booked]
    for a in everything:
        if a.chair and inst.today <= a.start.astimezone(zone).date() < window_end:
            in_window += a.minutes
    waits.sort()
    return {
        "placed": f"{len(waits)}/{len(inst.patients)}",
        "mean_wait": statistics.mean(waits) if waits else float("nan"),
        "p90_wait": waits[int(0.9 * (len(waits) - 1))] if waits else float("nan"),
        "on_time": within / daily_total if daily_total else 1.0,
        "chair_changes": chair_changes,
        "utilisation": in_window / capacity if capacity else 0.0,
        "seconds": seconds,
        "violations": count_violations(inst, schedule),
    }


def count_violations(inst: gen.Instance, schedule) -> int | str:
    try:
        from tms_sched.check import check_schedule  # the independent checker
    except ImportError:
        return "n/a"

    from tms_sched.model.schedule import ScheduledPatient

    # The history shares the chairs: check it together with the new bookings.
    groups: dict[str, list] = {}
    for pid, appt in inst.booked:
        groups.setdefault(pid, []).append(appt)
    combined = schedule.model_copy(deep=True)
    for pid in sorted(groups):
        protocol = pid_protocol(inst, pid)
        combined.patients.append(ScheduledPatient(id=pid, protocol=protocol, appointments=groups[pid]))
    report = check_schedule(inst.clinic, combined, "benchmark")
    errors = [f for f in report.findings if f.severity == "error"]
    if errors and os.environ.get("BENCH_SHOW"):
        for f in errors[:20]:
            print(f.code, f.patient, f.appointment, f.message, file=sys.stderr)
    return len(errors)


def pid_protocol(inst: gen.Instance, pid: str) -> str:
    return inst.history_protocols[pid]


def run_one(args) -> dict:
    kind, load, which, seed, warmup = args
    inst = build(kind, load, seed, warmup)
    policy, order = MEASURED[which]
    if kind in SMALL:
        inst = inst.with_history(*HISTORY[which])
    t0 = time.process_time()
    if isinstance(inst, list):  # the network: each site on its own
        rows = []
        for site in inst:
            s0 = time.process_time()
            res = plan_schedule(site.clinic, site.patients, site.today, policy=policy, order=order)
            rows.append(metrics(site, res.schedule, time.process_time() - s0))
        seconds = time.process_time() - t0
        placed = sum(int(r["placed"].split("/")[0]) for r in rows)
        total = sum(int(r["placed"].split("/")[1]) for r in rows)
        out = {
            "placed": f"{placed}/{total}",
            "mean_wait": statistics.mean(r["mean_wait"] for r in rows),
            "p90_wait": statistics.mean(r["p90_wait"] for r in rows),
            "on_time": statistics.mean(r["on_time"] for r in rows),
            "chair_changes": sum(r["chair_changes"] for r in rows),
            "utilisation": statistics.mean(r["utilisation"] for r in rows),
            "seconds": seconds,
            "violations": sum(r["violations"] for r in rows) if all(isinstance(r["violations"], int) for r in rows) else "n/a",
        }
        out["label"] = f"network (staff load {statistics.mean(site.load for site in inst):.2f})"
    else:
        res = plan_schedule(inst.clinic, inst.patients, inst.today, policy=policy, order=order,
                            booked=inst.booked)
        seconds = time.process_time() - t0
        out = metrics(inst, res.schedule, seconds)
        out["label"] = inst.name if kind in SMALL else f"{kind} (staff load {inst.load:.2f})"
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def build(kind: str, load: float, seed: int | None = None, warmup: int = gen.WARMUP_WEEKS):
    seed = SEEDS[kind] if seed is None else seed
    if kind == "S":
        return gen.small("S", 4, 20, load, seed, warmup_weeks=warmup)
    if kind == "M":
        return gen.small("M", 6, 40, load, seed, warmup_weeks=warmup)
    if kind == "L":
        return gen.small("L", 8, 60, load, seed, stream=True, warmup_weeks=warmup)
    if kind == "large":
        return gen.large(SEEDS["large"])
    if kind == "network":
        return gen.network(SEEDS["network"])
    raise ValueError(kind)


PLAN = [("S", 0.6), ("S", 0.9), ("S", 1.05), ("M", 0.6), ("M", 0.9), ("M", 1.05),
        ("L", 0.6), ("L", 0.9), ("L", 1.05), ("large", 0.9), ("network", 0.9)]


def combine(rows: list[dict]) -> dict:
    """Several seeds' figures as one row: means, sums of counts, the largest cost."""
    placed = sum(int(r["placed"].split("/")[0]) for r in rows)
    total = sum(int(r["placed"].split("/")[1]) for r in rows)
    out = {key: statistics.mean(r[key] for r in rows)
           for key in ("mean_wait", "p90_wait", "on_time", "chair_changes", "utilisation")}
    out.update(placed=f"{placed}/{total}", seconds=max(r["seconds"] for r in rows),
               rss_mb=max(r["rss_mb"] for r in rows),
               violations=sum(r["violations"] for r in rows)
               if all(isinstance(r["violations"], int) for r in rows) else "n/a",
               per_seed=[r["mean_wait"] for r in rows], label=rows[0]["label"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated instance kinds (S,M,L,large,network)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds for S, M and L (default 5)")
    parser.add_argument("--warmup", type=int, default=gen.WARMUP_WEEKS,
                        help=f"weeks of history for S, M and L (default {gen.WARMUP_WEEKS})")
    args = parser.parse_args()
    kinds = set(args.only.split(",")) if args.only else None
    ctx = mp.get_context("spawn")
    print("| instance | who | placed | mean wait | p90 wait | within 30 min | chair changes | chair use | seconds "
          "| peak RSS MB | violations |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    waits: dict[tuple, list[float]] = {}
    for kind, load in PLAN:
        if kinds and kind not in kinds:
            continue
        small = kind in SMALL
        seeds = [SEEDS[kind] + k for k in range(args.seeds)] if small else [SEEDS[kind]]
        for which in ROWS if small else ("planner", "baseline"):
            rows = []
            for seed in seeds:
                with ctx.Pool(1) as pool:
                    rows.append(pool.apply(run_one, ((kind, load, which, seed, args.warmup),)))
            r = combine(rows)
            waits[(kind, load, which)] = r["per_seed"]
            print(f"| {r['label']} | {ROWS[which]} | {r['placed']} | {r['mean_wait']:.2f} | {r['p90_wait']:.1f} | "
                  f"{r['on_time'] * 100:.1f}% | {r['chair_changes']:.0f} | {r['utilisation'] * 100:.1f}% | "
                  f"{r['seconds']:.2f} | {r['rss_mb']:.0f} | {r['violations']} |", flush=True)
    if any(len(v) > 1 for v in waits.values()):
        print("\nMean wait per seed (business days):\n")
        print("| instance | seeds | planner | baseline | planner, hand-booked history |")
        print("|---|---|---|---|---|")
        for kind, load in PLAN:
            if (kind, load, "planner") not in waits or kind not in SMALL:
                continue
            cells = [" ".join(f"{w:.1f}" for w in waits[(kind, load, which)]) for which in ROWS]
            first = SEEDS[kind]
            print(f"| {kind} load {load:.2f} | {first}-{first + args.seeds - 1} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
