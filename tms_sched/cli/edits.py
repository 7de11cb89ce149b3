"""What `mark`, `move` and `pin` share when they edit a schedule in place: where a refusal
points, the layout a rewrite loses, and a write that never overwrites someone else's change."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from ..errors import OutputError, UsageError
from ..text import plural
from . import echo_err

if TYPE_CHECKING:  # the library is imported when a command runs, so --help stays quick
    from ..attendance import AttendanceError
    from ..io.tomlpos import PositionIndex
    from ..model.clinic import Clinic
    from ..model.schedule import Schedule


def located(exc: AttendanceError, path: str, index: PositionIndex | None) -> UsageError:
    """The refusal as a usage error at the schedule line it concerns, where known."""
    line = index.line(exc.where) if (index is not None and exc.where) else None
    where = f"{path}:{line}" if line else path
    return UsageError(f"{where}: {exc.message}")


def layout_losses(text: str, canonical: str) -> list[int]:
    """Line numbers of ``text`` that the schedule writer does not reproduce (comments, spacing)."""
    lost: list[int] = []
    matcher = difflib.SequenceMatcher(None, text.splitlines(), canonical.splitlines(), autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            lost.extend(range(i1 + 1, i2 + 1))
    return lost


def spans(numbers: list[int]) -> str:
    """``1, 3-5`` for [1, 3, 4, 5]."""
    out: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:] + [None]:  # type: ignore[list-item]
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(out)


def warn_layout(path: str, text: str, schedule: Schedule) -> None:
    """Warn about the lines of ``text`` (as read into ``schedule``) that a rewrite will not keep."""
    from ..io.schedule import render_schedule, schedule_format

    lost = layout_losses(text, render_schedule(schedule, schedule_format(path)))
    if lost:
        echo_err(f"warning: {path}: line{'s' if len(lost) > 1 else ''} {spans(lost)} "
                 f"{'are' if len(lost) > 1 else 'is'} not in the layout tms-sched writes (comments, "
                 "spacing) and will not be kept")


def write_unless_changed(path: str, text: str, schedule: Schedule, doing: str) -> None:
    """Write ``schedule`` atomically, unless the file no longer holds ``text`` (what was read);
    ``doing`` names the edit in that refusal ("marked", "edited")."""
    from ..io.common import read_text
    from ..io.schedule import write_schedule

    try:
        if read_text(path) != text:
            raise OutputError(f"{path} changed while it was being {doing}; nothing was written, run the "
                              "command again")
        write_schedule(path, schedule)
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror or exc}); the file is unchanged") from None


def written(path: str, old_revision: int, new_revision: int, changes: int) -> None:
    echo_err(f"{path}: revision {old_revision} -> {new_revision}, {plural(changes, 'change')} written")


def same_clinic(clinic_path: str, clinic: Clinic, schedule: Schedule) -> None:
    """Refuse a clinic file that is not the one the schedule was planned for."""
    info = schedule.schedule
    if clinic.info.name != info.clinic or clinic.info.timezone != info.timezone:
        raise UsageError(f"{clinic_path} is the clinic '{clinic.info.name}' ({clinic.info.timezone}), but the "
                         f"schedule belongs to '{info.clinic}' ({info.timezone}); give the schedule's clinic file")


__all__ = ["layout_losses", "located", "same_clinic", "spans", "warn_layout", "write_unless_changed", "written"]
