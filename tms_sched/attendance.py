"""Attendance: what happened to booked appointments, recorded in the schedule.

Each function takes a Schedule and returns a ``Marked``: a new Schedule and a list of
what changed, in the order of the file. The given schedule is never modified. When
anything changes, the schedule's revision goes up by one, ``updated`` becomes today,
and every appointment whose status changed takes the new revision (calendar exports
take their sequence from it). When nothing changes, the schedule comes back as it was.

Policies (docs/attendance.md explains them to users):

- An appointment's status may be corrected (done -> missed, cancelled -> done); the
  change says it is a correction. Nothing here sets a status back to planned.
- Done and missed describe the past: an appointment after today cannot be marked
  either; cancelled may lie ahead (a patient calls off next Tuesday).
- A closure or chair downtime leaves the planned appointments it hits from today on
  planned: the next replan moves each (the same day on another chair or at another
  time where there is room, else later), so recording a disruption here means the same
  as writing it into the clinic file. Planned appointments it hits before today could
  not take place and are cancelled (the replan books make-ups). Discharges cancel
  planned appointments. History (done, missed, cancelled) is never touched by them.
- A note given with a mark replaces the appointment's note; the reasons of closures and discharges
  are appended to the notes of the appointments they cancel.

Times are local wall-clock times in the schedule's time zone.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from .errors import UsageError
from .model.schedule import Appointment, Closure, Schedule, ScheduledPatient
from .tz import load_zone

MARKS = ("done", "missed", "cancelled")

KeyPath = tuple[str | int, ...]


class AttendanceError(UsageError):
    """A mark that cannot be made; ``where`` is the key path in the schedule it concerns."""

    def __init__(self, message: str, where: KeyPath = ()) -> None:
        super().__init__(message)
        self.message = message
        self.where = where


@dataclass(frozen=True)
class Change:
    """One thing that changed, with a sentence for the coordinator."""

    text: str
    patient: str | None = None
    appointment: str | None = None
    old: str | None = None
    new: str | None = None


@dataclass
class Marked:
    """The schedule after a mark, what changed, and what the coordinator should know."""

    schedule: Schedule
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rebook: list[str] = field(default_factory=list)  # appointment ids the next plan makes up
    to_move: list[str] = field(default_factory=list)  # planned appointment ids the next plan moves

    @property
    def changed(self) -> bool:
        return bool(self.changes)


# -- describing appointments -------------------------------------------------------

def describe(appt: Appointment) -> str:
    """``treatment session 2``, ``mapping session 1``, ``baseline assessment``."""
    if appt.kind == "assessment":
        return f"{appt.name} assessment"
    return f"{appt.kind} session {appt.session}"


def _local(appt: Appointment, zone: dt.tzinfo) -> dt.datetime:
    return appt.start.astimezone(zone)


def _hhmm(moment: dt.datetime) -> str:
    return moment.strftime("%H:%M")


def _listing(appt: Appointment, zone: dt.tzinfo, with_date: bool = False) -> str:
    local = _local(appt, zone)
    when = local.strftime("%Y-%m-%d %H:%M") if with_date else _hhmm(local)
    return f"{when} {describe(appt)} ({appt.id}, {appt.status})"


def _numbers_by_value(text: str) -> str:
    return re.sub(r"\d+", lambda m: str(int(m.group())), text)


def suggest(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` when a close choice exists, else ``""``. A choice that differs
    only in leading zeros (``R-001-4`` for ``R-001-04``) comes first: spelling alone would
    offer ``R-001-24``."""
    options = sorted(set(choices))
    same = [c for c in options if _numbers_by_value(c) == _numbers_by_value(word)]
    close = same[:1] or difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _add_note(existing: str | None, text: str) -> str:
    if not existing:
        return text
    if text in existing.split("; "):
        return existing
    return f"{existing}; {text}"


def _reasoned(what: str, reason: str | None) -> str:
    return f"{what}: {reason}" if reason else what


def _names(items: Iterable[str], limit: int = 12) -> str:
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


# -- the editor every function shares ----------------------------------------------

