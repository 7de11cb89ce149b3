"""What one appointment takes on the timeline: its chair, person and patient for the
session, then the chair and patient for any monitoring after it, and its share of the
staff head-count for each part."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..model.clinic import Clinic
from ..model.protocol import Protocol
from ..model.schedule import Appointment
from .timeline import Timeline

if TYPE_CHECKING:
    from .builder import Booking


def appointment_slots(clinic: Clinic, appt: Appointment) -> tuple[dt.date, int, int, int]:
    """(local day, first slot, session slots, monitoring slots) of a booked appointment."""
    slot = clinic.info.slot_minutes
    local = appt.start.astimezone(clinic.zone)
    minute = local.hour * 60 + local.minute
    first = minute // slot
    end = -(-(minute + appt.minutes) // slot)
    monitor = -(-(appt.monitor_minutes or 0) // slot)
    return local.date(), first, end - first, monitor


def appointment_units(clinic: Clinic, protocol: Protocol | None, kind: str) -> tuple[int | None, int | None]:
    """Head-count units of the session and of its monitoring (None: a whole person)."""
    if protocol is None:
        return None, None
    return clinic.session_units(protocol, kind), clinic.monitor_units(protocol)


def book_appointment(tl: Timeline, clinic: Clinic, protocol: Protocol | None, patient_id: str,
                     appt: Appointment) -> None:
    day, first, length, monitor = appointment_slots(clinic, appt)
    units, monitor_units = appointment_units(clinic, protocol, appt.kind)
    tl.book(day, first, length, patient_id, appt.chair, appt.staff, units=units)
    if monitor:
        tl.book(day, first + length, monitor, patient_id, appt.chair, None, units=monitor_units)


def unbook_appointment(tl: Timeline, clinic: Clinic, protocol: Protocol | None, patient_id: str,
                       appt: Appointment) -> None:
    day, first, length, monitor = appointment_slots(clinic, appt)
    units, monitor_units = appointment_units(clinic, protocol, appt.kind)
    tl.unbook(day, first, length, patient_id, appt.chair, appt.staff, units=units)
    if monitor:
        tl.unbook(day, first + length, monitor, patient_id, appt.chair, None, units=monitor_units)


def book_booking(tl: Timeline, patient_id: str, b: Booking) -> None:
    tl.book(b.day, b.start, b.length, patient_id, b.chair, b.staff, units=b.units)
    if b.monitor:
        tl.book(b.day, b.start + b.length, b.monitor, patient_id, b.chair, None, units=b.monitor_units)


def unbook_booking(tl: Timeline, patient_id: str, b: Booking) -> None:
    tl.unbook(b.day, b.start, b.length, patient_id, b.chair, b.staff, units=b.units)
    if b.monitor:
        tl.unbook(b.day, b.start + b.length, b.monitor, patient_id, b.chair, None, units=b.monitor_units)
