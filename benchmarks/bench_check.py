"""How fast `tms-sched check` judges a large schedule (not a test; prints figures).

    python benchmarks/bench_check.py                      # 60,000 appointments
    python benchmarks/bench_check.py --appointments 6000  # smaller
    python benchmarks/bench_check.py --break-every 500    # with findings too

Writes a synthetic clinic (40 chairs open 07:00-19:00 on weekdays, 40 technicians,
8 physicians, 24 clinicians), a roster and a schedule that breaks no rule: standard
10 Hz courses in lanes of one chair and one hour, started in waves, each with its
mapping (a named physician), 29 treatments on consecutive weekdays and its baseline,
end-of-course and follow-up assessments (a named clinician). Every rule has real work
to do: chairs, patients and staff are busy all day, every day.

Times, separately: reading the clinic and roster, reading the schedule, checking
(each rule's share listed, and the scan for line numbers, which the reader defers
until a finding needs a line), rendering text, JSON and SARIF, and the whole command
as a user runs it (`tms-sched check ... --format json`).

``--break-every N`` moves every N-th treatment 30 minutes later, into the next lane, so that the
schedule also has chair, patient and staff collisions to report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console

from tms_sched.check import all_codes
from tms_sched.check.context import Context
from tms_sched.check.engine import check
from tms_sched.check.registry import function_of
from tms_sched.io import load_setup
from tms_sched.io.schedule import load_schedule, to_toml
from tms_sched.model.schedule import Appointment, Schedule, ScheduledPatient, ScheduleInfo
from tms_sched.render.findings import render_json, render_sarif, render_text

ZONE = "America/Chicago"
NAME = "Check Benchmark Clinic"
FIRST = dt.date(2027, 1, 4)  # a Monday
CHAIRS = 40
HOURS = 12  # lanes 07:00, 08:00, ... 18:00: one session (at most 60 min) an hour
GROUPS = CHAIRS // 5  # chairs c and c' share a physician/clinician when c // 5 == c' // 5
PER_COURSE = 33  # 30 sessions and 3 assessments
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri")


def clinic_text() -> str:
    week = ", ".join(f'{d} = "07:00-19:00"' for d in WEEKDAY_KEYS)
    parts = [
        f'[clinic]\nname = "{NAME}"\ntimezone = "{ZONE}"\n\n[clinic.hours]\n'
        + "".join(f'{d} = "07:00-19:00"\n' for d in WEEKDAY_KEYS)
    ]
    parts += [f'\n[[chairs]]\nid = "C{c:02d}"\ncapabilities = ["10hz", "itbs"]\n' for c in range(CHAIRS)]
    parts += [f'\n[[staff]]\nid = "tech-{c:02d}"\nrole = "technician"\nhours = {{ {week} }}\n' for c in range(CHAIRS)]
    parts += [f'\n[[staff]]\nid = "dr-{g}"\nrole = "physician"\nhours = {{ {week} }}\n' for g in range(GROUPS)]
    parts += [f'\n[[staff]]\nid = "rn-{kind}-{g}"\nrole = "clinician"\nhours = {{ {week} }}\n'
              for kind in ("b", "e", "f") for g in range(GROUPS)]
    return "".join(parts)


def weekdays_from(start: dt.date, n: int) -> list[dt.date]:
    out, day = [], start
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def build(patients: int, break_every: int) -> tuple[str, Schedule]:
    zone = ZoneInfo(ZONE)
    lanes = CHAIRS * HOURS
    roster = []
    entries = []
    moved = 0
    counter = 0
    for p in range(patients):
        lane, wave = p % lanes, p // lanes
        chair, hour = lane // HOURS, lane % HOURS
        weekday = chair % 5
        first = FIRST + dt.timedelta(weeks=7 * wave, days=weekday)
        days = weekdays_from(first, 30)
        minute = (7 + hour) * 60
        pid = f"B{p:05d}"
        group = chair // 5

        def at(day: dt.date, m: int = minute) -> dt.datetime:
            return (dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=m)).replace(tzinfo=zone)

        appts = [Appointment(id=f"{pid}-b", kind="assessment", name="baseline", start=at(first - dt.timedelta(days=7)),
                             minutes=30, staff=f"rn-b-{group}")]
        for n, day in enumerate(days, start=1):
            start = at(day)
            counter += 1
            if break_every and n > 1 and counter % break_every == 0:
                start += dt.timedelta(minutes=30)
                moved += 1
            appts.append(Appointment(
                id=f"{pid}-{n:02d}", kind="mapping" if n == 1 else "treatment", session=n, chair=f"C{chair:02d}",
                start=start, minutes=60 if n == 1 else 40, staff=f"dr-{group}" if n == 1 else None))
        last = days[-1]
        appts.append(Appointment(id=f"{pid}-e", kind="assessment", name="end-of-course",
                                 start=at(last + dt.timedelta(days=7)), minutes=30, staff=f"rn-e-{group}"))
        appts.append(Appointment(id=f"{pid}-f", kind="assessment", name="follow-up",
                                 start=at(last + dt.timedelta(days=21)), minutes=30, staff=f"rn-f-{group}"))
        entries.append(ScheduledPatient(id=pid, protocol="standard-10hz", appointments=appts))
        roster.append(f'[[patients]]\nid = "{pid}"\nprotocol = "standard-10hz"\n')
    schedule = Schedule(schedule=ScheduleInfo(clinic=NAME, timezone=ZONE, revision=1, updated=FIRST),
                        patients=entries)
    return "\n".join(roster), schedule


def seconds(start: float) -> str:
    return f"{time.perf_counter() - start:7.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, default=60_000)
    parser.add_argument("--break-every", type=int, default=0)
    args = parser.parse_args()
    patients = math.ceil(args.appointments / PER_COURSE)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        roster_text, schedule = build(patients, args.break_every)
        clinic_path, roster_path, schedule_path = folder / "clinic.toml", folder / "roster.toml", folder / "schedule.toml"
        clinic_path.write_text(clinic_text(), encoding="utf-8")
        roster_path.write_text(roster_text, encoding="utf-8")
        schedule_path.write_text(to_toml(schedule), encoding="utf-8")
        total = sum(len(p.appointments) for p in schedule.patients)
        size = schedule_path.stat().st_size
        print(f"schedule: {total:,} appointments, {patients:,} patients, {CHAIRS} chairs, "
              f"{size / 1e6:.1f} MB of TOML")

        t = time.perf_counter()
        clinic, roster = load_setup(str(clinic_path), [str(roster_path)])
        print(f"read clinic and roster      {seconds(t)}")
        t = time.perf_counter()
        model, index = load_schedule(str(schedule_path))
        print(f"read schedule               {seconds(t)}")
        t0 = time.perf_counter()
        report = check(clinic, [(str(schedule_path), model, index)], roster)
        print(f"check, all rules            {seconds(t0)}")
        print(f"  findings: {report.count('error')} errors, {report.count('warning')} warnings "
              f"{report.by_code() or ''}")

        t = time.perf_counter()
        _, fresh_index = load_schedule(str(schedule_path))
        t = time.perf_counter()
        fresh_index.line(("patients", 0))
        print(f"  line index, scanned on the first finding's lookup {seconds(t)}")

        t = time.perf_counter()
        ctx = Context(clinic, model, str(schedule_path), index, roster)
        print(f"  prepare (wall clock, courses) {seconds(t)}")
        for code in all_codes():
            t = time.perf_counter()
            list(function_of(code)(ctx))
            print(f"  {code}                      {seconds(t)}")

        t = time.perf_counter()
        render_text(report, Console(file=io.StringIO(), width=120, no_color=True))
        render_json(report)
        render_sarif(report)
        print(f"render text, JSON and SARIF {seconds(t)}")

        t = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "tms_sched", "check", str(clinic_path), str(schedule_path),
             "--roster", str(roster_path), "--format", "json"],
            capture_output=True, text=True, check=False)
        print(f"tms-sched check (process)   {seconds(t)}  exit {done.returncode}")


if __name__ == "__main__":
    main()
