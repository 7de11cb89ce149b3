"""Four weeks of a clinic replayed as a coordinator lives them: plan, then each week record
what happened with `tms-sched mark` and replan with `tms-sched plan --schedule --diff`.

The clinic and roster are tests/fixtures/replan/ (three chairs, four staff, April 2027).
Week 1: R-MAP misses its mapping. Week 2: R-ACC misses the whole third day of its 5x5
week. Week 3: the clinic closes for snow on Wednesday and chair B is down Thursday and
Friday. Week 4: R-DIS is discharged and a referral, R-NEW, arrives. Every step states the
moves it expects; history never changes; after every replan the schedule passes
`tms-sched check` except for the patient listed unplaced, and a second replan changes
nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from planhelp import FIXTURES, cli_errors, diff, first_plan, read_schedule as read, replan_cli, tms
from tms_sched.model.schedule import HISTORY, Schedule

CASES = FIXTURES / "replan"
CLINIC = CASES / "clinic.toml"
ROSTER = CASES / "roster.toml"
REFERRAL = CASES / "referral.toml"


def history(schedule: Schedule) -> dict[str, object]:
    return {a.id: a for _, a in schedule.appointments() if a.status in HISTORY}


def history_lines(path: Path) -> set[str]:
    """The file's lines of done, missed and cancelled appointments."""
    return {line for line in path.read_text(encoding="utf-8").splitlines()
            if any(f'status = "{s}"' in line for s in HISTORY)}


def step(schedule: Path, today: str, expected: list[str], summary: str, *, rosters=(ROSTER,), code: int = 0,
         unplaced: tuple[str, ...] = ()) -> Schedule:
    """Replan; the diff, the summary line, history, check, the unplaced and a second replan."""
    before = read(schedule)
    recorded = history_lines(schedule)
    result = replan_cli(CLINIC, schedule, today, rosters=rosters, code=code)
    assert diff(result) == expected, "\n".join(diff(result))
    assert recorded <= set(schedule.read_text(encoding="utf-8").splitlines())  # byte for byte
    assert summary in result.stderr.splitlines()
    after = read(schedule)
    kept = history(after)
    assert {k: kept.get(k) for k in history(before)} == history(before)
    assert [u.id for u in after.unplaced] == list(unplaced)
    assert cli_errors(CLINIC, schedule, *rosters) == []
    text = schedule.read_text(encoding="utf-8")
    again = replan_cli(CLINIC, schedule, today, rosters=rosters, code=code)
    assert diff(again) == [] and "no changes" in again.stdout
    assert schedule.read_text(encoding="utf-8") == text
    return after


