"""`tms-sched plan`: book every course and write the schedule."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

from ..errors import EXIT_FINDINGS
from ..io import load_setup
from ..io.roster import roster_warnings
from ..io.schedule import render_schedule, schedule_format, write_schedule
from ..plan.planner import plan_schedule
from ..render.console import make_console
from ..render.plan_summary import summary_data, summary_view
from . import main, today_option, warn


def _progress_bar():
    """A progress callback drawing on stderr when it is a terminal, else None."""
    if not sys.stderr.isatty():
        return None, None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn("planning"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=make_console(stderr=True), transient=True)
    task = progress.add_task("plan", total=None)

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    return progress, update


@main.command()
@click.argument("clinic_path", metavar="CLINIC")
@click.option("--roster", "rosters", multiple=True, metavar="FILE",
              help="A roster file (TOML or CSV); repeat for several. Patients inline in CLINIC count too.")
@click.option("-o", "--output", default="schedule.toml", show_default=True, metavar="FILE",
              help="Where to write the schedule (.toml, .json or .csv by extension); '-' for stdout.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="The summary's format.")
@today_option
def plan(clinic_path: str, rosters: tuple[str, ...], output: str, fmt: str, today: dt.date | None) -> None:
    """Book every patient's course and write the schedule.

    Books, for every patient, the mapping session (with a named physician), every
    session of the protocol, and the assessments, on concrete chairs and times,
    honouring opening hours, holidays, closures, downtime, staff, the patient's
    availability and authorization window. Urgent patients go first. A patient that
    cannot be booked is listed under [[unplaced]] with the reason.

    Exit code 0 when everyone is placed, 1 when some patient is not (the schedule is
    still written), 2 for bad input.
    """
    today = today or dt.date.today()
    clinic, roster = load_setup(clinic_path, rosters)
    warn(roster.warnings + roster_warnings(clinic, roster, today))
    progress, update = _progress_bar()
    if progress is not None and len(roster.patients) > 20:
        with progress:
            result = plan_schedule(clinic, roster.patients, today, progress=update)
    else:
        result = plan_schedule(clinic, roster.patients, today)
    schedule = result.schedule
    if output == "-":
        click.echo(render_schedule(schedule, "toml"), nl=False)
        written = None
    else:
        write_schedule(output, schedule)
        written = output
    data = summary_data(schedule, clinic.zone, written)
    if fmt == "json":
        text = json.dumps(data, indent=2)
        click.echo(text, err=output == "-")
    else:
        console = make_console(stderr=output == "-")
        console.print(summary_view(data))
    if schedule.unplaced:
        sys.exit(EXIT_FINDINGS)
