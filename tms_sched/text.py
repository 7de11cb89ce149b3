"""Words in messages: counts that agree with their noun, paths a shell can take back."""

from __future__ import annotations

import os
import shlex


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 patient``, ``2 patients``, ``0 patients``; ``words`` for an irregular plural."""
    return f"{n} {word}" if n == 1 else f"{n} {words or word + 's'}"


def shell_line(*words: str | os.PathLike[str]) -> str:
    """A command line to paste into a POSIX shell: each word quoted where it needs it."""
    return " ".join(shlex.quote(os.fspath(w)) for w in words)


def with_slash(path: str | os.PathLike[str]) -> str:
    """A folder's path with one trailing slash, however it was typed (``cal``, ``cal/``, ``cal//``)."""
    text = os.fspath(path)
    stripped = text.rstrip("/")
    return stripped + "/" if stripped else "/"


__all__ = ["plural", "shell_line", "with_slash"]
