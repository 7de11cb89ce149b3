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
    from tms_sched.check.registry import all_codes, rule_of

    codes = all_codes()
    needing = [c for c in codes if rule_of(c).needs_roster]
    assert needing and f"{needing[-1]} were not checked" in result.stderr
    assert result.stdout.splitlines()[-1].endswith(f", {len(codes) - len(needing)} rules checked).")
    with_roster = run("check", str(ex / "clinic.toml"), str(ex / "schedule.toml"),
                      "--roster", str(ex / "roster.toml"), "--roster", str(ex / "roster.csv"))
    assert with_roster.stdout.splitlines()[-1].endswith(f", {len(codes)} rules checked).")


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


# -- 4. hints that point at the fix -------------------------------------------------------------

def plan_errors(ex: Path, clinic: str = "clinic.toml", *rosters: str) -> list[str]:
    args = ["plan", str(ex / clinic), "-o", str(ex / "out.toml"), "--today", "2026-11-30"]
    for r in rosters:
        args += ["--roster", str(ex / r)]
    result = run(*args)
    assert result.exit_code == 2, result.output
    return [line.replace(str(ex) + "/", "") for line in result.stderr.splitlines()]


def test_a_csv_availability_column_points_to_the_weekday_columns(ex: Path) -> None:
    text = (ex / "roster.csv").read_text(encoding="utf-8")
    (ex / "r.csv").write_text(text.replace(",mon,", ",availability,", 1), encoding="utf-8")
    [line] = plan_errors(ex, "clinic.toml", "r.csv")
    assert line.startswith("error: r.csv:1: availability: unknown column 'availability'; a CSV roster gives "
                           "availability per weekday, in the columns mon, tue, wed, thu, fri, sat, sun")
    assert "unavailable" not in line


@pytest.mark.parametrize("bad, says", [
    ("2026-14-12", "2026-14-12 is not a date: the month 14 is out of range"),
    ("2027-02-30", "2027-02-30 is not a date: February 2027 has 28 days"),
])
def test_an_impossible_date_says_what_is_out_of_range(ex: Path, bad: str, says: str) -> None:
    text = (ex / "roster.toml").read_text(encoding="utf-8")
    (ex / "r.toml").write_text(text.replace("start_after = 2026-12-01", f"start_after = {bad}", 1), encoding="utf-8")
    [line] = plan_errors(ex, "clinic.toml", "r.toml")
    assert line.startswith("error: r.toml:9:") and says in line
    assert "quote text" not in line
    csv = (ex / "roster.csv").read_text(encoding="utf-8")
    (ex / "r.csv").write_text(csv.replace("2026-12-01,2027-03-01", f"{bad},2027-03-01", 1), encoding="utf-8")
    assert plan_errors(ex, "clinic.toml", "r.csv") == [f"error: r.csv:2: start_after: {says}; write YYYY-MM-DD"
                                                       + (", month 01 to 12" if "month" in says else "")]


