"""The capacity simulation: referrals booked week by week with the planner, per variant
and seed, and the figures a clinic director reads from them."""

from __future__ import annotations

import datetime as dt
import math
import os
import signal
from concurrent.futures import ProcessPoolExecutor, as_completed
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..calendar import ClinicCalendar
from ..model.clinic import Clinic
from ..model.patient import Patient
from ..model.schedule import LIVE, Appointment, Schedule, ScheduledPatient, ScheduleInfo
from ..plan.authorized import replan_within_authorization
from .referrals import Referral, booking_days, referral_stream
from .usage import chair_use, staff_use
from .variants import Variant, clinic_variants

MIN_RUNS = 5
REACH_WEEKS = 12  # how far past the referral weeks a course started late still runs
MEANINGFUL_CUT = 0.1  # business days of mean wait below which an added unit cuts nothing


@dataclass
class Setup:
    """What every run shares: the clinic as parsed, today, the schedule already booked and
    the roster (its patients not in the schedule are waiting to be booked)."""

    clinic: Clinic
    today: dt.date
    schedule: Schedule | None = None
    roster: list[Patient] = field(default_factory=list)
    now_minute: int | None = None  # the time of day it is today, as `plan` takes it

    def capabilities_in_use(self, rates: Mapping[str, float]) -> set[str]:
        """What chairs the referred, waiting and booked patients need."""
        ids = {p for p, r in rates.items() if r > 0} | {p.protocol for p in self.roster}
        if self.schedule is not None:
            ids |= {sp.protocol for sp in self.schedule.patients}
        return {self.clinic.protocols[i].capability for i in ids if i in self.clinic.protocols}

    def start(self, clinic: Clinic) -> Schedule:
        """The booked history on ``clinic``: the schedule replanned for today with the waiting
        roster booked, as `tms-sched plan --schedule` would (the runs of a variant share it)."""
        schedule = self.schedule or Schedule(schedule=ScheduleInfo(clinic=clinic.info.name,
                                                                   timezone=clinic.info.timezone,
                                                                   revision=1, updated=self.today))
        patients = [p for p in self.roster if p.protocol in clinic.protocols]
        if not patients and not schedule.patients:
            return schedule
        result, _ = replan_within_authorization(clinic, schedule, patients, self.today,
                                                now_minute=self.now_minute)
        return result.schedule


@dataclass
class Run:
    """One seed's outcome on one variant."""

    waits: dict[str, list[int]]
    weekly: list[list[int]]  # per booking week, the waits of that week's referrals
    unplaced: dict[str, int]
    chair_use: dict[str, float]
    staff_use: dict[str, float]


@dataclass
class Outcome:
    """A variant's figures over every run."""

    variant: Variant
    runs: list[Run]
    protocols: list[str]
    binding: str | None = None
    binding_by: Outcome | None = None  # for today's clinic: the variant that shows it

    def pooled(self, protocol: str) -> list[int]:
        return sorted(w for run in self.runs for w in run.waits.get(protocol, []))

    def mean_wait(self, protocol: str) -> float | None:
        waits = self.pooled(protocol)
        return sum(waits) / len(waits) if waits else None

    def p90_wait(self, protocol: str) -> int | None:
        return percentile(self.pooled(protocol), 0.9)

    def unplaced(self, protocol: str) -> float:
        return sum(run.unplaced.get(protocol, 0) for run in self.runs) / len(self.runs)

    def spread(self, protocol: str) -> tuple[float, float] | None:
        """The lowest and highest mean wait of a single run."""
        means = [sum(r.waits[protocol]) / len(r.waits[protocol]) for r in self.runs if r.waits.get(protocol)]
        return (min(means), max(means)) if means else None

    def overall_mean(self) -> float:
        waits = [w for run in self.runs for ws in run.waits.values() for w in ws]
        return sum(waits) / len(waits) if waits else 0.0

    def total_unplaced(self) -> float:
        return sum(self.unplaced(p) for p in self.protocols)

    def chair_use(self) -> dict[str, float]:
        return _mean_of(run.chair_use for run in self.runs)

    def staff_use(self) -> dict[str, float]:
        return _mean_of(run.staff_use for run in self.runs)

    def weekly_mean(self) -> list[float | None]:
        weeks = len(self.runs[0].weekly) if self.runs else 0
        out: list[float | None] = []
        for k in range(weeks):
            waits = [w for run in self.runs for w in run.weekly[k]]
            out.append(sum(waits) / len(waits) if waits else None)
        return out

    def meets(self, target: float) -> bool:
        """Every protocol's p90 wait within ``target`` business days, and nobody left unplaced."""
        if self.total_unplaced() > 0:
            return False
        return all((p90 is None or p90 <= target) for p90 in (self.p90_wait(p) for p in self.protocols))


