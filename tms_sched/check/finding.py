"""What the checker reports: a finding, and the report of one run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One broken rule at one place: what a coordinator reads and CI annotates.

    ``file`` and ``line`` point at the offending appointment (or the patient, roster
    entry or key when there is no appointment); ``line`` is None when the file format
    carries no positions (JSON).
    """

    code: str
    severity: Severity
    message: str
    file: str
    line: int | None = None
    patient: str | None = None
    appointment: str | None = None
    start: dt.datetime | None = None

    def sort_key(self) -> tuple[str, int, str, str, str]:
        return (self.file, self.line or 0, self.code, self.appointment or "", self.message)

    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file


@dataclass
class FileReport:
    """The findings of one schedule (a finding may point into a roster it was checked with)."""

    schedule_file: str
    findings: list[Finding] = field(default_factory=list)
    patients: int = 0
    appointments: int = 0


@dataclass
class Report:
    """Everything one ``check`` run found, in a stable order."""

    files: list[FileReport]
    codes: tuple[str, ...]
    """The rules that ran."""
    not_checked: dict[str, str] = field(default_factory=dict)
    """Rules selected but impossible to check, with the reason (no roster)."""
    notes: list[str] = field(default_factory=list)

    @property
    def ran(self) -> tuple[str, ...]:
        """The selected rules that could be checked (``codes`` less ``not_checked``)."""
        return tuple(c for c in self.codes if c not in self.not_checked)

    @property
    def findings(self) -> list[Finding]:
        out = [f for report in self.files for f in report.findings]
        return sorted(out, key=Finding.sort_key)

    def count(self, severity: Severity) -> int:
        return sum(1 for report in self.files for f in report.findings if f.severity == severity)

    def by_code(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for f in self.findings:
            counts[f.code] = counts.get(f.code, 0) + 1
        return dict(sorted(counts.items()))
