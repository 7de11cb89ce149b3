"""Every [[unplaced]] reason names what actually stands in the way, with the fix that
would place the patient: one small clinic per binding constraint."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from planhelp import toml_text, tms
from tms_sched.io.schedule import load_schedule

WEEK = {d: "08:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")}


def member(staff_id: str, role: str, hours: dict[str, str] = WEEK) -> dict[str, Any]:
    return {"id": staff_id, "role": role, "hours": hours}


def reason(tmp_path: Path, patient: dict[str, Any], *, horizon: int = 12,
           staff: tuple[dict[str, Any], ...] = ()) -> str:
    """The [[unplaced]] reason `tms-sched plan` gives for ``patient`` in a one-chair clinic
    open 08:00-17:00 on weekdays, with ``staff`` (none: nobody is named)."""
    clinic: dict[str, Any] = {
        "clinic": {"name": "Reasons Clinic", "timezone": "America/Chicago", "horizon_weeks": horizon, "hours": WEEK},
        "chairs": [{"id": "A", "capabilities": ["10hz", "itbs"]}],
    }
    if staff:
        clinic["staff"] = list(staff)
    clinic["patients"] = [patient]
    path = tmp_path / "clinic.toml"
    path.write_text(toml_text(clinic), encoding="utf-8")
    schedule = tmp_path / "schedule.toml"
    tms("plan", path, "-o", schedule, "--today", "2027-03-31", code=1)
    loaded, _ = load_schedule(str(schedule))
    return {u.id: u.reason for u in loaded.unplaced}[patient["id"]]


def referral(pid: str, start_after: dt.date, protocol: str = "standard-10hz", **keys: Any) -> dict[str, Any]:
    return {"id": pid, "protocol": protocol, "start_after": start_after, **keys}


def test_a_start_beyond_the_horizon_says_so_not_that_the_chairs_are_full(tmp_path: Path):
    why = reason(tmp_path, referral("LATER", dt.date(2027, 6, 7)), horizon=4)
    assert "horizon" in why and "2027-06-07" in why and "horizon_weeks" in why, why
    assert "full" not in why


def test_an_urgent_referral_blocked_by_the_physicians_hours_is_told_so(tmp_path: Path):
    """The physician is on shift on Friday afternoons only: the mapping cannot come before
    Friday 04-09, and 30 sessions from then end after the deadline. The fix is the
    physician's hours, not the authorization."""
    staff = (member("dr-fri", "physician", {"fri": "13:00-17:00"}), member("rn-1", "clinician"),
             member("tech-1", "technician"))
    urgent = referral("URGENT", dt.date(2027, 4, 5), priority="urgent", deadline=dt.date(2027, 5, 14))
    why = reason(tmp_path, urgent, staff=staff)
    assert "physician's hours (dr-fri)" in why and "extend dr-fri's hours" in why, why
    assert "authorization" not in why


def test_a_referral_blocked_by_the_staff_on_shift_is_told_so(tmp_path: Path):
    """Staff are on shift on Mondays and Wednesdays only: every session needs someone with
    the patient, so the course cannot finish by the deadline; the fix is the staff's hours."""
    two_days = {"mon": "08:00-17:00", "wed": "08:00-17:00"}
    staff = (member("dr-1", "physician", two_days), member("tech-1", "technician", two_days))
    why = reason(tmp_path, referral("TWO-DAYS", dt.date(2027, 4, 5), deadline=dt.date(2027, 5, 31)), staff=staff)
    assert "staff's shifts" in why and "tech-1" in why and "extend the staff hours" in why, why
    assert "authorization" not in why


def test_a_missing_chair_capability_is_named(tmp_path: Path):
    why = reason(tmp_path, referral("SAINT", dt.date(2027, 4, 5), protocol="snt"))
    assert "no chair has capability 'neuronav'" in why, why


def test_a_window_too_short_for_the_course_names_the_authorization(tmp_path: Path):
    """Nothing else in the way: the 30 sessions cannot fit between 04-05 and 04-30."""
    why = reason(tmp_path, referral("SHORT", dt.date(2027, 4, 5), deadline=dt.date(2027, 4, 30)))
    assert "cannot finish by the deadline 2027-04-30" in why and "extend the authorization" in why, why


def test_too_few_authorized_sessions_are_named(tmp_path: Path):
    why = reason(tmp_path, referral("FEW", dt.date(2027, 4, 5), authorized_sessions=20))
    assert "20 are authorized" in why and "10 more" in why, why
