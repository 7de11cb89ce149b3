"""JSON Schema of the clinic, roster and schedule files, for editors."""

from __future__ import annotations

import copy
from typing import Any

from .model.clinic import ClinicFile
from .model.patient import Patient
from .model.protocol import Protocol
from .model.schedule import Schedule

KINDS = ("clinic", "roster", "schedule")


def _inline(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Move a model schema's $defs into ``defs`` and return the rest."""
    schema = copy.deepcopy(schema)
    defs.update(schema.pop("$defs", {}))
    return schema


OFFSET_DATETIMES = ("Appointment",)
"""Models whose date-times carry a UTC offset (RFC 3339 date-time); every other date-time in
the files is local wall-clock time in the clinic's zone (a closure's or downtime's start)."""

LOCAL_DATETIME = {
    "type": "string",
    "format": "partial-date-time",
    # check-jsonschema hands a TOML local date-time to the schema with a "Z" appended
    # (JSON Schema has no local date-time), taplo without: both spellings of one value.
    "pattern": r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?$",
    "description": "a local date-time without UTC offset, e.g. 2026-12-10T12:00:00",
}


def _local_datetimes(node: Any) -> None:
    """Turn every RFC 3339 date-time below ``node`` into a local (offset-free) date-time."""
    if isinstance(node, dict):
        for key, value in list(node.items()):
            if isinstance(value, dict) and value.get("format") == "date-time":
                node[key] = {**{k: v for k, v in value.items() if k != "format"}, **LOCAL_DATETIME}
            else:
                _local_datetimes(value)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            if isinstance(value, dict) and value.get("format") == "date-time":
                node[i] = {**{k: v for k, v in value.items() if k != "format"}, **LOCAL_DATETIME}
            else:
                _local_datetimes(value)


def json_schema(kind: str) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    if kind == "schedule":
        root = _inline(Schedule.model_json_schema(), defs)
        title = "tms-sched schedule"
    else:
        patient = _inline(Patient.model_json_schema(), defs)
        defs["Patient"] = patient
        patients = {"type": "array", "items": {"$ref": "#/$defs/Patient"}}
        if kind == "roster":
            root = {"type": "object", "properties": {"patients": patients}, "additionalProperties": False}
            title = "tms-sched roster"
        elif kind == "clinic":
            root = _inline(ClinicFile.model_json_schema(), defs)
            protocol = _inline(Protocol.model_json_schema(), defs)
            protocol["required"] = []  # a clinic's table may only override a built-in's keys
            protocol["properties"].pop("id", None)
            defs["ProtocolTable"] = protocol
            root["properties"]["protocols"] = {
                "type": "object",
                "additionalProperties": {"$ref": "#/$defs/ProtocolTable"},
                "description": "protocols of the clinic's own, or overrides of a built-in's keys",
            }
            root["properties"]["patients"] = patients
            title = "tms-sched clinic"
        else:
            raise ValueError(f"unknown schema '{kind}'; choose one of {', '.join(KINDS)}")
    root.pop("title", None)  # the model's class name; the file's title is ours
    for name, definition in defs.items():
        if name not in OFFSET_DATETIMES:
            _local_datetimes(definition)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:tms-sched:schema:{kind}",
        "title": title,
        **root,
        "$defs": dict(sorted(defs.items())),
    }
