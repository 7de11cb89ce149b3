"""Commands that describe or start a clinic: protocols, closures, init, schema."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path

import click

from ..calendar import ClinicCalendar
from ..errors import OutputError, UsageError
from ..io import load_clinic
from ..io.common import atomic_write
from ..io.validation import suggest
from ..protocols import builtin_raw, merged_raw
from ..render.console import make_console
from ..render.protocols import protocol_detail, protocol_table
from ..schema import KINDS, json_schema
from . import DATE, main, today_option


def _library(clinic_path: str | None):
    if clinic_path:
        clinic, _ = load_clinic(clinic_path)
        return clinic.protocols, clinic
    from ..model.protocol import Protocol

    raw = merged_raw({})
    return {pid: Protocol.model_validate({**r, "id": pid}) for pid, r in raw.items()}, None


@main.command()
@click.argument("protocol_id", required=False)
@click.option("--clinic", "clinic_path", metavar="FILE", help="Include the clinic's own protocols and overrides.")
def protocols(protocol_id: str | None, clinic_path: str | None) -> None:
    """List the treatment protocols with their sources, or show one in detail.

    Built-in protocols are defined as data in the same schema a clinic uses for its
    own ([protocols.ID] in the clinic file); with --clinic, the clinic's protocols and
    overrides are included.
    """
    library, clinic = _library(clinic_path)
    builtin = set(builtin_raw())
    console = make_console()
    if protocol_id is None:
        console.print(protocol_table(library, clinic, builtin))
        return
    if protocol_id not in library:
        raise UsageError(f"unknown protocol '{protocol_id}'{suggest(protocol_id, library)}; "
                         f"known: {', '.join(sorted(library))}")
    console.print(protocol_detail(library[protocol_id], clinic, builtin))


@main.command()
@click.argument("clinic_path", metavar="CLINIC")
@click.option("--from", "start", type=DATE, help="First day to list (default: today).")
@click.option("--to", "end", type=DATE, help="Last day to list (default: the end of the planning horizon).")
@today_option
def closures(clinic_path: str, start: dt.date | None, end: dt.date | None, today: dt.date | None) -> None:
    """List the days the clinic is closed, with the reason for each.

    Shows public holidays (from the holiday library, less keep_open), the clinic's
    closed dates and partial closures, and chair downtime, so a coordinator sees what
    the planner will avoid. Weekdays without opening hours are not listed.
    """
    clinic, _ = load_clinic(clinic_path)
    today = today or dt.date.today()
    start = start or today
    end = end or start + dt.timedelta(weeks=clinic.info.horizon_weeks)
    if end < start:
        raise UsageError(f"--to {end} is before --from {start}")
    calendar = ClinicCalendar(clinic)
    from rich.table import Table

    table = Table(title=f"Closed days of {clinic.info.name}, {start} to {end}", title_justify="left")
    for col in ("date", "day", "what", "reason"):
        table.add_column(col)
    rows = 0
    for day, reason in calendar.closed_days(start, end):
        table.add_row(day.isoformat(), day.strftime("%a"), "clinic", reason)
        rows += 1
    day = start
    while day <= end:
        for chair in clinic.chairs:
            for (s, e), why in calendar.chair_down(chair.id, day):
                span = f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}"
                table.add_row(day.isoformat(), day.strftime("%a"), f"chair {chair.id} {span}", why)
                rows += 1
        day += dt.timedelta(days=1)
    console = make_console()
    if rows:
        console.print(table)
    else:
        console.print(f"No closed days from {start} to {end}.")


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
def init(directory: str) -> None:
    """Write a starter clinic.toml and roster.toml into DIRECTORY (never overwrites)."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    files = ("clinic.toml", "roster.toml")
    existing = [f for f in files if (target / f).exists()]
    if existing:
        raise OutputError(f"{target / existing[0]}: already exists; init never overwrites "
                          "(choose an empty directory)")
    for name in files:
        text = resources.files("tms_sched.templates").joinpath(name).read_text(encoding="utf-8")
        atomic_write(target / name, text)
        click.echo(f"wrote {target / name}", err=True)
    click.echo(f"next: tms-sched plan {target / 'clinic.toml'} --roster {target / 'roster.toml'}", err=True)


@main.command()
@click.argument("kind", type=click.Choice(KINDS))
def schema(kind: str) -> None:
    """Print the JSON Schema of a clinic, roster or schedule file (for editors)."""
    click.echo(json.dumps(json_schema(kind), indent=2, sort_keys=False))
