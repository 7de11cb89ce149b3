"""Seeded generator of benchmark clinics and rosters (SPEC section 5).

Load is booked over available chair time. Twenty referrals cannot fill four chairs
open ten hours a day, so, as in a real clinic, the calendar is already partly booked
by courses under way: a background cohort (referred from six weeks before "today" on)
is planned first, until its bookings in the measured weeks plus the chair time the new
referrals need reach ``load`` times the chair time open in those weeks (from today to
six weeks after the last new referral). Planner and baseline then book the same new
referrals on top of the same background. Availability is 100%, 50% or 25% of the
opening hours (one window, the same every weekday).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

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


@dataclass
class Instance:
    name: str
    seed: int
    load: float
    clinic: Clinic
    patients: list[Patient]
    today: dt.date = START
    booked: list = None  # (patient id, Appointment) already in the clinic's calendar
    weeks: int = 8
    background_protocols: dict = None

    def __post_init__(self) -> None:
        if self.booked is None:
            self.booked = []
        if self.background_protocols is None:
            self.background_protocols = {}


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
    ids = [pid for pid, _ in mix]
    weights = [w for _, w in mix]
    out = []
    span = max(1, int(weeks * 7))
    for i in range(n):
        pid = rng.choices(ids, weights)[0]
        share = rng.choices([a for a, _ in AVAILABILITY], [w for _, w in AVAILABILITY])[0]
        start_after = first + dt.timedelta(days=rng.randrange(span))
        availability = None
        if share < 1.0 and pid not in ("accelerated-5x5", "snt"):
            length = int((OPEN[1] - OPEN[0]) * share) // 5 * 5
            begin = OPEN[0] + rng.randrange(0, (OPEN[1] - OPEN[0] - length) // 5 + 1) * 5
            w = f"{begin // 60:02d}:{begin % 60:02d}-{(begin + length) // 60:02d}:{(begin + length) % 60:02d}"
            availability = {d: w for d in WEEKDAYS[:5]}
        out.append(Patient.model_validate({
            "id": f"{prefix}{i + 1:04d}", "protocol": pid, "start_after": start_after,
            "priority": "urgent" if rng.random() < 0.05 else "routine",
            **({"availability": availability} if availability else {}),
        }))
    return out


def demand_hours(patients: list[Patient]) -> float:
    protos = protocols()
    return sum(course_hours(protos[p.protocol]) + 1.5 for p in patients)  # + three assessments


def chair_hours(patients: list[Patient]) -> float:
    protos = protocols()
    return sum(course_hours(protos[p.protocol]) for p in patients)


def background(clinic: Clinic, rng: random.Random, target_minutes: float, weeks: int) -> list:
    """Plan earlier referrals until they book ``target_minutes`` of chair time in the window."""
    from tms_sched.plan.builder import CourseBuilder, Policy
    from tms_sched.plan.planner import Planner, PatientPlan, commit, to_appointments

    # The background is booked the same way whatever the planner's policy, so that every
    # variant of the planner is measured on the same instance.
    FIXED = Policy(pick_time="earliest", pack=False, times_per_day=1, tolerance_minutes=0, any_time=False,
                   spare_physicians=False)
    begin = START - dt.timedelta(weeks=6)
    end = START + dt.timedelta(weeks=weeks)
    planner = Planner(clinic, begin)
    timeline = planner.new_timeline()
    booked: list = []
    protocols_of: dict[str, str] = {}
    got = 0.0
    i = 0
    misses = 0
    # Referrals from six weeks before today to the end of the measured weeks, booked in a
    # random order so that the later weeks fill as well as the first ones.
    arrivals = make_patients(rng, 4000, 6 + weeks, "B", first=begin)
    while got < target_minutes and i < len(arrivals) and misses < 60:
        p = arrivals[i]
        i += 1
        builder = CourseBuilder(timeline, clinic, p, clinic.protocols[p.protocol], begin, FIXED)
        attempt = builder.search() if builder.chairs else None
        if attempt is None or min(b.day for b in attempt.bookings) >= end:
            misses += 1  # the window is full for this kind of course
            continue
        misses = 0
        commit(timeline, p, attempt)
        protocols_of[p.id] = p.protocol
        for appt in to_appointments(clinic, PatientPlan(p, attempt.bookings), 1):
            booked.append((p.id, appt))
            day = appt.start.astimezone(clinic.zone).date()
            if START <= day < end and appt.chair:
                got += appt.minutes
    return booked, protocols_of


def open_chair_minutes(clinic: Clinic, weeks: int) -> float:
    from tms_sched.calendar import ClinicCalendar

    cal = ClinicCalendar(clinic)
    total = 0
    for k in range(weeks * 7):
        day = START + dt.timedelta(days=k)
        for chair in clinic.chairs:
            total += sum(e - s for s, e in cal.chair_windows(chair.id, day))
    return total


def small(name: str, chairs: int, n: int, load: float, seed: int, stream: bool = False,
          arrival_weeks: int = 2) -> Instance:
    rng = random.Random(seed)
    patients = make_patients(rng, n, arrival_weeks, "P")
    if stream:  # a weekly accelerated stream: one 5x5 patient every week of the window
        for week in range(arrival_weeks + 4):
            patients.append(Patient.model_validate({
                "id": f"A{week:02d}", "protocol": "accelerated-5x5",
                "start_after": START + dt.timedelta(weeks=week), "priority": "routine"}))
    weeks = arrival_weeks + 6
    clinic = make_clinic(name, chairs)
    target = load * open_chair_minutes(clinic, weeks) - 60 * chair_hours(patients)
    booked, protos = background(clinic, random.Random(seed + 1000), target, weeks)
    return Instance(f"{name} load {load:.2f}", seed, load, clinic, patients, booked=booked, weeks=weeks,
                    background_protocols=protos)


def large(seed: int, load: float = 0.9) -> Instance:
    """40 chairs, 1,500 referrals over 20 weeks."""
    rng = random.Random(seed)
    patients = make_patients(rng, 1500, 20, "L")
    staff_hours = demand_hours(patients) / (load * 26)
    return Instance(f"large (40 chairs, 1500) load {load:.2f}", seed, load,
                    make_clinic("large", 40, staff_hours), patients)


def network(seed: int, sites: int = 50, total: int = 2000, load: float = 0.9) -> list[Instance]:
    """50 sites, 2,000 patients, each site planned on its own."""
    rng = random.Random(seed)
    out = []
    for s in range(sites):
        n = total // sites
        chairs = 3 + s % 4
        patients = make_patients(rng, n, 4, f"S{s:02d}-")
        staff_hours = demand_hours(patients) / (load * 10)
        out.append(Instance(f"site {s:02d}", seed + s, load, make_clinic(f"site-{s:02d}", chairs, staff_hours),
                            patients))
    return out
