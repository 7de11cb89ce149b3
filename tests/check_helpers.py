"""Helpers shared by the check tests: run a fixture case, read its `expect:` markers."""

from __future__ import annotations

import re
from pathlib import Path

from tms_sched.check import check
from tms_sched.check.finding import Report
from tms_sched.io import load_setup
from tms_sched.io.schedule import load_schedule

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "check"
CLINIC = FIXTURES / "clinic.toml"
ROSTER = FIXTURES / "roster.toml"
MARKER = re.compile(r"#\s*expect:\s*(TMS\d{3})\s*$")


def roster_for(schedule: Path) -> Path:
    """A case's own roster (``tmsNNN.roster.toml``) when it has one, else the shared one."""
    own = schedule.with_name(schedule.stem + ".roster.toml")
    return own if own.exists() else ROSTER


def markers(path: Path) -> set[tuple[str, int, str]]:
    """``(file, line, code)`` for every line ending in ``# expect: TMSnnn``."""
    out = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        m = MARKER.search(line)
        if m:
            out.add((str(path), number, m.group(1)))
    return out


def run(schedule: Path, roster: Path | None = ROSTER, clinic: Path = CLINIC, codes=None) -> Report:
    clinic_model, roster_model = load_setup(str(clinic), [str(roster)] if roster else [])
    model, index = load_schedule(str(schedule))
    return check(clinic_model, [(str(schedule), model, index)], roster_model if roster else None, codes)


def found(report: Report) -> set[tuple[str, int | None, str]]:
    return {(f.file, f.line, f.code) for f in report.findings}
