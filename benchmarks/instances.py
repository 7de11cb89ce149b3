"""Seeded generator of benchmark clinics and rosters (SPEC section 5).

S, M and L are clinics already running at a load: referrals arrive at random (a
Poisson stream) at the rate that asks for ``load`` times the chair time the clinic has
open each week (at 1.05 more than it has). The referrals of the eight weeks before
today are the clinic's history; each way of booking (the planner, the baseline) books
that history itself, week by week, the way the clinic would have, and then the
measured referrals from today on (see ``small`` and ``book_history``). The large site
and the network size their technicians to the demand instead. Availability is 100%,
50% or 25% of the opening hours (one window, the same every weekday).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace

from tms_sched.model.base import WEEKDAYS
from tms_sched.model.clinic import Chair, Clinic, ClinicInfo, StaffMember
from tms_sched.model.patient import Patient
from tms_sched.protocols import merged_raw
from tms_sched.model.protocol import Protocol

START = dt.date(2027, 1, 4)  # a Monday; the benchmark's "today"
OPEN = (7 * 60 + 30, 18 * 60)  # 07:30-18:00
LUNCH = (12 * 60, 12 * 60 + 30)
WEEKLY_HOURS = 5 * ((OPEN[1] - OPEN[0]) - (LUNCH[1] - LUNCH[0])) / 60  # per chair: 50 h

MIX = [("standard-10hz", 0.40), ("standard-10hz-taper", 0.15), ("standard-itbs", 0.30),
       ("accelerated-5x5", 0.10), ("snt", 0.05)]
AVAILABILITY = [(1.0, 0.5), (0.5, 0.3), (0.25, 0.2)]
# Weeks of history: a standard course's longest span (max_span_days 56), so that on the
# benchmark's today the calendar holds courses of every age, as a running clinic's does.
WARMUP_WEEKS = 8


@dataclass
class Instance:
    name: str
    seed: int
    load: float
    clinic: Clinic
    patients: list[Patient]
    today: dt.date = START
    weeks: int = 8  # the measured weeks (chair use), from today
    history: list[Patient] = field(default_factory=list)  # referrals before today
    history_from: dt.date = START
    booked: list = field(default_factory=list)  # (patient id, Appointment) of the booked history
    history_protocols: dict = field(default_factory=dict)

    @property
    def warmup_weeks(self) -> int:
        """Weeks of history before today."""
        return (self.today - self.history_from).days // 7

    def with_history(self, policy, order: str) -> "Instance":
        """This instance with its history booked by ``policy`` in ``order`` (book_history)."""
        booked, protocols_of = book_history(self, policy, order)
        return replace(self, booked=booked, history_protocols=protocols_of)


def protocols() -> dict[str, Protocol]:
    return {pid: Protocol.model_validate({**raw, "id": pid}) for pid, raw in merged_raw({}).items()}


def course_hours(p: Protocol) -> float:
    return (p.first_minutes + (p.total_sessions - 1) * p.session_minutes) / 60


def make_clinic(name: str, chairs: int, staff_hours: float | None = None) -> Clinic:
    """A clinic; ``staff_hours`` (a week) sizes the technicians, else one per chair."""
    hours = {d: ((OPEN[0], LUNCH[0]), (LUNCH[1], OPEN[1])) for d in WEEKDAYS[:5]}
    info = ClinicInfo.model_validate({
        "name": name, "timezone": "America/Chicago", "slot_minutes": 5, "horizon_weeks": 52,
        "hours": {d: [f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in w]
                  for d, w in hours.items()},
    })
    chair_list = []
    for i in range(chairs):
        caps = ["10hz", "itbs"]
        if i % 4 == 3 or chairs < 4 and i == chairs - 1:
            caps = ["itbs", "neuronav"]
        chair_list.append(Chair(id=f"C{i + 1:02d}", capabilities=caps))
    shift = {d: "07:30-18:00" for d in WEEKDAYS[:5]}
    doctors = max(1, chairs // 6)
    staff = [StaffMember.model_validate({"id": f"dr-{i + 1}", "role": "physician", "hours": shift})
             for i in range(doctors)]
    staff += [StaffMember.model_validate({"id": "rn-1", "role": "clinician", "hours": shift})]
    have = 50.0 * len(staff)
    techs = chairs if staff_hours is None else max(0, int((staff_hours - have) // 50.0))
    staff += [StaffMember.model_validate({"id": f"tech-{i + 1:02d}", "role": "technician", "hours": shift})
              for i in range(techs)]
    rest = 0.0 if staff_hours is None else staff_hours - have - 50.0 * techs
    daily = int(rest / 5 * 60) // 30 * 30  # a part-time technician for the remainder, in half hours
    if daily >= 60:
        end = 10 * 60 + 30 + daily  # from 10:30, covering the afternoon
        end = min(end, OPEN[1])
        shift = {d: f"10:30-{end // 60:02d}:{end % 60:02d}" for d in WEEKDAYS[:5]}
        staff.append(StaffMember.model_validate({"id": "tech-part", "role": "technician", "hours": shift}))
    return Clinic(info=info, chairs=chair_list, staff=staff, protocols=protocols())


def make_patients(rng: random.Random, n: int, weeks: float, prefix: str, mix=MIX,
                  first: dt.date = START) -> list[Patient]:
    """``n`` referrals arriving on days drawn evenly over ``weeks`` weeks from ``first``."""
    out = []
    span = max(1, int(weeks * 7))
    for i in range(n):
        pid, share = draw_kind(rng, mix)
        start_after = first + dt.timedelta(days=rng.randrange(span))
        out.append(referral(rng, f"{prefix}{i + 1:04d}", pid, share, start_after))
    return out


def draw_kind(rng: random.Random, mix=MIX) -> tuple[str, float]:
    """A referral's protocol and the share of opening hours it is available."""
    pid = rng.choices([pid for pid, _ in mix], [w for _, w in mix])[0]
    share = rng.choices([a for a, _ in AVAILABILITY], [w for _, w in AVAILABILITY])[0]
    return pid, share


