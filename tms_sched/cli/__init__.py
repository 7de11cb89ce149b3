"""The command-line face: parse, call the library, render, pick the exit code.

Each command lives in a module of its own beside this one; this module holds the group,
the shared options, and the one place that turns errors into messages and exit codes.
"""

from __future__ import annotations

import datetime as dt
import os
import traceback
from typing import Any

import click

from .. import __version__
from ..dates import parse_date
from ..errors import EXIT_INTERNAL, Problem, TmsError


def echo_err(text: str) -> None:
    click.echo(text, err=True)


def warn(problems: list[Problem]) -> None:
    for p in problems:
        echo_err(f"warning: {p}")


class TmsGroup(click.Group):
    """A group whose commands report user errors plainly and never show a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TmsError as exc:
            for line in exc.lines():
                echo_err(f"error: {line}")
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            echo_err("interrupted; nothing was written")
            ctx.exit(130)
        except Exception as exc:  # the one place an unexpected failure becomes exit 3
            echo_err(f"internal error: {type(exc).__name__}: {exc}")
            if os.environ.get("TMS_SCHED_DEBUG"):
                traceback.print_exc()
            else:
                echo_err("this is a bug in tms-sched; set TMS_SCHED_DEBUG=1 to see the details and report them")
            ctx.exit(EXIT_INTERNAL)


class DateParam(click.ParamType):
    """ISO date, today, tomorrow or a weekday name, relative to ``--today`` when given."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        today = dt.date.today()
        if ctx is not None and param is not None and param.name != "today":
            pinned = ctx.params.get("today")
            if isinstance(pinned, dt.date):
                today = pinned
        try:
            return parse_date(str(value), today)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DATE = DateParam()

today_option = click.option(
    "--today", type=DATE, default=None, is_eager=True,
    help="Take this date as today (default: the real date); keeps runs reproducible.",
)


@click.group(cls=TmsGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="tms-sched")
def main() -> None:
    """Plan, check, show and export TMS treatment schedules.

    A coordinator describes the clinic (chairs, hours, closures, staff) and the waiting
    patients; `plan` books every course; `check` validates schedules; `show` renders
    them; `export ical` writes calendars; `mark` records attendance.

    Exit codes: 0 success, 1 findings or unplaced patients, 2 bad input or usage,
    3 internal error.
    """


def run() -> None:
    """Console entry point."""
    main(prog_name="tms-sched")


def _register_commands() -> None:
    """Import each command module present; each registers itself on ``main``."""
    import importlib

    for name in ("setup", "plan", "check", "show", "export", "mark"):
        module = f"{__name__}.{name}"
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise


_register_commands()

__all__ = ["main", "run", "DATE", "today_option", "echo_err", "warn"]
