"""One fixture per hard case of planning (tests/fixtures/plan/), each with its expected
outcome, planned through the command line as a coordinator would."""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from pathlib import Path

import pytest
from click.testing import CliRunner

from planhelp import FIXTURES, WEEKDAYS, course_violations, load, rule_violations
from tms_sched.cli import main
from tms_sched.io.schedule import load_schedule
from tms_sched.model.schedule import Appointment, Schedule

CASES = FIXTURES / "plan"
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def plan(tmp_path: Path, case: str | Path, today: str, exit_code: int) -> Schedule:
    """Plan ``case`` with the CLI; the schedule must pass check and the tests' own checker."""
    clinic_path = case if isinstance(case, Path) else CASES / f"{case}.toml"
    out = tmp_path / "schedule.toml"
    result = CliRunner().invoke(main, ["plan", str(clinic_path), "-o", str(out), "--today", today])
    assert result.exit_code == exit_code, result.output
    checked = CliRunner().invoke(main, ["check", str(clinic_path), str(out), "--format", "json"])
    assert json.loads(checked.stdout)["summary"]["errors"] == 0, checked.stdout
    schedule, _ = load_schedule(str(out))
    clinic, roster = load(clinic_path)
    day = dt.date.fromisoformat(today)
    assert rule_violations(clinic, schedule, roster.patients, day) == []
    assert course_violations(clinic, schedule, roster.patients, day) == []
    return schedule


def local(appt: Appointment, zone: str) -> dt.datetime:
    return appt.start.astimezone(zoneinfo.ZoneInfo(zone))


def sessions(schedule: Schedule, patient: str) -> list[Appointment]:
    sp = schedule.patient(patient)
    assert sp is not None, f"{patient} is not booked"
    return sorted((a for a in sp.appointments if a.kind != "assessment"), key=lambda a: a.start)


def days_of(appts, zone: str) -> list[dt.date]:
    return [local(a, zone).date() for a in appts]


def unplaced_reason(schedule: Schedule, patient: str) -> str:
    reasons = {u.id: u.reason for u in schedule.unplaced}
    assert patient in reasons, f"{patient} is not listed unplaced: {reasons}"
    return reasons[patient]


# -- a daylight-saving week ------------------------------------------------------------

def test_a_clock_change_keeps_the_wall_clock_time(tmp_path: Path):
    """New York springs forward on Sunday 2027-03-14: 08:00 stays 08:00, the offset moves."""
    schedule = plan(tmp_path, "dst-week", "2027-03-01", 0)
    zone = "America/New_York"
    course = sessions(schedule, "DST-1")
    assert len(course) == 30
    assert {local(a, zone).strftime("%H:%M") for a in course} == {"08:00"}
    change = dt.date(2027, 3, 14)
    before = [a for a in course if local(a, zone).date() < change]
    after = [a for a in course if local(a, zone).date() > change]
    assert before and after
    assert {a.start.utcoffset() for a in before} == {dt.timedelta(hours=-5)}
    assert {a.start.utcoffset() for a in after} == {dt.timedelta(hours=-4)}
    # The same wall-clock time is a different instant: 13:00 UTC, then 12:00 UTC.
    assert {a.start.astimezone(dt.timezone.utc).hour for a in before} == {13}
    assert {a.start.astimezone(dt.timezone.utc).hour for a in after} == {12}
    # The week of the change keeps its five session days (Friday before, Monday after).
    assert dt.date(2027, 3, 12) in days_of(course, zone) and dt.date(2027, 3, 15) in days_of(course, zone)


# -- a holiday Monday -------------------------------------------------------------------

def test_no_appointment_on_a_holiday_monday(tmp_path: Path):
    schedule = plan(tmp_path, "holiday-monday", "2027-01-04", 0)
    zone = "America/Chicago"
    everything = [local(a, zone).date() for _, a in schedule.appointments()]
    mlk, presidents = dt.date(2027, 1, 18), dt.date(2027, 2, 15)
    assert mlk not in everything and presidents not in everything
    course = days_of(sessions(schedule, "HOL-1"), zone)
    assert course[0] == dt.date(2027, 1, 12)
    assert len(course) == 30
    # Those weeks keep the four other weekdays.
    for week in (mlk, presidents):
        assert [d for d in course if 0 <= (d - week).days < 7] == [week + dt.timedelta(days=k) for k in (1, 2, 3, 4)]


# -- the week of December 24 ------------------------------------------------------------

