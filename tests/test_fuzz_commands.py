"""Mutated clinic, roster and schedule files through every command: a user error at worst.

One literal of one base file (fixtures/fuzz/base-*.toml) is replaced by a value from a
list of troublemakers (huge and negative numbers, dates at the ends of the calendar,
rich markup, empty lists); the command must end with exit 0, 1 or 2 and no traceback.
The number of examples is bounded so the suite stays quick; raise FUZZ_EXAMPLES to search
longer (an input that fails belongs in fixtures/fuzz as a case of its own).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tms_sched.cli import main

from test_fuzz_corpus import COMMANDS, CORPUS

BASE = {kind: (CORPUS / f"base-{kind}.toml").read_text(encoding="utf-8") for kind in ("clinic", "roster", "schedule")}
# Values on the right of '=': quoted text, date-times, dates, numbers, and lists of them.
LITERAL = re.compile(r'(?<== )("[^"\n]*"|\d{4}-\d{2}-\d{2}(?:T[\d:]+(?:[+-]\d{2}:\d{2})?)?|-?\d+|\[[^\]\n]*\])')
SITES = {kind: [m.span() for m in LITERAL.finditer(text)] for kind, text in BASE.items()}

TROUBLE = st.sampled_from([
    "0", "-1", "1", "59", "1441", "2147483648", "9223372036854775807", "-9223372036854775808", "1000000000000",
    "0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01", "0001-01-01T00:00:00", "9999-12-31T23:59:00",
    "9999-12-31T08:00:00-08:00", "0001-01-01T08:00:00+14:00", "2027-03-14T02:30:00-08:00",
    '"[/]"', '"[bold]Z"', '""', '"\\u0000"', '"=1+1"', '"25:00-26:00"', '"08:00-08:00"',
    "[]", "[-1000000, -1]", "[0, 0]", '["[/]"]', "[9999-12-31]", "true", "1e400", "nan", "inf",
])


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(BASE)), site=st.integers(min_value=0), value=TROUBLE,
       command=st.integers(min_value=0, max_value=len(COMMANDS) - 1))
def test_mutated_input_ends_as_user_error_at_worst(tmp_path_factory, kind, site, value, command):
    folder = tmp_path_factory.mktemp("fuzz")
    start, end = SITES[kind][site % len(SITES[kind])]
    files = dict(BASE)
    files[kind] = BASE[kind][:start] + value + BASE[kind][end:]
    for name, text in files.items():
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    for copy in ("replan", "mark"):
        (folder / f"{copy}.toml").write_text(files["schedule"], encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(main, COMMANDS[command])
    finally:
        os.chdir(cwd)
    assert result.exit_code in (0, 1, 2), (COMMANDS[command], kind, value, result.output[-600:])
    assert "Traceback" not in result.output