def test_a_capability_in_capitals_is_named_at_the_chair(ex: Path) -> None:
    text = (ex / "clinic.toml").read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("capabilities = [\"10hz\""))
    lines[at] = lines[at].replace('"10hz"', '"10Hz"', 1)
    (ex / "c.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # The roster asks for that chair by name: the chair, not the roster, is at fault.
    (ex / "r.toml").write_text('[[patients]]\nid = "X-1"\nprotocol = "standard-10hz"\nstart_after = 2026-12-01\n'
                               'preferred_chair = "A"\n', encoding="utf-8")
    assert plan_errors(ex, "c.toml", "r.toml") == [
        f"error: c.toml:{at + 1}: chairs[0].capabilities[0]: capabilities are lower case: write '10hz', not '10Hz'"]


# -- 5. closing a day the clinic is closed anyway ------------------------------------------------

@pytest.mark.parametrize("day, with_clinic, says", [
    ("2026-12-12", True, "clinic.toml: the clinic is closed on 2026-12-12 (Saturday) anyway (closed on Saturdays)"),
    ("2026-12-25", True, "clinic.toml: the clinic is closed on 2026-12-25 (Friday) anyway (public holiday: "
                         "Christmas Day)"),
    ("2026-12-12", False, "the schedule books nothing on any Saturday, so the clinic is closed on 2026-12-12 "
                          "anyway, it seems (if it does open on Saturdays, give --clinic CLINIC to record the "
                          "closure)"),
])
def test_closing_a_day_the_clinic_is_closed_anyway_records_nothing(ex: Path, day: str, with_clinic: bool,
                                                                     says: str) -> None:
    before = (ex / "schedule.toml").read_bytes()
    extra = ["--clinic", str(ex / "clinic.toml")] if with_clinic else []
    result = run("mark", str(ex / "schedule.toml"), "--closed", day, "--today", "2026-12-10", *extra)
    assert result.exit_code == 0, result.output
    assert result.stderr.replace(str(ex) + "/", "") == (
        f"warning: {says}; nothing recorded, schedule.toml not written\n")
    assert (ex / "schedule.toml").read_bytes() == before


def test_closing_an_open_day_is_recorded_and_an_unchecked_empty_day_gets_a_note(ex: Path) -> None:
    result = run("mark", str(ex / "schedule.toml"), "--closed", "2026-12-17", "--today", "2026-12-10",
                 "--clinic", str(ex / "clinic.toml"))
    assert result.exit_code == 0
    assert "2026-12-17 (Thursday): clinic closed, added to [[closures]]" in result.stderr
    assert "note: nothing is booked" not in result.stderr
    result = run("mark", str(ex / "schedule.toml"), "--closed", "2026-12-25", "--today", "2026-12-10")
    assert result.stderr.startswith("note: nothing is booked on 2026-12-25; give --clinic CLINIC to check")
    assert "2026-12-25 (Friday): clinic closed, added to [[closures]]" in result.stderr


# -- 6. a next command that pastes -----------------------------------------------------------------

def test_init_prints_a_next_command_a_shell_can_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shlex

    monkeypatch.chdir(tmp_path)
    result = run("init", "new clinic/it's here")
    assert result.exit_code == 0, result.output
    [next_line] = [line for line in result.stderr.splitlines() if line.startswith("next: ")]
    words = shlex.split(next_line.removeprefix("next: "))
    assert words[:2] == ["tms-sched", "plan"]
    assert words[2:] == ["new clinic/it's here/clinic.toml", "--roster", "new clinic/it's here/roster.toml"]
    again = run(*words[1:], "--today", "2026-11-30", "-o", "out.toml")
    assert again.exit_code in (0, 1), again.output
    assert (tmp_path / "out.toml").is_file()


# -- 7. counts and paths that read right ---------------------------------------------------------

def test_text_helpers() -> None:
    from tms_sched.text import plural, shell_line, with_slash

    assert [plural(n, "patient") for n in (0, 1, 2)] == ["0 patients", "1 patient", "2 patients"]
    assert plural(2, "is", "are") == "2 are"
    assert shell_line("tms-sched", "plan", "a b/c.toml", "plain.toml") == "tms-sched plan 'a b/c.toml' plain.toml"
    assert [with_slash(p) for p in ("cal", "cal/", "cal//", "/", "a/b/")] == ["cal/", "cal/", "cal/", "/", "a/b/"]


@pytest.mark.parametrize("typed", ["cal", "cal/", "cal//"])
def test_export_names_the_folder_it_created_once_slashed(ex: Path, typed: str, monkeypatch) -> None:
    monkeypatch.chdir(ex)
    result = run("export", "ical", "schedule.toml", "--clinic", "clinic.toml", "--by", "clinic", "-o", typed)
    assert result.exit_code == 0, result.output
    assert "created cal/\n" in result.stderr
    assert result.stdout == "cal/clinic.ics: 9 events\n"


def test_an_unknown_patient_in_a_schedule_of_none(ex: Path) -> None:
    (ex / "none.toml").write_text('[schedule]\nclinic = "Harbor Interventional Psychiatry"\n'
                                  'timezone = "America/Los_Angeles"\nrevision = 1\nupdated = 2026-12-01\n',
                                  encoding="utf-8")
    result = run("show", str(ex / "none.toml"), "--clinic", str(ex / "clinic.toml"), "--view", "patient",
                 "--patient", "P-1")
    assert result.exit_code == 2
    assert result.stderr == f"error: unknown patient 'P-1' in {ex / 'none.toml'} (it has no patients)\n"


def test_a_fresh_plan_refusing_a_marked_schedule_counts_in_the_singular(ex: Path) -> None:
    out = ex / "out.toml"
    assert run("plan", str(ex / "clinic.toml"), "-o", str(out), "--today", "2026-11-30",
               "--roster", str(ex / "roster.toml")).exit_code in (0, 1)
    assert run("mark", str(out), "P-0001", "--discharge", "--today", "2026-11-30").exit_code == 0
    result = run("plan", str(ex / "clinic.toml"), "-o", str(out), "--today", "2026-11-30")
    assert result.exit_code == 2
    assert "already records 1 appointment marked done, missed or cancelled" not in result.stderr
    assert "1 discharged patient;" in result.stderr and "patients;" not in result.stderr


def test_the_unmarked_note_counts_in_the_singular(ex: Path) -> None:
    out, one = ex / "out.toml", ex / "one.toml"
    text = (ex / "roster.toml").read_text(encoding="utf-8")
    one.write_text(text[:text.index("[[patients]]", text.index("P-0001"))], encoding="utf-8")
    assert run("plan", str(ex / "clinic.toml"), "-o", str(out), "--today", "2026-11-30",
               "--roster", str(one)).exit_code == 0
    result = run("plan", str(ex / "clinic.toml"), "--schedule", str(out), "--today", "2026-12-01",
                 "--roster", str(one))
    notes = [line for line in result.stderr.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1
    assert "(s)" not in notes[0]
    assert notes[0].startswith("note: 1 planned appointment before 2026-12-01 is not marked done or missed yet")


def test_a_csv_row_of_one_cell_is_counted_in_the_singular(ex: Path) -> None:
    (ex / "r.csv").write_text("id,protocol\nP-1\n", encoding="utf-8")
    [line] = plan_errors(ex, "clinic.toml", "r.csv")
    assert line == ("error: r.csv:2: 1 cell where the header has 2 columns; a comma is missing or extra "
                    "(quote a cell that holds a comma)")
