"""Replanning after disruptions: what running clinics lose when something goes wrong.

    python benchmarks/disruptions.py                # S, M and L on seeds 1-3, and the large site
    python benchmarks/disruptions.py --seeds 1      # one seed each
    python benchmarks/disruptions.py --no-large     # leave out the large single site

SPEC section 5, revision 2. Each clinic (S, M, L from instances.py at load 0.9) is
planned from its Monday, run for two weeks (every appointment before "today" signed off
as done), and then hit by one seeded disruption at a time, each on its own copy:

- chair: a chair down for one or two days (recorded with `mark --chair-down`);
- hours: an hour less on one weekday (the clinic file opens an hour later);
- away: a technician away for a week (the clinic file's `away` dates);
- snow: the clinic closed for a day (recorded with `mark --closed`);
- missed: 5% of the last week's sessions missed instead of done.

Then `replan` runs, and per kind the table reports: treatment days lost (over all
courses, the business days by which each course's last session moved later), courses
put on hold (listed unplaced), the appointments the disruption touched, sessions moved or added (make-ups) and assessments moved along, a lower
bound on the days lost, and rule violations (planned appointments that
break a rule, found by `tms_sched.check`; always 0).

The lower bound comes from relaxations (chairs, staff and other patients left aside), so
it never exceeds the best possible (docs/replanning.md argues it in full): a disruption
that removes no needed capacity the same day has bound 0; each session lost that the day
has no room for at all counts one day. A once-daily course that lost sessions uses its
spare days first (open, the patient available, the week below `days_per_week`, from the
first day the course may use: today once begun, else after `start_after` and its
baseline), then ends one usable day later per session left. A taper course's last
session comes no earlier than the third calendar week after the week of its daily part's
new end (SPEC). An accelerated course not yet begun that lost a day needs a new run of
consecutive usable days (SPEC). "Least moves" is the fewest sessions booked again: those
lost, plus the planned sessions a forced shift carries along (an accelerated course's
sessions outside the best new run of consecutive days; a lost mapping's treatments up to
its first possible day; a taper course's taper weeks). The table gives the
sessions moved or added both per appointment touched and per least move: the first is
the issue's yardstick (1.5x at most), the second what SPEC leaves a replan free to save.

Moves count every session the replan moved or added, another patient's session that
stepped aside the same day to make room included (it is a move its patient is told of).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import instances as gen  # noqa: E402

from tms_sched.attendance import mark_appointment, record_chair_down, record_closure, sign_off_through  # noqa: E402
from tms_sched.calendar import ClinicCalendar  # noqa: E402
from tms_sched.check import check_schedule  # noqa: E402
from tms_sched.io.clinic import Roster  # noqa: E402
from tms_sched.model.protocol import DailyPhase, IntervalPhase, WeeklyPhase  # noqa: E402
from tms_sched.model.schedule import Schedule  # noqa: E402
from tms_sched.plan.planner import plan_schedule  # noqa: E402
from tms_sched.plan.replan import replan  # noqa: E402

KINDS = ("chair", "hours", "away", "snow", "missed")
RUN_WEEKS = 2
HARD = ("TMS001", "TMS002", "TMS003", "TMS004", "TMS005", "TMS006", "TMS007", "TMS010", "TMS013", "TMS017")
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ONE_DAY = dt.timedelta(days=1)


def running(inst: gen.Instance) -> tuple[Schedule, dt.date]:
    """The clinic planned on its Monday and run for RUN_WEEKS: everything before today done."""
    schedule = plan_schedule(inst.clinic, inst.patients, inst.today).schedule
    today = inst.today + dt.timedelta(weeks=RUN_WEEKS)
    return sign_off_through(schedule, today - dt.timedelta(days=1), today).schedule, today


def local_day(appt, zone) -> dt.date:
    return appt.start.astimezone(zone).date()


def disrupt(kind: str, clinic, schedule: Schedule, today: dt.date, rng: random.Random):
    """One disruption: the clinic and the schedule as they stand after it."""
    zone = clinic.zone
    if kind == "chair":
        chair = rng.choice(clinic.chairs).id
        start = today + dt.timedelta(days=rng.randrange(0, 5))
        end = start + dt.timedelta(days=rng.randrange(0, 2))
        return clinic, record_chair_down(schedule, chair, start, end, "coil", today,
                                         chairs=[c.id for c in clinic.chairs]).schedule
    if kind == "hours":
        weekday = rng.choice(WEEKDAY_KEYS[:5])
        windows = list(clinic.info.hours[weekday])
        windows[0] = (windows[0][0] + 60, windows[0][1])
        hours = {**clinic.info.hours, weekday: tuple(windows)}
        return dataclasses.replace(clinic, info=clinic.info.model_copy(update={"hours": hours})), schedule
    if kind == "away":
        techs = [s for s in clinic.staff if s.role == "technician"] or list(clinic.staff)
        member = rng.choice(techs)
        start = today + dt.timedelta(days=rng.randrange(0, 5))
        away = list(member.away) + [start + dt.timedelta(days=k) for k in range(7)]
        staff = [s.model_copy(update={"away": away}) if s.id == member.id else s for s in clinic.staff]
        return dataclasses.replace(clinic, staff=staff), schedule
    if kind == "snow":
        cal = ClinicCalendar(clinic, schedule.closures)
        days = [today + dt.timedelta(days=k) for k in range(1, 8)]
        day = rng.choice([d for d in days if cal.is_open(d)])
        return clinic, record_closure(schedule, day, "snow", today).schedule
    # missed: 5% of the last week's sessions (done) were in fact missed
    week = [(sp.id, a) for sp, a in schedule.appointments()
            if a.kind == "treatment" and a.status == "done"
            and today - dt.timedelta(days=7) <= local_day(a, zone) < today]
    week.sort(key=lambda x: (x[1].start, x[1].id))
    for pid, appt in rng.sample(week, max(1, round(0.05 * len(week)))):
        local = appt.start.astimezone(zone)
        schedule = mark_appointment(schedule, pid, local.date(), local.time(), "missed", None, today).schedule
    return clinic, schedule


def last_sessions(schedule: Schedule, zone) -> dict[str, dt.date]:
    out = {}
    for sp in schedule.patients:
        days = [local_day(a, zone) for a in sp.appointments if a.kind != "assessment" and a.live]
        if days:
            out[sp.id] = max(days)
    return out


def business_days(cal: ClinicCalendar, a: dt.date, b: dt.date) -> int:
    """Open days after ``a`` up to and including ``b`` (0 when b <= a)."""
    return sum(1 for k in range(1, (b - a).days + 1) if cal.is_open(a + dt.timedelta(days=k)))


def hard_violations(clinic, schedule: Schedule, patients) -> int:
    report = check_schedule(clinic, schedule, "schedule.toml", None, Roster(patients=patients), HARD)
    return len([f for f in report.findings if f.severity == "error"])


def touched_ids(clinic, schedule: Schedule, patients, today: dt.date) -> set[str]:
    """Planned appointments from today on that the disrupted clinic no longer allows."""
    report = check_schedule(clinic, schedule, "schedule.toml", None, Roster(patients=patients),
                            ("TMS003", "TMS005", "TMS006", "TMS007"))
    return {f.appointment for f in report.findings if f.appointment}


def lower_bound(kind: str, clinic, before: Schedule, disrupted: Schedule, touched: set[str],
                today: dt.date, roster) -> dict[str, int]:
    """Days lost that no replan can avoid, per course (a relaxation; see the module's
    docstring and docs/replanning.md); chair, hours and away are counted per day (key "")."""
    zone = clinic.zone
    cal = ClinicCalendar(clinic, disrupted.closures)
    patients = {p.id: p for p in roster}
    closed_days = {c.date for c in disrupted.closures if c.date is not None and c.chair is None}
    if kind in ("missed", "snow"):
        bounds: dict[str, int] = {}
        for sp in disrupted.patients:
            protocol = clinic.protocols.get(sp.protocol)
            if protocol is None:
                continue
            if kind == "missed":
                lost = [a for a in sp.appointments if a.status == "missed" and a.kind == "treatment"
                        and today - dt.timedelta(days=7) <= local_day(a, zone) < today
                        and before.patient(sp.id) and any(b.id == a.id and b.status == "done"
                                                          for b in before.patient(sp.id).appointments)]
            else:
                lost = [a for a in sp.appointments if a.id in touched and a.kind != "assessment"]
            if lost:
                bounds[sp.id] = course_bound(clinic, cal, closed_days, sp, protocol, lost, touched, today,
                                             patients.get(sp.id))
        return bounds


def usable_day(clinic, cal: ClinicCalendar, closed_days: set, patient, day: dt.date) -> bool:
    """Open, and a day of the week the patient comes (chairs and staff left aside)."""
    if not cal.is_open(day) or day in closed_days:
        return False
    if patient is not None:
        hours = patient.availability if patient.availability is not None else clinic.info.hours
        if day in patient.unavailable or not hours.get(WEEKDAY_KEYS[day.weekday()]):
            return False
    return True


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def course_bound(clinic, cal: ClinicCalendar, closed_days: set, sp, protocol, lost, touched: set[str],
                 today: dt.date, patient) -> tuple[int, int]:
    """The business days by which one course must end later, and the fewest of its sessions
    that must be booked again (moved or made up), whatever the replan does."""
    zone = clinic.zone
    sessions = sorted((a for a in sp.appointments if a.live and a.kind != "assessment" and a.id not in touched),
                      key=lambda a: a.start)
    if not sessions:
        return 0, len(lost)
    old_last = max(local_day(a, zone) for a in sessions + lost)
    usable = functools.partial(usable_day, clinic, cal, closed_days, patient)
    first_day = earliest_first_day(sp, protocol, today, patient, zone)
    accelerated = next((p for p in protocol.phases if isinstance(p, DailyPhase) and p.consecutive), None)
    if accelerated is not None:
        # SPEC: all days consecutive calendar days, the same number of sessions each day.
        # A course already begun that lost a whole day cannot be mended (it goes on hold,
        # counted apart); one not begun needs a new run of consecutive usable days.
        if any(a.status == "done" for a in sessions) or kind_of_loss(lost, sessions, zone) != "day":
            return 0, len(lost)
        ndays = accelerated.sessions // accelerated.per_day

        def block(start: dt.date, end: dt.date | None = None) -> dt.date | None:
            """The first day of the earliest run of ndays usable days from ``start`` (ending by ``end``)."""
            while not all(usable(start + dt.timedelta(days=k)) for k in range(ndays)):
                start += ONE_DAY
                if end is not None and start + dt.timedelta(days=ndays - 1) > end:
                    return None
            return start

        start = block(first_day)
        # The new run is ndays consecutive usable days (so never the closed day): a planned
        # session stays only where its day is one of the run's; every other one moves.
        # The fewest moves: the best run that overlaps the old days, or all of them.
        planned = [local_day(a, zone) for a in sessions if a.status == "planned"]
        stay = 0
        day = first_day
        while day <= old_last:
            run = [day + dt.timedelta(days=k) for k in range(ndays)]
            if all(usable(d) for d in run):
                stay = max(stay, sum(1 for d in planned if run[0] <= d <= run[-1]))
            day += ONE_DAY
        moves = len(lost) + len(planned) - stay
        return business_days(cal, old_last, start + dt.timedelta(days=ndays - 1)), moves
    extra = 0
    if any(a.kind == "mapping" for a in lost):
        # The mapping comes before every treatment, one session a day: on its new day d (a
        # usable day from the first the course may use) every planned treatment on or
        # before d moves after it; fewest with the first such day.
        d0 = first_day
        while not usable(d0):
            d0 += ONE_DAY
        extra = sum(1 for a in sessions if a.status == "planned" and a.kind == "treatment"
                    and local_day(a, zone) <= d0)
    days, moves = once_daily_bound(clinic, cal, closed_days, sp, protocol, lost, sessions, old_last,
                                   usable, first_day)
    return days, moves + extra


def once_daily_bound(clinic, cal: ClinicCalendar, closed_days: set, sp, protocol, lost, sessions, old_last,
                     usable, first_day: dt.date) -> tuple[int, int]:
    """course_bound for a course of one session a day (daily, tapered or interval)."""
    zone = clinic.zone
    daily = [p for p in protocol.phases if isinstance(p, DailyPhase)]
    if not daily or any(isinstance(p, IntervalPhase) for p in protocol.phases):
        return 0, len(lost)
    per_week = max(p.days_per_week for p in daily)
    daily_total = sum(p.sessions for p in daily)
    tapered = any(isinstance(p, WeeklyPhase) for p in protocol.phases)
    lost_daily = [a for a in lost if not tapered or (a.session or 0) <= daily_total]
    daily_days = sorted({local_day(a, zone) for a in sessions if not tapered or (a.session or 0) <= daily_total})
    if not lost_daily or not daily_days:
        return 0, len(lost)  # a taper session lost can move within its week
    end = max(daily_days + [local_day(a, zone) for a in lost_daily])  # the daily part's old end
    weeks: dict[dt.date, int] = {}
    for day in daily_days:
        weeks[monday_of(day)] = weeks.get(monday_of(day), 0) + 1
    # Each lost session needs a day of its own: first the spare days up to the old end
    # (usable, no session yet, the week below days_per_week), then days after it.
    need = len(lost_daily)
    day = first_day
    while day <= end and need:
        if usable(day) and day not in daily_days and weeks.get(monday_of(day), 0) < per_week:
            weeks[monday_of(day)] = weeks.get(monday_of(day), 0) + 1
            need -= 1
        day += ONE_DAY
    if not need:
        return 0, len(lost)
    new_end = end
    day = end + ONE_DAY
    while need:
        if usable(day) and weeks.get(monday_of(day), 0) < per_week:
            weeks[monday_of(day)] = weeks.get(monday_of(day), 0) + 1
            new_end = day
            need -= 1
        day += ONE_DAY
    if not tapered:
        return business_days(cal, old_last, new_end), len(lost)
    # SPEC: the taper weeks are the calendar weeks after the week of the daily part's last
    # session; its last one lies in the last taper week, on a usable day at the earliest.
    taper_weeks = sum(len(p.per_week) for p in protocol.phases if isinstance(p, WeeklyPhase))
    day = monday_of(new_end) + dt.timedelta(weeks=taper_weeks)
    while not usable(day):
        day += ONE_DAY
    moves = len(lost)
    if monday_of(new_end) > monday_of(end):  # the taper weeks move: every planned taper session
        moves += sum(1 for a in sessions if a.status == "planned" and (a.session or 0) > daily_total)
    return business_days(cal, old_last, day), moves


def earliest_first_day(sp, protocol, today: dt.date, patient, zone) -> dt.date:
    """The first day the course's remaining sessions may use: today once the course has
    begun; else no earlier than the patient's start_after and, where the protocol has an
    assessment before the first session (a baseline), its window after the baseline given
    or, not given yet, after today at the earliest."""
    if any(a.status == "done" and a.kind != "assessment" for a in sp.appointments):
        return today
    day = max(today, patient.start_after) if patient is not None and patient.start_after else today
    for a in protocol.assessments:
        if a.anchor != "first":
            continue
        done = [local_day(x, zone) for x in sp.appointments
                if x.kind == "assessment" and x.name == a.name and x.status == "done"]
        given = max(done) if done else today
        day = max(day, given - dt.timedelta(days=a.window_days[1]))
    return day


def kind_of_loss(lost, sessions, zone) -> str:
    """"day" when the sessions lost are a whole course day (a closure), else "sessions"."""
    days = {local_day(a, zone) for a in lost}
    return "day" if not any(local_day(a, zone) in days for a in sessions) else "sessions"


def chair_bound(kind: str, clinic, disrupted: Schedule, touched: set[str]) -> int:
    """Chair, hours, away: chair minutes displaced against those free the same day."""
    zone = clinic.zone
    cal = ClinicCalendar(clinic, disrupted.closures)
    bound = 0
    by_day: dict[dt.date, list] = {}
    for sp, a in disrupted.appointments():
        if a.id in touched and a.kind != "assessment":
            by_day.setdefault(local_day(a, zone), []).append((sp, a))
    for day, hit in by_day.items():
        used: dict[str, int] = {}
        for sp, a in disrupted.appointments():
            if a.live and a.chair and local_day(a, zone) == day and a.id not in touched:
                used[a.chair] = used.get(a.chair, 0) + a.minutes
        for capability in {clinic.protocols[sp.protocol].capability for sp, _ in hit}:
            need = sum(a.minutes for sp, a in hit if clinic.protocols[sp.protocol].capability == capability)
            free = sum(max(0, sum(e - s for s, e in cal.chair_windows(c.id, day)) - used.get(c.id, 0))
                       for c in clinic.chairs if capability in c.capabilities)
            if need > free:
                longest = max(a.minutes for sp, a in hit)
                bound += -(-(need - free) // longest)
    return bound


def measure(kind: str, inst: gen.Instance, schedule: Schedule, today: dt.date, seed: int) -> dict:
    rng = random.Random(f"{inst.name}-{seed}-{kind}")
    clinic, disrupted = disrupt(kind, inst.clinic, schedule, today, rng)
    touched = touched_ids(clinic, disrupted, inst.patients, today)
    missed_now = {a.id for _, a in disrupted.appointments() if a.status == "missed"} - \
        {a.id for _, a in schedule.appointments() if a.status == "missed"}
    started = time.perf_counter()
    result = replan(clinic, disrupted, inst.patients, today)
    seconds = time.perf_counter() - started
    after = result.schedule
    cal = ClinicCalendar(clinic, after.closures)
    before_last, after_last = last_sessions(disrupted, clinic.zone), last_sessions(after, clinic.zone)
    on_hold = {u.id for u in after.unplaced} - {u.id for u in schedule.unplaced}
    lost = sum(business_days(cal, before_last[pid], after_last[pid])
               for pid in before_last if pid in after_last and pid not in on_hold)
    # The bounds are summed over the same courses as the days lost (those not put on hold).
    if kind in ("missed", "snow"):
        per_course = lower_bound(kind, clinic, schedule, disrupted, touched, today, inst.patients)
        kept = {pid: b for pid, b in per_course.items() if pid not in on_hold and pid in after_last}
        bound = sum(days for days, _ in kept.values())
        least = sum(moves for _, moves in kept.values())
        if os.environ.get("DISRUPTION_VERBOSE"):
            for pid, (b, _) in sorted(kept.items()):
                got = business_days(cal, before_last[pid], after_last[pid])
                if got != b:
                    print(f"  {inst.name} seed {seed} {kind}: {pid} lost {got}, bound {b}", file=sys.stderr)
    else:
        bound = chair_bound(kind, clinic, disrupted, touched)
        least = sum(1 for sp, a in disrupted.appointments()
                    if a.id in touched and a.kind != "assessment" and sp.id not in on_hold)
    moved = sum(1 for m in result.moved if m.new.status == "planned" and m.new.kind != "assessment") + \
        sum(1 for _, a in result.added if a.kind != "assessment")
    assessments = sum(1 for m in result.moved if m.new.status == "planned" and m.new.kind == "assessment") + \
        sum(1 for _, a in result.added if a.kind == "assessment")
    if os.environ.get("DISRUPTION_VERBOSE"):
        for u in after.unplaced:
            if u.id in on_hold:
                print(f"  {inst.name} seed {seed} {kind}: {u.id} ({u.protocol}) on hold: {u.reason}", file=sys.stderr)
    return {"kind": kind, "lost": lost, "on_hold": len(on_hold), "moved": moved, "assessments": assessments,
            "touched": len(touched) + len(missed_now),
            "bound": bound, "least": least,
            "violations": hard_violations(clinic, after, inst.patients), "seconds": seconds}


def large_outage(seed: int) -> dict:
    """The large single site: a chair down for one day, and the time the replan takes."""
    inst = gen.large(seed)
    schedule = plan_schedule(inst.clinic, inst.patients, inst.today).schedule
    today = inst.today + dt.timedelta(weeks=RUN_WEEKS)
    schedule = sign_off_through(schedule, today - dt.timedelta(days=1), today).schedule
    chair = inst.clinic.chairs[0].id
    day = today + dt.timedelta(days=1)
    disrupted = record_chair_down(schedule, chair, day, day, "coil", today).schedule
    touched = touched_ids(inst.clinic, disrupted, inst.patients, today)
    started = time.perf_counter()
    result = replan(inst.clinic, disrupted, inst.patients, today)
    seconds = time.perf_counter() - started
    cal = ClinicCalendar(inst.clinic, result.schedule.closures)
    before_last = last_sessions(disrupted, inst.clinic.zone)
    after_last = last_sessions(result.schedule, inst.clinic.zone)
    lost = sum(business_days(cal, before_last[p], after_last[p]) for p in before_last if p in after_last)
    moved = sum(1 for m in result.moved if m.new.status == "planned" and m.new.kind != "assessment") + \
        sum(1 for _, a in result.added if a.kind != "assessment")
    assessments = sum(1 for m in result.moved if m.new.status == "planned" and m.new.kind == "assessment") + \
        sum(1 for _, a in result.added if a.kind == "assessment")
    return {"kind": "chair (1 day)", "lost": lost, "on_hold": len(result.unplaced), "moved": moved,
            "assessments": assessments,
            "touched": len(touched), "bound": 0,
            "least": sum(1 for _, a in disrupted.appointments() if a.id in touched and a.kind != "assessment"),
            "violations": hard_violations(inst.clinic, result.schedule, inst.patients), "seconds": seconds}


def ratio(moved: int, of: int) -> str:
    """Sessions moved or added per appointment touched (or per least move), as "1.07x"."""
    return f"{moved / of:.2f}x" if of else ("-" if not moved else "inf")


SIZES = {"S": dict(chairs=4, n=20), "M": dict(chairs=6, n=40), "L": dict(chairs=8, n=60, stream=True)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=3, help="seeds per clinic (default 3)")
    ap.add_argument("--no-large", action="store_true", help="leave out the large single site")
    ap.add_argument("--sizes", default="S,M,L", help="clinics to run, comma-separated (default S,M,L)")
    ap.add_argument("--kinds", default=",".join(KINDS), help="disruptions to run, comma-separated (default all)")
    args = ap.parse_args()
    kinds = [k for k in KINDS if k in args.kinds.split(",")]
    print("| clinic | disruption | runs | days lost | lower bound | courses on hold | touched | sessions moved or added "
          "| least moves | moved / touched | moved / least | assessments moved | violations | slowest replan (s) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for size, kw in SIZES.items():
        if size not in args.sizes.split(","):
            continue
        rows = {k: [] for k in kinds}
        for seed in range(1, args.seeds + 1):
            inst = gen.small(size, seed=seed, load=0.9, warmup_weeks=0, **kw)
            schedule, today = running(inst)
            for kind in kinds:
                rows[kind].append(measure(kind, inst, schedule, today, seed))
        for kind in kinds:
            r = rows[kind]
            moved, touched, least = (sum(x[k] for x in r) for k in ("moved", "touched", "least"))
            print(f"| {size} | {kind} | {len(r)} | {sum(x['lost'] for x in r)} | {sum(x['bound'] for x in r)} "
                  f"| {sum(x['on_hold'] for x in r)} | {touched} "
                  f"| {moved} | {least} | {ratio(moved, touched)} | {ratio(moved, least)} "
                  f"| {sum(x['assessments'] for x in r)} "
                  f"| {sum(x['violations'] for x in r)} "
                  f"| {max(x['seconds'] for x in r):.2f} |")
        sys.stdout.flush()
    if not args.no_large:
        x = large_outage(1)
        print(f"| large (40 chairs) | {x['kind']} | 1 | {x['lost']} | {x['bound']} | {x['on_hold']} "
              f"| {x['touched']} | {x['moved']} | {x['least']} | {ratio(x['moved'], x['touched'])} "
              f"| {ratio(x['moved'], x['least'])} | {x['assessments']} | {x['violations']} "
              f"| {x['seconds']:.2f} |")


if __name__ == "__main__":
    main()
