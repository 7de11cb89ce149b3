"""docs/ci.md and the pre-commit hook: the commands they give work as written."""

from __future__ import annotations

import re
import shlex
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from check_helpers import CLINIC, FIXTURES, REPO, ROSTER
from tms_sched.cli import main

CI = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")


def documented_commands() -> list[str]:
    """Every `tms-sched check ...` line of docs/ci.md (from shell and YAML blocks)."""
    out = []
    for line in CI.splitlines():
        m = re.search(r"(tms-sched check [^`]*?)\s*(?:`|$)", line)
        if m and "--explain" not in m.group(1) and "CODE" not in m.group(1):
            out.append(m.group(1).strip())
    return out


def test_docs_give_the_commands():
    commands = documented_commands()
    assert "tms-sched check clinic.toml schedule.toml --roster roster.toml" in commands
    assert any("--format sarif" in c for c in commands) and any("--format junit" in c for c in commands)


@pytest.mark.parametrize("command", documented_commands())
def test_documented_commands_run(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    shutil.copy(CLINIC, tmp_path / "clinic.toml")
    shutil.copy(ROSTER, tmp_path / "roster.toml")
    shutil.copy(FIXTURES / "tms001.toml", tmp_path / "schedule.toml")
    monkeypatch.chdir(tmp_path)
    words = shlex.split(command.split(">")[0])
    assert words[:2] == ["tms-sched", "check"]
    result = CliRunner().invoke(main, words[1:], env={"GITHUB_ACTIONS": ""})
    assert result.exit_code == (0 if "--exit-zero" in words else 1), result.output
    if "--format" in words:
        fmt = words[words.index("--format") + 1]
        if fmt == "junit":
            assert ET.fromstring(result.stdout).tag == "testsuites"
        if fmt == "sarif":
            assert '"version": "2.1.0"' in result.stdout


def test_pre_commit_hook_runs_tms_sched_check():
    hook = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "- id: tms-sched-check\n" in hook
    assert "  entry: tms-sched check\n" in hook
    assert "  pass_filenames: false\n" in hook
    # The default args name the usual files; the command they make works.
    args = re.search(r"^  args: \[(.*)\]$", hook, re.M).group(1).split(", ")
    assert args == ["clinic.toml", "schedule.toml"]
