"""Disruptions as a coordinator meets them: one meaning however they are recorded, no day
lost where the clinic has room the same day, no planned appointment left breaking a rule,
and a course that cannot be mended put on hold (under [[unplaced]] only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from planhelp import (FIXTURES, cli_errors as errors, clinic_with_chair_b_down, diff, first_plan, read_schedule as read,
                      replan_cli as replan, tms)
from tms_sched.model.schedule import Schedule

CASES = FIXTURES / "replan"
CLINIC = CASES / "clinic.toml"
ROSTER = CASES / "roster.toml"
HOURS = CASES / "hours.toml"
HOURS_ROSTER = CASES / "hours-roster.toml"


def places(schedule: Schedule) -> dict[str, tuple]:
    return {a.id: (a.start, a.chair, a.status) for _, a in schedule.appointments()}


def test_chair_downtime_means_the_same_by_mark_or_in_the_clinic_file(tmp_path: Path):
    """`mark --chair-down B` then a replan gives the plan the clinic file's `down` gives: R-STD's
    14:00 sessions on chair B those days go to chair A at 14:00, the same days; no day lost."""
    (tmp_path / "f").mkdir()
    by_file = first_plan(tmp_path / "f", CLINIC, "2027-04-01", ROSTER)
    tms("mark", by_file, "--through", "2027-04-06", "done", "--today", "2027-04-07")
    down = clinic_with_chair_b_down(tmp_path / "f")
    replan(down, by_file, "2027-04-07", rosters=(ROSTER,), code=0)

    (tmp_path / "m").mkdir()
    by_mark = first_plan(tmp_path / "m", CLINIC, "2027-04-01", ROSTER)
    tms("mark", by_mark, "--through", "2027-04-06", "done", "--today", "2027-04-07")
    marked = tms("mark", by_mark, "--chair-down", "B", "2027-04-07", "2027-04-09", "--reason", "coil",
                 "--today", "2027-04-07")
    assert "the next `tms-sched plan CLINIC --schedule" in marked.stderr and "moves them" in marked.stderr
    result = replan(CLINIC, by_mark, "2027-04-07", rosters=(ROSTER,), code=0)
    assert diff(result) == [
        "> R-STD R-STD-03: 2027-04-07 14:00 chair B -> 2027-04-07 14:00 chair A",
        "> R-STD R-STD-04: 2027-04-08 14:00 chair B -> 2027-04-08 14:00 chair A",
        "> R-STD R-STD-05: 2027-04-09 14:00 chair B -> 2027-04-09 14:00 chair A",
    ]
    assert places(read(by_mark)) == places(read(by_file))
    assert errors(CLINIC, by_mark, ROSTER) == []


def test_a_closed_day_recorded_ahead_moves_its_sessions_rather_than_cancel_them(tmp_path: Path):
    """`mark --closed` on a day ahead leaves its sessions planned; the replan moves each (keeping
    its id, so calendars update rather than duplicate) and check passes."""
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)
    tms("mark", schedule, "--through", "2027-04-06", "done", "--today", "2027-04-07")
    tms("mark", schedule, "--closed", "2027-04-08", "--reason", "snow", "--today", "2027-04-07")
    on_day = {a.id for _, a in read(schedule).appointments() if a.start.date().isoformat() == "2027-04-08"}
    assert {a.status for _, a in read(schedule).appointments() if a.id in on_day} == {"planned"}
    result = replan(CLINIC, schedule, "2027-04-07", rosters=(ROSTER,), code=0)
    moved = {line.split()[2].rstrip(":") for line in diff(result) if line.startswith("> ")}
    assert on_day <= moved
    assert not [line for line in diff(result) if line.startswith(("+ ", "~ "))]
    assert errors(CLINIC, schedule, ROSTER) == []


def test_changed_opening_hours_move_sessions_within_the_same_day(tmp_path: Path):
    """Monday now opens at 09:00 instead of 07:00. Both patients are free all day: every Monday
    session moves to 09:00 that Monday (none to the end of the course), nobody is unplaced,
    no session stays outside the new hours, and the courses end when they did."""
    schedule = first_plan(tmp_path, HOURS, "2027-04-01", HOURS_ROSTER)
    tms("mark", schedule, "--through", "2027-04-09", "done", "--today", "2027-04-12")
    before = read(schedule)
    later = tmp_path / "clinic.toml"
    later.write_text(HOURS.read_text(encoding="utf-8").replace('mon = "07:00-18:00"', 'mon = "09:00-18:00"'),
                     encoding="utf-8")
    result = replan(later, schedule, "2027-04-12", "--roster", HOURS_ROSTER, code=0)
    lines = diff(result)
    assert len(lines) == 10
    for line in lines:
        old, new = line.split(": ", 1)[1].split(" -> ")
        assert line.startswith("> ") and old.split()[0] == new.split()[0] and new.split()[1] == "09:00", line
    after = read(schedule)
    assert after.unplaced == []
    for sp in before.patients:
        def last(s: Schedule) -> str:
            return max(a.start.date().isoformat() for a in s.patient(sp.id).appointments if a.kind == "treatment")
        assert last(after) == last(before)
    assert errors(later, schedule, HOURS_ROSTER) == []


def test_a_course_that_cannot_be_mended_is_on_hold_only(tmp_path: Path):
    """R-DIS misses 16 sessions in a row (a 23-day gap): their make-ups would end the course more
    than 56 days after its start. It is listed under [[unplaced]] and nowhere else: every
    planned appointment of it cancelled, its history kept, and check reports no error."""
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)
    days = ["2027-04-07", "2027-04-08", "2027-04-09", "2027-04-12", "2027-04-13", "2027-04-14", "2027-04-15",
            "2027-04-16", "2027-04-19", "2027-04-20", "2027-04-21", "2027-04-22", "2027-04-23", "2027-04-26",
            "2027-04-27", "2027-04-28"]
    tms("mark", schedule, "--through", "2027-04-06", "done", "--today", "2027-04-29")
    for day in days:
        tms("mark", schedule, "R-DIS", day, "missed", "--today", "2027-04-29")
    tms("mark", schedule, "--through", "2027-04-28", "done", "--today", "2027-04-29")
    result = replan(CLINIC, schedule, "2027-04-29", rosters=(ROSTER,), code=1)
    after = read(schedule)
    assert [u.id for u in after.unplaced] == ["R-DIS"]
    assert "56 days" in after.unplaced[0].reason and "clinician" in after.unplaced[0].reason
    assert not [a for a in after.patient("R-DIS").appointments if a.status == "planned"]
    assert not [line for line in diff(result) if line.startswith(("+ R-DIS", "> R-DIS"))]
    assert "R-DIS" not in [line.split()[0] for line in result.stderr.splitlines() if line.startswith("R-")]
    assert errors(CLINIC, schedule, ROSTER) == []
    again = replan(CLINIC, schedule, "2027-04-29", rosters=(ROSTER,), code=1)
    assert diff(again) == []


def test_a_missed_mapping_with_an_unmarked_session_after_it_says_so(tmp_path: Path):
    """R-MAP missed its mapping on Monday; Tuesday's treatment is still planned, unmarked. No
    --freeze-days was given, so the reason names the unmarked session, not frozen days."""
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)
    tms("mark", schedule, "R-MAP", "2027-04-05", "missed", "--today", "2027-04-07")
    result = replan(CLINIC, schedule, "2027-04-07", rosters=(ROSTER,), code=1)
    after = read(schedule)
    reason = {u.id: u.reason for u in after.unplaced}["R-MAP"]
    assert "frozen" not in reason
    assert "R-MAP-02" in reason and "2027-04-06" in reason and "mark" in reason, reason
    assert "frozen" not in result.stdout + result.stderr


def test_a_pinned_appointment_is_never_moved(tmp_path: Path):
    """R-STD-04 is pinned (agreed with the patient by hand). Chair B goes down 04-07 to 04-09:
    R-STD-03 and R-STD-05 move to chair A, R-STD-04 stays where it was agreed."""
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)
    tms("mark", schedule, "--through", "2027-04-06", "done", "--today", "2027-04-07")
    tms("pin", schedule, "R-STD-04")
    tms("mark", schedule, "--chair-down", "B", "2027-04-07", "2027-04-09", "--today", "2027-04-07")
    before = read(schedule)
    result = replan(CLINIC, schedule, "2027-04-07", rosters=(ROSTER,), code=0)
    assert diff(result) == [
        "> R-STD R-STD-03: 2027-04-07 14:00 chair B -> 2027-04-07 14:00 chair A",
        "> R-STD R-STD-05: 2027-04-09 14:00 chair B -> 2027-04-09 14:00 chair A",
    ]
    pinned = [a for _, a in read(schedule).appointments() if a.id == "R-STD-04"]
    assert pinned == [a for _, a in before.appointments() if a.id == "R-STD-04"]


def test_a_pinned_appointment_is_kept_when_its_course_goes_on_hold(tmp_path: Path):
    """R-MAP missed its mapping and its next treatment, R-MAP-03, is pinned: the mapping cannot
    come before it, so the course goes on hold; the reason names the pin, and the pinned
    appointment is neither moved nor cancelled."""
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)
    tms("mark", schedule, "R-MAP", "2027-04-05", "missed", "--today", "2027-04-06")
    tms("mark", schedule, "--through", "2027-04-05", "done", "--today", "2027-04-06")
    tms("pin", schedule, "R-MAP-02", "R-MAP-03")
    replan(CLINIC, schedule, "2027-04-06", rosters=(ROSTER,), code=1)
    after = read(schedule)
    reason = {u.id: u.reason for u in after.unplaced}["R-MAP"]
    assert "pinned" in reason and "R-MAP-02" in reason, reason
    kept = {a.id: a.status for a in after.patient("R-MAP").appointments}
    assert kept["R-MAP-02"] == kept["R-MAP-03"] == "planned"


def test_moves_honour_the_clinics_booking_notice(tmp_path: Path):
    """With min_notice_hours = 48, a replan on 2027-04-07 books nothing new before 04-09: R-STD's
    sessions on chair B on 04-07 and 04-08 cannot move to chair A those days (too soon), so they
    go later; the one on 04-09 moves to chair A at the same time. Appointments already booked
    within the notice that break nothing (R-DIS, R-MAP on chair A) stay."""
    clinic = tmp_path / "clinic.toml"
    clinic.write_text(CLINIC.read_text(encoding="utf-8").replace(
        'holidays = { country = "US" }\n', 'holidays = { country = "US" }\nmin_notice_hours = 48\n'),
        encoding="utf-8")
    schedule = first_plan(tmp_path, clinic, "2027-04-01", ROSTER)
    tms("mark", schedule, "--through", "2027-04-06", "done", "--today", "2027-04-07")
    tms("mark", schedule, "--chair-down", "B", "2027-04-07", "2027-04-09", "--today", "2027-04-07")
    result = replan(clinic, schedule, "2027-04-07", rosters=(ROSTER,), code=0)
    lines = {line.split()[2].rstrip(":"): line for line in diff(result)}
    assert {line.split()[1] for line in lines.values()} == {"R-STD"}
    assert lines["R-STD-04"] == "> R-STD R-STD-04: 2027-04-09 14:00 chair B -> 2027-04-09 14:00 chair A"
    for moved in ("R-STD-02", "R-STD-03"):
        assert lines[moved].split(" -> ")[1].split()[0] >= "2027-04-09", lines[moved]
    assert errors(clinic, schedule, ROSTER) == []


ACCEL = CASES / "accelerated.toml"
ACCEL_ROSTER = CASES / "accelerated-roster.toml"


@pytest.mark.parametrize("weekday, day, ids", [
    ("wed", "2027-04-07", [f"X-5X5-{n}" for n in range(11, 16)]),  # a treatment day
    ("mon", "2027-04-05", [f"X-5X5-0{n}" for n in range(1, 6)]),  # day 1, with the mapping
])
def test_an_hour_less_rearranges_an_accelerated_day_rather_than_hold_the_course(
        tmp_path: Path, weekday: str, day: str, ids: list[str]):
    """The 5x5 day begins at 07:00; the clinic now opens at 08:00 that weekday. The day's
    sessions are laid out again that same day from 08:00, their 50-minute gaps kept, so the
    course keeps its five consecutive days: nothing moves to another day, nobody is on hold."""
    schedule = first_plan(tmp_path, ACCEL, "2027-04-01", ACCEL_ROSTER)
    before = read(schedule)
    later = tmp_path / "clinic.toml"
    later.write_text(ACCEL.read_text(encoding="utf-8").replace(f'{weekday} = "07:00-18:00"',
                                                               f'{weekday} = "08:00-18:00"'), encoding="utf-8")
    result = replan(later, schedule, "2027-04-02", "--roster", ACCEL_ROSTER, code=0)
    after = read(schedule)
    assert after.unplaced == []
    moved = [line.split()[2].rstrip(":") for line in diff(result) if line.startswith("> X-5X5")]
    assert moved == ids
    assert not [line for line in diff(result) if not line.startswith("> ")]
    days = {a.id: a.start.date().isoformat() for _, a in after.appointments()}
    assert {days[i] for i in ids} == {day}
    assert {a.id: a.start.date() for _, a in before.appointments()} == \
        {a.id: a.start.date() for _, a in after.appointments()}
    assert errors(later, schedule, ACCEL_ROSTER) == []


@pytest.mark.parametrize("day, ids", [
    ("2027-04-05", [f"X-5X5-{n:02d}" for n in range(1, 6)]),  # the first day: the mapping and four sessions
    ("2027-04-06", [f"X-5X5-{n:02d}" for n in range(6, 11)]),  # the second day
], ids=["first day", "second day"])
def test_a_chair_down_on_an_accelerated_day_lays_the_day_out_again_on_another_chair(
        tmp_path: Path, day: str, ids: list[str]):
    """Chair A, where the 5x5 course runs (07:00, 08:05, ... from Monday), is down for one of
    its days; chair B is free at most of those times but not at 07:00 (the standard course).
    That day's mapping and sessions are laid out again on chair B the same day, their gaps
    kept, rather than the whole course moving a week."""
    schedule = first_plan(tmp_path, ACCEL, "2027-04-01", ACCEL_ROSTER)
    tms("mark", schedule, "--chair-down", "A", day, day, "--reason", "coil", "--today", "2027-04-02")
    result = replan(ACCEL, schedule, "2027-04-02", "--roster", ACCEL_ROSTER, code=0)
    after = read(schedule)
    assert after.unplaced == []
    lines = diff(result)
    assert [line.split()[2].rstrip(":") for line in lines] == ids
    assert all(line.endswith("chair B") and f" {day} " in line.split("->")[1] for line in lines)
    assert errors(ACCEL, schedule, ACCEL_ROSTER) == []


def test_a_make_up_takes_a_spare_day_inside_the_course_before_extending_it(tmp_path: Path):
    """S-AWAY's second week has a free Wednesday (the patient could not come when the course
    was booked, and now can). A session missed that Monday is made up on that Wednesday at
    the usual time: the course ends when it did and its assessments stay where they are."""
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", CASES / "spare-roster.toml")
    before = read(schedule)
    tms("mark", schedule, "--through", "2027-04-09", "done", "--today", "2027-04-12")
    tms("mark", schedule, "S-AWAY", "2027-04-12", "missed", "--today", "2027-04-12")
    free = CASES / "spare-roster-free.toml"
    result = replan(CLINIC, schedule, "2027-04-12", "--roster", free, code=0)
    assert diff(result) == ["+ S-AWAY S-AWAY-06m: treatment session 6 2027-04-14 08:00 chair A"]
    last = max(a.start for _, a in before.appointments() if a.kind != "assessment")
    assert max(a.start for _, a in read(schedule).appointments() if a.kind != "assessment" and a.live) == last
    assert errors(CLINIC, schedule, free) == []


def test_another_patients_session_steps_aside_so_a_displaced_one_keeps_its_day(tmp_path: Path):
    """Chair A is down on Wednesday 04-14. X (free 08:00-09:00 only) can go to chair B that
    morning only if Y's 08:20 iTBS session there moves: Y's session goes to chair N at the
    very same time (Y sees no change), and X keeps its day instead of losing it to the end."""
    roster = CASES / "aside-roster.toml"
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", roster)
    tms("mark", schedule, "--chair-down", "A", "2027-04-14", "2027-04-14", "--reason", "coil",
        "--today", "2027-04-12")
    result = replan(CLINIC, schedule, "2027-04-12", "--roster", roster, code=0)
    assert diff(result) == [
        "> X X-07: 2027-04-14 08:00 chair A -> 2027-04-14 08:00 chair B",
        "> Y Y-08: 2027-04-14 08:20 chair B -> 2027-04-14 08:20 chair N",
    ]
    assert errors(CLINIC, schedule, roster) == []


def test_a_mapping_lost_to_a_closure_takes_the_next_day_when_another_mapping_can_step_aside(tmp_path: Path):
    """The clinic closes on Monday 04-05, X's mapping day. On Tuesday the physician maps Z at
    08:00, X's only hour; Z could come until 10:00. Z's mapping moves to 09:00 that Tuesday,
    X maps at 08:00 (its own Tuesday treatment making way, to the course's end): X's course
    ends one day later instead of being booked again weeks later."""
    roster = CASES / "aside-mapping-roster.toml"
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", roster)
    tms("mark", schedule, "--closed", "2027-04-05", "--reason", "snow", "--today", "2027-04-02")
    result = replan(CLINIC, schedule, "2027-04-02", "--roster", roster, code=0)
    lines = diff(result)
    assert "> X X-01: 2027-04-05 08:00 chair A with dr-kim -> 2027-04-06 08:00 chair A with dr-kim" in lines
    assert "> Z Z-01: 2027-04-06 08:00 chair B with dr-kim -> 2027-04-06 09:00 chair B with dr-kim" in lines
    assert "> X X-02: 2027-04-06 08:00 chair A -> 2027-05-18 08:00 chair A" in lines
    assert len([line for line in lines if line.startswith("> X X-") and " -> " in line
                and line.split()[2].rstrip(":")[2:].isdigit()]) == 2  # the other sessions stay
    assert errors(CLINIC, schedule, roster) == []


def test_taper_weeks_that_follow_a_grown_daily_part_keep_their_weekdays_times_and_chair(tmp_path: Path):
    """T's taper sessions were set by hand to Tuesday, Thursday (and Friday) at 15:00 on chair
    B. A session missed on 04-12 is made up on Monday 05-17, so the daily part now ends a
    week later: every taper session moves exactly one week, keeping its weekday, 15:00 and
    chair B (the last one its 08:00 on A), not laid out afresh at the course's usual time."""
    roster = CASES / "taper-roster.toml"
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", roster)
    for appointment, day in (("T-31", "2027-05-18"), ("T-32", "2027-05-20"), ("T-33", "2027-05-21"),
                             ("T-34", "2027-05-25"), ("T-35", "2027-05-27")):
        tms("move", schedule, appointment, day, "15:00", "--chair", "B", "--clinic", CLINIC, "--roster", roster,
            "--today", "2027-04-01")
    tms("mark", schedule, "--through", "2027-04-09", "done", "--today", "2027-04-12")
    tms("mark", schedule, "T", "2027-04-12", "missed", "--today", "2027-04-12")
    result = replan(CLINIC, schedule, "2027-04-12", "--roster", roster, code=0)
    assert diff(result) == [
        "> T T-31: 2027-05-18 15:00 chair B -> 2027-05-25 15:00 chair B",
        "> T T-32: 2027-05-20 15:00 chair B -> 2027-05-27 15:00 chair B",
        "> T T-33: 2027-05-21 15:00 chair B -> 2027-05-28 15:00 chair B",
        "> T T-34: 2027-05-25 15:00 chair B -> 2027-06-01 15:00 chair B",
        "> T T-35: 2027-05-27 15:00 chair B -> 2027-06-03 15:00 chair B",
        "> T T-36: 2027-06-01 08:00 chair A -> 2027-06-08 08:00 chair A",
        "> T T-e: 2027-06-01 08:40 with rn-lee -> 2027-06-08 08:40 with rn-lee",
        "> T T-f: 2027-06-15 08:00 with rn-lee -> 2027-06-22 08:00 with rn-lee",
        "+ T T-06m: treatment session 6 2027-05-17 08:00 chair A",
    ]
    assert errors(CLINIC, schedule, roster) == []


def test_an_accelerated_day_laid_out_again_where_another_patients_session_steps_aside(tmp_path: Path):
    """Chair A is down on Tuesday 04-06, the 5x5 course's second day; Tuesday is 07:00-12:00,
    just room for the day's five sessions from 07:00. Chair B is taken at 07:00 by X-STD's
    10 Hz session, which moves to chair C at 07:00 (X-STD sees no change): the 5x5 day goes
    to chair B at its own times, instead of the whole course moving a week."""
    clinic, roster = CASES / "accelerated-tight.toml", CASES / "accelerated-tight-roster.toml"
    schedule = first_plan(tmp_path, clinic, "2027-04-01", roster)
    tms("mark", schedule, "--chair-down", "A", "2027-04-06", "2027-04-06", "--reason", "coil",
        "--today", "2027-04-02")
    result = replan(clinic, schedule, "2027-04-02", "--roster", roster, code=0)
    assert diff(result) == [
        "> X-5X5 X-5X5-06: 2027-04-06 07:00 chair A -> 2027-04-06 07:00 chair B",
        "> X-5X5 X-5X5-07: 2027-04-06 08:05 chair A -> 2027-04-06 08:05 chair B",
        "> X-5X5 X-5X5-08: 2027-04-06 09:10 chair A -> 2027-04-06 09:10 chair B",
        "> X-5X5 X-5X5-09: 2027-04-06 10:15 chair A -> 2027-04-06 10:15 chair B",
        "> X-5X5 X-5X5-10: 2027-04-06 11:20 chair A -> 2027-04-06 11:20 chair B",
        "> X-STD X-STD-02: 2027-04-06 07:00 chair B -> 2027-04-06 07:00 chair C",
    ]
    assert read(schedule).unplaced == []
    assert errors(clinic, schedule, roster) == []


def test_a_course_that_fits_no_week_is_held_for_its_hours_not_for_its_baseline(tmp_path: Path):
    """An SNT course's first day (a mapping and nine sessions 50 minutes apart) takes 10 hours,
    just the replay clinic's day; Mondays now open at 09:00. With the weekend closed an SNT
    week can only begin on a Monday, so no week fits at all: the reason names the day that
    cannot hold its sessions, not the baseline's window (repeating the baseline would not help)."""
    roster = tmp_path / "roster.toml"
    roster.write_text('[[patients]]\nid = "N-SNT"\nprotocol = "snt"\nstart_after = 2027-04-05\n', encoding="utf-8")
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", roster)
    tms("mark", schedule, "--through", "2027-04-02", "done", "--today", "2027-04-05")
    later = tmp_path / "clinic.toml"
    later.write_text(CLINIC.read_text(encoding="utf-8").replace('mon = "08:00-18:00"', 'mon = "09:00-18:00"', 1),
                     encoding="utf-8")
    replan(later, schedule, "2027-04-05", "--roster", roster, code=1)
    (held,) = read(schedule).unplaced
    assert "cannot hold all its sessions with the protocol's gaps" in held.reason
    assert "baseline" not in held.reason
    assert errors(later, schedule, roster) == []


def test_a_monitored_mapping_on_the_chair_and_with_the_physician_steps_aside_once(tmp_path: Path):
    """Chair A alone gives 10 Hz. The clinic closes on Monday 04-05, X's mapping day (X comes
    08:00-09:00 only). On Tuesday Z's mapping, watched for 30 minutes after, holds both chair
    A and dr-kim at 08:40: it is one session in the way, so it steps aside once (to 09:00)
    and X maps that Tuesday, with no session of either patient lost, doubled or overlapping."""
    clinic = tmp_path / "clinic.toml"
    text = CLINIC.read_text().replace('id = "B"\ncapabilities = ["10hz", "itbs"]', 'id = "B"\ncapabilities = ["itbs"]')
    clinic.write_text(text + '\n[protocols.watched-10hz]\nlabel = "10 Hz, watched after each session"\n'
                      'capability = "10hz"\nsession_minutes = 20\nfirst_session_minutes = 40\nmonitor_minutes = 30\n'
                      'max_gap_days = 14\nphases = [{ kind = "daily", sessions = 10, per_day = 1, days_per_week = 5 }]\n'
                      'assessments = []\n')
    hours = '{ mon = "%s", tue = "%s", wed = "%s", thu = "%s", fri = "%s" }'
    roster = tmp_path / "roster.toml"
    roster.write_text(
        '[[patients]]\nid = "X"\nprotocol = "standard-10hz"\nstart_after = 2027-04-05\npreferred_chair = "A"\n'
        f'availability = {hours % (("08:00-09:00",) * 5)}\n\n'
        '[[patients]]\nid = "Z"\nprotocol = "watched-10hz"\nstart_after = 2027-04-06\npreferred_chair = "A"\n'
        f'availability = {hours % (("08:00-11:00",) * 5)}\n')
    schedule = first_plan(tmp_path, clinic, "2027-04-01", roster)
    before = read(schedule)
    counts = {p.id: len(p.appointments) for p in before.patients}
    tms("mark", schedule, "--closed", "2027-04-05", "--reason", "snow", "--today", "2027-04-02")
    result = replan(clinic, schedule, "2027-04-02", "--roster", roster, code=0)
    lines = diff(result)
    assert "> Z Z-01: 2027-04-06 08:40 chair A with dr-kim -> 2027-04-06 09:00 chair A with dr-kim" in lines
    assert "> X X-01: 2027-04-05 08:00 chair A with dr-kim -> 2027-04-06 08:00 chair A with dr-kim" in lines
    after = read(schedule)
    assert {p.id: len(p.appointments) for p in after.patients} == counts
    booked = sorted((a.chair, a.start, a.end, a.id) for _, a in after.appointments() if a.chair and a.status == "planned")
    for (c0, _, e0, i0), (c1, s1, _, i1) in zip(booked, booked[1:]):
        assert c0 != c1 or e0 <= s1, (i0, i1)
    assert errors(clinic, schedule, roster) == []
