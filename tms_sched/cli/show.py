"""`tms-sched show`: a schedule as the views a coordinator reads every morning."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from typing import TYPE_CHECKING

import click

from ..errors import InputError, UsageError
from . import DATE, LazyChoice, echo_err, main, today_option

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ..render.views import ScheduleFacts

LOAD_WEEKS = 4
"""The load view's range when only --date is given: this many calendar weeks."""
EXPORT_WIDTH = 100


@main.command(short_help="Show a schedule: agenda, week, patient, chairs or load.")
@click.argument("schedule_path", metavar="SCHEDULE")
@click.option("--clinic", "clinic_path", required=True, metavar="CLINIC",
              help="The clinic file the schedule was planned for.")
@click.option("--view", type=LazyChoice("render.views:VIEWS"), default="agenda", show_default=True, help="What to show.")
@click.option("--date", "day", type=DATE,
              help="The day (agenda, chairs), a day of the week (week) or the first day (load); default: today.")
@click.option("--to", "until", type=DATE,
              help=f"Last day of a range (agenda; load, which otherwise shows {LOAD_WEEKS} weeks).")
@today_option
@click.option("--patient", metavar="ID", help="The course to show (patient view); with agenda, only this patient.")
@click.option("--chair", metavar="ID", help="Only this chair (agenda, week, chairs, load); default: all chairs.")
@click.option("--width", type=click.IntRange(40, 1000), metavar="N",
              help=f"Columns to fit (default: the terminal's; {EXPORT_WIDTH} for a pipe or a file).")
@click.option("--roster", "roster_paths", multiple=True, metavar="FILE",
              help="A roster (TOML or CSV) for names, phones, authorizations and waits; repeat for several. "
                   "[[patients]] in the clinic file count too.")
@click.option("--include-names", is_flag=True,
              help="Show the roster's names (and phones, on the calls view) beside the ids; ids only by default.")
@click.option("--staff", metavar="ID", help="Only this staff member (staff view).")
@click.option("--since-revision", type=click.IntRange(0), metavar="N",
              help="The calls view: what changed after schedule revision N (default: the revision before this one).")
@click.option("--html", "html_path", metavar="FILE", help="Write the view to a standalone HTML file instead (A4 print layout, works offline). "
                   "Replaces only a view tms-sched show wrote, never another file.")
@click.option("--svg", "svg_path", metavar="FILE", help="Write the view to a standalone SVG image instead (local fonts, works offline). "
                   "Replaces only a view tms-sched show wrote, never another file.")
