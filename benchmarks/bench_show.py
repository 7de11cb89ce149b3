"""How fast `tms-sched show` renders a large schedule (not a test; prints figures).

    python benchmarks/bench_show.py                 # 60,000 appointments, 40 chairs
    python benchmarks/bench_show.py --patients 500  # smaller

Writes a synthetic clinic and schedule (standard 10 Hz courses, 40 chairs open
07:00-19:00 on weekdays, courses started in waves so that every chair is busy) to a
temporary folder, then times: reading the schedule, arranging it for display, and
rendering each view for one week in the middle (agenda of that week, week grid, one
day's chairs, four weeks of load, one patient) to plain text at 120 columns.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console

from tms_sched.calendar import ClinicCalendar
from tms_sched.io import load_clinic
from tms_sched.io.schedule import load_schedule, to_toml
from tms_sched.model.schedule import Schedule
from tms_sched.render.views import ScheduleFacts, agenda_view, chairs_view, load_view, patient_view, week_view

ZONE = "America/Los_Angeles"
FIRST = dt.date(2027, 1, 4)  # a Monday
CHAIRS = 40
OPEN, CLOSE = 7 * 60, 19 * 60
SESSION = 40
SLOTS = (CLOSE - OPEN - 60) // SESSION  # the first session is 60 minutes; leave it room
COURSE = 30

CLINIC = f"""
[clinic]
name = "Benchmark Clinic"
timezone = "{ZONE}"
holidays = {{ country = "US", subdiv = "CA" }}

[clinic.hours]
mon = "07:00-19:00"
tue = "07:00-19:00"
wed = "07:00-19:00"
thu = "07:00-19:00"
fri = "07:00-19:00"
""" + "".join(f'\n[[chairs]]\nid = "C{i:02d}"\ncapabilities = ["10hz", "itbs"]\n' for i in range(1, CHAIRS + 1))


def open_days(calendar: ClinicCalendar, start: dt.date, n: int) -> list[dt.date]:
    out, day = [], start
    while len(out) < n:
        if calendar.is_open(day):
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def build(patients: int, clinic_path: Path) -> Schedule:
    clinic, _ = load_clinic(str(clinic_path))
    calendar = ClinicCalendar(clinic)
    zone = ZoneInfo(ZONE)
    lanes = CHAIRS * SLOTS  # courses that can run side by side
    entries = []
    for n in range(patients):
        wave, lane = divmod(n, lanes)
        chair, slot = divmod(lane, SLOTS)
        start_minute = OPEN + slot * SESSION + (60 - SESSION if slot else 0)
        days = open_days(calendar, FIRST + dt.timedelta(weeks=7 * wave), COURSE + 1)
        pid = f"P-{n + 1:05d}"
        appts = []
        for i, day in enumerate(days[:COURSE], 1):
            minute = OPEN if i == 1 and slot == 0 else start_minute
            local = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)
            appts.append({"id": f"{pid}-{i:02d}", "kind": "mapping" if i == 1 else "treatment", "session": i,
                          "chair": f"C{chair + 1:02d}", "start": local.replace(tzinfo=zone),
                          "minutes": 60 if i == 1 and slot == 0 else SESSION, "status": "planned"})
        for name, day in (("baseline", days[0] - dt.timedelta(days=3)), ("end-of-course", days[COURSE])):
            local = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=start_minute)
            appts.append({"id": f"{pid}-{name}", "kind": "assessment", "name": name,
                          "start": local.replace(tzinfo=zone), "minutes": 30, "status": "planned"})
        entries.append({"id": pid, "protocol": "standard-10hz", "appointments": appts})
    return Schedule.model_validate({"schedule": {"clinic": "Benchmark Clinic", "timezone": ZONE, "revision": 1},
                                    "patients": entries})


def render(renderable) -> str:
    console = Console(file=io.StringIO(), width=120, no_color=True, color_system=None, highlight=False)
    console.print(renderable)
    return console.file.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1875, help="courses of 32 appointments each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clinic_path = Path(tmp) / "clinic.toml"
        clinic_path.write_text(CLINIC, encoding="utf-8")
        schedule_path = Path(tmp) / "schedule.toml"
        schedule_path.write_text(to_toml(build(args.patients, clinic_path)), encoding="utf-8")
        size = schedule_path.stat().st_size

        t0 = time.perf_counter()
        clinic, _ = load_clinic(str(clinic_path))
        schedule, _ = load_schedule(str(schedule_path))
        t1 = time.perf_counter()
        count = sum(len(p.appointments) for p in schedule.patients)
        week = FIRST + dt.timedelta(weeks=3)
        facts = ScheduleFacts(schedule, clinic, ClinicCalendar(clinic, schedule.closures), week)
        t2 = time.perf_counter()
        print(f"{count:,} appointments, {len(schedule.patients):,} patients, {CHAIRS} chairs, "
              f"{facts.first_day} to {facts.last_day}; schedule file {size / 1e6:.1f} MB")
        print(f"read the schedule (TOML + validation):  {t1 - t0:6.2f} s")
        print(f"arrange it for display:                 {t2 - t1:6.2f} s")
        views = [
            ("agenda, one week (Mon-Sun)", lambda: agenda_view(facts, week, week + dt.timedelta(days=6), width=120)),
            ("agenda, one day", lambda: agenda_view(facts, week, week, width=120)),
            ("week grid, all chairs", lambda: week_view(facts, week, width=120)),
            ("week grid, one chair", lambda: week_view(facts, week, chair="C07", width=120)),
            ("chairs, one day", lambda: chairs_view(facts, week, width=120)),
            ("load, four weeks", lambda: load_view(facts, week, week + dt.timedelta(days=27), width=120)),
            ("patient", lambda: patient_view(facts, "P-00001", width=120)),
        ]
        for name, make in views:
            start = time.perf_counter()
            text = render(make())
            elapsed = time.perf_counter() - start
            print(f"render {name + ':':<32} {elapsed:6.2f} s  ({text.count(chr(10)):,} lines)")
        total = time.perf_counter() - t0
        print(f"everything above, reading included:     {total:6.2f} s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
