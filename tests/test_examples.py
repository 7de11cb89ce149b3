"""The product's example files, config.example.toml and `init` output all load; the JSON
Schema that `tms-sched schema` prints is valid and agrees with the readers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import tomli
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from conftest import SHARED_EXAMPLES
from tms_sched.cli import main
from tms_sched.io import load_setup
from tms_sched.io.roster import roster_warnings
from tms_sched.io.schedule import load_schedule
from tms_sched.protocols import builtin_raw

TODAY = dt.date(2026, 11, 30)


def schema_of(kind: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["schema", kind])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def as_json(value: Any) -> Any:
    """A TOML document as an editor's JSON view sees it: dates and times as ISO strings."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return value


def schema_errors(kind: str, path: Path) -> list[str]:
    data = as_json(tomli.loads(path.read_text(encoding="utf-8")))
    validator = Draft202012Validator(schema_of(kind))
    return sorted(f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
                  for e in validator.iter_errors(data))


# -- the shared examples ----------------------------------------------------------------

EXAMPLE_KINDS = {"clinic.toml": "clinic", "roster.toml": "roster", "roster.csv": "roster",
                 "schedule.toml": "schedule"}


def test_every_example_file_is_known(examples_dir: Path) -> None:
    """A new example file must be added here, so that it is loaded too."""
    assert sorted(p.name for p in examples_dir.iterdir()) == sorted(EXAMPLE_KINDS)


def test_the_kept_examples_are_the_shared_ones(examples_dir: Path) -> None:
    """The copies in tests/fixtures/examples are byte for byte the product's examples,
    wherever those sit beside the checkout."""
    if not SHARED_EXAMPLES.is_dir():
        return  # a clone on its own: the copies are all there is to test against
    shared = sorted(p.name for p in SHARED_EXAMPLES.iterdir())
    assert sorted(p.name for p in examples_dir.iterdir()) == shared
    for name in shared:
        assert (examples_dir / name).read_bytes() == (SHARED_EXAMPLES / name).read_bytes(), name


def test_examples_load_together(examples_dir: Path) -> None:
    clinic, roster = load_setup(str(examples_dir / "clinic.toml"),
                                [str(examples_dir / "roster.toml"), str(examples_dir / "roster.csv")])
    assert clinic.info.name == "Harbor Interventional Psychiatry"
    assert [c.id for c in clinic.chairs] == ["A", "B", "C", "K"]
    assert [s.id for s in clinic.staff] == ["tech-ana", "tech-ben", "dr-kim", "rn-lopez"]
    assert set(builtin_raw()) | {"ketamine-iv-6"} == set(clinic.protocols)
    assert clinic.own_protocols == frozenset({"ketamine-iv-6"})
    assert [(p.id, p.protocol) for p in roster.patients] == [
        ("P-0001", "standard-10hz"), ("P-0002", "accelerated-5x5"), ("P-0003", "standard-10hz-taper"),
        ("P-0004", "snt"), ("P-0005", "standard-itbs"), ("P-0006", "ketamine-iv-6"),
        ("P-0101", "standard-10hz"), ("P-0102", "accelerated-5x5"), ("P-0103", "standard-itbs"),
    ]
    assert roster.origins["P-0002"] == (str(examples_dir / "roster.toml"), 14)
    assert roster.origins["P-0103"] == (str(examples_dir / "roster.csv"), 4)
    assert roster.warnings + roster_warnings(clinic, roster, TODAY) == []


def test_csv_roster_reads_windows_and_dates(examples_dir: Path) -> None:
    _, roster = load_setup(str(examples_dir / "clinic.toml"), [str(examples_dir / "roster.csv")])
    first, second, third = roster.patients
    assert first.unavailable == [dt.date(2026, 12, 28), dt.date(2026, 12, 29)]
    assert first.deadline == dt.date(2027, 3, 1)
    assert second.availability is None  # empty weekday cells all round: clinic hours
    assert second.priority == "urgent" and second.preferred_chair == "C"
    assert third.availability is not None
    assert third.availability["wed"] == ((450, 540), (960, 1080))
    assert "sat" not in third.availability


def test_example_schedule_loads(examples_dir: Path) -> None:
    schedule, index = load_schedule(str(examples_dir / "schedule.toml"))
    assert (schedule.schedule.clinic, schedule.schedule.revision) == ("Harbor Interventional Psychiatry", 3)
    assert schedule.schedule.updated == dt.date(2026, 12, 3)
    assert [(p.id, len(p.appointments)) for p in schedule.patients] == [("P-0001", 6), ("P-0002", 3)]
    assert [c.date for c in schedule.closures] == [dt.date(2026, 12, 16)]
    assert [u.id for u in schedule.unplaced] == ["P-0006"]
    assert index is not None
    assert index.line(("patients", 0, "appointments", 3)) == 19


