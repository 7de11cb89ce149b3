"""The rule reference (``rules.md``, shipped in the package) and one rule's section of it."""

from __future__ import annotations

import difflib
import re
from importlib import resources

from ..errors import UsageError
from .registry import all_codes

RULES_FILE = "rules.md"
_HEADING = re.compile(r"^## (TMS\d{3})\b", re.MULTILINE)


def rules_text() -> str:
    """The whole rule reference, as shipped (docs/rules.md is a copy checked for drift)."""
    return resources.files(__package__).joinpath(RULES_FILE).read_text(encoding="utf-8")


def sections() -> dict[str, str]:
    """Each code's section: from its ``## TMSnnn`` heading up to the next heading of that level."""
    text = rules_text()
    out: dict[str, str] = {}
    for match in _HEADING.finditer(text):
        start = match.start()
        nxt = re.compile(r"^## ", re.MULTILINE).search(text, match.end())
        end = nxt.start() if nxt else len(text)
        out[match.group(1)] = text[start:end].rstrip() + "\n"
    return out


def explain(code: str) -> str:
    """The section of ``code``; a UsageError naming the known codes otherwise."""
    wanted = code.strip().upper()
    found = sections()
    if wanted in found:
        return found[wanted]
    codes = all_codes()
    errors = [c for c in codes if c < "TMS100"]
    warnings = [c for c in codes if c >= "TMS100"]
    close = difflib.get_close_matches(wanted, codes, n=1)
    hint = f"Did you mean {close[0]}? " if close else ""
    raise UsageError(f"--explain: unknown rule '{code}'. {hint}The rules are "
                     f"{errors[0]}-{errors[-1]} (errors) and {warnings[0]}-{warnings[-1]} (warnings)")
