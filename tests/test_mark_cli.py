"""`tms-sched mark`: every form on real files, with the exact lines written and said."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tms_sched.calendar import ClinicCalendar
from tms_sched.cli import main
from tms_sched.io import load_clinic
from tms_sched.io.schedule import load_schedule

FIXTURES = Path(__file__).parent / "fixtures" / "mark"
CLINIC = str(FIXTURES / "clinic.toml")


def copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copyfile(FIXTURES / name, target)
    return target


def mark(*args: object):
    return CliRunner().invoke(main, ["mark", *(str(a) for a in args)])


def diff(before: str, after: str) -> list[str]:
    """The removed (-) and added (+) lines between two texts; everything else is identical."""
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def appt_line(text: str, appt_id: str) -> str:
    (line,) = [ln for ln in text.splitlines() if f'id = "{appt_id}"' in ln]
    return line


def assert_refused(result, path: Path, original: bytes, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr == message
    assert result.stdout == ""
    assert path.read_bytes() == original
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary file left behind


# -- one appointment ---------------------------------------------------------------

def test_missed_with_note_changes_three_lines(tmp_path):
    path = copy(tmp_path, "standard.toml")
    before = path.read_text()
    result = mark(path, "P-0001", "2026-12-02", "missed", "--note", "flu", "--today", "2026-12-03")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == (
        'P-0001 2026-12-02 08:00 treatment session 3: planned -> missed, note "flu"\n'
        f"1 appointment to rebook: run `tms-sched plan CLINIC --schedule {path}` to book make-ups\n"
        f"{path}: revision 3 -> 4, 1 change written\n"
    )
    old = appt_line(before, "P-0001-03")
    assert diff(before, path.read_text()) == [
        "-revision = 3",
        "-updated = 2026-12-01",
        "+revision = 4",
        "+updated = 2026-12-03",
        "-" + old,
        "+" + old.replace('status = "planned", revision = 1 }', 'status = "missed", revision = 4, note = "flu" }'),
    ]


def test_time_picks_one_of_an_accelerated_day(tmp_path):
    path = copy(tmp_path, "accelerated.toml")
    before = path.read_text()
    result = mark(path, "P-0003", "2026-12-07", "09:50", "done", "--today", "2026-12-07")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == "P-0003 2026-12-07 09:50 treatment session 2: planned -> done"
    old = appt_line(before, "P-0003-02")
    assert diff(before, path.read_text()) == [
        "-revision = 2", "-updated = 2026-12-01", "+revision = 3", "+updated = 2026-12-07",
        "-" + old, "+" + old.replace('"planned", revision = 2', '"done", revision = 3'),
    ]


def test_single_digit_hour_and_weekday_name(tmp_path):
    path = copy(tmp_path, "accelerated.toml")
    # --today is a Thursday; "monday" is the next Monday, 2026-12-07
    result = mark(path, "P-0003", "monday", "8:00", "cancelled", "--today", "2026-12-03")
    assert result.exit_code == 0, result.output
    assert 'id = "P-0003-01", kind = "mapping", session = 1, chair = "C", start = 2026-12-07T08:00:00-08:00, ' \
           'minutes = 60, staff = "dr-kim", status = "cancelled", revision = 3 }' in path.read_text()


def test_ambiguous_day_lists_candidates(tmp_path):
    path = copy(tmp_path, "accelerated.toml")
    original = path.read_bytes()
    result = mark(path, "P-0003", "2026-12-07", "done", "--today", "2026-12-07")
    assert_refused(result, path, original, (
        f"error: {path}:11: P-0003 has 6 appointments on 2026-12-07 (Monday); give the time (HH:MM) after "
        "the date to pick one: 07:30 baseline assessment (P-0003-b, planned); 08:00 mapping session 1 "
        "(P-0003-01, planned); 09:50 treatment session 2 (P-0003-02, planned); 10:55 treatment session 3 "
        "(P-0003-03, planned); 12:30 treatment session 4 (P-0003-04, planned); 13:35 treatment session 5 "
        "(P-0003-05, planned)\n"))


def test_assessment_sharing_a_day(tmp_path):
    path = copy(tmp_path, "standard.toml")
    original = path.read_bytes()
    result = mark(path, "P-0001", "2026-12-04", "done", "--today", "2026-12-04")
    assert_refused(result, path, original, (
        f"error: {path}:11: P-0001 has 2 appointments on 2026-12-04 (Friday); give the time (HH:MM) after the "
        "date to pick one: 08:00 treatment session 5 (P-0001-05, planned); 09:00 end-of-course assessment "
        "(P-0001-e, planned)\n"))
    result = mark(path, "P-0001", "2026-12-04", "09:00", "done", "--today", "2026-12-04")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "P-0001 2026-12-04 09:00 end-of-course assessment: planned -> done\n"
        f"{path}: revision 3 -> 4, 1 change written\n")


def test_unknown_time_lists_the_day(tmp_path):
    path = copy(tmp_path, "standard.toml")
    original = path.read_bytes()
    result = mark(path, "P-0001", "2026-12-04", "10:00", "done", "--today", "2026-12-04")
    assert_refused(result, path, original, (
        f"error: {path}:11: P-0001 has no appointment at 10:00 on 2026-12-04 (Friday); that day: 08:00 "
        "treatment session 5 (P-0001-05, planned); 09:00 end-of-course assessment (P-0001-e, planned)\n"))


def test_unknown_patient_suggests(tmp_path):
    path = copy(tmp_path, "standard.toml")
    original = path.read_bytes()
    result = mark(path, "P-001", "2026-12-02", "done", "--today", "2026-12-03")
    assert_refused(result, path, original, (
        f"error: {path}: no patient 'P-001' in the schedule; did you mean 'P-0001'? "
        "(its patients: P-0001, P-0002)\n"))


def test_unknown_date_names_the_nearest(tmp_path):
    path = copy(tmp_path, "standard.toml")
    original = path.read_bytes()
    result = mark(path, "P-0002", "2026-12-05", "done", "--today", "2026-12-07")
    assert_refused(result, path, original, (
        f"error: {path}:24: P-0002 has no appointment on 2026-12-05 (Saturday); nearest: 2026-12-04 10:00 "
        "treatment session 4 (P-0002-04, planned)\n"))


def test_patient_booked_twice_at_once(tmp_path):
    path = copy(tmp_path, "twice.toml")
    original = path.read_bytes()
    result = mark(path, "P-0005", "2026-12-02", "08:00", "done", "--today", "2026-12-02")
    assert_refused(result, path, original, (
        f"error: {path}:15: P-0005 has 2 appointments at 08:00 on 2026-12-02: 08:00 treatment session 3 "
        "(P-0005-03, planned); 08:00 treatment session 4 (P-0005-04, planned). A patient booked twice at "
        "once is an error in the schedule (`tms-sched check` reports it as TMS002); correct the file first\n"))


def test_done_after_today_is_refused_but_cancelled_is_not(tmp_path):
    path = copy(tmp_path, "standard.toml")
    original = path.read_bytes()
    result = mark(path, "P-0002", "2026-12-04", "done", "--today", "2026-12-02")
    assert_refused(result, path, original, (
        f"error: {path}:30: 2026-12-04 is after today (2026-12-02): an appointment cannot be done before it "
        "happens; mark it cancelled if it will not take place\n"))
    result = mark(path, "P-0002", "2026-12-04", "cancelled", "--note", "away", "--today", "2026-12-02")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == \
        'P-0002 2026-12-04 10:00 treatment session 4: planned -> cancelled, note "away"'


def test_correction_says_so_and_takes_the_new_revision(tmp_path):
    path = copy(tmp_path, "standard.toml")
    before = path.read_text()
    result = mark(path, "P-0001", "2026-12-01", "missed", "--today", "2026-12-03")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == \
        "P-0001 2026-12-01 08:00 treatment session 2: done -> missed (correction)"
    old = appt_line(before, "P-0001-02")
    assert diff(before, path.read_text())[-2:] == [
        "-" + old, "+" + old.replace('"done", revision = 2', '"missed", revision = 4')]


def test_same_status_changes_nothing(tmp_path):
    path = copy(tmp_path, "standard.toml")
    original = path.read_bytes()
    result = mark(path, "P-0001", "2026-12-01", "done", "--today", "2026-12-03")
    assert result.exit_code == 0
    assert result.stderr == (
        "note: P-0001 2026-12-01 08:00 treatment session 2 is already done; nothing to change\n"
        f"nothing changed; {path} not written\n")
    assert path.read_bytes() == original


def test_note_alone_keeps_the_appointment_revision(tmp_path):
    path = copy(tmp_path, "standard.toml")
    before = path.read_text()
    result = mark(path, "P-0001", "2026-12-01", "done", "--note", "arrived late", "--today", "2026-12-03")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == \
        'P-0001 2026-12-01 08:00 treatment session 2: still done, note "arrived late"'
    old = appt_line(before, "P-0001-02")
    assert diff(before, path.read_text())[-2:] == [
        "-" + old, "+" + old.replace("revision = 2 }", 'revision = 2, note = "arrived late" }')]


def test_correcting_a_miss_points_at_its_make_up(tmp_path):
    path = copy(tmp_path, "makeup.toml")
    result = mark(path, "P-0001", "2026-12-01", "done", "--today", "2026-12-03")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "P-0001 2026-12-01 08:00 treatment session 2: missed -> done (correction)\n"
        "note: P-0001 treatment session 2 is also booked on 2027-01-13 08:00 (P-0001-02m, planned); "
        "mark that one cancelled if it is no longer needed\n"
        f"{path}: revision 4 -> 5, 1 change written\n")


def test_wall_clock_time_across_a_clock_change(tmp_path):
    path = copy(tmp_path, "dst.toml")
    # 2026-11-01 ends daylight saving in Los Angeles: both sessions are at 08:00 on the wall clock
    assert mark(path, "P-0004", "2026-10-30", "08:00", "done", "--today", "2026-11-02").exit_code == 0
    result = mark(path, "P-0004", "2026-11-02", "08:00", "done", "--today", "2026-11-02")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == "P-0004 2026-11-02 08:00 treatment session 5: planned -> done"
    text = path.read_text()
    assert 'start = 2026-10-30T08:00:00-07:00, minutes = 40, status = "done", revision = 2 }' in text
    assert 'start = 2026-11-02T08:00:00-08:00, minutes = 40, status = "done", revision = 3 }' in text


# -- --through -----------------------------------------------------------------------

def test_through_signs_off_planned_up_to_a_date(tmp_path):
    path = copy(tmp_path, "standard.toml")
    before = path.read_text()
    result = mark(path, "--through", "2026-12-02", "done", "--today", "2026-12-02")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "P-0001 2026-12-02 08:00 treatment session 3: planned -> done\n"
        "P-0002 2026-12-02 10:00 treatment session 2: planned -> done\n"
        f"{path}: revision 3 -> 4, 2 changes written\n")
    a, b = appt_line(before, "P-0001-03"), appt_line(before, "P-0002-02")
    assert diff(before, path.read_text()) == [
        "-revision = 3", "-updated = 2026-12-01", "+revision = 4", "+updated = 2026-12-02",
        "-" + a, "+" + a.replace('"planned", revision = 1', '"done", revision = 4'),
        "-" + b, "+" + b.replace('"planned", revision = 1', '"done", revision = 4'),
    ]


def test_through_refuses_the_future_and_other_statuses(tmp_path):
    path = copy(tmp_path, "standard.toml")
    original = path.read_bytes()
    assert_refused(mark(path, "--through", "2026-12-04", "done", "--today", "2026-12-02"), path, original,
                   f"error: {path}: cannot sign off up to 2026-12-04: it is after today (2026-12-02), and "
                   "appointments cannot be done before they happen\n")
    assert_refused(mark(path, "--through", "2026-12-02", "missed", "--today", "2026-12-02"), path, original,
                   "error: --through signs appointments off as done, not 'missed': `tms-sched mark SCHEDULE "
                   "--through DATE done`; mark a missed or cancelled appointment on its own\n")


def test_through_with_nothing_planned(tmp_path):
    path = copy(tmp_path, "standard.toml")
    original = path.read_bytes()
    result = mark(path, "--through", "2026-11-30", "done", "--today", "2026-12-02")
    assert result.exit_code == 0
    assert result.stderr == ("note: no planned appointment starts on or before 2026-11-30; nothing to sign off\n"
                             f"nothing changed; {path} not written\n")
    assert path.read_bytes() == original


# -- --closed --------------------------------------------------------------------------

def test_closed_day_adds_a_closure_and_leaves_the_day_for_the_replan(tmp_path):
    path = copy(tmp_path, "standard.toml")
    before = path.read_text()
    result = mark(path, "--closed", "2026-12-02", "--reason", "snow", "--today", "2026-12-02")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "2026-12-02 (Wednesday): clinic closed (snow), added to [[closures]]\n"
        "note: P-0001 2026-12-02 08:00 treatment session 3 (P-0001-03) stays planned until the next plan moves it\n"
        "note: P-0002 2026-12-02 10:00 treatment session 2 (P-0002-02) stays planned until the next plan moves it\n"
        f"2 planned appointments lie in that time and stay planned: the next `tms-sched plan CLINIC --schedule "
        f"{path}` moves them (the same day on another chair or at another time where there is room, else later)\n"
        f"{path}: revision 3 -> 4, 1 change written\n")
    assert diff(before, path.read_text()) == [
        "-revision = 3", "-updated = 2026-12-01", "+revision = 4", "+updated = 2026-12-02",
        "+", "+[[closures]]", "+date = 2026-12-02", '+reason = "snow"',
    ]
    schedule, _ = load_schedule(str(path))
    clinic, _ = load_clinic(CLINIC)
    calendar = ClinicCalendar(clinic, schedule.closures)
    assert calendar.closed_reason(dt.date(2026, 12, 2)) == "snow"


def test_closed_day_leaves_history_alone(tmp_path):
    path = copy(tmp_path, "standard.toml")
    before = path.read_text()
    result = mark(path, "--closed", "2026-12-01", "--today", "2026-12-02")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "2026-12-01 (Tuesday): clinic closed, added to [[closures]]\n"
        "note: 2 appointments on 2026-12-01 are recorded as done and left as they are: "
        "P-0001 08:00 treatment session 2 (P-0001-02); P-0002 10:00 mapping session 1 (P-0002-01)\n"
        f"{path}: revision 3 -> 4, 1 change written\n")
    assert diff(before, path.read_text()) == [
        "-revision = 3", "-updated = 2026-12-01", "+revision = 4", "+updated = 2026-12-02",
        "+", "+[[closures]]", "+date = 2026-12-01"]


def test_closed_day_already_recorded(tmp_path):
    path = copy(tmp_path, "makeup.toml")
    original = path.read_bytes()
    result = mark(path, "--closed", "2026-12-16", "--reason", "again", "--today", "2026-12-16")
    assert result.exit_code == 0
    assert result.stderr == ("note: 2026-12-16 is already recorded as closed (power outage); no closure added\n"
                             f"nothing changed; {path} not written\n")
    assert path.read_bytes() == original


# -- --chair-down -----------------------------------------------------------------------

def test_chair_down_whole_days(tmp_path):
    path = copy(tmp_path, "standard.toml")
    before = path.read_text()
    result = mark(path, "--chair-down", "B", "2026-12-03", "2026-12-04", "--reason", "coil", "--today", "2026-12-02")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "chair B down from 2026-12-03 to 2026-12-04 (coil), added to [[closures]]\n"
        "note: P-0001 2026-12-04 08:00 treatment session 5 (P-0001-05) stays planned until the next plan moves it\n"
        "note: P-0002 2026-12-03 10:00 treatment session 3 (P-0002-03) stays planned until the next plan moves it\n"
        "note: P-0002 2026-12-04 10:00 treatment session 4 (P-0002-04) stays planned until the next plan moves it\n"
        f"3 planned appointments lie in that time and stay planned: the next `tms-sched plan CLINIC --schedule "
        f"{path}` moves them (the same day on another chair or at another time where there is room, else later)\n"
        f"{path}: revision 3 -> 4, 1 change written\n")
    after = path.read_text()
    assert diff(before, after)[-6:] == [
        "+", "+[[closures]]", "+start = 2026-12-03", "+end = 2026-12-04", '+chair = "B"', '+reason = "coil"']
    assert appt_line(after, "P-0001-e") == appt_line(before, "P-0001-e")  # an assessment takes no chair


def test_chair_down_local_times_end_excluded(tmp_path):
    path = copy(tmp_path, "standard.toml")
    before = path.read_text()
    result = mark(path, "--chair-down", "A", "2026-12-02T08:30", "2026-12-03T08:00", "--today", "2026-12-02")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[:2] == [
        "chair A down from 2026-12-02 08:30 to 2026-12-03 08:00, added to [[closures]]",
        "note: P-0001 2026-12-02 08:00 treatment session 3 (P-0001-03) stays planned until the next plan moves it",
    ]
    after = path.read_text()
    assert appt_line(after, "P-0001-04") == appt_line(before, "P-0001-04")  # starts as the downtime ends
    assert diff(before, after)[-5:] == [
        "+", "+[[closures]]", "+start = 2026-12-02T08:30:00", "+end = 2026-12-03T08:00:00", '+chair = "A"']
    schedule, _ = load_schedule(str(path))
    clinic, _ = load_clinic(CLINIC)
    calendar = ClinicCalendar(clinic, schedule.closures)
    assert calendar.chair_windows("A", dt.date(2026, 12, 2)) == ((450, 510),)
    assert calendar.chair_windows("A", dt.date(2026, 12, 3)) == ((480, 720), (750, 1080))


def test_chair_down_unknown_chair(tmp_path):
    path = copy(tmp_path, "standard.toml")
    original = path.read_bytes()
    assert_refused(mark(path, "--chair-down", "K", "2026-12-03", "2026-12-03", "--today", "2026-12-02"),
                   path, original,
                   f"error: {path}: no appointment in the schedule uses chair 'K' (chairs in use: A, B); to "
                   "record downtime of a chair without bookings, give the clinic file (--clinic) so its chairs "
                   "are known\n")
    assert_refused(mark(path, "--chair-down", "Z", "2026-12-03", "2026-12-03", "--clinic", CLINIC,
                        "--today", "2026-12-02"), path, original,
                   f"error: {path}: the clinic has no chair 'Z' (its chairs: A, B, C, K)\n")


def test_chair_down_with_clinic_knows_unbooked_chairs(tmp_path):
    path = copy(tmp_path, "standard.toml")
    before = path.read_text()
    result = mark(path, "--chair-down", "K", "2026-12-03", "2026-12-03", "--clinic", CLINIC, "--today", "2026-12-02")
    assert result.exit_code == 0, result.output
    assert diff(before, path.read_text())[-5:] == [
        "+", "+[[closures]]", "+start = 2026-12-03", "+end = 2026-12-03", '+chair = "K"']


def test_chair_down_refuses_another_clinic(tmp_path):
    path = copy(tmp_path, "standard.toml")
    original = path.read_bytes()
    other = str(FIXTURES / "other-clinic.toml")
    assert_refused(mark(path, "--chair-down", "A", "2026-12-03", "2026-12-03", "--clinic", other,
                        "--today", "2026-12-02"), path, original,
                   f"error: {other} is the clinic 'Riverside TMS Center' (America/New_York), but the schedule "
                   "belongs to 'Harbor Interventional Psychiatry' (America/Los_Angeles); give the schedule's "
                   "clinic file\n")


def test_chair_down_bad_range(tmp_path):
    path = copy(tmp_path, "standard.toml")
    original = path.read_bytes()
    assert_refused(mark(path, "--chair-down", "A", "2026-12-04", "2026-12-03", "--today", "2026-12-02"),
                   path, original,
                   f"error: {path}: chair downtime ends (2026-12-03) before it starts (2026-12-04); "
                   "give FROM before TO\n")
    assert_refused(mark(path, "--chair-down", "A", "2026-12-04T08:00-08:00", "2026-12-04", "--today", "2026-12-02"),
                   path, original,
                   "error: FROM '2026-12-04T08:00-08:00' carries a UTC offset; give the local wall-clock time "
                   "in the schedule's time zone, as YYYY-MM-DDTHH:MM\n")
    assert_refused(mark(path, "--chair-down", "A", "2026-12-04", "soon", "--today", "2026-12-02"),
                   path, original,
                   "error: TO: 'soon' is not a date; use YYYY-MM-DD, today, tomorrow or a weekday name such as "
                   "monday; or a local date and time YYYY-MM-DDTHH:MM\n")


# -- --discharge ---------------------------------------------------------------------------

def test_discharge(tmp_path):
    path = copy(tmp_path, "standard.toml")
    before = path.read_text()
    result = mark(path, "P-0002", "--discharge", "--reason", "moved away", "--today", "2026-12-02")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "P-0002: discharged (moved away)\n"
        'P-0002 2026-12-02 10:00 treatment session 2: planned -> cancelled, '
        'note "prefers chair B; discharged: moved away"\n'
        'P-0002 2026-12-03 10:00 treatment session 3: planned -> cancelled, note "discharged: moved away"\n'
        'P-0002 2026-12-04 10:00 treatment session 4: planned -> cancelled, note "discharged: moved away"\n'
        f"{path}: revision 3 -> 4, 4 changes written\n")
    lines = diff(before, path.read_text())
    assert lines[4:6] == ['+status = "discharged"', '+reason = "moved away"']
    assert len(lines) == 4 + 2 + 6
    again = mark(path, "P-0002", "--discharge", "--today", "2026-12-02")
    assert again.exit_code == 0
    assert again.stderr == ("note: P-0002 is already discharged (moved away)\n"
                            f"nothing changed; {path} not written\n")


# -- formats, layout, dry run, atomicity -------------------------------------------------

def test_json_schedule_stays_json(tmp_path):
    path = copy(tmp_path, "standard.json")
    before = path.read_text()
    result = mark(path, "P-0001", "2026-12-02", "missed", "--today", "2026-12-03")
    assert result.exit_code == 0, result.output
    assert diff(before, path.read_text()) == [
        '-    "revision": 3,', '-    "updated": "2026-12-01"', '+    "revision": 4,', '+    "updated": "2026-12-03"',
        '-          "status": "planned",', '-          "revision": 1', '+          "status": "missed",',
        '+          "revision": 4',
    ]
    data = json.loads(path.read_text())
    assert data["patients"][0]["appointments"][3]["status"] == "missed"


def test_layout_not_written_by_tms_sched_is_named(tmp_path):
    path = copy(tmp_path, "commented.toml")
    result = mark(path, "P-0004", "2026-10-30", "done", "--today", "2026-10-30")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "P-0004 2026-10-30 08:00 treatment session 4: planned -> done\n"
        f"warning: {path}: lines 1, 12 are not in the layout tms-sched writes (comments, spacing) "
        "and will not be kept\n"
        f"{path}: revision 1 -> 2, 1 change written\n")


def test_dry_run_writes_nothing(tmp_path):
    path = copy(tmp_path, "standard.toml")
    original = path.read_bytes()
    result = mark(path, "P-0001", "2026-12-02", "done", "--dry-run", "--today", "2026-12-02")
    assert result.exit_code == 0
    assert result.stderr == ("P-0001 2026-12-02 08:00 treatment session 3: planned -> done\n"
                             f"dry run: {path} not written (it would become revision 4)\n")
    assert path.read_bytes() == original


def test_write_replaces_the_file_whole(tmp_path):
    path = copy(tmp_path, "standard.toml")
    inode = os.stat(path).st_ino
    assert mark(path, "P-0001", "2026-12-02", "done", "--today", "2026-12-02").exit_code == 0
    assert os.stat(path).st_ino != inode  # renamed into place, never rewritten where it stands
    assert sorted(p.name for p in tmp_path.iterdir()) == ["standard.toml"]


def test_unreadable_schedule_is_refused(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[schedule]\nclinic = "X"\ntimezone = "America/Los_Angeles"\nrevision = "three"\n')
    original = path.read_bytes()
    result = mark(path, "--through", "2026-12-02", "done", "--today", "2026-12-02")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}:4")
    assert path.read_bytes() == original


@pytest.mark.parametrize("args, message", [
    (["--closed", "2026-12-02", "--through", "2026-12-02", "done"], "give one of --through, --closed at a time"),
    (["--closed", "2026-12-02", "--note", "x"],
     "--note goes with marking one appointment, not with --closed; closures and discharges take --reason"),
    (["P-0001", "2026-12-02", "done", "--reason", "x"],
     "--reason goes with --closed, --chair-down and --discharge; a single appointment takes --note"),
    (["P-0001", "2026-12-02"],
     "mark one appointment with PATIENT DATE [TIME] done|missed|cancelled, e.g. `tms-sched mark schedule.toml "
     "P-0001 2026-12-02 missed`; see `tms-sched mark --help` for the other forms"),
    (["P-0001", "2026-12-02", "attended"],
     "'attended' is not something to mark; end with done, missed or cancelled, e.g. `tms-sched mark "
     "schedule.toml P-0001 2026-12-02 missed`"),
    (["P-0001", "2026-12-02", "8am", "done"], "'8am' is not a time of day; give TIME as HH:MM, such as 09:50"),
    (["P-0001", "2026-02-30", "done"],
     "DATE: '2026-02-30' is not a date; use YYYY-MM-DD, today, tomorrow or a weekday name such as monday"),
    (["--closed", "2026-12-02", "P-0001"], "--closed is used as `tms-sched mark SCHEDULE --closed DATE`; "
                                           "unexpected: P-0001"),
    (["--discharge"], "--discharge is used as `tms-sched mark SCHEDULE PATIENT --discharge`"),
    (["--through", "2026-12-02"], "--through is used as `tms-sched mark SCHEDULE --through DATE done`"),
])
def test_usage_errors(tmp_path, args, message):
    path = copy(tmp_path, "standard.toml")
    original = path.read_bytes()
    assert_refused(mark(path, *args, "--today", "2026-12-02"), path, original, f"error: {message}\n")


def test_help_shows_every_form():
    result = CliRunner().invoke(main, ["mark", "--help"])
    assert result.exit_code == 0
    for form in ("SCHEDULE PATIENT DATE [TIME] done|missed|cancelled [--note TEXT]",
                 "SCHEDULE --through DATE done", "SCHEDULE --closed DATE [--reason TEXT]",
                 "SCHEDULE --chair-down CHAIR FROM TO [--reason TEXT] [--clinic FILE]",
                 "SCHEDULE PATIENT --discharge [--reason TEXT]", "--dry-run"):
        assert form in " ".join(result.stdout.split())   # a long form is wrapped to fit 80 columns
