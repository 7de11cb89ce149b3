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
