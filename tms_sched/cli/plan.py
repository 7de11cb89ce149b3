"""`tms-sched plan`: book every course and write the schedule."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import click

from ..dates import parse_time
from ..errors import EXIT_FINDINGS, InputError, OutputError, UsageError
from ..text import plural, shell_line
from . import echo_err, main, progress_bar, today_option, warn

PLAN_ORDER = ("the clinic file comes first, rosters after --roster, and a schedule to replan after --schedule: "
              "tms-sched plan CLINIC [--roster ROSTER]... [--schedule SCHEDULE]")

# The planner's efforts (tms_sched.plan.search.EFFORTS), named here so that help
# loads without the planner.
EFFORTS = ("fast", "normal", "thorough")


class TimeOfDay(click.ParamType):
    name = "time"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        t = parse_time(value)
        if t is None:
            self.fail(f"'{value}' is not a time of day; write it as HH:MM, like 14:30", param, ctx)
        return t.hour * 60 + t.minute


def _keeps_no_history(output: str, clinic_path: str, rosters: tuple[str, ...]) -> None:
    """Refuse to replace, with a fresh plan, a schedule that records what happened."""
    from ..io.schedule import is_schedule_file, load_schedule

    if output == "-" or not is_schedule_file(output):
        return
    redo = shell_line("tms-sched", "plan", clinic_path, *(w for r in rosters for w in ("--roster", r)),
                      "--schedule", output)
    try:
        old, _ = load_schedule(output)
    except InputError:
        raise OutputError(f"{output}: holds a schedule that cannot be read; a fresh plan would replace it. "
                          f"Run tms-sched check on it, or choose another -o") from None
    marked = sum(1 for sp in old.patients for a in sp.appointments if a.status != "planned")
    discharged = sum(1 for sp in old.patients if sp.status == "discharged")
    if not (marked or discharged or old.closures):
        return
    held = [text for n, text in ((marked, f"{plural(marked, 'appointment')} marked done, missed or cancelled"),
                                 (discharged, plural(discharged, "discharged patient")),
                                 (len(old.closures), plural(len(old.closures), "recorded closure"))) if n]
    raise OutputError(f"{output}: already records {', '.join(held)}; a fresh plan would lose them. "
                      f"To keep them and book the roster on top, replan: {redo} "
                      "(to start over, move the file away or choose another -o)")


@main.command()
@click.argument("clinic_path", metavar="CLINIC")
@click.option("--roster", "rosters", multiple=True, metavar="FILE",
              help="A roster file (TOML or CSV); repeat for several. Patients inline in CLINIC count too.")
@click.option("--schedule", "schedule_path", metavar="FILE",
              help="Replan on top of this schedule: history stays, make-ups and new patients are booked, "
                   "planned appointments move only where they must. Written back in place unless -o is given.")
@click.option("-o", "--output", default=None, metavar="FILE",
              help="Where to write the schedule (.toml, .json or .csv by extension); '-' for stdout. "
                   "Default: schedule.toml, or the --schedule file. A schedule there that records attendance, "
                   "discharges or closures is not replaced (replan it with --schedule).")
@click.option("--freeze-days", type=click.IntRange(min=0), default=0, show_default=True, metavar="N",
              help="With --schedule: move nothing, and book nothing new, in the next N days.")
@click.option("--diff", "show_diff", is_flag=True, help="With --schedule: print what changed against it.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="The summary's format.")
@click.option("--now", "now", type=TimeOfDay(), default=None, metavar="HH:MM",
              help="The time of day it is on today: nothing is booked earlier that day. Default: the clinic's "
                   "clock when --today is left out, else the start of the day.")
@click.option("--width", type=click.IntRange(40, 1000), metavar="N",
              help="Columns the summary table fits (default: the terminal's; 100 for a pipe or a file).")
@click.option("--effort", type=click.Choice(EFFORTS), default="normal", show_default=True,
              help="How long the planner searches for a better plan after its first passes, counted in "
                   "courses rebooked (never in time: the same files give the same schedule on any machine). "
                   "fast: the first passes only; thorough: about seven times normal's search. With --schedule "
                   "the search books the patients new to the roster and moves nothing else.")
@today_option
def plan(clinic_path: str, rosters: tuple[str, ...], schedule_path: str | None, output: str | None,
         freeze_days: int, show_diff: bool, fmt: str, now: int | None, width: int | None, effort: str,
         today: dt.date | None) -> None:
    """Book every patient's course and write the schedule.

    Books, for every patient, the mapping session (with a named physician), every
    session of the protocol, and the assessments, on concrete chairs and times,
    honouring opening hours, holidays, closures, downtime, staff, the patient's
    availability and authorization window. Urgent patients go first. A patient that
    cannot be booked is listed under [[unplaced]] with the reason.

    With --schedule, replans on top of an existing schedule: done, missed and
    cancelled appointments stay exactly as they are; missed sessions get make-ups;
    planned appointments move only where they now break a rule, keeping their ids;
    new roster patients are added (see docs/replanning.md).

    Exit code 0 when everyone is placed, 1 when some patient is not (the schedule is
    still written), 2 for bad input.
    """
    # The heavy parts load here, when the command runs, so that --help stays quick.
    from ..io import load_setup
    from ..io.lock import schedule_lock
    from ..io.roster import roster_warnings
    from ..io.schedule import check_schedule_target, load_schedule, render_schedule, write_schedule
    from ..handedit import record_moves
    from ..plan.authorized import plan_within_authorization, replan_within_authorization
    from ..render.console import make_console
    from ..render.plan_summary import diff_lines, summary_data, summary_view
    from .inputs import in_the_right_places, schedule_fits

    real = today is None
    today = today or dt.date.today()
    if (freeze_days or show_diff) and not schedule_path:
        raise UsageError("--freeze-days and --diff need --schedule FILE (the schedule to replan)")
    try:
        clinic, roster = load_setup(clinic_path, rosters)
    except InputError as exc:
        raise in_the_right_places(exc, [(clinic_path, "clinic"), *((r, "roster") for r in rosters)],
                                  PLAN_ORDER) from None
    if now is None and real:
        clock = dt.datetime.now(clinic.zone)
        if clock.date() == today:
            now = clock.hour * 60 + clock.minute
    warn(roster.warnings + roster_warnings(clinic, roster, today))
    output = output or schedule_path or "schedule.toml"
    if output != "-" and Path(output).suffix.lower() not in (".toml", ".json", ".csv") and output != schedule_path:
        raise UsageError(f"-o {output}: a schedule is written as TOML, JSON or CSV; end the file name in "
                         ".toml, .json or .csv")
    if not roster.patients and not schedule_path:
        where = ("the rosters list none" if rosters
                 else f"{clinic_path} has no [[patients]] and no --roster FILE was given")
        echo_err(f"warning: no patients to plan: {where}")
    # One writer at a time: the schedule replanned, and the file written over.
    # one lock per file, however its name is written (schedule.toml and ./schedule.toml)
    files = {os.path.realpath(p): p for p in (schedule_path, output) if p and p != "-" and Path(p).is_file()}
    for held in files.values():
        click.get_current_context().with_resource(schedule_lock(held))
    if output != "-":
        check_schedule_target(output)  # before the planning, not after it
    if not schedule_path:
        _keeps_no_history(output, clinic_path, rosters)
    progress, update = progress_bar("planning")
    moved: list[str] | None = None
    if schedule_path:
        try:
            existing, index = load_schedule(schedule_path)
        except InputError as exc:
            raise in_the_right_places(exc, [(schedule_path, "schedule")], PLAN_ORDER) from None
        schedule_fits(clinic, existing, schedule_path, index,
                      timezone_advice="replan with the clinic file it was planned for",
                      mend_advice="replanning needs every appointment id once and every time in the clinic's "
                      "zone; mend these in the file, then replan (tms-sched check lists every finding)")
        result, notes = replan_within_authorization(clinic, existing, roster.patients, today,
                                                    freeze_days=freeze_days, now_minute=now, effort=effort)
        schedule = record_moves(existing, result.schedule)  # the old times, for the calls list
        for line in notes:
            echo_err(f"note: {line}")
        moved = [f"{m.patient} {m.appointment}" for m in result.moved]
        for pid, appt in result.frozen_invalid:
            went = next((m.new for m in result.moved if m.appointment == appt.id), None)
            if went is None or went.status != "planned":
                where = "it was cancelled"
            else:
                local = went.start.astimezone(clinic.zone)
                where = (f"it moved to {local:%Y-%m-%d %H:%M}" + (f" chair {went.chair}" if went.chair else ""))
            echo_err(f"warning: {pid} {appt.id} on {appt.start.astimezone(clinic.zone):%Y-%m-%d %H:%M} lies in the "
                     f"{freeze_days} frozen days but cannot take place there (a closure, chair downtime or "
                     f"changed hours); {where}")
        for pid, appt in result.pinned_invalid:
            echo_err(f"warning: {pid} {appt.id} on {appt.start.astimezone(clinic.zone):%Y-%m-%d %H:%M} is pinned but "
                     f"cannot take place there (a closure, chair downtime, changed hours, or no staff on shift for it: "
                     f"time away or a staff block); it stays pinned: move it by hand (tms-sched move) or unpin it "
                     f"(tms-sched pin --unpin)")
        if result.unmarked_past:
            before = f"{today} {now // 60:02d}:{now % 60:02d}" if now is not None else str(today)
            n = len(result.unmarked_past)
            echo_err(f"note: {plural(n, 'planned appointment')} before {before} {'is' if n == 1 else 'are'} not "
                     f"marked done or missed yet ({shell_line('tms-sched', 'mark', schedule_path)} --through DATE done)")
        known = {sp.id for sp in existing.patients}
        added = len(result.added) + sum(len(sp.appointments) for sp in schedule.patients if sp.id not in known)
        echo_err(result.moved_summary() + f", {added} added")
        if show_diff:
            for line in diff_lines(existing, schedule, clinic.zone, clinic.protocols):
                click.echo(line, err=output == "-")
    else:
        if progress is not None and (len(roster.patients) > 20 or effort == "thorough"):
            with progress:
                result = plan_within_authorization(clinic, roster.patients, today, progress=update,
                                                   now_minute=now, effort=effort)
        else:
            result = plan_within_authorization(clinic, roster.patients, today, now_minute=now, effort=effort)
        schedule = result.schedule
    if output == "-":
        click.echo(render_schedule(schedule, "toml"), nl=False)
        written = None
    else:
        write_schedule(output, schedule)
        written = output
    data = summary_data(schedule, clinic.zone, written, moved)
    if fmt == "json":
        text = json.dumps(data, indent=2)
        click.echo(text, err=output == "-")
    else:
        console = make_console(width, stderr=output == "-")
        if console.color_system is None:
            # Plain text (a pipe, a file, NO_COLOR): no padding spaces at the ends of lines.
            with console.capture() as captured:
                console.print(summary_view(data, console.width))
            click.echo("\n".join(line.rstrip() for line in captured.get().splitlines()), err=output == "-")
        else:
            console.print(summary_view(data, console.width))
    if schedule.unplaced:
        sys.exit(EXIT_FINDINGS)
