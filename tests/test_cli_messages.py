"""Messages a new user meets: files in the wrong place, a missing argument, rule
selections that leave nothing, hints that point at the right fix, plain counts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tms_sched.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture()
def ex(tmp_path: Path, examples_dir: Path) -> Path:
    for p in examples_dir.iterdir():
        shutil.copy(p, tmp_path / p.name)
    return tmp_path


# -- 1. files in the wrong order -----------------------------------------------------------

@pytest.mark.parametrize("args, misplaced, says", [
    (["plan", "{clinic}", "--roster", "{schedule}", "-o", "{out}"], "schedule", "a schedule to replan after --schedule"),
    (["plan", "{schedule}", "-o", "{out}"], "schedule", "a schedule to replan after --schedule"),
    (["show", "{clinic}", "--clinic", "{schedule}"], "clinic", "the clinic file after --clinic"),
    (["show", "{schedule}", "--clinic", "{roster}"], "roster", "the clinic file after --clinic"),
    (["export", "ical", "{clinic}", "--clinic", "{schedule}", "--by", "clinic", "-o", "{out}"], "schedule",
     "the clinic file after --clinic"),
    (["check", "{clinic}", "{schedule}", "--roster", "{schedule}"], "schedule", "rosters after --roster"),
])
def test_a_file_in_the_wrong_place_is_named_for_what_it_is(ex: Path, args: list[str], misplaced: str,
                                                             says: str) -> None:
    files = {"clinic": ex / "clinic.toml", "schedule": ex / "schedule.toml", "roster": ex / "roster.toml",
             "out": ex / "out"}
    result = run(*(a.format(**{k: str(v) for k, v in files.items()}) for a in args))
    assert result.exit_code == 2
    # One sentence per misplaced file (two when swapped), not every key the wrong reader met.
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 2 and all(": this is a" in line and says in line for line in lines), result.stderr
    wanted = {"schedule": "a schedule", "clinic": "a clinic file", "roster": "a roster"}[misplaced]
    assert any(line.startswith(f"error: {files[misplaced]}: this is {wanted}, not ") for line in lines)
    assert "Traceback" not in result.output
    assert not (ex / "out").exists()


def test_a_wrong_file_of_no_known_kind_keeps_its_key_by_key_errors(ex: Path) -> None:
    (ex / "odd.toml").write_text('[chair]\nid = "A"\n', encoding="utf-8")
    result = run("plan", str(ex / "odd.toml"), "-o", str(ex / "out.toml"))
    assert result.exit_code == 2
    assert "this is" not in result.stderr and "missing required key" in result.stderr


# -- 3. rule selections ----------------------------------------------------------------------

def test_ignoring_every_rule_says_nothing_is_left_to_check(ex: Path) -> None:
    result = run("check", str(ex / "clinic.toml"), str(ex / "schedule.toml"), "--ignore", "TMS0,TMS1")
    assert result.exit_code == 0
    assert "0 rules checked" in result.stdout
    assert "warning: --ignore TMS0,TMS1 leaves no rule to check" in result.stderr


def test_selecting_only_rules_that_need_a_roster_without_one_says_so(ex: Path) -> None:
    result = run("check", str(ex / "clinic.toml"), str(ex / "schedule.toml"), "--select", "TMS004")
    assert "0 rules checked" in result.stdout
    assert "warning: every rule selected needs a roster (--roster FILE), so no rule is left" in result.stderr


@pytest.mark.parametrize("option, token", [("--ignore", "TMS9"), ("--select", "XYZ1"), ("--select", "TMS0,TMS42")])
def test_a_code_that_matches_no_rule_is_a_usage_error(ex: Path, option: str, token: str) -> None:
    result = run("check", str(ex / "clinic.toml"), str(ex / "schedule.toml"), option, token)
    assert result.exit_code == 2
    bad = token.split(",")[-1]
    assert result.stderr.startswith(f"error: {option}: '{bad}' matches no rule")
    assert result.stdout == ""


def test_the_summary_counts_the_rules_that_ran(ex: Path) -> None:
    result = run("check", str(ex / "clinic.toml"), str(ex / "schedule.toml"))
    assert "TMS004, TMS013 and TMS018 were not checked" in result.stderr
    assert result.stdout.splitlines()[-1].endswith(", 17 rules checked).")
    with_roster = run("check", str(ex / "clinic.toml"), str(ex / "schedule.toml"),
                      "--roster", str(ex / "roster.toml"), "--roster", str(ex / "roster.csv"))
    assert with_roster.stdout.splitlines()[-1].endswith(", 20 rules checked).")


# -- 2. a missing TO ---------------------------------------------------------------------------

def test_chair_down_without_its_to_date_says_to_is_missing(ex: Path) -> None:
    before = (ex / "schedule.toml").read_bytes()
    result = run("mark", str(ex / "schedule.toml"), "--chair-down", "A", "2026-12-16", "--today", "2026-12-10")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --chair-down takes CHAIR FROM TO, and TO is missing "
                                    "('--today' is an option)")
    assert "unexpected" not in result.stderr
    assert (ex / "schedule.toml").read_bytes() == before
    result = run("mark", str(ex / "schedule.toml"), "--chair-down", "A", "--reason", "coil", "x")
    assert "FROM and TO are missing" in result.stderr
