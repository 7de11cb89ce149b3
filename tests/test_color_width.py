"""--color, NO_COLOR and FORCE_COLOR; COLUMNS in a pipe; no padding at the ends of plain lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tms_sched.cli import main

FUZZ = Path(__file__).parent / "fixtures" / "fuzz"
ESC = "\x1b["


@pytest.fixture
def clinic(tmp_path) -> str:
    text = (FUZZ / "base-clinic.toml").read_text().replace(
        'reason = "training"', 'reason = "annual staff training on the new coil and on the navigation system"')
    (tmp_path / "clinic.toml").write_text(text)
    return str(tmp_path / "clinic.toml")


def closures(clinic: str, *before: str, env: dict[str, str] | None = None) -> str:
    base = {"NO_COLOR": "", "FORCE_COLOR": "", "COLUMNS": ""}
    result = CliRunner().invoke(main, [*before, "closures", clinic, "--from", "2027-02-01", "--to", "2027-02-28"],
                                env={**base, **(env or {})})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("before, env, colour", [
    ((), {}, False),                                        # a pipe: plain
    (("--color", "always"), {}, True),
    (("--color", "never"), {"FORCE_COLOR": "1"}, False),
    ((), {"FORCE_COLOR": "1"}, True),
    ((), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),     # NO_COLOR wins with auto
    (("--color", "always"), {"NO_COLOR": "1"}, True),       # the option wins over both
])
def test_colour_follows_the_option_then_the_environment(clinic, before, env, colour):
    assert (ESC in closures(clinic, *before, env=env)) is colour


def test_columns_sets_the_width_in_a_pipe(clinic):
    narrow = closures(clinic, env={"COLUMNS": "44"})
    assert max(len(line) for line in narrow.splitlines()) <= 44
    assert max(len(line) for line in closures(clinic).splitlines()) > 44  # without COLUMNS: 100


@pytest.mark.parametrize("args", [["closures", "CLINIC", "--from", "2027-02-01", "--to", "2027-02-28"],
                                  ["protocols"], ["protocols", "snt"]])
def test_plain_output_has_no_trailing_spaces(clinic, args):
    output = CliRunner().invoke(main, [clinic if a == "CLINIC" else a for a in args], env={"COLUMNS": "60"}).output
    assert output.strip()
    assert [line for line in output.splitlines() if line != line.rstrip()] == []


def test_color_is_documented_in_the_group_help():
    out = CliRunner().invoke(main, ["--help"]).output
    assert "--color [auto|always|never]" in out and "FORCE_COLOR" in out
