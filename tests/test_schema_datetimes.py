"""The JSON Schema says what the files hold: local date-times where tms-sched writes them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import jsonschema
import pytest
import tomli

from tms_sched.schema import KINDS, json_schema

FUZZ = Path(__file__).parent / "fixtures" / "fuzz"


def formats(node, path=""):
    if isinstance(node, dict):
        if "format" in node:
            yield path, node["format"], node.get("pattern")
        for key, value in node.items():
            yield from formats(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from formats(value, f"{path}/{i}")


def as_json(value):
    """TOML values as a TOML-aware validator hands them to the schema: date-times as text."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


@pytest.mark.parametrize("kind", KINDS)
def test_each_schema_has_an_id(kind):
    assert json_schema(kind)["$id"] == f"urn:tms-sched:schema:{kind}"


@pytest.mark.parametrize("kind", KINDS)
def test_only_appointment_times_carry_an_offset(kind):
    for path, fmt, pattern in formats(json_schema(kind)):
        if fmt == "date-time":
            assert path.startswith("/$defs/Appointment/"), path
        elif fmt == "partial-date-time":
            assert re.match(pattern, "2026-12-10T12:00:00") and not re.match(pattern, "2026-12-10T12:00:00-08:00")


@pytest.mark.parametrize("kind, path", [("clinic", FUZZ / "base-clinic.toml"), ("schedule", FUZZ / "base-schedule.toml")])
def test_files_with_local_date_times_validate(kind, path):
    data = as_json(tomli.loads(path.read_text(encoding="utf-8")))
    if kind == "schedule":  # a partial-day closure, as `mark --chair-down` records it
        data["closures"] = [{"start": "2027-01-12T12:00:00", "end": "2027-01-12T18:00:00", "chair": "A"}]
    validator = jsonschema.Draft202012Validator(json_schema(kind), format_checker=jsonschema.FormatChecker())
    assert [e.message for e in validator.iter_errors(data)] == []
