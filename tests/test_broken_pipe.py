"""A reader that stops early (`| head`) ends a command quietly, never as an internal error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tms_sched.errors import EXIT_BROKEN_PIPE

ROOT = Path(__file__).resolve().parent.parent


def test_export_into_a_closed_pipe_stops_quietly(tmp_path: Path) -> None:
    clinic = ROOT / "config.example.toml"
    schedule = tmp_path / "schedule.toml"
    cli = [sys.executable, "-m", "tms_sched"]
    planned = subprocess.run([*cli, "plan", str(clinic), "-o", str(schedule)], capture_output=True, text=True)
    assert schedule.exists(), planned.stderr
    # A pipe whose reader has already gone: every write to it breaks.
    proc = subprocess.Popen([*cli, "export", "ical", str(schedule), "--clinic", str(clinic), "--by", "patient",
                             "-o", str(tmp_path / "out")], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait() == EXIT_BROKEN_PIPE, err
    assert "internal error" not in err
    assert "Traceback" not in err
