"""Views written as files (HTML, SVG): self-contained pages, and the rule about what they replace.

A view file needs no network to display: no web fonts, no scripts, no external style
sheets (a clinic's machine may be offline, and opening a schedule must not tell a
third party about it). Each file carries a mark saying `tms-sched show` wrote it; a
file without that mark is never replaced, the same rule `plan -o` keeps for schedules.
"""

from __future__ import annotations

import html
from pathlib import Path

from ..io.common import refuse_to_replace

HTML_MARK = '<meta name="generator" content="tms-sched show">'
SVG_MARK = "<!-- A view written by tms-sched show; it may be replaced by the next one. -->"
MONOSPACE = "'DejaVu Sans Mono', 'Liberation Mono', Menlo, Consolas, 'Courier New', monospace"

# A4 is 210 x 297 mm; with 12 mm margins a line may be 186 mm (portrait) or 273 mm
# (landscape) wide. A monospace character is about 0.6 em wide.
_PT_PER_MM = 72 / 25.4
_PORTRAIT_PT = 186 * _PT_PER_MM
_LANDSCAPE_PT = 273 * _PT_PER_MM
_MAX_PRINT_PT = 10.0


def print_layout(columns: int) -> tuple[str, float]:
    """The A4 orientation and font size (pt) at which ``columns`` characters fit a line.

    Portrait while the text stays at 8 pt or larger, else landscape."""
    portrait = _PORTRAIT_PT / (0.6 * columns)
    if portrait >= 8:
        return "portrait", round(min(_MAX_PRINT_PT, portrait), 1)
    return "landscape", round(min(_MAX_PRINT_PT, _LANDSCAPE_PT / (0.6 * columns)), 1)


def html_page(title: str, columns: int) -> str:
    """The page rich's HTML export fills in (``{stylesheet}``, ``{foreground}``,
    ``{background}``, ``{code}``); a print style sheet lays it out on A4."""
    orientation, points = print_layout(columns)
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
{HTML_MARK}
<title>{html.escape(title)}</title>
<style>
{{stylesheet}}
body {{{{ color: {{foreground}}; background-color: {{background}}; margin: 2em; }}}}
pre {{{{ font-family: {MONOSPACE}; font-size: 13px; line-height: 1.1; }}}}
@page {{{{ size: A4 {orientation}; margin: 12mm; }}}}
@media print {{{{
  body {{{{ margin: 0; background-color: #ffffff; }}}}
  pre {{{{ font-size: {points}pt; line-height: 1.15; white-space: pre; overflow: visible; }}}}
  * {{{{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}}}
}}}}
</style>
</head>
<body>
<pre><code>{{code}}</code></pre>
</body>
</html>
"""
    return page


def svg_format() -> str:
    """rich's SVG template without its web fonts: the local monospace fonts draw it (each
    text run carries its width, so the columns stay aligned whatever the font)."""
    from rich._export_format import CONSOLE_SVG_FORMAT

    head, rest = CONSOLE_SVG_FORMAT.split("<style>", 1)
    _, tail = rest.split("    .{unique_id}-matrix", 1)
    head = head.replace("<!-- Generated with Rich https://www.textualize.io -->", SVG_MARK)
    tail = tail.replace("font-family: Fira Code, monospace;", f"font-family: {MONOSPACE};")
    tail = tail.replace("font-family: arial;", "font-family: Arial, 'Liberation Sans', sans-serif;")
    text = head + "<style>\n\n    .{unique_id}-matrix" + tail
    if SVG_MARK not in text or "url(\"http" in text:  # a rich release changed its template
        raise RuntimeError("the SVG template of this rich version is not the one tms-sched adapts")
    return text


def is_view_file(path: str | Path) -> bool:
    """True when ``path`` holds an HTML or SVG view that `tms-sched show` wrote."""
    try:
        with open(path, encoding="utf-8") as f:
            head = f.read(4096)
    except (OSError, UnicodeDecodeError):
        return False
    return HTML_MARK in head or SVG_MARK in head


def check_view_target(path: str, option: str) -> None:
    """Refuse to write a view over anything but a view (a schedule, a clinic file, a photo)."""
    refuse_to_replace(path, is_view_file,
                      folder=f"{path}: is a directory; give {option} a file name such as agenda.{option[2:]}",
                      foreign=f"{path}: exists and is not a view written by tms-sched show; refusing to replace "
                              f"it (choose another {option} file, or move that one)")
