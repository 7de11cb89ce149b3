"""Calendar keys of revision 2: closed and away as ranges or partial days, weekly
[[blocks]] and min_notice_hours, read with line-accurate errors and honoured by the
planner, the checker, `closures` and `move`."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tms_sched.calendar import ClinicCalendar, earliest_booking
from tms_sched.cli import main
from tms_sched.errors import InputError
from tms_sched.io import load_clinic
from tms_sched.io.schedule import load_schedule

DESK = Path(__file__).parent / "fixtures" / "desk"
CLINIC = DESK / "clinic-calendar.toml"
D = dt.date


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def calendar() -> ClinicCalendar:
    return ClinicCalendar(load_clinic(str(CLINIC))[0])


def test_partial_closure_cuts_part_of_a_day(calendar: ClinicCalendar) -> None:
    assert calendar.open_windows(D(2027, 3, 4)) == ((600, 1020),)
    assert calendar.partial_closures(D(2027, 3, 4)) == [((480, 600), "fire drill")]
    assert calendar.closed_reason(D(2027, 3, 4)) is None


def test_a_date_range_closes_every_day_in_it(calendar: ClinicCalendar) -> None:
    assert [calendar.closed_reason(D(2027, 3, d)) for d in (12, 15, 16, 17)] == [None, "move", "move", None]


def test_staff_away_as_a_range(calendar: ClinicCalendar) -> None:
    assert calendar.staff_windows("tech-ana", D(2027, 3, 5)) == ((480, 1020),)
    for d in range(8, 13):
        assert calendar.staff_windows("tech-ana", D(2027, 3, d)) == ()
    assert calendar.staff_away("tech-ana", D(2027, 3, 8)) == [((0, 1440), "away")]


def test_blocks_for_staff_and_clinic(calendar: ClinicCalendar) -> None:
    # Tuesdays 08:00-10:00 dr-kim is in the team meeting; the clinic stays open
    assert calendar.staff_windows("dr-kim", D(2027, 3, 2)) == ((600, 720),)
    assert calendar.open_windows(D(2027, 3, 2)) == ((480, 1020),)
    # Wednesdays 08:00-09:30 the whole clinic huddles
    assert calendar.open_windows(D(2027, 3, 3)) == ((570, 1020),)
    assert calendar.partial_closures(D(2027, 3, 3)) == [((480, 570), "all-staff huddle")]
    assert calendar.chair_windows("A", D(2027, 3, 3)) == ((570, 1020),)


def test_chair_block_with_dates(tmp_path: Path) -> None:
    text = CLINIC.read_text() + (
        '\n[[blocks]]\nweekdays = ["fri"]\nhours = "16:00-17:00"\nchairs = ["B"]\nfrom = 2027-03-10\n'
        'until = 2027-03-20\nreason = "coil maintenance"\n')
    (tmp_path / "c.toml").write_text(text)
    cal = ClinicCalendar(load_clinic(str(tmp_path / "c.toml"))[0])
    assert cal.chair_windows("B", D(2027, 3, 5)) == ((480, 1020),)  # before from
    assert cal.chair_windows("B", D(2027, 3, 12)) == ((480, 960),)
    assert cal.chair_down("B", D(2027, 3, 12)) == [((960, 1020), "coil maintenance")]
    assert cal.chair_windows("A", D(2027, 3, 12)) == ((480, 1020),)
    assert cal.chair_windows("B", D(2027, 3, 26)) == ((480, 1020),)  # after until


def test_earliest_booking_adds_the_notice() -> None:
    clinic = load_clinic(str(CLINIC))[0]
    assert clinic.info.min_notice_hours == 48
    assert earliest_booking(clinic, D(2027, 3, 1)) == (D(2027, 3, 3), 0)
    assert earliest_booking(clinic, D(2027, 3, 1), 14 * 60 + 30) == (D(2027, 3, 3), 14 * 60 + 30)
    plain = load_clinic(str(DESK / "clinic.toml"))[0]
    assert earliest_booking(plain, D(2027, 3, 1), 600) == (D(2027, 3, 1), 600)


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("plan") / "s.toml"
    result = run("plan", str(CLINIC), "--roster", str(DESK / "roster.toml"), "--today", "2027-03-01",
                 "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def test_the_planner_honours_the_calendar(planned: Path) -> None:
    schedule, _ = load_schedule(str(planned))
    zone = dt.timezone  # noqa: F841  (times are compared as local wall-clock below)
    starts = [(a.start.replace(tzinfo=None), a.end.replace(tzinfo=None), a) for _, a in schedule.appointments()]
    assert min(s for s, _, _ in starts) >= dt.datetime(2027, 3, 3)  # 48 hours' notice from 2027-03-01
    for s, e, a in starts:
        assert s.date() not in (D(2027, 3, 15), D(2027, 3, 16))
        if s.date() == D(2027, 3, 4):
            assert s >= dt.datetime(2027, 3, 4, 10)
        if s.weekday() == 2:
            assert s.time() >= dt.time(9, 30)  # the Wednesday huddle
        if s.weekday() == 1 and a.staff == "dr-kim":
            assert s.time() >= dt.time(10)  # dr-kim's meeting


def test_check_passes_the_plan_and_catches_what_the_calendar_forbids(planned: Path, tmp_path: Path) -> None:
    result = run("check", str(CLINIC), str(planned), "--roster", str(DESK / "roster.toml"))
    assert result.exit_code == 0, result.stdout
    # the same schedule against a clinic without the calendar keys moves nothing, but the
    # desk schedule (planned without them) breaks them
    result = run("check", str(CLINIC), str(DESK / "schedule.toml"), "--format", "json")
    assert result.exit_code == 1
    for code in ('"TMS003"', '"TMS006"', '"TMS007"'):
        assert code in result.stdout
    assert "all-staff huddle" in result.stdout and "fire drill" in result.stdout


def test_closures_lists_blocks_away_and_the_schedule_s_closures(planned: Path, tmp_path: Path) -> None:
    schedule = tmp_path / "s.toml"
    shutil.copy(planned, schedule)
    assert run("mark", str(schedule), "--closed", "2027-03-05", "--reason", "snow", "--today", "2027-03-04").exit_code == 0
    env = {"COLUMNS": "100", "NO_COLOR": "1"}
    result = CliRunner(env=env).invoke(main, ["closures", str(CLINIC), "--from", "2027-03-01", "--to", "2027-03-09",
                                              "--schedule", str(schedule)])
    assert result.exit_code == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert [" ".join(r.replace("│", " ").split()) for r in rows] == [
        "2027-03-02 Tue staff dr-kim 08:00-10:00 team meeting",
        "2027-03-03 Wed clinic all-staff huddle (08:00-09:30)",
        "2027-03-04 Thu clinic fire drill (08:00-10:00)",
        "2027-03-05 Fri clinic snow",
        "2027-03-08 Mon staff tech-ana all day away",
        "2027-03-09 Tue staff tech-ana all day away",
        "2027-03-09 Tue staff dr-kim 08:00-10:00 team meeting",
    ]
    without = CliRunner(env=env).invoke(main, ["closures", str(CLINIC), "--from", "2027-03-05", "--to", "2027-03-05"])
    assert "snow" not in without.stdout


def test_move_keeps_the_notice(tmp_path: Path) -> None:
    schedule = tmp_path / "s.toml"
    shutil.copy(DESK / "schedule.toml", schedule)
    clinic = tmp_path / "clinic.toml"
    clinic.write_text((DESK / "clinic.toml").read_text().replace("horizon_weeks = 12", "horizon_weeks = 12\nmin_notice_hours = 24"))
    result = run("move", str(schedule), "R-001-04", "2027-03-02", "10:00", "--clinic", str(clinic), "--today", "2027-03-02")
    assert result.exit_code == 2
    assert "sooner than the clinic's min_notice_hours (24 h) allows; the earliest is 2027-03-03 00:00" in result.stderr


BAD = [
    ('[[blocks]]\nweekdays = ["tue"]\nhours = "12:00-13:00"\nstaff = ["dr-kin"]\n',
     "blocks[2].staff[0]: no staff member 'dr-kin' in the clinic file; did you mean 'dr-kim'?"),
    ('[[blocks]]\nweekdays = ["tuesday"]\nhours = "12:00-13:00"\n', "blocks[2].weekdays[0]"),
    ('[[blocks]]\nweekdays = ["tue"]\nhours = "12:03-13:00"\n', "12:03 is off the 5-minute slot grid"),
    ('[[blocks]]\nweekdays = ["tue"]\nhours = "12:00-13:00"\nchairs = ["Z"]\n', "no chair 'Z' in the clinic file"),
    ('[[blocks]]\nweekdays = ["tue"]\nhours = "12:00-13:00"\nfrom = 2027-05-01\nuntil = 2027-04-01\n',
     "until 2027-04-01 is before from 2027-05-01"),
    ('[[blocks]]\nweekdays = ["tue"]\nhours = "12:00-13:00"\nevery = 2\n', "every"),
]


@pytest.mark.parametrize("extra, expected", BAD)
def test_bad_blocks_are_reported_with_their_line(tmp_path: Path, extra: str, expected: str) -> None:
    base = CLINIC.read_text()
    path = tmp_path / "c.toml"
    path.write_text(base + "\n" + extra)
    first_line = len(base.splitlines()) + 2
    with pytest.raises(InputError) as info:
        load_clinic(str(path))
    text = "\n".join(info.value.lines())
    assert expected in text
    line = int(text.split(f"{path}:", 1)[1].split(":", 1)[0])
    assert first_line <= line <= first_line + 5


def test_bad_ranges_are_reported_with_their_line(tmp_path: Path) -> None:
    base = CLINIC.read_text()
    path = tmp_path / "c.toml"
    path.write_text(base.replace("end = 2027-03-04T10:00:00", "end = 2027-03-04T07:00:00"))
    with pytest.raises(InputError) as info:
        load_clinic(str(path))
    assert f"{path}:9:" in str(info.value) and "is before start" in str(info.value)
    path.write_text(base.replace("away = [{ start = 2027-03-08, end = 2027-03-12 }]",
                                 "away = [{ start = 2027-03-08T08:00:00-05:00, end = 2027-03-12 }]"))
    with pytest.raises(InputError) as info:
        load_clinic(str(path))
    assert "carries a UTC offset" in str(info.value)


def test_a_chair_block_is_tms005_and_the_replan_moves_out_of_it(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic.toml"
    clinic.write_text((DESK / "clinic.toml").read_text() + (
        '\n[[blocks]]\nweekdays = ["tue"]\nhours = "08:00-12:00"\nchairs = ["A"]\nreason = "coil maintenance"\n'))
    schedule = tmp_path / "s.toml"
    shutil.copy(DESK / "schedule.toml", schedule)
    roster = str(DESK / "roster.toml")
    result = run("check", str(clinic), str(schedule), "--roster", roster, "--format", "json")
    assert result.exit_code == 1
    import json

    findings = json.loads(result.stdout)["findings"]
    assert {f["code"] for f in findings} == {"TMS005"} and len(findings) == 12
    assert "coil maintenance" in findings[0]["message"]
    replanned = run("plan", str(clinic), "--roster", roster, "--schedule", str(schedule), "--today", "2027-03-01")
    assert replanned.exit_code == 0, replanned.stderr
    after = run("check", str(clinic), str(schedule), "--roster", roster)
    assert after.exit_code == 0, after.stdout  # warnings only (a changed chair or time)


def test_the_agenda_shows_hours_nobody_staffs_as_not_free(tmp_path: Path) -> None:
    """tech-ana is away 03-08..03-12 and dr-kim works mornings only, with a team meeting on
    Tuesdays 08:00-10:00: on Tuesday 03-09 only 10:00-12:00 can be booked."""
    def agenda(*extra: str) -> list[str]:
        result = CliRunner(env={"NO_COLOR": "1"}).invoke(main, [
            "show", str(DESK / "schedule.toml"), "--clinic", str(CLINIC), "--date", "2027-03-09",
            "--today", "2027-03-01", "--width", "100", *extra])
        assert result.exit_code == 0, result.output
        return [" ".join(line.split()) for line in result.stdout.splitlines()]

    lines = agenda()
    assert "08:00-10:00 no staff away; team meeting" in lines
    assert "10:00-12:00 · free 2 h" in lines
    assert "12:00-17:00 no staff away" in lines
    assert not any(line.startswith(("08:00-08:10 · free", "12:00-17:00 · free")) for line in lines), lines
    assert ("open 08:00-17:00; 2 appointments; chair time 5% booked, 17 h 10 min free "
            "(13 h 10 min of it with no staff on shift)") in " ".join(lines)
    chair = agenda("--chair", "B")
    assert [line for line in chair if "free" in line or "no staff" in line][1:] == [
        "08:00-10:00 no staff away; team meeting", "10:00-12:00 · free 2 h", "12:00-17:00 no staff away"]
    # A staff block over everyone on shift: Thursday 12:00-13:00 tech-ana's lunch, dr-kim's shift over.
    clinic = tmp_path / "clinic.toml"
    clinic.write_text((DESK / "clinic.toml").read_text() + (
        '\n[[blocks]]\nweekdays = ["thu"]\nhours = "12:00-13:00"\nstaff = ["tech-ana"]\nreason = "lunch"\n'))
    result = CliRunner(env={"NO_COLOR": "1"}).invoke(main, [
        "show", str(DESK / "schedule.toml"), "--clinic", str(clinic), "--date", "2027-03-04", "--today", "2027-03-01",
        "--width", "100"])
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert "12:00-13:00 no staff lunch" in lines and "13:00-17:00 · free 4 h" in lines, lines
