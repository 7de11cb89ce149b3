"""Turn pydantic's validation errors into plain sentences at the right line.

pydantic reports a location such as ``('clinic', 'closed', 0, 'ClosedPeriod', 'reason')``
where union members appear as tags. Walking the model's annotations alongside that
location drops the tags, so the path a user sees is the path in their file, and tells
which keys were allowed where a key was unknown.
"""

from __future__ import annotations

import datetime as dt
import difflib
import types
import typing
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from ..errors import Problem
from ..model.protocol import DailyPhase, IntervalPhase, WeeklyPhase
from .tomlpos import Path, PositionIndex, format_path

_KIND_WORDS = {
    "int": "a whole number",
    "float": "a number",
    "str": "text in quotes",
    "bool": "true or false",
    "date": "a date such as 2026-12-01 (no quotes)",
    "datetime": "a date and time such as 2026-12-10T12:00:00 (no quotes)",
    "list": "a list [ ... ]",
    "tuple": "a list [ ... ]",
    "dict": "a table { key = value, ... }",
    "model": "a table { key = value, ... }",
}


def _unwrap(ann: Any) -> Any:
    while typing.get_origin(ann) is typing.Annotated:
        ann = typing.get_args(ann)[0]
    return ann


def _is_union(ann: Any) -> bool:
    return typing.get_origin(ann) in (typing.Union, types.UnionType)


def _tag_of(member: Any) -> str | None:
    member = _unwrap(member)
    if isinstance(member, type) and issubclass(member, BaseModel):
        kind = member.model_fields.get("kind")
        if kind is not None and typing.get_origin(kind.annotation) is Literal:
            return str(typing.get_args(kind.annotation)[0])
        return member.__name__
    if isinstance(member, type):
        return member.__name__
    origin = typing.get_origin(member)
    return getattr(origin, "__name__", None)


def _members(ann: Any) -> list[Any]:
    return [m for m in typing.get_args(_unwrap(ann))]


