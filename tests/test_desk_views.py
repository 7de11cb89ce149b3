"""The coordinator's views: names from a roster, a closed day's cancellations, staff days,
calls since a revision, authorizations and the waiting list. Snapshots at a fixed width
with colour off (rewrite with TMS_UPDATE_SNAPSHOTS=1 and read the diff)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from tms_sched.cli import main

HERE = Path(__file__).parent
DESK = HERE / "fixtures" / "desk"
SNAPSHOTS = HERE / "snapshots" / "desk"
SCHEDULE = str(DESK / "history.toml")
CLINIC = str(DESK / "clinic.toml")
ROSTER = str(DESK / "roster-names.toml")

CASES = {
    "agenda-closed-day-ids": ["--date", "2027-03-03", "--roster", ROSTER],
    "agenda-closed-day-names": ["--date", "2027-03-03", "--roster", ROSTER, "--include-names"],
    "staff-day": ["--view", "staff", "--date", "2027-03-02", "--roster", ROSTER, "--include-names"],
    "staff-one": ["--view", "staff", "--date", "2027-03-08", "--staff", "dr-kim"],
    "calls-since-1": ["--view", "calls", "--since-revision", "1", "--roster", ROSTER, "--include-names"],
    "calls-ids-only": ["--view", "calls", "--since-revision", "2"],
    "authorizations": ["--view", "authorizations", "--roster", ROSTER, "--today", "2027-04-08"],
    "waitlist": ["--view", "waitlist", "--roster", ROSTER],
    "patient-names": ["--view", "patient", "--patient", "R-001", "--roster", ROSTER, "--include-names"],
}


def show(*args: str, width: int = 100):
    argv = ["show", SCHEDULE, "--clinic", CLINIC, "--today", "2027-03-02", "--width", str(width), *args]
    return CliRunner().invoke(main, argv, catch_exceptions=False)


@pytest.mark.parametrize("name", sorted(CASES))
def test_snapshot(name: str) -> None:
    result = show(*CASES[name])
    assert result.exit_code == 0, result.output
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("TMS_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result.stdout, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}; run with TMS_UPDATE_SNAPSHOTS=1 to write it"
    assert result.stdout == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("width", [60, 80, 160])
def test_fits_width(name: str, width: int) -> None:
    result = show(*CASES[name], width=width)
    assert result.exit_code == 0
    assert max(cell_len(line) for line in result.stdout.splitlines()) <= width


def test_ids_by_default_names_only_when_asked() -> None:
    plain = show("--date", "2027-03-03", "--roster", ROSTER).stdout
    assert "Ada Lovelace" not in plain and "555-0101" not in plain
    named = show("--view", "calls", "--since-revision", "1", "--roster", ROSTER, "--include-names").stdout
    assert "R-001 Ada Lovelace, phone 555-0101" in named
    calls = show("--view", "calls", "--since-revision", "1", "--roster", ROSTER).stdout
    assert "Ada" not in calls and "555" not in calls


def test_a_closed_day_lists_its_cancelled_appointments() -> None:
    text = show("--date", "2027-03-03").stdout
    assert "closed: snow" in text
    assert "2 cancelled appointments to rebook and phone" in text
    assert [line.split()[2] for line in text.splitlines() if "cancelled" in line and ":" in line[:8]] == \
        ["R-002", "R-001"]


def test_calls_lists_cancelled_moved_and_added_with_old_and_new_times() -> None:
    text = show("--view", "calls", "--since-revision", "1").stdout
    assert "  cancelled   Wed 2027-03-03 09:00   -" in text
    assert "  moved       Mon 2027-03-08 09:00   Mon 2027-03-08 10:00   treatment 5" in text
    assert "added                              Tue 2027-04-13 09:00   treatment 2, make-up" in text
    assert text.rstrip().endswith("2 patients to call: 2 cancelled, 5 moved, 2 added")
    # since the latest revision nothing changed
    assert "Nothing changed since revision 4." in show("--view", "calls", "--since-revision", "4").stdout
    # default: since the revision before this one
    assert "since revision 3 (now revision 4)" in show("--view", "calls").stdout


def test_authorization_warnings() -> None:
    text = show("--view", "authorizations", "--roster", ROSTER, "--today", "2027-04-08").stdout
    assert "deadline in 12 days with" in text
    assert "2 planned past the authorization" in text


def test_usage_errors() -> None:
    result = show("--include-names")
    assert result.exit_code == 2 and "--include-names takes the names from a roster" in result.stderr
    result = show("--view", "authorizations")
    assert result.exit_code == 2 and "give --roster FILE" in result.stderr
    result = show("--view", "staff", "--staff", "dr-kin")
    assert result.exit_code == 2 and "did you mean 'dr-kim'?" in result.stderr
    result = show("--view", "calls", "--since-revision", "9")
    assert result.exit_code == 2 and "after the schedule's revision 4" in result.stderr


def test_load_names_the_binding_resource_per_day() -> None:
    text = show("--view", "load", "--date", "2027-03-01", "--to", "2027-03-05").stdout
    lines = text.splitlines()
    at = lines.index("Chairs and staff by day: the resource nearer full binds")
    assert lines[at + 1].split() == ["day", "chair", "use", "staff", "use", "staff", "booked", "/", "on", "shift",
                                     "binds"]
    # Tuesday: two mappings (2 h of staff time) against 13 h on shift, 2 h of 18 h chair time
    assert lines[at + 3].split() == ["Tue", "03-02", "11%", "15%", "2h", "/", "13h", "staff"]
    assert "Wed 03-03" not in "\n".join(lines[at:])  # closed: snow


def test_calls_keep_each_time_on_one_line_when_narrow() -> None:
    text = show("--view", "calls", "--since-revision", "1", width=80).stdout
    assert "  moved       Mon 03-08 09:00   Mon 03-08 10:00   treatment 5" in text