def show(schedule_path: str, clinic_path: str, view: str, day: dt.date | None, until: dt.date | None,
         today: dt.date | None, patient: str | None, chair: str | None, width: int | None,
         roster_paths: tuple[str, ...], include_names: bool, staff: str | None, since_revision: int | None,
         html_path: str | None, svg_path: str | None) -> None:
    """Show a schedule: the day's agenda, a week grid, one course, chair timelines, load.

    \b
    agenda   a day (or --date .. --to) in time order: chair, patient,
             session n of N, status, and the gaps with nothing under way
    week     half-hour rows by weekday, a mark per chair: free capacity
             at a glance (--chair: the patients on one chair)
    patient  one course (--patient): progress, first session, sessions by
             week, assessments and the follow-up window, projected end
    chairs   one day, a timeline bar per chair, and who sits where
    load     chair utilisation by day and hour as a heat map (--date .. --to)
    staff    each staff member's day (--staff ID for one): shift, time
             away, the appointments booked with them
    calls    what changed since --since-revision N (cancelled, moved with
             old and new time, added), by patient: the list to phone from
    authorizations
             per patient: authorized, done, planned, remaining, deadline,
             warnings (deadline within 14 days, sessions past the count)
    waitlist the unplaced with their reasons, and each placed patient's wait

    Patients show as ids; --roster with --include-names adds names (and
    phones on the calls and patient views).

    Times are the clinic's local wall-clock times. Colour only repeats what the symbols
    say; NO_COLOR or a pipe gives plain text. --html and --svg write the same view as a
    file to print or post.
    """
    from ..calendar import ClinicCalendar
    from ..io import load_setup
    from ..io.schedule import load_schedule
    from ..render.console import make_console
    from ..render.views import ScheduleFacts
    from .inputs import in_the_right_places

    try:
        clinic, roster = load_setup(clinic_path, roster_paths)
        schedule, _ = load_schedule(schedule_path)
    except InputError as exc:
        raise in_the_right_places(exc, [(clinic_path, "clinic"), (schedule_path, "schedule")],
                                  "the schedule comes first and the clinic file after --clinic: "
                                  "tms-sched show SCHEDULE --clinic CLINIC") from None
    if include_names and not roster.patients:
        raise UsageError("--include-names takes the names from a roster; give --roster FILE (or [[patients]] "
                         "in the clinic file)")
    info = schedule.schedule
    if info.clinic != clinic.info.name:
        echo_err(f"warning: {schedule_path} was planned for '{info.clinic}', "
                 f"not for '{clinic.info.name}' ({clinic_path})")
    if info.timezone != clinic.info.timezone:
        echo_err(f"warning: {schedule_path} is in {info.timezone} but {clinic_path} is in "
                 f"{clinic.info.timezone}; showing {clinic.info.timezone} wall-clock times")
    facts = ScheduleFacts(schedule, clinic, ClinicCalendar(clinic, schedule.closures), today or dt.date.today(),
                          roster=roster.patients, include_names=include_names)
    if view in ("authorizations",) and not roster.patients:
        raise UsageError("the authorizations view reads authorized_sessions and deadline from the roster; "
                         "give --roster FILE")
    export = bool(html_path or svg_path)
    console = make_console(width)
    # Lay the view out for the columns it will get: the terminal's, unless --width or a file says.
    columns = (width or EXPORT_WIDTH) if export else console.width
    renderable = _view(facts, schedule_path, view, day, until, patient, chair, columns, staff, since_revision)
    if renderable is None:
        click.echo(f"{schedule_path} has no appointments to show.")
        return
    if export:
        _export(renderable, columns, html_path, svg_path, f"tms-sched show --view {view}: {clinic.info.name}")
        return
    if console.color_system is None:
        # Plain text (a pipe, a file, NO_COLOR): no padding spaces at the ends of lines.
        with console.capture() as captured:
            console.print(renderable)
        click.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))
    else:
        console.print(renderable)


