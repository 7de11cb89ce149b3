"""Exported calendars published to a real CalDAV server (Radicale) and read back."""

from __future__ import annotations

import base64
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from click.testing import CliRunner
from ical.calendar_stream import IcsCalendarStream

from davserver import TIMEOUT, radicale
from tms_sched.cli import main
from tms_sched.io.schedule import load_schedule

pytest.importorskip("radicale")

FIX = Path(__file__).parent / "fixtures" / "export"
SCHEDULE = str(FIX / "schedule.toml")
CLINIC = str(FIX / "clinic.toml")
ZONE = ZoneInfo("America/Los_Angeles")
AUTH = "Basic " + base64.b64encode(b"coordinator:any").decode("ascii")  # auth none takes any password
NS = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav"}
QUERY = b"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>
</C:calendar-query>"""


@pytest.fixture
def caldav(tmp_path):
    """A Radicale server on 127.0.0.1, storing in tmp_path; stopped after the test."""
    with radicale(tmp_path) as url:
        yield url


def request(url: str, method: str, body: bytes | None = None, **headers: str) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, method=method, headers={"Authorization": AUTH, **headers})
    with urllib.request.urlopen(req, timeout=TIMEOUT) as response:
        return response.status, response.read()


def read_back(collection: str) -> list:
    """Every event of a collection, through a CalDAV calendar-query REPORT."""
    status, body = request(collection, "REPORT", QUERY, Depth="1", **{"Content-Type": "application/xml"})
    assert status == 207
    events = []
    for data in ET.fromstring(body).iterfind(".//C:calendar-data", NS):
        events.extend(IcsCalendarStream.calendar_from_ics(data.text or "").events)
    return events


def test_every_exported_calendar_round_trips_through_a_caldav_server(tmp_path, caldav):
    schedule, _ = load_schedule(SCHEDULE)
    appointments = {a.id: a for _, a in schedule.appointments()}
    runner = CliRunner()
    uploaded = 0
    for by in ("patient", "chair", "staff", "clinic"):
        out = tmp_path / "out" / by
        out.mkdir(parents=True)
        result = runner.invoke(main, ["export", "ical", SCHEDULE, "--clinic", CLINIC, "--by", by, "-o", str(out),
                                      "--alarm", "15"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        for path in sorted(out.glob("*.ics")):
            data = path.read_bytes()
            sent = IcsCalendarStream.calendar_from_ics(data.decode("utf-8")).events
            collection = f"{caldav}/coordinator/{by}-{path.stem}/"
            # Radicale creates a calendar from a whole VCALENDAR put on a new collection.
            status, _ = request(collection, "PUT", data, **{"Content-Type": "text/calendar; charset=utf-8"})
            assert status in (200, 201)
            uploaded += 1
            got = read_back(collection)
            assert len(got) == len(sent), path.name
            assert sorted(e.uid for e in got) == sorted(e.uid for e in sent)
            by_uid = {e.uid: e for e in sent}
            for event in got:
                mine = by_uid[event.uid]
                appt = appointments[mine.description.splitlines()[-1].removeprefix("Appointment ").rsplit(",", 1)[0]]
                assert event.dtstart == appt.start and event.dtend == appt.end
                assert event.dtstart.astimezone(ZONE).time() == appt.start.astimezone(ZONE).time()
                assert (event.summary, event.location, event.sequence, event.status) == (
                    mine.summary, mine.location, mine.sequence, mine.status)
                assert len(event.alarm) == len(mine.alarm)
            # A plain GET of the collection gives the calendar back too.
            status, whole = request(collection, "GET")
            assert status == 200
            assert len(IcsCalendarStream.calendar_from_ics(whole.decode("utf-8")).events) == len(sent)
    assert uploaded == 4 + 3 + 2 + 1  # patients, chairs, named staff (no technician), the clinic


def test_republishing_after_a_move_updates_the_event_in_place(tmp_path, caldav):
    """Events put one by one (as a sync client does) keep their resource after a replan."""
    runner = CliRunner()
    collection = f"{caldav}/coordinator/p-0001/"
    status, _ = request(collection, "MKCOL", b"""<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
<D:resourcetype><D:collection/><C:calendar/></D:resourcetype></D:prop></D:set></D:mkcol>""",
                        **{"Content-Type": "application/xml"})
    assert status == 201
    for name, schedule in (("before", SCHEDULE), ("after", str(FIX / "schedule-moved.toml"))):
        out = tmp_path / name
        out.mkdir()
        result = runner.invoke(main, ["export", "ical", schedule, "--clinic", CLINIC, "--by", "patient",
                                      "--patient", "P-0001", "-o", str(out)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        cal = icalendar.Calendar.from_ical((out / "patient-P-0001.ics").read_bytes())
        for event in cal.events:
            one = icalendar.Calendar()
            for key in ("VERSION", "PRODID"):
                one.add(key, cal[key])
            one.add_component(cal.timezones[0])
            one.add_component(event)
            href = f"{collection}{str(event['UID']).replace('@', '%40')}.ics"
            status, _ = request(href, "PUT", one.to_ical(), **{"Content-Type": "text/calendar; charset=utf-8"})
            assert status in (201, 204)
    events = read_back(collection)
    assert len(events) == 8  # the moved session replaced itself; nothing was duplicated
    (moved,) = [e for e in events if e.summary == "TMS session 4 of 30 (standard-10hz)"]
    assert moved.sequence == 4
    assert moved.dtstart.astimezone(ZONE).isoformat() == "2026-11-06T08:00:00-08:00"
