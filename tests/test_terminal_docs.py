"""docs/terminal.md: the shell completion recipe produces a script for each shell."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "terminal.md"
ENTRY = "import sys; from tms_sched.cli import run; sys.argv[0] = 'tms-sched'; run()"


@pytest.mark.parametrize("shell, marker", [("bash", "complete -o nosort -F"), ("zsh", "compdef"),
                                           ("fish", "complete --no-files --command tms-sched")])
def test_documented_completion_script_is_produced(shell, marker):
    recipe = re.search(rf"_TMS_SCHED_COMPLETE=({shell}_source) tms-sched", DOC.read_text())
    assert recipe, f"docs/terminal.md has no {shell} recipe"
    env = {**os.environ, "_TMS_SCHED_COMPLETE": recipe.group(1)}
    out = subprocess.run([sys.executable, "-c", ENTRY], env=env, capture_output=True, text=True, check=True).stdout
    assert marker in out


def test_completion_offers_the_commands():
    env = {**os.environ, "_TMS_SCHED_COMPLETE": "bash_complete", "COMP_WORDS": "tms-sched ch", "COMP_CWORD": "1"}
    out = subprocess.run([sys.executable, "-c", ENTRY], env=env, capture_output=True, text=True, check=True).stdout
    assert "plain,check" in out.splitlines()
