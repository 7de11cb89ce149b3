"""Whose course booked appointments belong to, read from the appointments themselves.

A booked session takes its share of the staff head-count: a treatment of a protocol with
``patients_per_staff = 2`` half a person, the monitoring after an esketamine dose 1/3 of
one. That share is the protocol's, and a booked appointment does not name its protocol;
read without it, every booked session would count a whole person and the clinic would
look busier than it is. The shape of a patient's appointments (session and mapping
minutes, monitoring minutes, the chair's capability, session numbers) tells which
protocols could have booked them; where those protocols all take the same shares, any of
them books the history exactly as its own would.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from ..model.clinic import Clinic
from ..model.protocol import Protocol
from ..model.schedule import Appointment


def _could_book(clinic: Clinic, protocol: Protocol, appointments: Sequence[Appointment]) -> bool:
    """Whether ``protocol`` books sessions of these lengths, numbers and chairs."""
    capabilities = {chair.id: set(chair.capabilities) for chair in clinic.chairs}
    sessions = [a for a in appointments if a.kind != "assessment"]
    if not sessions:
        return False
    for a in sessions:
        if a.minutes != protocol.minutes_of(a.kind) or (a.monitor_minutes or 0) != protocol.monitor_minutes:
            return False
        if a.session is not None and a.session > protocol.total_sessions:
            return False
        if a.chair in capabilities and protocol.capability not in capabilities[a.chair]:
            return False
    return True


def _shares(clinic: Clinic, protocol: Protocol) -> tuple[int, int]:
    return clinic.session_units(protocol, "treatment"), clinic.monitor_units(protocol)


def protocols_of_booked(clinic: Clinic, booked: Iterable[tuple[str, Appointment]]) -> dict[str, str]:
    """Patient id -> a protocol id that books its appointments with the right shares.

    A patient is left out (its sessions then count a whole person, never less than
    they take) when no protocol of the clinic fits its appointments, or when the ones
    that fit would count its sessions differently.
    """
    by_patient: dict[str, list[Appointment]] = defaultdict(list)
    for patient_id, appointment in booked:
        by_patient[patient_id].append(appointment)
    out: dict[str, str] = {}
    for patient_id in sorted(by_patient):
        fits = [p for _, p in sorted(clinic.protocols.items()) if _could_book(clinic, p, by_patient[patient_id])]
        if fits and len({_shares(clinic, p) for p in fits}) == 1:
            out[patient_id] = fits[0].id
    return out
