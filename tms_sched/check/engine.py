"""Run the selected rules over schedules and collect a report."""

from __future__ import annotations

from collections.abc import Sequence

from ..io.clinic import Roster
from ..io.tomlpos import PositionIndex
from ..model.clinic import Clinic
from ..model.schedule import Schedule
from .context import Context
from .finding import FileReport, Finding, Report
from .registry import all_codes, function_of, rule_of


# Course-shape rules: a course listed under [[unplaced]] is on hold for a clinician,
# so its shape is not judged; its history and planned appointments still occupy chairs,
# staff and the patient, and the rules of those are judged as ever.
ON_HOLD_CODES = frozenset({"TMS008", "TMS009", "TMS011", "TMS012", "TMS014", "TMS015"})


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def check_schedule(
    clinic: Clinic,
    schedule: Schedule,
    file: str,
    index: PositionIndex | None = None,
    roster: Roster | None = None,
    codes: Sequence[str] | None = None,
) -> FileReport:
    """Every finding of ``schedule`` (read from ``file``) under the rules ``codes`` (default: all).

    ``roster`` is None when no roster was given at all; then the rules that need one
    are skipped (``check`` reports which).
    """
    ctx = Context(clinic, schedule, file, index, roster)
    found: set[Finding] = set()
    for code in codes if codes is not None else all_codes():
        if rule_of(code).needs_roster and roster is None:
            continue
        found.update(function_of(code)(ctx))
    on_hold = {u.id for u in schedule.unplaced}
    if on_hold:
        found = {f for f in found if not (f.code in ON_HOLD_CODES and f.patient in on_hold)}
    return FileReport(
        schedule_file=file,
        findings=sorted(found, key=Finding.sort_key),
        patients=len(schedule.patients),
        appointments=sum(len(p.appointments) for p in schedule.patients),
    )


def check(
    clinic: Clinic,
    schedules: Sequence[tuple[str, Schedule, PositionIndex | None]],
    roster: Roster | None = None,
    codes: Sequence[str] | None = None,
) -> Report:
    """Check each schedule on its own against the one clinic and roster."""
    codes = tuple(codes) if codes is not None else all_codes()
    report = Report(files=[], codes=codes)
    if roster is None:
        skipped = [c for c in codes if rule_of(c).needs_roster]
        report.not_checked = {c: "no roster" for c in skipped}
        if skipped:
            report.notes.append(
                f"no roster given (--roster FILE, or [[patients]] in the clinic file): {_and(skipped)} "
                f"{'was' if len(skipped) == 1 else 'were'} not checked"
            )
    for file, schedule, index in schedules:
        if schedule.schedule.clinic != clinic.info.name:
            report.notes.append(f"{file} was written for clinic '{schedule.schedule.clinic}', "
                                f"but the clinic file describes '{clinic.info.name}'")
        report.files.append(check_schedule(clinic, schedule, file, index, roster, codes))
    return report
