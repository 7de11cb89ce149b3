"""The schedule checker: the rules of SPEC section 4, one function per code.

``check`` takes loaded models (the CLI reads the files) and returns a ``Report`` of
``Finding``s; renderers in ``render.findings`` turn it into text, JSON, GitHub
annotations, JUnit XML or SARIF. The checker never calls the planner: a checker that
reused the planner's logic could not catch the planner's mistakes.
"""

from .engine import check, check_schedule
from .explain import explain, rules_text
from .finding import FileReport, Finding, Report, Severity
from .registry import RULES, Rule, all_codes, rule_of, select_codes

__all__ = [
    "check", "check_schedule", "explain", "rules_text", "FileReport", "Finding", "Report", "Severity",
    "RULES", "Rule", "all_codes", "rule_of", "select_codes",
]
