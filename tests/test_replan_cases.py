"""Replanning, one situation at a time, through the command line: what is recorded with
`tms-sched mark`, what `tms-sched plan --schedule` then does, and that the result passes
`tms-sched check` (or names the patient under [[unplaced]])."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from planhelp import (FIXTURES, cli_errors as errors, clinic_with_chair_b_down, diff, first_plan, replan_cli as replan,
                      tms)
from tms_sched.io.schedule import load_schedule
from tms_sched.model.schedule import Appointment, Schedule

CASES = FIXTURES / "replan"
CLINIC = CASES / "clinic.toml"
ROSTER = CASES / "roster.toml"


def appointment(schedule: Schedule, appt_id: str) -> Appointment:
    return next(a for _, a in schedule.appointments() if a.id == appt_id)


# -- accelerated courses -----------------------------------------------------------------

def test_a_missed_5x5_session_is_made_up_later_the_same_day(tmp_path: Path):
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)
    tms("mark", schedule, "--through", "2027-04-13", "done", "--today", "2027-04-14")
    tms("mark", schedule, "R-ACC", "2027-04-14", "08:00", "missed", "--today", "2027-04-14")
    result = replan(CLINIC, schedule, "2027-04-14", rosters=(ROSTER,), code=0)
    # Day 3's last session ends 12:35; 50 minutes later the chair and the patient are free.
    assert diff(result) == ["+ R-ACC R-ACC-11m: treatment session 11 2027-04-14 13:25 chair B"]
    assert errors(CLINIC, schedule, ROSTER) == []


def on_hold(before: Schedule, after: Schedule, pid: str, today: str) -> None:
    """History kept exactly; every planned appointment from ``today`` on cancelled, on hold."""
    old = {a.id: a for a in before.patient(pid).appointments}
    for a in after.patient(pid).appointments:
        was = old[a.id]
        if was.status != "planned" or a.start.date().isoformat() < today:
            assert a == was
        else:
            assert a.status == "cancelled" and "on hold" in (a.note or "")
    assert not [a for a in after.patient(pid).appointments if a.id not in old]


def test_a_5x5_course_that_loses_a_whole_day_goes_to_a_clinician(tmp_path: Path):
    """Days 1, 2, 4 and 5 can no longer be consecutive: listed under [[unplaced]] only, its
    planned days cancelled (on hold), and check passes."""
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)
    tms("mark", schedule, "--through", "2027-04-13", "done", "--today", "2027-04-14")
    for time in ("08:00", "09:05", "10:10", "11:15", "12:20"):
        tms("mark", schedule, "R-ACC", "2027-04-14", time, "missed", "--today", "2027-04-14")
    before, _ = load_schedule(str(schedule))
    result = replan(CLINIC, schedule, "2027-04-15", rosters=(ROSTER,), code=1)
    lines = diff(result)
    assert lines[-1].startswith("! R-ACC: unplaced: ")
    assert len(lines) == 13 and all(line.startswith("~ R-ACC ") for line in lines[:-1])  # 10 sessions, 2 assessments
    after, _ = load_schedule(str(schedule))
    on_hold(before, after, "R-ACC", "2027-04-15")
    (entry,) = after.unplaced
    assert entry.id == "R-ACC" and "clinician" in entry.reason
    assert errors(CLINIC, schedule, ROSTER) == []


def test_a_5x5_course_not_started_is_booked_again_when_its_first_day_closes(tmp_path: Path):
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)
    tms("mark", schedule, "--closed", "2027-04-12", "--reason", "power cut", "--today", "2027-04-05")
    result = replan(CLINIC, schedule, "2027-04-05", rosters=(ROSTER,), code=0)
    after, _ = load_schedule(str(schedule))
    sessions = [a for a in after.patient("R-ACC").appointments if a.kind != "assessment" and a.status == "planned"]
    assert len(sessions) == 25
    assert sorted({a.start.date().isoformat() for a in sessions}) == [
        "2027-04-19", "2027-04-20", "2027-04-21", "2027-04-22", "2027-04-23"]
    # The planned sessions of days 2 to 5 moved (keeping their ids); day 1 is made up.
    moved = {line.split()[2].rstrip(":") for line in diff(result) if line.startswith("> R-ACC")}
    assert {f"R-ACC-{n:02d}" for n in range(6, 26)} <= moved
    assert errors(CLINIC, schedule, ROSTER) == []


def test_a_5x5_course_whose_mapping_is_missed_is_booked_again_whole(tmp_path: Path):
    """No treatment without the mapping: R-ACC misses it on Monday 04-12 (the rest of that day is
    called off); the five days move to the next week, the mapping first."""
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)
    tms("mark", schedule, "--through", "2027-04-09", "done", "--today", "2027-04-12")
    tms("mark", schedule, "R-ACC", "2027-04-12", "08:00", "missed", "--today", "2027-04-12")
    for time in ("09:50", "10:55", "12:00", "13:05"):
        tms("mark", schedule, "R-ACC", "2027-04-12", time, "cancelled", "--today", "2027-04-12")
    tms("mark", schedule, "--through", "2027-04-12", "done", "--today", "2027-04-12")
    replan(CLINIC, schedule, "2027-04-13", rosters=(ROSTER,), code=0)
    after, _ = load_schedule(str(schedule))
    live = sorted((a for a in after.patient("R-ACC").appointments
                   if a.kind != "assessment" and a.status == "planned"), key=lambda a: a.start)
    assert len(live) == 25 and live[0].kind == "mapping" and live[0].id == "R-ACC-01m"
    assert sorted({a.start.date().isoformat() for a in live}) == [
        "2027-04-19", "2027-04-20", "2027-04-21", "2027-04-22", "2027-04-23"]
    assert errors(CLINIC, schedule, ROSTER) == []


def test_a_rebooked_5x5_course_keeps_its_done_baseline(tmp_path: Path):
    """The baseline, done on 2027-04-09, is still 1 to 14 days before the new first day (04-19)."""
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)
    tms("mark", schedule, "--through", "2027-04-09", "done", "--today", "2027-04-10")
    tms("mark", schedule, "--closed", "2027-04-12", "--reason", "power cut", "--today", "2027-04-10")
    result = replan(CLINIC, schedule, "2027-04-10", rosters=(ROSTER,), code=0)
    after, _ = load_schedule(str(schedule))
    baselines = [a for a in after.patient("R-ACC").appointments if a.name == "baseline" and a.status != "cancelled"]
    assert [a.id for a in baselines] == ["R-ACC-b"], diff(result)
    assert errors(CLINIC, schedule, ROSTER) == []


def test_a_done_baseline_the_rebooked_course_outgrows(tmp_path: Path):
    """Closed on the next two Mondays, R-ACC's 5x5 week (not started) could go to 2027-04-26;
    the baseline done on 04-09 would then be 17 days before it. Either the course is booked
    again with a fresh baseline and the schedule checks clean, or R-ACC is listed for a
    decision with a reason that names the baseline, what actually stands in the way."""
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)
    tms("mark", schedule, "--through", "2027-04-09", "done", "--today", "2027-04-10")
    tms("mark", schedule, "--closed", "2027-04-12", "--today", "2027-04-10")
    tms("mark", schedule, "--closed", "2027-04-19", "--today", "2027-04-10")
    replan(CLINIC, schedule, "2027-04-10", rosters=(ROSTER,))
    assert errors(CLINIC, schedule, ROSTER) == []
    after, _ = load_schedule(str(schedule))
    reasons = {u.id: u.reason for u in after.unplaced}
    if "R-ACC" in reasons:
        assert "baseline" in reasons["R-ACC"], reasons["R-ACC"]


# -- interval courses ----------------------------------------------------------------------

INTERVAL = CASES / "interval.toml"


def test_a_missed_infusion_keeps_the_series_spacing(tmp_path: Path):
    """IV-02 (Thursday 03-04) is missed. Sessions 1 and 3 (03-01, 03-08) are 7 days apart, more
    than the 4 the series allows: the make-up belongs between them (03-05 fits), or the
    later sessions move, or the patient goes to a clinician."""
    schedule = first_plan(tmp_path, INTERVAL, "2027-02-22")
    tms("mark", schedule, "IV", "2027-03-04", "missed", "--today", "2027-03-05")
    tms("mark", schedule, "--through", "2027-03-04", "done", "--today", "2027-03-05")
    replan(INTERVAL, schedule, "2027-03-05")
    assert errors(INTERVAL, schedule) == []


def test_a_cancelled_maintenance_mapping_keeps_the_spacing_after_it(tmp_path: Path):
    """Chair K is down 03-01 to 03-04: M's mapping (03-01) is cancelled and rebooked on 03-05;
    M-02 (03-08) would then be 3 days after it, where maintenance wants 5 to 9."""
    schedule = first_plan(tmp_path, INTERVAL, "2027-02-22")
    tms("mark", schedule, "--chair-down", "K", "2027-03-01", "2027-03-04", "--clinic", INTERVAL,
        "--today", "2027-02-26")
    replan(INTERVAL, schedule, "2027-02-26")
    assert errors(INTERVAL, schedule) == []


def test_a_rebooked_mapping_and_a_lost_session_keep_the_spacing(tmp_path: Path):
    """M cancels its mapping of 03-01 (rebooked 03-04, today) and chair K is down on 03-15, which
    cancels M-03: M-02 (03-08) must move to 5 to 9 days after the new mapping."""
    schedule = first_plan(tmp_path, INTERVAL, "2027-02-22")
    tms("mark", schedule, "M", "2027-03-01", "cancelled", "--today", "2027-03-04")
    tms("mark", schedule, "--through", "2027-03-03", "done", "--today", "2027-03-04")
    tms("mark", schedule, "--chair-down", "K", "2027-03-15", "2027-03-15", "--today", "2027-03-04")
    replan(INTERVAL, schedule, "2027-03-04")
    assert [c for c in errors(INTERVAL, schedule) if c[1] == "M"] == []


# -- standard courses ----------------------------------------------------------------------

SPAN = CASES / "span.toml"


def test_make_ups_never_stretch_a_course_past_its_span(tmp_path: Path):
    """Five missed sessions at the end would take the course to 2027-04-28, 58 days: reported."""
    schedule = first_plan(tmp_path, SPAN, "2027-02-22")
    for day in ("02", "03", "04", "08", "09"):
        tms("mark", schedule, "SPAN", f"2027-03-{day}", "missed", "--today", "2027-03-10")
    tms("mark", schedule, "--through", "2027-03-09", "done", "--today", "2027-03-10")
    replan(SPAN, schedule, "2027-03-10")
    after, _ = load_schedule(str(schedule))
    assert errors(SPAN, schedule) == []
    assert [u.id for u in after.unplaced] == ["SPAN"]
    assert "56 days" in after.unplaced[0].reason


def test_a_changed_availability_that_breaks_the_course_is_reported(tmp_path: Path):
    """R-DIS is away three weeks from 2027-04-12: its sessions there cannot stay, and moving them
    to the end would leave more than 14 days without a session and stretch the course past 56
    days; the patient is listed under [[unplaced]] only, its planned appointments cancelled, so
    that no planned appointment breaks the new availability."""
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)
    tms("mark", schedule, "--through", "2027-04-07", "done", "--today", "2027-04-08")
    away = tmp_path / "roster.toml"
    away_days = ", ".join(f"2027-04-{d:02d}" for d in (12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29, 30))
    away.write_text(ROSTER.read_text(encoding="utf-8").replace(
        'availability = { mon = "11:00-13:00"',
        f'unavailable = [{away_days}]\navailability = {{ mon = "11:00-13:00"'), encoding="utf-8")
    before, _ = load_schedule(str(schedule))
    replan(CLINIC, schedule, "2027-04-08", rosters=(away,), code=1)
    after, _ = load_schedule(str(schedule))
    on_hold(before, after, "R-DIS", "2027-04-08")
    (entry,) = after.unplaced
    assert entry.id == "R-DIS" and "clinician" in entry.reason
    assert errors(CLINIC, schedule, away) == []


def test_a_chair_down_in_the_clinic_file_moves_sessions_to_a_free_chair_the_same_day(tmp_path: Path):
    """Chair B goes down 2027-04-07 to 04-09 in the clinic file. R-STD's 14:00 sessions there
    can stay on their days on chair A, free at 14:00, rather than go six weeks later."""
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)
    tms("mark", schedule, "--through", "2027-04-06", "done", "--today", "2027-04-07")
    clinic = clinic_with_chair_b_down(tmp_path)
    result = replan(clinic, schedule, "2027-04-07", rosters=(ROSTER,), code=0)
    assert diff(result) == [
        "> R-STD R-STD-03: 2027-04-07 14:00 chair B -> 2027-04-07 14:00 chair A",
        "> R-STD R-STD-04: 2027-04-08 14:00 chair B -> 2027-04-08 14:00 chair A",
        "> R-STD R-STD-05: 2027-04-09 14:00 chair B -> 2027-04-09 14:00 chair A",
    ]


def test_freeze_days_never_keep_an_appointment_that_cannot_take_place(tmp_path: Path):
    """With --freeze-days 2 on 2027-04-06, R-STD-03 (04-07, chair B now down) lies in the frozen
    days: it moves to chair A at the very same time (the patient sees no change) and is named in a
    warning; R-STD-04 and R-STD-05 after the frozen days move too; nothing else frozen moves."""
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)
    tms("mark", schedule, "--through", "2027-04-05", "done", "--today", "2027-04-06")
    clinic = clinic_with_chair_b_down(tmp_path)
    before, _ = load_schedule(str(schedule))
    result = replan(clinic, schedule, "2027-04-06", "--freeze-days", "2", rosters=(ROSTER,), code=0)
    assert ("warning: R-STD R-STD-03 on 2027-04-07 14:00 lies in the 2 frozen days but cannot take place "
            "there (a closure, chair downtime or changed hours); it moved to 2027-04-07 14:00 chair A"
            ) in result.stderr
    assert diff(result) == [
        "> R-STD R-STD-03: 2027-04-07 14:00 chair B -> 2027-04-07 14:00 chair A",
        "> R-STD R-STD-04: 2027-04-08 14:00 chair B -> 2027-04-08 14:00 chair A",
        "> R-STD R-STD-05: 2027-04-09 14:00 chair B -> 2027-04-09 14:00 chair A",
    ]
    after, _ = load_schedule(str(schedule))
    for _, a in before.appointments():
        if a.start.date().isoformat() < "2027-04-08" and a.id != "R-STD-03":
            assert appointment(after, a.id) == a
    assert errors(clinic, schedule, ROSTER) == []


def test_a_closed_day_in_the_frozen_days_moves_its_sessions_after_them(tmp_path: Path):
    """Snow closes 04-07, inside --freeze-days 2: the day's sessions cannot take place, so they
    move after the frozen days (to each course's end) rather than stay on a closed day."""
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)
    tms("mark", schedule, "--through", "2027-04-05", "done", "--today", "2027-04-06")
    tms("mark", schedule, "--closed", "2027-04-07", "--reason", "snow", "--today", "2027-04-06")
    result = replan(CLINIC, schedule, "2027-04-06", "--freeze-days", "2", rosters=(ROSTER,), code=0)
    moved = [line for line in diff(result) if "2027-04-07" in line.split("->")[0]]
    assert moved and all(line.startswith("> ") and "2027-04-07" not in line.split("->")[1] for line in moved)
    assert errors(CLINIC, schedule, ROSTER) == []