class _Edit:
    """A working copy of the schedule and the record of what changed in it."""

    def __init__(self, schedule: Schedule, today: dt.date) -> None:
        self.original = schedule
        self.schedule = schedule.model_copy(deep=True)
        self.today = today
        self.revision = schedule.schedule.revision + 1
        try:
            self.zone = load_zone(schedule.schedule.timezone)
        except ValueError as exc:
            raise AttendanceError(str(exc), ("schedule", "timezone")) from None
        self.marked = Marked(self.schedule)

    def change(self, text: str, **kw: str | None) -> None:
        self.marked.changes.append(Change(text, **kw))

    def note(self, text: str) -> None:
        self.marked.notes.append(text)

    def set_status(self, patient: ScheduledPatient, appt: Appointment, status: str,
                   note: str | None = None, append_note: str | None = None) -> None:
        old = appt.status
        local = _local(appt, self.zone)
        head = f"{patient.id} {local:%Y-%m-%d %H:%M} {describe(appt)}"
        text = f"{head}: {old} -> {status}"
        if old != "planned":
            text += " (correction)"
        new_note = appt.note
        if note is not None:
            new_note = note or None
        if append_note:
            new_note = _add_note(new_note, append_note)
        if new_note != appt.note:
            text += f", note \"{new_note}\"" if new_note else ", note removed"
        appt.status = status  # type: ignore[assignment]
        appt.revision = self.revision
        appt.note = new_note
        self.change(text, patient=patient.id, appointment=appt.id, old=old, new=status)
        if status in ("missed", "cancelled") and patient.status == "active":
            self.marked.rebook.append(appt.id)

    def finish(self) -> Marked:
        if not self.marked.changes:
            return Marked(self.original, [], self.marked.notes, [], self.marked.to_move)
        self.schedule.schedule.revision = self.revision
        self.schedule.schedule.updated = self.today
        return self.marked

    # -- lookups ---------------------------------------------------------------------
    def patient(self, patient_id: str) -> tuple[int, ScheduledPatient]:
        for i, p in enumerate(self.schedule.patients):
            if p.id == patient_id:
                return i, p
        ids = [p.id for p in self.schedule.patients]
        if not ids:
            raise AttendanceError(f"no patient '{patient_id}': the schedule has no patients")
        raise AttendanceError(
            f"no patient '{patient_id}' in the schedule{suggest(patient_id, ids)} "
            f"(its patients: {_names(ids)})")

    def on_day(self, patient: ScheduledPatient, day: dt.date) -> list[tuple[int, Appointment]]:
        return [(i, a) for i, a in enumerate(patient.appointments) if _local(a, self.zone).date() == day]

    def everything(self) -> Iterable[tuple[ScheduledPatient, Appointment]]:
        return self.schedule.appointments()


def _future_guard(status: str, day: dt.date, today: dt.date, where: KeyPath) -> None:
    if status in ("done", "missed") and day > today:
        raise AttendanceError(
            f"{day} is after today ({today}): an appointment cannot be {status} before it happens; "
            "mark it cancelled if it will not take place", where)


def _twins(patient: ScheduledPatient, appt: Appointment) -> list[Appointment]:
    """Other live appointments of the patient that deliver the same session or assessment."""
    def key(a: Appointment) -> tuple[str, object]:
        return ("assessment", a.name) if a.kind == "assessment" else ("session", a.session)

    return [a for a in patient.appointments if a is not appt and a.live and key(a) == key(appt)]


# -- the forms -------------------------------------------------------------------------

def mark_appointment(schedule: Schedule, patient_id: str, day: dt.date, at: dt.time | None,
                     status: str, note: str | None, today: dt.date) -> Marked:
    """Record one appointment as done, missed or cancelled.

    ``at`` (local wall-clock time) picks among several appointments on ``day``; without
    it the day must hold exactly one. ``note`` replaces the appointment's note.
    """
    if status not in MARKS:
        raise AttendanceError(f"'{status}' is not something to mark; use done, missed or cancelled")
    edit = _Edit(schedule, today)
    pi, patient = edit.patient(patient_id)
    where: KeyPath = ("patients", pi, "id")
    day_name = day.strftime("%A")
    candidates = edit.on_day(patient, day)
    if not candidates:
        raise AttendanceError(f"{patient.id} has no appointment on {day} ({day_name})"
                              f"{_nearest(edit, patient, day)}", where)
    if at is not None:
        wanted = at.strftime("%H:%M")
        timed = [(i, a) for i, a in candidates if _hhmm(_local(a, edit.zone)) == wanted]
        if not timed:
            raise AttendanceError(
                f"{patient.id} has no appointment at {wanted} on {day} ({day_name}); that day: "
                + "; ".join(_listing(a, edit.zone) for _, a in candidates), where)
        if len(timed) > 1 and len(live := [x for x in timed if x[1].status in ("planned", "done")]) == 1:
            timed = live  # a cancelled booking and its replacement at the same time: the live one
        if len(timed) > 1:
            raise AttendanceError(
                f"{patient.id} has {len(timed)} appointments at {wanted} on {day}: "
                + "; ".join(_listing(a, edit.zone) for _, a in timed)
                + ". A patient booked twice at once is an error in the schedule "
                "(`tms-sched check` reports it as TMS002); correct the file first",
                ("patients", pi, "appointments", timed[1][0]))
        candidates = timed
    elif len(candidates) > 1 and len(live := [x for x in candidates if x[1].status == "planned"]) == 1 \
            and all(x[1].status == "cancelled" for x in candidates if x not in live):
        candidates = live  # the day's only booking still standing
    elif len(candidates) > 1:
        raise AttendanceError(
            f"{patient.id} has {len(candidates)} appointments on {day} ({day_name}); give the time "
            "(HH:MM) after the date to pick one: "
            + "; ".join(_listing(a, edit.zone) for _, a in candidates), where)
    ai, appt = candidates[0]
    _future_guard(status, day, today, ("patients", pi, "appointments", ai))
    label = f"{patient.id} {_local(appt, edit.zone):%Y-%m-%d %H:%M} {describe(appt)}"
    if appt.status == status and (note is None or (note or None) == appt.note):
        edit.note(f"{label} is already {status}; nothing to change")
        return edit.finish()
    if appt.status == status:
        # the status stands; only the note changes (the appointment keeps its revision)
        new_note = note or None
        appt.note = new_note
        edit.change(f"{label}: still {status}, note " + (f"\"{new_note}\"" if new_note else "removed"),
                    patient=patient.id, appointment=appt.id, old=status, new=status)
        return edit.finish()
    edit.set_status(patient, appt, status, note=note)
    if status == "done":
        for twin in _twins(patient, appt):
            edit.note(f"{patient.id} {describe(appt)} is also booked on "
                      f"{_local(twin, edit.zone):%Y-%m-%d %H:%M} ({twin.id}, {twin.status}); "
                      + ("mark that one cancelled if it is no longer needed" if twin.status == "planned"
                         else "one of the two is recorded wrongly"))
    if patient.status == "discharged" and appt.status == "done":
        edit.note(f"{patient.id} is discharged ({patient.reason or 'no reason given'}); "
                  "the appointment is recorded all the same")
    return edit.finish()


