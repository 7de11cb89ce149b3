"""The yardstick: the best plan of small tight clinics, proven by an exact model.

    python benchmarks/yardstick.py generate        # (re)write benchmarks/yardstick/*/ clinic + roster
    python benchmarks/yardstick.py solve [--only Y01,Y02] [--seconds 60]   # needs the bench extra
    python benchmarks/yardstick.py compare         # plan each instance with tms-sched, gap table

SPEC section 5, revision 2. Each instance is a clinic file and a roster in
``benchmarks/yardstick/NAME/``; ``optimum.json`` beside them holds what the exact
model (OR-Tools CP-SAT, ``pip install -e '.[bench]'``) proved. ``compare`` needs only
tms-sched itself and reads the committed optima, as the tests do.

The exact model books each course as a start day, a time for the mapping that day and
one usual time of day: a session at the usual time on each following open day (an
accelerated 5x5 course: its five sessions a day from one time, every 70 minutes, on the
five days of one week, the mapping first). It minimises, in this order: patients left
unplaced (an urgent one counting more than every routine one together), the urgent
patients' total wait, then the total wait, in business days. The instances are built so
that this model is exact for them: no staff (no staff rules), chairs that all carry
every capability, every patient free the same hours on every weekday, no holidays, a
ten-minute grid. A plan may still do better than the model where it moves a session
within its 30 minutes or skips a day: the model keeps every course at one steady time,
which is what clinics promise (SPEC section 1). A negative gap means the planner found
such a plan.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE / "yardstick"
TODAY = dt.date(2027, 3, 1)  # a Monday
SLOT = 10  # minutes: the clinics' planning grain
HORIZON_WEEKS = 26
DAYS = HORIZON_WEEKS * 5 + 30  # open days the model looks at: every start day, plus a course's length

# Per protocol: slots of the mapping, of a session, sessions a day, days.
SHAPES = {
    "standard-10hz": (6, 4, 1, 30),
    "standard-itbs": (6, 1, 1, 30),
    "accelerated-5x5": (6, 2, 5, 5),
}
GAP_5X5 = 5  # slots: 50 minutes between the end of one session and the next


@dataclass(frozen=True)
class Spec:
    name: str
    chairs: int
    patients: int
    mix: tuple[tuple[str, float], ...]
    hours: tuple[str, str]
    seed: int
    urgent: int
    deadlines: float  # share of routine patients with a deadline
    narrow: float  # share of patients with a narrow window


TEN = (("standard-10hz", 1.0),)
MIXED = (("standard-10hz", 0.5), ("standard-itbs", 0.5))
WITH_5X5 = (("standard-10hz", 0.45), ("standard-itbs", 0.4), ("accelerated-5x5", 0.15))

SPECS = [
    Spec("Y01", 1, 12, TEN, ("08:00", "13:00"), 0, 1, 0.0, 1.0),  # the one-chair clinic, drawn below
    Spec("Y02", 2, 20, MIXED, ("08:00", "13:00"), 102, 2, 0.0, 1.0),
    Spec("Y03", 1, 10, MIXED, ("08:00", "12:00"), 103, 1, 0.3, 0.8),
    Spec("Y04", 1, 14, MIXED, ("08:00", "13:00"), 104, 2, 0.3, 0.9),
    Spec("Y05", 2, 18, TEN, ("08:00", "13:00"), 105, 2, 0.3, 0.9),
    Spec("Y06", 2, 22, MIXED, ("07:30", "12:30"), 106, 3, 0.3, 0.9),
    Spec("Y07", 2, 16, WITH_5X5, ("08:00", "14:00"), 107, 2, 0.2, 0.7),
    Spec("Y08", 3, 26, MIXED, ("08:00", "13:00"), 108, 3, 0.3, 0.9),
    Spec("Y09", 3, 30, WITH_5X5, ("08:00", "14:00"), 109, 3, 0.2, 0.8),
    Spec("Y10", 3, 30, TEN, ("08:00", "13:00"), 110, 3, 0.3, 0.9),
    Spec("Y11", 2, 24, WITH_5X5, ("08:00", "14:00"), 111, 2, 0.3, 0.8),
    Spec("Y12", 1, 12, MIXED, ("08:00", "12:00"), 112, 2, 0.0, 1.0),
]


def minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def hhmm(total: int) -> str:
    return f"{total // 60:02d}:{total % 60:02d}"


def day_of(index: int) -> dt.date:
    """The date of the ``index``-th weekday from TODAY (the instances have no holidays)."""
    return TODAY + dt.timedelta(days=index // 5 * 7 + index % 5)


def index_of(day: dt.date) -> int:
    """The first weekday on or after ``day``, as an index from TODAY."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    delta = (day - TODAY).days
    return delta // 7 * 5 + delta % 7


