"""`tms-sched protocols`, `closures` and `init`: exact output on real files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from tms_sched.cli import main
from tms_sched.cli.setup import _library
from tms_sched.protocols import builtin_raw
from tms_sched.render.protocols import protocol_detail, protocol_list

CALENDAR_CLINIC = str(Path(__file__).parent / "fixtures" / "calendar" / "clinic.toml")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


# -- protocols --------------------------------------------------------------------------

BUILTIN_LIST = """\
Protocols: 6 built-in

standard-10hz        30 sessions of 40 min (the first 60) on a 10hz chair
  1 a day, at most 5 days a week
  source: O'Reardon et al., Biol Psychiatry 2007; NeuroStar labeling (FDA 2008)

standard-10hz-taper  36 sessions of 40 min (the first 60) on a 10hz chair
  30 at 1 a day, at most 5 days a week; then 3, 2, 1 a week
  source: Clinic practice (NeuroStar 36-session course); O'Reardon et al. 2007

standard-itbs        30 sessions of 10 min (the first 60) on an itbs chair
  1 a day, at most 5 days a week
  source: Blumberger et al., Lancet 2018 (THREE-D); FDA clearance 2018

accelerated-5x5      25 sessions of 15 min (the first 60) on an itbs chair
  5 a day on 5 consecutive days, 50 min apart
  source: Apostol et al. (UCLA Health), J Affect Disord 2026

snt                  50 sessions of 10 min (the first 60) on a neuronav chair
  10 a day on 5 consecutive days, 50 min apart
  source: Cole et al., Am J Psychiatry 2020 and 2022; FDA K220177

maintenance          11 sessions of 40 min on a 10hz chair
  4 every 5 to 9 days; then 4 every 12 to 16 days; then 3 every 26 to 30 days
  source: O'Reardon's maintenance protocol (Clinical TMS Society 2019)

`tms-sched protocols ID` shows one protocol in full.
"""


def test_protocols_lists_the_library_with_sources() -> None:
    result = run("protocols")
    assert result.exit_code == 0, result.stderr
    assert lines(result.stdout) == BUILTIN_LIST.splitlines()


def test_protocols_with_clinic_adds_its_own_and_overrides(repo_root: Path) -> None:
    result = run("protocols", "--clinic", str(repo_root / "config.example.toml"))
    assert result.exit_code == 0, result.stderr
    out = lines(result.stdout)
    assert out[0] == "Protocols: 6 built-in (1 changed by the clinic), 1 of the clinic's own"
    itbs = out.index("standard-itbs        30 sessions of 15 min (the first 60) on an itbs chair")
    assert out[itbs + 1: itbs + 5] == [
        "  1 a day, at most 5 days a week",
        "  staff ratio: one staff member attends up to 2 sessions at once",
        "  source: Blumberger et al., Lancet 2018 (THREE-D); FDA clearance 2018",
        "  from: built-in, changed by the clinic",
    ]
    own = out.index("esketamine           12 sessions of 15 min (the first 30) on an observation chair")
    assert out[own + 1: own + 3] == [
        "  2, 2, 2, 2 a week, 2 days apart; then 1, 1, 1, 1 a week",
        "  monitoring: 120 min in the chair after each session, a nurse on shift, up to 3 patients each",
    ]
    assert out[own + 3: own + 5] == ["  source: Spravato label (FDA 2019); 2 h observation after each dose",
                                    "  from: the clinic's own"]
    assert any(line.startswith("Every session runs with a physician on shift ([clinic] supervision)") for line in out)


SNT_DETAIL = """\
snt  Stanford neuromodulation therapy (SAINT): ten sessions a day on five consecutive days

  from            built-in
  source          Cole et al., Am J Psychiatry 2020 and 2022; FDA K220177
  capability      neuronav
  sessions        50
  session 1       Motor-threshold mapping, 60 min, with a named physician
  later sessions  10 min
  max span        4 days
  max gap         1 day

Phases
┏━━━┳━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ # ┃ kind  ┃ what                                                                    ┃
┡━━━╇━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ 1 │ daily │ 50 sessions, 10 a day on 5 consecutive days, >= 50 min between sessions │
└───┴───────┴─────────────────────────────────────────────────────────────────────────┘