def test_four_weeks_of_a_clinic(tmp_path: Path):
    schedule = first_plan(tmp_path, CLINIC, "2027-04-01", ROSTER)

    # Week 1. R-MAP misses Monday's mapping: it is rebooked on Tuesday, before any treatment,
    # at the usual 08:00 (Tuesday's own treatment, which makes way for it, is no obstacle);
    # Tuesday's treatment goes to the course's end (Monday 05-17), and the end-of-course and
    # follow-up assessments follow the new end (05-31 is Memorial Day: the follow-up is 06-01).
    tms("mark", schedule, "R-MAP", "2027-04-05", "missed", "--today", "2027-04-05")
    tms("mark", schedule, "--through", "2027-04-05", "done", "--today", "2027-04-05")
    step(schedule, "2027-04-06", [
        "> R-MAP R-MAP-02: 2027-04-06 08:00 chair A -> 2027-05-17 08:00 chair A",
        "> R-MAP R-MAP-e: 2027-05-14 08:40 with rn-lee -> 2027-05-17 08:40 with rn-lee",
        "> R-MAP R-MAP-f: 2027-05-28 08:00 with rn-lee -> 2027-06-01 08:00 with rn-lee",
        "+ R-MAP R-MAP-01m: mapping session 1 2027-04-06 08:00 chair A with dr-kim",
    ], "3 appointments of 1 patient moved, 1 added")

    # Week 2. R-ACC misses all of Wednesday 04-14, day 3 of its 5x5 week: the days can no
    # longer be consecutive, so the course goes on hold for a clinician: listed under
    # [[unplaced]], its planned days 4 and 5 and its assessments cancelled.
    tms("mark", schedule, "--through", "2027-04-13", "done", "--today", "2027-04-14")
    for time in ("08:00", "09:05", "10:10", "11:15", "12:20"):
        tms("mark", schedule, "R-ACC", "2027-04-14", time, "missed", "--today", "2027-04-14")
    tms("mark", schedule, "--through", "2027-04-14", "done", "--today", "2027-04-14")
    held = [f"~ R-ACC R-ACC-{n}: planned -> cancelled (2027-04-{day} {time} chair B)"
            for day, numbers in (("15", range(16, 21)), ("16", range(21, 26)))
            for n, time in zip(numbers, ("08:00", "09:05", "10:10", "11:15", "12:20"))]
    after = step(schedule, "2027-04-15", held + [
        "~ R-ACC R-ACC-e: planned -> cancelled (2027-04-16 12:35 with rn-lee)",
        "~ R-ACC R-ACC-f: planned -> cancelled (2027-05-07 08:00 with rn-lee)",
        "! R-ACC: unplaced: the missed sessions of this accelerated course cannot be made up the day they were "
        "missed or the next one, its days staying consecutive; a clinician should decide how to go on",
    ], "12 appointments of 1 patient moved, 0 added", code=1, unplaced=("R-ACC",))
    assert "clinician" in after.unplaced[0].reason

    # Week 3. Snow closes Wednesday 04-21 and chair B is down on 04-22 and 04-23. The
    # closed day's sessions are made up at the end of each standard course, one a day, at
    # the usual time on the usual chair, and the assessments after the end move with it;
    # R-STD's sessions on chair B move to chair A at the same time on the same days.
    tms("mark", schedule, "--through", "2027-04-19", "done", "--today", "2027-04-20")
    tms("mark", schedule, "--closed", "2027-04-21", "--reason", "snow", "--today", "2027-04-20")
    tms("mark", schedule, "--chair-down", "B", "2027-04-22", "2027-04-23", "--reason", "coil broken",
        "--today", "2027-04-20")
    step(schedule, "2027-04-20", [
        "> R-DIS R-DIS-13: 2027-04-21 11:00 chair A -> 2027-05-17 11:00 chair A",
        "> R-DIS R-DIS-e: 2027-05-14 11:40 with rn-lee -> 2027-05-17 11:40 with rn-lee",
        "> R-DIS R-DIS-f: 2027-05-28 11:00 with rn-lee -> 2027-06-01 11:00 with rn-lee",
        "> R-MAP R-MAP-13: 2027-04-21 08:00 chair A -> 2027-05-18 08:00 chair A",
        "> R-MAP R-MAP-e: 2027-05-17 08:40 with rn-lee -> 2027-05-18 08:40 with rn-lee",
        "> R-STD R-STD-13: 2027-04-21 14:00 chair B -> 2027-05-17 14:00 chair B",
        "> R-STD R-STD-14: 2027-04-22 14:00 chair B -> 2027-04-22 14:00 chair A",
        "> R-STD R-STD-15: 2027-04-23 14:00 chair B -> 2027-04-23 14:00 chair A",
        "> R-STD R-STD-e: 2027-05-14 14:10 with rn-lee -> 2027-05-17 14:10 with rn-lee",
        "> R-STD R-STD-f: 2027-05-28 14:00 with rn-lee -> 2027-06-01 14:00 with rn-lee",
    ], "10 appointments of 3 patients moved, 0 added", code=1, unplaced=("R-ACC",))

    # Week 4. R-DIS is discharged (its planned appointments cancelled by mark, nothing rebooked)
    # and R-NEW is referred: it is planned around everything booked, from 04-27 on.
    tms("mark", schedule, "--through", "2027-04-23", "done", "--today", "2027-04-26")
    tms("mark", schedule, "R-DIS", "--discharge", "--reason", "moved away", "--today", "2027-04-26")
    discharged = read(schedule).patient("R-DIS")
    assert {a.status for a in discharged.appointments} <= {"done", "cancelled"}
    before = read(schedule)
    result = replan_cli(CLINIC, schedule, "2027-04-26", rosters=(ROSTER, REFERRAL), code=1)
    assert "0 appointments of 0 patients moved, 33 added" in result.stderr.splitlines()
    lines = diff(result)
    assert len(lines) == 33 and all(line.startswith("+ R-NEW R-NEW-") for line in lines)
    after = read(schedule)
    assert after.patient("R-DIS") == discharged
    for sp in before.patients:
        assert after.patient(sp.id) == sp
    new = after.patient("R-NEW")
    sessions = [a for a in new.appointments if a.kind != "assessment"]
    assert len(sessions) == 30 and sessions[0].kind == "mapping"
    assert min(a.start.date() for a in sessions).isoformat() == "2027-04-27"
    assert "2027-05-31" not in {a.start.date().isoformat() for a in new.appointments}  # Memorial Day
    assert cli_errors(CLINIC, schedule, ROSTER, REFERRAL) == []
    text = schedule.read_text(encoding="utf-8")
    again = replan_cli(CLINIC, schedule, "2027-04-26", rosters=(ROSTER, REFERRAL), code=1)
    assert diff(again) == [] and schedule.read_text(encoding="utf-8") == text
