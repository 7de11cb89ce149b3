"""Every [[unplaced]] reason names what actually stands in the way, with the fix that
would place the patient: one small clinic per binding constraint."""

from __future__ import annotations

from pathlib import Path

from planhelp import tms
from tms_sched.io.schedule import load_schedule

HEAD = """
[clinic]
name = "Reasons Clinic"
timezone = "America/Chicago"
horizon_weeks = {horizon}

[clinic.hours]
mon = "08:00-17:00"
tue = "08:00-17:00"
wed = "08:00-17:00"
thu = "08:00-17:00"
fri = "08:00-17:00"

[[chairs]]
id = "A"
capabilities = ["10hz", "itbs"]
"""

WEEK = '{ mon = "08:00-17:00", tue = "08:00-17:00", wed = "08:00-17:00", thu = "08:00-17:00", fri = "08:00-17:00" }'


def reason(tmp_path: Path, text: str, pid: str) -> str:
    clinic = tmp_path / "clinic.toml"
    clinic.write_text(text, encoding="utf-8")
    schedule = tmp_path / "schedule.toml"
    tms("plan", clinic, "-o", schedule, "--today", "2027-03-31", code=1)
    loaded, _ = load_schedule(str(schedule))
    return {u.id: u.reason for u in loaded.unplaced}[pid]


def test_a_start_beyond_the_horizon_says_so_not_that_the_chairs_are_full(tmp_path: Path):
    text = HEAD.format(horizon=4) + """
[[patients]]
id = "LATER"
protocol = "standard-10hz"
start_after = 2027-06-07
"""
    why = reason(tmp_path, text, "LATER")
    assert "horizon" in why and "2027-06-07" in why and "horizon_weeks" in why, why
    assert "full" not in why


def test_an_urgent_referral_blocked_by_the_physicians_hours_is_told_so(tmp_path: Path):
    """The physician is on shift on Friday afternoons only: the mapping cannot come before
    Friday 04-09, and 30 sessions from then end after the deadline. The fix is the
    physician's hours, not the authorization."""
    text = HEAD.format(horizon=12) + f"""
[[staff]]
id = "dr-fri"
role = "physician"
hours = {{ fri = "13:00-17:00" }}

[[staff]]
id = "rn-1"
role = "clinician"
hours = {WEEK}

[[staff]]
id = "tech-1"
role = "technician"
hours = {WEEK}

[[patients]]
id = "URGENT"
protocol = "standard-10hz"
priority = "urgent"
start_after = 2027-04-05
deadline = 2027-05-14
"""
    why = reason(tmp_path, text, "URGENT")
    assert "physician's hours (dr-fri)" in why and "extend dr-fri's hours" in why, why
    assert "authorization" not in why


def test_a_referral_blocked_by_the_staff_on_shift_is_told_so(tmp_path: Path):
    """Staff are on shift on Mondays and Wednesdays only: every session needs someone with
    the patient, so the course cannot finish by the deadline; the fix is the staff's hours."""
    text = HEAD.format(horizon=12) + """
[[staff]]
id = "dr-1"
role = "physician"
hours = { mon = "08:00-17:00", wed = "08:00-17:00" }

[[staff]]
id = "tech-1"
role = "technician"
hours = { mon = "08:00-17:00", wed = "08:00-17:00" }

[[patients]]
id = "TWO-DAYS"
protocol = "standard-10hz"
start_after = 2027-04-05
deadline = 2027-05-31
"""
    why = reason(tmp_path, text, "TWO-DAYS")
    assert "staff's shifts" in why and "tech-1" in why and "extend the staff hours" in why, why
    assert "authorization" not in why


def test_a_missing_chair_capability_is_named(tmp_path: Path):
    text = HEAD.format(horizon=12) + """
[[patients]]
id = "SAINT"
protocol = "snt"
start_after = 2027-04-05
"""
    why = reason(tmp_path, text, "SAINT")
    assert "no chair has capability 'neuronav'" in why, why


def test_a_window_too_short_for_the_course_names_the_authorization(tmp_path: Path):
    """Nothing else in the way: the 30 sessions cannot fit between 04-05 and 04-30."""
    text = HEAD.format(horizon=12) + """
[[patients]]
id = "SHORT"
protocol = "standard-10hz"
start_after = 2027-04-05
deadline = 2027-04-30
"""
    why = reason(tmp_path, text, "SHORT")
    assert "cannot finish by the deadline 2027-04-30" in why and "extend the authorization" in why, why


def test_too_few_authorized_sessions_are_named(tmp_path: Path):
    text = HEAD.format(horizon=12) + """
[[patients]]
id = "FEW"
protocol = "standard-10hz"
start_after = 2027-04-05
authorized_sessions = 20
"""
    why = reason(tmp_path, text, "FEW")
    assert "20 are authorized" in why and "10 more" in why, why