def _nearest(edit: _Edit, patient: ScheduledPatient, day: dt.date) -> str:
    """``; nearest: ...`` naming the closest appointment before and after ``day``."""
    dated = sorted(((_local(a, edit.zone), a) for a in patient.appointments), key=lambda x: (x[0], x[1].id))
    before = [a for local, a in dated if local.date() < day]
    after = [a for local, a in dated if local.date() > day]
    near = ([before[-1]] if before else []) + ([after[0]] if after else [])
    if not near:
        return " (it has no appointments)"
    return "; nearest: " + "; ".join(_listing(a, edit.zone, with_date=True) for a in near)


def sign_off_through(schedule: Schedule, day: dt.date, today: dt.date) -> Marked:
    """Every planned appointment that starts on or before ``day`` becomes done."""
    if day > today:
        raise AttendanceError(
            f"cannot sign off up to {day}: it is after today ({today}), and appointments cannot be done "
            "before they happen")
    edit = _Edit(schedule, today)
    for patient, appt in edit.everything():
        if appt.status == "planned" and _local(appt, edit.zone).date() <= day:
            edit.set_status(patient, appt, "done")
    if not edit.marked.changes:
        edit.note(f"no planned appointment starts on or before {day}; nothing to sign off")
    return edit.finish()


def record_closure(schedule: Schedule, day: dt.date, reason: str | None, today: dt.date) -> Marked:
    """The whole clinic closed on ``day``: a [[closures]] entry, and its planned appointments cancelled."""
    edit = _Edit(schedule, today)
    start = dt.datetime.combine(day, dt.time())
    covering = [c for c in edit.schedule.closures
                if c.chair is None and c.start_local() <= start and start + dt.timedelta(days=1) <= c.end_local()]
    if covering:
        edit.note(f"{day} is already recorded as closed ({covering[0].reason or 'no reason given'}); "
                  "no closure added")
    else:
        edit.schedule.closures.append(Closure(date=day, reason=reason or ""))
        edit.change(f"{day} ({day:%A}): clinic closed" + (f" ({reason})" if reason else "")
                    + ", added to [[closures]]")
    why = _reasoned("clinic closed", reason)
    _cancel_where(edit, lambda a, s, e: s.date() == day, why, f"on {day}")
    return edit.finish()


