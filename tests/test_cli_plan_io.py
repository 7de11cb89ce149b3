"""`tms-sched plan` as a user runs it: output files, formats, refusals, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
import tomli
from click.testing import CliRunner

from tms_sched.cli import main

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = str(REPO / "config.example.toml")
TODAY = "2026-11-30"


def run(*args: str, cwd: Path | None = None):
    runner = CliRunner()
    return runner.invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def example_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The example clinic planned once for the module: the schedule (never written to; a
    test that changes a schedule copies it first) and what plan printed."""
    out = tmp_path_factory.mktemp("example") / "schedule.toml"
    result = run("plan", EXAMPLE, "--today", TODAY, "-o", str(out))
    assert result.exit_code == 0, result.output
    return out, result.output


def copy_of(example_plan: tuple[Path, str], folder: Path) -> Path:
    out = folder / "schedule.toml"
    shutil.copy(example_plan[0], out)
    return out


def test_plans_the_example_out_of_the_box(example_plan: tuple[Path, str]) -> None:
    out, output = example_plan
    assert "10 patients placed, 0 not placed" in output
    data = tomli.loads(out.read_text())
    assert data["schedule"]["revision"] == 1
    assert str(data["schedule"]["updated"]) == TODAY
    assert sorted(p["id"] for p in data["patients"]) == [f"R-{i:03d}" for i in range(1, 11)]
    assert "unplaced" not in data


def test_same_inputs_give_a_byte_identical_schedule(tmp_path: Path, example_plan: tuple[Path, str]) -> None:
    again = tmp_path / "again.toml"
    run("plan", EXAMPLE, "--today", TODAY, "-o", str(again))
    assert again.read_bytes() == example_plan[0].read_bytes()


def test_dash_writes_the_schedule_to_stdout_and_the_summary_to_stderr(example_plan: tuple[Path, str]) -> None:
    result = run("plan", EXAMPLE, "--today", TODAY, "-o", "-")
    assert result.exit_code == 0
    assert result.stdout == example_plan[0].read_text()
    assert tomli.loads(result.stdout)["schedule"]["clinic"] == "Riverside TMS Center"
    assert "patients placed" in result.stderr


