"""The marks every view shares: a symbol for each status and level, with a colour beside it.

Meaning is always carried by the symbol; colour only repeats it, so a plain terminal, a
printout or a colour-blind reader loses nothing.
"""

from __future__ import annotations

from rich.terminal_theme import TerminalTheme
from rich.text import Text

# Text that steps back (legends, units) yet stays readable: bright black passes WCAG AA
# (4.5:1) on the white of printed views, where "dim" (half the text colour) does not.
MUTED = "bright_black"

STATUS_MARK = {"done": "✓", "missed": "✗", "planned": "○", "cancelled": "–"}
STATUS_STYLE = {"done": "green", "missed": "bold red", "planned": "cyan", "cancelled": MUTED}
KIND_STYLE = {"mapping": "magenta", "treatment": "", "assessment": "yellow"}

# A chair in a stretch of time (week grid, chair timelines).
BOOKED = "█"
DONE = "▓"
PARTLY = "▒"
MISSED = "✗"
FIRST = "▚"  # a mapping (or a course's own first session), planned or done
DOWN = "░"
FREE = "·"
MONITORING = "≈"  # a patient observed in the chair after a session
NO_STAFF = "╱"  # open, but nobody on shift: nothing can be booked
CLOSED = " "
MARK_STYLE = {BOOKED: "cyan", DONE: "green", PARTLY: "cyan", MISSED: "bold red", DOWN: "red", FREE: "green",
              FIRST: "magenta", NO_STAFF: MUTED}

# Utilisation levels of the load heat map: (upper bound in percent, glyph, style). The
# glyph's height carries the level (a low bar is no dot), colour only repeats it.
LEVELS: tuple[tuple[int, str, str], ...] = (
    (0, "·", MUTED),
    (25, "▂", "green"),
    (50, "▄", "yellow"),
    (75, "▆", "dark_orange3"),
    (100, "█", "red"),
)
OVER = ("!", "bold red")


def status_text(status: str) -> Text:
    return Text(f"{STATUS_MARK[status]} {status}", style=STATUS_STYLE[status])


def mark(glyph: str, count: int = 1) -> Text:
    return Text(glyph * count, style=MARK_STYLE.get(glyph, ""))


def level(percent: float) -> tuple[str, str]:
    """Glyph and style of a utilisation in percent."""
    if percent > 100.5:
        return OVER
    for bound, glyph, style in LEVELS:
        if percent <= bound:
            return glyph, style
    return LEVELS[-1][1], LEVELS[-1][2]


def legend(items: list[tuple[str, str, str]], muted: str = MUTED) -> Text:
    """``[(glyph, style, meaning), ...]`` as one line: ``✓ done  ✗ missed ...``."""
    text = Text()
    for i, (glyph, style, meaning) in enumerate(items):
        if i:
            text.append("   ")
        text.append(glyph if glyph.strip() else "(blank)", style=style)
        text.append(f" {meaning}", style=muted)
    return text


def status_legend() -> Text:
    return legend([(STATUS_MARK[s], STATUS_STYLE[s], s) for s in ("done", "missed", "planned", "cancelled")])


# Exported HTML and SVG are read on paper and on white pages: dark enough ANSI colours
# on white, so that cyan and yellow stay legible.
PRINT_THEME = TerminalTheme(
    (255, 255, 255),
    (20, 20, 20),
    [
        (20, 20, 20), (190, 30, 30), (20, 130, 40), (150, 110, 0),
        (30, 70, 180), (150, 40, 150), (0, 120, 140), (200, 200, 200),
    ],
    [
        (100, 100, 100), (220, 50, 50), (40, 160, 60), (180, 140, 0),
        (60, 100, 220), (180, 60, 180), (0, 150, 170), (240, 240, 240),
    ],
)
