"""On a running clinic's calendar a new course's mapping may go at another hour than its
usual time: the usual time is the median of its once-daily sessions, the mapping day
left out (SPEC section 5), and a booked calendar often has an hour free on the first day
only where the later days are taken.
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo

from planhelp import load, write_setup
from tms_sched.model.schedule import Appointment
from tms_sched.plan.planner import plan_schedule

ZONE = zoneinfo.ZoneInfo("Europe/London")
TODAY = dt.date(2027, 3, 1)  # a Monday: the baseline assessment, at least a day before the first session
FIRST = TODAY + dt.timedelta(days=1)
CLINIC = {
    "clinic": {"name": "One chair", "timezone": "Europe/London", "slot_minutes": 10, "horizon_weeks": 26,
               "hours": {d: "08:00-12:00" for d in ("mon", "tue", "wed", "thu", "fri")}},
    "chairs": [{"id": "A", "capabilities": ["10hz"]}],
}
NEW = {"id": "NEW", "protocol": "standard-10hz", "start_after": TODAY}


def held(pid: str, day: dt.date, start: str, end: str) -> tuple[str, Appointment]:
    a = dt.datetime.combine(day, dt.time.fromisoformat(start), ZONE)
    b = dt.datetime.combine(day, dt.time.fromisoformat(end), ZONE)
    return pid, Appointment(id=f"{pid}-{day:%m%d}-{start[:2]}", kind="treatment", session=1, chair="A", start=a,
                            minutes=int((b - a).total_seconds() // 60))


def history() -> list[tuple[str, Appointment]]:
    """On the first day a course can start the chair is free 11:00-12:00 only (the one hour
    a mapping takes); on the later days 08:00-08:40 is free every day, 10:00-10:40 every
    other day, and 11:00 never."""
    out = [held("H1", FIRST, "08:00", "11:00")]
    day, k = FIRST, 0
    while day < TODAY + dt.timedelta(weeks=12):
        day += dt.timedelta(days=1)
        if day.weekday() >= 5:
            continue
        k += 1
        out.append(held("H2", day, "08:40", "10:00"))
        out.append(held("H3", day, "10:40", "12:00"))
        if k % 2:
            out.append(held("H4", day, "10:00", "10:40"))
    return out


def test_a_new_course_keeps_one_usual_time_though_its_mapping_hour_is_not_free_later(tmp_path):
    clinic, roster = load(*write_setup(tmp_path, CLINIC, [NEW]))
    result = plan_schedule(clinic, roster.patients, TODAY, booked=history())
    (patient,) = result.schedule.patients
    sessions = sorted((a for a in patient.appointments if a.kind != "assessment"), key=lambda a: a.start)
    assert sessions[0].kind == "mapping" and sessions[0].start.astimezone(ZONE).date() == FIRST  # no wait
    minutes = [a.start.astimezone(ZONE).hour * 60 + a.start.astimezone(ZONE).minute for a in sessions[1:]]
    usual = statistics.median(minutes)
    assert all(abs(m - usual) <= 30 for m in minutes), minutes  # every later session at 08:00
    assert sessions[0].start.astimezone(ZONE).hour == 11
