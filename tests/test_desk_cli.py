"""`tms-sched move` and `tms-sched pin`, through the command line, on real files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tms_sched.cli import main
from tms_sched.io.schedule import load_schedule

DESK = Path(__file__).parent / "fixtures" / "desk"


@pytest.fixture()
def desk(tmp_path: Path) -> Path:
    for name in ("clinic.toml", "roster.toml", "schedule.toml"):
        shutil.copy(DESK / name, tmp_path / name)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def _appt(path: Path, appt_id: str):
    schedule, _ = load_schedule(str(path))
    return next(a for _, a in schedule.appointments() if a.id == appt_id), schedule


def test_move_within_the_rules_is_written_with_a_new_revision(desk: Path) -> None:
    s, c, r = (str(desk / n) for n in ("schedule.toml", "clinic.toml", "roster.toml"))
    result = run("move", s, "R-001-04", "2027-03-05", "09:30", "--clinic", c, "--roster", r, "--today", "2027-03-01")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "R-001 treatment session 4 (R-001-04): 2027-03-05 09:00 -> 2027-03-05 09:30 on chair A\n"
        f"{s}: revision 1 -> 2, 1 change written\n")
    appt, schedule = _appt(desk / "schedule.toml", "R-001-04")
    assert appt.start.isoformat() == "2027-03-05T09:30:00-05:00"
    assert appt.previous_start.isoformat() == "2027-03-05T09:00:00-05:00"
    assert appt.revision == 2 and not appt.pinned
    assert schedule.schedule.revision == 2
    assert str(schedule.schedule.updated) == "2027-03-01"
    # the rest of the file is untouched
    before = (DESK / "schedule.toml").read_text().splitlines()
    after = (desk / "schedule.toml").read_text().splitlines()
    assert [i for i, (a, b) in enumerate(zip(before, after)) if a != b] == [6, 17]
    # and check agrees the moved schedule is sound
    assert run("check", c, s, "--roster", r).exit_code == 0


def test_move_with_pin_and_chair(desk: Path) -> None:
    s, c = str(desk / "schedule.toml"), str(desk / "clinic.toml")
    result = run("move", s, "R-001-04", "2027-03-05", "09:00", "--clinic", c, "--chair", "B", "--pin",
                 "--today", "2027-03-01")
    assert result.exit_code == 0, result.stderr
    assert "R-001 treatment session 4 (R-001-04): 2027-03-05 09:00 -> 2027-03-05 09:00 on chair B, pinned" \
        in result.stderr
    # a chair change is a warning (TMS102) and does not block
    assert "warning: TMS102" in result.stderr
    appt, _ = _appt(desk / "schedule.toml", "R-001-04")
    assert (appt.chair, appt.pinned) == ("B", True)


def test_move_that_breaks_rules_is_refused_naming_each_code(desk: Path) -> None:
    s, c, r = (str(desk / n) for n in ("schedule.toml", "clinic.toml", "roster.toml"))
    before = (desk / "schedule.toml").read_text()
    # 14:00 is outside R-001's availability (08:00-11:00); 18:00 is after hours and off shift
    result = run("move", s, "R-001-04", "2027-03-05", "14:00", "--clinic", c, "--roster", r, "--today", "2027-03-01")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"error: the move breaks TMS004; {s} not written (choose another time, or --force to write it anyway)")
    result = run("move", s, "R-001-04", "2027-03-05", "18:00", "--clinic", c, "--today", "2027-03-01")
    assert result.exit_code == 2
    assert "the move breaks TMS003, TMS006;" in result.stderr
    # a collision with another patient's session on the same chair
    result = run("move", s, "R-001-04", "2027-03-05", "08:00", "--clinic", c, "--today", "2027-03-01")
    assert result.exit_code == 2
    assert "the move breaks TMS001" in result.stderr
    assert (desk / "schedule.toml").read_text() == before


def test_force_writes_and_check_reports_it(desk: Path) -> None:
    s, c = str(desk / "schedule.toml"), str(desk / "clinic.toml")
    result = run("move", s, "R-001-04", "2027-03-05", "18:00", "--clinic", c, "--force", "--today", "2027-03-01")
    assert result.exit_code == 0
    assert "warning: TMS003" in result.stderr
    checked = run("check", c, s, "--format", "json")
    assert checked.exit_code == 1
    assert '"TMS003"' in checked.stdout


def test_move_refuses_history_unknown_ids_and_the_past(desk: Path) -> None:
    s, c = str(desk / "schedule.toml"), str(desk / "clinic.toml")
    assert run("mark", s, "R-001", "2027-03-02", "done", "--today", "2027-03-02").exit_code == 0
    result = run("move", s, "R-001-01", "2027-03-05", "09:00", "--clinic", c, "--today", "2027-03-02")
    assert result.exit_code == 2
    assert "R-001-01 is done: only a planned appointment can be moved" in result.stderr
    result = run("move", s, "r-001-04", "2027-03-05", "09:00", "--clinic", c, "--today", "2027-03-02")
    assert result.exit_code == 2
    assert "did you mean 'R-001-04'?" in result.stderr
    result = run("move", s, "R-001-04", "2027-03-01", "09:00", "--clinic", c, "--today", "2027-03-02")
    assert result.exit_code == 2
    assert "2027-03-01 is before today (2027-03-02)" in result.stderr
    result = run("move", s, "R-001-04", "2027-03-05", "9am", "--clinic", c, "--today", "2027-03-02")
    assert result.exit_code == 2
    assert "TIME '9am' is not a time of day" in result.stderr
    result = run("move", s, "R-001-04", "2027-03-05", "09:00", "--clinic", c, "--chair", "Z", "--today", "2027-03-02")
    assert result.exit_code == 2
    assert "no chair 'Z' in the clinic" in result.stderr
    assert "Traceback" not in result.stderr


def test_move_into_the_skipped_hour_is_refused(desk: Path) -> None:
    s, c = str(desk / "schedule.toml"), str(desk / "clinic.toml")
    result = run("move", s, "R-001-04", "2027-03-14", "02:30", "--clinic", c, "--today", "2027-03-01")
    assert result.exit_code == 2
    assert "falls in the hour the clocks change" in result.stderr


def test_pin_and_unpin(desk: Path) -> None:
    s = str(desk / "schedule.toml")
    result = run("pin", s, "R-001-03", "R-002-05", "--today", "2027-03-01")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == f"{s}: revision 1 -> 2, 2 changes written"
    appt, schedule = _appt(desk / "schedule.toml", "R-001-03")
    assert appt.pinned and appt.revision == 1  # a pin does not move it: its revision stays
    assert [a.id for _, a in schedule.appointments() if a.pinned] == ["R-001-03", "R-002-05"]
    again = run("pin", s, "R-001-03", "--today", "2027-03-01")
    assert again.exit_code == 0
    assert "is already pinned" in again.stderr and "not written" in again.stderr
    result = run("pin", s, "R-001-03", "--unpin", "--today", "2027-03-01")
    assert result.exit_code == 0
    appt, schedule = _appt(desk / "schedule.toml", "R-001-03")
    assert not appt.pinned and schedule.schedule.revision == 3
    result = run("pin", s, "nope")
    assert result.exit_code == 2 and "no appointment 'nope'" in result.stderr


def test_commands_have_help() -> None:
    for name in ("move", "pin"):
        result = run(name, "--help")
        assert result.exit_code == 0
        assert "Usage: main" in result.stdout or "Usage:" in result.stdout


def test_replan_records_the_old_start_of_what_it_moves() -> None:
    import datetime as dt

    from tms_sched.handedit import record_moves

    before, _ = load_schedule(str(DESK / "schedule.toml"))
    after = before.model_copy(deep=True)
    moved = after.patients[0].appointments[5]
    moved.start = moved.start + dt.timedelta(hours=1)
    record_moves(before, after)
    assert moved.previous_start == before.patients[0].appointments[5].start
    assert [a.id for _, a in after.appointments() if a.previous_start] == [moved.id]


def _calls(schedule: str, clinic: str, since: int) -> list[str]:
    result = CliRunner(env={"NO_COLOR": "1"}).invoke(main, [
        "show", schedule, "--clinic", clinic, "--view", "calls", "--since-revision", str(since),
        "--today", "2027-03-01", "--width", "100"])
    assert result.exit_code == 0, result.output
    return [" ".join(line.split()) for line in result.stdout.splitlines() if line.strip()]


def test_calls_give_the_time_the_patient_knew_however_often_it_moved_since(desk: Path) -> None:
    s, c, r = (str(desk / n) for n in ("schedule.toml", "clinic.toml", "roster.toml"))
    for day, at in (("2027-03-05", "09:30"), ("2027-03-05", "10:00"), ("2027-03-05", "10:20")):  # revisions 2, 3, 4
        result = run("move", s, "R-001-04", day, at, "--clinic", c, "--roster", r, "--today", "2027-03-01")
        assert result.exit_code == 0, result.stderr
    appt, schedule = _appt(desk / "schedule.toml", "R-001-04")
    assert schedule.schedule.revision == 4 and appt.revision == 4
    assert appt.previous_start.isoformat() == "2027-03-05T10:00:00-05:00"
    assert [(e.start.isoformat(), e.booked, e.moved) for e in appt.moved_from] == [
        ("2027-03-05T09:00:00-05:00", 1, 2), ("2027-03-05T09:30:00-05:00", 2, 3), ("2027-03-05T10:00:00-05:00", 3, 4)]
    assert ("moved_from = [{ start = 2027-03-05T09:00:00-05:00, booked = 1, moved = 2 }, { start = "
            "2027-03-05T09:30:00-05:00, booked = 2, moved = 3 }, { start = 2027-03-05T10:00:00-05:00, booked = 3, "
            "moved = 4 }] }") in (desk / "schedule.toml").read_text()
    for since, was in ((1, "Fri 2027-03-05 09:00"), (2, "Fri 2027-03-05 09:30"), (3, "Fri 2027-03-05 10:00")):
        assert f"moved {was} Fri 2027-03-05 10:20 treatment 4 A" in _calls(s, c, since), since
    assert "Nothing changed since revision 4." in _calls(s, c, 4)


def test_an_appointment_booked_after_the_revision_and_moved_since_is_added(desk: Path) -> None:
    s, c, r = (str(desk / n) for n in ("schedule.toml", "clinic.toml", "roster.toml"))
    assert run("mark", s, "R-001", "2027-03-03", "missed", "--today", "2027-03-04").exit_code == 0  # revision 2
    assert run("plan", c, "--roster", r, "--schedule", s, "--today", "2027-03-04").exit_code == 0  # 3: a make-up
    schedule, _ = load_schedule(s)
    makeup = next(a for _, a in schedule.appointments() if a.revision == 3 and a.session == 2 and a.status == "planned")
    moved = run("move", s, makeup.id, "2027-04-13", "08:00", "--clinic", c, "--roster", r, "--today", "2027-03-04")
    assert moved.exit_code == 0, moved.stderr  # revision 4
    assert makeup.start.isoformat() == "2027-04-13T09:00:00-04:00"
    # the patient never heard of its first time: since revision 2 it is simply added
    assert "added Tue 2027-04-13 08:00 treatment 2, make-up A" in _calls(s, c, 2)
    assert "moved Tue 2027-04-13 09:00 Tue 2027-04-13 08:00 treatment 2 A" in _calls(s, c, 3)


def test_a_schedule_with_previous_start_alone_still_reads_and_shows_the_move(desk: Path) -> None:
    """Written before moved_from: previous_start stands for the time before the last move."""
    s, c = str(desk / "schedule.toml"), str(desk / "clinic.toml")
    text = (desk / "schedule.toml").read_text().replace("revision = 1\n", "revision = 2\n", 1).replace(
        'start = 2027-03-05T09:00:00-05:00, minutes = 40, status = "planned", revision = 1 }',
        'start = 2027-03-05T10:00:00-05:00, minutes = 40, status = "planned", revision = 2, '
        'previous_start = 2027-03-05T09:00:00-05:00 }')
    (desk / "schedule.toml").write_text(text)
    assert "moved Fri 2027-03-05 09:00 Fri 2027-03-05 10:00 treatment 4 A" in _calls(s, c, 1)
    # its next move keeps both earlier starts; since when the first held is unknown (0)
    result = run("move", s, "R-001-04", "2027-03-05", "10:20", "--clinic", c, "--today", "2027-03-01")
    assert result.exit_code == 0, result.stderr
    appt, _ = _appt(desk / "schedule.toml", "R-001-04")
    assert [(e.start.isoformat(), e.booked, e.moved) for e in appt.moved_from] == [
        ("2027-03-05T09:00:00-05:00", 0, 2), ("2027-03-05T10:00:00-05:00", 2, 3)]
    assert "moved Fri 2027-03-05 09:00 Fri 2027-03-05 10:20 treatment 4 A" in _calls(s, c, 1)
    assert "moved Fri 2027-03-05 10:00 Fri 2027-03-05 10:20 treatment 4 A" in _calls(s, c, 2)


# -- a pin where the staff are not: a staff block, time away ------------------------------------

def test_pinning_where_no_staff_is_on_shift_warns_with_check_s_codes(desk: Path) -> None:
    """The calendar clinic: dr-kim's Tuesday team meeting 08:00-10:00, tech-ana away 03-08..03-12."""
    s, cal = str(desk / "schedule.toml"), str(DESK / "clinic-calendar.toml")
    result = run("pin", s, "R-001-01", "R-001-06", "R-001-05", "--clinic", cal, "--today", "2027-03-01")
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert [w.split()[1] for w in warnings] == ["TMS006", "TMS007", "R-001-01", "R-001-06"]
    assert "dr-kim works 10:00-12:00 on Tuesdays, not 09:00-10:00" in warnings[1]
    assert "(R-001-06) but nobody on shift" in warnings[0]
    assert warnings[2].endswith("is pinned where it cannot take place; the replan keeps it there and `tms-sched "
                                "check` reports it: move it by hand (tms-sched move) or unpin it (tms-sched pin --unpin)")
    assert all(_appt(desk / "schedule.toml", i)[0].pinned for i in ("R-001-01", "R-001-05", "R-001-06"))
    # the replan keeps them and says so, staff included
    planned = run("plan", cal, "--roster", str(desk / "roster.toml"), "--schedule", s, "--today", "2027-03-01")
    said = [line for line in planned.stderr.splitlines() if "is pinned but cannot take place there" in line]
    assert [line.split()[2] for line in said] == ["R-001-01", "R-001-06"], planned.stderr
    assert "no staff on shift for it: time away or a staff block" in said[0]
    assert _appt(desk / "schedule.toml", "R-001-06")[0].start.isoformat() == "2027-03-09T09:00:00-05:00"
    checked = run("check", cal, s, "--select", "TMS006,TMS007", "--format", "json")
    import json

    assert {(f["code"], f["appointment"]) for f in json.loads(checked.stdout)["findings"]} >= {
        ("TMS006", "R-001-06"), ("TMS007", "R-001-01")}