Assessments
┏━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━┓
┃ name          ┃ when                                                      ┃ minutes ┃
┡━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━┩
│ baseline      │ -14 to -1 days from the first session                     │ 30      │
│ end-of-course │ +0 to +7 days from the last session                       │ 30      │
│ follow-up     │ +14 to +28 days from the last session, preferably day +28 │ 30      │
└───────────────┴───────────────────────────────────────────────────────────┴─────────┘
"""


def test_protocol_detail_shows_phases_assessments_and_source() -> None:
    result = run("protocols", "snt")
    assert result.exit_code == 0, result.stderr
    assert lines(result.stdout) == SNT_DETAIL.splitlines()


def test_maintenance_detail_has_no_assessments() -> None:
    result = run("protocols", "maintenance")
    out = lines(result.stdout)
    assert "  session 1       Motor-threshold re-check, 40 min, with a named physician" in out
    assert "  max gap         30 days" in out
    assert out[-1] == "No assessments."


@pytest.mark.parametrize("given, message", [
    ("nosuch", "error: unknown protocol 'nosuch'; known: accelerated-5x5, maintenance, snt, standard-10hz, "
               "standard-10hz-taper, standard-itbs"),
    ("standard-10h", "error: unknown protocol 'standard-10h'; did you mean 'standard-10hz'?"),
    ("SNT", "error: unknown protocol 'SNT'; did you mean 'snt'?"),
])
def test_unknown_protocol(given: str, message: str) -> None:
    result = run("protocols", given)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert lines(result.stderr) == [message]


def test_protocols_with_a_broken_clinic_exits_2() -> None:
    broken = Path(__file__).parent / "fixtures" / "broken" / "clinic" / "override-builtin-bad.toml"
    result = run("protocols", "--clinic", str(broken))
    assert result.exit_code == 2
    assert result.stderr.endswith("protocols.standard-itbs.session_minutes: must be more than 0, got 0\n")


@pytest.mark.parametrize("width", [80, 100])
def test_protocol_views_fit_the_width(width: int, repo_root: Path) -> None:
    """Nothing folds: every line fits, and every source reads whole on one line."""
    library, clinic = _library(str(repo_root / "config.example.toml"))
    builtin = list(builtin_raw())
    console = Console(width=width, record=True, no_color=True, color_system=None, file=io.StringIO())
    console.print(protocol_list(library, clinic, builtin))
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= width
    for protocol in library.values():
        assert f"  source: {protocol.source}" in text.splitlines()
    for pid in ("snt", "maintenance", "esketamine"):
        console.print(protocol_detail(library[pid], clinic, set(builtin)))
        detail = console.export_text()
        assert max(len(line) for line in detail.splitlines()) <= width
        assert any(line.startswith("  source ") and library[pid].source in line for line in detail.splitlines())


# -- closures -----------------------------------------------------------------------------

def test_closures_autumn() -> None:
    result = run("closures", CALENDAR_CLINIC, "--from", "2026-10-26", "--to", "2026-11-30")
    assert result.exit_code == 0, result.stderr
    assert lines(result.stdout) == [
        "Closed days of Calendar Test Clinic, 2026-10-26 to 2026-11-30",
        "┏━━━━━━━━━━━━┳━━━━━┳━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓",
        "┃ date       ┃ day ┃ what               ┃ reason                                 ┃",
        "┡━━━━━━━━━━━━╇━━━━━╇━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩",
        "│ 2026-11-01 │ Sun │ clinic 01:00-02:00 │ clocks go back; the hour happens twice │",
        "│ 2026-11-08 │ Sun │ clinic             │ public holiday: Diwali                 │",
        "│ 2026-11-26 │ Thu │ clinic             │ public holiday: Thanksgiving Day       │",
        "│ 2026-11-27 │ Fri │ clinic             │ public holiday: Day After Thanksgiving │",
        "└────────────┴─────┴────────────────────┴────────────────────────────────────────┘",
    ]


def test_closures_winter() -> None:
    result = run("closures", CALENDAR_CLINIC, "--from", "2026-12-01", "--to", "2027-03-20")
    assert result.exit_code == 0, result.stderr
    assert lines(result.stdout) == [
        "Closed days of Calendar Test Clinic, 2026-12-01 to 2027-03-20",
        "┏━━━━━━━━━━━━┳━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓",
        "┃ date       ┃ day ┃ what                   ┃ reason                                     ┃",
        "┡━━━━━━━━━━━━╇━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩",
        "│ 2026-12-10 │ Thu │ chair A 12:00-17:00    │ coil service                               │",
        "│ 2026-12-11 │ Fri │ staff tech-ana all day │ away                                       │",
        "│ 2026-12-17 │ Thu │ chair A 15:00-24:00    │ software update                            │",
        "│ 2026-12-18 │ Fri │ chair A 00:00-10:00    │ software update                            │",
        "│ 2026-12-24 │ Thu │ clinic                 │ closed (clinic file)                       │",
        "│ 2026-12-25 │ Fri │ clinic                 │ public holiday: Christmas Day              │",
        "│ 2026-12-28 │ Mon │ clinic                 │ winter break                               │",
        "│ 2026-12-29 │ Tue │ clinic                 │ winter break                               │",
        "│ 2026-12-30 │ Wed │ clinic                 │ winter break                               │",
        "│ 2027-01-01 │ Fri │ clinic                 │ public holiday: New Year's Day             │",
        "│ 2027-01-11 │ Mon │ chair B all day        │ replacement                                │",
        "│ 2027-01-12 │ Tue │ chair B all day        │ replacement                                │",
        "│ 2027-02-15 │ Mon │ clinic                 │ public holiday: Presidents' Day            │",
        "│ 2027-03-14 │ Sun │ clinic 02:00-03:00     │ clocks go forward; the hour does not exist │",
        "└────────────┴─────┴────────────────────────┴────────────────────────────────────────────┘",
    ]


def test_closures_none_in_range() -> None:
    result = run("closures", CALENDAR_CLINIC, "--from", "2026-12-01", "--to", "2026-12-09")
    assert result.exit_code == 0
    assert lines(result.stdout) == ["No closed days from 2026-12-01 to 2026-12-09."]


def test_closures_default_range_starts_today() -> None:
    result = run("closures", CALENDAR_CLINIC, "--today", "2026-11-25", "--to", "2026-11-27")
    assert lines(result.stdout)[0] == "Closed days of Calendar Test Clinic, 2026-11-25 to 2026-11-27"


def test_closures_reversed_range() -> None:
    result = run("closures", CALENDAR_CLINIC, "--from", "2026-12-10", "--to", "2026-12-01")
    assert result.exit_code == 2
    assert lines(result.stderr) == ["error: --to 2026-12-01 is before --from 2026-12-10"]


# -- init ---------------------------------------------------------------------------------

def test_init_writes_a_starter_pair(tmp_path: Path) -> None:
    target = tmp_path / "clinic"
    result = run("init", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert lines(result.stderr) == [
        f"wrote {target / 'clinic.toml'}",
        f"wrote {target / 'roster.toml'}",
        f"wrote {target / 'clinic.schema.json'}",
        f"wrote {target / 'roster.schema.json'}",
        f"next: tms-sched plan {target / 'clinic.toml'} --roster {target / 'roster.toml'}",
    ]


@pytest.mark.parametrize("existing", ["clinic.toml", "roster.toml", "clinic.schema.json"])
def test_init_never_overwrites(tmp_path: Path, existing: str) -> None:
    (tmp_path / existing).write_text("# mine\n", encoding="utf-8")
    result = run("init", str(tmp_path))
    assert result.exit_code == 2
    assert lines(result.stderr) == [
        f"error: {tmp_path / existing}: already exists; init never overwrites (choose an empty directory)"
    ]
    assert (tmp_path / existing).read_text(encoding="utf-8") == "# mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [existing], "nothing else is written either"


def test_init_starters_name_their_schemas_and_validate_against_them(tmp_path: Path) -> None:
    import json

    import jsonschema
    import tomli

    assert run("init", str(tmp_path)).exit_code == 0
    for kind in ("clinic", "roster"):
        text = (tmp_path / f"{kind}.toml").read_text(encoding="utf-8")
        assert text.splitlines()[0] == f"#:schema ./{kind}.schema.json"
        schema = json.loads((tmp_path / f"{kind}.schema.json").read_text(encoding="utf-8"))
        data = json.loads(json.dumps(tomli.loads(text), default=lambda v: v.isoformat()))
        assert list(jsonschema.Draft202012Validator(schema).iter_errors(data)) == []
