"""Details of the views a coordinator reads: the first session's own name, chair
outages within opening hours, one 'no appointments' per day, columns that fit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tms_sched.cli import main
from tms_sched.io.schedule import load_schedule, render_schedule

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "config.example.toml"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("views") / "schedule.toml"
    result = run("plan", str(CONFIG), "-o", str(out), "--today", "2026-11-30")
    assert result.exit_code == 0, result.output
    return out


def show(schedule: Path, *args: str, clinic: Path = CONFIG) -> str:
    result = run("show", str(schedule), "--clinic", str(clinic), "--today", "2026-11-30", "--width", "100", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


# -- 8. the first session by its protocol's name -----------------------------------------------

def test_agenda_and_patient_view_name_the_esketamine_first_dose(planned: Path) -> None:
    agenda = show(planned, "--date", "2026-12-28", "--patient", "R-007")
    assert re.search(r"^  10:00-12:00\s+O\s+R-007\s+first dose\s+1 of 8\s", agenda, re.M), agenda
    assert "mapping" not in agenda
    course = show(planned, "--view", "patient", "--patient", "R-007")
    assert re.search(r"^first dose\s+Monday 2026-12-28 10:00, chair O", course, re.M), course
    assert re.search(r"^ 1 12-28\s+○1 first dose\s", course, re.M), course
    assert "mapping" not in course and " map" not in course


def test_a_tms_course_keeps_calling_it_mapping(planned: Path) -> None:
    agenda = show(planned, "--date", "2026-12-01", "--patient", "R-001")
    assert re.search(r"R-001\s+mapping\s+1 of 30", agenda), agenda
    course = show(planned, "--view", "patient", "--patient", "R-001")
    assert re.search(r"^mapping\s+Tuesday 2026-12-01", course, re.M)


def test_ical_summary_and_diff_name_the_first_dose(planned: Path, tmp_path: Path) -> None:
    result = run("export", "ical", str(planned), "--clinic", str(CONFIG), "--by", "patient", "--patient", "R-007",
                 "-o", str(tmp_path / "cal"))
    assert result.exit_code == 0, result.output
    ics = (tmp_path / "cal" / "patient-R-007.ics").read_text(encoding="utf-8")
    assert "SUMMARY:First dose (esketamine-induction)" in ics
    # Replan a schedule that lacks R-007: --diff lists the course's new first session.
    schedule, _ = load_schedule(str(planned))
    schedule.patients = [p for p in schedule.patients if p.id != "R-007"]
    partial = tmp_path / "partial.toml"
    partial.write_text(render_schedule(schedule, "toml"), encoding="utf-8")
    result = run("plan", str(CONFIG), "--schedule", str(partial), "--today", "2026-11-30", "--diff")
    assert result.exit_code == 0, result.output
    added = [line for line in result.stdout.splitlines() if line.startswith("+ R-007 R-007-01:")]
    assert added and added[0].startswith("+ R-007 R-007-01: first dose session 1 "), result.stdout