def test_the_week_of_december_24_honours_every_closed_date(tmp_path: Path):
    schedule = plan(tmp_path, "december-24", "2026-12-14", 0)
    zone = "America/Los_Angeles"
    closed = {dt.date(2026, 12, 24), dt.date(2026, 12, 25), dt.date(2026, 12, 31), dt.date(2027, 1, 1)}
    assert not closed & {local(a, zone).date() for _, a in schedule.appointments()}
    standard = days_of(sessions(schedule, "XMAS-STD"), zone)
    assert standard[:6] == [dt.date(2026, 12, d) for d in (21, 22, 23, 28, 29, 30)]
    assert standard[6] == dt.date(2027, 1, 4)
    # Five consecutive open days come first in the week of January 4.
    accelerated = sorted(set(days_of(sessions(schedule, "XMAS-5X5"), zone)))
    assert accelerated == [dt.date(2027, 1, d) for d in range(4, 9)]


# -- a chair down mid-course -------------------------------------------------------------

def test_a_chair_down_mid_course_is_never_booked(tmp_path: Path):
    schedule = plan(tmp_path, "chair-down", "2027-01-25", 0)
    zone = "Europe/London"
    down = {dt.date(2027, 2, 10), dt.date(2027, 2, 11), dt.date(2027, 2, 12)}
    on_a = [a for _, a in schedule.appointments() if a.chair == "A"]
    assert not down & {local(a, zone).date() for a in on_a}
    # The 10 Hz course has no other chair: it goes around the downtime, on A.
    ten = sessions(schedule, "DOWN-10HZ")
    assert {a.chair for a in ten} == {"A"} and len(ten) == 30
    ten_days = days_of(ten, zone)
    assert not down & set(ten_days)
    assert dt.date(2027, 2, 9) in ten_days and dt.date(2027, 2, 15) in ten_days
    # The iTBS course loses no day: B, which can deliver it, takes those days.
    itbs = sessions(schedule, "DOWN-ITBS")
    on_down_days = [a for a in itbs if local(a, zone).date() in down]
    assert len(on_down_days) == 3 and {a.chair for a in on_down_days} == {"B"}


# -- a patient free only on Fridays ------------------------------------------------------

def test_a_patient_free_only_on_fridays_is_unplaced_with_an_actionable_reason(tmp_path: Path):
    """One session a day and a 56-day span allow at most 9 Friday sessions; 30 are needed."""
    schedule = plan(tmp_path, "fridays-only", "2027-03-29", 1)
    assert schedule.patients == []
    reason = unplaced_reason(schedule, "FRI-1")
    assert "availability" in reason and "Fri" in reason
    assert "56 days" in reason  # the rule that blocks it: standard-10hz's max_span_days
    assert re.search(r"add (Monday|Tuesday|Wednesday|Thursday)", reason), reason
    assert "capacity" not in reason  # the chairs are empty: more of them would not help


# -- three 5x5 patients on one chair ----------------------------------------------------

def test_three_5x5_courses_on_one_chair_are_all_placed(tmp_path: Path):
    schedule = plan(tmp_path, "three-5x5", "2027-05-03", 0)
    zone = "America/New_York"
    for pid in ("ACC-1", "ACC-2", "ACC-3"):
        course = sessions(schedule, pid)
        assert len(course) == 25 and {a.chair for a in course} == {"A"}
        days = sorted(set(days_of(course, zone)))
        assert len(days) == 5 and (days[-1] - days[0]).days == 4 and days[0].weekday() == 0
        for a, b in zip(course, course[1:]):
            if local(a, zone).date() == local(b, zone).date():
                assert b.start - a.end >= dt.timedelta(minutes=50)


def test_an_interleaved_week_of_three_5x5_courses_exists(tmp_path: Path):
    """A hand-made schedule with all three in the week of 2027-05-10 checks clean."""
    witness = CASES / "three-5x5-witness.toml"
    result = CliRunner().invoke(main, ["check", str(CASES / "three-5x5.toml"), str(witness)])
    assert result.exit_code == 0, result.output
    clinic, roster = load(CASES / "three-5x5.toml")
    schedule, _ = load_schedule(str(witness))
    assert rule_violations(clinic, schedule, roster.patients, dt.date(2027, 5, 3)) == []
    assert course_violations(clinic, schedule, roster.patients, dt.date(2027, 5, 3)) == []


def test_three_5x5_courses_share_one_week_on_one_chair(tmp_path: Path):
    schedule = plan(tmp_path, "three-5x5", "2027-05-03", 0)
    zone = "America/New_York"
    firsts = {pid: local(sessions(schedule, pid)[0], zone).date() for pid in ("ACC-1", "ACC-2", "ACC-3")}
    assert set(firsts.values()) == {dt.date(2027, 5, 10)}, firsts


# -- an accelerated course against its deadline -------------------------------------------

