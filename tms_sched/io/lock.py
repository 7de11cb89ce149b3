"""One writer at a time per schedule: an advisory lock beside the file.

Every command that rewrites a schedule (mark, move, pin, plan --schedule) holds the lock
from the moment it reads the file until the new version is in place, so two changes made
at the same moment both land instead of one silently replacing the other. A second
writer waits a few seconds for the first, then gives up with a clear message.

The lock is a small hidden file next to the schedule (``.schedule.toml.lock``), locked
with ``fcntl.flock`` and removed when the writer is done; the schedule itself cannot
carry the lock because each write replaces it with a new file. A writer that wins the
lock checks that the file it locked is still the one at that name before it goes on.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import OutputError

WAIT_SECONDS = 10.0
"""How long a second writer waits for the first before giving up."""


def lock_path(path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    return target.with_name(f".{target.name}.lock")


@contextlib.contextmanager
def schedule_lock(path: str | os.PathLike[str], wait: float | None = None) -> Iterator[None]:
    """Hold the schedule at ``path`` for writing; read it again inside, then write.

    Raises OutputError when another command holds it for longer than ``wait`` seconds,
    or when the lock cannot be made (a read-only folder). ``wait`` defaults to WAIT_SECONDS.
    """
    try:
        import fcntl
    except ImportError:  # no advisory locks on this system: one writer is the user's job
        fcntl = None
    if fcntl is None or not Path(path).is_file():  # nothing to guard yet: no stray lock for a mistyped name
        yield
        return
    lock = lock_path(path)
    wait = WAIT_SECONDS if wait is None else wait
    deadline = time.monotonic() + wait
    delay = 0.01
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(f"{path}: cannot take the write lock {lock} ({exc.strerror}); "
                              "nothing was written") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise OutputError(f"{path}: another command has been writing it for {wait:.0f} s; nothing was "
                                  "written. Wait for it to finish, then run this command again "
                                  f"(the lock is {lock})") from None
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
            continue
        # The holder before us removes the lock file as it lets go; a lock on a removed
        # file guards nothing, so take it again on the file that is there now.
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)  # leave no file behind; the next writer makes its own
        os.close(fd)