# -- config.example.toml and init -------------------------------------------------------

def test_config_example_loads_and_uses_every_protocol(repo_root: Path) -> None:
    clinic, roster = load_setup(str(repo_root / "config.example.toml"))
    used = {p.protocol for p in roster.patients}
    assert set(builtin_raw()) <= used, "the example roster uses every built-in protocol"
    own = used - set(builtin_raw())
    assert own and own <= clinic.own_protocols, "and at least one protocol of the clinic's own"
    assert roster.warnings + roster_warnings(clinic, roster, TODAY) == []


def test_init_output_loads(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path / "new")])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == [
        "clinic.schema.json", "clinic.toml", "roster.schema.json", "roster.toml"]
    clinic, roster = load_setup(str(tmp_path / "new" / "clinic.toml"), [str(tmp_path / "new" / "roster.toml")])
    assert roster.patients
    assert roster.warnings + roster_warnings(clinic, roster, TODAY) == []
    assert schema_errors("clinic", tmp_path / "new" / "clinic.toml") == []
    assert schema_errors("roster", tmp_path / "new" / "roster.toml") == []


# -- JSON Schema --------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["clinic", "roster", "schedule"])
def test_schema_is_valid_json_schema(kind: str) -> None:
    schema = schema_of(kind)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == f"tms-sched {kind}"


@pytest.mark.parametrize("kind, name", [("clinic", "clinic.toml"), ("roster", "roster.toml"),
                                        ("schedule", "schedule.toml")])
def test_schema_accepts_the_examples(kind: str, name: str, examples_dir: Path) -> None:
    assert schema_errors(kind, examples_dir / name) == []


def test_schema_accepts_config_example(repo_root: Path) -> None:
    assert schema_errors("clinic", repo_root / "config.example.toml") == []


def test_config_example_names_a_shipped_schema_and_validates_against_it(repo_root: Path) -> None:
    """As an editor does: the first line's #:schema directive, resolved beside the file."""
    import json

    import tomli
    from jsonschema import FormatChecker

    example = repo_root / "config.example.toml"
    first = example.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#:schema "), "the example names its schema on its first line"
    schema_path = (example.parent / first.removeprefix("#:schema ").strip()).resolve()
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    assert schema["$id"] == "urn:tms-sched:schema:clinic"
    Draft202012Validator.check_schema(schema)
    data = json.loads(json.dumps(tomli.loads(example.read_text(encoding="utf-8")), default=lambda v: v.isoformat()))
    errors = [e.message for e in Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(data)]
    assert errors == []


UNKNOWN_KEY_CASES = [
    ("clinic", "[clinic]\nname = 'X'\ntimezone = 'UTC'\nslot_minute = 5\n[clinic.hours]\nmon = '08:00-17:00'\n"
               "[[chairs]]\nid = 'A'\ncapabilities = ['10hz']\n",
     ["clinic: Additional properties are not allowed ('slot_minute' was unexpected)"]),
    ("clinic", "[clinic]\nname = 'X'\ntimezone = 'UTC'\n[clinic.hours]\nmon = '08:00-17:00'\n"
               "[[chairs]]\nid = 'A'\ncapabilities = ['10hz']\n[protocols.snt]\nsesion_minutes = 12\n",
     ["protocols/snt: Additional properties are not allowed ('sesion_minutes' was unexpected)"]),
    ("roster", "[[patients]]\nid = 'P-1'\nprotocl = 'snt'\n",
     ["patients/0: 'protocol' is a required property",
      "patients/0: Additional properties are not allowed ('protocl' was unexpected)"]),
    ("roster", "[clinic]\nname = 'X'\n", ["(top): Additional properties are not allowed ('clinic' was unexpected)"]),
    ("schedule", "[schedule]\nclinic = 'X'\ntimezone = 'UTC'\nrevison = 2\n",
     ["schedule: Additional properties are not allowed ('revison' was unexpected)"]),
]


@pytest.mark.parametrize("kind, text, expected", UNKNOWN_KEY_CASES)
def test_schema_rejects_unknown_keys(kind: str, text: str, expected: list[str], tmp_path: Path) -> None:
    path = tmp_path / "file.toml"
    path.write_text(text, encoding="utf-8")
    assert schema_errors(kind, path) == sorted(expected)
