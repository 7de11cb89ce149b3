"""Schedules -> iCalendar (RFC 5545) files: one per patient, chair or staff member, or one for the clinic.

Content lines are written by ``icalwrite`` (the clinic's VTIMEZONE comes from the
icalendar library, once per export), and each calendar is produced piece by piece, so
that a large clinic's export is written as it is produced rather than held whole in
memory. Nothing comes from the wall clock: an event's UID
comes from the appointment's id and the clinic, its SEQUENCE from the appointment's
revision, DTSTAMP from the schedule's ``updated`` date, so the same schedule always
gives the same bytes and a re-export after a change updates events instead of adding
new ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from ..errors import OutputError, Problem
from ..io.common import atomic_write
from ..io.tomlpos import PositionIndex
from ..model.clinic import Chair, Clinic, StaffMember
from ..model.protocol import Protocol
from ..model.schedule import Appointment, Schedule, ScheduledPatient
from ..protocols import builtin_raw
from .icalwrite import CRLF, duration, escape_text, fold, local_datetime, raw_line, text_line, utc_datetime

View = Literal["patient", "chair", "staff", "clinic"]
VIEWS: tuple[View, ...] = ("patient", "chair", "staff", "clinic")

REFRESH = dt.timedelta(hours=1)
"""How often a calendar program that subscribes to an exported file should fetch it again."""
PRODID = "-//tms-sched//tms-sched export ical//EN"
CLINIC_PROPERTY = "X-TMS-SCHED-CLINIC"
"""Marks a file as this clinic's export, so that a later export may replace it."""

EVENT_STATUS = {"planned": "CONFIRMED", "done": "CONFIRMED", "missed": "CANCELLED", "cancelled": "CANCELLED"}
STATUS_PREFIX = {"missed": "Missed", "cancelled": "Cancelled"}
STATUS_WORDS = {
    "planned": "planned",
    "done": "done",
    "missed": "missed (not attended)",
    "cancelled": "cancelled",
}


