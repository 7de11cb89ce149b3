"""The calendars of an export built with the icalendar library, as tms-sched built them before
it wrote content lines itself: the reference its own writer must match byte for byte."""

from __future__ import annotations

import datetime as dt

from icalendar import Alarm, Calendar, Event, Timezone
from icalendar.prop import vDuration, vText

from tms_sched.render.ical import (CLINIC_PROPERTY, EVENT_STATUS, PRODID, REFRESH, STATUS_PREFIX, CalendarSource,
                                   _what, clean_text, uid_for)


def _text(value: str) -> vText:
    return vText(clean_text(value))


def reference(source: CalendarSource) -> bytes:
    builder = source._builder
    info = builder.schedule.schedule
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    cal.add("NAME", _text(source._raw_title))
    cal.add("X-WR-CALNAME", _text(source._raw_title))
    about = f"Exported by tms-sched from schedule revision {info.revision}"
    about += f" (updated {info.updated.isoformat()})." if info.updated else "."
    cal.add("DESCRIPTION", _text(about))
    cal.add("X-WR-CALDESC", _text(about))
    cal.add("X-WR-TIMEZONE", builder.clinic.info.timezone)
    cal.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    cal.add(CLINIC_PROPERTY, _text(builder.clinic_name))
    zone = builder.zone
    everything = builder.entries  # the zone covers the whole export, not only this calendar
    if everything:
        first = min(e.appt.start.astimezone(zone).date() for e in everything)
        last = max(e.appt.end.astimezone(zone).date() for e in everything)
    else:
        first = last = builder._stamp().date()
    cal.add_component(Timezone.from_tzinfo(zone, builder.clinic.info.timezone, first_date=first,
                                           last_date=last + dt.timedelta(days=1)))
    for entry in source._entries:
        cal.add_component(_event(builder, entry, source._view))
    return cal.to_ical()


def _event(builder, entry, view) -> Event:
    appt = entry.appt
    protocol = builder.clinic.protocols[entry.patient.protocol]
    what = _what(appt, protocol, entry.makeup)
    summary = what if view == "patient" else f"{builder._who(entry.patient.id)}: {what}"
    if appt.status in STATUS_PREFIX:
        summary = f"{STATUS_PREFIX[appt.status]}: {summary}"
    event = Event()
    event.add("UID", uid_for(appt.id, builder.clinic_name))
    event.add("DTSTAMP", builder._stamp())
    event.add("SEQUENCE", appt.revision)
    event.add("DTSTART", appt.start.astimezone(builder.zone))
    event.add("DTEND", appt.end.astimezone(builder.zone))
    event.add("SUMMARY", clean_text(summary))
    event.add("LOCATION", clean_text(builder._location(appt)))
    event.add("DESCRIPTION", clean_text(builder._description(entry, protocol)))
    event.add("STATUS", EVENT_STATUS[appt.status])
    event.add("TRANSP", "OPAQUE" if appt.live else "TRANSPARENT")
    if appt.status == "planned":
        for minutes in sorted(set(builder.options.alarms), reverse=True):
            alarm = Alarm()
            alarm.add("ACTION", "DISPLAY")
            alarm.add("DESCRIPTION", clean_text(what))
            alarm.add("TRIGGER", dt.timedelta(minutes=-minutes))
            event.add_component(alarm)
    return event

