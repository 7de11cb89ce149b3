"""Publish an export's calendars to a CalDAV server (RFC 4791), one resource per appointment.

Each calendar of the export (``patient-P-0001``, ``chair-A``, ``staff-dr-kim``,
``clinic``) is a calendar collection below the given address, created when missing.
Each appointment is one resource, named by its id (``P-0001-07.ics``), holding its
event with the UID the file export gives it. A publish compares what the server holds
with what the schedule says and sends only the difference:

- an event the server lacks is created (``If-None-Match: *``: never over something else);
- an event whose content differs (its times, summary, place, status, reminders; not
  DTSTAMP) is replaced (``If-Match`` with the server's ETag: an edit made meanwhile
  stops the publish instead of being lost);
- an event the server holds with this clinic's UID suffix that the schedule no longer
  holds is deleted (``If-Match`` again); events of anyone else are left alone;
- everything else is left as it is: a publish after no change sends no event.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote
from xml.sax.saxutils import escape

import icalendar

from ..render.ical import CalendarSource, EventResource, uid_for
from .dav import NS, DavClient, PublishError, _reason

CALENDAR_QUERY = b"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>
</C:calendar-query>"""

ICS = "text/calendar; charset=utf-8"


@dataclass
class Tally:
    """What one publish did to one calendar."""

    name: str
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    new_calendar: bool = False

    def add(self, other: Tally) -> None:
        self.created += other.created
        self.updated += other.updated
        self.removed += other.removed
        self.unchanged += other.unchanged

    def words(self) -> str:
        return (f"{self.created} created, {self.updated} updated, {self.removed} removed, "
                f"{self.unchanged} unchanged")


@dataclass
class Stored:
    """One event resource as the server holds it."""

    path: str
    etag: str | None
    data: bytes
    uid: str | None = None
    component: icalendar.Event | None = field(default=None, repr=False)


def collection_name(source: CalendarSource) -> str:
    """The calendar's name below the address: its file name without ``.ics``."""
    return source.filename.removesuffix(".ics")