def test_json_summary_and_json_schedule(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    result = run("plan", EXAMPLE, "--today", TODAY, "-o", str(out), "--format", "json")
    summary = json.loads(result.output)
    assert summary["schedule"] == str(out)
    assert summary["unplaced"] == []
    r001 = next(p for p in summary["placed"] if p["id"] == "R-001")
    assert r001["protocol"] == "standard-10hz" and r001["sessions"] == 30
    assert json.loads(out.read_text())["schedule"]["revision"] == 1


def test_csv_export_has_one_row_per_appointment(tmp_path: Path, example_plan: tuple[Path, str]) -> None:
    toml_out, csv_out = example_plan[0], tmp_path / "s.csv"
    run("plan", EXAMPLE, "--today", TODAY, "-o", str(csv_out))
    rows = csv_out.read_text().splitlines()
    appointments = sum(len(p["appointments"]) for p in tomli.loads(toml_out.read_text())["patients"])
    assert rows[0].startswith("patient,protocol,id,kind")
    assert len(rows) == appointments + 1


def test_never_overwrites_a_file_that_is_not_a_schedule(tmp_path: Path) -> None:
    precious = tmp_path / "notes.toml"
    precious.write_text('title = "my notes"\n')
    result = run("plan", EXAMPLE, "--today", TODAY, "-o", str(precious))
    assert result.exit_code == 2
    assert "is not a tms-sched schedule; refusing to overwrite it" in result.output
    assert precious.read_text() == 'title = "my notes"\n'


def test_never_replaces_a_schedule_that_records_attendance(tmp_path: Path, example_plan: tuple[Path, str]) -> None:
    out = copy_of(example_plan, tmp_path)
    # Nothing recorded yet: a fresh plan may replace it.
    assert run("plan", EXAMPLE, "--today", TODAY, "-o", str(out)).exit_code == 0
    marked = run("mark", str(out), "--through", "2026-12-04", "done", "--today", "2026-12-07")
    assert marked.exit_code == 0, marked.output
    before = out.read_bytes()
    result = run("plan", EXAMPLE, "--today", "2026-12-07", "-o", str(out))
    assert result.exit_code == 2
    assert "appointments marked done, missed or cancelled; a fresh plan would lose them" in result.output
    assert f"tms-sched plan {EXAMPLE} --schedule {out}" in result.output
    assert out.read_bytes() == before
    # Replanning, as the message says, keeps them.
    again = run("plan", EXAMPLE, "--schedule", str(out), "--today", "2026-12-07")
    assert again.exit_code == 0, again.output
    assert 'status = "done"' in out.read_text()


def test_missing_output_folder_is_a_plain_error(tmp_path: Path) -> None:
    result = run("plan", EXAMPLE, "--today", TODAY, "-o", str(tmp_path / "nowhere" / "s.toml"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_unplaced_patients_exit_1_and_are_written_with_a_reason(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic.toml"
    clinic.write_text(
        '[clinic]\nname = "Small"\ntimezone = "Europe/Berlin"\n'
        '[clinic.hours]\nmon = "08:00-16:00"\ntue = "08:00-16:00"\nwed = "08:00-16:00"\n'
        'thu = "08:00-16:00"\nfri = "08:00-16:00"\n'
        '[[chairs]]\nid = "A"\ncapabilities = ["10hz"]\n'
        '[[patients]]\nid = "X"\nprotocol = "snt"\n'
        '[[patients]]\nid = "Y"\nprotocol = "standard-10hz"\n'
    )
    out = tmp_path / "s.toml"
    result = run("plan", str(clinic), "--today", TODAY, "-o", str(out))
    assert result.exit_code == 1
    data = tomli.loads(out.read_text())
    assert [p["id"] for p in data["patients"]] == ["Y"]
    assert data["unplaced"] == [{"id": "X", "protocol": "snt", "reason":
                                 "no chair has capability 'neuronav' that snt needs (add it to a chair's capabilities)"}]


def test_replan_options_need_a_schedule() -> None:
    result = run("plan", EXAMPLE, "--today", TODAY, "--freeze-days", "3")
    assert result.exit_code == 2
    assert "--freeze-days and --diff need --schedule FILE" in result.output


def test_replan_writes_in_place_and_a_second_replan_changes_nothing(tmp_path: Path,
                                                                   example_plan: tuple[Path, str]) -> None:
    schedule = copy_of(example_plan, tmp_path)
    first = schedule.read_bytes()
    result = run("plan", EXAMPLE, "--today", TODAY, "--schedule", str(schedule), "--diff")
    assert result.exit_code == 0
    assert "no changes" in result.output
    assert schedule.read_bytes() == first


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    # list_commands and get_command: the group loads its command modules on demand.
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))


@pytest.mark.parametrize("path", [p for p, _ in _commands(main)], ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    command = dict(_commands(main))[path]
    assert (command.help or "").strip(), f"{' '.join(path)} has no help text"
    result = run(*path, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"{' '.join(path)} {param.opts[0]} has no help text"


def test_the_example_plan_checks_strict_clean(example_plan: tuple[Path, str]) -> None:
    result = run("check", EXAMPLE, str(example_plan[0]), "--strict", "--format", "json")
    assert result.exit_code == 0, result.output


def test_replanning_refuses_a_schedule_with_a_duplicate_id_or_a_wrong_offset(tmp_path: Path,
                                                                            example_plan: tuple[Path, str]) -> None:
    out = copy_of(example_plan, tmp_path)
    good = out.read_text()
    lines = good.splitlines()
    # Give the second appointment of the first patient the first one's id.
    rows = [i for i, line in enumerate(lines) if line.lstrip().startswith("{ id = ")]
    first_id = lines[rows[0]].split('"')[1]
    second_id = lines[rows[1]].split('"')[1]
    lines[rows[1]] = lines[rows[1]].replace(f'id = "{second_id}"', f'id = "{first_id}"', 1)
    out.write_text("\n".join(lines) + "\n")
    result = run("plan", EXAMPLE, "--schedule", str(out), "--today", TODAY)
    assert result.exit_code == 2
    assert f"schedule.toml:{rows[1] + 1}: TMS016: appointment id {first_id} is used twice" in result.output
    assert "mend these in the file, then replan" in result.output
    # The wrong UTC offset for the clinic's zone (New York in December is -05:00).
    out.write_text(good.replace("-05:00", "+00:00", 1))
    result = run("plan", EXAMPLE, "--schedule", str(out), "--today", TODAY)
    assert result.exit_code == 2 and "TMS017" in result.output
    out.write_text(good)
    assert run("plan", EXAMPLE, "--schedule", str(out), "--today", TODAY).exit_code == 0


def test_an_output_name_without_a_schedule_ending_is_refused(tmp_path: Path) -> None:
    result = run("plan", EXAMPLE, "--today", TODAY, "-o", str(tmp_path / "out.yaml"))
    assert result.exit_code == 2
    assert "end the file name in .toml, .json or .csv" in result.output
    assert not (tmp_path / "out.yaml").exists()


def test_no_patients_at_all_is_warned(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic.toml"
    clinic.write_text("\n".join(line for line in (REPO / "config.example.toml").read_text().split("[[patients]]")[0]
                                .splitlines()) + "\n")
    result = run("plan", str(clinic), "--today", TODAY, "-o", str(tmp_path / "s.toml"))
    assert result.exit_code == 0
    assert "warning: no patients to plan" in result.output and "--roster FILE" in result.output
