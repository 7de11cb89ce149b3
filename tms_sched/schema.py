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
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        **root,
        "$defs": dict(sorted(defs.items())),
    }
