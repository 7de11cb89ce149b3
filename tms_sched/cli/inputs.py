"""Naming a file given in the wrong place (a schedule where the clinic file goes)."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import InputError, Problem
from ..io.kind import KIND_NAMES, file_kind


def schedule_fits(clinic, schedule, path: str, index, *, timezone_advice: str, mend_advice: str) -> None:
    """Refuse a schedule to book on top of when it is in another zone than the clinic file, or
    when its ids or times are ambiguous (TMS016, TMS017): ``timezone_advice`` and ``mend_advice``
    end the two refusals with what the command's user should do."""
    from ..check import check_schedule

    info = schedule.schedule
    if info.timezone != clinic.info.timezone:
        line = index.line(("schedule", "timezone")) if index is not None else None
        raise InputError([Problem(path, line, path="schedule.timezone",
                                  message=f"the schedule is in {info.timezone} but the clinic file says "
                                  f"{clinic.info.timezone}; {timezone_advice}")])
    report = check_schedule(clinic, schedule, path, index, codes=["TMS016", "TMS017"])
    errors = [f for f in report.findings if f.severity == "error"]
    if errors:
        raise InputError([Problem(f.file, f.line, message=f"{f.code}: {f.message}") for f in errors]
                         + [Problem(path, None, message=mend_advice)])


def in_the_right_places(exc: InputError, places: Iterable[tuple[str, str]], usage: str) -> InputError:
    """``exc`` retold when a file in ``places`` ((path, the kind expected there)) is of
    another kind: one sentence per misplaced file ending in ``usage`` (where each file
    goes), instead of every key the wrong reader stumbled on. Otherwise ``exc`` as it is."""
    problems = []
    for path, expected in places:
        kind = file_kind(path)
        if kind is not None and kind != expected:
            problems.append(Problem(path, None, message=f"this is {KIND_NAMES[kind]}, not {KIND_NAMES[expected]}; "
                                    f"{usage}"))
    return InputError(problems) if problems else exc


__all__ = ["in_the_right_places", "schedule_fits"]