def test_the_output_file_is_written_and_the_schedule_left_alone(tmp_path: Path):
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)
    tms("mark", schedule, "R-MAP", "2027-04-05", "missed", "--today", "2027-04-05")
    text = schedule.read_text(encoding="utf-8")
    out = tmp_path / "replanned.toml"
    replan(CLINIC, schedule, "2027-04-05", "-o", out, rosters=(ROSTER,), code=0)
    assert schedule.read_text(encoding="utf-8") == text
    assert out.read_text(encoding="utf-8") != text
    copy = tmp_path / "in-place.toml"
    shutil.copy(schedule, copy)
    replan(CLINIC, copy, "2027-04-05", rosters=(ROSTER,), code=0)
    assert copy.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


# -- what replanning reports ----------------------------------------------------------------

def test_the_summary_counts_every_appointment_the_diff_adds(tmp_path: Path):
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)
    tms("mark", schedule, "R-MAP", "2027-04-05", "missed", "--today", "2027-04-05")
    tms("mark", schedule, "--through", "2027-04-05", "done", "--today", "2027-04-05")
    result = replan(CLINIC, schedule, "2027-04-06", rosters=(ROSTER, CASES / "referral.toml"), code=0)
    added = [line for line in diff(result) if line.startswith("+ ")]
    assert any(line.startswith("+ R-NEW ") for line in added)
    summary = next(line for line in result.stderr.splitlines() if " moved, " in line)
    assert summary.endswith(f", {len(added)} added"), (summary, len(added))