# -- generating --------------------------------------------------------------------

def draw(spec: Spec) -> list[dict]:
    """The roster of one instance, from its seed."""
    if spec.name == "Y01":
        # Eleven 10 Hz patients who can only come 08:00-10:30 and one urgent iTBS
        # patient free all morning, everyone waiting from today.
        out = [dict(id=f"{spec.name}-{i:02d}", protocol="standard-10hz", start_after=TODAY,
                    window=("08:00", "10:30")) for i in range(1, 12)]
        out.append(dict(id=f"{spec.name}-12", protocol="standard-itbs", start_after=TODAY,
                        window=spec.hours, priority="urgent"))
        return out
    rng = random.Random(spec.seed)
    open_from, open_to = minutes(spec.hours[0]), minutes(spec.hours[1])
    out: list[dict] = []
    urgent = set(rng.sample(range(spec.patients), spec.urgent))
    for i in range(spec.patients):
        r, acc = rng.random(), 0.0
        protocol = spec.mix[-1][0]
        for name, share in spec.mix:
            acc += share
            if r < acc:
                protocol = name
                break
        start_after = TODAY + dt.timedelta(days=rng.choice([0, 0, 0, 1, 7, 14]))
        entry: dict = dict(id=f"{spec.name}-{i + 1:02d}", protocol=protocol, start_after=start_after)
        if protocol != "accelerated-5x5" and rng.random() < spec.narrow:
            # Narrow: the first or the second half of the opening hours (before or after
            # work), as in the one-chair clinic; few distinct windows keep the
            # exact model provable.
            middle = open_from + (open_to - open_from) // 60 * 30
            entry["window"] = rng.choice([(spec.hours[0], hhmm(middle)), (hhmm(middle), spec.hours[1])])
        else:
            entry["window"] = spec.hours
        if i in urgent:
            entry["priority"] = "urgent"
        elif rng.random() < spec.deadlines:
            weeks = 6 if protocol != "accelerated-5x5" else 1
            entry["deadline"] = start_after + dt.timedelta(weeks=weeks + rng.choice([3, 5, 8, 12]))
        out.append(entry)
    return out


def clinic_toml(spec: Spec) -> str:
    days = ("mon", "tue", "wed", "thu", "fri")
    hours = "\n".join(f'{d} = "{spec.hours[0]}-{spec.hours[1]}"' for d in days)
    chairs = "\n".join(f'[[chairs]]\nid = "{chr(65 + i)}"\ncapabilities = ["10hz", "itbs"]\n'
                       for i in range(spec.chairs))
    return (f"# Yardstick instance {spec.name}: {spec.chairs} chair(s), {spec.patients} patients "
            f"(benchmarks/yardstick.py, seed {spec.seed}).\n"
            f"# No staff, no holidays: the exact model books this clinic as it is.\n\n"
            f'[clinic]\nname = "Yardstick {spec.name}"\ntimezone = "Europe/London"\n'
            f"slot_minutes = {SLOT}\nhorizon_weeks = {HORIZON_WEEKS}\n\n"
            f"[clinic.hours]\n{hours}\n\n{chairs}")


