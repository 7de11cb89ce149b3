"""The README's sample runs as shown: each command, in order, in a fresh folder with
config.example.toml, prints the lines the README shows (``...`` stands for lines left
out) and succeeds."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tms_sched.cli import main

REPO = Path(__file__).resolve().parent.parent


def sample() -> list[tuple[str, list[str]]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## A sample\n.*?```\n(.*?)```", text, re.S)
    assert block, "the README has a sample"
    steps: list[tuple[str, list[str]]] = []
    for line in block.group(1).splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    return steps


def test_the_sample_plans_marks_and_replans_on_one_today() -> None:
    todays = {re.search(r"--today (\S+)", c).group(1) if "--today" in c else None for c, _ in sample()
              if c.split()[1] in ("plan", "mark")}
    assert None not in todays, "every plan and mark of the sample says which day it is"


def test_the_readme_sample_runs_as_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(REPO / "config.example.toml", tmp_path / "config.example.toml")
    monkeypatch.chdir(tmp_path)
    steps = sample()
    assert len(steps) >= 6
    outputs: dict[str, str] = {}
    for command, shown in steps:
        words = shlex.split(command)
        assert words[0] == "tms-sched"
        result = CliRunner().invoke(main, words[1:])
        assert result.exit_code == 0, f"{command}\n{result.output}"
        outputs[command] = result.output
        out = [line.rstrip() for line in result.output.splitlines()]
        # Every line shown appears, in order; "..." skips any number of lines.
        at = 0
        for want in (line.rstrip() for line in shown):
            if want in ("...", ""):
                continue
            assert want in out[at:], f"{command}: {want!r} not printed (after line {at})\n{result.output}"
            at = out.index(want, at) + 1
    # A sign-off through the day before today leaves nothing unmarked for the replan.
    replans = [out for command, out in outputs.items() if "--schedule" in command]
    assert replans and all("not marked done or missed" not in out for out in replans)