def _view(facts: ScheduleFacts, source: str, view: str, day: dt.date | None, until: dt.date | None,
          patient: str | None, chair: str | None, width: int, staff: str | None = None,
          since_revision: int | None = None) -> RenderableType | None:
    """Check the arguments against the schedule, then build the view."""
    from ..io.validation import suggest
    from ..render.views import (agenda_view, authorizations_view, calls_view, chairs_view, load_view, patient_view,
                                staff_view, waitlist_view, week_view)

    if staff is not None:
        ids = [m.id for m in facts.clinic.staff]
        if staff not in ids:
            listing = ", ".join(ids) if ids else "none"
            raise UsageError(f"unknown staff member '{staff}' (the clinic's staff: {listing}){suggest(staff, ids)}")
    if view == "calls":
        current = facts.schedule.schedule.revision
        since = current - 1 if since_revision is None else since_revision
        if since > current:
            raise UsageError(f"--since-revision {since} is after the schedule's revision {current}")
        return calls_view(facts, max(since, 0), width=width)
    if view == "authorizations":
        return authorizations_view(facts, width=width)
    if view == "waitlist":
        return waitlist_view(facts, width=width)

    known = sorted({*facts.patients, *(u.id for u in facts.schedule.unplaced)})
    if patient is not None and patient not in known:
        has = f"it has {len(known)}: {_some(known)}" if known else "it has no patients"
        raise UsageError(f"unknown patient '{patient}' in {source} ({has}){suggest(patient, known)}")
    chairs = facts.chair_ids()
    if chair is not None and chair not in chairs:
        raise UsageError(f"unknown chair '{chair}' (the clinic's chairs are {', '.join(chairs)})"
                         f"{suggest(chair, chairs)}")
    if view == "patient":
        if patient is None:
            example = known[0] if known else "P-0001"
            raise UsageError(f"the patient view shows one course; name it with --patient (e.g. --patient {example})")
        return patient_view(facts, patient, width=width)
    if facts.first_day is None or facts.last_day is None:
        return None
    start = day or facts.today
    if until is not None and until < start:
        raise UsageError(f"--to {until} is before --date {start}; give the earlier day first")
    if view == "week":
        start = start - dt.timedelta(days=start.weekday())
        end = start + dt.timedelta(days=6)
    elif view == "load":
        if until is None:
            start = start - dt.timedelta(days=start.weekday())
        end = until or start + dt.timedelta(weeks=LOAD_WEEKS, days=-1)
    elif view == "agenda":
        end = until or start
    else:
        end = start
        if until is not None:
            raise UsageError(f"the {view} view shows one day; give --date without --to (or use --view load)")
    if day is None and end < facts.first_day:
        # Planned ahead of time: nothing yet around today, so open the schedule's first day.
        click.echo(f"note: {source} begins on {facts.first_day}, after today ({facts.today}); showing that "
                   "day (--date picks another)", err=True)
        return _view(facts, source, view, facts.first_day, until, patient, chair, width)
    if end < facts.first_day or start > facts.last_day:
        asked = f"{start}" if start == end else f"{start} to {end}"
        if view == "week":
            asked = f"the week of {start}"
        if day is None:
            asked = f"today ({facts.today})" if view in ("agenda", "chairs", "staff") else f"{asked} (around today)"
        raise UsageError(f"{asked} is outside the schedule {source}, which runs from {facts.first_day} "
                         f"to {facts.last_day}; give a --date in that range")
    if view == "week":
        return week_view(facts, start, chair=chair, width=width)
    if view == "load":
        return load_view(facts, start, end, chair=chair, width=width)
    if view == "chairs":
        return chairs_view(facts, start, chair=chair, width=width)
    if view == "staff":
        return staff_view(facts, start, staff=staff, width=width)
    return agenda_view(facts, start, end, chair=chair, patient=patient, width=width)


def _some(ids: list[str], n: int = 8) -> str:
    return ", ".join(ids[:n]) + (f" and {len(ids) - n} more" if len(ids) > n else "")


def _export(renderable: RenderableType, width: int, html_path: str | None, svg_path: str | None, title: str) -> None:
    """Write the view as it would look in a colour terminal of ``width`` columns."""
    from rich.console import Console

    from ..io.common import atomic_write
    from ..render.viewfile import check_view_target, html_page, svg_format
    from ..render.views.marks import PRINT_THEME

    if html_path and svg_path and Path(html_path).resolve() == Path(svg_path).resolve():
        raise UsageError(f"--html and --svg name the same file {html_path}; give each its own")
    for path, option in ((html_path, "--html"), (svg_path, "--svg")):
        if path:
            check_view_target(path, option)
    for path, kind in ((html_path, "html"), (svg_path, "svg")):
        if not path:
            continue
        console = Console(record=True, file=io.StringIO(), width=width, force_terminal=True,
                          color_system="truecolor", highlight=False, markup=False, emoji=False, soft_wrap=False)
        console.print(renderable)
        if kind == "html":
            text = console.export_html(theme=PRINT_THEME, code_format=html_page(title, width), inline_styles=False)
        else:
            text = console.export_svg(title=title, theme=PRINT_THEME, code_format=svg_format())
        atomic_write(Path(path), text)
        echo_err(f"wrote {path}")
