"""`tms-sched move` and `tms-sched pin`: the coordinator's hand edits of a schedule."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from ..dates import parse_date, parse_time
from ..errors import UsageError
from . import echo_err, main, today_option
from .edits import located, same_clinic, warn_layout, write_unless_changed, written

if TYPE_CHECKING:  # the library is imported when a command runs, so --help stays quick
    from ..handedit import Edited


def _report(path: str, old_rev: int, edited: Edited) -> None:
    for line in edited.changes:
        echo_err(line)
    written(path, old_rev, edited.schedule.schedule.revision, len(edited.changes))


def _warn_pinned_badly(edited: Edited) -> None:
    """Say each rule a pinned appointment's place breaks: the replan will keep it there."""
    for finding in edited.pinned_badly:
        echo_err(f"warning: {finding.code} {finding.message}")
    for appointment in sorted({f.appointment for f in edited.pinned_badly if f.appointment}):
        echo_err(f"warning: {appointment} is pinned where it cannot take place; the replan keeps it there and "
                 f"`tms-sched check` reports it: move it by hand (tms-sched move) or unpin it (tms-sched pin --unpin)")


def _noted_changed(path: str, edited: Edited) -> bool:
    """Say the edit's notes; when it changed nothing, say the file is left alone and return False."""
    for line in edited.notes:
        echo_err(f"note: {line}")
    if not edited.changed:
        echo_err(f"nothing changed; {path} not written")
        return False
    return True


@main.command(short_help="Pin appointments so that replanning never moves them.")
@click.argument("schedule_path", metavar="SCHEDULE")
@click.argument("appointment_ids", metavar="APPOINTMENT...", nargs=-1, required=True)
@click.option("--unpin", is_flag=True, help="Take the pin off instead: the replan may move them again.")
@click.option("--clinic", "clinic_path", metavar="FILE",
              help="Warn when a pinned appointment cannot take place where it stands (closed, chair down, "
                   "nobody or not its named person on shift), by check's rules against this clinic file.")
@today_option
def pin(schedule_path: str, appointment_ids: tuple[str, ...], unpin: bool, clinic_path: str | None,
        today: dt.date | None) -> None:
    """Pin appointments: times agreed with the patient that replanning never moves.

    APPOINTMENT is an appointment's id (the `id` on its line in the schedule). A pinned
    appointment stays where it is, as history does: `tms-sched plan --schedule` plans
    around it and never moves or cancels it. Only planned appointments take a pin.
    The schedule is updated in place and atomically; its revision goes up by one.
    With --clinic, each pinned appointment is checked where it stands, and a warning
    names every rule its place breaks (the pin is kept; `check` reports it).

    \b
      tms-sched pin schedule.toml P-0001-03 P-0001-04 --clinic clinic.toml
      tms-sched pin schedule.toml P-0001-04 --unpin
    """
    from .. import handedit
    from ..attendance import AttendanceError
    from ..io.common import read_text
    from ..io.lock import schedule_lock
    from ..io.schedule import load_schedule

    today = today or dt.date.today()
    click.get_current_context().with_resource(schedule_lock(schedule_path))  # one writer at a time
    text = read_text(schedule_path)
    schedule, index = load_schedule(schedule_path)
    clinic = None
    if clinic_path is not None:
        from ..io import load_clinic

        clinic, _ = load_clinic(clinic_path)
        same_clinic(clinic_path, clinic, schedule)
    try:
        edited = handedit.set_pins(schedule, appointment_ids, not unpin, today, clinic=clinic, file=schedule_path)
    except AttendanceError as exc:
        raise located(exc, schedule_path, index) from None
    _warn_pinned_badly(edited)
    if not _noted_changed(schedule_path, edited):
        return
    warn_layout(schedule_path, text, schedule)
    write_unless_changed(schedule_path, text, edited.schedule, "edited")
    _report(schedule_path, schedule.schedule.revision, edited)


@main.command()
@click.argument("schedule_path", metavar="SCHEDULE")
@click.argument("appointment_id", metavar="APPOINTMENT")
@click.argument("day_text", metavar="DATE")
@click.argument("time_text", metavar="TIME")
@click.option("--clinic", "clinic_path", metavar="FILE", required=True,
              help="The clinic file the move is checked against (hours, closures, chairs, staff).")
