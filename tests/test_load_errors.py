"""Broken clinic and roster files: each gets its exact ``file:line: path: message`` and exit 2.

Every file under ``fixtures/broken/`` is a small real file with one mistake a coordinator
could make (a few hold several, to show that all of a file's problems are reported
together). Clinic files go through ``tms-sched closures``; rosters through
``tms-sched plan`` against ``base-clinic.toml``, a valid clinic, so that both are read
exactly as a user's files are. Paths are given relative to the fixture folder, as a
user in that folder would type them, so the messages read as the user would see them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from tms_sched.cli import main
from tms_sched.errors import InputError
from tms_sched.io import load_setup

BROKEN = Path(__file__).parent / "fixtures" / "broken"
BASE_CLINIC = "base-clinic.toml"


def run(args: Sequence[str]):
    return CliRunner().invoke(main, list(args))


def clinic_errors(path: str) -> tuple[int, list[str]]:
    """Exit code and stderr lines of reading a clinic file through the CLI."""
    result = run(["closures", path, "--from", "2026-12-01", "--to", "2026-12-07"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stderr.splitlines()


def roster_errors(paths: Sequence[str], out: Path) -> tuple[int, list[str]]:
    """Exit code and stderr lines of reading rosters with the base clinic through the CLI.

    ``plan`` reads the clinic and every roster before it plans, and stops at the first
    unreadable input without writing anything.
    """
    args = ["plan", BASE_CLINIC, "-o", str(out), "--today", "2026-11-30"]
    for path in paths:
        args += ["--roster", path]
    result = run(args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    assert not out.exists(), "nothing is written when an input is broken"
    return result.exit_code, result.stderr.splitlines()


@pytest.fixture(autouse=True)
def in_fixture_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BROKEN)


CLINIC_CASES: dict[str, list[str]] = {
    # TOML syntax: tomli's line and column, its message, and what to do.
    "clinic/toml-syntax.toml": [
        "clinic/toml-syntax.toml:4:18: TOML syntax error: Expected newline or end of document after a "
        'statement (one key = value per line; quote text and times, e.g. mon = "08:00-17:00")',
    ],
    "clinic/toml-unclosed-string.toml": [
        "clinic/toml-unclosed-string.toml:2:20: TOML syntax error: Illegal character '\\n' "
        "(a string is not closed: add the closing quote)",
    ],
    "clinic/toml-duplicate-key.toml": [
        "clinic/toml-duplicate-key.toml:7:20: TOML syntax error: Cannot overwrite a value "
        "(this key is already set above; give each key once)",
    ],
    # Unknown keys at several depths, each with the key it most likely meant.
    "clinic/unknown-key-clinic.toml": [
        "clinic/unknown-key-clinic.toml:4: clinic.slot_minute: unknown key 'slot_minute'; "
        "did you mean 'slot_minutes'?",
    ],
    "clinic/unknown-key-chair.toml": [
        "clinic/unknown-key-chair.toml:10: chairs[0].capabilties: unknown key 'capabilties'; "
        "did you mean 'capabilities'?",
    ],
    "clinic/unknown-key-phase.toml": [
        "clinic/unknown-key-phase.toml:17: protocols.twice-daily.phases[0].per_dya: unknown key 'per_dya'; "
        "did you mean 'per_day'?",
    ],
    # Wrong types: a value in quotes is text.
    "clinic/date-in-quotes.toml": [
        'clinic/date-in-quotes.toml:4: clinic.closed[0]: "2026-12-24" is text because of the quotes; '
        "write the date without them: 2026-12-24",
    ],
    "clinic/number-in-quotes.toml": [
        'clinic/number-in-quotes.toml:4: clinic.slot_minutes: "5" is text because of the quotes; '
        "write the number without them: 5",
    ],
    # Time windows: reversed, overlapping, off the slot grid.
    "clinic/reversed-window.toml": [
        "clinic/reversed-window.toml:7: clinic.hours.tue: '17:00-08:00' ends before it starts; "
        "write the earlier time first",
    ],
    "clinic/overlapping-windows.toml": [
        "clinic/overlapping-windows.toml:6: clinic.hours.mon: windows 08:00-12:00 and 11:30-17:00 overlap; "
        "merge them into one",
    ],
    "clinic/off-grid.toml": [
        "clinic/off-grid.toml:8: clinic.hours.tue: 08:10 is off the 15-minute slot grid; "
        "use a multiple of 15 minutes (or change clinic.slot_minutes)",
    ],
    # Ranges written backwards.
    "clinic/closed-range-reversed.toml": [
        "clinic/closed-range-reversed.toml:6: clinic.closed[1].end: 2026-12-28 is before start 2027-01-02; "
        "write the range earliest first",
    ],
    "clinic/downtime-reversed.toml": [
        "clinic/downtime-reversed.toml:12: chairs[0].down[0].end: downtime ends (2026-12-10T08:00:00) "
        "before it starts (2026-12-10T12:00:00)",
    ],
    # Duplicate ids.
    "clinic/duplicate-chair.toml": [
        "clinic/duplicate-chair.toml:13: chairs[1].id: duplicate chair id 'A' (also chairs[0]); ids must be unique",
    ],
    "clinic/duplicate-staff.toml": [
        "clinic/duplicate-staff.toml:18: staff[1].id: duplicate staff id 'dr-kim' (also staff[0]); "
        "ids must be unique",
    ],
    # Staff roles are the clinic's own words, in lower case; a protocol names one somebody has.
    "clinic/role-nobody-has.toml": [
        "clinic/role-nobody-has.toml:21: protocols.esketamine.first_session_staff: no staff member has role "
        "'nurze'; did you mean 'nurse'? (the staff's roles: nurse); add one with role = \"nurze\", or name "
        "one of these",
    ],
    "clinic/role-upper-case.toml": [
        "clinic/role-upper-case.toml:14: staff[0].role: a role is one lower-case word such as technician, "
        "physician or nurse; write 'nurse', not 'Nurse'",
    ],
    # Time zone and public holidays.
    "clinic/unknown-timezone.toml": [
        "clinic/unknown-timezone.toml:3: clinic.timezone: unknown time zone 'America/Los_Angelos'; "
        "did you mean 'America/Los_Angeles'?",
    ],
    "clinic/unknown-holiday-country.toml": [
        "clinic/unknown-holiday-country.toml:4: clinic.holidays.country: unknown holiday country 'Germany'; "
        "did you mean 'DE'?",
    ],
    "clinic/unknown-subdivision.toml": [
        "clinic/unknown-subdivision.toml:4: clinic.holidays.subdiv: unknown subdivision 'ca' of US; "
        "did you mean 'CA'?",
    ],
    "clinic/subdivision-of-none.toml": [
        "clinic/subdivision-of-none.toml:4: clinic.holidays.subdiv: unknown subdivision 'Dublin' of IE; "
        "IE has no subdivisions, leave subdiv out",
    ],
    "clinic/keep-open-typo.toml": [
        "clinic/keep-open-typo.toml:10: clinic.holidays.keep_open[1]: 'Veterans Dya' is not a holiday of US-CA; "
        "did you mean 'Veterans Day'?",
    ],
    # Protocols: a bad phase kind, missing and reversed keys, a bad override of a built-in.
    "clinic/bad-phase-kind.toml": [
        "clinic/bad-phase-kind.toml:16: protocols.weekly-boosters.phases[0]: unknown kind 'weekley'; "
        "use one of 'daily', 'weekly', 'interval'",
    ],
    "clinic/protocol-missing-keys.toml": [
        "clinic/protocol-missing-keys.toml:12: protocols.ketamine-iv-6.session_minutes: "
        "missing required key 'session_minutes'",
        "clinic/protocol-missing-keys.toml:15: protocols.ketamine-iv-6.phases[0].every_days: "
        "must be [min, max] days with 1 <= min <= max, got [4, 2]",
    ],
    "clinic/assessment-window-reversed.toml": [
        "clinic/assessment-window-reversed.toml:15: protocols.standard-10hz.assessments[1].window_days: "
        "[28, 14] is reversed; write [earliest, latest]",
    ],
    "clinic/phase-key-too-high.toml": [
        "clinic/phase-key-too-high.toml:14: protocols.accelerated-5x5.min_gap_minutes: unknown key "
        "'min_gap_minutes' here; it belongs to a phase: write it in the phase's table inside phases = [...] "
        "(give the whole phases list when changing a built-in's)",
    ],
    "clinic/override-builtin-bad.toml": [
        "clinic/override-builtin-bad.toml:14: protocols.standard-itbs.session_minutes: must be more than 0, got 0",
    ],
    # Missing required keys: the line of the table that lacks them.
    "clinic/missing-required-key.toml": [
        "clinic/missing-required-key.toml:8: chairs[0].capabilities: missing required key 'capabilities'",
    ],
    "clinic/no-hours.toml": [
        "clinic/no-hours.toml:1: clinic.hours: missing required key 'hours'",
    ],
    # An inline roster in the clinic file is read like a roster file.
    "clinic/inline-patient.toml": [
        "clinic/inline-patient.toml:20: patients[1].availability.tues: unknown key 'tues'; did you mean 'tue'? "
        "(keys: mon, tue, wed, thu, fri, sat, sun)",
    ],
    # Several problems in one file: all of them, in line order.
    "clinic/several-problems.toml": [
        "clinic/several-problems.toml:3: clinic.timezone: unknown time zone 'Europe/Londn'; "
        "did you mean 'Europe/London'?",
        "clinic/several-problems.toml:4: clinic.slot_minutes: must divide an hour evenly "
        "(such as 5, 10, 15 or 30), got 7",
        "clinic/several-problems.toml:5: clinic.horizon_weeks: must be at least 1, got 0",
        "clinic/several-problems.toml:9: clinic.hours.tue: '8:00-25:00' has a time that does not exist; "
        "hours run 00:00 to 24:00",
        'clinic/several-problems.toml:11: clinic.hours.sun: expected a time window "HH:MM-HH:MM" in quotes, '
        "or a list of them; got 12",
        "clinic/several-problems.toml:15: chairs[0].capabilities: must not be empty",
        "clinic/several-problems.toml:19: staff[0].role: a role is one lower-case word such as technician, "
        "physician or nurse; write one word, not 'Head Nurse'",
    ],
    # Files that cannot be read at all.
    "clinic/not-utf8.toml": ["clinic/not-utf8.toml:2: is not UTF-8 text; save it as UTF-8"],
    "clinic/missing.toml": ["clinic/missing.toml: no such file; check the path"],
    "clinic": ["clinic: is a directory; give a file"],
}


ROSTER_CASES: dict[tuple[str, ...], list[str]] = {
    ("roster/unknown-key.toml",): [
        "roster/unknown-key.toml:7: patients[1].protocl: unknown key 'protocl'; did you mean 'protocol'?",
    ],
    ("roster/top-level-key.toml",): [
        "roster/top-level-key.toml:1: clinic: unknown key 'clinic'; a roster holds only [[patients]] tables",
    ],
    ("roster/patients-not-tables.toml",): [
        "roster/patients-not-tables.toml:1: patients[0]: expected a [[patients]] table of keys, got 'P-001'",
        "roster/patients-not-tables.toml:1: patients[1]: expected a [[patients]] table of keys, got 'P-002'",
    ],
    ("roster/date-as-shown.toml",): [
        "roster/date-as-shown.toml:4:16: TOML syntax error: Expected newline or end of document after a statement "
        "(write a date as YYYY-MM-DD, without quotes, e.g. start_after = 2027-03-01)",
    ],
    ("roster/date-in-quotes.toml",): [
        'roster/date-in-quotes.toml:4: patients[0].start_after: "2026-12-01" is text because of the quotes; '
        "write the date without them: 2026-12-01",
    ],
    ("roster/bad-priority.toml",): [
        "roster/bad-priority.toml:4: patients[0].priority: 'urgnet' is not allowed; did you mean 'urgent'? "
        "(choose one of 'urgent', 'routine')",
    ],
    ("roster/deadline-before-start.toml",): [
        "roster/deadline-before-start.toml:5: patients[0].deadline: 2026-12-31 is before start_after 2027-01-04; "
        "the authorization window must not end before it starts",
    ],
    ("roster/availability-off-grid.toml",): [
        "roster/availability-off-grid.toml:4: patients[0].availability.tue: 10:02 is off the 5-minute slot grid; "
        "use a multiple of 5 minutes",
    ],
    ("roster/unknown-protocol.toml",): [
        "roster/unknown-protocol.toml:8: patients[1].protocol: unknown protocol 'standard-10h'; "
        "did you mean 'standard-10hz'?",
    ],
    ("roster/preferred-chair-unknown.toml",): [
        "roster/preferred-chair-unknown.toml:4: patients[0].preferred_chair: unknown chair 'B'; the chairs are A, N",
    ],
    ("roster/preferred-chair-incapable.toml",): [
        "roster/preferred-chair-incapable.toml:4: patients[0].preferred_chair: chair 'A' lacks capability "
        "'neuronav' that snt needs; chairs that have it: N",
    ],
    ("roster/duplicate-patient.toml",): [
        "roster/duplicate-patient.toml:10: patients[2].id: duplicate patient id 'P-001' (also at line 1); "
        "ids must be unique",
    ],
    # The same patient in two roster files.
    ("roster/first.toml", "roster/second.toml"): [
        "roster/second.toml:6: patients[1].id: duplicate patient id 'P-007' (also at roster/first.toml:2); "
        "ids must be unique",
    ],
    ("roster/several-problems.toml",): [
        "roster/several-problems.toml:3: patients[0].protocol: unknown protocol 'standard-10h'; "
        "did you mean 'standard-10hz'?",
        "roster/several-problems.toml:9: patients[1].deadline: 2026-12-31 is before start_after 2027-01-04; "
        "the authorization window must not end before it starts",
        "roster/several-problems.toml:15: patients[2].unavailabel: unknown key 'unavailabel'; "
        "did you mean 'unavailable'?",
        "roster/several-problems.toml:18: patients[3].id: duplicate patient id 'P-001' (also at line 1); "
        "ids must be unique",
    ],
    # CSV rosters: the line of the row, the column as the path.
    ("roster/unknown-column.csv",): [
        "roster/unknown-column.csv:1: priorty: unknown column 'priorty'; did you mean 'priority'?",
    ],
    ("roster/semicolons.csv",): [
        "roster/semicolons.csv:1: the columns are separated by ';'; save the file as CSV with commas between "
        "columns (in a spreadsheet: CSV, comma-separated)",
    ],
    ("roster/missing-column.csv",): [
        "roster/missing-column.csv:1: protocol: missing column 'protocol'",
    ],
    ("roster/bad-date.csv",): [
        "roster/bad-date.csv:3: deadline: 2027-02-30 is not a date: February 2027 has 28 days; write YYYY-MM-DD",
        "roster/bad-date.csv:4: unavailable: '24/12/2026' is not a date; write YYYY-MM-DD, e.g. 2026-12-01",
    ],
    ("roster/cell-count.csv",): [
        "roster/cell-count.csv:3: 4 cells where the header has 5 columns; a comma is missing or extra "
        "(quote a cell that holds a comma)",
    ],
    ("roster/csv-unknown-protocol.csv",): [
        "roster/csv-unknown-protocol.csv:3: protocol: unknown protocol 'standard-10h'; did you mean 'standard-10hz'?",
        "roster/csv-unknown-protocol.csv:4: mon: windows 07:00-09:00 and 07:30-10:00 overlap; merge them into one",
    ],
    # Problems of every roster file are collected before giving up.
    ("roster/bad-priority.toml", "roster/cell-count.csv"): [
        "roster/bad-priority.toml:4: patients[0].priority: 'urgnet' is not allowed; did you mean 'urgent'? "
        "(choose one of 'urgent', 'routine')",
        "roster/cell-count.csv:3: 4 cells where the header has 5 columns; a comma is missing or extra "
        "(quote a cell that holds a comma)",
    ],
    ("roster/empty.csv",): ["roster/empty.csv:1: empty file; the first line names the columns"],
    ("roster/not-utf8.csv",): ["roster/not-utf8.csv:3: is not UTF-8 text; save it as UTF-8"],
    ("roster/missing.csv",): ["roster/missing.csv: no such file; check the path"],
}


@pytest.mark.parametrize("path", sorted(CLINIC_CASES))
def test_broken_clinic(path: str) -> None:
    code, lines = clinic_errors(path)
    assert lines == [f"error: {line}" for line in CLINIC_CASES[path]]
    assert code == 2


@pytest.mark.parametrize("paths", sorted(ROSTER_CASES), ids=lambda p: "+".join(p))
def test_broken_roster(paths: tuple[str, ...], tmp_path: Path) -> None:
    code, lines = roster_errors(paths, tmp_path / "schedule.toml")
    assert lines == [f"error: {line}" for line in ROSTER_CASES[paths]]
    assert code == 2


@pytest.mark.parametrize("paths", sorted(ROSTER_CASES), ids=lambda p: "+".join(p))
def test_library_reports_the_same_problems(paths: tuple[str, ...]) -> None:
    """The library raises what the CLI prints: one InputError holding every problem."""
    with pytest.raises(InputError) as caught:
        load_setup(BASE_CLINIC, paths)
    assert caught.value.lines() == ROSTER_CASES[paths]


def test_every_broken_file_is_exercised() -> None:
    """A fixture file nobody asserts is a mistake waiting to happen."""
    on_disk = {str(p.relative_to(BROKEN)) for p in BROKEN.rglob("*") if p.is_file()}
    used = {p for p in CLINIC_CASES if (BROKEN / p).is_file()} | {
        p for paths in ROSTER_CASES for p in paths if (BROKEN / p).is_file()
    } | {BASE_CLINIC}
    assert on_disk == used


def test_at_least_twenty_five_broken_files() -> None:
    broken = [p for p in BROKEN.rglob("*") if p.is_file() and p.name != BASE_CLINIC]
    assert len(broken) >= 25


def test_base_clinic_is_valid() -> None:
    """The roster cases fail because of the roster alone."""
    code, lines = clinic_errors(BASE_CLINIC)
    assert (code, lines) == (0, [])


def test_valid_roster_parts_load() -> None:
    """first.toml alone and second.toml alone are fine: only together do they clash."""
    for path in ("roster/first.toml", "roster/second.toml"):
        _, roster = load_setup(BASE_CLINIC, [path])
        assert [p.id for p in roster.patients] in (["P-007"], ["P-008", "P-007"])