def test_pin_without_a_clinic_and_an_unpin_warn_of_nothing(desk: Path) -> None:
    s, cal = str(desk / "schedule.toml"), str(DESK / "clinic-calendar.toml")
    assert "warning" not in run("pin", s, "R-001-06", "--today", "2027-03-01").stderr
    assert "warning" not in run("pin", s, "R-001-06", "--unpin", "--clinic", cal, "--today", "2027-03-01").stderr


def test_move_pin_in_place_inside_a_staff_block_warns(desk: Path) -> None:
    s, cal = str(desk / "schedule.toml"), str(DESK / "clinic-calendar.toml")
    result = run("move", s, "R-001-06", "2027-03-09", "09:00", "--pin", "--clinic", cal, "--today", "2027-03-01")
    assert result.exit_code == 0, result.stderr
    assert "warning: TMS006 1 appointment under way 09:00-09:40 on Tue 2027-03-09 (R-001-06) but nobody on shift" \
        in result.stderr
    assert "warning: R-001-06 is pinned where it cannot take place" in result.stderr
    assert _appt(desk / "schedule.toml", "R-001-06")[0].pinned


def test_a_cancelled_appointment_is_called_about_at_the_time_the_patient_knew(desk: Path) -> None:
    s, c, r = (str(desk / n) for n in ("schedule.toml", "clinic.toml", "roster.toml"))
    moved = run("move", s, "R-001-04", "2027-03-05", "10:00", "--clinic", c, "--roster", r, "--today", "2027-03-01")
    assert moved.exit_code == 0, moved.stderr                                                    # revision 2
    assert run("mark", s, "--closed", "2027-03-05", "--reason", "snow", "--today", "2027-03-06").exit_code == 0  # 3
    appt, _ = _appt(desk / "schedule.toml", "R-001-04")
    assert (appt.status, appt.revision) == ("cancelled", 3)
    assert "cancelled Fri 2027-03-05 10:00 - treatment 4 A" in _calls(s, c, 2)   # told 10:00 at revision 2
    assert "cancelled Fri 2027-03-05 09:00 - treatment 4 A" in _calls(s, c, 1)   # still 09:00 at revision 1


def test_an_id_typed_without_its_leading_zero_is_offered_with_it(desk: Path) -> None:
    result = run("pin", str(desk / "schedule.toml"), "R-001-4", "--today", "2027-03-01")
    assert result.exit_code == 2
    assert "no appointment 'R-001-4' in the schedule" in result.stderr
    assert "did you mean 'R-001-04'?" in result.stderr and "R-001-24" not in result.stderr
    spelled = run("pin", str(desk / "schedule.toml"), "R-001-04x", "--today", "2027-03-01")
    assert "did you mean 'R-001-04'?" in spelled.stderr    # other typos still get the closest spelling


def test_a_move_to_where_it_already_stands_writes_nothing(desk: Path) -> None:
    s, c = str(desk / "schedule.toml"), str(desk / "clinic.toml")
    before = (desk / "schedule.toml").read_bytes()
    result = run("move", s, "R-001-04", "2027-03-05", "09:00", "--clinic", c, "--chair", "A", "--today", "2027-03-01")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "note: R-001 treatment session 4 (R-001-04) is already at 2027-03-05 09:00 on chair A; nothing to move\n"
        f"nothing changed; {s} not written\n")
    assert (desk / "schedule.toml").read_bytes() == before
