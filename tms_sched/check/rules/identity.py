"""Names and ids: unknown references, duplicates, and roster patients left out (TMS016, TMS018)."""

from __future__ import annotations

from collections.abc import Iterator

from ...io.validation import suggest
from ..context import Booking, Context, Course
from ..finding import Finding
from ..registry import rule


@rule("TMS016", "error", "unknown patient, protocol, chair or staff id; duplicate id")
def identities(ctx: Context) -> Iterator[Finding]:
    clinic = ctx.clinic
    seen_patients: dict[str, Course] = {}
    for course in ctx.courses:
        if course.id in seen_patients:
            first = seen_patients[course.id]
            yield ctx.finding("TMS016", f"patient {course.id} is listed twice in [[patients]] (also line "
                              f"{ctx.line(first.path)}); keep one entry with all of the patient's appointments",
                              course=course)
        seen_patients.setdefault(course.id, course)
        protocol_path = ("patients", course.index, "protocol")
        if course.protocol is None:
            yield ctx.finding("TMS016", f"{course.id}'s protocol '{course.patient.protocol}' is unknown to the clinic"
                              f"{suggest(course.patient.protocol, clinic.protocols)} (`tms-sched protocols "
                              "--clinic FILE` lists them)", course=course, line=ctx.line(protocol_path))
        if ctx.roster is not None:
            if course.roster is None:
                yield ctx.finding("TMS016", f"patient {course.id} is in no roster{suggest(course.id, ctx.roster_patients)}; "
                                  "add the patient to a roster or remove the entry", course=course)
            elif course.roster.protocol != course.patient.protocol:
                yield ctx.finding("TMS016", f"{course.id} is booked for {course.patient.protocol}, but the roster gives "
                                  f"{course.roster.protocol}; re-plan the patient or correct the roster",
                                  course=course, line=ctx.line(protocol_path))
    seen: dict[str, Booking] = {}
    chair_ids = [c.id for c in clinic.chairs]
    staff_ids = [s.id for s in clinic.staff]
    for b in ctx.bookings:
        if b.id in seen:
            first = seen[b.id]
            first_line = ctx.line(first.path)
            at = f"line {first_line}" if first_line is not None else f"{first.patient}'s appointments"
            yield ctx.finding("TMS016", f"appointment id {b.id} is used twice (also {at}); an id is unique in the "
                              "schedule and never reused", b)
        seen.setdefault(b.id, b)
        if not b.planned:
            continue  # history keeps the chairs and staff of its day
        chair = b.appt.chair
        if chair is not None and clinic.chair(chair) is None:
            yield ctx.finding("TMS016", f"{b.patient}'s {b.what()} is on chair '{chair}', which the clinic does not "
                              f"have{suggest(chair, chair_ids)} (chairs: {', '.join(chair_ids)})", b)
        elif chair is None and b.is_session:
            yield ctx.finding("TMS016", f"{b.patient}'s {b.what()} names no chair; every session is booked on a chair", b)
        staff = b.appt.staff
        if staff is not None and clinic.staff_member(staff) is None:
            known = f" (staff: {', '.join(staff_ids)})" if staff_ids else " (the clinic file names no staff)"
            yield ctx.finding("TMS016", f"{b.patient}'s {b.what()} names staff '{staff}', who is not in the clinic "
                              f"file{suggest(staff, staff_ids)}{known}", b)


@rule("TMS018", "error", "a roster patient neither booked nor listed as unplaced", needs_roster=True)
def roster_covered(ctx: Context) -> Iterator[Finding]:
    if ctx.roster is None:
        return
    booked = {c.id for c in ctx.courses}
    unplaced = {u.id for u in ctx.schedule.unplaced}
    for patient in ctx.roster.patients:
        if patient.id in booked or patient.id in unplaced:
            continue
        file, line = ctx.roster.origins.get(patient.id, (ctx.file, None))
        yield ctx.finding("TMS018", f"roster patient {patient.id} ({patient.protocol}) is neither booked in "
                          f"{ctx.file} nor listed there under [[unplaced]]; run `tms-sched plan` to book the "
                          "patient or say why not", file=file, line=line, patient=patient.id)
