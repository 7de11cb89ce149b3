"""The coordinator's desk keys working together with replanning: the example clinic
with a booking notice, planned, signed off and replanned the way a coordinator would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from tms_sched.cli import main
from tms_sched.io.schedule import load_schedule

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def _clinic(tmp_path: Path, notice: int) -> Path:
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    text = text.replace("[clinic]\n", f"[clinic]\nmin_notice_hours = {notice}\n", 1)
    path = tmp_path / "clinic.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _course_put_on_hold(tmp_path: Path) -> tuple[Path, Path]:
    """A partial closure and a snow day leave the maintenance course no day at its
    spacing: the next replan (from 2026-12-04) puts it on hold."""
    clinic = _clinic(tmp_path, 0)
    text = clinic.read_text(encoding="utf-8").replace(
        "closed = [\n", "closed = [\n  { start = 2026-12-10T13:00:00, end = 2026-12-10T18:30:00, reason = \"drill\" },\n", 1)
    clinic.write_text(text, encoding="utf-8")
    schedule = tmp_path / "schedule.toml"
    run("plan", str(clinic), "--today", "2026-12-01", "-o", str(schedule))
    run("mark", str(schedule), "--through", "2026-12-03", "done", "--today", "2026-12-04")
    run("mark", str(schedule), "--closed", "2026-12-08", "--clinic", str(clinic), "--today", "2026-12-04")
    return clinic, schedule


def test_a_replan_keeps_appointments_booked_inside_the_notice(tmp_path: Path) -> None:
    # Today's and tomorrow's appointments were booked long ago; the notice holds back
    # only what is booked anew, so a replan with nothing to mend moves none of them.
    clinic = _clinic(tmp_path, 48)
    schedule = tmp_path / "schedule.toml"
    assert run("plan", str(clinic), "--today", "2026-11-30", "-o", str(schedule)).exit_code == 0
    assert run("mark", str(schedule), "--through", "2026-12-03", "done", "--today", "2026-12-04").exit_code == 0
    before = {a.id: a.start for sp in load_schedule(str(schedule))[0].patients for a in sp.appointments}
    soon = [i for i, start in before.items() if start.date() == dt.date(2026, 12, 4)]
    assert soon, "the example books appointments on 2026-12-04"
    result = run("plan", str(clinic), "--schedule", str(schedule), "--diff", "--today", "2026-12-04")
    assert result.exit_code == 0, result.output
    assert "0 appointments of 0 patients moved, 0 added" in result.output
    after = {a.id: a.start for sp in load_schedule(str(schedule))[0].patients for a in sp.appointments}
    assert after == before
    checked = run("check", str(clinic), str(schedule))
    assert "error" not in checked.output.splitlines()[-1], checked.output


def test_a_course_on_hold_is_counted_once_as_not_placed(tmp_path: Path) -> None:
    # A partial closure and a snow day leave the maintenance course no day at its
    # spacing: it goes on hold, and the summary counts ten patients, not eleven.
    clinic, schedule = _course_put_on_hold(tmp_path)
    result = run("plan", str(clinic), "--schedule", str(schedule), "--today", "2026-12-04")
    held = [u.id for u in load_schedule(str(schedule))[0].unplaced]
    assert held, result.output
    patients = len(load_schedule(str(schedule))[0].patients)
    assert f"{patients - len(held)} patients placed, {len(held)} not placed" in result.output


def test_a_pinned_appointment_on_a_chair_gone_down_is_named_not_promised_a_move(tmp_path: Path) -> None:
    clinic = _clinic(tmp_path, 0)
    schedule = tmp_path / "schedule.toml"
    run("plan", str(clinic), "--today", "2026-11-30", "-o", str(schedule))
    loaded = load_schedule(str(schedule))[0]
    appt = next(a for sp in loaded.patients for a in sp.appointments
                if a.kind == "treatment" and a.start.date() == dt.date(2026, 12, 15))
    assert run("pin", str(schedule), appt.id).exit_code == 0
    marked = run("mark", str(schedule), "--chair-down", appt.chair, "2026-12-15", "2026-12-15",
                 "--clinic", str(clinic), "--today", "2026-12-10")
    assert marked.exit_code == 0, marked.output
    assert f"({appt.id}) is pinned: the next plan keeps it there" in marked.output
    assert f"({appt.id}) stays planned until the next plan moves it" not in marked.output
    result = run("plan", str(clinic), "--schedule", str(schedule), "--today", "2026-12-10")
    assert f"warning: {next(sp.id for sp in loaded.patients if appt in sp.appointments)} {appt.id} on " \
           f"2026-12-15 {appt.start:%H:%M} is pinned but cannot take place there" in result.output
    after = next(a for sp in load_schedule(str(schedule))[0].patients for a in sp.appointments if a.id == appt.id)
    assert (after.start, after.chair, after.status, after.pinned) == (appt.start, appt.chair, "planned", True)


def test_a_replan_that_changes_only_the_chair_is_a_move_on_the_calls_list(tmp_path: Path) -> None:
    # A chair down moves its appointments to another chair at the very same time: the
    # patient's session was not added, it moved, and the calls list says so.
    clinic = _clinic(tmp_path, 0)
    schedule = tmp_path / "schedule.toml"
    run("plan", str(clinic), "--today", "2026-11-30", "-o", str(schedule))
    before = load_schedule(str(schedule))[0]
    day = [(sp.id, a) for sp in before.patients for a in sp.appointments
           if a.kind == "treatment" and a.start.date() == dt.date(2026, 12, 15) and a.chair == "A"]
    assert day
    run("mark", str(schedule), "--chair-down", "A", "2026-12-15", "2026-12-15", "--clinic", str(clinic),
        "--today", "2026-12-10")
    assert run("plan", str(clinic), "--schedule", str(schedule), "--today", "2026-12-10").exit_code == 0
    after = {a.id: a for _, a in load_schedule(str(schedule))[0].appointments()}
    same_time = [(pid, a) for pid, a in day if after[a.id].start == a.start and after[a.id].chair != "A"]
    assert same_time, "some appointment kept its time on another chair"
    calls = run("show", str(schedule), "--clinic", str(clinic), "--view", "calls", "--since-revision", "2",
                "--today", "2026-12-10", "--width", "100")
    assert calls.exit_code == 0, calls.output
    text = calls.output
    for pid, a in same_time:
        block = text.split(pid + "\n", 1)[1].split("\n\n", 1)[0]
        line = next(ln for ln in block.splitlines() if f"treatment {a.session} " in ln + " ")
        assert line.split()[0] == "moved", line
    assert " 0 moved" not in text.splitlines()[-1]


def test_the_waitlist_lists_a_course_on_hold_only_as_not_placed(tmp_path: Path) -> None:
    clinic, schedule = _course_put_on_hold(tmp_path)
    run("plan", str(clinic), "--schedule", str(schedule), "--today", "2026-12-04")
    loaded = load_schedule(str(schedule))[0]
    held = {u.id for u in loaded.unplaced}
    assert held
    shown = run("show", str(schedule), "--clinic", str(clinic), "--view", "waitlist", "--today", "2026-12-04",
                "--width", "100")
    assert shown.exit_code == 0, shown.output
    placed = shown.output.split("Placed (", 1)[1]
    assert placed.startswith(f"{len(loaded.patients) - len(held)})")
    for pid in held:
        assert f"\n{pid} " not in placed


def test_plan_writing_over_its_schedule_by_another_name_takes_one_lock(tmp_path: Path, monkeypatch) -> None:
    clinic = _clinic(tmp_path, 0)
    run("plan", str(clinic), "--today", "2026-11-30", "-o", str(tmp_path / "schedule.toml"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("tms_sched.io.lock.WAIT_SECONDS", 0.5)
    result = run("plan", str(clinic), "--schedule", "schedule.toml", "-o", "./schedule.toml", "--today", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert "another command" not in result.output
