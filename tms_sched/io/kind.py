"""What kind of tms-sched file a path holds, so that a file given in the wrong place
can be named as what it is instead of failing key by key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from .schedule import is_schedule_file

FileKind = Literal["clinic", "roster", "schedule"]

KIND_NAMES: dict[str, str] = {"clinic": "a clinic file", "roster": "a roster", "schedule": "a schedule"}


def file_kind(path: str) -> FileKind | None:
    """The kind of file at ``path`` by its top-level tables, or None when it cannot tell.

    A schedule has a ``[schedule]`` table, a clinic file ``[clinic]`` and ``[[chairs]]``, and a
    roster only ``[[patients]]`` (or, as CSV, a header with an ``id`` column).
    """
    if is_schedule_file(path):
        return "schedule"
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        header = text.split("\n", 1)[0].lstrip("\ufeff").strip().split(",")
        return "roster" if "id" in header else None
    try:
        if suffix == ".json":
            data = json.loads(text)
        else:
            import tomli

            data = tomli.loads(text)
    except (ValueError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("clinic"), dict) and "chairs" in data:
        return "clinic"
    if set(data) == {"patients"}:
        return "roster"
    return None


__all__ = ["FileKind", "KIND_NAMES", "file_kind"]
