"""`tms-sched show` as a command: bad arguments, HTML and SVG files, colour in a real terminal."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tms_sched.cli import main

HERE = Path(__file__).parent
FIX = HERE / "fixtures" / "show"
SCHEDULE = str(FIX / "schedule.toml")
CLINIC = str(FIX / "clinic.toml")
TODAY = "2027-03-17"


def show(*args: str, schedule: str = SCHEDULE, clinic: str = CLINIC, today: str | None = TODAY):
    argv = ["show", schedule, "--clinic", clinic, *args]
    if today:
        argv += ["--today", today]
    return CliRunner().invoke(main, argv, catch_exceptions=False)


@pytest.mark.parametrize("args, message", [
    (["--view", "patient", "--patient", "P-101"],
     f"error: unknown patient 'P-101' in {SCHEDULE} (it has 6: P-0101, P-0102, P-0103, P-0104, P-0105, "
     "P-0106); did you mean 'P-0101'?"),
    (["--view", "week", "--chair", "c"],
     "error: unknown chair 'c' (the clinic's chairs are A, B, C); did you mean 'C'?"),
    (["--view", "patient"],
     "error: the patient view shows one course; name it with --patient (e.g. --patient P-0101)"),
    (["--date", "2027-09-01"],
     f"error: 2027-09-01 is outside the schedule {SCHEDULE}, which runs from 2027-02-25 to 2027-07-22; "
     "give a --date in that range"),
    (["--date", "2027-02-24", "--view", "chairs"],
     f"error: 2027-02-24 is outside the schedule {SCHEDULE}, which runs from 2027-02-25 to 2027-07-22; "
     "give a --date in that range"),
    (["--view", "week", "--date", "2027-08-02"],
     f"error: the week of 2027-08-02 is outside the schedule {SCHEDULE}, which runs from 2027-02-25 to "
     "2027-07-22; give a --date in that range"),
    (["--view", "load", "--date", "2026-12-01", "--to", "2027-01-31"],
     f"error: 2026-12-01 to 2027-01-31 is outside the schedule {SCHEDULE}, which runs from 2027-02-25 to "
     "2027-07-22; give a --date in that range"),
    (["--date", "2027-03-19", "--to", "2027-03-15"],
     "error: --to 2027-03-15 is before --date 2027-03-19; give the earlier day first"),
    (["--view", "chairs", "--date", "2027-03-15", "--to", "2027-03-19"],
     "error: the chairs view shows one day; give --date without --to (or use --view load)"),
])
def test_bad_arguments_get_a_sentence_and_exit_2(args: list[str], message: str) -> None:
    result = show(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == message


def test_today_outside_the_schedule_asks_for_a_date() -> None:
    result = show(today="2028-01-10")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: today (2028-01-10) is outside the schedule {SCHEDULE}, which runs from 2027-02-25 to "
        "2027-07-22; give a --date in that range")


@pytest.mark.parametrize("view", ["agenda", "chairs"])
def test_planned_ahead_shows_the_first_day_with_a_note(view: str) -> None:
    # Planned on Monday 2027-02-22 for courses from Thursday 2027-02-25.
    result = show("--view", view, today="2027-02-22")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == (f"note: {SCHEDULE} begins on 2027-02-25, after today (2027-02-22); "
                                     "showing that day (--date picks another)")
    assert result.stdout == show("--view", view, "--date", "2027-02-25").stdout


def test_unreadable_date_is_a_usage_error() -> None:
    result = show("--date", "someday")
    assert result.exit_code == 2
    assert "'someday' is not a date; use YYYY-MM-DD, today, tomorrow or a weekday name" in result.stderr


def test_missing_schedule_file_is_an_input_error() -> None:
    result = show(schedule=str(FIX / "nope.toml"))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {FIX / 'nope.toml'}: no such file; check the path"


def test_weekday_names_are_relative_to_today() -> None:
    result = show("--date", "friday")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "Agenda of Bayside TMS, 2027-03-19"


def test_a_schedule_without_appointments() -> None:
    result = show(schedule=str(FIX / "empty.toml"))
    assert result.exit_code == 0
    assert result.stdout == f"{FIX / 'empty.toml'} has no appointments to show.\n"
    result = show("--view", "patient", "--patient", "P-0301", schedule=str(FIX / "empty.toml"))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["P-0301, snt", "  not booked: no chair with capability 'neuronav'"]


def test_a_schedule_for_another_clinic_warns() -> None:
    result = show("--date", "2026-10-30", schedule=str(FIX / "fallback.toml"),
                  clinic=str(HERE.parent / "config.example.toml"))
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"warning: {FIX / 'fallback.toml'} was planned for 'Bayside TMS', not for 'Riverside TMS Center' "
        f"({HERE.parent / 'config.example.toml'})",
        f"warning: {FIX / 'fallback.toml'} is in America/Los_Angeles but {HERE.parent / 'config.example.toml'} "
        "is in America/New_York; showing America/New_York wall-clock times",
    ]
    # Shown in the clinic's zone: 08:00 in Los Angeles is 11:00 in New York.
    assert re.search(r"^  11:00-11:40\s+A\s+P-0201\s+treatment\s+2 of 30", result.stdout, re.M)


@pytest.mark.parametrize("view", ["agenda", "week", "patient", "chairs", "load"])
def test_html_and_svg_hold_the_same_view(tmp_path: Path, view: str) -> None:
    args = ["--view", view, "--date", "2027-03-16", "--width", "100"]
    if view == "patient":
        args = ["--view", view, "--patient", "P-0102", "--width", "100"]
    plain = show(*args).stdout
    html_path, svg_path = tmp_path / "view.html", tmp_path / "view.svg"
    result = show(*args, "--html", str(html_path), "--svg", str(svg_path))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"wrote {html_path}", f"wrote {svg_path}"]
    page = html_path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert f"<title>tms-sched show --view {view}: Bayside TMS</title>" in page
    assert "\x1b" not in page
    assert re.search(r"color: #[0-9a-f]{6}", page)  # the file keeps the colours
    body = re.sub(r"<[^>]+>", "", page.split("<pre>", 1)[1].split("</pre>", 1)[0])
    body = body.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    assert [line.rstrip() for line in body.splitlines()] == plain.splitlines()
    svg = svg_path.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    first_line = plain.splitlines()[0]
    assert first_line.split(",")[0].replace(" ", "&#160;") in svg


def test_export_into_a_missing_folder_fails_plainly(tmp_path: Path) -> None:
    target = tmp_path / "no" / "view.html"
    result = show("--html", str(target))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {target}: the folder {target.parent} does not exist"


def run_in_terminal(env: dict[str, str], *args: str, columns: int = 100) -> bytes:
    """Run `tms-sched show` with its output on a pseudo-terminal, as in an interactive shell."""
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "tms_sched", "show", SCHEDULE, "--clinic", CLINIC, "--today", TODAY,
               *(args or ("--view", "week"))]
    process = subprocess.Popen(command, stdout=follower, stderr=follower, stdin=subprocess.DEVNULL,
                               env={**base, "COLUMNS": str(columns), "TERM": "xterm-256color", **env})
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=30)
    os.close(leader)
    assert process.returncode == 0, b"".join(chunks).decode()
    return b"".join(chunks)


def test_colour_in_a_terminal_and_none_with_no_color() -> None:
    coloured = run_in_terminal({})
    assert b"\x1b[" in coloured
    plain = run_in_terminal({"NO_COLOR": "1"})
    assert b"\x1b" not in plain
    # The same text either way: colour only repeats what the symbols say.
    escapes = re.compile(rb"\x1b\[[0-9;]*m")
    lines = [line.rstrip() for line in escapes.sub(b"", coloured).decode().splitlines()]
    assert lines == [line.rstrip() for line in plain.decode().splitlines()]
    assert "█ booked   ▒ partly booked   · free   ╱ no staff   (blank) closed or chair down" in lines


def test_the_shared_example_schedule(examples_dir: Path) -> None:
    schedule, clinic = str(examples_dir / "schedule.toml"), str(examples_dir / "clinic.toml")
    result = show("--date", "2026-12-07", "--chair", "C", schedule=schedule, clinic=clinic, today="2026-12-03")
    assert result.exit_code == 0, result.output
    assert re.search(r"^  08:00-09:00\s+C\s+P-0002\s+mapping\s+1 of 25\s+○ planned\s+with dr-kim$",
                     result.stdout, re.M)
    result = show("--view", "patient", "--patient", "P-0001", schedule=schedule, clinic=clinic, today="2026-12-03")
    assert result.exit_code == 0, result.output
    assert re.search(r"^progress\s+1 of 30 done \(3 planned, 1 missed, 26 not booked\)$", result.stdout, re.M)
    assert re.search(r"^ 7 01-11\s+○2\*\s+1○$", result.stdout, re.M)   # the make-up of the missed session


@pytest.mark.parametrize("view", ["agenda", "week", "chairs", "load"])
def test_a_narrow_terminal_gets_a_view_that_fits(view: str) -> None:
    raw = run_in_terminal({}, "--view", view, "--date", "2027-03-16", columns=60)
    text = re.sub(r"\x1b\[[0-9;]*m", "", raw.decode())
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").splitlines()]
    assert len(lines) > 10
    assert max(len(line) for line in lines) <= 60
    if view == "agenda":
        assert "  08:00-08:40   A       P-0101     ✓   treatment, 12 of 30" in lines
