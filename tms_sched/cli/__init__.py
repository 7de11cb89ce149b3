"""The command-line face: parse, call the library, render, pick the exit code.

Each command lives in a module of its own beside this one; this module holds the group,
the shared options, and the one place that turns errors into messages and exit codes.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from typing import Any

import click

from .. import __version__
from ..dates import parse_date
from ..errors import EXIT_BROKEN_PIPE, EXIT_INTERNAL, Problem, TmsError


def echo_err(text: str) -> None:
    click.echo(text, err=True)


def warn(problems: list[Problem]) -> None:
    for p in problems:
        echo_err(f"warning: {p}")


COMMAND_MODULES = ["setup", "plan", "check", "show", "export", "mark", "desk", "capacity"]
"""The modules beside this one that define commands; each registers itself on ``main``.

A module is imported only when one of its commands runs or the command list is shown, so
``tms-sched --help`` and ``tms-sched plan --help`` stay quick. Command modules import the
heavy parts (models, planner, renderers) inside the command body, not at module level.
"""


class TmsGroup(click.Group):
    """A group whose commands report user errors plainly and never show a traceback.

    Commands are loaded on demand from ``COMMAND_MODULES``: first the module named like
    the command, then, when the command is defined elsewhere, all of them.
    """

    def _load(self, module: str) -> None:
        import importlib

        name = f"{__name__}.{module}"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and self is main:
            if cmd_name in COMMAND_MODULES:
                self._load(cmd_name)
            if cmd_name not in self.commands:
                for module in COMMAND_MODULES:
                    self._load(module)
        return self.commands.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        if self is main:
            for module in COMMAND_MODULES:
                self._load(module)
        return sorted(self.commands)

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
        except BrokenPipeError:
            # The reader went away (`| head`): stop as a Unix tool stopped by SIGPIPE
            # would, without a word, and keep the interpreter's last flush quiet too.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(EXIT_BROKEN_PIPE)
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


class LazyChoice(click.Choice):
    """A choice among names a library module defines, imported only when the option is used.

    ``source`` is ``"package.module:NAME"`` relative to ``tms_sched``; ``first`` come before
    the module's names (``auto`` before the finding formats).
    """

    def __init__(self, source: str, first: tuple[str, ...] = (), case_sensitive: bool = True) -> None:
        self._source = source
        self._first = first
        self._choices: tuple[str, ...] | None = None
        self.case_sensitive = case_sensitive

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        if self._choices is None:
            import importlib

            module, name = self._source.split(":")
            self._choices = (*self._first, *getattr(importlib.import_module(f"tms_sched.{module}"), name))
        return self._choices

today_option = click.option(
    "--today", type=DATE, default=None, is_eager=True,
    help="Take this date as today (default: the real date); keeps runs reproducible.",
)


@click.group(cls=TmsGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="tms-sched")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colour in tables and views. auto: in a terminal, unless NO_COLOR is set; FORCE_COLOR=1 "
                   "forces it in a pipe. always and never win over both.")
@click.pass_context
def main(ctx: click.Context, color: str) -> None:
    """Plan, check, show and export TMS treatment schedules.

    A coordinator describes the clinic (chairs, hours, closures, staff) and the waiting
    patients; `plan` books every course; `check` validates schedules; `show` renders
    them; `export ical` writes calendars; `mark` records attendance; `capacity` simulates
    future referrals to show what keeps waits short.

    Exit codes: 0 success, 1 findings or unplaced patients, 2 bad input or usage,
    3 internal error.
    """
    ctx.meta["tms_sched.color"] = color  # read by every console the command makes


def progress_bar(label: str):
    """A progress bar labelled ``label`` on stderr and its callback ``update(done, total)`` when
    stderr is a terminal, else ``(None, None)``. Rich loads only when one is drawn."""
    import sys

    if not sys.stderr.isatty():
        return None, None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..render.console import make_console

    progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=make_console(stderr=True), transient=True)
    task = progress.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    return progress, update


def run() -> None:
    """Console entry point."""
    main(prog_name="tms-sched")


__all__ = ["main", "run", "DATE", "LazyChoice", "today_option", "echo_err", "warn", "COMMAND_MODULES"]