@click.option("--roster", "roster_paths", multiple=True, metavar="FILE",
              help="A roster (TOML or CSV), so the move is checked against the patient's availability "
                   "and window too; repeat for several. [[patients]] in the clinic file count too.")
@click.option("--chair", metavar="ID", help="Move it to this chair too (default: the chair it has).")
@click.option("--staff", metavar="ID", help="Book it with this staff member (default: the one it has).")
@click.option("--pin", "pin_it", is_flag=True, help="Pin it at the new time: replanning never moves it.")
@click.option("--force", is_flag=True,
              help="Write the move even though it breaks rules; `tms-sched check` then reports them.")
@click.option("--dry-run", is_flag=True, help="Say what the move would do and what it breaks; write nothing.")
@today_option
def move(schedule_path: str, appointment_id: str, day_text: str, time_text: str, clinic_path: str,
         roster_paths: tuple[str, ...], chair: str | None, staff: str | None, pin_it: bool, force: bool,
         dry_run: bool, today: dt.date | None) -> None:
    """Move one planned appointment to a new date and time, by hand.

    DATE is an ISO date, today, tomorrow or a weekday name; TIME is the local wall-clock
    start HH:MM in the clinic's time zone. The move is checked with the rules of
    `tms-sched check` against the clinic file (and the rosters, for availability and
    the authorization window); only the findings the move itself causes count. When it
    breaks a rule (an error; warnings are shown and let through) the move is refused (exit 2) and each broken rule is named by its
    code; `--force` writes it anyway. The schedule is updated in place and atomically:
    its revision goes up by one, the appointment takes the new revision and remembers
    its old start (shown by `tms-sched show --view calls`).

    \b
      tms-sched move schedule.toml P-0001-04 2026-12-04 10:00 --clinic clinic.toml
      tms-sched move schedule.toml P-0001-04 friday 10:00 --clinic clinic.toml \\
                     --chair B --pin
    """
    from .. import handedit
    from ..attendance import AttendanceError
    from ..io import load_setup
    from ..io.common import read_text
    from ..io.lock import schedule_lock
    from ..io.schedule import load_schedule

    today = today or dt.date.today()
    try:
        day = parse_date(day_text, today)
    except ValueError as exc:
        raise UsageError(f"DATE: {exc}") from None
    at = parse_time(time_text)
    if at is None:
        raise UsageError(f"TIME '{time_text}' is not a time of day; give it as HH:MM, such as 10:30")
    click.get_current_context().with_resource(schedule_lock(schedule_path))  # one writer at a time
    text = read_text(schedule_path)
    schedule, index = load_schedule(schedule_path)
    clinic, roster = load_setup(clinic_path, roster_paths)
    same_clinic(clinic_path, clinic, schedule)
    info = schedule.schedule
    has_roster = bool(roster_paths) or bool(roster.patients)
    try:
        start = handedit.local_start(schedule, day, at)
        edited = handedit.move_appointment(clinic, schedule, appointment_id, start, today,
                                           roster=roster if has_roster else None, chair=chair, staff=staff,
                                           pin=pin_it, file=schedule_path)
    except AttendanceError as exc:
        raise located(exc, schedule_path, index) from None
    if not _noted_changed(schedule_path, edited):
        return
    if not has_roster:
        echo_err("note: no roster given: the patient's availability and window (TMS004, TMS013) were not checked")
    # warnings (a drifting start time, a chair change) are said but do not block: check passes them too
    errors = [f for f in edited.caused if f.severity == "error"]
    for finding in edited.caused:
        level = "error" if finding in errors and not force else "warning"
        echo_err(f"{level}: {finding.code} {finding.message}")
    _warn_pinned_badly(edited)
    if errors and not force and not dry_run:
        codes = sorted({f.code for f in errors})
        raise UsageError(f"the move breaks {', '.join(codes)}; {schedule_path} not written (choose another "
                         "time, or --force to write it anyway)")
    if dry_run:
        for line in edited.changes:
            echo_err(line)
        echo_err(f"dry run: {schedule_path} not written (it would become revision {edited.schedule.schedule.revision})")
        return
    warn_layout(schedule_path, text, schedule)
    write_unless_changed(schedule_path, text, edited.schedule, "edited")
    _report(schedule_path, info.revision, edited)