@dataclass(frozen=True)
class ExportOptions:
    """What to export: the view, which patients (patient view), names, reminders."""

    by: View
    patients: tuple[str, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    """Patient id -> name; empty keeps patients anonymous (ids only)."""
    alarms: tuple[int, ...] = ()
    """Reminders, in minutes before the start, on planned appointments."""


@dataclass(frozen=True)
class CalendarFile:
    filename: str
    title: str
    events: int
    data: bytes


@dataclass(frozen=True)
class EventResource:
    """One appointment's event as a calendar of its own, as a CalDAV server stores it."""

    appointment: str
    uid: str
    name: str
    """The resource's name: the appointment id, spelled safely where it must be (as file names are)."""
    data: bytes


@dataclass(frozen=True)
class CalendarSource:
    """One calendar of an export, produced only when it is written."""

    filename: str
    title: str
    events: int
    _builder: _Builder
    _entries: Sequence[_Entry]
    _view: View
    _raw_title: str

    def chunks(self) -> Iterator[str]:
        """The calendar's text, piece by piece (header, time zone, one event at a time)."""
        return self._builder.chunks(self._raw_title, self._entries, self._view)

    @property
    def data(self) -> bytes:
        return "".join(self.chunks()).encode("utf-8")

    def resources(self) -> Iterator[EventResource]:
        """Each event in a calendar of its own (RFC 4791: one component per resource, no METHOD)."""
        return self._builder.resources(self._entries, self._view)


# -- checks ---------------------------------------------------------------------------

def schedule_problems(schedule: Schedule, clinic: Clinic, path: str, index: PositionIndex | None) -> list[Problem]:
    """What stops a faithful export: another clinic or zone, unknown ids, repeated ids.

    A repeated appointment id would give two events one UID, and calendars would keep
    only one of them.
    """
    def line(*keys: object) -> int | None:
        return index.line(keys) if index is not None else None

    out: list[Problem] = []
    info = schedule.schedule
    if info.clinic != clinic.info.name:
        out.append(Problem(path, line("schedule", "clinic"), path="schedule.clinic",
                           message=f"the schedule belongs to '{info.clinic}', but the clinic file describes "
                           f"'{clinic.info.name}'; give the clinic file this schedule was planned with"))
    if info.timezone != clinic.info.timezone:
        out.append(Problem(path, line("schedule", "timezone"), path="schedule.timezone",
                           message=f"the schedule's time zone '{info.timezone}' differs from the clinic's "
                           f"'{clinic.info.timezone}'; export needs them to agree"))
    seen: dict[str, str] = {}
    patients_seen: dict[str, int] = {}
    for i, patient in enumerate(schedule.patients):
        if patient.id in patients_seen:
            out.append(Problem(path, line("patients", i, "id"), path=f"patients[{i}].id",
                               message=f"patient '{patient.id}' appears twice (also patients[{patients_seen[patient.id]}]); "
                               "give each patient one [[patients]] entry"))
        patients_seen.setdefault(patient.id, i)
        if patient.protocol not in clinic.protocols:
            out.append(Problem(path, line("patients", i, "protocol"), path=f"patients[{i}].protocol",
                               message=f"unknown protocol '{patient.protocol}' for {patient.id}; "
                               "the clinic file and the built-in library do not define it"))
        for j, appt in enumerate(patient.appointments):
            where = f"patients[{i}].appointments[{j}]"
            at = line("patients", i, "appointments", j)
            if appt.id in seen:
                out.append(Problem(path, at, path=where,
                                   message=f"appointment id '{appt.id}' is used twice (also {seen[appt.id]}); "
                                   "each appointment needs its own id, calendars key events on it"))
            seen.setdefault(appt.id, where)
            if appt.chair is not None and clinic.chair(appt.chair) is None:
                out.append(Problem(path, at, path=where,
                                   message=f"appointment {appt.id} names chair '{appt.chair}', which the clinic "
                                   f"file does not have (chairs: {', '.join(c.id for c in clinic.chairs)})"))
            if appt.staff is not None and clinic.staff_member(appt.staff) is None:
                known = ", ".join(s.id for s in clinic.staff) or "none named"
                out.append(Problem(path, at, path=where,
                                   message=f"appointment {appt.id} names staff '{appt.staff}', whom the clinic "
                                   f"file does not list (staff: {known})"))
    return out


def offset_warnings(schedule: Schedule, clinic: Clinic, path: str, index: PositionIndex | None) -> list[Problem]:
    """Appointments whose written UTC offset is not the clinic zone's at that moment.

    The written instant is exported (shown at its wall-clock time in the clinic's zone);
    `tms-sched check` reports the same as TMS017.
    """
    zone = clinic.zone
    out: list[Problem] = []
    for i, patient in enumerate(schedule.patients):
        for j, appt in enumerate(patient.appointments):
            local = appt.start.astimezone(zone)
            if local.utcoffset() != appt.start.utcoffset():
                out.append(Problem(path, index.line(("patients", i, "appointments", j)) if index else None,
                                   path=f"patients[{i}].appointments[{j}]",
                                   message=f"{appt.id}: offset {appt.start.strftime('%z')} disagrees with "
                                   f"{clinic.info.timezone} on {local.date()} (TMS017); exported as "
                                   f"{local.strftime('%H:%M')} local time"))
    return out


# -- building -------------------------------------------------------------------------

def build_calendars(schedule: Schedule, clinic: Clinic, options: ExportOptions) -> list[CalendarFile]:
    """The calendars of one view, sorted by file name; each as the bytes to write."""
    return [CalendarFile(c.filename, c.title, c.events, c.data) for c in calendar_sources(schedule, clinic, options)]


def calendar_sources(schedule: Schedule, clinic: Clinic, options: ExportOptions) -> list[CalendarSource]:
    """The calendars of one view, sorted by file name, each produced when it is written."""
    return _Builder(schedule, clinic, options).build()


def uid_for(appointment_id: str, clinic_name: str) -> str:
    """The event UID: the appointment id at the clinic, never anything about its time."""
    return f"{_uid_part(appointment_id)}@{_clinic_slug(clinic_name)}.tms-sched"


def _uid_part(text: str) -> str:
    # UIDs end up in CalDAV resource names and URLs: keep them to URL-safe characters.
    return quote(text, safe="")


def _clinic_slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    # The digest keeps two clinics whose names differ only in punctuation apart.
    return f"{slug[:48].strip('-')}-{digest}" if slug else digest


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Text as an iCalendar TEXT value may hold it: line breaks kept, other controls dropped."""
    return _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))


@dataclass
class _Entry:
    patient: ScheduledPatient
    appt: Appointment
    makeup: bool


class _Builder:
    def __init__(self, schedule: Schedule, clinic: Clinic, options: ExportOptions) -> None:
        self.schedule = schedule
        self.clinic = clinic
        self.options = options
        self.zone = clinic.zone
        self.clinic_name = clinic.info.name
        self.entries = self._entries()
        self.stamp = utc_datetime(self._stamp())
        self.timezone = self._vtimezone()
        self.start_name, self.end_name = self._time_names()
        self.alarms = sorted(set(options.alarms), reverse=True)
        self.clinic_text = clean_text(self.clinic_name)

    # the appointments, in time order, each knowing whether it makes up an earlier one
    def _entries(self) -> list[_Entry]:
        out: list[_Entry] = []
        for patient in self.schedule.patients:
            ordered = sorted(patient.appointments, key=lambda a: (a.start, a.id))
            sessions_seen: set[int] = set()
            for appt in ordered:
                makeup = appt.session is not None and appt.session in sessions_seen
                if appt.session is not None:
                    sessions_seen.add(appt.session)
                out.append(_Entry(patient, appt, makeup))
        out.sort(key=lambda e: (e.appt.start, e.appt.id))
        return out

    def _vtimezone(self) -> str:
        """The clinic's zone from the day of the first appointment to the day after the last,
        as the VTIMEZONE component's text (the icalendar library derives the transitions).

        A calendar needs at least one component, so an export without events still
        carries the zone (for the day of the schedule's last write).
        """
        from icalendar import Timezone

        if self.entries:
            first = min(e.appt.start.astimezone(self.zone).date() for e in self.entries)
            last = max(e.appt.end.astimezone(self.zone).date() for e in self.entries)
        else:
            first = last = self._stamp().date()
        component = Timezone.from_tzinfo(self.zone, self.clinic.info.timezone,
                                         first_date=first, last_date=last + dt.timedelta(days=1))
        return component.to_ical().decode("utf-8")

    def _time_names(self) -> tuple[str, str]:
        """``DTSTART;TZID=zone`` and ``DTEND;TZID=zone``, or the bare names where the zone is
        UTC (RFC 5545 writes UTC times with a ``Z`` instead of a TZID)."""
        from icalendar.timezone.tzid import tzid_from_dt

        self.utc = False
        tzid = tzid_from_dt(dt.datetime(2000, 1, 1, tzinfo=self.zone))
        if tzid == "UTC":
            self.utc = True
            return "DTSTART", "DTEND"
        if tzid is None:
            tzid = self.clinic.info.timezone
        if any(c in tzid for c in ':;,"'):
            tzid = '"' + tzid.replace('"', "") + '"'
        return f"DTSTART;TZID={tzid}", f"DTEND;TZID={tzid}"

    def _stamp(self) -> dt.datetime:
        """DTSTAMP: midnight UTC of the schedule's last write, never the wall clock."""
        day = self.schedule.schedule.updated
        if day is None:  # a schedule written by hand: the first appointment's day
            day = min((e.appt.start.astimezone(dt.timezone.utc).date() for e in self.entries),
                      default=dt.date(2000, 1, 1))
        return dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc)

    # -- views --

    def build(self) -> list[CalendarSource]:
        by = self.options.by
        if by == "patient":
            files = self._patients()
        elif by == "chair":
            files = self._per("chair", self.clinic.chairs, _chair_words)
        elif by == "staff":
            # Only roles that appointments name: assessments (physician, clinician) and
            # first sessions (the protocols' first_session_staff). A technician attends
            # sessions unnamed, so their calendar would always be empty.
            named = {"physician", "clinician"} | {p.first_session_staff for p in self.clinic.protocols.values()}
            files = self._per("staff", [x for x in self.clinic.staff if x.role in named], _staff_words)
        else:
            files = [self._calendar("clinic.ics", f"{self.clinic_name}: all appointments", self.entries, "clinic")]
        return sorted(files, key=lambda f: f.filename)

    def _patients(self) -> list[CalendarSource]:
        wanted = set(self.options.patients)
        chosen = [p for p in self.schedule.patients if not wanted or p.id in wanted]
        stems = file_stems([p.id for p in chosen])
        by_patient: dict[str, list[_Entry]] = {}
        for e in self.entries:  # one pass, not one scan of every entry per patient
            by_patient.setdefault(e.patient.id, []).append(e)
        out = []
        for patient in chosen:
            entries = by_patient.get(patient.id, [])
            title = f"{self._who(patient.id)}: appointments at {self.clinic_name}"
            out.append(self._calendar(f"patient-{stems[patient.id]}.ics", title, entries, "patient"))
        return out

    def _per(self, view: View, items: Sequence, words) -> list[CalendarSource]:
        """One calendar per chair or staff member: the appointments whose ``chair`` or
        ``staff`` (the field named like the view) is its id."""
        stems = file_stems([x.id for x in items])
        by_id: dict[str | None, list[_Entry]] = {}
        for e in self.entries:  # one pass, not one scan of every entry per chair
            by_id.setdefault(getattr(e.appt, view), []).append(e)
        return [self._calendar(f"{view}-{stems[x.id]}.ics", f"{words(x)}, {self.clinic_name}",
                               by_id.get(x.id, []), view)
                for x in items]

    # -- one calendar --

    def _calendar(self, filename: str, title: str, entries: Sequence[_Entry], view: View) -> CalendarSource:
        return CalendarSource(filename, clean_text(title), len(entries), self, entries, view, title)

    def _about(self) -> str:
        info = self.schedule.schedule
        about = f"Exported by tms-sched from schedule revision {info.revision}"
        return about + (f" (updated {info.updated.isoformat()})." if info.updated else ".")

    def chunks(self, title: str, entries: Sequence[_Entry], view: View) -> Iterator[str]:
        """A whole calendar: its properties, the zone, then one event at a time."""
        about = clean_text(self._about())
        name = clean_text(title)
        refresh = duration(REFRESH)
        yield "".join((
            "BEGIN:VCALENDAR" + CRLF,
            raw_line("VERSION", "2.0"),
            text_line("PRODID", PRODID),
            raw_line("CALSCALE", "GREGORIAN"),
            raw_line("METHOD", "PUBLISH"),
            text_line("DESCRIPTION", about),
            text_line("X-WR-CALDESC", about),
            text_line("NAME", name),
            text_line("X-WR-CALNAME", name),
            # A subscribed calendar asks again this often (RFC 7986; the older X- name for Outlook).
            raw_line("REFRESH-INTERVAL;VALUE=DURATION", refresh),
            raw_line("X-PUBLISHED-TTL", refresh),
            text_line(CLINIC_PROPERTY, self.clinic_text),
            raw_line("X-WR-TIMEZONE", self.clinic.info.timezone),
            self.timezone,
        ))
        for entry in entries:
            yield self._event(entry, view)
        yield "END:VCALENDAR" + CRLF

    def resources(self, entries: Sequence[_Entry], view: View) -> Iterator[EventResource]:
        head = "".join(("BEGIN:VCALENDAR" + CRLF, raw_line("VERSION", "2.0"), text_line("PRODID", PRODID),
                        raw_line("CALSCALE", "GREGORIAN"), self.timezone))
        stems = file_stems([e.appt.id for e in entries])
        for entry in entries:
            text = head + self._event(entry, view) + "END:VCALENDAR" + CRLF
            yield EventResource(entry.appt.id, uid_for(entry.appt.id, self.clinic_name), f"{stems[entry.appt.id]}.ics",
                                text.encode("utf-8"))

    def _event(self, entry: _Entry, view: View) -> str:
        appt = entry.appt
        protocol = self.clinic.protocols[entry.patient.protocol]
        what = _what(appt, protocol, entry.makeup)
        summary = what if view == "patient" else f"{self._who(entry.patient.id)}: {what}"
        if appt.status in STATUS_PREFIX:
            summary = f"{STATUS_PREFIX[appt.status]}: {summary}"
        start = appt.start.astimezone(self.zone)
        # A monitored session keeps the patient (and the chair) until the monitoring ends.
        end = appt.chair_end.astimezone(self.zone)
        z = "Z" if self.utc else ""
        lines = [
            "BEGIN:VEVENT" + CRLF,
            text_line("SUMMARY", clean_text(summary)),
            fold(f"{self.start_name}:{local_datetime(start)}{z}") + CRLF,
            fold(f"{self.end_name}:{local_datetime(end)}{z}") + CRLF,
            "DTSTAMP:" + self.stamp + CRLF,
            text_line("UID", uid_for(appt.id, self.clinic_name)),
            f"SEQUENCE:{appt.revision}" + CRLF,
            text_line("DESCRIPTION", clean_text(self._description(entry, protocol))),
            text_line("LOCATION", clean_text(self._location(appt))),
            "STATUS:" + EVENT_STATUS[appt.status] + CRLF,
            "TRANSP:" + ("OPAQUE" if appt.live else "TRANSPARENT") + CRLF,
        ]
        if appt.status == "planned" and self.alarms:
            reminder = text_line("DESCRIPTION", clean_text(what))
            for minutes in self.alarms:
                lines.append("BEGIN:VALARM" + CRLF + "ACTION:DISPLAY" + CRLF + reminder
                             + "TRIGGER:" + duration(dt.timedelta(minutes=-minutes)) + CRLF + "END:VALARM" + CRLF)
        lines.append("END:VEVENT" + CRLF)
        return "".join(lines)

    def _who(self, patient_id: str) -> str:
        name = self.options.names.get(patient_id)
        return f"{name} ({patient_id})" if name else patient_id

    def _location(self, appt: Appointment) -> str:
        chair = self.clinic.chair(appt.chair) if appt.chair else None
        if chair is None:
            return self.clinic_name
        return f"{_chair_words(chair)}, {self.clinic_name}"

    def _description(self, entry: _Entry, protocol: Protocol) -> str:
        appt = entry.appt
        lines = [f"Patient: {self._who(entry.patient.id)}", f"Course: {protocol.id} ({protocol.label})"]
        if appt.session is not None:
            session = f"Session {appt.session} of {protocol.total_sessions}"
            lines.append(session + (" (make-up)" if entry.makeup else ""))
        else:
            lines.append(f"Assessment: {appt.name}")
        if appt.chair:
            chair = self.clinic.chair(appt.chair)
            lines.append(_chair_words(chair) if chair else f"Chair {appt.chair}")
        if appt.staff:
            member = self.clinic.staff_member(appt.staff)
            lines.append(f"With: {_staff_words(member) if member else appt.staff}")
        if appt.monitor_minutes:
            end = appt.end.astimezone(self.zone)
            who = f" by a {protocol.monitor_role}" if protocol.monitor_role else ""
            lines.append(f"Session: {appt.start.astimezone(self.zone):%H:%M}-{end:%H:%M} ({appt.minutes} min)")
            lines.append(f"Monitoring: {end:%H:%M}-{appt.chair_end.astimezone(self.zone):%H:%M} "
                         f"({appt.monitor_minutes} min in the same chair, observed{who})")
        lines.append(f"Status: {STATUS_WORDS[appt.status]}")
        lines.append(f"Appointment {appt.id}, schedule revision {appt.revision}")
        return "\n".join(lines)


def _what(appt: Appointment, protocol: Protocol, makeup: bool) -> str:
    """What the appointment is, in the words a patient and a coordinator use."""
    if appt.kind == "assessment":
        name = appt.name or "assessment"
        text = name[:1].upper() + name[1:]
        return text if text.lower().endswith("assessment") else f"{text} assessment"
    extra = f"{protocol.id}, make-up" if makeup else protocol.id
    if appt.kind == "mapping":
        return f"{protocol.first_session_label} ({extra})"
    noun = "TMS session" if _is_tms(protocol) else "Session"
    return f"{noun} {appt.session} of {protocol.total_sessions} ({extra})"


@lru_cache(maxsize=1)
def _tms_capabilities() -> frozenset[str]:
    return frozenset(raw["capability"] for raw in builtin_raw().values() if "capability" in raw)


def _is_tms(protocol: Protocol) -> bool:
    """A course on a TMS chair (every built-in protocol) or one that maps the motor threshold.

    A clinic's own protocol on other equipment (an infusion series) is not called TMS.
    """
    return protocol.capability in _tms_capabilities() or "motor-threshold" in protocol.first_session_label.lower()


def _chair_words(chair: Chair) -> str:
    return f"Chair {chair.id} ({chair.name})" if chair.name else f"Chair {chair.id}"


def _staff_words(member: StaffMember) -> str:
    who = f"{member.name} ({member.id})" if member.name else member.id
    return f"{who}, {member.role}"


# -- file names and writing -----------------------------------------------------------

def file_stems(ids: Iterable[str]) -> dict[str, str]:
    """A safe file-name stem for each id, distinct even on case-insensitive file systems.

    Ids of plain letters, digits, dots, dashes and underscores stay as they are; any
    other id is spelled in those (accents dropped, the rest as underscores) with a short
    digest of the id appended, as is an id that would clash with another ignoring case,
    so that two ids never share a file.
    """
    ids = list(dict.fromkeys(ids))
    plain: dict[str, str] = {}
    for ident in ids:
        ascii_letters = unicodedata.normalize("NFKD", ident).encode("ascii", "ignore").decode("ascii")
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_letters).strip("._-")[:64] or "id"
        if stem != ident:
            stem = f"{stem}-{_digest(ident)}"
        plain[ident] = stem
    folded: dict[str, int] = {}
    for stem in plain.values():
        folded[stem.casefold()] = folded.get(stem.casefold(), 0) + 1
    return {ident: (f"{stem}-{_digest(ident)}" if folded[stem.casefold()] > 1 and stem == ident else stem)
            for ident, stem in plain.items()}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


