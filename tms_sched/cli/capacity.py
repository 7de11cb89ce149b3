"""`tms-sched capacity`: what the clinic needs to keep waits short."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from ..errors import EXIT_FINDINGS, UsageError
from . import echo_err, main, progress_bar, today_option, warn

# The library parts load when the command runs, so that help screens start fast.


def _clock(clinic, today: dt.date | None) -> tuple[dt.date, int | None]:
    """Today and the time of day, as `plan` takes them: the clinic's clock unless --today is given."""
    if today is not None:
        return today, None
    clock = dt.datetime.now(clinic.zone)
    return clock.date(), clock.hour * 60 + clock.minute


def _write_html(path: str, text: str) -> None:
    from ..io.common import atomic_write
    from ..render.capacity import check_page_target

    check_page_target(path)
    atomic_write(Path(path), text)
    echo_err(f"wrote {path}")


@main.command(short_help="Simulate referrals: waits, what binds, earliest start.")
@click.argument("clinic_path", metavar="CLINIC")
@click.option("--roster", "rosters", multiple=True, metavar="FILE",
              help="A roster file (TOML or CSV) of patients waiting; repeat for several. They are booked first, "
                   "as plan would, and take their places before the simulated referrals.")
@click.option("--schedule", "schedule_path", metavar="FILE",
              help="Today's schedule: what is booked stays booked; referrals are booked around it. Never written.")
@click.option("--referrals", "referrals", multiple=True, metavar="PROTOCOL=RATE[,...]",
              help="Referrals a week per protocol, e.g. standard-10hz=2.5,accelerated-5x5=0.5; arrivals are a "
                   "random (Poisson) stream at that rate. Repeat or separate by commas.")
@click.option("--weeks", type=click.IntRange(1, 104), default=26, show_default=True, metavar="N",
              help="Weeks of referrals to simulate, booked week by week.")
@click.option("--seed", type=int, default=1, show_default=True, metavar="N",
              help="The first run's seed; the runs use N, N+1, ... The same seed gives the same figures.")
@click.option("--runs", type=click.IntRange(5, 100), default=5, show_default=True, metavar="N",
              help="Runs (seeds) per variant, at least 5: the figures pool them, the text shows their spread.")
@click.option("--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Runs to carry out at once, each in a process of its own; the figures do not change. "
                   "Default: one per processor.")
@click.option("--target-wait", "target", type=click.FloatRange(min=0), default=None, metavar="DAYS",
              help="Name the variant with the fewest added units whose p90 wait is within DAYS business days "
                   "for every protocol, nobody left unplaced (exit 1 when none is).")
@click.option("--next", "next_start", is_flag=True,
              help="Instead: the earliest day, time, chair and staff a new patient of each protocol, free "
                   "whenever the clinic opens, would get from plan --schedule today.")
@click.option("--html", "html_path", metavar="FILE",
              help="Also write the figures and a chart of waits by week and variant to a standalone HTML file "
                   "(no network needed). A file there that this command did not write is not replaced.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text tables, or JSON (docs/capacity.md gives its shape).")
@today_option
def capacity(clinic_path: str, rosters: tuple[str, ...], schedule_path: str | None, referrals: tuple[str, ...],
             weeks: int, seed: int, runs: int, jobs: int | None, target: float | None, next_start: bool, html_path: str | None,
             fmt: str, today: dt.date | None) -> None:
    """Simulate referrals to see what keeps waits short, or find the earliest start.

    Books a random stream of referrals (--referrals, a week) on top of today's schedule,
    week by week with the planner as the clinic would, over several runs. Reports per
    protocol the mean and p90 wait in business days, the patients left unplaced, the
    share of chair time (by capability) and staff time (by role) in use, and the binding
    resource: the one whose extra unit cuts the wait most. It does so for today's clinic
    and for variants of it: one more chair of each kind in use, one more staff member of
    each role, an hour more a day, open on the holidays that close it.

    With --next: for each protocol, the first session a new patient free whenever the
    clinic opens would get, exactly as plan --schedule would book it (nothing written).

    A simulation, not a promise: see docs/capacity.md for the method and its limits.
    Exit code 0, or 1 when --target-wait is met by no variant; 2 for bad input.
    """
    from ..capacity.referrals import parse_rates
    from ..io import load_setup
    from ..io.roster import roster_warnings
    from ..render import capacity as view
    from ..render.console import make_console

    if next_start and (referrals or target is not None or html_path or jobs):
        raise UsageError("--next answers on its own; leave out --referrals, --target-wait, --jobs and --html "
                         "with it")
    if not next_start and not referrals:
        raise UsageError("give --referrals PROTOCOL=RATE[,...] (referrals a week), e.g. "
                         "--referrals standard-10hz=2,accelerated-5x5=0.5; or --next for the earliest start")
    clinic, roster = load_setup(clinic_path, rosters)
    today, now = _clock(clinic, today)
    warn(roster.warnings + roster_warnings(clinic, roster, today))
    schedule = None
    if schedule_path:
        from ..io.schedule import load_schedule
        from .inputs import schedule_fits

        schedule, index = load_schedule(schedule_path)
        schedule_fits(clinic, schedule, schedule_path, index,
                      timezone_advice="give the clinic file it was planned for",
                      mend_advice="every appointment id must be unique and every time in the clinic's zone before "
                      "anything is booked on top; mend these (tms-sched check lists every finding)")
    console = make_console()
    if next_start:
        from ..capacity.earliest import next_starts

        starts = next_starts(clinic, schedule, roster.patients, today, now_minute=now)
        if fmt == "json":
            click.echo(json.dumps(view.next_data(starts), indent=2))
        else:
            console.print(view.next_view(starts))
        return
    from ..capacity.simulate import Setup, default_jobs, simulate

    rates = parse_rates(referrals, list(clinic.protocols))
    if html_path:  # refused before the simulation rather than after it
        view.check_page_target(html_path)
    setup = Setup(clinic, today, schedule, list(roster.patients), now_minute=now)
    progress, update = progress_bar("simulating weeks")
    if progress is not None:
        with progress:
            report = simulate(setup, rates, weeks=weeks, seed=seed, runs=runs, target=target, progress=update,
                              jobs=jobs or default_jobs())
    else:
        report = simulate(setup, rates, weeks=weeks, seed=seed, runs=runs, target=target, jobs=jobs or default_jobs())
    if fmt == "json":
        click.echo(json.dumps(view.report_data(report), indent=2))
    else:
        console.print(view.report_view(report))
    if html_path:
        _write_html(html_path, view.report_html(report, f"Capacity of {clinic.info.name} from {today}"))
    if target is not None and report.recommended is None:
        sys.exit(EXIT_FINDINGS)
