"""RFC 5545 content lines, written directly: TEXT escaping, folding, date-times, durations.

The calendars tms-sched exports hold a few kinds of value only (text, integers, local
and UTC date-times, durations), so writing their content lines here is short, and
many times faster than building a component tree and serialising it: a large clinic's
export spends its time in exactly this. The output is the same, byte for byte, as the
iCalendar library's for these properties (tests compare the two), with one deliberate
difference: a literal backslash followed by ``N`` in user text is kept as text (RFC 5545
escapes the backslash), where the library turned it into a line break.
"""

from __future__ import annotations

import datetime as dt

FOLD_LIMIT = 75
"""Octets per physical line, the line break excluded (RFC 5545 section 3.1)."""
CRLF = "\r\n"

_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n"})


def escape_text(text: str) -> str:
    """A TEXT value (RFC 5545 section 3.3.11): backslash, semicolon and comma escaped, line
    breaks (CRLF, LF or a lone CR) written as ``\\n``."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_TEXT_ESCAPES)


def fold(line: str) -> str:
    """One content line folded into physical lines of at most 75 octets (RFC 5545 section 3.1).

    A fold is CRLF and a space. A fold never splits a UTF-8 sequence, and never separates
    a backslash or caret from the character it escapes: such a character starts the next
    line instead. Each line but the first holds the leading space and 74 octets.
    """
    if len(line) < FOLD_LIMIT and (line.isascii() or len(line.encode("utf-8")) < FOLD_LIMIT):
        return line
    if line.isascii():
        return _fold_ascii(line)
    return _fold_wide(line)


def _fold_ascii(line: str) -> str:
    room = FOLD_LIMIT - 1
    pieces = []
    start = 0
    end = len(line)
    while end - start > room:
        cut = start + room
        if cut - start > 1 and line[cut - 1] in "\\^":
            cut -= 1  # keep an escape with what it escapes
        pieces.append(line[start:cut])
        start = cut
    pieces.append(line[start:])
    return "\r\n ".join(pieces)


def _fold_wide(line: str) -> str:
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = 1 if char < "\x80" else len(char.encode("utf-8"))
        if current and size + width >= FOLD_LIMIT:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                pieces.append("".join(current))
                current = [carried]
                size = 1
            else:
                pieces.append("".join(current))
                current = []
                size = 0
        current.append(char)
        size += width
    if current:
        pieces.append("".join(current))
    return "\r\n ".join(pieces)


def text_line(name: str, value: str) -> str:
    """``NAME:value`` with the value escaped as TEXT, folded, and its CRLF."""
    return fold(f"{name}:{escape_text(value)}") + CRLF


def raw_line(name: str, value: str) -> str:
    """``NAME:value`` for a value already in its iCalendar form (an integer, a code, a duration)."""
    return fold(f"{name}:{value}") + CRLF


def local_datetime(moment: dt.datetime) -> str:
    """A DATE-TIME in local time, for use with a TZID parameter: ``20261103T080000``."""
    return (f"{moment.year:04d}{moment.month:02d}{moment.day:02d}"
            f"T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}")


def utc_datetime(moment: dt.datetime) -> str:
    """A DATE-TIME in UTC: ``20261203T000000Z``."""
    return local_datetime(moment.astimezone(dt.timezone.utc)) + "Z"


def duration(delta: dt.timedelta) -> str:
    """A DURATION (RFC 5545 section 3.3.6) in days, hours, minutes and seconds: ``-PT15M``, ``-P1DT1H``."""
    sign = ""
    if delta < dt.timedelta(0):
        sign, delta = "-", -delta
    time = ""
    if delta.seconds:
        hours, rest = divmod(delta.seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        time = "T"
        if hours:
            time += f"{hours}H"
        if minutes or (hours and seconds):
            time += f"{minutes}M"
        if seconds:
            time += f"{seconds}S"
    if delta.days == 0 and time:
        return f"{sign}P{time}"
    return f"{sign}P{delta.days}D{time}"
