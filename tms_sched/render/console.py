"""One way to make a rich console for every command: plain when not a terminal or NO_COLOR."""

from __future__ import annotations

import os
import sys

from rich.console import Console


def make_console(width: int | None = None, stderr: bool = False, force_plain: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    plain = force_plain or bool(os.environ.get("NO_COLOR")) or not stream.isatty()
    return Console(
        file=stream,
        width=width or (None if stream.isatty() else 100),
        no_color=plain,
        color_system=None if plain else "auto",
        highlight=False,
        markup=False,  # user text (ids, names, reasons) is printed as written, never as markup
        emoji=False,
        soft_wrap=False,
    )
