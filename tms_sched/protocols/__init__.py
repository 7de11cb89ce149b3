"""The built-in protocol library (data in ``builtin.toml``) and the merge with a clinic's own."""

from __future__ import annotations

import copy
from functools import lru_cache
from importlib import resources
from typing import Any

import tomli

BUILTIN_FILE = "builtin.toml"


@lru_cache(maxsize=1)
def _builtin_raw() -> dict[str, dict[str, Any]]:
    text = resources.files(__package__).joinpath(BUILTIN_FILE).read_text(encoding="utf-8")
    return tomli.loads(text)["protocols"]


def builtin_raw() -> dict[str, dict[str, Any]]:
    """The built-in protocols as plain data, a fresh copy each call."""
    return copy.deepcopy(_builtin_raw())


def builtin_text() -> str:
    return resources.files(__package__).joinpath(BUILTIN_FILE).read_text(encoding="utf-8")


def merged_raw(clinic_protocols: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Built-ins overlaid by a clinic's protocols: a clinic's key replaces the built-in's."""
    merged = builtin_raw()
    for pid, raw in clinic_protocols.items():
        base = merged.get(pid, {})
        merged[pid] = {**base, **copy.deepcopy(raw)}
    return merged