def roster_toml(spec: Spec, roster: list[dict]) -> str:
    lines = [f"# Yardstick instance {spec.name}: today is {TODAY} (plan with --today {TODAY}).\n"]
    for p in roster:
        lines.append("[[patients]]")
        lines.append(f'id = "{p["id"]}"')
        lines.append(f'protocol = "{p["protocol"]}"')
        lines.append(f"start_after = {p['start_after']}")
        if "deadline" in p:
            lines.append(f"deadline = {p['deadline']}")
        if "priority" in p:
            lines.append(f'priority = "{p["priority"]}"')
        a, b = p["window"]
        lines.append("availability = { " + ", ".join(f'{d} = "{a}-{b}"' for d in ("mon", "tue", "wed", "thu", "fri"))
                     + " }")
        lines.append("")
    return "\n".join(lines)


def generate() -> None:
    for spec in SPECS:
        folder = ROOT / spec.name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "clinic.toml").write_text(clinic_toml(spec), encoding="utf-8")
        (folder / "roster.toml").write_text(roster_toml(spec, draw(spec)), encoding="utf-8")
        print(f"wrote {folder.relative_to(HERE.parent)}")


# -- the exact model -----------------------------------------------------------------

def load(name: str):
    """The clinic and patients of an instance, read as tms-sched reads them."""
    from tms_sched.io import load_setup

    folder = ROOT / name
    clinic, roster = load_setup(str(folder / "clinic.toml"), [str(folder / "roster.toml")])
    return clinic, roster.patients


def pattern(protocol: str) -> list[tuple[int, list[tuple[int, int]]]]:
    """(day offset, [(first slot, end slot) relative to the usual time]) of a course."""
    first, length, per_day, days = SHAPES[protocol]
    if per_day == 1:  # the mapping day is chosen on its own (see solve)
        return [(k, [(0, length)]) for k in range(1, days)]
    out = []
    for k in range(days):
        runs, at = [], 0
        for j in range(per_day):
            size = first if (k == 0 and j == 0) else length
            runs.append((at, at + size))
            at += size + GAP_5X5
        out.append((k, runs))
    return out


