"""The yardstick: the best plan of small tight clinics, found by an exact model, with a
proven lower bound.

    python benchmarks/yardstick.py generate        # (re)write benchmarks/yardstick/*/ clinic + roster
    python benchmarks/yardstick.py solve [--only Y01,Y02] [--seconds 60] [--relax-seconds 60]   # bench extra
    python benchmarks/yardstick.py verify          # the committed plans keep the model's rules (no solver)
    python benchmarks/yardstick.py compare         # plan each instance with tms-sched, gap table

SPEC section 5, revision 2. Each instance is a clinic file and a roster in
``benchmarks/yardstick/NAME/``; ``optimum.json`` beside them holds what the exact
model (OR-Tools CP-SAT, ``pip install -e '.[bench]'``) found and proved. ``compare``
and ``verify`` need only tms-sched itself and read the committed files, as the tests do.

The model books each course as SPEC sections 1 and 5 allow it: a start day; the
mapping (session 1) at any time that day; then one session on each following open
day, 30 in all, each starting within 30 minutes of the course's usual time, which is
the median start of those sessions (the mapping day left out, as SPEC section 5
measures it); a 5x5 course on the five days of one week, five sessions a day at any
times of the patient's window with at least 50 minutes from the end of one to the
start of the next, the mapping first. Every time lies on the clinics' ten-minute grid,
inside opening hours and the patient's window; never more sessions at once than
chairs; sessions on or after start_after, after today (the baseline assessment comes
first), by the deadline; the first session within the horizon. It minimises, in this
order: patients left unplaced (an urgent one counting more than every routine one
together), the urgent patients' total wait, then the total wait, in business days,
each level held at the value found before the next is minimised.

Where SPEC is loose the model takes the clinic's promise: a course that misses nothing
runs on consecutive open days (SPEC: "should finish in 6 weeks when nothing is
missed"); the planner may also skip a day (up to the 8-week span) or put a session
further than 30 minutes from the usual time (it aims at 95% within), so it can find a
shorter total wait than the model (a negative gap); ``compare`` counts such courses
and sessions. The instances have no staff, no holidays and chairs with every
capability, so nothing else constrains them.

What ``optimum.json`` holds, per instance:

- ``total_wait``, ``urgent_wait``, ``unplaced``, ``plans``: the best plan found that
  keeps every rule above (each course's start day, mapping time, usual time and every
  later session's time). ``verify`` checks it without the solver.
- ``total_wait_bound``: a proven lower bound of the total wait of every plan that keeps
  the rules above and is no worse on the first two levels: the better of the exact
  model's own bound and the optimum of its relaxation (start days only, each window's
  chair time and sessions a day; ``implied_capacity``), which holds for every plan the
  model allows. ``optimal`` is true when the bound meets the plan and the first two
  levels are proven, so ``total_wait`` is the least total wait SPEC's rules allow.
- ``levels``: each level's value, the exact model's bound and the solver's status;
  ``relaxation_bound``: the relaxation's bound and status; ``seconds``: the exact
  model's solver time (wall clock, two workers).
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
DRIFT = 3  # slots: a once-daily session starts within 30 minutes of its course's usual time
MODEL = ("mapping at any time; later once-daily sessions on consecutive open days, each within 30 minutes "
         "of the course's usual time (their median start); 5x5 days at any times 50 minutes apart")


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


def solve(name: str, seconds: float, workers: int = 2, drift: int = DRIFT, relaxed: dict | None = None) -> dict:
    """Book an instance with the exact model; each level gets ``seconds`` of solver time.

    ``drift`` is how far, in slots, a once-daily session may start from its course's
    usual time: SPEC's 30 minutes by default, 0 for the stricter steady model.

    ``relaxed``, the levels' values found by the exact model ({"unplaced": .., "urgent_wait":
    ..}), solves the relaxation instead: start days only, each window's chair time
    and session count a day (``implied_capacity``), no times of day. Every plan the
    exact model allows is a plan of the relaxation, so the least total wait of the
    relaxation, among plans no worse on the first two levels, is a lower bound of the
    exact model's.
    """
    from ortools.sat.python import cp_model

    clinic, patients = load(name)
    hours = clinic.info.hours["mon"][0]
    open_from, open_to = hours[0] // SLOT, hours[1] // SLOT
    width = open_to - open_from  # slots in an open day; day k's slot s is k * width + s
    chairs = len(clinic.chairs)
    horizon_last = index_of(TODAY + dt.timedelta(weeks=HORIZON_WEEKS)) - 1
    model = cp_model.CpModel()
    intervals = []
    placed: dict[str, cp_model.IntVar] = {}
    start: dict[str, cp_model.IntVar] = {}
    earliest: dict[str, int] = {}
    least: dict[str, int] = {}  # the least wait a patient can have
    at: dict[str, dict[int, cp_model.IntVar]] = {}
    course: dict[str, dict] = {}
    for p in patients:
        first, length, per_day, days = SHAPES[p.protocol]
        lo, hi = (s - open_from for s in span_of(p, open_from, open_to))
        earliest[p.id] = index_of(max(p.start_after or TODAY, TODAY))
        # The baseline assessment lies 1 to 14 days before the first session and never
        # before today, so a course cannot start on today itself.
        low, high = max(earliest[p.id], 1), horizon_last
        least[p.id] = low - earliest[p.id]
        if p.deadline is not None:
            high = min(high, index_of(p.deadline + dt.timedelta(days=1)) - days)
        domain = [v for v in range(low, high + 1) if per_day == 1 or v % 5 == 0]
        lit = placed[p.id] = model.new_bool_var(f"placed_{p.id}")
        if not domain:
            model.add(lit == 0)
        d = start[p.id] = model.new_int_var_from_domain(cp_model.Domain.from_values(domain or [low]), f"d_{p.id}")
        at[p.id] = {v: model.new_bool_var(f"x_{p.id}_{v}") for v in domain}
        for v, x in at[p.id].items():
            model.add(d == v).only_enforce_if(x)
        model.add(sum(at[p.id].values()) == lit)
        if relaxed is not None:
            continue

        def session(k: int, size: int, label: str):
            """A session on the course's day ``k``: its slot on the whole timeline, and
            its slot of the day (from opening), inside the patient's window."""
            first_day, last_day = (min(domain), max(domain)) if domain else (low, low)
            g = model.new_int_var((first_day + k) * width + lo, (last_day + k) * width + hi - size, f"g_{p.id}_{label}")
            of_day = g - width * d - width * k
            model.add(of_day >= lo)
            model.add(of_day <= hi - size)
            intervals.append(model.new_optional_fixed_size_interval_var(g, size, lit, f"s_{p.id}_{label}"))
            return g, of_day

        parts: dict = {"days": []}
        if per_day == 1:
            parts["mapping"] = session(0, first, "map")
            usual = parts["usual"] = model.new_int_var(lo, hi - length, f"u_{p.id}")
            early, late = [], []
            for k in range(1, days):
                g, of_day = session(k, length, str(k))
                parts["days"].append([(g, of_day)])
                model.add(of_day - usual <= drift)
                model.add(usual - of_day <= drift)
                if drift:
                    # The usual time is the median start of these sessions (SPEC section
                    # 5): at least half of them on or before it, at least half on or after.
                    before, after = model.new_bool_var(f"b_{p.id}_{k}"), model.new_bool_var(f"a_{p.id}_{k}")
                    model.add(of_day <= usual).only_enforce_if(before)
                    model.add(of_day > usual).only_enforce_if(~before)
                    model.add(of_day >= usual).only_enforce_if(after)
                    model.add(of_day < usual).only_enforce_if(~after)
                    early.append(before)
                    late.append(after)
                    parts.setdefault("sides", []).append((before, after))
            if drift:
                half = (days - 1 + 1) // 2
                model.add(sum(early) >= half)
                model.add(sum(late) >= half)
        else:
            # An accelerated day: its sessions at any times of the patient's window, each
            # at least GAP_5X5 after the end of the one before (the mapping first).
            for k in range(days):
                today, before = [], None
                for j in range(per_day):
                    size = first if (k == 0 and j == 0) else length
                    g, of_day = session(k, size, f"{k}_{j}")
                    if before is not None:
                        model.add(g >= before[0] + before[1] + GAP_5X5)
                    before = (g, size)
                    today.append((g, of_day))
                parts["days"].append(today)
        course[p.id] = parts
    if relaxed is not None:
        pass
    elif chairs == 1:
        model.add_no_overlap(intervals)
    else:
        model.add_cumulative(intervals, [1] * len(intervals), chairs)
    implied_capacity(model, patients, placed, start, at, open_from, open_to, chairs)
    # Patients alike in every respect are interchangeable: take them in start-day order.
    alike: dict[tuple, list] = {}
    for p in patients:
        key = (p.protocol, span_of(p, open_from, open_to), p.start_after, p.deadline, p.priority)
        alike.setdefault(key, []).append(p.id)
    for ids in alike.values():
        for a, b in zip(ids, ids[1:]):
            model.add(placed[a] >= placed[b])
            model.add(start[a] <= start[b]).only_enforce_if(placed[b])
    wait = {}
    for p in patients:
        w = wait[p.id] = model.new_int_var(0, DAYS, f"w_{p.id}")
        # The wait counts only for a placed patient (an unplaced one is counted above it).
        model.add(w == start[p.id] - earliest[p.id]).only_enforce_if(placed[p.id])
        model.add(w == 0).only_enforce_if(~placed[p.id])
    urgent = [p.id for p in patients if p.priority == "urgent"]
    lost = len(patients) + 1
    levels = [
        ("unplaced", sum(lost * (1 - placed[i]) for i in urgent)
         + sum(1 - placed[p.id] for p in patients if p.id not in urgent)),
        ("urgent_wait", sum(wait[i] for i in urgent)),
        ("total_wait", sum(wait.values())),
    ]
    if relaxed is not None:
        for label, expr in levels[:2]:
            model.add(expr <= relaxed[label])
        levels = levels[2:]

    def hint(plans: dict) -> None:
        model.clear_hints()
        for p in patients:
            got = plans.get(p.id)
            model.add_hint(placed[p.id], got is not None)
            if got is None:
                continue
            day = index_of(dt.date.fromisoformat(got["day"]))
            model.add_hint(start[p.id], day)
            for v, x in at[p.id].items():
                model.add_hint(x, v == day)
            model.add_hint(wait[p.id], day - earliest[p.id])
            if p.id not in course:
                continue
            parts = course[p.id]
            if "usual" in parts:
                usual = minutes(got["usual"]) // SLOT - open_from
                model.add_hint(parts["usual"], usual)
                model.add_hint(parts["mapping"][0], day * width + minutes(got["mapping"]) // SLOT - open_from)
                for (before, after), t in zip(parts.get("sides", []), got["times"]):
                    model.add_hint(before, minutes(t) // SLOT - open_from <= usual)
                    model.add_hint(after, minutes(t) // SLOT - open_from >= usual)
            for k, (sessions, times) in enumerate(zip(parts["days"], got["times"])):
                k += 1 if "usual" in parts else 0
                for (g, _), t in zip(sessions, times if isinstance(times, list) else [times]):
                    model.add_hint(g, (day + k) * width + minutes(t) // SLOT - open_from)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.random_seed = 1
    solver.parameters.linearization_level = 2
    known = committed_plans(name)
    starting = None  # the levels' values of the committed plan, once completed
    if known:
        hint(known)
    if known and relaxed is None:
        # Complete the committed plan first (its start days and usual times held, the
        # rest free: a plan of the earlier model records no mapping times), so that every
        # level starts from a whole plan at least as good as the one committed.
        fixed = model.clone()
        for p in patients:
            got = known.get(p.id)
            if got is None or index_of(dt.date.fromisoformat(got["day"])) not in at[p.id]:
                continue
            day = index_of(dt.date.fromisoformat(got["day"]))
            fixed.add(fixed.get_bool_var_from_proto_index(at[p.id][day].index) == 1)
            if "usual" in course[p.id]:
                usual = minutes(got["usual"]) // SLOT - open_from
                fixed.add(fixed.get_int_var_from_proto_index(course[p.id]["usual"].index) == usual)
        status = solver.solve(fixed)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            starting = {label: round(solver.value(expr)) for label, expr in levels}
            found = read_plans(solver, patients, placed, start, course, open_from)
            model.clear_hints()
            for index, var_value in enumerate(solver.response_proto.solution):
                model.proto.solution_hint.vars.append(index)
                model.proto.solution_hint.values.append(var_value)
        print(f"  {name} the committed plan completed: {solver.status_name(status)}, {solver.wall_time:.0f} s",
              file=sys.stderr, flush=True)
    out: dict = {"instance": name, "model": MODEL if drift == DRIFT else f"steady within {drift * SLOT} minutes",
                 "levels": {}}
    began = time.perf_counter()
    # The least each level can be when everyone is placed: a plan that reaches it needs
    # no proof.
    floors = {"unplaced": 0, "urgent_wait": sum(least[i] for i in urgent),
              "total_wait": sum(least.values())}
    for label, expr in levels:
        model.minimize(expr)
        if starting is not None and starting[label] == floors[label] and starting["unplaced"] == 0:
            value = bound = floors[label]
            out["levels"][label] = {"value": value, "bound": bound, "status": "OPTIMAL"}
            model.add(expr <= value)
            print(f"  {name} {label}: {value}, the least it can be", file=sys.stderr, flush=True)
            continue
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise SystemExit(f"{name}: no solution for {label} ({solver.status_name(status)})")
        value = round(solver.objective_value)
        bound = round(solver.best_objective_bound + 0.4999)
        out["levels"][label] = {"value": value, "bound": bound, "status": solver.status_name(status)}
        # Hold this level at what was found before the next one is minimised; keep the
        # plan as a hint so that the next solve starts from it.
        model.add(expr <= value)
        found = read_plans(solver, patients, placed, start, course, open_from) if relaxed is None else {}
        # The whole solution as the next level's hint: every variable, so the solver
        # starts from a complete plan and never has to find one again.
        model.clear_hints()
        for index, var_value in enumerate(solver.response_proto.solution):
            model.proto.solution_hint.vars.append(index)
            model.proto.solution_hint.values.append(var_value)
        print(f"  {name} {label}: {value} (bound {bound}, {solver.status_name(status)}, "
              f"{solver.wall_time:.0f} s)", file=sys.stderr, flush=True)
    out["seconds"] = round(time.perf_counter() - began, 1)
    if relaxed is not None:
        return out
    out["unplaced"] = sorted(p.id for p in patients if p.id not in found)
    out["urgent_wait"] = out["levels"]["urgent_wait"]["value"]
    out["total_wait"] = out["levels"]["total_wait"]["value"]
    out["total_wait_bound"] = out["levels"]["total_wait"]["bound"]
    out["optimal"] = all(v["status"] == "OPTIMAL" for v in out["levels"].values())
    out["plans"] = found
    return out


def solve_with_bound(name: str, seconds: float, relax_seconds: float, workers: int = 2) -> dict:
    """The exact model, then its relaxation at the levels the exact model reached: the
    bound recorded is the better of the two proven ones."""
    path = ROOT / name / "optimum.json"
    before = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    out = solve(name, seconds, workers)
    held = {label: out["levels"][label]["value"] for label in ("unplaced", "urgent_wait")}
    if relax_seconds > 0:
        relaxed = solve(name, relax_seconds, workers, relaxed=held)
        relaxation = relaxed["levels"]["total_wait"]
        out["relaxation_bound"] = {"bound": relaxation["bound"], "status": relaxation["status"],
                                   "seconds": relaxed["seconds"]}
    elif "relaxation_bound" in before and all(before["levels"][label]["value"] == value
                                              for label, value in held.items()):
        # The committed relaxation's bound holds for the same first two levels.
        out["relaxation_bound"] = before["relaxation_bound"]
        relaxation = before["relaxation_bound"]
    else:
        relaxation = {"bound": 0}
    level = out["levels"]["total_wait"]
    out["total_wait_bound"] = min(level["value"], max(level["bound"], relaxation["bound"]))
    out["optimal"] = all(v["status"] == "OPTIMAL" for label, v in out["levels"].items() if label != "total_wait") \
        and out["total_wait_bound"] == out["total_wait"]
    return out


def read_plans(solver, patients, placed, start, course, open_from: int) -> dict:
    """Each placed course as the solver booked it: start day, mapping time and usual
    time (once-daily courses), and the time of every later session."""
    plans = {}
    for p in patients:
        if not solver.value(placed[p.id]):
            continue
        parts = course[p.id]
        day = solver.value(start[p.id])

        def clock(of_day) -> str:
            return hhmm((solver.value(of_day) + open_from) * SLOT)

        entry: dict = {"day": day_of(day).isoformat()}
        if "usual" in parts:
            entry["mapping"] = clock(parts["mapping"][1])
            entry["usual"] = clock(parts["usual"])
            entry["times"] = [clock(sessions[0][1]) for sessions in parts["days"]]
        else:
            entry["times"] = [[clock(of_day) for _, of_day in sessions] for sessions in parts["days"]]
        plans[p.id] = entry
    return plans


def implied_capacity(model, patients, placed, start, at, open_from: int, open_to: int, chairs: int) -> None:
    """Implied constraints that let the solver prove its bound: within any patient's
    window W, the courses that must lie inside W use no more than W's chair time a day
    (a course's first day with its mapping), and when they are all as long, hold no more
    sessions a day than fit on each chair. They hold whatever time each session takes,
    so for every plan the model allows; as linear constraints over start-day indicators
    their LP relaxation gives the solver a bound to prove with."""

    def slots(p, offset: int) -> int:
        first, length, per_day, _ = SHAPES[p.protocol]
        return first + length * (per_day - 1) if offset == 0 else length * per_day

    windows = sorted({span_of(p, open_from, open_to) for p in patients} | {(open_from, open_to)})
    for lo, hi in windows:
        inside = [p for p in patients if lo <= span_of(p, open_from, open_to)[0]
                  and span_of(p, open_from, open_to)[1] <= hi and at[p.id]]
        if len(inside) < 2:
            continue
        # Counting sessions a chair holds is sound for once-daily courses alone (one
        # session a day on one chair); an accelerated day may change chair between sessions.
        lengths = {SHAPES[p.protocol][1] * SHAPES[p.protocol][2] for p in inside}
        same = len(lengths) == 1 and all(SHAPES[p.protocol][2] == 1 for p in inside)
        count = chairs * ((hi - lo) // next(iter(lengths)))
        last = max(max(at[p.id]) + SHAPES[p.protocol][3] for p in inside)
        for k in range(min(min(at[p.id]) for p in inside), last):
            time_used, held = [], []
            for p in inside:
                days = SHAPES[p.protocol][3]
                for v, x in at[p.id].items():
                    if v <= k < v + days:
                        time_used.append(slots(p, k - v) * x)
                        held.append(x)
            if sum(max(SHAPES[p.protocol][0], SHAPES[p.protocol][1]) * SHAPES[p.protocol][2] for p in inside) \
                    > chairs * (hi - lo):
                model.add(sum(time_used) <= chairs * (hi - lo))
            if same and len(held) > count:
                model.add(sum(held) <= count)
        ivs, demands = [], []
        for p in inside:
            ivs.append(model.new_optional_fixed_size_interval_var(start[p.id], SHAPES[p.protocol][3], placed[p.id],
                                                                  f"w_{p.id}_{lo}_{hi}"))
            demands.append(1 if same else SHAPES[p.protocol][1] * SHAPES[p.protocol][2])
        model.add_cumulative(ivs, demands, count if same else chairs * (hi - lo))


def committed_plans(name: str) -> dict:
    """The best plan committed for an instance, to start the solver from: this model's
    own, or the one-time-a-day plan of the earlier model (each session at its usual time)."""
    path = ROOT / name / "optimum.json"
    if not path.exists():
        return {}
    best = json.loads(path.read_text(encoding="utf-8"))
    if "plans" in best:
        return best["plans"]
    _, patients = load(name)
    out = {}
    for p in patients:
        got = best.get("starts", {}).get(p.id)
        if got is None:
            continue
        first, _, per_day, days = SHAPES[p.protocol]
        if per_day == 1:
            out[p.id] = {"day": got["day"], "usual": got["time"], "mapping": got["time"],
                         "times": [got["time"]] * (days - 1)}
        else:
            t = minutes(got["time"])
            runs = pattern(p.protocol)
            out[p.id] = {"day": got["day"], "times": [[hhmm(t + a * SLOT) for a, _ in r] for _, r in runs]}
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


def verify(name: str, best: dict) -> list[str]:
    """What is wrong with an instance's committed plan, by the rules of the model,
    checked without the solver: every session in its patient's window and opening
    hours, never more sessions at once than chairs, once-daily sessions within 30
    minutes of their median start, 5x5 days Monday to Friday with 50 minutes between
    sessions, start days after start_after and today, last sessions by the deadline;
    and whether the waits and unplaced recorded are the plan's."""
    clinic, patients = load(name)
    hours = clinic.info.hours["mon"][0]
    open_from, open_to = hours[0] // SLOT, hours[1] // SLOT
    chairs = len(clinic.chairs)
    horizon_last = index_of(TODAY + dt.timedelta(weeks=HORIZON_WEEKS)) - 1
    plans = best.get("plans", {})
    problems: list[str] = []
    held: dict[tuple[int, int], int] = {}
    urgent_wait = total_wait = 0
    for p in patients:
        got = plans.get(p.id)
        if got is None:
            continue
        first, length, per_day, days = SHAPES[p.protocol]
        lo, hi = span_of(p, open_from, open_to)
        day = index_of(dt.date.fromisoformat(got["day"]))
        earliest = index_of(max(p.start_after or TODAY, TODAY))
        if day_of(day).isoformat() != got["day"]:
            problems.append(f"{p.id}: starts on {got['day']}, not an open day")
        if not max(earliest, 1) <= day <= horizon_last:
            problems.append(f"{p.id}: starts on {got['day']}, before it may or past the horizon")
        if p.deadline is not None and day_of(day + days - 1) > p.deadline:
            problems.append(f"{p.id}: ends after its deadline {p.deadline}")
        if per_day > 1 and day % 5:
            problems.append(f"{p.id}: a 5x5 course must start on a Monday")
        sessions: list[tuple[int, int, int]] = []  # (day, first slot, slots)
        if per_day == 1:
            times = [minutes(t) // SLOT for t in got["times"]]
            usual = minutes(got["usual"]) // SLOT
            if len(times) != days - 1:
                problems.append(f"{p.id}: {len(times) + 1} sessions, not {days}")
            if times and sorted(times)[(len(times) - 1) // 2] != usual:
                problems.append(f"{p.id}: usual time {got['usual']} is not the median start of its sessions")
            if any(abs(t - usual) > DRIFT for t in times):
                problems.append(f"{p.id}: a session more than {DRIFT * SLOT} minutes from its usual time")
            sessions.append((day, minutes(got["mapping"]) // SLOT, first))
            sessions += [(day + k + 1, t, length) for k, t in enumerate(times)]
        else:
            if len(got["times"]) != days or any(len(ts) != per_day for ts in got["times"]):
                problems.append(f"{p.id}: not {per_day} sessions on each of {days} days")
            for k, ts in enumerate(got["times"]):
                ends = None
                for j, t in enumerate(ts):
                    size = first if (k == 0 and j == 0) else length
                    slot = minutes(t) // SLOT
                    if ends is not None and slot < ends + GAP_5X5:
                        problems.append(f"{p.id}: day {k + 1}, less than 50 minutes between sessions")
                    ends = slot + size
                    sessions.append((day + k, slot, size))
        for d, slot, size in sessions:
            if slot < lo or slot + size > hi:
                problems.append(f"{p.id}: a session at {hhmm(slot * SLOT)} on {day_of(d)} outside its window")
            for s in range(slot, slot + size):
                held[d, s] = held.get((d, s), 0) + 1
        wait = day - earliest
        total_wait += wait
        urgent_wait += wait if p.priority == "urgent" else 0
    for (d, s), n in sorted(held.items()):
        if n > chairs:
            problems.append(f"{n} sessions at once at {hhmm(s * SLOT)} on {day_of(d)}, {chairs} chair(s)")
    unplaced = sorted(p.id for p in patients if p.id not in plans)
    if unplaced != best["unplaced"]:
        problems.append(f"unplaced {best['unplaced']} recorded, {unplaced} in the plan")
    if (urgent_wait, total_wait) != (best["urgent_wait"], best["total_wait"]):
        problems.append(f"waits {best['urgent_wait']}/{best['total_wait']} recorded, {urgent_wait}/{total_wait} "
                        f"in the plan")
    return problems


def departures(schedule) -> tuple[int, int]:
    """Where a plan leaves the model: courses with a day skipped between two sessions
    (the model books consecutive open days), and once-daily sessions more than 30
    minutes from the course's median start, the mapping day left out."""
    skipped = drifting = 0
    for entry in schedule.patients:
        starts = sorted(a.start for a in entry.appointments if a.kind != "assessment")
        days = sorted({s.date() for s in starts})
        if any(index_of(b) - index_of(a) > 1 for a, b in zip(days, days[1:])):
            skipped += 1
        if len(starts) == len(days) and len(starts) > 1:
            times = sorted(s.hour * 60 + s.minute for s in starts[1:])
            usual = times[(len(times) - 1) // 2]
            drifting += sum(1 for t in times if abs(t - usual) > DRIFT * SLOT)
    return skipped, drifting


def compare(names: list[str], effort: str | None) -> None:
    print("| instance | chairs | patients | best known (bound) | planner | gap to best % | gap to bound % "
          "| urgent wait: planner / best | unplaced | courses skipping a day / sessions over 30 min | seconds |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in names:
        spec = next(s for s in SPECS if s.name == name)
        best = optimum(name)
        got = planned(name, effort)
        proof = " (optimal)" if best["optimal"] else f" ({best['total_wait_bound']})"
        skipped, drifting = departures(got["schedule"])
        print(f"| {name} | {spec.chairs} | {spec.patients} | {best['total_wait']}{proof} | {got['total_wait']} "
              f"| {gap(got['total_wait'], best['total_wait']):+.1f} "
              f"| {gap(got['total_wait'], best['total_wait_bound']):+.1f} "
              f"| {got['urgent_wait']} / {best['urgent_wait']} "
              f"| {len(got['unplaced'])} / {len(best['unplaced'])} | {skipped} / {drifting} | {got['seconds']:.2f} |")


def better(a: dict, b: dict) -> bool:
    """Whether result ``a`` is a better plan than ``b`` by the model's order."""
    def key(r: dict) -> tuple:
        return (r["levels"]["unplaced"]["value"], r["urgent_wait"], r["total_wait"])
    return key(a) < key(b)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["generate", "solve", "compare", "verify"])
    parser.add_argument("--only", help="instances, comma-separated (default: all)")
    parser.add_argument("--seconds", type=float, default=60.0, help="solve: solver time limit per objective level")
    parser.add_argument("--relax-seconds", type=float, default=60.0,
                        help="solve: solver time limit for the relaxation's bound (0: keep the committed one)")
    parser.add_argument("--workers", type=int, default=2, help="solve: solver threads (default 2)")
    parser.add_argument("--effort", choices=["fast", "normal", "thorough"], help="compare: the planner's effort")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else [s.name for s in SPECS]
    if args.what == "generate":
        generate()
    elif args.what == "solve":
        for name in names:
            result = solve_with_bound(name, args.seconds, args.relax_seconds, args.workers)
            path = ROOT / name / "optimum.json"
            before = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
            if before is not None and "plans" in before and better(before, result):
                # A time-limited solve that did worse than the committed plan: keep the
                # plan, take the better proven bound.
                before["total_wait_bound"] = max(before["total_wait_bound"], result["total_wait_bound"])
                before["optimal"] = before["optimal"] or before["total_wait_bound"] == before["total_wait"]
                result = before
            problems = verify(name, result)
            if problems:
                raise SystemExit(f"{name}: the solver's plan fails verification: {problems[:3]}")
            path.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            print(f"{name}: total wait {result['total_wait']} (bound {result['total_wait_bound']}), urgent "
                  f"{result['urgent_wait']}, unplaced {len(result['unplaced'])}, {result['seconds']} s", flush=True)
    elif args.what == "verify":
        bad = False
        for name in names:
            problems = verify(name, optimum(name))
            print(f"{name}: " + ("; ".join(problems) if problems else "the committed plan keeps every rule"))
            bad = bad or bool(problems)
        raise SystemExit(1 if bad else 0)
    else:
        compare(names, args.effort)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    os.chdir(HERE.parent)
    main()