def _cancel_where(edit: _Edit, hit, why: str, where_text: str) -> None:
    """Of the planned appointments ``hit(appt, local_start, local_end)`` selects, cancel
    those before today and leave the others planned for the next replan to move; say
    which history it leaves alone."""
    kept: list[str] = []
    staying: list[str] = []
    for patient, appt in edit.everything():
        local = _local(appt, edit.zone)
        end = (appt.start + dt.timedelta(minutes=appt.minutes)).astimezone(edit.zone)
        if not hit(appt, local.replace(tzinfo=None), end.replace(tzinfo=None)):
            continue
        if appt.status == "planned" and local.date() < edit.today:
            edit.set_status(patient, appt, "cancelled", append_note=why)
        elif appt.status == "planned" and appt.pinned:  # replanning never moves a pinned one
            edit.note(f"{patient.id} {local:%Y-%m-%d %H:%M} {describe(appt)} ({appt.id}) is pinned: the next plan "
                      f"keeps it there; move it by hand (tms-sched move) or unpin it (tms-sched pin --unpin)")
        elif appt.status == "planned":
            edit.marked.to_move.append(appt.id)
            staying.append(f"{patient.id} {local:%Y-%m-%d %H:%M} {describe(appt)} ({appt.id})")
        elif appt.status == "done":
            kept.append(f"{patient.id} {local:%H:%M} {describe(appt)} ({appt.id})")
    for line in staying:
        edit.note(f"{line} stays planned until the next plan moves it")
    if kept:
        edit.note(f"{len(kept)} appointment{'s' if len(kept) > 1 else ''} {where_text} "
                  f"{'are' if len(kept) > 1 else 'is'} recorded as done and left as "
                  f"{'they are' if len(kept) > 1 else 'it is'}: {'; '.join(kept)}")


def _bound(value: dt.date | dt.datetime, end: bool) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value + dt.timedelta(days=1 if end else 0), dt.time())


def record_chair_down(schedule: Schedule, chair: str, start: dt.date | dt.datetime, end: dt.date | dt.datetime,
                      reason: str | None, today: dt.date, chairs: Collection[str] | None = None) -> Marked:
    """A chair out of service from ``start`` to ``end``.

    Dates are whole days, both included; datetimes are local wall-clock times (naive),
    the end excluded. ``chairs`` are the clinic's chair ids when the clinic file is at
    hand; without them the chair must appear among the schedule's appointments.
    """
    for value in (start, end):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            raise AttendanceError(f"{value.isoformat()} carries a UTC offset; give the local wall-clock time "
                                  "(YYYY-MM-DDTHH:MM)")
    lo, hi = _bound(start, end=False), _bound(end, end=True)
    if hi <= lo:
        raise AttendanceError(f"chair downtime ends ({_show(end)}) before it starts ({_show(start)}); "
                              "give FROM before TO")
    edit = _Edit(schedule, today)
    if chairs is not None:
        if chair not in chairs:
            raise AttendanceError(f"the clinic has no chair '{chair}'{suggest(chair, chairs)} "
                                  f"(its chairs: {_names(sorted(chairs))})")
    else:
        booked = sorted({a.chair for _, a in edit.everything() if a.chair})
        if chair not in booked:
            raise AttendanceError(
                f"no appointment in the schedule uses chair '{chair}'{suggest(chair, booked)} "
                f"(chairs in use: {_names(booked) or 'none'}); to record downtime of a chair without "
                "bookings, give the clinic file (--clinic) so its chairs are known")
    same = [c for c in edit.schedule.closures
            if c.chair == chair and c.start_local() == lo and c.end_local() == hi]
    if same:
        edit.note(f"chair {chair} is already recorded as down from {_show(start)} to {_show(end)}; "
                  "no closure added")
    else:
        edit.schedule.closures.append(Closure(chair=chair, start=start, end=end, reason=reason or ""))
        edit.change(f"chair {chair} down from {_show(start)} to {_show(end)}"
                    + (f" ({reason})" if reason else "") + ", added to [[closures]]")
    why = _reasoned(f"chair {chair} down", reason)
    _cancel_where(edit, lambda a, s, e: a.chair == chair and s < hi and lo < e, why,
                  f"on chair {chair} in that time")
    return edit.finish()


def _show(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def discharge(schedule: Schedule, patient_id: str, reason: str | None, today: dt.date) -> Marked:
    """End a patient's course early: discharged, its planned appointments cancelled (never rebooked)."""
    edit = _Edit(schedule, today)
    _, patient = edit.patient(patient_id)
    if patient.status != "discharged":
        patient.status = "discharged"
        patient.reason = reason or None
        edit.change(f"{patient.id}: discharged" + (f" ({reason})" if reason else ""), patient=patient.id,
                    old="active", new="discharged")
    elif reason and reason != patient.reason:
        edit.change(f"{patient.id}: discharge reason {patient.reason!r} -> {reason!r}", patient=patient.id)
        patient.reason = reason
    else:
        edit.note(f"{patient.id} is already discharged ({patient.reason or 'no reason given'})")
    why = _reasoned("discharged", reason or patient.reason)
    unrecorded: list[str] = []
    for appt in patient.appointments:
        if appt.status == "planned":
            if _local(appt, edit.zone).date() < today:
                unrecorded.append(appt.id)
            edit.set_status(patient, appt, "cancelled", append_note=why)
    if unrecorded:
        many = len(unrecorded) > 1
        edit.note(f"{', '.join(unrecorded)} lay before today and {'were' if many else 'was'} never recorded; "
                  f"if {'they' if many else 'it'} took place, mark {'them' if many else 'it'} done")
    return edit.finish()