def referral(rng: random.Random, id_: str, pid: str, share: float, start_after: dt.date) -> Patient:
    """One referral: its availability window (drawn) and priority (5% urgent)."""
    availability = None
    if share < 1.0 and pid not in ("accelerated-5x5", "snt"):
        length = int((OPEN[1] - OPEN[0]) * share) // 5 * 5
        begin = OPEN[0] + rng.randrange(0, (OPEN[1] - OPEN[0] - length) // 5 + 1) * 5
        w = f"{begin // 60:02d}:{begin % 60:02d}-{(begin + length) // 60:02d}:{(begin + length) % 60:02d}"
        availability = {d: w for d in WEEKDAYS[:5]}
    return Patient.model_validate({
        "id": id_, "protocol": pid, "start_after": start_after,
        "priority": "urgent" if rng.random() < 0.05 else "routine",
        **({"availability": availability} if availability else {}),
    })


def demand_hours(patients: list[Patient]) -> float:
    protos = protocols()
    return sum(course_hours(protos[p.protocol]) + 1.5 for p in patients)  # + three assessments


def referrals(rng: random.Random, rate: float, first: dt.date, prefix: str, *, count: int | None = None,
              until: dt.date | None = None, mix=MIX) -> list[Patient]:
    """Referrals arriving at random (a Poisson stream of ``rate`` a week) from ``first`` on.

    Stops after ``count`` referrals or before ``until``.
    """
    out: list[Patient] = []
    weeks = 0.0
    while count is None or len(out) < count:
        weeks += rng.expovariate(rate)
        day = first + dt.timedelta(days=int(weeks * 7))
        if until is not None and day >= until:
            break
        pid, share = draw_kind(rng, mix)
        out.append(referral(rng, f"{prefix}{len(out) + 1:04d}", pid, share, day))
    return out


def weekly_5x5(first: dt.date, weeks: int, prefix: str) -> list[Patient]:
    """One accelerated 5x5 referral every Monday for ``weeks`` weeks."""
    return [Patient.model_validate({"id": f"{prefix}{w:02d}", "protocol": "accelerated-5x5",
                                    "start_after": first + dt.timedelta(weeks=w), "priority": "routine"})
            for w in range(weeks)]


def book_history(inst: Instance, policy, order: str) -> tuple[list, dict[str, str]]:
    """Book the referrals of the weeks before today, week by week, as the clinic would.

    Each Monday the week's new referrals are booked on top of everything booked before:
    by ``tms-sched plan`` (``policy`` None, ``order`` "smart") or by hand (the baseline's
    policy, in arrival order). Returns the bookings and each patient's protocol.
    """
    from tms_sched.plan.planner import plan_schedule

    booked: list = []
    protocols_of: dict[str, str] = {}
    for w in range(inst.warmup_weeks):
        monday = inst.history_from + dt.timedelta(weeks=w)
        week = [p for p in inst.history if monday <= p.start_after < monday + dt.timedelta(weeks=1)]
        if not week:
            continue
        result = plan_schedule(inst.clinic, week, monday, policy=policy, order=order, booked=booked,
                               booked_protocols=protocols_of)
        for sp in result.schedule.patients:
            protocols_of[sp.id] = sp.protocol
            booked.extend((sp.id, appt) for appt in sp.appointments)
    return booked, protocols_of


def open_chair_minutes(clinic: Clinic, first: dt.date, days: int) -> int:
    """Chair minutes open over ``days`` days from ``first``, every chair together."""
    from tms_sched.calendar import ClinicCalendar

    cal = ClinicCalendar(clinic)
    return sum(e - s for k in range(days) for chair in clinic.chairs
               for s, e in cal.chair_windows(chair.id, first + dt.timedelta(days=k)))


def open_chair_hours_per_week(clinic: Clinic) -> float:
    return open_chair_minutes(clinic, START, 7) / 60


def small(name: str, chairs: int, n: int, load: float, seed: int, stream: bool = False,
          warmup_weeks: int = WARMUP_WEEKS) -> Instance:
    """A running clinic at ``load``: referrals arrive needing ``load`` of its chair time.

    The ``n`` referrals from today on (and, with ``stream``, one 5x5 referral every
    Monday of the weeks they arrive over) are measured; the same stream in the
    ``warmup_weeks`` before today is the clinic's history, booked week by week by
    whoever books the clinic (see book_history).
    """
    protos = protocols()
    clinic = make_clinic(name, chairs)
    per_referral = sum(w * course_hours(protos[pid]) for pid, w in MIX)
    accelerated = course_hours(protos["accelerated-5x5"]) if stream else 0.0
    rate = (load * open_chair_hours_per_week(clinic) - accelerated) / per_referral
    rng = random.Random(seed)
    patients = referrals(rng, rate, START, "P", count=n)
    arrival_weeks = ((max(p.start_after for p in patients) - START).days + 7) // 7
    history_from = START - dt.timedelta(weeks=warmup_weeks)
    history = referrals(random.Random(seed + 1000), rate, history_from, "B", until=START)
    if stream:
        patients += weekly_5x5(START, arrival_weeks, "A")
        history += weekly_5x5(history_from, warmup_weeks, "BA")
    return Instance(f"{name} load {load:.2f}", seed, load, clinic, patients, weeks=arrival_weeks + 6,
                    history=history, history_from=history_from)


def large(seed: int, load: float = 0.9) -> Instance:
    """40 chairs, 1,500 referrals over 20 weeks."""
    rng = random.Random(seed)
    patients = make_patients(rng, 1500, 20, "L")
    staff_hours = demand_hours(patients) / (load * 26)
    return Instance(f"large (40 chairs, 1500) load {load:.2f}", seed, load,
                    make_clinic("large", 40, staff_hours), patients)


def network(seed: int, sites: int = 50, total: int = 2000) -> list[Instance]:
    """50 sites of 3 to 6 chairs, 2,000 patients, each site planned on its own.

    Forty referrals a site arrive over four weeks. A site has a physician and a
    clinician and no technician; its ``load`` is the staff time its referrals need over
    ten weeks (sessions and assessments) over the staff time on shift, about 0.65.
    """
    rng = random.Random(seed)
    out = []
    for s in range(sites):
        n = total // sites
        chairs = 3 + s % 4
        patients = make_patients(rng, n, 4, f"S{s:02d}-")
        clinic = make_clinic(f"site-{s:02d}", chairs, staff_hours=0.0)
        load = demand_hours(patients) / (10 * WEEKLY_HOURS * len(clinic.staff))
        out.append(Instance(f"site {s:02d}", seed + s, load, clinic, patients))
    return out
