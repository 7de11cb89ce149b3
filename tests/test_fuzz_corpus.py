"""Replays the committed corpus of inputs that once crashed a command.

Each folder under fixtures/fuzz holds one mutated file (clinic.toml, roster.toml or
schedule.toml); the other two come from the base files beside it. Every command runs
on every case and must end as a user error at worst: exit 0, 1 or 2, never 3 and never
a traceback.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tms_sched.cli import main

CORPUS = Path(__file__).parent / "fixtures" / "fuzz"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
TODAY = ["--today", "2027-01-04"]

COMMANDS = [
    ["plan", "clinic.toml", "--roster", "roster.toml", "-o", "fresh.toml", *TODAY],
    ["plan", "clinic.toml", "--roster", "roster.toml", "--schedule", "replan.toml", *TODAY],
    ["check", "clinic.toml", "schedule.toml", "--roster", "roster.toml"],
    ["check", "clinic.toml", "schedule.toml", "--format", "sarif"],
    ["check", "clinic.toml", "schedule.toml", "--format", "junit"],
    ["show", "schedule.toml", "--clinic", "clinic.toml", "--date", "2027-01-06", *TODAY],
    ["show", "schedule.toml", "--clinic", "clinic.toml", "--view", "week", "--date", "2027-01-06", *TODAY],
    ["show", "schedule.toml", "--clinic", "clinic.toml", "--view", "chairs", "--date", "2027-01-12", *TODAY],
    ["show", "schedule.toml", "--clinic", "clinic.toml", "--view", "load", "--date", "2027-01-04", *TODAY],
    ["show", "schedule.toml", "--clinic", "clinic.toml", "--view", "patient", "--patient", "P-1", *TODAY],
    ["export", "ical", "schedule.toml", "--clinic", "clinic.toml", "--by", "patient", "-o", "cal"],
    ["export", "ical", "schedule.toml", "--clinic", "clinic.toml", "--by", "clinic", "-o", "cal"],
    # nothing listens on the discard port: the inputs are read and judged, then the connection is refused
    ["export", "caldav", "schedule.toml", "--clinic", "clinic.toml", "--by", "chair", "--url", "http://127.0.0.1:9/d/"],
    ["mark", "mark.toml", "P-1", "2027-01-06", "missed", "--note", "[/]", *TODAY],
    ["mark", "mark.toml", "--closed", "2027-01-07", "--reason", "[/]", *TODAY],
    ["closures", "clinic.toml", "--from", "2027-01-01", "--to", "2027-03-31"],
    ["protocols", "--clinic", "clinic.toml"],
    ["protocols", "custom", "--clinic", "clinic.toml"],
]


def setup_case(case: str, folder: Path) -> None:
    for kind in ("clinic", "roster", "schedule"):
        mutated = CORPUS / case / f"{kind}.toml"
        shutil.copy(mutated if mutated.exists() else CORPUS / f"base-{kind}.toml", folder / f"{kind}.toml")
    shutil.copy(folder / "schedule.toml", folder / "replan.toml")
    shutil.copy(folder / "schedule.toml", folder / "mark.toml")


@pytest.mark.parametrize("case", CASES)
def test_corpus_case_ends_as_user_error_at_worst(case, tmp_path, monkeypatch):
    setup_case(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")
    failures = []
    for args in COMMANDS:
        result = CliRunner().invoke(main, args)
        text = result.output
        if result.exit_code not in (0, 1, 2) or "Traceback" in text or "internal error" in text:
            failures.append(f"{' '.join(args)} -> exit {result.exit_code}: {text[-400:]}")
    assert not failures, "\n".join(failures)