def test_the_diff_never_says_no_changes_when_the_file_changed(tmp_path: Path):
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)
    tms("mark", schedule, "--through", "2027-04-13", "done", "--today", "2027-04-14")
    for time in ("08:00", "09:05", "10:10", "11:15", "12:20"):
        tms("mark", schedule, "R-ACC", "2027-04-14", time, "missed", "--today", "2027-04-14")
    text = schedule.read_text(encoding="utf-8")
    result = replan(CLINIC, schedule, "2027-04-15", rosters=(ROSTER,), code=1)
    assert schedule.read_text(encoding="utf-8") != text  # R-ACC is now listed unplaced
    assert "no changes" not in result.stdout


# -- replanning during the day -----------------------------------------------------------

def test_a_replan_during_the_day_books_nothing_before_now(tmp_path: Path):
    """At 14:00 the 13:25 slot of the morning's make-up is past: it goes later, and the
    day's earlier planned sessions, not yet marked, stay where they are."""
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)
    tms("mark", schedule, "--through", "2027-04-13", "done", "--today", "2027-04-14")
    tms("mark", schedule, "R-ACC", "2027-04-14", "08:00", "missed", "--today", "2027-04-14")
    result = replan(CLINIC, schedule, "2027-04-14", "--now", "14:00", rosters=(ROSTER,), code=0)
    (line,) = diff(result)
    assert line.startswith("+ R-ACC R-ACC-11m: treatment session 11 2027-04-14 ")
    assert line.split()[-3] >= "14:00", line
    assert "not marked done or missed yet" in result.stderr and "before 2027-04-14 14:00" in result.stderr
    assert errors(CLINIC, schedule, ROSTER) == []


