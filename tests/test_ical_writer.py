"""tms-sched's own iCalendar writer gives the bytes the icalendar library gave, and real parsers read them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream
from icalendar import Event
from icalendar.prop import vDuration, vText

from icalref import reference
from tms_sched.io import load_setup
from tms_sched.io.schedule import load_schedule
from tms_sched.render.ical import ExportOptions, calendar_sources, clean_text
from tms_sched.render.icalwrite import duration, escape_text, fold, text_line

FIX = Path(__file__).parent / "fixtures" / "export"
EXAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "examples"
CASES = [(FIX / "schedule.toml", FIX / "clinic.toml")]
if (EXAMPLES / "schedule.toml").exists():
    CASES.append((EXAMPLES / "schedule.toml", EXAMPLES / "clinic.toml"))

# Text that exercises escaping and folding: TEXT specials, line breaks, carets, multi-byte
# letters and emoji, long runs. A literal backslash before "N" is left out: see below.
PIECES = st.sampled_from(list("aZN09 ,;:\\^\"'\n\r\t-é€日🙂") + ["Łó", "x" * 40, "\\\\", "^^"])
TEXT = st.lists(PIECES, max_size=40).map("".join).filter(lambda t: "\\N" not in clean_text(t))


def setup(schedule_path: Path, clinic_path: Path):
    clinic, _ = load_setup(str(clinic_path))
    schedule, _ = load_schedule(str(schedule_path))
    return schedule, clinic


@pytest.mark.parametrize("schedule_path, clinic_path", CASES, ids=[c[0].parent.name for c in CASES])
@pytest.mark.parametrize("by", ["patient", "chair", "staff", "clinic"])
@pytest.mark.parametrize("alarms", [(), (0, 15, 90, 1440, 1500)])
def test_every_view_is_byte_identical_to_the_icalendar_library(schedule_path, clinic_path, by, alarms):
    schedule, clinic = setup(schedule_path, clinic_path)
    names = {p.id: f"Name, of; {p.id}\\x" for p in schedule.patients}
    sources = calendar_sources(schedule, clinic, ExportOptions(by=by, alarms=alarms, names=names))
    assert sources
    for source in sources:
        assert source.data == reference(source), source.filename


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(TEXT, min_size=4, max_size=4), clinic_name=TEXT.filter(lambda t: t.strip()))
def test_random_names_give_the_same_bytes_and_read_back(names, clinic_name):
    schedule, clinic = setup(*CASES[0])
    clinic = dataclasses.replace(clinic, info=clinic.info.model_copy(update={"name": clinic_name}))
    schedule = schedule.model_copy(update={"schedule": schedule.schedule.model_copy(update={"clinic": clinic_name})})
    ids = [p.id for p in schedule.patients]
    options = ExportOptions(by="clinic", names=dict(zip(ids, names)), alarms=(30,))
    (source,) = calendar_sources(schedule, clinic, options)
    data = source.data
    assert data == reference(source)
    cal = icalendar.Calendar.from_ical(data)
    summaries = sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT"))
    strict = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    assert sorted(e.summary for e in strict.events) == summaries
    for pid, name in zip(ids, names):
        if name:  # the name comes back as given (controls but line breaks as spaces)
            assert any(s.startswith(clean_text(f"{name} ({pid}): ")) for s in summaries), (name, summaries)
    assert all(str(e["LOCATION"]).endswith(clean_text(clinic_name)) for e in cal.walk("VEVENT"))


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(["SUMMARY", "DESCRIPTION", "X-WR-CALNAME", "LOCATION"]), value=TEXT)
def test_a_text_line_is_the_librarys(name, value):
    value = clean_text(value)
    expected = icalendar.parser.Contentline.from_parts(name, icalendar.Parameters(), vText(value)).to_ical()
    assert text_line(name, value).encode("utf-8") == expected + b"\r\n"


@settings(max_examples=200, deadline=None)
@given(value=TEXT)
def test_folded_lines_keep_to_75_octets_and_whole_characters(value):
    line = fold("DESCRIPTION:" + escape_text(clean_text(value)))
    physical = line.encode("utf-8").split(b"\r\n")
    assert all(len(p) <= 75 for p in physical)
    assert all(p.startswith(b" ") for p in physical[1:])
    assert b"".join([physical[0], *(p[1:] for p in physical[1:])]).decode("utf-8") == line.replace("\r\n ", "")


def test_every_reminder_duration_is_the_librarys():
    for minutes in range(4 * 7 * 24 * 60 + 1):
        delta = dt.timedelta(minutes=-minutes)
        assert duration(delta) == vDuration(delta).to_ical().decode("ascii"), minutes
    assert duration(dt.timedelta(hours=1)) == "PT1H"


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Europe/London", "Asia/Kolkata", "Etc/GMT+5", "UTC",
                                  "Etc/UTC", "Australia/Lord_Howe"])
def test_start_and_end_name_the_zone_as_the_library_does(zone):
    schedule, clinic = setup(*CASES[0])
    clinic = dataclasses.replace(clinic, info=clinic.info.model_copy(update={"timezone": zone}))
    schedule = schedule.model_copy(update={"schedule": schedule.schedule.model_copy(update={"timezone": zone})})
    (source,) = calendar_sources(schedule, clinic, ExportOptions(by="clinic"))
    assert clinic.zone == ZoneInfo(zone)
    assert source.data == reference(source)
    event = Event()
    event.add("DTSTART", dt.datetime(2026, 11, 3, 8, tzinfo=ZoneInfo(zone)))
    start = event.to_ical().split(b"\r\n")[1].decode("ascii")
    assert start.rpartition(":")[0] in source.data.decode("utf-8")


def test_a_backslash_before_n_stays_text_where_the_library_made_a_line_break():
    """RFC 5545 escapes the backslash; the library replaced a literal "\\N" by a line break first."""
    line = text_line("SUMMARY", "C:\\New folder")
    assert line == "SUMMARY:C:\\\\New folder\r\n"
    event = icalendar.Event.from_ical("BEGIN:VEVENT\r\n" + line + "END:VEVENT\r\n")
    assert str(event["SUMMARY"]) == "C:\\New folder"


@pytest.mark.parametrize("by", ["patient", "clinic"])
def test_three_parsers_read_every_event(by):
    schedule, clinic = setup(*CASES[0])
    for source in calendar_sources(schedule, clinic, ExportOptions(by=by, alarms=(15,))):
        text = source.data.decode("utf-8")
        loose = icalendar.Calendar.from_ical(source.data)
        strict = IcsCalendarStream.calendar_from_ics(text)
        third = vobject.readOne(text)
        uids = sorted(str(e["UID"]) for e in loose.walk("VEVENT"))
        assert uids == sorted(e.uid for e in strict.events)
        assert uids == sorted(v.uid.value for v in getattr(third, "vevent_list", []))
        assert len(uids) == source.events


def test_each_event_resource_is_a_calendar_of_one_event_without_method():
    schedule, clinic = setup(*CASES[0])
    (source,) = calendar_sources(schedule, clinic, ExportOptions(by="clinic"))
    resources = list(source.resources())
    assert len(resources) == source.events
    whole = icalendar.Calendar.from_ical(source.data)
    events = {str(e["UID"]): e for e in whole.walk("VEVENT")}
    for resource in resources:
        cal = icalendar.Calendar.from_ical(resource.data)
        assert "METHOD" not in cal
        (event,) = cal.walk("VEVENT")
        assert str(event["UID"]) == resource.uid
        assert event.to_ical() == events[resource.uid].to_ical()
        assert len(cal.walk("VTIMEZONE")) == 1
    assert dataclasses.is_dataclass(resources[0])


@pytest.mark.parametrize("escape", ["\\\\", "\\;", "\\n", "^^", "^", "é", "🙂", "日"])
def test_folds_fall_where_the_librarys_do_around_escapes_and_wide_characters(escape):
    for before in range(60, 160):
        for tail in ("", "x", "yy" * 40):
            line = "DESCRIPTION:" + "a" * before + escape + tail
            assert fold(line).encode("utf-8") == icalendar.parser.Contentline(line).to_ical(), (before, escape, tail)
