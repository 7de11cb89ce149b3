"""Where each key of a TOML document stands.

tomli parses but reports no positions, and error messages must point at a line. This
scanner walks text that tomli has already accepted and records, for every key path
(``("patients", 1, "protocol")``), the line and column where it starts. It needs no
error handling of its own: a document reaches it only after it parsed.
"""

from __future__ import annotations

import re

Path = tuple[str | int, ...]
Position = tuple[int, int]  # 1-based line, 1-based column

_BARE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")

# A one-line inline table whose keys are bare and whose values are strings, numbers,
# dates or booleans: the shape of every appointment line, read by regex rather than
# character by character (a 60,000-appointment schedule scans in a fraction).
_FLAT_VALUE = r"""(?:"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^,{}\[\]\n#"'\s][^,{}\[\]\n#"']*?)"""
_FLAT_PAIR = re.compile(r"([A-Za-z0-9_-]+)[ \t]*=[ \t]*" + _FLAT_VALUE + r"[ \t]*")
_FLAT_TABLE = re.compile(r"\{[ \t]*(?:" + _FLAT_PAIR.pattern + r"(?:,[ \t]*" + _FLAT_PAIR.pattern + r")*)?\}")


class PositionIndex:
    """A map from key path to (line, column), with a lookup that falls back to parents."""

    def __init__(self, positions: dict[Path, Position] | None = None) -> None:
        self.positions: dict[Path, Position] = positions or {}

    def find(self, path: Path) -> Position | None:
        """The position of ``path``, or of its nearest recorded ancestor."""
        path = tuple(path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return None

    def line(self, path: Path) -> int | None:
        pos = self.find(path)
        return pos[0] if pos else None


class _Scanner:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.line = 1
        self.line_start = 0
        self.positions: dict[Path, Position] = {}
        self.aot_counts: dict[Path, int] = {}

    # -- low level -------------------------------------------------------------
    def pos(self) -> Position:
        return (self.line, self.i - self.line_start + 1)

    def peek(self, n: int = 0) -> str:
        j = self.i + n
        return self.s[j] if j < len(self.s) else ""

    def advance(self, n: int = 1) -> None:
        for _ in range(n):
            if self.i < len(self.s) and self.s[self.i] == "\n":
                self.line += 1
                self.line_start = self.i + 1
            self.i += 1

    def skip_ws(self, newlines: bool) -> None:
        while self.i < len(self.s):
            c = self.s[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self.advance()
            elif c == "#":
                while self.i < len(self.s) and self.s[self.i] != "\n":
                    self.advance()
            else:
                break

    def record(self, path: Path, pos: Position) -> None:
        self.positions.setdefault(path, pos)

    # -- keys ------------------------------------------------------------------
    def key_part(self) -> str:
        c = self.peek()
        if c in "\"'":
            return self.string()
        start = self.i
        while self.peek() in _BARE and self.peek():
            self.advance()
        return self.s[start : self.i]

    def dotted_key(self) -> list[str]:
        parts = [self.key_part()]
        self.skip_ws(False)
        while self.peek() == ".":
            self.advance()
            self.skip_ws(False)
            parts.append(self.key_part())
            self.skip_ws(False)
        return parts

    # -- values ----------------------------------------------------------------
    def string(self) -> str:
        q = self.peek()
        if self.s.startswith(q * 3, self.i):
            self.advance(3)
            start = self.i
            while not self.s.startswith(q * 3, self.i) or self.s.startswith(q * 4, self.i):
                if q == '"' and self.peek() == "\\":
                    self.advance()
                self.advance()
            value = self.s[start : self.i]
            self.advance(3)
            return value
        self.advance()
        start = self.i
        while self.peek() != q:
            if q == '"' and self.peek() == "\\":
                self.advance()
            self.advance()
        value = self.s[start : self.i]
        self.advance()
        return value

    def value(self, path: Path) -> None:
        c = self.peek()
        if c in "\"'":
            self.string()
        elif c == "[":
            self.advance()
            index = 0
            while True:
                self.skip_ws(True)
                if self.peek() == "]":
                    self.advance()
                    return
                self.record(path + (index,), self.pos())
                self.value(path + (index,))
                index += 1
                self.skip_ws(True)
                if self.peek() == ",":
                    self.advance()
        elif c == "{":
            if self.flat_table(path):
                return
            self.advance()
            while True:
                self.skip_ws(True)  # TOML 1.1 lets inline tables span lines
                if self.peek() == "}":
                    self.advance()
                    return
                self.key_value(path)
                self.skip_ws(True)
                if self.peek() == ",":
                    self.advance()
        else:
            while self.peek() and self.peek() not in ",]}\n#":
                self.advance()

    def flat_table(self, path: Path) -> bool:
        """One-line inline table of bare keys and plain values, in one step (a schedule's
        appointment line); False, having read nothing, for any other shape."""
        m = _FLAT_TABLE.match(self.s, self.i)
        if m is None:
            return False
        column = self.i - self.line_start + 1
        for pair in _FLAT_PAIR.finditer(self.s, self.i + 1, m.end() - 1):
            self.record(path + (pair.group(1),), (self.line, column + pair.start() - self.i))
        self.i = m.end()
        return True

    def key_value(self, table: Path) -> None:
        pos = self.pos()
        parts = self.dotted_key()
        path = table
        for part in parts:
            path = path + (part,)
            self.record(path, pos)
        self.skip_ws(False)
        self.advance()  # '='
        self.skip_ws(False)
        self.value(path)

    # -- headers ---------------------------------------------------------------
    def resolve(self, parts: list[str]) -> Path:
        """Key parts of a header to a path, indexing into arrays of tables seen so far."""
        path: Path = ()
        for part in parts:
            path = path + (part,)
            if path in self.aot_counts:
                path = path + (self.aot_counts[path] - 1,)
        return path

    def run(self) -> dict[Path, Position]:
        table: Path = ()
        while True:
            self.skip_ws(True)
            if self.i >= len(self.s):
                return self.positions
            pos = self.pos()
            if self.s.startswith("[[", self.i):
                self.advance(2)
                self.skip_ws(False)
                parts = self.dotted_key()
                self.skip_ws(False)
                self.advance(2)
                base = self.resolve(parts[:-1]) + (parts[-1],)
                for k in range(1, len(base)):
                    self.record(base[:k], pos)
                count = self.aot_counts.get(base, 0)
                self.aot_counts[base] = count + 1
                self.record(base, pos)
                table = base + (count,)
                self.record(table, pos)
            elif self.peek() == "[":
                self.advance()
                self.skip_ws(False)
                parts = self.dotted_key()
                self.skip_ws(False)
                self.advance()
                table = self.resolve(parts)
                for k in range(1, len(table) + 1):
                    self.record(table[:k], pos)
            else:
                self.key_value(table)


def index_toml(text: str) -> PositionIndex:
    """Positions of every key and array element in a TOML text that already parsed."""
    return PositionIndex(_Scanner(text).run())


def format_path(path: Path) -> str:
    """``("patients", 1, "protocol")`` -> ``patients[1].protocol``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
