"""Break the clean hand-made schedule one rule at a time; check names that rule at that line.

Each mutation edits the clean fixture's text (or the clinic file or roster beside it),
writes real files and checks them with the real readers. The finding must carry the
expected code at the line of the appointment (or entry) that breaks the rule; codes in
``also`` are the other rules the same edit truly breaks.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from check_helpers import CLINIC, FIXTURES, ROSTER, run
from tms_sched.check import all_codes
from tms_sched.errors import InputError

CLEAN = (FIXTURES / "clean.toml").read_text(encoding="utf-8")


@dataclass
class Mutation:
    name: str
    code: str
    at: str
    """An appointment id, ``patient:ID`` for a [[patients]] entry, or ``line:TEXT`` for the line holding TEXT."""
    schedule: list[tuple[str, str]] = field(default_factory=list)
    clinic: list[tuple[str, str]] = field(default_factory=list)
    roster: list[tuple[str, str]] = field(default_factory=list)
    also: frozenset[str] = frozenset()


def _apply(text: str, edits: list[tuple[str, str]]) -> str:
    for old, new in edits:
        assert text.count(old) == 1, f"edit target not unique: {old!r}"
        text = text.replace(old, new)
    return text


def line_of(text: str, at: str) -> int:
    if at.startswith("patient:"):
        lines = text.splitlines()
        want = f'id = "{at.split(":", 1)[1]}"'
        for i, line in enumerate(lines):
            if line.strip() == want and lines[i - 1].startswith("[[patients]]"):
                return i  # the [[patients]] header, one line above (1-based: i)
        raise AssertionError(at)
    needle = at.split(":", 1)[1] if at.startswith("line:") else f'{{ id = "{at}",'
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) == 1, (at, hits)
    return hits[0]


MUTATIONS = [
    Mutation("session on Christmas Day", "TMS003", "P3-f",
             [('start = 2026-12-23T14:00:00-05:00', 'start = 2026-12-25T14:00:00-05:00')]),
    Mutation("assessment on the clinic's closed date", "TMS003", "P3-f",
             [('start = 2026-12-23T14:00:00-05:00', 'start = 2026-12-24T14:00:00-05:00')]),
    Mutation("assessment over the lunch break", "TMS003", "P3-f",
             [('start = 2026-12-23T14:00:00-05:00', 'start = 2026-12-23T11:45:00-05:00')], also=frozenset({"TMS007"})),
    Mutation("assessment on a Saturday", "TMS003", "P3-f",
             [('start = 2026-12-23T14:00:00-05:00', 'start = 2026-12-26T14:00:00-05:00')],
             also=frozenset({"TMS006", "TMS007"})),
    Mutation("a partial closure recorded in the schedule", "TMS003", "P3-06",
             [('reason = "power outage"\n', 'reason = "power outage"\n\n[[closures]]\nstart = 2026-12-16T10:00:00\n'
               'end = 2026-12-16T11:00:00\nreason = "fire drill"\n')]),
    Mutation("a chair closure recorded in the schedule", "TMS005", "P3-06",
             [('reason = "power outage"\n', 'reason = "power outage"\n\n[[closures]]\nchair = "B"\n'
               'start = 2026-12-16T09:00:00\nend = 2026-12-16T12:00:00\nreason = "magnet check"\n')]),
    Mutation("session on a chair without the capability", "TMS005", "P1-04",
             [('"P1-04", kind = "treatment", session = 4, chair = "A"', '"P1-04", kind = "treatment", session = 4, chair = "N"')],
             also=frozenset({"TMS102"})),
    Mutation("session outside the patient's hours", "TMS004", "P1-03",
             [('start = 2026-12-07T09:00:00-05:00', 'start = 2026-12-07T13:30:00-05:00')], also=frozenset({"TMS101"})),
    Mutation("make-up on the patient's unavailable date", "TMS004", "P1-02m",
             [('start = 2026-12-16T09:00:00-05:00', 'start = 2026-12-21T09:00:00-05:00'),
              ('start = 2026-12-16T09:30:00-05:00', 'start = 2026-12-21T09:30:00-05:00')], also=frozenset({"TMS012"})),
    Mutation("mapping with the physician away", "TMS007", "P4-01", clinic=[("away = [2026-12-22]", "away = [2026-12-03, 2026-12-22]")]),
    Mutation("mapping after the physician's shift", "TMS007", "P4-01",
             [('"P4-01", kind = "mapping", session = 1, chair = "A", start = 2026-12-03T11:00:00-05:00',
               '"P4-01", kind = "mapping", session = 1, chair = "A", start = 2026-12-03T13:00:00-05:00')]),
    Mutation("assessment without named staff", "TMS007", "P2-e",
             [('start = 2026-12-02T13:00:00-05:00, minutes = 30, staff = "rn-lopez"',
               'start = 2026-12-02T13:00:00-05:00, minutes = 30')]),
    Mutation("assessment with a technician", "TMS007", "P2-e",
             [('start = 2026-12-02T13:00:00-05:00, minutes = 30, staff = "rn-lopez"',
               'start = 2026-12-02T13:00:00-05:00, minutes = 30, staff = "tech-ana"')]),
    Mutation("physician booked twice at once", "TMS007", "P3-06",
             [('start = 2026-12-16T10:00:00-05:00, minutes = 30 }', 'start = 2026-12-16T09:45:00-05:00, minutes = 30, staff = "dr-kim" }')]),
    Mutation("a missed session planned again beside its make-up", "TMS008", "P1-02m",
             [('start = 2026-12-04T09:00:00-05:00, minutes = 30, status = "missed"', 'start = 2026-12-04T09:00:00-05:00, minutes = 30')]),
    Mutation("session numbered past the course", "TMS008", "P1-02m",
             [('"P1-02m", kind = "treatment", session = 2', '"P1-02m", kind = "treatment", session = 7')]),
    Mutation("accelerated day short without a miss", "TMS009", "P2-05",
             [('start = 2026-12-02T09:30:00-05:00, minutes = 15 }', 'start = 2026-12-02T09:30:00-05:00, minutes = 15, status = "cancelled" }')],
             also=frozenset({"TMS008"})),
    Mutation("accelerated make-up two days after the miss", "TMS009", "P2-03m",
             [('start = 2026-12-01T09:45:00-05:00, minutes = 15, status = "done" }',
               'start = 2026-12-01T09:45:00-05:00, minutes = 15, status = "missed" },\n'
               '  { id = "P2-03m", kind = "treatment", session = 3, chair = "N", start = 2026-12-03T08:00:00-05:00, minutes = 15 }')],
             also=frozenset({"TMS011", "TMS012", "TMS015"})),
    Mutation("taper week short", "TMS009", "P3-04",
             [('start = 2026-12-10T10:00:00-05:00', 'start = 2026-12-14T10:00:00-05:00')]),
    Mutation("taper session in the last daily week", "TMS009", "P3-04",
             [('start = 2026-12-07T10:00:00-05:00', 'start = 2026-12-04T10:00:00-05:00')]),
    Mutation("two taper sessions on one day", "TMS009", "P3-05",
             [('start = 2026-12-10T10:00:00-05:00', 'start = 2026-12-07T11:00:00-05:00')], also=frozenset({"TMS012"})),
    Mutation("boosters too far apart", "TMS009", "P4-03",
             [('start = 2026-12-17T11:00:00-05:00', 'start = 2026-12-31T11:00:00-05:00')], also=frozenset({"TMS012"})),
    Mutation("too little gap after the mapping", "TMS010", "P2-02",
             [('start = 2026-12-01T09:00:00-05:00', 'start = 2026-12-01T08:45:00-05:00')]),
    Mutation("a gap over max_gap_days, made by history", "TMS012", "P1-03",
             [('start = 2026-12-02T09:00:00-05:00', 'start = 2026-12-01T09:00:00-05:00')]),
    Mutation("session before start_after", "TMS013", "P4-01", roster=[('id = "P4"\nprotocol = "mini-interval"\n',
                                                                       'id = "P4"\nprotocol = "mini-interval"\nstart_after = 2026-12-04\n')]),
    Mutation("treatment booked before the mapping", "TMS014", "P4-02",
             [('start = 2026-12-03T11:00:00-05:00, minutes = 30, staff = "dr-kim"', 'start = 2026-12-10T11:00:00-05:00, minutes = 30, staff = "dr-kim"'),
              ('"P4-02", kind = "treatment", session = 2, chair = "A", start = 2026-12-10T11:00:00-05:00',
               '"P4-02", kind = "treatment", session = 2, chair = "A", start = 2026-12-03T11:00:00-05:00')]),
    Mutation("a mapping that is not session 1", "TMS014", "P4-02",
             [('"P4-02", kind = "treatment"', '"P4-02", kind = "mapping"')], also=frozenset({"TMS007"})),
    Mutation("end-of-course assessment missing", "TMS015", "patient:P2",
             [('  { id = "P2-e", kind = "assessment", name = "end-of-course", start = 2026-12-02T13:00:00-05:00, '
               'minutes = 30, staff = "rn-lopez" },\n', '')]),
    Mutation("end-of-course before the last session ends", "TMS015", "P1-e",
             [('start = 2026-12-16T09:30:00-05:00', 'start = 2026-12-16T08:15:00-05:00')]),
    Mutation("an assessment the protocol does not have", "TMS015", "P4-m",
             [('  { id = "P4-03"', '  { id = "P4-m", kind = "assessment", name = "midpoint", start = 2026-12-10T09:00:00-05:00, '
               'minutes = 30, staff = "dr-kim" },\n  { id = "P4-03"')]),
    Mutation("a second end-of-course", "TMS015", "P1-e2",
             [('  { id = "P1-e",', '  { id = "P1-e2", kind = "assessment", name = "end-of-course", start = 2026-12-16T10:00:00-05:00, '
               'minutes = 30, staff = "dr-kim" },\n  { id = "P1-e",')]),
    Mutation("unknown chair", "TMS016", "P4-02", [('"P4-02", kind = "treatment", session = 2, chair = "A"',
                                                   '"P4-02", kind = "treatment", session = 2, chair = "Z"')],
             also=frozenset({"TMS102"})),
    Mutation("session without a chair", "TMS016", "P4-02", [('"P4-02", kind = "treatment", session = 2, chair = "A", ',
                                                             '"P4-02", kind = "treatment", session = 2, ')]),
    Mutation("duplicate appointment id", "TMS016", "line:P4-02\", kind = \"treatment\", session = 3",
             [('"P4-03", kind = "treatment", session = 3', '"P4-02", kind = "treatment", session = 3')]),
    Mutation("unknown protocol", "TMS016", "line:protocol = \"mini-intervall\"",
             [('id = "P4"\nprotocol = "mini-interval"', 'id = "P4"\nprotocol = "mini-intervall"')]),
    Mutation("patient not in the roster", "TMS016", "patient:P9", [('id = "P4"\nprotocol', 'id = "P9"\nprotocol')],
             also=frozenset({"TMS018"})),
    Mutation("schedule in another time zone", "TMS017", "line:timezone = \"America/Chicago\"",
             [('timezone = "America/New_York"', 'timezone = "America/Chicago"')]),
]


@pytest.mark.parametrize("m", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_one_rule_broken(m: Mutation, tmp_path: Path):
    schedule = tmp_path / "schedule.toml"
    text = _apply(CLEAN, m.schedule)
    schedule.write_text(text, encoding="utf-8")
    clinic = tmp_path / "clinic.toml"
    clinic.write_text(_apply(CLINIC.read_text(encoding="utf-8"), m.clinic), encoding="utf-8")
    roster = tmp_path / "roster.toml"
    roster.write_text(_apply(ROSTER.read_text(encoding="utf-8"), m.roster), encoding="utf-8")
    report = run(schedule, roster, clinic)
    codes = {f.code for f in report.findings}
    assert m.code in codes, [f"{f.code} {f.line} {f.message}" for f in report.findings]
    assert codes <= {m.code} | m.also, [f"{f.code} {f.line} {f.message}" for f in report.findings]
    lines = {f.line for f in report.findings if f.code == m.code}
    assert line_of(text, m.at) in lines


def test_a_taper_after_the_daily_part_is_named_taper(tmp_path: Path):
    """The weekly phase after a daily one is the taper, and its messages say so."""
    schedule = tmp_path / "schedule.toml"
    schedule.write_text(_apply(CLEAN, [('start = 2026-12-10T10:00:00-05:00', 'start = 2026-12-14T10:00:00-05:00')]),
                        encoding="utf-8")
    messages = [f.message for f in run(schedule).findings if f.code == "TMS009"]
    assert messages and all("taper" in m for m in messages), messages
    assert any("in the calendar weeks after the last daily session" in m for m in messages), messages


def test_accelerated_make_up_the_next_day_is_clean(tmp_path: Path):
    """A missed 5x5-style session made up the next day moves the rest on by a day: allowed."""
    text = _apply(CLEAN, [
        ('start = 2026-12-01T09:45:00-05:00, minutes = 15, status = "done" }',
         'start = 2026-12-01T09:45:00-05:00, minutes = 15, status = "missed" },\n'
         '  { id = "P2-03m", kind = "treatment", session = 3, chair = "N", start = 2026-12-02T08:00:00-05:00, minutes = 15 }'),
        ('"P2-04", kind = "treatment", session = 4, chair = "N", start = 2026-12-02T08:00:00-05:00',
         '"P2-04", kind = "treatment", session = 4, chair = "N", start = 2026-12-02T08:45:00-05:00'),
        ('"P2-05", kind = "treatment", session = 5, chair = "N", start = 2026-12-02T08:45:00-05:00',
         '"P2-05", kind = "treatment", session = 5, chair = "N", start = 2026-12-02T09:30:00-05:00'),
        ('"P2-06", kind = "treatment", session = 6, chair = "N", start = 2026-12-02T09:30:00-05:00',
         '"P2-06", kind = "treatment", session = 6, chair = "N", start = 2026-12-03T08:00:00-05:00'),
        ('start = 2026-12-02T13:00:00-05:00', 'start = 2026-12-03T13:00:00-05:00'),
    ])
    schedule = tmp_path / "schedule.toml"
    schedule.write_text(text, encoding="utf-8")
    assert run(schedule).findings == []


def test_a_discharged_course_is_not_counted(tmp_path: Path):
    """P5 stopped after one session: no TMS008, TMS009 or TMS015 for the rest."""
    report = run(FIXTURES / "clean.toml", codes=["TMS008", "TMS009", "TMS015"])
    assert report.findings == []
    active = tmp_path / "schedule.toml"
    active.write_text(CLEAN.replace('status = "discharged"\nreason = "moved away"\n', ''), encoding="utf-8")
    codes = sorted({f.code for f in run(active).findings})
    assert codes == ["TMS008", "TMS015"]


# -- any edit: findings stay well-formed ---------------------------------------------

APPOINTMENT_LINES = [n for n, line in enumerate(CLEAN.splitlines()) if line.startswith("  { id = ")]
EDITS = st.sampled_from([
    ("minutes = 30", "minutes = 90"), ("minutes = 15", "minutes = 5"), ('chair = "A"', 'chair = "B"'),
    ('chair = "B"', 'chair = "N"'), ('status = "done"', 'status = "missed"'), (" }", ', status = "cancelled" }'),
    (" }", ', status = "missed" }'), ("T09:", "T13:"), ("T10:", "T07:"), ("-12-0", "-12-1"), ("-12-1", "-12-2"),
    ('kind = "treatment"', 'kind = "mapping"'), ('kind = "mapping"', 'kind = "treatment"'), ("-05:00", "-04:00"),
    ('staff = "dr-kim"', 'staff = "rn-lopez"'), ("session = 2", "session = 3"),
])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(APPOINTMENT_LINES), EDITS), min_size=1, max_size=6))
def test_any_edit_gives_well_formed_findings(edits):
    lines = CLEAN.splitlines()
    for n, (old, new) in edits:
        lines[n] = lines[n].replace(old, new, 1)
    text = "\n".join(lines) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "schedule.toml"
        path.write_text(text, encoding="utf-8")
        try:
            report = run(path)
        except InputError:  # an edit may make the file invalid: that is exit 2, not a finding
            return
    count = len(text.splitlines())
    for f in report.findings:
        assert f.code in all_codes()
        assert f.message and f.severity in ("error", "warning")
        if f.file == str(path):
            assert f.line is not None and 1 <= f.line <= count
