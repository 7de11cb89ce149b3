"""The example clinic with every clinical-model key at once: supervision, a staff ratio,
monitoring with twice-weekly spacing, re-mapping after a gap and every N days, and
assessments anchored on sessions with a preferred day. It plans every patient and checks clean."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from tms_sched.cli import main
from tms_sched.io.schedule import load_schedule

ROOT = Path(__file__).resolve().parent.parent

STANDARD_10HZ = """[protocols.standard-10hz]
remap_every_days = 14
assessments = [
  { name = "baseline", anchor = "first", window_days = [0, 0], minutes = 30 },
  { name = "phq-9", anchor = "session", every_sessions = 10, window_days = [0, 2], minutes = 15 },
  { name = "follow-up", anchor = "last", window_days = [14, 28], prefer_day = 28, minutes = 30 },
]

"""


def every_key_clinic(tmp_path: Path) -> Path:
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    for key in ("supervision = ", "patients_per_staff = 2", "monitor_minutes = 120", "min_days_apart = 2"):
        assert key in text, f"the example clinic no longer uses {key!r}"
    text = text.replace("max_gap_days = 10\n", "max_gap_days = 10\nremap_after_days = 6\n", 1)
    text = text.replace("[protocols.standard-itbs]\n", STANDARD_10HZ + "[protocols.standard-itbs]\n", 1)
    clinic = tmp_path / "clinic.toml"
    clinic.write_text(text, encoding="utf-8")
    return clinic


def test_the_example_with_every_new_key_plans_everyone_and_checks_clean(tmp_path: Path) -> None:
    clinic = every_key_clinic(tmp_path)
    schedule = tmp_path / "schedule.toml"
    runner = CliRunner()
    planned = runner.invoke(main, ["plan", str(clinic), "-o", str(schedule)])
    assert planned.exit_code == 0, planned.output
    assert re.search(r"(\d+) patients placed, 0 not placed", planned.output), planned.output

    checked = runner.invoke(main, ["check", str(clinic), str(schedule)])
    assert checked.exit_code == 0, checked.output
    assert "No findings" in checked.output

    loaded, _ = load_schedule(str(schedule))
    appointments = [a for p in loaded.patients for a in p.appointments]
    # Esketamine doses a week apart are re-mappings after the 6-day gap, each with its monitoring.
    remaps = [a for a in appointments if a.kind == "mapping" and a.session and a.session > 1 and a.monitor_minutes]
    assert remaps
    # A PHQ-9 after sessions 10 and 20 of each 10 Hz course, none after the last.
    ratings = [a for a in appointments if a.kind == "assessment" and a.name == "phq-9"]
    tenhz = [p for p in loaded.patients if p.protocol == "standard-10hz"]
    assert tenhz and len(ratings) == 2 * len(tenhz)
