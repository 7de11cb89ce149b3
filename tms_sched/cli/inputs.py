"""Naming a file given in the wrong place (a schedule where the clinic file goes)."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import InputError, Problem
from ..io.kind import KIND_NAMES, file_kind


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


__all__ = ["in_the_right_places"]
