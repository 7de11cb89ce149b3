"""`tms-sched export caldav` against a real Radicale server: create, no-op, update, cancel, remove, refuse."""

from __future__ import annotations

import base64
import re
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from click.testing import CliRunner
from ical.calendar_stream import IcsCalendarStream

from davserver import TIMEOUT, radicale
from tms_sched.cli import main
from tms_sched.io.schedule import load_schedule
from tms_sched.render.ical import file_stems

pytest.importorskip("radicale")

FIX = Path(__file__).parent / "fixtures" / "export"
SCHEDULE = FIX / "schedule.toml"
CLINIC = str(FIX / "clinic.toml")
ZONE = ZoneInfo("America/Los_Angeles")
USER, SECRET = "coordinator", "s3cret-Pa55"
NS = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav"}
QUERY = b"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>
</C:calendar-query>"""


@pytest.fixture
def server(tmp_path):
    with radicale(tmp_path, users={USER: SECRET}) as url:
        yield url


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A home folder of the test's own (no ~/.netrc unless a test writes one)."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.delenv("TMS_SCHED_CALDAV_PASSWORD", raising=False)
    return folder


def publish(url: str, schedule: Path | str = SCHEDULE, by: str = "patient", password: str | None = SECRET,
            user: str | None = USER, *extra: str):
    env = {"TMS_SCHED_CALDAV_PASSWORD": password} if password is not None else {}
    args = ["export", "caldav", str(schedule), "--clinic", CLINIC, "--url", url, "--by", by, *extra]
    if user is not None:
        args += ["--user", user]
    return CliRunner().invoke(main, args, env=env)


def request(url: str, method: str, body: bytes | None = None, **headers: str) -> tuple[int, bytes]:
    auth = "Basic " + base64.b64encode(f"{USER}:{SECRET}".encode()).decode("ascii")
    req = urllib.request.Request(url, data=body, method=method, headers={"Authorization": auth, **headers})
    with urllib.request.urlopen(req, timeout=TIMEOUT) as response:
        return response.status, response.read()


def stored(collection: str) -> dict[str, tuple[str, str]]:
    """Resource name -> (ETag, calendar data) of every event of a collection."""
    status, body = request(collection, "REPORT", QUERY, Depth="1", **{"Content-Type": "application/xml"})
    assert status == 207
    out = {}
    for response in ET.fromstring(body).iterfind("D:response", NS):
        href = unquote(urlsplit(response.findtext("D:href", namespaces=NS)).path)
        etag = response.findtext(".//D:getetag", namespaces=NS)
        data = response.findtext(".//C:calendar-data", namespaces=NS)
        out[href.rsplit("/", 1)[-1]] = (etag, data)
    return out


def events(collection: str) -> dict[str, object]:
    """UID -> event, read by the strict `ical` parser."""
    out = {}
    for _, data in stored(collection).values():
        (event,) = IcsCalendarStream.calendar_from_ics(data).events
        out[event.uid] = event
    return out


def counts(result, name: str) -> str:
    line = next(line for line in result.stdout.splitlines() if line.startswith(name))
    return line.split(": ", 1)[1]


def variant(tmp_path: Path, name: str, *edits: tuple[str, str]) -> Path:
    text = SCHEDULE.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_first_publish_creates_every_calendar_and_event_and_reads_back_across_dst(server, home):
    base = f"{server}/{USER}/"
    result = publish(base)
    assert result.exit_code == 0, result.output
    schedule, _ = load_schedule(str(SCHEDULE))
    assert "published 4 calendars" in result.stdout
    for patient in schedule.patients:
        stem = {"Q/ünï 5": "Q_uni_5-932aa6a9"}.get(patient.id, patient.id)
        collection = f"{base}patient-{stem}/"
        assert counts(result, f"patient-{stem}") == f"{len(patient.appointments)} created, 0 updated, 0 removed, 0 unchanged"
        got = {e.description.rsplit("Appointment ", 1)[1].rsplit(",", 1)[0]: e for e in events(collection).values()}
        # each resource is named by its appointment's id (spelled safely, as file names are)
        names = file_stems(a.id for a in patient.appointments)
        assert sorted(stored(collection)) == sorted(f"{names[a.id]}.ics" for a in patient.appointments)
        assert sorted(got) == sorted(a.id for a in patient.appointments)
        for appt in patient.appointments:
            event = got[appt.id]
            assert event.dtstart == appt.start and event.dtend == appt.end
            # wall-clock time kept on both sides of the change of 2026-11-01
            assert event.dtstart.astimezone(ZONE).time() == appt.start.astimezone(ZONE).time()
            assert event.sequence == appt.revision
    # the calendar's name is the export's title
    status, body = request(f"{base}patient-P-0001/", "PROPFIND",
                           b'<D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>', Depth="0")
    assert "P-0001: appointments at Harbor Interventional Psychiatry; Bay, Annex" in body.decode("utf-8")


def test_republishing_without_a_change_sends_no_event(server, home):
    base = f"{server}/{USER}/"
    assert publish(base, by="chair").exit_code == 0
    before = {c: stored(f"{base}chair-{c}/") for c in ("A", "B", "K")}
    again = publish(base, by="chair")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[-1].endswith(": 0 created, 0 updated, 0 removed, 13 unchanged")
    assert {c: stored(f"{base}chair-{c}/") for c in ("A", "B", "K")} == before, "no ETag moved"


def test_a_replan_updates_only_the_moved_event(server, home):
    base = f"{server}/{USER}/"
    assert publish(base, by="clinic").exit_code == 0
    before = stored(f"{base}clinic/")
    result = publish(base, FIX / "schedule-moved.toml", by="clinic")
    assert result.exit_code == 0, result.output
    assert counts(result, "clinic") == "0 created, 1 updated, 0 removed, 15 unchanged"
    after = stored(f"{base}clinic/")
    assert sorted(after) == sorted(before)
    assert [name for name in after if after[name][0] != before[name][0]] == ["P-0001-04.ics"]
    moved = icalendar.Calendar.from_ical(after["P-0001-04.ics"][1]).walk("VEVENT")[0]
    assert moved["DTSTART"].dt.isoformat() == "2026-11-06T08:00:00-08:00" and moved["SEQUENCE"] == 4


def test_a_cancelled_appointment_is_updated_a_removed_one_deleted_and_a_removed_patients_too(server, home, tmp_path):
    base = f"{server}/{USER}/"
    assert publish(base).exit_code == 0
    changed = variant(
        tmp_path, "changed.toml",
        ('staff = "rn-lopez", status = "planned", revision = 1 }', 'staff = "rn-lopez", status = "cancelled", revision = 4 }'),
        ('  { id = "P-0001-03m", kind = "treatment", session = 3, chair = "A", start = 2026-11-04T08:00:00-08:00, '
         'minutes = 40, status = "planned", revision = 2 },\n', ""),
        # P-0002 leaves the schedule altogether: its calendar's events go, the calendar stays
        ("[[patients]]" + SCHEDULE.read_text(encoding="utf-8").split("[[patients]]")[2], ""),
    )
    result = publish(base, changed)
    assert result.exit_code == 0, result.output
    assert counts(result, "patient-P-0001") == "0 created, 1 updated, 1 removed, 6 unchanged"
    assert counts(result, "patient-P-0002") == "0 created, 0 updated, 3 removed, 0 unchanged"
    p1 = events(f"{base}patient-P-0001/")
    assert not [e for e in p1.values() if "P-0001-03m" in e.description]
    (follow_up,) = [e for e in p1.values() if "P-0001-f," in e.description]
    assert follow_up.status == "CANCELLED" and follow_up.summary.startswith("Cancelled:")
    assert stored(f"{base}patient-P-0002/") == {}


def test_events_of_others_in_a_calendar_are_left_alone(server, home):
    base = f"{server}/{USER}/"
    assert publish(base, by="clinic").exit_code == 0
    mine = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//someone//else//EN\r\nBEGIN:VEVENT\r\nUID:lunch@example.org\r\n" \
           b"DTSTAMP:20261201T000000Z\r\nDTSTART:20261201T200000Z\r\nDTEND:20261201T210000Z\r\nSUMMARY:Lunch\r\n" \
           b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    status, _ = request(f"{base}clinic/lunch.ics", "PUT", mine, **{"Content-Type": "text/calendar"})
    assert status == 201
    result = publish(base, FIX / "schedule-empty.toml", by="clinic")
    assert result.exit_code == 0, result.output
    assert sorted(stored(f"{base}clinic/")) == ["lunch.ics"]


def test_an_edit_made_on_the_server_is_put_right(server, home):
    base = f"{server}/{USER}/"
    assert publish(base, by="chair").exit_code == 0
    etag, data = stored(f"{base}chair-A/")["P-0001-02.ics"]
    status, _ = request(f"{base}chair-A/P-0001-02.ics", "PUT", data.replace("SUMMARY:", "SUMMARY:Edited ").encode(),
                        **{"Content-Type": "text/calendar", "If-Match": etag})
    assert status in (201, 204)
    result = publish(base, by="chair")
    assert counts(result, "chair-A") == "0 created, 1 updated, 0 removed, 6 unchanged"
    assert "Edited" not in stored(f"{base}chair-A/")["P-0001-02.ics"][1]


def test_the_password_may_come_from_netrc(server, home):
    netrc = home / ".netrc"
    netrc.write_text(f"machine 127.0.0.1 login {USER} password {SECRET}\n", encoding="utf-8")
    netrc.chmod(0o600)
    result = publish(f"{server}/{USER}/", by="clinic", password=None, user=None)
    assert result.exit_code == 0, result.output
    assert counts(result, "clinic") == "16 created, 0 updated, 0 removed, 0 unchanged"


@pytest.mark.parametrize("password, user, expected", [
    ("wrong-Pa55", USER, "the server refused user coordinator (401 Unauthorized); check --user and the password "
                         "in TMS_SCHED_CALDAV_PASSWORD"),
    (None, None, "the server refused no user (401 Unauthorized); give --user and the password in "
                 "TMS_SCHED_CALDAV_PASSWORD or ~/.netrc"),
])
def test_a_wrong_or_missing_password_is_a_clear_exit_2_that_prints_no_secret(server, home, password, user, expected):
    result = publish(f"{server}/{USER}/", password=password, user=user)
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert "wrong-Pa55" not in result.output and SECRET not in result.output
    assert result.stdout == ""


def test_no_server_listening_is_a_clear_exit_2(home):
    from davserver import free_port

    result = publish(f"http://127.0.0.1:{free_port()}/{USER}/")
    assert result.exit_code == 2
    assert "cannot connect (Connection refused); check that the server is running" in result.stderr


def test_a_missing_collection_and_a_password_in_the_address_are_refused(server, home):
    result = publish(f"{server}/{USER}/nothere/")
    assert result.exit_code == 2
    assert "no such collection on the server (404)" in result.stderr
    result = publish(f"http://{USER}:{SECRET}@{server.removeprefix('http://')}/{USER}/")
    assert result.exit_code == 2
    assert "leave the user and password out of the address" in result.stderr
    assert SECRET not in result.output


def test_an_untrusted_certificate_is_a_clear_exit_2(home, tmp_path):
    """A TLS server whose certificate no authority vouches for (self-signed here with openssl)."""
    import http.server
    import shutil
    import ssl
    import subprocess
    import threading

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    httpd = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        result = publish(f"https://127.0.0.1:{httpd.server_address[1]}/{USER}/")
    finally:
        httpd.shutdown()
    assert result.exit_code == 2
    assert "the server's TLS certificate is not trusted (self-signed certificate)" in result.stderr


def test_a_redirect_names_the_address_to_give_instead(home):
    """Servers often move CalDAV under another path (/.well-known/caldav, /remote.php/dav)."""
    import http.server
    import threading

    class Moved(http.server.BaseHTTPRequestHandler):
        def do_PROPFIND(self):  # noqa: N802 (the method's name is the HTTP verb)
            self.send_response(301)
            self.send_header("Location", "/remote.php/dav/calendars/coordinator/")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Moved)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        result = publish(f"http://127.0.0.1:{httpd.server_address[1]}/.well-known/caldav")
    finally:
        httpd.shutdown()
    assert result.exit_code == 2
    assert (f"the server sends PROPFIND elsewhere (301, to http://127.0.0.1:{httpd.server_address[1]}"
            "/remote.php/dav/calendars/coordinator/); give the address it names as --url") in result.stderr


def test_a_discharge_marked_with_mark_cancels_the_patients_planned_events(server, home, tmp_path):
    base = f"{server}/{USER}/"
    schedule = tmp_path / "schedule.toml"
    schedule.write_bytes(SCHEDULE.read_bytes())
    assert publish(base, schedule).exit_code == 0
    marked = CliRunner().invoke(main, ["mark", str(schedule), "P-0003", "--discharge", "--reason", "moved away"])
    assert marked.exit_code == 0, marked.output
    result = publish(base, schedule)
    assert result.exit_code == 0, result.output
    assert counts(result, "patient-P-0003") == "0 created, 1 updated, 0 removed, 2 unchanged"
    assert counts(result, "patient-P-0001") == "0 created, 0 updated, 0 removed, 8 unchanged"
    (session,) = [e for e in events(f"{base}patient-P-0003/").values() if "P-0003-02," in e.description]
    assert session.status == "CANCELLED" and session.summary.startswith("Cancelled:")


def test_a_copy_written_anew_by_the_server_is_the_same_event_without_reading_it():
    """Radicale stores each event as it writes it (other order, other folding): still unchanged."""
    from tms_sched.io import load_setup
    from tms_sched.publish.caldav import Stored, same_event
    from tms_sched.render.ical import ExportOptions, calendar_sources

    clinic, _ = load_setup(CLINIC)
    schedule, _ = load_schedule(str(SCHEDULE))
    (source,) = calendar_sources(schedule, clinic, ExportOptions(by="clinic", alarms=(15,)))
    resource = next(r for r in source.resources() if b"BEGIN:VALARM" in r.data)
    text = resource.data.decode("utf-8").replace("\r\n ", "")  # unfolded
    head, event = text.split("BEGIN:VEVENT\r\n", 1)
    body, tail = event.split("END:VEVENT\r\n", 1)
    lines = body.splitlines(keepends=True)
    summary = lines.pop(0)  # SUMMARY comes first as tms-sched writes it; put it last of the properties
    lines.insert(next(i for i, line in enumerate(lines) if line.startswith("BEGIN:VALARM")), summary)
    rewritten = head + "BEGIN:VEVENT\r\n" + "".join(lines) + "END:VEVENT\r\n" + tail
    rewritten = rewritten.replace("DTSTAMP:2", "DTSTAMP:1")  # another stamp
    assert same_event(Stored("/x.ics", None, rewritten.encode("utf-8")), resource)  # component None: not read
    moved = re.sub(r"(DTSTART[^:]*:\d{8}T)\d{2}", r"\g<1>23", rewritten)
    assert moved != rewritten
    assert not same_event(Stored("/x.ics", None, moved.encode("utf-8")), resource)
