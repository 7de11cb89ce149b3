"""One fixture per rule: each breaks exactly that rule, at the line its marker names."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tms_sched.check import all_codes
from tms_sched.check.explain import sections

from check_helpers import CLINIC, FIXTURES, REPO, ROSTER, found, markers, roster_for, run

CASES = sorted(p for p in FIXTURES.glob("tms*.toml") if not p.name.endswith(".roster.toml"))


def test_every_rule_has_a_fixture():
    assert [p.stem.upper() for p in CASES] == list(all_codes())


def test_clean_fixture_has_no_findings():
    report = run(FIXTURES / "clean.toml")
    assert report.findings == []
    assert report.not_checked == {}
    assert report.notes == []
    assert (report.files[0].patients, report.files[0].appointments) == (5, 28)


@pytest.mark.parametrize("schedule", CASES, ids=[p.stem for p in CASES])
def test_fixture_breaks_exactly_its_rule(schedule: Path):
    roster = roster_for(schedule)
    expected = markers(schedule) | markers(roster)
    assert expected, "a fixture marks the line that breaks its rule"
    assert {code for _, _, code in expected} == {schedule.stem.upper()}
    assert found(run(schedule, roster)) == expected


def test_each_finding_names_patient_appointment_and_start():
    report = run(FIXTURES / "tms001.toml")
    (f,) = report.findings
    assert (f.severity, f.patient, f.appointment) == ("error", "P4", "P4-02")
    assert f.start.isoformat() == "2026-12-10T10:15:00-05:00"
    assert "P3-05" in f.message and "chair B" in f.message


def test_warnings_are_warnings():
    assert {f.severity for f in run(FIXTURES / "tms101.toml").findings} == {"warning"}
    assert {f.severity for f in run(FIXTURES / "tms102.toml").findings} == {"warning"}


def test_without_a_roster_the_roster_rules_are_not_checked():
    report = run(FIXTURES / "tms004.toml", roster=None)
    assert report.findings == []  # TMS004 needs the roster's availability
    assert sorted(report.not_checked) == ["TMS004", "TMS013", "TMS018", "TMS021"]
    assert report.notes == ["no roster given (--roster FILE, or [[patients]] in the clinic file): "
                            "TMS004, TMS013, TMS018 and TMS021 were not checked"]


def test_a_json_schedule_is_checked_alike_without_lines(tmp_path: Path):
    from tms_sched.io.schedule import load_schedule, to_json

    model, _ = load_schedule(str(FIXTURES / "tms001.toml"))
    path = tmp_path / "schedule.json"
    path.write_text(to_json(model), encoding="utf-8")
    report = run(path)
    assert found(report) == {(str(path), None, "TMS001")}


def test_a_daylight_saving_course_keeps_its_wall_clock_time(tmp_path: Path):
    # Once-daily at 09:00 across 2027-03-14, when New York moves from -05:00 to -04:00.
    report = run(FIXTURES / "clean-dst.toml", roster=None)
    assert report.findings == []
    text = (FIXTURES / "clean-dst.toml").read_text(encoding="utf-8")
    broken = tmp_path / "dst.toml"
    broken.write_text(text.replace("2027-03-15T09:00:00-04:00", "2027-03-15T09:00:00-05:00"), encoding="utf-8")
    (f,) = run(broken, roster=None).findings
    assert f.code == "TMS017"
    assert f.message.endswith("so this is 10:00 local; if 09:00 is meant, write 2027-03-15T09:00:00-04:00")


def test_rules_page_is_shipped_and_docs_copy_has_not_drifted():
    shipped = (REPO / "tms_sched" / "check" / "rules.md").read_text(encoding="utf-8")
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == shipped


def test_rules_page_has_a_section_per_code_titled_as_the_rule():
    from tms_sched.check import rule_of

    found_sections = sections()
    assert list(found_sections) == list(all_codes())
    for code, text in found_sections.items():
        assert text.splitlines()[0] == f"## {code}: {rule_of(code).title}"
        for part in ("**What.**", "**Why.**", "**Example.**", "**Fix.**"):
            assert part in text, f"{code} lacks {part}"


@pytest.mark.parametrize("code", list(all_codes()))
def test_rules_page_examples_are_what_check_prints(code: str, tmp_path: Path):
    """The example output under each rule is the output of its fixture, file names shortened."""
    case = FIXTURES / f"{code.lower()}.toml"
    roster = roster_for(case)
    # Copy the case under the names the page uses, so messages naming files read the same.
    shutil.copy(CLINIC, tmp_path / "clinic.toml")
    shutil.copy(case, tmp_path / "schedule.toml")
    shutil.copy(roster, tmp_path / "roster.toml")
    import os

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        report = run(Path("schedule.toml"), Path("roster.toml"), Path("clinic.toml"))
    finally:
        os.chdir(cwd)
    printed = [f"{f.where()}: {f.code} {f.severity}: {f.message}" for f in report.findings]
    documented = [b.strip() for b in re.findall(r"```text\n(.*?)```", sections()[code], re.S)]
    assert documented == printed


def test_shared_roster_has_no_markers():
    assert markers(ROSTER) == set()
