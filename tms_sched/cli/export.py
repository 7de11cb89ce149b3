"""`tms-sched export ical`: the schedule as iCalendar files."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError, Problem, UsageError
from ..text import plural, with_slash
from . import LazyChoice, main, warn

MAX_ALARM_MINUTES = 4 * 7 * 24 * 60


def clinic_and_roster_options(command):
    """The --clinic and --roster options every export reads its schedule with."""
    command = click.option("--roster", "roster_paths", multiple=True, metavar="FILE",
                           help="Roster (TOML or CSV) with patient names, for --include-names; repeatable. "
                           "The clinic file's own [[patients]] are always read.")(command)
    return click.option("--clinic", "clinic_path", required=True, metavar="FILE",
                        help="The clinic file the schedule was planned with.")(command)


@main.group()
def export() -> None:
    """Write calendars: iCalendar files, or a CalDAV server."""


@export.command("ical", short_help="Write iCalendar files by patient, chair, staff or clinic.")
@click.argument("schedule_path", metavar="SCHEDULE")
@clinic_and_roster_options
@click.option("--by", "view", required=True, type=LazyChoice("render.ical:VIEWS"),
              help="One calendar per patient, per chair, per staff member whom appointments name (not "
                   "technicians), or one for the whole clinic.")
@click.option("-o", "--output", "out_dir", required=True, metavar="DIR",
              help="Folder to write the .ics files into (created if missing).")
@click.option("--patient", "patient_ids", multiple=True, metavar="ID",
              help="With --by patient: only this patient's calendar; repeatable.")
@click.option("--include-names", is_flag=True,
              help="Show patients' names from the roster; without it patients appear by id only.")
@click.option("--alarm", "alarms", multiple=True, type=click.IntRange(0, MAX_ALARM_MINUTES), metavar="MINUTES",
              help="Add a reminder this many minutes before each planned appointment; repeatable.")
def ical(schedule_path: str, clinic_path: str, roster_paths: tuple[str, ...], view: str, out_dir: str,
         patient_ids: tuple[str, ...], include_names: bool, alarms: tuple[int, ...]) -> None:
    """Write the schedule as iCalendar (.ics) files that calendar programs import.

    Each appointment becomes an event whose UID comes from the appointment's id, so a
    re-export after a change updates events instead of duplicating them (SEQUENCE is
    the appointment's revision). Cancelled and missed appointments stay in the file
    with STATUS:CANCELLED. Identical input gives byte-identical files.

    Files are named patient-ID.ics, chair-ID.ics, staff-ID.ics or clinic.ics. A file
    already in DIR is replaced only when it is an earlier export for the same clinic.
    """
    from ..render.ical import ExportOptions, calendar_sources, write_calendars

    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"-o {out_dir}: is a file, not a folder; give the folder to write the calendars into")
    if patient_ids and view != "patient":
        raise UsageError(f"--patient chooses patient calendars; use it with --by patient, not --by {view}")
    schedule, clinic, names = load_for_export("ical", "", schedule_path, clinic_path, roster_paths, view,
                                              patient_ids, include_names)

    options = ExportOptions(by=view, patients=patient_ids, names=names, alarms=alarms)  # type: ignore[arg-type]
    files = calendar_sources(schedule, clinic, options)
    if files and not folder.exists():
        try:  # only once there is something to write: a refused export leaves nothing behind
            folder.mkdir(parents=True)
        except OSError as exc:
            raise UsageError(f"-o {out_dir}: cannot create the folder ({exc.strerror})") from None
        click.echo(f"created {with_slash(out_dir)}", err=True)
    paths = write_calendars(out_dir, files, clinic.info.name)
    for path, f in zip(paths, files):
        click.echo(f"{path}: {plural(f.events, 'event')}")
    if not files:
        click.echo(f"nothing to export: {schedule_path} has no patients", err=True)


@export.command("caldav", short_help="Publish the calendars to a CalDAV server, sending only what changed.")
@click.argument("schedule_path", metavar="SCHEDULE")
@clinic_and_roster_options
@click.option("--url", required=True, metavar="URL",
              help="The CalDAV collection to publish below, such as your calendar home "
                   "(https://dav.example.org/USER/); each calendar is a collection inside it.")
@click.option("--by", "view", required=True, type=LazyChoice("render.ical:VIEWS"),
              help="One calendar per patient, per chair, per staff member whom appointments name (not "
                   "technicians), or one for the whole clinic.")
@click.option("--user", metavar="NAME",
              help="The user to sign in as (default: the login of ~/.netrc's entry for the server). The password "
                   "comes from TMS_SCHED_CALDAV_PASSWORD or ~/.netrc, never from the command line.")
@click.option("--include-names", is_flag=True,
              help="Show patients' names from the roster; without it patients appear by id only.")
def caldav(schedule_path: str, clinic_path: str, roster_paths: tuple[str, ...], url: str, view: str,
           user: str | None, include_names: bool) -> None:
    """Publish the schedule to a CalDAV server, one calendar per patient, chair, staff member or clinic.

    Each calendar is a collection below URL named like the file export's (patient-ID,
    chair-ID, staff-ID, clinic), created when missing. Each appointment is one event
    resource named by its id, with the same UID as in the .ics files. Only what changed
    is sent: new events are created, changed ones replaced (guarded by their ETag, so an
    edit made on the server meanwhile stops the publish), and events of this clinic that
    the schedule no longer holds are removed, also from this view's calendars that the
    export no longer has. Anything else on the server is left alone. Publishing again
    after no change sends nothing.

    The password comes from the TMS_SCHED_CALDAV_PASSWORD environment variable or from
    ~/.netrc's entry for the server's host. Prints what it did per calendar and in total.
    """
    from ..publish.caldav import Publisher, total
    from ..publish.dav import DavClient, find_credentials
    from ..render.ical import ExportOptions, calendar_sources
    from . import progress_bar

    schedule, clinic, names = load_for_export("caldav", "--url URL --by VIEW", schedule_path, clinic_path,
                                              roster_paths, view, (), include_names)
    sources = calendar_sources(schedule, clinic, ExportOptions(by=view, names=names))  # type: ignore[arg-type]
    client = DavClient(url, find_credentials(url, user))
    progress, update = progress_bar("publishing")
    try:
        publisher = Publisher(client, clinic.info.name, progress=update)
        if progress is not None:
            with progress:
                tallies = publisher.publish(sources, f"{view}-")
        else:
            tallies = publisher.publish(sources, f"{view}-")
    finally:
        client.close()
    for tally in tallies:
        made = " (new calendar)" if tally.new_calendar else ""
        click.echo(f"{tally.name}{made}: {tally.words()}")
    calendars = len(sources)
    click.echo(f"published {plural(calendars, 'calendar')} to {client.url(client.base_path)}: "
               f"{total(tallies).words()}")


def load_for_export(command: str, rest: str, schedule_path: str, clinic_path: str, roster_paths: tuple[str, ...],
                    view: str, patient_ids: tuple[str, ...], include_names: bool):
    """The schedule, the clinic and the patients' names (with --include-names), every
    refusal of ``export ical`` and ``export caldav`` made once for both."""
    from ..io import load_setup
    from ..io.schedule import load_schedule
    from ..io.validation import suggest
    from ..render.ical import offset_warnings, schedule_problems
    from .inputs import in_the_right_places

    order = ("the schedule comes first, the clinic file after --clinic and rosters after --roster: "
             f"tms-sched export {command} SCHEDULE --clinic CLINIC [--roster ROSTER]...{' ' + rest if rest else ''}")
    places = [(schedule_path, "schedule"), (clinic_path, "clinic"), *((r, "roster") for r in roster_paths)]
    try:
        clinic, roster = load_setup(clinic_path, roster_paths)
    except InputError as exc:
        raise in_the_right_places(exc, places, order) from None
    if view == "staff" and not clinic.staff:
        raise UsageError(f"--by staff: {clinic_path} names no staff, so there are no staff calendars; "
                         "use --by chair or --by clinic")
    try:
        schedule, index = load_schedule(schedule_path)
    except InputError as exc:
        raise in_the_right_places(exc, places, order) from None
    problems = schedule_problems(schedule, clinic, schedule_path, index)
    head = [p for p in problems if p.path in ("schedule.clinic", "schedule.timezone")]
    if any(p.path == "schedule.clinic" for p in head) and len(problems) > len(head):
        # Another clinic's file: its chairs and staff mismatch everywhere; say it once.
        rest_count = len(problems) - len(head)
        problems = head + [Problem(schedule_path, None, message=f"{rest_count} more problem"
                                   f"{'s' if rest_count != 1 else ''} with chairs and staff follow from that; "
                                   "they are not listed")]
    if problems:
        raise InputError(problems)
    warn(offset_warnings(schedule, clinic, schedule_path, index))

    booked = [p.id for p in schedule.patients]
    for pid in patient_ids:
        if pid in booked:
            continue
        unplaced = next((u for u in schedule.unplaced if u.id == pid), None)
        if unplaced is not None:
            raise UsageError(f"--patient {pid}: has no appointments in {schedule_path}; "
                             f"the planner could not place them ({unplaced.reason})")
        known = ", ".join(booked[:10]) + (" ..." if len(booked) > 10 else "") if booked else "none"
        raise UsageError(f"--patient {pid}: no such patient in {schedule_path}{suggest(pid, booked)} "
                         f"(patients: {known})")

    names: dict[str, str] = {}
    if include_names:
        names = {p.id: p.name for p in roster.patients if p.name}
        wanted = patient_ids or tuple(booked)
        nameless = [pid for pid in wanted if pid not in names]
        if nameless:
            shown = ", ".join(nameless[:10]) + (" ..." if len(nameless) > 10 else "")
            click.echo(f"warning: no name in the roster for {shown}; "
                       f"{'it is' if len(nameless) == 1 else 'they are'} exported by id", err=True)
    return schedule, clinic, names
