"""Numbers and dates beyond what a clinic means are refused at their line; user text stays text."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tms_sched.cli import main

FUZZ = Path(__file__).parent / "fixtures" / "fuzz"
TODAY = ["--today", "2027-01-04"]


@pytest.fixture
def site(tmp_path, monkeypatch):
    for kind in ("clinic", "roster", "schedule"):
        shutil.copy(FUZZ / f"base-{kind}.toml", tmp_path / f"{kind}.toml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def replace(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in the file; the 1-based line it was on."""
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:at].count("\n") + 1


@pytest.mark.parametrize("kind, old, new, words", [
    ("schedule", "minutes = 40", "minutes = 1000000000000", "minutes lies between 0 and 1440"),
    ("schedule", "start = 2027-01-06T08:30:00-08:00", "start = 9999-12-31T08:30:00-08:00", "years 1900 to 2199"),
    ("schedule", "start = 2027-01-06T08:30:00-08:00", "start = 0001-01-01T08:30:00-08:00", "years 1900 to 2199"),
    ("schedule", 'status = "planned", revision = 1 }', 'status = "planned", revision = 2147483648 }',
     "revision lies between 0 and 2147483647"),
    ("clinic", "end = 2027-01-12T18:00:00", "end = 9999-12-31T18:00:00", "years 1900 to 2199"),
    ("clinic", "window_days = [-14, -1]", "window_days = [-1000000, -1]", "window_days lies between -3660 and 3660"),
    ("clinic", "session_minutes = 40", "session_minutes = 9223372036854775807", "session_minutes lies between"),
    ("clinic", "max_span_days = 56", "max_span_days = 9223372036854775807", "max_span_days lies between"),
    ("roster", "deadline = 2027-04-30", "deadline = 9999-12-31", "years 1900 to 2199"),
])
def test_out_of_range_value_is_refused_at_its_line(site, kind, old, new, words):
    line = replace(site / f"{kind}.toml", old, new)
    result = run("check", "clinic.toml", "schedule.toml", "--roster", "roster.toml")
    assert result.exit_code == 2, result.output
    assert f"error: {kind}.toml:{line}:" in result.output
    assert words in result.output
    assert "internal error" not in result.output


def test_json_schedule_is_bounded_too(site):
    run("plan", "clinic.toml", "--roster", "roster.toml", "-o", "s.json", *TODAY)
    data = json.loads((site / "s.json").read_text())
    data["patients"][0]["appointments"][1]["minutes"] = 10**12
    (site / "s.json").write_text(json.dumps(data))
    result = run("check", "clinic.toml", "s.json")
    assert result.exit_code == 2
    assert "minutes lies between 0 and 1440" in result.output


def test_csv_roster_dates_are_bounded_at_their_row(site):
    (site / "roster.csv").write_text("id,protocol,start_after,deadline\nP-9,standard-10hz,2027-01-04,2027-03-01\n"
                                     "P-10,standard-10hz,2027-01-04,9999-12-31\n")
    result = run("plan", "clinic.toml", "--roster", "roster.csv", "-o", "x.toml", *TODAY)
    assert result.exit_code == 2
    assert "roster.csv:3: deadline: 9999-12-31 lies outside the years" in result.output


def test_closed_ranges_across_the_calendar_are_refused_quickly(site):
    line = replace(site / "clinic.toml", 'closed = [{ start = 2027-02-15, end = 2027-02-16, reason = "training" }]',
                   'closed = [{ start = 0001-01-01, end = 9999-12-31 }, { start = 0001-01-02, end = 9999-12-30 }]')
    result = run("check", "clinic.toml", "schedule.toml")
    assert result.exit_code == 2
    assert f"clinic.toml:{line}: clinic.closed[0].start: 0001-01-01 lies outside" in result.output


def test_an_empty_weekday_list_means_closed_that_day(site):
    replace(site / "clinic.toml", 'wed = "07:30-18:00"', "wed = []")
    result = run("plan", "clinic.toml", "--roster", "roster.toml", "-o", "x.toml", *TODAY)
    assert result.exit_code in (0, 1), result.output
    assert "T08:30:00-08:00" in (site / "x.toml").read_text()
    assert "2027-01-06T" not in (site / "x.toml").read_text()  # a Wednesday


def test_time_zone_mismatch_names_the_line(site):
    line = replace(site / "schedule.toml", 'timezone = "America/Los_Angeles"', 'timezone = "America/New_York"')
    result = run("plan", "clinic.toml", "--schedule", "schedule.toml", *TODAY)
    assert result.exit_code == 2
    assert f"error: schedule.toml:{line}: schedule.timezone: the schedule is in America/New_York" in result.output


@pytest.mark.parametrize("table", ["clinic", "chairs"])
def test_a_missing_table_points_at_the_first_line(site, table):
    text = (site / "clinic.toml").read_text()
    if table == "clinic":
        text = text[text.index("[[chairs]]"):]
    else:
        text = text[:text.index("[[chairs]]")] + text[text.index("[[staff]]"):]
    (site / "clinic.toml").write_text(text)
    result = run("check", "clinic.toml", "schedule.toml")
    assert result.exit_code == 2
    assert f"error: clinic.toml:1: {table}: missing required key '{table}'" in result.output


def test_patient_id_is_printed_as_text_not_markup(site):
    replace(site / "roster.toml", 'id = "P-3"', 'id = "[/]"')
    replace(site / "roster.toml", 'id = "P-1"', 'id = "[bold]Z"')
    result = run("plan", "clinic.toml", "--roster", "roster.toml", "-o", "x.toml", *TODAY)
    assert result.exit_code in (0, 1), result.output
    rows = [line.split()[0] for line in result.output.splitlines() if line.strip()]
    assert "[bold]Z" in rows and "[/]" in rows


def test_closure_reason_and_protocol_source_are_printed_as_text(site):
    replace(site / "clinic.toml", 'reason = "training"', 'reason = "[/] and [bold]Z"')
    replace(site / "clinic.toml", 'source = "clinic practice"', 'source = "[/]"')
    result = run("closures", "clinic.toml", "--from", "2027-02-01", "--to", "2027-02-28")
    assert result.exit_code == 0, result.output
    assert "[/] and [bold]Z" in result.output
    result = run("protocols", "custom", "--clinic", "clinic.toml")
    assert result.exit_code == 0, result.output
    assert "[/]" in result.output