def percentile(values: Sequence[int], q: float) -> int | None:
    """The nearest-rank percentile of sorted ``values``."""
    if not values:
        return None
    return values[max(0, math.ceil(q * len(values)) - 1)]


def _mean_of(tables) -> dict[str, float]:
    tables = list(tables)
    keys = sorted({k for t in tables for k in t})
    return {k: sum(t.get(k, 0.0) for t in tables) / len(tables) for k in keys} if tables else {}


@dataclass
class Report:
    outcomes: list[Outcome]
    protocols: list[str]
    weeks: int
    seeds: list[int]
    today: dt.date
    target: float | None = None
    recommended: str | None = None


def run_once(setup: Setup, clinic: Clinic, history: Schedule, referrals: Sequence[Referral],
             days: Sequence[dt.date], counting: ClinicCalendar, usage_calendar: ClinicCalendar,
             tick: Callable[[], None] | None = None) -> Run:
    """Book the referrals week by week on ``clinic``, the way the clinic would.

    On each booking day the coordinator runs `tms-sched plan --schedule`: the referrals of
    that week (each ready from its own day) and whoever could not be booked before are
    planned around everything booked so far.
    """
    zone = clinic.zone
    protocol_of = {r.id: r.protocol for r in referrals}
    ready = {r.id: r.day for r in referrals}
    week_of = {r.id: r.week for r in referrals}
    roster = {p.id: p for p in setup.roster}
    by_week: dict[int, list[Referral]] = {}
    for r in referrals:
        by_week.setdefault(r.week, []).append(r)
    schedule = history
    booked_ids = {sp.id for sp in schedule.patients}
    waitlist = [p for p in setup.roster if p.id not in booked_ids and p.protocol in clinic.protocols]
    finished: list[ScheduledPatient] = []
    for k, day in enumerate(days):
        new = [Patient(id=r.id, protocol=r.protocol, start_after=r.day) for r in by_week.get(k, [])]
        if new or waitlist:
            # Courses over before this week change nothing ahead; set aside, they keep the replan small.
            active = []
            for sp in schedule.patients:
                if sp.appointments and max(a.start.astimezone(zone).date() for a in sp.appointments) < day:
                    finished.append(sp)
                else:
                    active.append(sp)
            schedule = schedule.model_copy(update={"patients": active})
            patients = [roster[sp.id] for sp in active if sp.id in roster] + waitlist + new
            now = setup.now_minute if day == setup.today else None
            result, _ = replan_within_authorization(clinic, schedule, patients, day, now_minute=now)
            schedule = result.schedule
            placed = {sp.id for sp in schedule.patients}
            waitlist = [p for p in waitlist + new if p.id not in placed]
        if tick:
            tick()
    waits: dict[str, list[int]] = {}
    weekly: list[list[int]] = [[] for _ in days]
    appointments: list[Appointment] = []
    for sp in finished + list(schedule.patients):
        appointments.extend(sp.appointments)
        if sp.id in protocol_of:
            sessions = [a.start.astimezone(zone).date() for a in sp.appointments
                        if a.kind != "assessment" and a.status in LIVE]
            if sessions:
                wait = counting.business_days(ready[sp.id], min(sessions))
                waits.setdefault(protocol_of[sp.id], []).append(wait)
                weekly[week_of[sp.id]].append(wait)
    unplaced: dict[str, int] = {}
    for p in waitlist:
        if p.id in protocol_of:
            unplaced[p.protocol] = unplaced.get(p.protocol, 0) + 1
    end = days[-1] + dt.timedelta(days=7 - days[-1].weekday())
    return Run(waits, weekly, unplaced,
               chair_use(clinic, usage_calendar, appointments, setup.today, end),
               staff_use(clinic, usage_calendar, appointments, setup.today, end))


class _Runs:
    """What the runs share: the parsed clinic and its variants, the referral streams, and
    per variant its calendars and booked history (made once, on first use)."""

    def __init__(self, setup: Setup, variants: Sequence[Variant], streams: Mapping[int, list[Referral]],
                 days: Sequence[dt.date]) -> None:
        self.setup = setup
        self.variants = list(variants)
        self.streams = streams
        self.days = list(days)
        self.closures = setup.schedule.closures if setup.schedule else []
        self.counting = ClinicCalendar(setup.clinic, self.closures)
        self._made: dict[int, tuple[ClinicCalendar, Schedule]] = {}

    def run(self, index: int, seed: int, tick: Callable[[], None] | None = None) -> Run:
        variant = self.variants[index]
        if index not in self._made:
            self._made[index] = (ClinicCalendar(variant.clinic, self.closures), self.setup.start(variant.clinic))
        usage_calendar, history = self._made[index]
        return run_once(self.setup, variant.clinic, history, self.streams[seed], self.days, self.counting,
                        usage_calendar, tick)