def test_a_first_plan_during_the_day_starts_after_now(tmp_path: Path):
    out = tmp_path / "schedule.toml"
    tms("plan", CLINIC, "--roster", ROSTER, "-o", out, "--today", "2027-04-05", "--now", "12:00")
    schedule, _ = load_schedule(str(out))
    today = [a for _, a in schedule.appointments() if a.start.date().isoformat() == "2027-04-05"]
    assert today and all(a.start.strftime("%H:%M") >= "12:00" for a in today)
    refused = tms("plan", CLINIC, "-o", out, "--now", "9am", code=2)
    assert "write it as HH:MM" in refused.output


# -- the walk-through of docs/replanning.md ------------------------------------------------

def test_the_documented_walk_through_checks_clean(tmp_path: Path):
    """A make-up that becomes a course's last session moves its end-of-course assessment
    after it: R-010's make-up goes to 2027-01-15 17:00, so the assessment planned the day
    before comes after it. R-007's esketamine dose on the snow day stays in its week,
    two days or more from the week's other dose."""
    config = Path(__file__).resolve().parent.parent / "config.example.toml"
    clinic = tmp_path / "clinic.toml"
    shutil.copy(config, clinic)
    schedule = first_plan(tmp_path, clinic, "2026-11-30")
    tms("mark", schedule, "--through", "2026-12-01", "done", "--today", "2026-12-02")
    tms("mark", schedule, "R-001", "2026-12-02", "missed", "--today", "2026-12-02")
    tms("mark", schedule, "--closed", "2026-12-03", "--reason", "snow", "--today", "2026-12-02")
    tms("mark", schedule, "--chair-down", "B", "2026-12-04", "2026-12-04", "--reason", "coil", "--today", "2026-12-02")
    result = replan(clinic, schedule, "2026-12-02", code=0)
    assert "> R-010 R-010-03: 2026-12-03 17:00 chair B -> 2027-01-15 17:00 chair B" in diff(result)
    assert "> R-010 R-010-e: 2027-01-14 18:00 with dr-osei -> 2027-01-15 18:00 with dr-osei" in diff(result)
    # chair B's downtime costs nobody a day: the same time on chair A
    assert "> R-003 R-003-04: 2026-12-04 11:00 chair B -> 2026-12-04 11:00 chair A" in diff(result)
    assert "> R-010 R-010-04: 2026-12-04 17:00 chair B -> 2026-12-04 17:00 chair A" in diff(result)
    # twice weekly at least 2 days apart: Tuesday's first dose, then Friday instead of Thursday
    assert "> R-007 R-007-02: 2026-12-03 09:00 chair O -> 2026-12-04 09:00 chair O" in diff(result)
    assert "13 appointments of 6 patients moved, 1 added" in result.stderr
    assert errors(clinic, schedule) == []
    again = replan(clinic, schedule, "2026-12-02", code=0)
    assert diff(again) == [] and "0 appointments of 0 patients moved, 0 added" in again.stderr
