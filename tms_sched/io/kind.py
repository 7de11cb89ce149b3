"""What kind of tms-sched file a path holds, so that a file given in the wrong place
can be named as what it is instead of failing key by key."""

from __future__ import annotations

from typing import Literal

from .schedule import holds_schedule, parse_any

FileKind = Literal["clinic", "roster", "schedule"]

KIND_NAMES: dict[str, str] = {"clinic": "a clinic file", "roster": "a roster", "schedule": "a schedule"}


def file_kind(path: str) -> FileKind | None:
    """The kind of file at ``path`` by its top-level tables, or None when it cannot tell.

    A schedule has a ``[schedule]`` table, a clinic file ``[clinic]`` and ``[[chairs]]``, and a
    roster only ``[[patients]]`` (or, as CSV, a header with an ``id`` column).
    """
    parsed = parse_any(path)  # read and parsed once: this runs on the error path of every reader
    if parsed is None:
        return None
    if holds_schedule(*parsed):
        return "schedule"
    fmt, text, data = parsed
    if fmt == "csv":
        header = text.split("\n", 1)[0].lstrip("\ufeff").strip().split(",")
        return "roster" if "id" in header else None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("clinic"), dict) and "chairs" in data:
        return "clinic"
    if set(data) == {"patients"}:
        return "roster"
    return None


__all__ = ["FileKind", "KIND_NAMES", "file_kind"]
