"""The rule catalogue: every code, its severity and title, and the function that checks it.

Codes are stable (users silence them by code): new rules take new numbers after the
last one, never a retired number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import UsageError
from .finding import Finding, Severity

if TYPE_CHECKING:
    from .context import Context

RuleFunction = Callable[["Context"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: str
    name: str
    """The checking function's name, e.g. ``chair_overlap`` (SARIF wants one)."""
    needs_roster: bool = False


RULES: dict[str, Rule] = {}
_FUNCTIONS: dict[str, RuleFunction] = {}


def rule(code: str, severity: Severity, title: str, needs_roster: bool = False) -> Callable[[RuleFunction], RuleFunction]:
    """Register ``function`` as the check of ``code``."""

    def register(function: RuleFunction) -> RuleFunction:
        if code in RULES:
            raise RuntimeError(f"rule {code} is registered twice")
        RULES[code] = Rule(code, severity, title, function.__name__, needs_roster)
        _FUNCTIONS[code] = function
        return function

    return register


def all_codes() -> tuple[str, ...]:
    _load()
    return tuple(sorted(RULES))


def function_of(code: str) -> RuleFunction:
    _load()
    return _FUNCTIONS[code]


def rule_of(code: str) -> Rule:
    _load()
    return RULES[code]


def _load() -> None:
    from . import rules  # noqa: F401  (registers every rule)


_CODE = re.compile(r"^TMS\d{0,3}$")


def _expand(option: str, text: str, codes: tuple[str, ...]) -> Iterator[str]:
    for raw in text.split(","):
        token = raw.strip().upper()
        if not token:
            continue
        if token == "ALL":
            yield from codes
            continue
        matched = [c for c in codes if c.startswith(token)] if _CODE.match(token) else []
        if not matched:
            raise UsageError(
                f"{option}: '{raw.strip()}' matches no rule; give codes such as TMS001 or prefixes "
                f"such as TMS1, comma-separated (`tms-sched check --explain CODE` describes one)"
            )
        yield from matched


def select_codes(select: str | None, ignore: str | None) -> tuple[str, ...]:
    """The codes to run: ``select`` (default: all), less ``ignore``; prefixes allowed."""
    codes = all_codes()
    chosen = set(_expand("--select", select, codes)) if select else set(codes)
    if ignore:
        chosen -= set(_expand("--ignore", ignore, codes))
    return tuple(c for c in codes if c in chosen)
