"""`tms-sched check` as a user runs it: exact output, exit codes, stdout for machines only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from check_helpers import CLINIC, FIXTURES, ROSTER
from tms_sched.check import all_codes
from tms_sched.check.explain import sections
from tms_sched.cli import main


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding the fixture clinic and roster, as the working directory."""
    shutil.copy(CLINIC, tmp_path / "clinic.toml")
    shutil.copy(ROSTER, tmp_path / "roster.toml")
    for case in ("clean", "tms001", "tms101"):
        shutil.copy(FIXTURES / f"{case}.toml", tmp_path / f"{case}.toml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def check(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["check", *args], env=env)


def test_clean_schedule_exits_0_and_says_so(here: Path):
    result = check("clinic.toml", "clean.toml", "--roster", "roster.toml")
    assert result.exit_code == 0
    assert result.stdout == f"No findings (1 schedule, 5 patients, 28 appointments, {len(all_codes())} rules checked).\n"
    assert result.stderr == ""


def test_findings_exit_1_with_file_line_code_and_summary(here: Path):
    result = check("clinic.toml", "tms001.toml", "--roster", "roster.toml", "--format", "text")
    assert result.exit_code == 1
    assert result.stdout == (
        "tms001.toml\n"
        "  tms001.toml:57: TMS001 error: chair B is double-booked: P4's session 2 (P4-02) 10:15-10:45 on Thu "
        "2026-12-10 overlaps P3's session 5 (P3-05) at 10:00-10:30; a chair holds one appointment at a time\n"
        "      patient P4, appointment P4-02, starts 2026-12-10 10:15\n"
        "\n"
        "code    severity  count  rule\n"
        "TMS001  error         1  two appointments overlap on one chair\n"
        f"Found 1 error (1 schedule, 5 patients, 28 appointments, {len(all_codes())} rules checked).\n"
    )
    assert result.stderr == ""


def test_warnings_pass_unless_strict_and_exit_zero_wins(here: Path):
    base = ("clinic.toml", "tms101.toml", "--roster", "roster.toml")
    assert check(*base).exit_code == 0
    assert check(*base, "--strict").exit_code == 1
    assert check(*base, "--strict", "--exit-zero").exit_code == 0
    assert check("clinic.toml", "tms001.toml", "--roster", "roster.toml", "--exit-zero").exit_code == 0


@pytest.mark.parametrize(("options", "codes"), [
    (("--select", "TMS1"), ["TMS101"]),
    (("--select", "TMS001,TMS101"), ["TMS001", "TMS101"]),
    (("--ignore", "TMS001"), ["TMS101"]),
    (("--select", "tms0", "--ignore", "TMS00"), []),
    (("--ignore", "TMS1, TMS001"), []),
])
def test_select_and_ignore_take_codes_and_prefixes(here: Path, options, codes):
    result = check("clinic.toml", "tms001.toml", "tms101.toml", "--roster", "roster.toml", "--format", "json",
                   *options)
    data = json.loads(result.stdout)
    assert [f["code"] for f in data["findings"]] == codes


def test_select_limits_the_rules_that_run(here: Path):
    data = json.loads(check("clinic.toml", "clean.toml", "--roster", "roster.toml", "--format", "json",
                            "--select", "TMS00,TMS1", "--ignore", "TMS002").stdout)
    assert data["rules"] == ["TMS001", "TMS003", "TMS004", "TMS005", "TMS006", "TMS007", "TMS008", "TMS009",
                             "TMS101", "TMS102"]


def test_unknown_code_is_a_usage_error(here: Path):
    result = check("clinic.toml", "clean.toml", "--select", "TMS0,TMS999")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == ("error: --select: 'TMS999' matches no rule; give codes such as TMS001 or prefixes "
                             "such as TMS1, comma-separated (`tms-sched check --explain CODE` describes one)\n")


def test_format_auto_is_github_on_github_actions(here: Path):
    args = ("clinic.toml", "tms001.toml", "--roster", "roster.toml")
    on_ci = check(*args, env={"GITHUB_ACTIONS": "true"})
    assert on_ci.stdout.startswith("::group::tms001.toml\n::error file=tms001.toml,line=57,title=TMS001 ")
    assert check(*args).stdout.startswith("tms001.toml\n  tms001.toml:57: TMS001 error")
    assert check(*args, "--format", "text", env={"GITHUB_ACTIONS": "true"}).stdout.startswith("tms001.toml\n")


def test_without_a_roster_one_line_on_stderr_and_machine_output_stays_clean(here: Path):
    result = check("clinic.toml", "clean.toml", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == ("note: no roster given (--roster FILE, or [[patients]] in the clinic file): "
                             "TMS004, TMS013, TMS018 and TMS021 were not checked\n")
    data = json.loads(result.stdout)
    assert data["not_checked"] == {"TMS004": "no roster", "TMS013": "no roster", "TMS018": "no roster", "TMS021": "no roster"}


def test_patients_in_the_clinic_file_are_a_roster(here: Path):
    inline = here / "clinic-with-patients.toml"
    inline.write_text((here / "clinic.toml").read_text() + "\n" + (here / "roster.toml").read_text())
    result = check(inline.name, "clean.toml")
    assert (result.exit_code, result.stderr) == (0, "")
    broken = here / "no-unplaced.toml"
    broken.write_text((here / "clean.toml").read_text().split("[[unplaced]]")[0])
    result = check(inline.name, broken.name, "--format", "json")
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["code"], finding["file"], finding["patient"]) == ("TMS018", inline.name, "P6")


def test_each_schedule_is_checked_on_its_own(here: Path):
    result = check("clinic.toml", "clean.toml", "tms001.toml", "--roster", "roster.toml", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [(s["file"], s["errors"]) for s in data["schedules"]] == [("clean.toml", 0), ("tms001.toml", 1)]


def test_explain_prints_the_rule_section(here: Path):
    result = check("--explain", "tms010")
    assert result.exit_code == 0
    assert result.stdout == sections()["TMS010"]
    assert result.stdout.startswith("## TMS010: gap between same-day sessions below min_gap_minutes\n")


def test_explain_unknown_code(here: Path):
    result = check("--explain", "TMS99")
    assert result.exit_code == 2
    assert result.stderr == ("error: --explain: unknown rule 'TMS99'. Did you mean TMS019? The rules are "
                             "TMS001-TMS021 (errors) and TMS101-TMS102 (warnings)\n")


def test_missing_arguments_is_a_usage_error(here: Path):
    result = check("clinic.toml")
    assert result.exit_code == 2
    assert "give the clinic file and at least one schedule" in result.stderr


def test_unreadable_input_exits_2_with_file_and_line(here: Path):
    (here / "syntax.toml").write_text('[schedule]\nclinic = "x\n')
    (here / "typo.toml").write_text((here / "clean.toml").read_text().replace('minutes = 45, staff', 'minutse = 45, staff', 1))
    result = check("clinic.toml", "missing.toml", "syntax.toml", "typo.toml", "--roster", "roster.toml")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "error: missing.toml: no such file; check the path"
    assert lines[1].startswith("error: syntax.toml:2:")
    assert "TOML syntax error" in lines[1]
    assert lines[2:] == [
        "error: typo.toml:17: patients[0].appointments[1].minutse: unknown key 'minutse'; did you mean 'minutes'?",
    ]
    assert "Traceback" not in result.stderr


def test_a_bad_roster_exits_2(here: Path):
    (here / "bad-roster.toml").write_text('[[patients]]\nid = "P1"\nprotocol = "mini-dialy"\n')
    result = check("clinic.toml", "clean.toml", "--roster", "bad-roster.toml")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: bad-roster.toml:3: patients[0].protocol: unknown protocol 'mini-dialy'; "
                                    "did you mean 'mini-daily'?")


def test_help_lists_every_option():
    result = CliRunner().invoke(main, ["check", "--help"])
    assert result.exit_code == 0
    for option in ("--roster", "--format", "--select", "--ignore", "--strict", "--exit-zero", "--explain"):
        assert option in result.stdout


def test_a_schedule_of_another_clinic_is_noted(here: Path):
    other = here / "other.toml"
    other.write_text((here / "clean.toml").read_text().replace('clinic = "Fixture TMS Clinic"', 'clinic = "Elsewhere"'))
    result = check("clinic.toml", "other.toml", "--roster", "roster.toml")
    assert result.exit_code == 0
    assert result.stderr == ("note: other.toml was written for clinic 'Elsewhere', but the clinic file describes "
                             "'Fixture TMS Clinic'\n")


def test_a_csv_roster_patient_left_out_points_at_its_row(here: Path):
    (here / "more.csv").write_text("id,protocol,start_after\nP8,mini-daily,2026-12-01\nP9,mini-accel,\n")
    result = check("clinic.toml", "clean.toml", "--roster", "roster.toml", "--roster", "more.csv", "--format", "json")
    assert result.exit_code == 1
    found = [(f["code"], f["file"], f["line"], f["patient"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [("TMS018", "more.csv", 2, "P8"), ("TMS018", "more.csv", 3, "P9")]


def test_swapped_clinic_and_schedule_say_which_comes_first(here: Path):
    result = check("clean.toml", "clinic.toml")
    assert result.exit_code == 2
    assert "clean.toml is a schedule; the clinic file comes first: tms-sched check clinic.toml clean.toml" \
        in result.output