def test_an_accelerated_course_without_five_days_before_its_deadline(tmp_path: Path):
    schedule = plan(tmp_path, "accelerated-deadline", "2027-01-04", 1)
    assert schedule.patients == []
    reason = unplaced_reason(schedule, "ACC-LATE")
    assert "deadline 2027-01-12" in reason
    assert "2027-01-11" in reason  # the earliest start that would work
    assert "2027-01-15" in reason  # and where the authorization would have to run to


# -- an interval protocol and availability -----------------------------------------------

def test_availability_without_a_valid_spacing(tmp_path: Path):
    schedule = plan(tmp_path, "interval-spacing", "2027-02-22", 1)
    zone = "America/Los_Angeles"
    reason = unplaced_reason(schedule, "KET-TUEWED")
    assert "Tue, Wed" in reason and "at most 1" in reason and "needs 6" in reason
    # Tuesday, Thursday and Friday do allow a course: Tuesday and Friday, 3 and 4 days apart.
    days = days_of(sessions(schedule, "KET-TUETHUFRI"), zone)
    assert len(days) == 6
    assert all(2 <= (b - a).days <= 4 for a, b in zip(days, days[1:]))
    assert {d.weekday() for d in days} <= {1, 3, 4}


def test_the_weekdays_an_unplaced_reason_suggests_would_help(tmp_path: Path):
    schedule = plan(tmp_path, "interval-spacing", "2027-02-22", 1)
    reason = unplaced_reason(schedule, "KET-TUEWED")
    suggested = re.search(r"\(add (.+) availability\)", reason)
    assert suggested, reason
    names = [n for n in WEEKDAY_NAMES if n in suggested.group(1)]
    assert names
    text = (CASES / "interval-spacing.toml").read_text(encoding="utf-8")
    for name in names:
        key = WEEKDAYS[WEEKDAY_NAMES.index(name)]
        widened = text.replace('availability = { tue = "08:00-13:00", wed = "08:00-13:00" }',
                               f'availability = {{ tue = "08:00-13:00", wed = "08:00-13:00", {key} = "08:00-13:00" }}')
        assert widened != text
        case = tmp_path / f"with-{key}.toml"
        case.write_text(widened, encoding="utf-8")
        out = tmp_path / f"with-{key}-schedule.toml"
        CliRunner().invoke(main, ["plan", str(case), "-o", str(out), "--today", "2027-02-22"])
        widened_schedule, _ = load_schedule(str(out))
        assert widened_schedule.patient("KET-TUEWED") is not None, \
            f"adding {name} as the reason suggests still leaves KET-TUEWED unplaced"


# -- a deadline only earliest-deadline-first can meet -------------------------------------

def test_a_deadline_met_by_earliest_deadline_first(tmp_path: Path):
    schedule = plan(tmp_path, "deadline-order", "2027-06-01", 0)
    zone = "America/New_York"
    urgent = days_of(sessions(schedule, "DL-2"), zone)
    other = days_of(sessions(schedule, "DL-1"), zone)
    assert urgent[0] == dt.date(2027, 6, 7)
    assert urgent[-1] <= dt.date(2027, 7, 20)
    assert other[0] > urgent[-1]  # one session a day fits: DL-1 follows DL-2
    assert len(urgent) == len(other) == 30


# -- urgent before routine ----------------------------------------------------------------

def test_routine_patients_never_delay_an_urgent_one(tmp_path: Path):
    zone = "America/Los_Angeles"
    alone = plan(tmp_path, "urgent-first", "2026-10-19", 0)
    (tmp_path / "with").mkdir()
    out = tmp_path / "with" / "schedule.toml"
    result = CliRunner().invoke(main, ["plan", str(CASES / "urgent-first.toml"), "--roster",
                                       str(CASES / "urgent-routine.toml"), "-o", str(out), "--today", "2026-10-19"])
    assert result.exit_code == 0, result.output
    together, _ = load_schedule(str(out))
    assert local(sessions(alone, "UR-05")[0], zone).date() == dt.date(2026, 10, 29)
    for pid in ("UR-02", "UR-03", "UR-05", "UR-06"):
        assert local(sessions(together, pid)[0], zone).date() <= local(sessions(alone, pid)[0], zone).date(), pid


# -- keeping an hour free for the next course --------------------------------------------

