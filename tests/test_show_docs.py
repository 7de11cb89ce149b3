"""docs/views.md shows what `tms-sched show` prints: every sample is run and compared."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from tms_sched.cli import main

HERE = Path(__file__).parent
DOC = HERE.parent / "docs" / "views.md"
SAMPLE = re.compile(r"```console\n\$ (tms-sched show [^\n]*)\n(.*?)```", re.S)


def samples() -> list[tuple[str, str]]:
    return [(command, out) for command, out in SAMPLE.findall(DOC.read_text(encoding="utf-8"))
            if "--html" not in command]


def test_the_page_has_a_sample_of_every_view() -> None:
    commands = [command for command, _ in samples()]
    views = {re.search(r"--view (\w+)", c).group(1) if "--view" in c else "agenda" for c in commands}
    assert views == {"agenda", "week", "patient", "chairs", "load", "staff", "calls", "authorizations", "waitlist"}


@pytest.mark.parametrize("command, expected", samples(), ids=[c for c, _ in samples()])
def test_sample_is_what_show_prints(command: str, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE / "fixtures" / "show")
    result = CliRunner().invoke(main, shlex.split(command)[1:], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout == expected