def walk(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[Path, Any, type[BaseModel] | None]:
    """The location without union tags, the annotation reached, and the last model passed."""
    clean: list[str | int] = []
    ann: Any = model
    last_model: type[BaseModel] | None = None
    items = list(loc)
    while items:
        ann_u = _unwrap(ann)
        x = items[0]
        if _is_union(ann_u):
            match = None
            for member in _members(ann_u):
                if _tag_of(member) == x:
                    match = member
            if match is None:
                present = [m for m in _members(ann_u) if m is not type(None)]
                if len(present) != 1:
                    break
                match = present[0]  # an optional value: pydantic adds no tag for it
                ann = match
                continue
            ann = match
            items.pop(0)
            continue
        if isinstance(ann_u, type) and issubclass(ann_u, BaseModel):
            last_model = ann_u
            items.pop(0)
            clean.append(x)
            field = ann_u.model_fields.get(x) if isinstance(x, str) else None
            if field is None:
                ann = None
                break
            ann = field.annotation
            continue
        origin = typing.get_origin(ann_u)
        if origin in (list, tuple) and isinstance(x, int):
            args = typing.get_args(ann_u)
            items.pop(0)
            clean.append(x)
            if origin is tuple and args and args[-1] is not Ellipsis and x < len(args):
                ann = args[x]
            else:
                ann = args[0] if args else Any
            continue
        if origin is dict:
            items.pop(0)
            clean.append(x)
            if items and items[0] == "[key]":  # the key itself is wrong, not its value
                items.pop(0)
                ann = typing.get_args(ann_u)[0]
                break
            ann = typing.get_args(ann_u)[1]
            continue
        break
    clean.extend(i for i in items if isinstance(i, (str, int)) and not _looks_like_tag(i))
    return tuple(clean), ann, last_model


def _looks_like_tag(item: Any) -> bool:
    return isinstance(item, str) and ("[" in item or item in _KIND_WORDS)


def show_value(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def closest(word: str, choices: typing.Iterable[str]) -> str | None:
    """The choice ``word`` most likely meant: the same but for case, else a close spelling."""
    ordered = sorted(set(choices))
    folded = [c for c in ordered if c.casefold() == word.strip().casefold()]
    if folded:
        return folded[0]
    close = difflib.get_close_matches(word, ordered, n=1, cutoff=0.6)
    return close[0] if close else None


def suggest(word: str, choices: typing.Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` when a close choice exists, else ``""``."""
    close = closest(word, choices)
    return f"; did you mean '{close}'?" if close else ""


_PARSERS: dict[str, tuple[str, typing.Callable[[str], Any]]] = {
    "int": ("number", int),
    "float": ("number", float),
    "date": ("date", dt.date.fromisoformat),
    "datetime": ("date and time", dt.datetime.fromisoformat),
    "bool": ("true or false", {"true": True, "false": False}.__getitem__),
}


def _quoted_message(value: Any, wanted: str) -> str | None:
    """For ``"5"`` where a number belongs: say the quotes make it text, and how to write it."""
    kind = next((k for k, words in _KIND_WORDS.items() if words == wanted), None)
    if not isinstance(value, str) or kind not in _PARSERS:
        return None
    what, parse = _PARSERS[kind]
    text = value.strip()
    if kind == "date" and "T" in text:
        return None
    try:
        parse(text)
    except (ValueError, KeyError):
        return None
    return f'"{value}" is text because of the quotes; write the {what} without them: {text}'


def _literal_choices(ann: Any) -> list[str] | None:
    ann = _unwrap(ann)
    if typing.get_origin(ann) is Literal:
        return [str(a) for a in typing.get_args(ann)]
    return None


def _expected(err: dict[str, Any]) -> str | None:
    t = err["type"]
    base = t.removesuffix("_type").removesuffix("_parsing")
    if t == "model_type" or t == "model_attributes_type" or t == "dataclass_type":
        return _KIND_WORDS["model"]
    if t.endswith("_type") or t.endswith("_parsing"):
        return _KIND_WORDS.get(base)
    return None


# Keys of a protocol's phases, often written one level too high.
_PHASE_KEYS = {key for phase in (DailyPhase, WeeklyPhase, IntervalPhase) for key in phase.model_fields} - {"kind"}


def _message(err: dict[str, Any], ann: Any, parent: type[BaseModel] | None, clean: Path) -> str:
    t = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    key = clean[-1] if clean else ""
    if t == "extra_forbidden":
        allowed = list(parent.model_fields) if parent else []
        if parent is not None and "phases" in allowed and key in _PHASE_KEYS:
            return (f"unknown key '{key}' here; it belongs to a phase: write it in the phase's table inside "
                    "phases = [...] (give the whole phases list when changing a built-in's)")
        hint = suggest(str(key), allowed)
        if not hint and allowed:
            hint = "; allowed here: " + ", ".join(allowed)
        return f"unknown key '{key}'{hint}"
    if t == "missing":
        return f"missing required key '{key}'"
    if t == "literal_error":
        choices = _literal_choices(ann) or []
        if err["loc"] and err["loc"][-1] == "[key]":
            return f"unknown key {show_value(value)}{suggest(str(value), choices)} (keys: {', '.join(choices)})"
        listed = ", ".join(f"'{c}'" for c in choices)
        return f"{show_value(value)} is not allowed{suggest(str(value), choices)} (choose one of {listed})"
    if t == "union_tag_invalid":
        return f"unknown kind {show_value(ctx.get('tag'))}; use one of {ctx.get('expected_tags')}"
    if t == "union_tag_not_found":
        return "missing key 'kind' (daily, weekly or interval)"
    if t in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        words = {"greater_than": "more than", "greater_than_equal": "at least",
                 "less_than": "less than", "less_than_equal": "at most"}[t]
        bound = next(iter(ctx.values()), "?")
        return f"must be {words} {bound}, got {show_value(value)}"
    if t in ("too_short", "string_too_short"):
        if t == "string_too_short" or ctx.get("min_length", 1) <= 1:
            return "must not be empty"
        return f"needs at least {ctx.get('min_length')} items, got {ctx.get('actual_length')}"
    if t == "too_long":
        return f"needs at most {ctx.get('max_length')} items, got {ctx.get('actual_length')}"
    if t in ("value_error", "assertion_error"):
        msg = str(err.get("msg", ""))
        return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    expected = _expected(err)
    if expected:
        return _quoted_message(value, expected) or f"expected {expected}, got {show_value(value)}"
    return str(err.get("msg", "invalid value"))


def problems_from(
    exc: ValidationError,
    model: type[BaseModel],
    file: str,
    index: PositionIndex | None,
    prefix: Path = (),
    line: int | None = None,
) -> list[Problem]:
    """One Problem per distinct place, with the union alternatives merged into one sentence."""
    grouped: dict[Path, list[tuple[dict[str, Any], Any, type[BaseModel] | None]]] = {}
    for err in exc.errors(include_url=False):
        clean, ann, parent = walk(model, tuple(err["loc"]))
        grouped.setdefault(clean, []).append((err, ann, parent))
    # Where a union member got further (an error deeper inside it), its siblings' type
    # errors at the shallower place are noise: the user meant that member.
    deep = set(grouped)
    # A required key reported missing beside an unknown key spelled like it is one
    # mistake, a typo: say it once, as the unknown key with its suggestion.
    unknown: dict[Path, list[str]] = {}
    for clean, errs in grouped.items():
        if clean and any(e[0]["type"] == "extra_forbidden" for e in errs):
            unknown.setdefault(clean[:-1], []).append(str(clean[-1]))
    out: list[Problem] = []
    for clean, errs in grouped.items():
        if clean and all(e[0]["type"] == "missing" for e in errs) and any(
            closest(typo, [str(clean[-1])]) for typo in unknown.get(clean[:-1], ())
        ):
            continue
        if any(other != clean and other[: len(clean)] == clean for other in deep):
            errs = [e for e in errs if _expected(e[0]) is None]
            if not errs:
                continue
        types_wanted = [w for e in errs if (w := _expected(e[0]))]
        if len(errs) > 1 and len(types_wanted) == len(errs):
            unique = list(dict.fromkeys(types_wanted))
            value = errs[0][0].get("input")
            message = next((m for w in unique if (m := _quoted_message(value, w))), None) or (
                f"expected {' or '.join(unique)}, got {show_value(value)}")
        else:
            err, ann, parent = errs[0]
            message = _message(err, ann, parent, clean)
        full = prefix + clean
        where = index.find(full) if index else None
        if where is None and line is None and index is not None:
            where = (1, 1)  # a table missing from the file altogether: point at its start
        out.append(
            Problem(file, where[0] if where else line, None, format_path(full), message)
        )
    return out
