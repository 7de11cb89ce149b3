"""Open time with nobody on shift, seen where a coordinator sees it: the week view in a
real terminal (tmux, at the terminal's own width) and the week and chairs views written
as HTML and read back by a real browser (headless Chromium).

In the show fixture nobody works after 17:00 (after 16:00 on Tuesday and Thursday); the
agenda lists that time as ``no staff`` rows, and the week and chairs views mark it ``╱``
rather than free.
"""

from __future__ import annotations

import html
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from tms_sched.cli import main

FIX = Path(__file__).parent / "fixtures" / "show"
ARGS = ["--clinic", str(FIX / "clinic.toml"), "--today", "2027-03-17"]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def _chromium() -> str | None:
    return next((found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))),
                None)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_the_week_in_a_terminal_marks_no_staff_and_leaves_it_out_of_free(tmp_path: Path):
    """The week view run in a 110 x 50 terminal, without --width: it takes the terminal's."""
    session = f"tms-{uuid.uuid4().hex[:8]}"
    done = tmp_path / "done"
    command = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "tms_sched", "show", str(FIX / "schedule.toml"),
                                                "--view", "week", *ARGS])
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "NO_COLOR": "1"}
    env.pop("TMUX", None)
    subprocess.run(["tmux", "-u", "-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "110", "-y", "50",
                    f"{command}; touch {shlex.quote(str(done))}; sleep 30"], env=env, check=True)
    try:
        deadline = time.monotonic() + 30
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert done.exists(), "the view did not finish in the terminal"
        screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], env=env, check=True,
                                capture_output=True, text=True).stdout
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], env=env, capture_output=True)
    lines = screen.splitlines()
    row = next(line for line in lines if line.startswith("│ 16:00"))
    cells = [c.strip() for c in row.strip("│").split("│")[1:]]
    assert cells == ["· · ·", "╱ ╱ ╱", "· · ·", "╱ ╱", "· · ·"], screen
    free = next(line for line in lines if line.startswith("│ free"))
    assert [c.strip() for c in free.strip("│").split("│")[1:]] == ["24h20", "22h05", "24h25", "20h05", "20h35"]
    assert "Tue, Thu no staff on shift 16:00-18:00: outside staff hours" in lines
    assert any(line.startswith("█ booked") and "╱ no staff" in line for line in lines), screen


def _page_text(page: str) -> str:
    """The text of a <pre> page: tags dropped, entities read."""
    code = re.search(r"<pre><code>(.*)</code></pre>", page, re.S)
    assert code, page[:500]
    return html.unescape(re.sub(r"<[^>]+>", "", code.group(1)))


@pytest.mark.parametrize("view, date, expected", [
    ("week", "2027-03-15", "Tue, Thu no staff on shift 16:00-18:00: outside staff hours"),
    ("chairs", "2027-03-16", "no staff on shift 16:00-18:00: outside staff hours"),
])
def test_the_html_export_shows_what_the_terminal_shows(tmp_path: Path, view: str, date: str, expected: str):
    out = tmp_path / f"{view}.html"
    argv = ["show", str(FIX / "schedule.toml"), "--view", view, "--date", date, "--width", "100", *ARGS]
    written = CliRunner().invoke(main, [*argv, "--html", str(out)])
    assert written.exit_code == 0, written.output
    printed = CliRunner().invoke(main, argv)
    assert printed.exit_code == 0, printed.output
    text = _page_text(out.read_text(encoding="utf-8"))
    assert [line.rstrip() for line in text.splitlines()] == [line.rstrip() for line in printed.stdout.splitlines()]
    assert expected in text.splitlines() and "╱" in text
    browser = _chromium()
    if view != "week" or browser is None:
        return
    # A real browser reads the same page: the marks and the note survive its parser.
    dom = subprocess.run([browser, *CHROMIUM_FLAGS, "--dump-dom", out.as_uri()], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    rendered = _page_text(dom)
    assert expected in rendered.splitlines()
    row = next(line for line in rendered.splitlines() if line.startswith("│ 17:30"))
    assert [c.strip() for c in row.strip("│").split("│")[1:]] == ["╱ ╱ ╱"] * 3 + ["╱ ╱", "╱ ╱ ╱"]
