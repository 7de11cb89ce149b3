"""What the docs and help screens name exists: every documented command and flag is in
the command-line interface, and every key in a documented TOML example is a key the
file readers know."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import click
import pytest
from pydantic import BaseModel

from tms_sched.cli import main
from tms_sched.model.clinic import ClinicFile
from tms_sched.model.patient import Patient
from tms_sched.model.protocol import Protocol
from tms_sched.model.schedule import Schedule

REPO = Path(__file__).resolve().parent.parent
PAGES = sorted((REPO / "docs").glob("*.md")) + [REPO / "README.md"]
# A command line as written in the docs: `tms-sched CMD [SUB] ...` up to the end of the
# code span or line.
COMMAND_LINE = re.compile(r"(?<![\w/.-])tms-sched ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)?)([^`\n#]*)")
# Code that runs other programs, whose flags are theirs.
OTHER_PROGRAMS = re.compile(r"(?<![\w-])(pre-commit|curl|python|pip|git)\b")
FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-o)(?![\w-])")


def commands() -> dict[str, click.Command]:
    """Every command by its path (``plan``, ``export ical``)."""
    out: dict[str, click.Command] = {}

    def walk(group: click.Group, prefix: str) -> None:
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None
            out[f"{prefix}{name}"] = command
            if isinstance(command, click.Group):
                walk(command, f"{prefix}{name} ")

    walk(main, "")
    return out


def flags_of(command: click.Command) -> set[str]:
    names = {"--help", "-h"}
    for param in command.params:
        if isinstance(param, click.Option):
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


def code(text: str) -> list[tuple[int, str]]:
    """(line number, text) of the code in a page: fenced blocks line by line, and code spans."""
    out: list[tuple[int, str]] = []
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            out.append((number, re.sub(r"\s#.*$", "", line)))   # a comment is prose
        else:
            out.extend((number, span) for span in re.findall(r"`([^`]+)`", line))
    return out


def documented_lines() -> list[tuple[str, int, str, str]]:
    """(page, line number, command path, the rest of the line) of each documented command line."""
    known = commands()
    found = []
    for page in PAGES:
        for number, line in code(page.read_text(encoding="utf-8")):
            for m in COMMAND_LINE.finditer(line):
                words = m.group(1).split()
                path = " ".join(words) if " ".join(words) in known else words[0]
                rest = m.group(2) if path == m.group(1) else m.group(1)[len(words[0]):] + m.group(2)
                found.append((page.name, number, path, rest))
    return found


def test_every_documented_command_exists() -> None:
    known = commands()
    unknown = [f"{page}:{n}: tms-sched {path}" for page, n, path, _ in documented_lines() if path not in known]
    assert unknown == []


def test_every_flag_on_a_documented_command_line_is_that_commands() -> None:
    known = commands()
    wrong = []
    for page, n, path, rest in documented_lines():
        if path not in known:
            continue
        for flag in FLAG.findall(rest):
            if flag not in flags_of(known[path]):
                wrong.append(f"{page}:{n}: tms-sched {path} {flag}")
    assert wrong == []


def test_every_flag_the_docs_and_help_name_exists() -> None:
    everywhere = {"--version"} | flags_of(main) | set().union(*(flags_of(c) for c in commands().values()))
    texts = {f"{page.name}:{n}": line for page in PAGES for n, line in code(page.read_text(encoding="utf-8"))
             if not OTHER_PROGRAMS.search(line)}
    texts.update({f"tms-sched {path} --help": command.help or "" for path, command in commands().items()})
    texts.update({f"tms-sched {path} {opt.opts[-1]}": opt.help or ""
                  for path, command in commands().items() for opt in command.params
                  if isinstance(opt, click.Option)})
    missing = sorted({f"{where}: {flag}" for where, text in texts.items() for flag in FLAG.findall(text)
                      if flag not in everywhere})
    assert missing == []


def model_keys(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[str]:
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        keys.add(field.alias or name)
        stack = [field.annotation]
        while stack:
            t = stack.pop()
            if isinstance(t, type) and issubclass(t, BaseModel):
                keys |= model_keys(t, seen)
            stack.extend(typing.get_args(t))
    return keys


def test_every_key_in_a_documented_toml_example_is_known() -> None:
    known = model_keys(ClinicFile) | model_keys(Patient) | model_keys(Schedule) | model_keys(Protocol)
    unknown = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for block in re.finditer(r"```toml\n(.*?)```", text, re.S):
            line_no = text[:block.start()].count("\n") + 2
            for i, line in enumerate(block.group(1).splitlines()):
                code = line.split("#", 1)[0]
                for key in re.findall(r"(?:^\s*|[{,]\s*)([A-Za-z_][\w-]*)\s*=", code):
                    if key not in known:
                        unknown.append(f"{page.name}:{line_no + i}: {key}")
    assert unknown == []


def test_closures_help_names_every_kind_of_row_it_prints() -> None:
    from click.testing import CliRunner

    help_text = " ".join((commands()["closures"].help or "").split())
    result = CliRunner().invoke(main, ["closures", str(REPO / "tests" / "fixtures" / "calendar" / "clinic.toml"),
                                       "--from", "2026-10-30", "--to", "2027-03-20", "--today", "2026-10-30"])
    assert result.exit_code == 0, result.output
    rows = result.stdout
    # Each kind of row the listing holds, and the words the help uses for it.
    kinds = {
        "public holiday: Christmas Day": "public holidays",
        "winter break": "closed dates, date ranges",
        "chair A 12:00-17:00": "chair downtime",
        "chair B all day": "chair downtime",
        "clocks go forward; the hour does not exist": "daylight-saving change",
    }
    for row, words in kinds.items():
        assert row in rows
        assert words in help_text, words


def help_at_80(*path: str) -> str:
    from click.testing import CliRunner

    result = CliRunner().invoke(main, [*path, "--help"], terminal_width=80)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_command_list_shows_every_description_whole_at_80_columns() -> None:
    text = help_at_80()
    listing = text[text.index("Commands:"):].splitlines()[1:]
    assert len(listing) == len(main.list_commands(click.Context(main)))
    assert not [line for line in listing if line.rstrip().endswith("...")]


@pytest.mark.parametrize("path", sorted(commands()), ids=lambda p: p.replace(" ", "-"))
def test_every_help_screen_fits_80_columns(path: str) -> None:
    wide = [line for line in help_at_80(*path.split()).splitlines() if len(line) > 80]
    assert wide == []
