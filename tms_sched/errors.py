"""Typed errors a user can cause, each carrying where it happened and its exit code.

One place (``cli.main``) turns these into output; nothing else prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader of the output went away, as a shell reports it


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file: ``file:line:col: path: message``."""

    file: str
    line: int | None
    column: int | None = None
    path: str = ""
    message: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        head = f"{where}: {self.path}: " if self.path else f"{where}: "
        return head + self.message


class TmsError(Exception):
    """Base of every error a user can cause; ``exit_code`` says how the CLI exits."""

    exit_code = EXIT_INPUT

    def lines(self) -> list[str]:
        return [str(self)]


class UsageError(TmsError):
    """A command-line argument is wrong (an unknown patient, a bad date)."""


@dataclass
class InputError(TmsError):
    """One or more problems in input files, collected before giving up."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class OutputError(TmsError):
    """An output file cannot be written safely (it exists and is not ours, a directory is missing)."""