def span_of(patient, open_from: int, open_to: int) -> tuple[int, int]:
    """The slots of the day a patient can come, inside opening hours."""
    window = patient.availability["mon"][0]
    return max(window[0] // SLOT, open_from), min(window[1] // SLOT, open_to)


def solve(name: str, seconds: float, workers: int = 2) -> dict:
    from ortools.sat.python import cp_model

    clinic, patients = load(name)
    hours = clinic.info.hours["mon"][0]
    open_from, open_to = hours[0] // SLOT, hours[1] // SLOT
    chairs = len(clinic.chairs)
    horizon_last = index_of(TODAY + dt.timedelta(weeks=HORIZON_WEEKS)) - 1
    model = cp_model.CpModel()
    by_slot: dict[int, list] = {}
    present: dict[str, list] = {}
    start: dict[str, cp_model.IntVar] = {}
    earliest: dict[str, int] = {}
    for p in patients:
        window = p.availability["mon"][0]
        lo, hi = max(window[0] // SLOT, open_from), min(window[1] // SLOT, open_to)
        shape = pattern(p.protocol)
        reach = max(b for _, runs in shape for _, b in runs)
        span = max(k for k, _ in shape) + 1
        first = index_of(max(p.start_after or TODAY, TODAY))
        earliest[p.id] = first
        # The baseline assessment lies 1 to 14 days before the first session and never
        # before today, so a course cannot start on today itself.
        low = max(first, 1)
        high = horizon_last
        if p.deadline is not None:
            high = min(high, index_of(p.deadline + dt.timedelta(days=1)) - span)
        per_day = SHAPES[p.protocol][2]
        domain = [d for d in range(low, high + 1) if per_day == 1 or d % 5 == 0]
        d = model.new_int_var_from_domain(cp_model.Domain.from_values(domain or [low]), f"d_{p.id}")
        start[p.id] = d
        lits = []
        if domain:
            for t in range(lo, hi - reach + 1):
                z = model.new_bool_var(f"z_{p.id}_{t}")
                lits.append((t, z))
                # One interval per slot the course holds: over the days it holds that slot.
                held: dict[int, list[int]] = {}
                for k, runs in shape:
                    for a, b in runs:
                        for s in range(t + a, t + b):
                            held.setdefault(s, []).append(k)
                for s, ks in held.items():
                    ks.sort()
                    i = 0
                    while i < len(ks):  # consecutive day offsets make one interval
                        j = i
                        while j + 1 < len(ks) and ks[j + 1] == ks[j] + 1:
                            j += 1
                        iv = model.new_optional_fixed_size_interval_var(d + ks[i], ks[j] - ks[i] + 1, z,
                                                                       f"i_{p.id}_{t}_{s}_{i}")
                        by_slot.setdefault(s, []).append(iv)
                        i = j + 1
            if per_day == 1:
                # The mapping, on the start day, at a time of its own: the usual time is
                # that of the once-daily sessions, the mapping day left out (SPEC section 5).
                first_len = SHAPES[p.protocol][0]
                maps = []
                for u in range(lo, hi - first_len + 1):
                    m = model.new_bool_var(f"m_{p.id}_{u}")
                    maps.append(m)
                    for s in range(u, u + first_len):
                        by_slot.setdefault(s, []).append(
                            model.new_optional_fixed_size_interval_var(d, 1, m, f"mi_{p.id}_{u}_{s}"))
                model.add(sum(maps) == sum(z for _, z in lits))
        model.add(sum(z for _, z in lits) <= 1)
        present[p.id] = lits
    for s, ivs in sorted(by_slot.items()):
        if len(ivs) > chairs:
            model.add_cumulative(ivs, [1] * len(ivs), chairs)
    # Implied constraints that let the solver prove its bound: within any patient's
    # window W, the courses that must lie inside W can use no more than W's chair time a
    # day (when they are all as long, no more than the sessions that fit on each chair).
    # The same as linear constraints over start-day indicators, whose LP relaxation
    # gives the solver a bound to prove with.
    at: dict[str, dict[int, cp_model.IntVar]] = {}
    for p in patients:
        if not present[p.id]:
            continue
        lit = model.new_bool_var(f"booked_{p.id}")
        model.add(sum(z for _, z in present[p.id]) == 1).only_enforce_if(lit)
        model.add(sum(z for _, z in present[p.id]) == 0).only_enforce_if(~lit)
        days = {}
        domain = cp_model.Domain.from_flat_intervals(list(start[p.id].proto.domain)).flattened_intervals()
        values = [v for a, b in zip(domain[::2], domain[1::2]) for v in range(a, b + 1)]
        for v in values:
            days[v] = model.new_bool_var(f"x_{p.id}_{v}")
            model.add(start[p.id] == v).only_enforce_if(days[v])
        model.add(sum(days.values()) == lit)
        at[p.id] = days
    windows = sorted({span_of(p, open_from, open_to) for p in patients} | {(open_from, open_to)})
    for lo, hi in windows:
        inside = [p for p in patients if lo <= span_of(p, open_from, open_to)[0]
                  and span_of(p, open_from, open_to)[1] <= hi and p.id in at]
        if len(inside) < 2:
            continue
        lengths = {SHAPES[p.protocol][1] * SHAPES[p.protocol][2] for p in inside}
        same = len(lengths) == 1
        capacity = chairs * ((hi - lo) // next(iter(lengths)) if same else (hi - lo))
        last = max(max(at[p.id]) + SHAPES[p.protocol][3] for p in inside)
        for k in range(min(min(at[p.id]) for p in inside), last):
            terms = []
            for p in inside:
                size = 1 if same else SHAPES[p.protocol][1] * SHAPES[p.protocol][2]
                days = SHAPES[p.protocol][3]
                terms += [size * x for v, x in at[p.id].items() if v <= k < v + days]
            if len(terms) > capacity:
                model.add(sum(terms) <= capacity)
    for lo, hi in windows:
        inside = [p for p in patients if lo <= span_of(p, open_from, open_to)[0]
                  and span_of(p, open_from, open_to)[1] <= hi and present[p.id]]
        if len(inside) < 2:
            continue
        lengths = {SHAPES[p.protocol][1] * SHAPES[p.protocol][2] for p in inside}
        ivs, demands = [], []
        for p in inside:
            days = SHAPES[p.protocol][3]
            on = model.new_bool_var(f"on_{p.id}_{lo}_{hi}")
            model.add(sum(z for _, z in present[p.id]) == 1).only_enforce_if(on)
            model.add(sum(z for _, z in present[p.id]) == 0).only_enforce_if(~on)
            ivs.append(model.new_optional_fixed_size_interval_var(start[p.id], days, on, f"w_{p.id}_{lo}"))
            demands.append(1 if len(lengths) == 1 else SHAPES[p.protocol][1] * SHAPES[p.protocol][2])
        if len(lengths) == 1:
            capacity = chairs * ((hi - lo) // lengths.pop())
        else:
            capacity = chairs * (hi - lo)
        model.add_cumulative(ivs, demands, capacity)
    # Patients alike in every respect are interchangeable: take them in start-day order.
    alike: dict[tuple, list] = {}
    for p in patients:
        key = (p.protocol, span_of(p, open_from, open_to), p.start_after, p.deadline, p.priority)
        alike.setdefault(key, []).append(p.id)
    for ids in alike.values():
        for a, b in zip(ids, ids[1:]):
            if present[a] and present[b]:
                placed_a = sum(z for _, z in present[a])
                placed_b = sum(z for _, z in present[b])
                model.add(placed_a >= placed_b)
                both = model.new_bool_var(f"both_{a}_{b}")
                model.add(placed_b == 1).only_enforce_if(both)
                model.add(placed_b == 0).only_enforce_if(~both)
                model.add(start[a] <= start[b]).only_enforce_if(both)
    placed = {p.id: sum(z for _, z in present[p.id]) for p in patients}
    wait = {}
    for p in patients:
        w = model.new_int_var(0, DAYS, f"w_{p.id}")
        # The wait counts only for a placed patient (an unplaced one is counted above it).
        lit = model.new_bool_var(f"placed_{p.id}")
        model.add(placed[p.id] == 1).only_enforce_if(lit)
        model.add(placed[p.id] == 0).only_enforce_if(~lit)
        model.add(w == start[p.id] - earliest[p.id]).only_enforce_if(lit)
        model.add(w == 0).only_enforce_if(~lit)
        wait[p.id] = w
    urgent = [p.id for p in patients if p.priority == "urgent"]
    lost = len(patients) + 1
    levels = [
        ("unplaced", sum(lost * (1 - placed[i]) for i in urgent)
         + sum(1 - placed[p.id] for p in patients if p.id not in urgent)),
        ("urgent_wait", sum(wait[i] for i in urgent)),
        ("total_wait", sum(wait.values())),
    ]
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.random_seed = 1
    solver.parameters.linearization_level = 2
    out: dict = {"instance": name, "model": "mapping at any time, then one steady time on consecutive open days", "levels": {}}
    began = time.perf_counter()
    for label, expr in levels:
        model.minimize(expr)
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise SystemExit(f"{name}: no solution for {label} ({solver.status_name(status)})")
        value = round(solver.objective_value)
        bound = round(solver.best_objective_bound + 0.4999)
        out["levels"][label] = {"value": value, "bound": bound, "status": solver.status_name(status)}
        # Hold this level at what was found before the next one is minimised; keep the
        # plan as a hint so the next solve starts from it.
        model.add(expr <= value)
        model.clear_hints()
        for p in patients:
            model.add_hint(start[p.id], solver.value(start[p.id]))
            for _, z in present[p.id]:
                model.add_hint(z, solver.value(z))
    out["seconds"] = round(time.perf_counter() - began, 1)
    out["unplaced"] = sorted(p.id for p in patients if solver.value(placed[p.id]) == 0)
    out["urgent_wait"] = out["levels"]["urgent_wait"]["value"]
    out["total_wait"] = out["levels"]["total_wait"]["value"]
    out["total_wait_bound"] = out["levels"]["total_wait"]["bound"]
    out["optimal"] = all(v["status"] == "OPTIMAL" for v in out["levels"].values())
    out["starts"] = {
        p.id: {"day": day_of(solver.value(start[p.id])).isoformat(),
               "time": hhmm(next(t for t, z in present[p.id] if solver.value(z)) * SLOT)}
        for p in patients if solver.value(placed[p.id])
    }
    return out


# -- the planner against it -------------------------------------------------------------

def planned(name: str, effort: str | None = None) -> dict:
    """Plan an instance with tms-sched (as ``plan --today TODAY`` does) and measure it."""
    from tms_sched.calendar import ClinicCalendar
    from tms_sched.plan.planner import plan_schedule

    clinic, patients = load(name)
    cal = ClinicCalendar(clinic)
    kwargs = {} if effort is None else {"effort": effort}
    began = time.process_time()  # one core's time: the machine may be shared
    result = plan_schedule(clinic, patients, TODAY, **kwargs)
    seconds = time.process_time() - began
    by_id = {p.id: p for p in patients}
    urgent_wait = total = 0
    for plan in result.plans:
        p = plan.patient
        wait = cal.business_days(max(p.start_after or TODAY, TODAY), plan.bookings_first_day())
        total += wait
        if p.priority == "urgent":
            urgent_wait += wait
    return {"unplaced": sorted(u.id for u in result.unplaced),
            "urgent_unplaced": sorted(u.id for u in result.unplaced if by_id[u.id].priority == "urgent"),
            "urgent_wait": urgent_wait, "total_wait": total, "seconds": seconds, "schedule": result.schedule}


def optimum(name: str) -> dict:
    return json.loads((ROOT / name / "optimum.json").read_text(encoding="utf-8"))


def gap(plan_wait: int, best: int) -> float:
    return 0.0 if plan_wait == best else (plan_wait - best) / max(best, 1) * 100


def compare(names: list[str], effort: str | None) -> None:
    print("| instance | chairs | patients | optimum (bound) | planner | gap % | urgent wait: planner / optimum "
          "| unplaced | seconds |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in names:
        spec = next(s for s in SPECS if s.name == name)
        best = optimum(name)
        got = planned(name, effort)
        proof = "" if best["optimal"] else f" ({best['total_wait_bound']})"
        print(f"| {name} | {spec.chairs} | {spec.patients} | {best['total_wait']}{proof} | {got['total_wait']} "
              f"| {gap(got['total_wait'], best['total_wait']):+.1f} | {got['urgent_wait']} / {best['urgent_wait']} "
              f"| {len(got['unplaced'])} / {len(best['unplaced'])} | {got['seconds']:.2f} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["generate", "solve", "compare"])
    parser.add_argument("--only", help="instances, comma-separated (default: all)")
    parser.add_argument("--seconds", type=float, default=60.0, help="solver time limit per objective level")
    parser.add_argument("--effort", choices=["fast", "normal", "thorough"], help="compare: the planner's effort")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else [s.name for s in SPECS]
    if args.what == "generate":
        generate()
    elif args.what == "solve":
        for name in names:
            result = solve(name, args.seconds)
            path = ROOT / name / "optimum.json"
            path.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            print(f"{name}: total wait {result['total_wait']} (bound {result['total_wait_bound']}), urgent "
                  f"{result['urgent_wait']}, unplaced {len(result['unplaced'])}, {result['seconds']} s", flush=True)
    else:
        compare(names, args.effort)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    os.chdir(HERE.parent)
    main()
