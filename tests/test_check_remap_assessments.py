"""Re-mapping (TMS020) and assessments counted from numbered sessions (TMS015), on real files.

The clean bases are the check fixtures with the new keys in use; each mutation breaks one
rule and check must name it at the line that breaks it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from check_helpers import CLINIC, FIXTURES, ROSTER, run
from test_check_mutations import Mutation, _apply, line_of

REMAP_ROSTER = FIXTURES / "tms020.roster.toml"
BROKEN_REMAP = (FIXTURES / "tms020.toml").read_text(encoding="utf-8")
# tms020.toml with its one broken line mended: session 6 after a 5-day gap is a mapping.
REMAP = _apply(BROKEN_REMAP, [(
    '"P7-06", kind = "treatment", session = 6, chair = "B", start = 2026-12-23T08:00:00-05:00, minutes = 30 },  '
    '# expect: TMS020',
    '"P7-06", kind = "mapping", session = 6, chair = "B", start = 2026-12-23T08:00:00-05:00, minutes = 45, '
    'staff = "dr-kim" },')])

CLEAN = (FIXTURES / "clean.toml").read_text(encoding="utf-8")
# mini-daily gains a PHQ-9 after every 2nd session, a rating after session 3 preferably the
# next day, and a baseline that may fall on the first session's day.
MEASURED_CLINIC = [(
    '  { name = "baseline", anchor = "first", window_days = [-7, -1] },\n'
    '  { name = "end-of-course", anchor = "last", window_days = [0, 3] },\n]\n\n[protocols.mini-accel]',
    '  { name = "baseline", anchor = "first", window_days = [-7, 0] },\n'
    '  { name = "end-of-course", anchor = "last", window_days = [0, 3] },\n'
    '  { name = "phq-9", anchor = "session", every_sessions = 2, window_days = [0, 2] },\n'
    '  { name = "mid", anchor = "session", session = 3, window_days = [0, 1], prefer_day = 1 },\n'
    ']\n\n[protocols.mini-accel]')]
# P1's sessions 4 (Wed 12-09) and 2 (the make-up, Wed 12-16) each have a PHQ-9 after them;
# session 3 (Mon 12-07) its rating.
MEASURED = _apply(CLEAN, [(
    '  { id = "P1-e", kind = "assessment", name = "end-of-course", start = 2026-12-16T09:30:00-05:00, minutes = 30, '
    'staff = "dr-kim", revision = 2 },\n',
    '  { id = "P1-e", kind = "assessment", name = "end-of-course", start = 2026-12-16T09:30:00-05:00, minutes = 30, '
    'staff = "dr-kim", revision = 2 },\n'
    '  { id = "P1-m", kind = "assessment", name = "mid", start = 2026-12-07T10:00:00-05:00, minutes = 30, '
    'staff = "dr-kim" },\n'
    '  { id = "P1-q1", kind = "assessment", name = "phq-9", start = 2026-12-09T10:00:00-05:00, minutes = 30, '
    'staff = "dr-kim" },\n'
    '  { id = "P1-q2", kind = "assessment", name = "phq-9", start = 2026-12-16T10:00:00-05:00, minutes = 30, '
    'staff = "dr-kim", revision = 2 },\n')])


def _write(tmp_path: Path, schedule: str, clinic_edits=(), roster: Path = ROSTER) -> tuple[Path, Path, Path]:
    s = tmp_path / "schedule.toml"
    s.write_text(schedule, encoding="utf-8")
    c = tmp_path / "clinic.toml"
    c.write_text(_apply(CLINIC.read_text(encoding="utf-8"), list(clinic_edits)), encoding="utf-8")
    r = tmp_path / "roster.toml"
    r.write_text(roster.read_text(encoding="utf-8"), encoding="utf-8")
    return s, r, c


def test_re_mappings_where_due_are_clean(tmp_path: Path):
    assert run(*_write(tmp_path, REMAP, roster=REMAP_ROSTER)).findings == []


def test_the_new_assessment_shapes_are_clean_where_they_fall_in_their_windows(tmp_path: Path):
    assert run(*_write(tmp_path, MEASURED, MEASURED_CLINIC)).findings == []


REMAP_MUTATIONS = [
    Mutation("a session after a long gap stays a treatment", "TMS020", "P7-04", [(
        '"P7-04", kind = "mapping", session = 4, chair = "B", start = 2026-12-16T08:00:00-05:00, minutes = 45, '
        'staff = "dr-kim" }',
        '"P7-04", kind = "treatment", session = 4, chair = "B", start = 2026-12-16T08:00:00-05:00, minutes = 30 }')]),
    Mutation("no re-mapping within remap_every_days", "TMS020", "P7-03", [],
             clinic=[("remap_after_days = 3", "remap_every_days = 4")]),
    Mutation("a later mapping where the protocol never re-maps", "TMS014", "P7-04", [],
             clinic=[("remap_after_days = 3\n", "")]),
]


@pytest.mark.parametrize("m", REMAP_MUTATIONS, ids=[m.name for m in REMAP_MUTATIONS])
def test_remap_rule_broken(m: Mutation, tmp_path: Path):
    text = _apply(REMAP, m.schedule)
    report = run(*_write(tmp_path, text, m.clinic, REMAP_ROSTER))
    assert {f.code for f in report.findings} == {m.code}, [f"{f.code} {f.line} {f.message}" for f in report.findings]
    assert line_of(text, m.at) in {f.line for f in report.findings}


def test_a_done_session_that_missed_its_re_mapping_is_history(tmp_path: Path):
    text = _apply(REMAP, [(
        '"P7-04", kind = "mapping", session = 4, chair = "B", start = 2026-12-16T08:00:00-05:00, minutes = 45, '
        'staff = "dr-kim" }',
        '"P7-04", kind = "treatment", session = 4, chair = "B", start = 2026-12-16T08:00:00-05:00, minutes = 30, '
        'status = "done" }')])
    assert run(*_write(tmp_path, text, roster=REMAP_ROSTER)).findings == []
    # With a weekly re-check the next planned session still owes the re-mapping.
    report = run(*_write(tmp_path, text, [("remap_after_days = 3", "remap_every_days = 7")], REMAP_ROSTER))
    assert [(f.code, f.appointment) for f in report.findings] == [("TMS020", "P7-05")]


def test_a_missed_session_leaves_a_gap(tmp_path: Path):
    """P7 misses session 2: session 3 comes 4 days after the mapping, so it is a re-mapping."""
    text = _apply(REMAP, [('start = 2026-12-09T08:00:00-05:00, minutes = 30 }',
                           'start = 2026-12-09T08:00:00-05:00, minutes = 30, status = "missed" }')])
    report = run(*_write(tmp_path, text, roster=REMAP_ROSTER), codes=["TMS020"])
    (f,) = report.findings
    assert f.appointment == "P7-03"
    assert "comes 4 days after mapping session 1 (P7-01)" in f.message


MEASURED_MUTATIONS = [
    Mutation("a PHQ-9 past its window after session 2", "TMS015", "P1-q2",
             [('"phq-9", start = 2026-12-16T10:00:00-05:00', '"phq-9", start = 2026-12-23T10:00:00-05:00')]),
    Mutation("a PHQ-9 before the session it follows ends", "TMS015", "P1-q1",
             [("start = 2026-12-09T10:00:00-05:00", "start = 2026-12-09T08:00:00-05:00")]),
    Mutation("one PHQ-9 of two cancelled", "TMS015", "P1-q2",
             [('name = "phq-9", start = 2026-12-16T10:00:00-05:00', 'name = "phq-9", start = 2026-12-16T10:00:00-05:00, '
               'status = "cancelled"')]),
    Mutation("a third PHQ-9", "TMS015", "P1-q3",
             [('  { id = "P1-m",', '  { id = "P1-q3", kind = "assessment", name = "phq-9", '
               'start = 2026-12-18T10:00:00-05:00, minutes = 30, staff = "dr-kim" },\n  { id = "P1-m",')]),
    Mutation("the rating after session 3 two days late", "TMS015", "P1-m",
             [('"mid", start = 2026-12-07T10:00:00-05:00', '"mid", start = 2026-12-09T11:00:00-05:00')]),
    Mutation("a day-0 baseline after the first session starts", "TMS015", "P1-b",
             [("start = 2026-11-30T09:00:00-05:00", "start = 2026-12-02T10:00:00-05:00")]),
]


@pytest.mark.parametrize("m", MEASURED_MUTATIONS, ids=[m.name for m in MEASURED_MUTATIONS])
def test_assessment_rule_broken(m: Mutation, tmp_path: Path):
    text = _apply(MEASURED, m.schedule)
    report = run(*_write(tmp_path, text, MEASURED_CLINIC))
    assert {f.code for f in report.findings} == {m.code}, [f"{f.code} {f.line} {f.message}" for f in report.findings]
    assert line_of(text, m.at) in {f.line for f in report.findings}


def test_a_missing_phq_9_is_reported_at_the_patient(tmp_path: Path):
    text = MEASURED.replace('  { id = "P1-q1", kind = "assessment", name = "phq-9", start = 2026-12-09T10:00:00-05:00, '
                            'minutes = 30, staff = "dr-kim" },\n', "")
    report = run(*_write(tmp_path, text, MEASURED_CLINIC))
    (f,) = report.findings
    assert (f.code, f.line) == ("TMS015", line_of(text, "patient:P1"))
    assert "no planned or done phq-9 assessment after session 4" in f.message


def test_a_day_0_baseline_before_the_first_session_is_clean(tmp_path: Path):
    text = _apply(MEASURED, [("start = 2026-11-30T09:00:00-05:00", "start = 2026-12-02T08:00:00-05:00")])
    assert run(*_write(tmp_path, text, MEASURED_CLINIC)).findings == []
