"""Files <-> models: clinic, rosters, schedules."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import InputError
from ..model.clinic import Clinic
from .clinic import Roster, load_clinic
from .roster import load_roster


def load_setup(clinic_path: str, roster_paths: Sequence[str] = ()) -> tuple[Clinic, Roster]:
    """The clinic and every patient: inline in the clinic file and in each roster file.

    Problems of all roster files are collected before giving up.
    """
    clinic, roster = load_clinic(clinic_path)
    problems = []
    for path in roster_paths:
        try:
            roster.extend(load_roster(path, clinic, roster))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return clinic, roster


__all__ = ["Roster", "load_clinic", "load_roster", "load_setup"]