HEADER_BYTES = 64 * 1024
"""How much of a file is read to tell whether it is an export: its calendar properties
come before the first component, well within this."""


def is_our_export(path: Path, clinic_name: str) -> bool:
    """True when ``path`` is a calendar this command wrote for this clinic.

    Only the calendar's own properties are read (the lines before its first component),
    so that telling a large earlier export apart costs neither the time nor the memory
    of parsing all its events.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEADER_BYTES)
        text = head.decode("utf-8", errors="replace")
    except OSError:
        return False
    lines = re.sub(r"\r?\n[ \t]", "", text).splitlines()
    if not lines or lines[0].strip().upper() != "BEGIN:VCALENDAR":
        return False
    props: dict[str, str] = {}
    for line in lines[1:]:
        if line.upper().startswith(("BEGIN:", "END:")):
            break
        name, sep, value = line.partition(":")
        if sep:
            props.setdefault(name.split(";", 1)[0].upper(), value)
    else:
        return False  # no component within the header: not a calendar this command wrote
    if props.get("PRODID") != PRODID:
        return False
    name = clean_text(clinic_name)
    return props.get(CLINIC_PROPERTY) in (name, escape_text(name))


def write_calendars(directory: str, files: Sequence[CalendarFile | CalendarSource], clinic_name: str) -> list[Path]:
    """Write every file atomically into ``directory``, each as it is produced.

    Files this command wrote for the same clinic are replaced; any other file in the
    way stops the export before anything is written.
    """
    folder = Path(directory)
    targets = [folder / f.filename for f in files]
    foreign = [t for t in targets if t.exists() and (not t.is_file() or not is_our_export(t, clinic_name))]
    if foreign:
        names = ", ".join(str(t) for t in foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise OutputError(f"{names}: already exists and is not a calendar that tms-sched exported for "
                          f"{clinic_name}; refusing to overwrite it (move it away or choose another -o)")
    for target, f in zip(targets, files):
        pieces = f.chunks() if isinstance(f, CalendarSource) else f.data.decode("utf-8")
        try:
            atomic_write(target, pieces)
        except OSError as exc:
            raise OutputError(f"{target}: cannot be written ({exc.strerror or exc}); "
                              "check that the folder is writable and the disk not full") from None
    return targets
