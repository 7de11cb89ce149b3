"""`tms-sched mark`: record attendance, sign-offs, closures and discharges in a schedule."""

from __future__ import annotations

import datetime as dt
import re
import shlex
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click

from ..dates import parse_date, parse_time
from ..errors import UsageError
from . import DATE, echo_err, main, today_option
from .edits import located, same_clinic, warn_layout, write_unless_changed, written

if TYPE_CHECKING:
    from .. import attendance
    from ..model.clinic import Clinic

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]")
_EXAMPLE = "e.g. `tms-sched mark schedule.toml P-0001 2026-12-02 missed`"


def _parse_bound(text: str, today: dt.date, what: str) -> dt.date | dt.datetime:
    """A date (ISO, today, tomorrow, weekday) or a local datetime YYYY-MM-DDTHH:MM."""
    if _DATETIME.match(text.strip()):
        try:
            value = dt.datetime.fromisoformat(text.strip())
        except ValueError:
            raise UsageError(f"{what} '{text}' is not a date or a local date and time; "
                             "use YYYY-MM-DD (a whole day) or YYYY-MM-DDTHH:MM") from None
        if value.tzinfo is not None:
            raise UsageError(f"{what} '{text}' carries a UTC offset; give the local wall-clock time "
                             "in the schedule's time zone, as YYYY-MM-DDTHH:MM")
        return value
    try:
        return parse_date(text, today)
    except ValueError as exc:
        raise UsageError(f"{what}: {exc}; or a local date and time YYYY-MM-DDTHH:MM") from None


def _chair_down_complete(chair_down: tuple[str, str, str] | None) -> None:
    """--chair-down takes the next three words; an option among them means one was left out."""
    if chair_down is None:
        return
    for i, word in enumerate(chair_down):
        if word.startswith("-"):
            missing = ("CHAIR", "FROM", "TO")[i:]
            raise UsageError(f"--chair-down takes CHAIR FROM TO, and {' and '.join(missing)} "
                             f"{'is' if len(missing) == 1 else 'are'} missing ('{word}' is an option); e.g. "
                             "`tms-sched mark schedule.toml --chair-down C 2026-12-08 2026-12-09` "
                             "(give the same date twice for one day)")


def _one_form(args: tuple[str, ...], through, closed, chair_down, discharge_flag, note, reason) -> str:
    """Which form of `mark` the command line asks for; refuses a mixture."""
    forms = [name for name, given in (("--through", through is not None), ("--closed", closed is not None),
                                      ("--chair-down", chair_down is not None), ("--discharge", discharge_flag))
             if given]
    if len(forms) > 1:
        raise UsageError(f"give one of {', '.join(forms)} at a time")
    form = forms[0] if forms else "appointment"
    if note is not None and form != "appointment":
        raise UsageError(f"--note goes with marking one appointment, not with {form}; "
                         "closures and discharges take --reason")
    if reason is not None and form in ("appointment", "--through"):
        raise UsageError("--reason goes with --closed, --chair-down and --discharge; "
                         "a single appointment takes --note")
    expected = {"--through": 1, "--closed": 0, "--chair-down": 0, "--discharge": 1}
    if form in expected and len(args) != expected[form]:
        shapes = {"--through": "SCHEDULE --through DATE done", "--closed": "SCHEDULE --closed DATE",
                  "--chair-down": "SCHEDULE --chair-down CHAIR FROM TO", "--discharge": "SCHEDULE PATIENT --discharge"}
        extra = f"; unexpected: {' '.join(args)}" if args else ""
        raise UsageError(f"{form} is used as `tms-sched mark {shapes[form]}`{extra}")
    if form == "appointment" and len(args) not in (3, 4):
        raise UsageError("mark one appointment with PATIENT DATE [TIME] done|missed|cancelled, "
                         f"{_EXAMPLE}; see `tms-sched mark --help` for the other forms")
    return form


@main.command(short_help="Record attendance, sign-offs, closures and discharges.")
@click.argument("schedule_path", metavar="SCHEDULE")
@click.argument("args", nargs=-1, metavar="[PATIENT] [DATE [TIME] done|missed|cancelled]")
@click.option("--note", metavar="TEXT", help="Note for the appointment (replaces its note; \"\" removes it).")
@click.option("--through", type=DATE, metavar="DATE",
              help="Sign off: every planned appointment that starts on or before DATE becomes done.")
@click.option("--closed", type=DATE, metavar="DATE",
              help="The clinic closed on DATE: add a closure; the next plan moves the day's planned appointments.")
