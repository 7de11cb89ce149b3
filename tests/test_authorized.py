"""authorized_sessions: the planner never books past it; check reports TMS021."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from tms_sched.cli import main
from tms_sched.io.schedule import load_schedule

DESK = Path(__file__).parent / "fixtures" / "desk"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def _roster(tmp_path: Path, r1: int | None, r2: int | None) -> Path:
    text = (DESK / "roster.toml").read_text()
    if r1 is not None:
        text = text.replace('protocol = "standard-10hz"', f'protocol = "standard-10hz"\nauthorized_sessions = {r1}')
    if r2 is not None:
        text = text.replace('protocol = "standard-itbs"', f'protocol = "standard-itbs"\nauthorized_sessions = {r2}')
    path = tmp_path / "roster.toml"
    path.write_text(text)
    return path


def _live_sessions(path: Path, patient: str) -> int:
    schedule, _ = load_schedule(str(path))
    sp = schedule.patient(patient)
    return 0 if sp is None else sum(1 for a in sp.appointments if a.kind != "assessment" and a.live)


def test_a_course_needing_more_than_authorized_is_unplaced_with_the_reason(tmp_path: Path) -> None:
    roster = _roster(tmp_path, 30, 20)
    out = tmp_path / "s.toml"
    result = run("plan", str(DESK / "clinic.toml"), "--roster", str(roster), "--today", "2027-03-01", "-o", str(out))
    assert result.exit_code == 1
    schedule, _ = load_schedule(str(out))
    assert [p.id for p in schedule.patients] == ["R-001"]
    assert [(u.id, u.reason) for u in schedule.unplaced] == [(
        "R-002", "the standard-itbs course needs 30 sessions but 20 are authorized (authorized_sessions); "
        "ask the payer for 10 more or choose a shorter protocol")]
    assert _live_sessions(out, "R-001") == 30
    assert run("check", str(DESK / "clinic.toml"), str(out), "--roster", str(roster)).exit_code == 0


def test_a_make_up_within_the_authorization_is_booked(tmp_path: Path) -> None:
    roster = _roster(tmp_path, 30, None)
    out = tmp_path / "s.toml"
    shutil.copy(DESK / "schedule.toml", out)
    assert run("mark", str(out), "R-001", "2027-03-03", "missed", "--today", "2027-03-04").exit_code == 0
    result = run("plan", str(DESK / "clinic.toml"), "--roster", str(roster), "--today", "2027-03-04",
                 "--schedule", str(out))
    assert result.exit_code == 0, result.stderr
    assert _live_sessions(out, "R-001") == 30


def test_no_make_up_past_the_authorization_and_check_reports_the_excess(tmp_path: Path) -> None:
    roster = _roster(tmp_path, 28, None)
    out = tmp_path / "s.toml"
    shutil.copy(DESK / "schedule.toml", out)
    assert run("mark", str(out), "R-001", "2027-03-03", "missed", "--today", "2027-03-04").exit_code == 0
    assert _live_sessions(out, "R-001") == 29
    checked = run("check", str(DESK / "clinic.toml"), str(out), "--roster", str(roster), "--select", "TMS021")
    assert checked.exit_code == 1
    assert "TMS021 error: R-001 has 29 live sessions (done and planned, make-ups included) but 28 authorized" \
        in checked.stdout
    result = run("plan", str(DESK / "clinic.toml"), "--roster", str(roster), "--today", "2027-03-04",
                 "--schedule", str(out))
    assert "note: R-001: 1 session not booked: 28 authorized (authorized_sessions) are all booked or done" \
        in result.stderr
    assert _live_sessions(out, "R-001") == 29  # the booked ones stay; no make-up is added


def test_explain_tms021() -> None:
    result = run("check", "--explain", "TMS021")
    assert result.exit_code == 0
    assert result.stdout.startswith("## TMS021: live sessions beyond authorized_sessions\n")


def test_csv_roster_reads_phone_and_authorization(tmp_path: Path) -> None:
    from tms_sched.io import load_setup

    path = tmp_path / "r.csv"
    path.write_text("id,protocol,phone,authorized_sessions\nR-9,standard-10hz,555-0199,36\n")
    _, roster = load_setup(str(DESK / "clinic.toml"), [str(path)])
    (patient,) = roster.patients
    assert (patient.phone, patient.authorized_sessions) == ("555-0199", 36)
    path.write_text("id,protocol,authorized_sessions\nR-9,standard-10hz,many\n")
    result = run("check", str(DESK / "clinic.toml"), str(DESK / "schedule.toml"), "--roster", str(path))
    assert result.exit_code == 2
    assert f"{path}:2: authorized_sessions: 'many' is not a whole number of sessions" in result.stderr


def _assessments(path: Path, patient: str) -> dict[str, str]:
    schedule, _ = load_schedule(str(path))
    return {a.name: a.start.isoformat() for a in schedule.patient(patient).appointments
            if a.kind == "assessment" and a.status == "planned"}


def _missed_two(tmp_path: Path, authorized: int) -> tuple[Path, Path]:
    roster = _roster(tmp_path, authorized, None)
    out = tmp_path / "s.toml"
    shutil.copy(DESK / "schedule.toml", out)
    for day in ("2027-03-03", "2027-03-04"):
        assert run("mark", str(out), "R-001", day, "missed", "--today", "2027-03-05").exit_code == 0
    return roster, out


def test_an_authorization_that_cuts_every_make_up_leaves_the_assessments_where_they_belong(tmp_path: Path) -> None:
    roster, out = _missed_two(tmp_path, 28)       # 28 live sessions left: no room for a make-up
    before = _assessments(out, "R-001")
    result = run("plan", str(DESK / "clinic.toml"), "--roster", str(roster), "--today", "2027-03-05",
                 "--schedule", str(out))
    assert result.exit_code == 0, result.stderr
    assert "note: R-001: 2 sessions not booked: 28 authorized (authorized_sessions) are all booked or done" \
        in result.stderr
    assert "0 appointments of 0 patients moved, 0 added" in result.stderr   # nothing to phone about
    assert _live_sessions(out, "R-001") == 28
    # the end-of-course and follow-up still follow the last session the course really has
    assert _assessments(out, "R-001") == before
    checked = run("check", str(DESK / "clinic.toml"), str(out), "--roster", str(roster), "--format", "json")
    import json

    codes = [f["code"] for f in json.loads(checked.stdout)["findings"]]
    assert codes == ["TMS008"], checked.stdout     # sessions 2 and 3 not made up, said as such; no TMS015
    assert "sessions 2, 3 missed, not made up" in checked.stdout


def test_an_authorization_that_cuts_one_of_two_make_ups_books_the_assessments_after_the_one_kept(
        tmp_path: Path) -> None:
    roster, out = _missed_two(tmp_path, 29)       # room for one make-up of the two missed sessions
    result = run("plan", str(DESK / "clinic.toml"), "--roster", str(roster), "--today", "2027-03-05",
                 "--schedule", str(out))
    assert result.exit_code == 0, result.stderr
    assert "note: R-001: 1 session not booked: 29 authorized (authorized_sessions) are all booked or done" \
        in result.stderr
    schedule, _ = load_schedule(str(out))
    sp = schedule.patient("R-001")
    sessions = sorted((a for a in sp.appointments if a.kind != "assessment" and a.live), key=lambda a: a.start)
    assert len(sessions) == 29
    made_up = [a for a in sessions if a.id.endswith("m")]
    assert [a.session for a in made_up] == [2]    # the lower number is made up first
    last = sessions[-1]
    assert last is made_up[0]
    ends = {a.name: a for a in sp.appointments if a.kind == "assessment" and a.status == "planned"}
    assert ends["end-of-course"].start >= last.end
    assert (ends["end-of-course"].start.date() - last.start.date()).days <= 7
    assert 14 <= (ends["follow-up"].start.date() - last.start.date()).days <= 28
    assert "2 appointments of 1 patient moved, 1 added" in result.stderr
    checked = run("check", str(DESK / "clinic.toml"), str(out), "--roster", str(roster), "--format", "json")
    import json

    assert [f["code"] for f in json.loads(checked.stdout)["findings"]] == ["TMS008"], checked.stdout
