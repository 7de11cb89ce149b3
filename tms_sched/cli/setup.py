"""Commands that describe or start a clinic: protocols, closures, init, schema."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path

import click

from ..errors import OutputError, UsageError
from ..text import shell_line
from . import DATE, LazyChoice, main, today_option


def _library(clinic_path: str | None):
    from ..io import load_clinic
    from ..protocols import merged_raw

    if clinic_path:
        clinic, _ = load_clinic(clinic_path)
        return clinic.protocols, clinic
    from ..model.protocol import Protocol

    raw = merged_raw({})
    return {pid: Protocol.model_validate({**r, "id": pid}) for pid, r in raw.items()}, None


@main.command(short_help="List the protocols with their sources, or show one.")
@click.argument("protocol_id", required=False)
@click.option("--clinic", "clinic_path", metavar="FILE", help="Include the clinic's own protocols and overrides.")
def protocols(protocol_id: str | None, clinic_path: str | None) -> None:
    """List the treatment protocols with their sources, or show one in detail.

    Built-in protocols are defined as data in the same schema a clinic uses for its
    own ([protocols.ID] in the clinic file); with --clinic, the clinic's protocols and
    overrides are included.
    """
    from ..io.validation import suggest
    from ..protocols import builtin_raw
    from ..render.console import make_console, print_trimmed
    from ..render.protocols import protocol_detail, protocol_list

    library, clinic = _library(clinic_path)
    builtin = list(builtin_raw())
    console = make_console()
    if protocol_id is None:
        print_trimmed(console, protocol_list(library, clinic, builtin))
        return
    if protocol_id not in library:
        hint = suggest(protocol_id, library) or f"; known: {', '.join(sorted(library))}"
        raise UsageError(f"unknown protocol '{protocol_id}'{hint}")
    print_trimmed(console, protocol_detail(library[protocol_id], clinic, set(builtin)))


@main.command()
@click.argument("clinic_path", metavar="CLINIC")
@click.option("--from", "start", type=DATE, help="First day to list (default: today).")
@click.option("--to", "end", type=DATE, help="Last day to list (default: the end of the planning horizon).")
@click.option("--schedule", "schedule_path", metavar="FILE",
              help="Also the closures recorded in this schedule (`mark --closed`, `--chair-down`).")
@today_option
def closures(clinic_path: str, start: dt.date | None, end: dt.date | None, schedule_path: str | None,
             today: dt.date | None) -> None:
    """List the days the clinic is closed, with the reason for each.

    Shows what the planner will avoid: public holidays (from the holiday library,
    less keep_open), the clinic's closed dates, date ranges and partial closures,
    weekly [[blocks]], chair downtime, staff time away, and the hour a daylight-saving
    change skips or repeats; with --schedule, the closures recorded in that schedule
    too. Weekdays without opening hours are not listed.
    """
    from rich.table import Table

    from ..calendar import ClinicCalendar, intersect, weekday_key
    from ..io import load_clinic
    from ..render.console import make_console, print_trimmed
    from ..tz import local_datetime, unstable_minutes

    clinic, _ = load_clinic(clinic_path)
    today = today or dt.date.today()
    start = start or today
    end = end or start + dt.timedelta(weeks=clinic.info.horizon_weeks)
    if end < start:
        raise UsageError(f"--to {end} is before --from {start}")
    recorded = []
    if schedule_path:
        from ..io.schedule import load_schedule

        schedule, _ = load_schedule(schedule_path)
        recorded = schedule.closures
    calendar = ClinicCalendar(clinic, recorded)

    def span(window: tuple[int, int]) -> str:
        s, e = window
        return "all day" if (s, e) == (0, 24 * 60) else f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}"

    rows: list[tuple[dt.date, str, str]] = [(day, "clinic", reason) for day, reason in calendar.closed_days(start, end)]
    day = start
    while day <= end:
        # Only days the clinic would open: downtime on a weekend changes nothing.
        if calendar.closed_reason(day) is None:
            for chair in clinic.chairs:
                for window, why in calendar.chair_down(chair.id, day):
                    rows.append((day, f"chair {chair.id} {span(window)}", why))
            for member in clinic.staff:
                if not calendar.staff_member_works(member.id, day):
                    continue
                for window, why in calendar.staff_away(member.id, day):
                    rows.append((day, f"staff {member.id} {span(window)}", why))
            change = unstable_minutes(day, clinic.zone)
            hours = clinic.info.hours.get(weekday_key(day), ())
            if change and intersect(hours, [change]):
                before = local_datetime(day, 0, clinic.zone).utcoffset()
                after = local_datetime(day + dt.timedelta(days=1), 0, clinic.zone).utcoffset()
                assert before is not None and after is not None
                why = ("clocks go forward; the hour does not exist" if after > before
                       else "clocks go back; the hour happens twice")
                rows.append((day, f"clinic {span(change)}", why))
        day += dt.timedelta(days=1)
    console = make_console()
    if not rows:
        console.print(f"No closed days from {start} to {end}.")
        return
    table = Table(title=f"Closed days of {clinic.info.name}, {start} to {end}", title_justify="left")
    for col in ("date", "day", "what", "reason"):
        table.add_column(col)
    for day, what, reason in sorted(rows, key=lambda r: r[0]):  # stable: clinic, then chairs in file order
        table.add_row(day.isoformat(), day.strftime("%a"), what, reason)
    print_trimmed(console, table)


@main.command(short_help="Write a starter clinic and roster into a folder.")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
def init(directory: str) -> None:
    """Write a starter clinic.toml and roster.toml, with their JSON Schemas, into DIRECTORY (never overwrites).

    DIRECTORY (default: the current folder) is created when missing. The command to
    plan the starter clinic is printed next, quoted so that it can be pasted.
    """
    from ..io.common import atomic_write
    from ..schema import json_schema

    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    # The starters name their schemas on their first line (#:schema), so editors check them.
    files = ("clinic.toml", "roster.toml", "clinic.schema.json", "roster.schema.json")
    existing = [f for f in files if (target / f).exists()]
    if existing:
        raise OutputError(f"{target / existing[0]}: already exists; init never overwrites "
                          "(choose an empty directory)")
    for name in files:
        if name.endswith(".schema.json"):
            text = json.dumps(json_schema(name.removesuffix(".schema.json")), indent=2) + "\n"
        else:
            text = resources.files("tms_sched.templates").joinpath(name).read_text(encoding="utf-8")
        atomic_write(target / name, text)
        click.echo(f"wrote {target / name}", err=True)
    click.echo(f"next: {shell_line('tms-sched', 'plan', target / 'clinic.toml', '--roster', target / 'roster.toml')}",
               err=True)


@main.command(short_help="Print the JSON Schema of a clinic, roster or schedule.")
@click.argument("kind", type=LazyChoice("schema:KINDS"))
def schema(kind: str) -> None:
    """Print the JSON Schema of a clinic, roster or schedule file (for editors)."""
    from ..schema import json_schema

    click.echo(json.dumps(json_schema(kind), indent=2, sort_keys=False))