@click.option("--chair-down", nargs=3, metavar="CHAIR FROM TO",
              help="CHAIR out of service from FROM to TO (dates: whole days, both included; or local "
                   "YYYY-MM-DDTHH:MM): add a closure; the next plan moves the chair's planned appointments then.")
@click.option("--discharge", "discharge_flag", is_flag=True,
              help="End PATIENT's course early: discharged, its planned appointments cancelled, never rebooked.")
@click.option("--reason", metavar="TEXT", help="Why (with --closed, --chair-down, --discharge).")
@click.option("--clinic", "clinic_path", metavar="FILE",
              help="The clinic file: checks that it is the schedule's clinic, knows the --chair-down chair, "
                   "and opens on the --closed day (a day closed anyway is not recorded).")
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
@today_option
def mark(schedule_path: str, args: tuple[str, ...], note: str | None, through: dt.date | None,
         closed: dt.date | None, chair_down: tuple[str, str, str] | None, discharge_flag: bool,
         reason: str | None, clinic_path: str | None, dry_run: bool, today: dt.date | None) -> None:
    """Record what happened: attendance, sign-offs, closures and discharges.

    The schedule is updated in place and atomically (TOML or JSON, by its extension):
    its revision goes up by one, `updated` becomes today, and each appointment whose
    status changes takes the new revision; every other line stays as it was. What
    changed is printed to stderr. Times are local wall-clock times in the schedule's
    time zone. The next `tms-sched plan CLINIC --schedule SCHEDULE` books make-ups
    for missed and cancelled sessions (not for discharged patients).

    \b
    One appointment (TIME, as HH:MM, picks one of several that day):
      tms-sched mark SCHEDULE PATIENT DATE [TIME] done|missed|cancelled
                     [--note TEXT]
      tms-sched mark schedule.toml P-0001 2026-12-02 missed --note "flu"
      tms-sched mark schedule.toml P-0002 2026-12-07 09:50 done
    A status may be corrected (done -> missed); done and missed cannot lie
    after today.

    \b
    Sign off every planned appointment up to a date:
      tms-sched mark SCHEDULE --through DATE done
      tms-sched mark schedule.toml --through yesterday done

    \b
    The clinic closed on a day (the next plan moves its planned appointments):
      tms-sched mark SCHEDULE --closed DATE [--reason TEXT] [--clinic FILE]
      tms-sched mark schedule.toml --closed 2026-12-16 --reason "snow"
    A day the clinic is closed anyway (a Saturday, a holiday) is not recorded.

    \b
    A chair out of service (whole days, both included; or YYYY-MM-DDTHH:MM):
      tms-sched mark SCHEDULE --chair-down CHAIR FROM TO [--reason TEXT]
                     [--clinic FILE]
      tms-sched mark schedule.toml --chair-down C 2026-12-08 2026-12-09
      tms-sched mark schedule.toml --chair-down A 2026-12-08T13:00 \\
                     2026-12-08T18:00
    Without --clinic the chair must appear in the schedule's appointments.

    \b
    End a course early (planned appointments cancelled, never rebooked):
      tms-sched mark SCHEDULE PATIENT --discharge [--reason TEXT]
      tms-sched mark schedule.toml P-0003 --discharge --reason "moved away"

    DATE is an ISO date, today, tomorrow, yesterday or a weekday name (the next one).
    """
    from .. import attendance
    from ..io.common import read_text
    from ..io.lock import schedule_lock
    from ..io.schedule import load_schedule

    today = today or dt.date.today()
    _chair_down_complete(chair_down)
    form = _one_form(args, through, closed, chair_down, discharge_flag, note, reason)
    click.get_current_context().with_resource(schedule_lock(schedule_path))  # one writer at a time
    text = read_text(schedule_path)
    schedule, index = load_schedule(schedule_path)
    clinic = _schedules_clinic(clinic_path, schedule) if clinic_path else None
    chairs = [c.id for c in clinic.chairs] if clinic is not None else None
    if form == "--closed":
        assert closed is not None
        booked = _booked_days(schedule)
        closed_anyway = _closed_anyway(schedule, closed, booked, clinic, clinic_path)
        if closed_anyway:
            echo_err(f"warning: {closed_anyway}; nothing recorded, {schedule_path} not written")
            return
        midnight = dt.datetime.combine(closed, dt.time())
        recorded = any(c.chair is None and c.start_local() <= midnight < c.end_local() for c in schedule.closures)
        if clinic is None and not recorded and closed not in booked:
            echo_err(f"note: nothing is booked on {closed}; give --clinic CLINIC to check that the clinic "
                     "opens that day (a day it is closed anyway, such as a holiday, is not recorded)")
    try:
        if form == "appointment":
            marked = _mark_one(schedule, args, note, today)
        elif form == "--through":
            if args[0] != "done":
                raise UsageError(f"--through signs appointments off as done, not '{args[0]}': "
                                 "`tms-sched mark SCHEDULE --through DATE done`; mark a missed or "
                                 "cancelled appointment on its own")
            assert through is not None
            marked = attendance.sign_off_through(schedule, through, today)
        elif form == "--closed":
            assert closed is not None
            marked = attendance.record_closure(schedule, closed, reason, today)
        elif form == "--chair-down":
            assert chair_down is not None
            chair, first, last = chair_down
            start = _parse_bound(first, today, "FROM")
            end = _parse_bound(last, today, "TO")
            marked = attendance.record_chair_down(schedule, chair, start, end, reason, today, chairs)
        else:
            marked = attendance.discharge(schedule, args[0], reason, today)
    except attendance.AttendanceError as exc:
        raise located(exc, schedule_path, index) from None

    for change in marked.changes:
        echo_err(change.text)
    for line in marked.notes:
        echo_err(f"note: {line}")
    if not marked.changed:
        echo_err(f"nothing changed; {schedule_path} not written")
        return
    old_rev, new_rev = schedule.schedule.revision, marked.schedule.schedule.revision
    warn_layout(schedule_path, text, schedule)
    if marked.rebook:
        echo_err(f"{len(marked.rebook)} appointment{'s' if len(marked.rebook) > 1 else ''} to rebook: "
                 f"run `tms-sched plan CLINIC --schedule {shlex.quote(schedule_path)}` to book make-ups")
    if marked.to_move:
        n = len(marked.to_move)
        echo_err(f"{n} planned appointment{'s' if n > 1 else ''} {'lie' if n > 1 else 'lies'} in that time "
                 f"and {'stay' if n > 1 else 'stays'} planned: the next `tms-sched plan CLINIC --schedule "
                 f"{shlex.quote(schedule_path)}` moves {'them' if n > 1 else 'it'} (the same day on another "
                 "chair or at another time where there is room, else later)")
    if dry_run:
        echo_err(f"dry run: {schedule_path} not written (it would become revision {new_rev})")
        return
    write_unless_changed(schedule_path, text, marked.schedule, "marked")
    written(schedule_path, old_rev, new_rev, len(marked.changes))


