"""The reference docs agree with the code: configuration.md is generated from the models,
and protocols.md describes every built-in protocol with its numbers and source."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from tms_sched import docgen
from tms_sched.model.clinic import ClinicFile
from tms_sched.model.patient import Patient
from tms_sched.model.protocol import DailyPhase, IntervalPhase, Protocol, WeeklyPhase
from tms_sched.model.schedule import Schedule
from tms_sched.protocols import builtin_raw


def test_configuration_doc_is_current(repo_root: Path) -> None:
    path = repo_root / "docs" / "configuration.md"
    assert path == docgen.DOC_PATH
    assert path.read_text(encoding="utf-8") == docgen.render(), (
        "docs/configuration.md differs from the models; run: python -m tms_sched.docgen --write")


def test_committed_schemas_are_current(repo_root: Path) -> None:
    assert docgen.SCHEMA_DIR == repo_root / "schemas"
    for name, text in docgen.schema_texts().items():
        assert (repo_root / "schemas" / name).read_text(encoding="utf-8") == text, (
            f"schemas/{name} differs from the models; run: python -m tms_sched.docgen --write")


def test_check_reports_drift(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = tmp_path / "configuration.md"
    stale.write_text(docgen.render().replace("| `slot_minutes` |", "| `slot_minute` |"), encoding="utf-8")
    monkeypatch.setattr(docgen, "DOC_PATH", stale)
    monkeypatch.setattr(docgen, "SCHEMA_DIR", tmp_path / "schemas")
    assert docgen.main(["--check"]) == 1
    assert docgen.main(["--write"]) == 0
    assert docgen.main(["--check"]) == 0
    schema = tmp_path / "schemas" / "clinic.schema.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace('"slot_minutes"', '"slot_minute"'), encoding="utf-8")
    assert docgen.main(["--check"]) == 1, "a stale schema is drift too"
    assert docgen.main(["--write"]) == 0
    assert docgen.main(["--check"]) == 0


def _models_under(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    if model in seen:
        return seen
    seen.add(model)
    stack = [f.annotation for f in model.model_fields.values()]
    while stack:
        ann = stack.pop()
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            _models_under(ann, seen)
        stack.extend(typing.get_args(ann))
    return seen


def test_every_model_of_every_file_has_a_section() -> None:
    """A new nested table in the model must get its section in the reference."""
    reachable: set[type[BaseModel]] = set()
    for root in (ClinicFile, Protocol, Patient, Schedule):
        _models_under(root, reachable)
    assert {DailyPhase, WeeklyPhase, IntervalPhase} <= reachable
    assert reachable == {s.model for s in docgen.ALL_SECTIONS}


def test_every_key_is_in_the_reference() -> None:
    text = docgen.render()
    headings = [s.heading for s in docgen.ALL_SECTIONS]
    assert len(headings) == len(set(headings)), "each section has a heading (and a link anchor) of its own"
    for section in docgen.ALL_SECTIONS:
        part = text.split(f"### {section.heading}\n", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
        for name, field in section.model.model_fields.items():
            if name in section.skip:
                continue
            assert f"| `{field.alias or name}` |" in part, f"{section.heading}: {name}"
            assert field.description and field.description in part.replace("\\|", "|")


def test_every_csv_column_is_in_the_reference() -> None:
    from tms_sched.io.roster import CSV_COLUMNS

    csv_part = docgen.render().split("## Roster file (CSV)", 1)[1].split("## Schedule file", 1)[0]
    for column in CSV_COLUMNS:
        assert f"`{column}`" in csv_part


# -- protocols.md -----------------------------------------------------------------------------

def _section(text: str, pid: str) -> str:
    match = re.search(rf"^## `{re.escape(pid)}`\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    assert match, f"docs/protocols.md has no section '## `{pid}`'"
    return match.group(1)


@pytest.mark.parametrize("pid", list(builtin_raw()))
def test_protocols_doc_covers_each_builtin(pid: str, repo_root: Path) -> None:
    text = (repo_root / "docs" / "protocols.md").read_text(encoding="utf-8")
    raw = builtin_raw()[pid]
    protocol = Protocol.model_validate({**raw, "id": pid})
    section = " ".join(_section(text, pid).split())  # line breaks read as spaces
    assert protocol.source in section, "the source, exactly as the library gives it"
    assert protocol.label in section
    assert f"{protocol.total_sessions} sessions" in section
    assert f"`{protocol.capability}`" in section
    assert f"{protocol.session_minutes} minutes" in section
    for key in ("max_span_days", "max_gap_days"):
        if raw.get(key):
            assert f"`{key} = {raw[key]}`" in section
    summary = text.split("## The library at a glance", 1)[1].split("\n## ", 1)[0]
    assert f"| `{pid}` |" in summary


def test_protocols_doc_explains_the_maintenance_reading(repo_root: Path) -> None:
    text = " ".join((repo_root / "docs" / "protocols.md").read_text(encoding="utf-8").split())
    assert "gaps of 7 days three times, 14 days four times and 28 days three times" in text
    phases = builtin_raw()["maintenance"]["phases"]
    assert [(p["sessions"], p["every_days"]) for p in phases] == [(4, [5, 9]), (4, [12, 16]), (3, [26, 30])]
