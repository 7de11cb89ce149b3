"""`tms-sched check`: validate schedules against the clinic file and rosters."""

from __future__ import annotations

import os

import click

from ..errors import EXIT_FINDINGS, EXIT_OK, InputError, Problem
from . import LazyChoice, echo_err, main


@main.command(short_help="Check schedules against every rule (also in CI).")
@click.argument("clinic_path", metavar="CLINIC", required=False)
@click.argument("schedule_paths", metavar="SCHEDULE...", nargs=-1)
@click.option("--roster", "roster_paths", multiple=True, metavar="FILE",
              help="A roster (TOML or CSV); repeat for several. [[patients]] in the clinic file count too.")
@click.option("--format", "fmt", type=LazyChoice("render.findings:FORMATS", first=("auto",)), default="auto", show_default=True,
              help="auto: github when GITHUB_ACTIONS is set, else text.")
@click.option("--select", metavar="CODES", help="Only these rules: codes or prefixes, comma-separated (TMS001,TMS1).")
@click.option("--ignore", metavar="CODES", help="Skip these rules: codes or prefixes, comma-separated.")
@click.option("--strict", is_flag=True, help="Warnings (TMS1xx) fail the check too.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even with findings (wins over --strict).")
@click.option("--explain", "explain_code", metavar="CODE", help="Print what rule CODE checks, why, and the fix.")
def check(
    clinic_path: str | None,
    schedule_paths: tuple[str, ...],
    roster_paths: tuple[str, ...],
    fmt: str,
    select: str | None,
    ignore: str | None,
    strict: bool,
    exit_zero: bool,
    explain_code: str | None,
) -> None:
    """Check schedules against every rule: chairs, hours, staff, courses, windows.

    Each SCHEDULE is checked on its own against CLINIC and the rosters. Findings name
    code, file, line, patient and appointment; `--explain CODE` describes a rule.

    Exit codes: 0 clean (warnings alone pass unless --strict), 1 findings, 2 bad input
    or usage, 3 internal error.
    """
    from ..check import check as run_check
    from ..check import explain, select_codes
    from ..io import load_setup
    from ..io.schedule import is_schedule_file, load_schedule
    from ..render.console import make_console
    from ..render.findings import render_github, render_json, render_junit, render_sarif, render_text
    from .inputs import in_the_right_places

    if explain_code is not None:
        click.echo(explain(explain_code), nl=False)
        return
    if clinic_path is None or not schedule_paths:
        raise click.UsageError("give the clinic file and at least one schedule: "
                               "tms-sched check CLINIC SCHEDULE... (or --explain CODE)")
    if is_schedule_file(clinic_path) and not any(is_schedule_file(p) for p in schedule_paths):
        raise click.UsageError(f"{clinic_path} is a schedule; the clinic file comes first: "
                               f"tms-sched check {schedule_paths[0]} {clinic_path}")
    codes = select_codes(select, ignore)
    problems: list[Problem] = []
    try:
        clinic, roster = load_setup(clinic_path, roster_paths)
    except InputError as exc:
        problems.extend(exc.problems)
    schedules = []
    for path in schedule_paths:
        try:
            schedule, index = load_schedule(path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        schedules.append((path, schedule, index))
    if problems:
        places = [(clinic_path, "clinic"), *((r, "roster") for r in roster_paths),
                  *((s, "schedule") for s in schedule_paths)]
        raise in_the_right_places(InputError(problems), places,
                                  "the clinic file comes first, then the schedules, and rosters after --roster: "
                                  "tms-sched check CLINIC SCHEDULE... [--roster ROSTER]...")
    has_roster = bool(roster_paths) or bool(roster.patients)
    report = run_check(clinic, schedules, roster if has_roster else None, codes)
    for note in report.notes:
        echo_err(f"note: {note}")
    if not report.ran:
        chosen = " ".join(f"{flag} {value}" for flag, value in (("--select", select), ("--ignore", ignore)) if value)
        why = (f"{chosen} leaves no rule to check" if not codes
               else "every rule selected needs a roster (--roster FILE), so no rule is left to check")
        echo_err(f"warning: {why}; the schedules were not checked against anything "
                 "(tms-sched check --explain CODE describes a rule)")
    if fmt == "auto":
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") else "text"
    if fmt == "text":
        render_text(report, make_console())
    elif fmt == "json":
        click.echo(render_json(report), nl=False)
    elif fmt == "github":
        click.echo(render_github(report), nl=False)
    elif fmt == "junit":
        click.echo(render_junit(report, warnings_fail=strict), nl=False)
    else:
        click.echo(render_sarif(report), nl=False)
    failing = report.count("error") + (report.count("warning") if strict else 0)
    click.get_current_context().exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_OK)