_WORKER: _Runs | None = None


def _start_worker(runs: _Runs) -> None:
    global _WORKER
    _WORKER = runs
    # Ctrl-C is the parent's to handle: it stops the simulation and says so once.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_in_worker(index: int, seed: int) -> Run:
    assert _WORKER is not None
    return _WORKER.run(index, seed)


def default_jobs() -> int:
    """Processes to run at once: one per processor this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on every platform
        return max(1, os.cpu_count() or 1)


def simulate(setup: Setup, rates: Mapping[str, float], *, weeks: int = 26, seed: int = 1, runs: int = MIN_RUNS,
             target: float | None = None, variants: Sequence[Variant] | None = None,
             progress: Callable[[int, int], None] | None = None, jobs: int = 1) -> Report:
    """Every variant of the clinic, each over ``runs`` seeds (``seed``, ``seed + 1``, ...).

    The runs of a seed share one referral stream across variants, and every run shares the
    parsed clinic and the booked history, so the variants differ only in the clinic.
    ``jobs`` above 1 spreads the runs over that many processes; the figures do not change.
    """
    days = booking_days(setup.today, weeks)
    if variants is None:
        variants = clinic_variants(setup.clinic, setup.today, days[-1] + dt.timedelta(weeks=REACH_WEEKS),
                                   needed=setup.capabilities_in_use(rates))
    seeds = [seed + i for i in range(runs)]
    streams = {s: referral_stream(rates, setup.today, weeks, s) for s in seeds}
    protocols = sorted(p for p, r in rates.items() if r > 0)
    shared = _Runs(setup, variants, streams, days)
    tasks = [(i, s) for i in range(len(variants)) for s in seeds]
    total = len(tasks) * len(days)
    done = [0]

    def tick(weeks_done: int = 1) -> None:
        done[0] += weeks_done
        if progress:
            progress(done[0], total)

    results: dict[tuple[int, int], Run] = {}
    jobs = max(1, min(jobs, len(tasks)))
    if jobs == 1:
        for task in tasks:
            results[task] = shared.run(*task, tick=tick)
    else:
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(shared,))
        try:
            pending = {pool.submit(_run_in_worker, *task): task for task in tasks}
            for future in as_completed(pending):
                results[pending[future]] = future.result()
                tick(len(days))
        except BaseException:
            # Interrupted: the runs not yet started are dropped rather than waited for.
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
    outcomes = [Outcome(v, [results[(i, s)] for s in seeds], protocols) for i, v in enumerate(variants)]
    _bind(outcomes)
    report = Report(outcomes, protocols, weeks, seeds, setup.today, target)
    if target is not None:
        report.recommended = recommend(outcomes, target)
    return report


def _bind(outcomes: list[Outcome]) -> None:
    """Name each variant's binding resource.

    For today's clinic it is measured: the added unit (a chair, a staff member, an hour)
    whose variant leaves fewest unplaced and then cuts the mean wait most; none when no
    unit helps. For a variant, the resource it uses most (its share of open time).
    """
    base = outcomes[0]
    use = base.chair_use()

    def label(variant: Variant) -> str | None:
        if variant.resource and variant.resource.startswith("chair:"):
            caps = variant.added.get("chair", [])
            return "chair:" + max(sorted(caps), key=lambda c: use.get(c, 0.0))
        return variant.resource

    best: tuple[tuple[float, float], str | None, Outcome] | None = None
    base_score = (base.total_unplaced(), base.overall_mean())
    for other in outcomes[1:]:
        if not other.variant.resource:
            continue
        score = (other.total_unplaced(), other.overall_mean())
        helps = score[0] < base_score[0] or (score[0] == base_score[0]
                                              and base_score[1] - score[1] >= MEANINGFUL_CUT)
        if helps and (best is None or score < best[0]):
            best = (score, label(other.variant), other)
    base.binding, base.binding_by = (best[1], best[2]) if best else (None, None)
    for other in outcomes[1:]:
        shares = [(v, f"chair:{k}") for k, v in other.chair_use().items()]
        shares += [(v, f"staff:{k}") for k, v in other.staff_use().items()]
        top = max(shares, key=lambda s: s[0], default=None)  # a tie: the first listed
        other.binding = top[1] if top and top[0] > 0 else None


def recommend(outcomes: Sequence[Outcome], target: float) -> str | None:
    """The variant with the fewest added units whose p90 wait meets ``target`` for every
    protocol (ties: the shorter mean wait, then the order listed); None when none does."""
    meeting = [(o.variant.units, o.overall_mean(), i, o) for i, o in enumerate(outcomes) if o.meets(target)]
    if not meeting:
        return None
    return min(meeting, key=lambda m: m[:3])[3].variant.name
