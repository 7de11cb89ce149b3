"""The help screens load no heavy part of the program: models, planner, renderers, rich.

A timing test would be flaky; what makes `--help` slow is what it imports, so that is
what is asserted. benchmarks/bench_startup.py measures the time itself.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pydantic", "rich", "icalendar", "holidays", "tms_sched.model", "tms_sched.plan", "tms_sched.io",
         "tms_sched.render", "tms_sched.calendar")

PROBE = """
import contextlib, io, json, sys
from tms_sched.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(sys.argv[1:], prog_name="tms-sched")
    except SystemExit:
        pass
print(json.dumps(sorted(sys.modules)))
"""


def loaded_by(*args: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("args", [("--help",), ("plan", "--help"), ("mark", "--help"), ("capacity", "--help")])
def test_help_imports_nothing_heavy(args):
    heavy = sorted({m for m in loaded_by(*args) for h in HEAVY if m == h or m.startswith(h + ".")})
    assert heavy == []


def test_help_lists_every_command():
    from click.testing import CliRunner

    from tms_sched.cli import main

    out = CliRunner().invoke(main, ["--help"]).output
    for name in ("plan", "check", "show", "export", "mark", "protocols", "closures", "init", "schema"):
        assert f"\n  {name} " in out