def _mark_one(schedule, args: tuple[str, ...], note: str | None, today: dt.date) -> attendance.Marked:
    from .. import attendance

    patient_id, day_text, *rest = args
    status = rest[-1]
    if status not in attendance.MARKS:
        raise UsageError(f"'{status}' is not something to mark; end with done, missed or cancelled, {_EXAMPLE}")
    at = None
    if len(rest) == 2:
        at = parse_time(rest[0])
        if at is None:
            raise UsageError(f"'{rest[0]}' is not a time of day; give TIME as HH:MM, such as 09:50")
    try:
        day = parse_date(day_text, today)
    except ValueError as exc:
        raise UsageError(f"DATE: {exc}") from None
    return attendance.mark_appointment(schedule, patient_id, day, at, status, note, today)


def _schedules_clinic(clinic_path: str, schedule) -> Clinic:
    from ..io import load_clinic

    clinic, _ = load_clinic(clinic_path)
    same_clinic(clinic_path, clinic, schedule)
    return clinic


def _booked_days(schedule) -> set[dt.date]:
    """The local dates on which ``schedule`` has any appointment."""
    zone = ZoneInfo(schedule.schedule.timezone)
    return {a.start.astimezone(zone).date() for sp in schedule.patients for a in sp.appointments}


def _closed_anyway(schedule, day: dt.date, booked: set[dt.date], clinic: Clinic | None,
                   clinic_path: str | None) -> str | None:
    """Why recording ``day`` as closed would add nothing: the clinic does not open then.

    With the clinic file that is its hours, holidays and closures. Without it, a weekday
    on which the schedule books nothing at all (a Saturday of a weekday clinic) tells
    the same. A day with planned appointments is always recorded, so they are cancelled.
    ``booked`` holds the schedule's local dates (:func:`_booked_days`).
    """
    if day in booked:
        return None
    if clinic is not None:
        from ..calendar import ClinicCalendar

        reason = ClinicCalendar(clinic, schedule.closures).closed_reason(day)
        if reason is None:
            return None
        return f"{clinic_path}: the clinic is closed on {day} ({day:%A}) anyway ({reason})"
    if booked and all(d.weekday() != day.weekday() for d in booked):
        return (f"the schedule books nothing on any {day:%A}, so the clinic is closed on {day} anyway, it seems "
                f"(if it does open on {day:%A}s, give --clinic CLINIC to record the closure)")
    return None
