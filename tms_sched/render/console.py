"""One way to make a rich console for every command: colour only where it is wanted.

Colour follows `--color auto|always|never` (the group's option); with auto, NO_COLOR
turns it off, FORCE_COLOR turns it on, and otherwise a terminal gets colour and a pipe
or a file does not. The width is the terminal's; in a pipe or a file it is COLUMNS when
set, else 100.
"""

from __future__ import annotations

import os
import sys

import click
from rich.console import Console

PIPE_WIDTH = 100
COLOR_CHOICES = ("auto", "always", "never")


def color_choice() -> str:
    """The --color of the running command ("auto" outside one)."""
    ctx = click.get_current_context(silent=True)
    choice = ctx.find_root().meta.get("tms_sched.color", "auto") if ctx is not None else "auto"
    return choice if choice in COLOR_CHOICES else "auto"


def wants_color(stream, choice: str | None = None) -> bool:
    choice = choice or color_choice()
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty()


def pipe_width() -> int:
    """COLUMNS when it holds a sensible number, else PIPE_WIDTH."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        return PIPE_WIDTH
    return columns if 20 <= columns <= 1000 else PIPE_WIDTH


def make_console(width: int | None = None, stderr: bool = False, force_plain: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    color = not force_plain and wants_color(stream)
    return Console(
        file=stream,
        width=width or (None if stream.isatty() else pipe_width()),
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        markup=False,  # user text (ids, names, reasons) is printed as written, never as markup
        emoji=False,
        soft_wrap=False,
    )


def print_trimmed(console: Console, renderable) -> None:
    """Print; in plain text (a pipe, a file, no colour) without the padding at the ends of lines."""
    if console.color_system is not None:
        console.print(renderable)
        return
    with console.capture() as captured:
        console.print(renderable)
    console.file.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