class Publisher:
    """Publishes calendars below ``client``'s base address for one clinic."""

    def __init__(self, client: DavClient, clinic_name: str,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.client = client
        self.suffix = uid_for("x", clinic_name).split("@", 1)[1]
        self.progress = progress
        self.done = 0
        self.total = 0

    def ours(self, uid: str | None) -> bool:
        """True for the UID of an event this clinic's exports made."""
        return uid is not None and uid.endswith("@" + self.suffix)

    # -- the whole export --

    def publish(self, sources: Sequence[CalendarSource], prefix: str) -> list[Tally]:
        """Every calendar of ``sources``; then, in this view's other calendars below the
        address (``prefix``: ``patient-``), removes the events of appointments that left."""
        self.check_base()
        self.total = sum(s.events for s in sources)
        tallies = [self.publish_one(source) for source in sources]
        current = {collection_name(s) for s in sources}
        for name in self.other_calendars(prefix, current):
            tally = self.sync(name, None, [])
            if tally.removed:
                tallies.append(tally)
        return tallies

    def check_base(self) -> None:
        found = self.client.propfind(self.client.base_path, "<D:resourcetype/>", "0")
        if not found:
            raise PublishError(f"--url {self.client.url(self.client.base_path)}: no such collection on the "
                               "server (404); give the address of a collection you may write to, such as "
                               "your principal's home (https://dav.example.org/USER/)")

    def other_calendars(self, prefix: str, current: set[str]) -> list[str]:
        """Calendars below the address named like this view's (``patient-...``) that the export lacks."""
        base = self.client.base_path
        names = []
        for path, prop in self.client.propfind(base, "<D:resourcetype/>", "1"):
            if not path.startswith(base) or path.rstrip("/") == base.rstrip("/"):
                continue
            name = path[len(base):].strip("/")
            if "/" in name or not name.startswith(prefix) or name in current:
                continue
            if prop.find("D:resourcetype/C:calendar", NS) is not None:
                names.append(name)
        return sorted(names)

    # -- one calendar --

    def publish_one(self, source: CalendarSource) -> Tally:
        return self.sync(collection_name(source), source.title, list(source.resources()))

    def sync(self, name: str, title: str | None, wanted: Sequence[EventResource]) -> Tally:
        """Make the collection ``name`` hold exactly ``wanted`` among this clinic's events.

        ``title`` None: the calendar is not part of the export; only removals are made,
        and a missing collection is left missing.
        """
        tally = Tally(name)
        path = self.client.child(name, collection=True)
        state = self.ensure_calendar(path, title)
        if state == "missing":
            return tally
        tally.new_calendar = state == "created"
        stored = [] if tally.new_calendar else self.stored_events(path)
        by_uid: dict[str, Stored] = {}
        for item in stored:
            if item.uid is not None:
                by_uid.setdefault(item.uid, item)
        wanted_uids = set()
        for resource in wanted:
            wanted_uids.add(resource.uid)
            have = by_uid.get(resource.uid)
            if have is None:
                self.put(path + _quote(resource.name), resource.data, create=True)
                tally.created += 1
            elif same_event(have, resource):
                tally.unchanged += 1
            else:
                self.put(have.path, resource.data, etag=have.etag)
                tally.updated += 1
            self.step()
        for item in stored:
            if self.ours(item.uid) and item.uid not in wanted_uids:
                self.delete(item)
                tally.removed += 1
        return tally

    def ensure_calendar(self, path: str, title: str | None) -> str:
        """``"found"`` when ``path`` is a calendar collection, ``"created"`` when it was missing
        and is made now (with ``title`` as its name), ``"missing"`` when missing and no ``title``."""
        found = self.client.propfind(path, "<D:resourcetype/>", "0")
        if found:
            if found[0][1].find("D:resourcetype/C:calendar", NS) is None:
                raise PublishError(f"{self.client.url(path)}: exists but is not a calendar; move it away "
                                   "or give another --url")
            return "found"
        if title is None:
            return "missing"
        body = ('<?xml version="1.0" encoding="utf-8"?>\n<C:mkcalendar xmlns:D="DAV:" '
                'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>'
                f"<D:displayname>{escape(title)}</D:displayname>"
                "<C:supported-calendar-component-set><C:comp name=\"VEVENT\"/></C:supported-calendar-component-set>"
                "</D:prop></D:set></C:mkcalendar>").encode("utf-8")
        response = self.client.request("MKCALENDAR", path, body, Content_Type="application/xml; charset=utf-8")
        if response.status == 409:
            raise PublishError(f"{self.client.url(path)}: cannot create the calendar (409 Conflict): the "
                               "collection it goes into does not exist; check --url")
        if response.status in (405, 501):
            raise PublishError(f"{self.client.url(path)}: the server does not create calendars there "
                               f"({response.status}); check that --url is a CalDAV collection (a calendar "
                               "home), not a calendar or a plain web folder")
        if response.status not in (200, 201):
            raise PublishError(f"{self.client.url(path)}: creating the calendar failed ({response.status} "
                               f"{_reason(response)})")
        return "created"

    def stored_events(self, path: str) -> list[Stored]:
        out = []
        for href, prop in self.client.report(path, CALENDAR_QUERY):
            data = prop.findtext("C:calendar-data", default="", namespaces=NS).encode("utf-8")
            etag = prop.findtext("D:getetag", default=None, namespaces=NS)
            item = Stored(href, etag, data)
            try:
                events = icalendar.Calendar.from_ical(data).walk("VEVENT")
            except Exception:  # a resource nobody can read is not one of ours: leave it
                events = []
            if events:
                item.component = events[0]
                item.uid = str(events[0].get("UID", "")) or None
            out.append(item)
        return out

    # -- changes --

    def put(self, path: str, data: bytes, *, create: bool = False, etag: str | None = None) -> None:
        headers = {"Content_Type": ICS}
        if create:
            headers["If_None_Match"] = "*"
        elif etag:
            headers["If_Match"] = etag
        response = self.client.request("PUT", path, data, **headers)
        if response.status in (200, 201, 204):
            return
        if response.status == 412:
            what = "something already exists at" if create else "someone changed"
            raise PublishError(f"{self.client.url(path)}: {what} this event on the server meanwhile (412); "
                               "publish again to compare afresh")
        if response.status == 409:
            raise PublishError(f"{self.client.url(path)}: the server refused the event (409 Conflict), "
                               "perhaps because another resource of the calendar holds its UID; remove that "
                               "copy, then publish again")
        raise PublishError(f"{self.client.url(path)}: PUT answered {response.status} {_reason(response)}")

    def delete(self, item: Stored) -> None:
        headers = {"If_Match": item.etag} if item.etag else {}
        response = self.client.request("DELETE", item.path, **headers)
        if response.status in (200, 204, 404):  # already gone is gone
            return
        if response.status == 412:
            raise PublishError(f"{self.client.url(item.path)}: someone changed this event on the server "
                               "meanwhile (412); publish again to compare afresh")
        raise PublishError(f"{self.client.url(item.path)}: DELETE answered {response.status} {_reason(response)}")

    def step(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)


def _quote(name: str) -> str:
    return quote(name, safe="")


# -- comparing events --------------------------------------------------------------------

COMPARED = ("UID", "SUMMARY", "LOCATION", "DESCRIPTION", "STATUS", "TRANSP", "SEQUENCE")


def same_event(stored: Stored, resource: EventResource) -> bool:
    """Whether the server's copy says what the schedule says (DTSTAMP and the zone's
    definition aside): the same text; else the same content lines of the event in any
    order and folding (servers such as Radicale write the calendar anew); else the same
    properties once read."""
    if stored.data.replace(b"\r\n", b"\n") == resource.data.replace(b"\r\n", b"\n"):
        return True
    theirs = event_lines(stored.data)
    if theirs is not None and theirs == event_lines(resource.data):
        return True
    if stored.component is None:
        return False
    (mine,) = icalendar.Calendar.from_ical(resource.data).walk("VEVENT")
    return fingerprint(stored.component) == fingerprint(mine)


_UNFOLD = re.compile(r"\n[ \t]")


def event_lines(data: bytes) -> list[str] | None:
    """The event's content lines (its reminders' included), unfolded and sorted, DTSTAMP left
    out; None when the data holds no event."""
    text = _UNFOLD.sub("", data.decode("utf-8", errors="replace").replace("\r\n", "\n"))
    start, end = text.find("BEGIN:VEVENT\n"), text.find("END:VEVENT")
    if start < 0 or end < start:
        return None
    return sorted(line for line in text[start:end].split("\n") if line and not line.startswith("DTSTAMP"))


def fingerprint(event: icalendar.Event) -> tuple:
    def instant(name: str):
        value = event.get(name)
        moment = value.dt if value is not None else None
        if isinstance(moment, dt.datetime) and moment.tzinfo is not None:
            return moment.astimezone(dt.timezone.utc)
        return moment

    alarms = sorted((str(a.get("ACTION", "")), str(a.get("DESCRIPTION", "")),
                     str(a["TRIGGER"].dt) if a.get("TRIGGER") is not None else "")
                    for a in event.walk("VALARM"))
    return (tuple(str(event.get(k, "")) for k in COMPARED), instant("DTSTART"), instant("DTEND"), tuple(alarms))


def total(tallies: Iterable[Tally]) -> Tally:
    out = Tally("all")
    for t in tallies:
        out.add(t)
    return out