def test_sessions_keep_an_hour_free_for_the_next_course(tmp_path: Path):
    """EARLY's usual time, 08:30, would split the two-hour day into 30 and 50 free minutes;
    booked within 30 minutes of it, at an end of the day, it leaves NEXT its mapping hour."""
    schedule = plan(tmp_path, "keep-an-hour", "2027-03-31", 0)
    zone = "America/Chicago"
    early, nxt = sessions(schedule, "EARLY"), sessions(schedule, "NEXT")
    assert local(early[0], zone) == dt.datetime(2027, 4, 5, 8, 30, tzinfo=zoneinfo.ZoneInfo(zone))
    assert days_of(nxt, zone)[0] == dt.date(2027, 4, 6)  # the day NEXT may start
    for a in early[1:]:  # every session stays within 30 minutes of the usual time
        t = local(a, zone)
        assert abs((t.hour * 60 + t.minute) - (8 * 60 + 30)) <= 30


# -- staff hours that block a patient ------------------------------------------------------

def test_unplaced_reasons_name_the_staff_hours_that_block(tmp_path: Path):
    schedule = plan(tmp_path, "staff-hours", "2027-03-31", 1)
    assert schedule.patients == []
    morning = unplaced_reason(schedule, "MORNING")
    assert "physician on shift for 60 minutes" in morning and "change a physician's hours" in morning
    two_days = unplaced_reason(schedule, "TWO-DAYS")
    assert "staff's shifts" in two_days and "2027-04-05" in two_days  # the chairs alone would allow it
    assert "extend the staff hours" in two_days


# -- assessments spare the physician ---------------------------------------------------------

def test_assessments_go_to_a_clinician_before_a_physician(tmp_path: Path):
    """The physician is free at the patient's usual time, the clinician only in the
    afternoon: every assessment still goes to the clinician."""
    schedule = plan(tmp_path, "assessments-clinician", "2027-03-22", 0)
    sp = schedule.patient("EARLY-BIRD")
    assessments = [a for a in sp.appointments if a.kind == "assessment"]
    assert len(assessments) == 3
    assert {a.staff for a in assessments} == {"rn-pm"}
    assert all(local(a, "America/Chicago").hour >= 13 for a in assessments)
    mapping = next(a for a in sp.appointments if a.kind == "mapping")
    assert mapping.staff == "dr-all"


def test_a_physician_takes_an_assessment_when_no_clinician_is_free(tmp_path: Path):
    text = (CASES / "assessments-clinician.toml").read_text()
    # The clinician is away for the whole baseline window (the 14 days before 2027-04-05).
    away = ", ".join(str(dt.date(2027, 3, 22) + dt.timedelta(days=k)) for k in range(14))
    text = text.replace('role = "clinician"\n', f'role = "clinician"\naway = [{away}]\n')
    clinic = tmp_path / "clinic.toml"
    clinic.write_text(text)
    schedule = plan(tmp_path, clinic, "2027-03-22", 0)
    staff = {a.name: a.staff for a in schedule.patient("EARLY-BIRD").appointments if a.kind == "assessment"}
    assert staff == {"baseline": "dr-all", "end-of-course": "rn-pm", "follow-up": "rn-pm"}


# -- a gap across the skipped hour -------------------------------------------------------

def test_the_gap_across_the_skipped_hour_is_counted_in_real_time(tmp_path: Path):
    schedule = plan(tmp_path, "spring-forward-gap", "2027-03-22", 0)
    course = sessions(schedule, "SPRING-1")
    sunday = [a for a in course if local(a, "Europe/London").date() == dt.date(2027, 3, 28)]
    assert len(sunday) == 5
    gaps = [(b.start - a.start).total_seconds() / 60 - a.minutes for a, b in zip(sunday, sunday[1:])]
    assert min(gaps) >= 50, gaps


def test_split_windows_that_cannot_hold_a_day_of_sessions_say_so(tmp_path: Path):
    schedule = plan(tmp_path, "split-windows-5x5", "2027-03-01", 1)
    reason = unplaced_reason(schedule, "SPLIT")
    # Mapping 08:00-09:00, then 16:00 and 17:05: three of the five, 50 minutes apart.
    assert reason.startswith("a first day of accelerated-5x5 needs 5 sessions 50 minutes apart")
    assert "hold at most 3" in reason and "join its windows into one" in reason
    assert len(sessions(schedule, "WHOLE")) == 25


# -- staff roles in the clinic's own words -------------------------------------------------

def test_a_protocol_names_a_role_of_the_clinic_s_own(tmp_path: Path):
    """The nurse-led protocol's first dose goes to the nurse; the assessment still goes to
    the physician (a psychologist on shift all week never takes one)."""
    schedule = plan(tmp_path, "own-roles", "2027-03-29", 0)
    sp = schedule.patient("NL-1")
    mapping = next(a for a in sp.appointments if a.kind == "mapping")
    assert mapping.staff == "rn-ali"
    assessment = next(a for a in sp.appointments if a.kind == "assessment")
    assert assessment.staff == "dr-cy"
