"""The attendance library: pure functions over a Schedule, and what they promise."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tms_sched import attendance
from tms_sched.io.schedule import load_schedule, to_json, to_toml
from tms_sched.model.schedule import Closure, Schedule

FIXTURES = Path(__file__).parent / "fixtures" / "mark"


def load(name: str) -> Schedule:
    schedule, _ = load_schedule(str(FIXTURES / name))
    return schedule


def status_of(schedule: Schedule, appt_id: str) -> tuple[str, int, str | None]:
    for _, appt in schedule.appointments():
        if appt.id == appt_id:
            return appt.status, appt.revision, appt.note
    raise KeyError(appt_id)


def test_the_given_schedule_is_never_modified():
    schedule = load("standard.toml")
    before = schedule.model_dump()
    today = dt.date(2026, 12, 4)
    attendance.mark_appointment(schedule, "P-0001", dt.date(2026, 12, 2), None, "missed", "flu", today)
    attendance.sign_off_through(schedule, today, today)
    attendance.record_closure(schedule, dt.date(2026, 12, 3), "snow", today)
    attendance.record_chair_down(schedule, "A", dt.date(2026, 12, 3), dt.date(2026, 12, 4), None, today)
    attendance.discharge(schedule, "P-0002", "moved away", today)
    assert schedule.model_dump() == before


def test_nothing_changed_gives_the_schedule_back():
    schedule = load("standard.toml")
    marked = attendance.sign_off_through(schedule, dt.date(2026, 11, 30), dt.date(2026, 12, 4))
    assert marked.schedule is schedule
    assert not marked.changed
    assert marked.notes == ["no planned appointment starts on or before 2026-11-30; nothing to sign off"]


def test_revision_updated_and_changes():
    schedule = load("standard.toml")
    marked = attendance.mark_appointment(schedule, "P-0001", dt.date(2026, 12, 2), dt.time(8, 0), "missed",
                                         None, dt.date(2026, 12, 9))
    assert marked.schedule.schedule.revision == 4
    assert marked.schedule.schedule.updated == dt.date(2026, 12, 9)
    assert marked.changes == [attendance.Change(
        "P-0001 2026-12-02 08:00 treatment session 3: planned -> missed",
        patient="P-0001", appointment="P-0001-03", old="planned", new="missed")]
    assert marked.rebook == ["P-0001-03"]
    assert status_of(marked.schedule, "P-0001-03") == ("missed", 4, None)
    assert status_of(marked.schedule, "P-0001-04") == ("planned", 1, None)


def test_a_schedule_never_written_starts_at_revision_one():
    schedule = load("standard.toml")
    schedule.schedule.revision = 0
    marked = attendance.record_closure(schedule, dt.date(2026, 12, 3), None, dt.date(2026, 12, 1))
    assert marked.schedule.schedule.revision == 1
    assert status_of(marked.schedule, "P-0001-04") == ("planned", 1, None)  # the next plan moves it
    assert "P-0001-04" in marked.to_move


def test_a_closure_leaves_what_lies_ahead_planned_and_cancels_what_is_past():
    """From today on, a closed day's planned appointments stay for the replan to move (as a
    closed date in the clinic file would); a day already gone could not take place."""
    schedule = load("standard.toml")
    ahead = attendance.record_closure(schedule, dt.date(2026, 12, 3), "snow", dt.date(2026, 12, 3))
    assert status_of(ahead.schedule, "P-0001-04")[0] == "planned"
    assert ahead.to_move and not ahead.rebook
    past = attendance.record_closure(schedule, dt.date(2026, 12, 3), "snow", dt.date(2026, 12, 4))
    assert status_of(past.schedule, "P-0001-04")[:2] == ("cancelled", 4)
    assert "P-0001-04" in past.rebook and not past.to_move


def test_discharged_patients_are_not_rebooked():
    schedule = load("standard.toml")
    marked = attendance.discharge(schedule, "P-0001", None, dt.date(2026, 12, 2))
    patient = marked.schedule.patient("P-0001")
    assert patient is not None and (patient.status, patient.reason) == ("discharged", None)
    assert marked.rebook == []
    assert [status_of(marked.schedule, i)[0] for i in ("P-0001-02", "P-0001-03", "P-0001-e")] == \
        ["done", "cancelled", "cancelled"]
    again = attendance.mark_appointment(marked.schedule, "P-0001", dt.date(2026, 12, 1), None, "missed", None,
                                        dt.date(2026, 12, 2))
    assert again.rebook == []


def test_discharge_names_unrecorded_past_appointments():
    marked = attendance.discharge(load("standard.toml"), "P-0001", None, dt.date(2026, 12, 4))
    assert marked.notes == ["P-0001-03, P-0001-04 lay before today and were never recorded; "
                            "if they took place, mark them done"]
    assert [status_of(marked.schedule, i) for i in ("P-0001-03", "P-0001-04", "P-0001-05")] == \
        [("cancelled", 4, "discharged")] * 3


def test_a_new_discharge_reason_replaces_the_old():
    schedule = attendance.discharge(load("standard.toml"), "P-0002", "moved", dt.date(2026, 12, 2)).schedule
    marked = attendance.discharge(schedule, "P-0002", "moved to Oregon", dt.date(2026, 12, 3))
    assert [c.text for c in marked.changes] == ["P-0002: discharge reason 'moved' -> 'moved to Oregon'"]
    assert marked.schedule.patient("P-0002").reason == "moved to Oregon"


def test_chair_down_boundaries():
    schedule = load("standard.toml")
    # P-0001-03 runs 08:00-08:40 on chair A; downtime from 08:40 touches it without overlapping
    marked = attendance.record_chair_down(schedule, "A", dt.datetime(2026, 12, 2, 8, 40),
                                          dt.datetime(2026, 12, 2, 12, 0), None, dt.date(2026, 12, 1))
    assert status_of(marked.schedule, "P-0001-03")[0] == "planned"
    marked = attendance.record_chair_down(schedule, "A", dt.datetime(2026, 12, 2, 8, 39),
                                          dt.datetime(2026, 12, 2, 12, 0), None, dt.date(2026, 12, 1))
    assert status_of(marked.schedule, "P-0001-03")[0] == "planned"
    assert marked.to_move == ["P-0001-03"]
    assert marked.schedule.closures == [Closure(chair="A", start=dt.datetime(2026, 12, 2, 8, 39),
                                                end=dt.datetime(2026, 12, 2, 12, 0))]


def test_same_chair_downtime_twice_adds_one_closure():
    schedule = load("standard.toml")
    first = attendance.record_chair_down(schedule, "B", dt.date(2026, 12, 3), dt.date(2026, 12, 3), "coil",
                                         dt.date(2026, 12, 1)).schedule
    second = attendance.record_chair_down(first, "B", dt.date(2026, 12, 3), dt.date(2026, 12, 3), "coil",
                                          dt.date(2026, 12, 1))
    assert not second.changed
    assert second.notes == ["chair B is already recorded as down from 2026-12-03 to 2026-12-03; no closure added",
                            "P-0002 2026-12-03 10:00 treatment session 3 (P-0002-03) stays planned until the "
                            "next plan moves it"]


def test_a_closed_range_covers_its_days():
    schedule = load("standard.toml")
    schedule.closures.append(Closure(start=dt.date(2026, 12, 24), end=dt.date(2026, 12, 26), reason="holidays"))
    marked = attendance.record_closure(schedule, dt.date(2026, 12, 25), None, dt.date(2026, 12, 1))
    assert not marked.changed
    assert marked.notes == ["2026-12-25 is already recorded as closed (holidays); no closure added"]


def test_an_unknown_time_zone_points_at_its_key():
    schedule = load("standard.toml")
    schedule.schedule.timezone = "America/Los_Angles"
    with pytest.raises(attendance.AttendanceError) as caught:
        attendance.sign_off_through(schedule, dt.date(2026, 12, 1), dt.date(2026, 12, 1))
    assert caught.value.where == ("schedule", "timezone")
    assert caught.value.message == "unknown time zone 'America/Los_Angles'; did you mean 'America/Los_Angeles'?"


# -- properties over random sequences of marks --------------------------------------

DAYS = [dt.date(2026, 11, 30) + dt.timedelta(days=i) for i in range(10)]
TODAY = dt.date(2026, 12, 9)

operation = st.one_of(
    st.tuples(st.just("mark"), st.sampled_from(["P-0001", "P-0002"]), st.sampled_from(DAYS),
              st.sampled_from(attendance.MARKS), st.sampled_from([None, "note", ""])),
    st.tuples(st.just("through"), st.sampled_from(DAYS)),
    st.tuples(st.just("closed"), st.sampled_from(DAYS), st.sampled_from([None, "snow"])),
    st.tuples(st.just("chair"), st.sampled_from(["A", "B"]), st.sampled_from(DAYS), st.integers(0, 2)),
    st.tuples(st.just("discharge"), st.sampled_from(["P-0001", "P-0002"]), st.sampled_from([None, "moved"])),
)


def apply(schedule: Schedule, op: tuple) -> attendance.Marked:
    kind, *args = op
    if kind == "mark":
        patient, day, status, note = args
        return attendance.mark_appointment(schedule, patient, day, None, status, note, TODAY)
    if kind == "through":
        return attendance.sign_off_through(schedule, args[0], TODAY)
    if kind == "closed":
        return attendance.record_closure(schedule, args[0], args[1], TODAY)
    if kind == "chair":
        chair, day, length = args
        return attendance.record_chair_down(schedule, chair, day, day + dt.timedelta(days=length), None, TODAY)
    return attendance.discharge(schedule, args[0], args[1], TODAY)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=8))
def test_random_marks_keep_their_promises(ops):
    schedule = load("standard.toml")
    for op in ops:
        before = {a.id: a.model_copy() for _, a in schedule.appointments()}
        try:
            marked = apply(schedule, op)
        except attendance.AttendanceError:
            continue  # a refused mark (ambiguous day, unknown date) changes nothing by construction
        after = {a.id: a for _, a in marked.schedule.appointments()}
        assert list(after) == list(before)  # nothing added, removed or reordered
        rev = marked.schedule.schedule.revision
        if not marked.changed:
            assert marked.schedule is schedule
            continue
        assert rev == schedule.schedule.revision + 1
        assert marked.schedule.schedule.updated == TODAY
        for appt_id, new in after.items():
            old = before[appt_id]
            if new.status != old.status:
                assert new.revision == rev
                assert any(c.appointment == appt_id for c in marked.changes)
                if op[0] != "mark":
                    # bulk forms only ever move planned appointments on
                    assert old.status == "planned"
            else:
                assert new.revision == old.revision
            assert (new.start, new.minutes, new.chair, new.kind, new.session) == \
                (old.start, old.minutes, old.chair, old.kind, old.session)
        schedule = marked.schedule
    # what is written reads back as the same schedule, in both formats
    with tempfile.TemporaryDirectory() as folder:
        for render, suffix in ((to_toml, "toml"), (to_json, "json")):
            path = Path(folder) / f"schedule.{suffix}"
            path.write_text(render(schedule), encoding="utf-8")
            assert load_schedule(str(path))[0] == schedule
