"""A real Radicale CalDAV server on 127.0.0.1 for tests, storing in a temporary folder."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

TIMEOUT = 10  # seconds for the server to start or stop


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def radicale(folder: Path, users: dict[str, str] | None = None) -> Iterator[str]:
    """Radicale serving ``folder``; with ``users`` (name -> password) it asks for them
    (htpasswd, plain), else it takes any user and password. Yields its address."""
    port = free_port()
    auth = ["--auth-type", "none"]
    if users is not None:
        htpasswd = folder / "users"
        htpasswd.write_text("".join(f"{u}:{p}\n" for u, p in users.items()), encoding="utf-8")
        auth = ["--auth-type", "htpasswd", "--auth-htpasswd-filename", str(htpasswd),
                "--auth-htpasswd-encryption", "plain"]
    log_path = folder / "radicale.log"
    log = open(log_path, "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", os.devnull,
         "--server-hosts", f"127.0.0.1:{port}", *auth, "--rights-type", "owner_only",
         "--storage-filesystem-folder", str(folder / "collections"), "--logging-level", "warning"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail(f"radicale exited with {server.returncode}: {log_path.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("radicale did not start listening within the timeout")
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=TIMEOUT)
        log.close()
