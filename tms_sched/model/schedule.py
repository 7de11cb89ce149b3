"""A schedule: every booked appointment, the closures recorded since, and the unplaced."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .base import StrictModel

Kind = Literal["mapping", "treatment", "assessment"]
Status = Literal["planned", "done", "missed", "cancelled"]
LIVE = ("planned", "done")
HISTORY = ("done", "missed", "cancelled")


class EarlierStart(StrictModel):
    """A start an appointment had before it moved: from which revision to which."""

    start: dt.datetime = Field(description="The start it had, with its UTC offset.")
    booked: int = Field(ge=0, description="The schedule revision that booked it there or moved it there "
                        "(0: not known, in a schedule written before moved_from).")
    moved: int = Field(ge=0, description="The schedule revision that moved it away from there.")

    @field_validator("start")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("start needs its UTC offset, e.g. 2026-12-01T08:00:00-08:00")
        return value


class Appointment(StrictModel):
    """One booked session or assessment."""

    id: str = Field(min_length=1, description="Unique in the schedule; given at booking, never changed or reused.")
    kind: Kind = Field(description="mapping (a course's first session), treatment or assessment.")
    name: str | None = Field(default=None, description="An assessment's name.")
    session: int | None = Field(default=None, ge=1, description="The course's session number it delivers; a "
                                "make-up carries the number it makes up.")
    chair: str | None = Field(default=None, description="The chair id (sessions).")
    start: dt.datetime = Field(description="Start with its UTC offset, e.g. 2026-12-01T08:00:00-08:00.")
    minutes: int = Field(gt=0, description="Length in minutes.")
    monitor_minutes: int | None = Field(default=None, gt=0, description="Minutes of observation after the "
                                        "session, in the same chair (the protocol's monitor_minutes); the chair "
                                        "is taken for minutes plus these.")
    staff: str | None = Field(default=None, description="The named staff member (mappings, assessments).")
    status: Status = Field(default="planned", description="planned, done, missed or cancelled.")
    revision: int = Field(default=1, ge=1, description="The schedule revision that booked or last moved it.")
    note: str | None = Field(default=None, description="Free text, e.g. from `tms-sched mark --note`.")
    pinned: bool = Field(default=False, description="true: agreed with the patient by hand; replanning never "
                         "moves or cancels it and plans around it (`tms-sched pin`, `move --pin`).")
    previous_start: dt.datetime | None = Field(default=None, description="Where it stood before its last "
                                               "move (revision): the old time on the calls list.")
    moved_from: list[EarlierStart] = Field(default=[], description="Every start it had before, oldest first, "
                                           "each with the revision that gave it: the calls list's old time "
                                           "for any revision, however often it moved since.")

    @field_validator("start", "previous_start")
    @classmethod
    def _aware(cls, value: dt.datetime | None, info) -> dt.datetime | None:
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError(f"{info.field_name} needs its UTC offset, e.g. 2026-12-01T08:00:00-08:00")
        return value

    @model_validator(mode="after")
    def _shape(self) -> Appointment:
        if self.kind == "assessment":
            if not self.name:
                raise ValueError("an assessment needs its name (baseline, end-of-course, follow-up ...)")
        elif self.session is None:
            raise ValueError(f"a {self.kind} appointment needs its session number")
        return self

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.minutes)

    @property
    def chair_end(self) -> dt.datetime:
        """When the chair is free again: after the session and any monitoring."""
        return self.start + dt.timedelta(minutes=self.minutes + (self.monitor_minutes or 0))

    @property
    def live(self) -> bool:
        return self.status in LIVE

    def record_move(self, old: Appointment, revision: int) -> None:
        """Remember ``old``'s start (this appointment as it stood before revision ``revision``
        moved it) in ``previous_start`` and ``moved_from``."""
        earlier = list(old.moved_from)
        if not earlier and old.previous_start is not None and old.previous_start != old.start:
            # written before moved_from: its last move was its revision; the start before it, since when unknown
            earlier.append(EarlierStart(start=old.previous_start, booked=0, moved=old.revision))
        since = earlier[-1].moved if earlier else old.revision
        earlier.append(EarlierStart(start=old.start, booked=since, moved=revision))
        self.previous_start = old.start
        self.moved_from = earlier

    def start_at(self, revision: int) -> dt.datetime | None:
        """The start this appointment had at schedule revision ``revision``; None when that is
        not known (not booked yet then, or a status change since hides when it came here)."""
        places = [(e.booked, e.moved, e.start) for e in self.moved_from]
        if not places and self.previous_start is not None:
            # written before moved_from: previous_start held until the move that gave the
            # planned appointment its revision; after a mark that revision is not the move's
            places = [(0, self.revision if self.status == "planned" else 0, self.previous_start)]
        for booked, moved, start in places:
            if booked <= revision < moved:
                return start
        here_since = places[-1][1] if places else self.revision
        return self.start if here_since <= revision else None


class ScheduledPatient(StrictModel):
    """A patient's course as booked."""

    id: str = Field(min_length=1, description="The patient's id.")
    protocol: str = Field(description="The protocol id.")
    status: Literal["active", "discharged"] = Field(default="active", description="discharged: planned "
                                                    "appointments cancelled, never rebooked.")
    reason: str | None = Field(default=None, description="Why discharged.")
    appointments: list[Appointment] = Field(default=[], description="One inline table per appointment.")


class ScheduleInfo(StrictModel):
    """Which clinic the schedule belongs to, and its revision."""

    clinic: str = Field(description="The clinic's name.")
    timezone: str = Field(description="The clinic's time zone.")
    revision: int = Field(default=0, ge=0, description="One more at every write.")
    updated: dt.date | None = Field(default=None, description="The --today of the last write.")


class Closure(StrictModel):
    """A closure recorded after planning: a date or a range, for the clinic or one chair."""

    date: dt.date | None = Field(default=None, description="A single closed date (or give start and end).")
    start: dt.datetime | dt.date | None = Field(default=None, description="Start: a local date-time or a date.")
    end: dt.datetime | dt.date | None = Field(default=None, description="End: a local date-time, or the last "
                                              "date (included).")
    chair: str | None = Field(default=None, description="Only this chair; absent: the whole clinic.")
    reason: str = Field(default="", description="Why.")

    @model_validator(mode="after")
    def _one_form(self) -> Closure:
        if self.date is not None and (self.start or self.end):
            raise ValueError("give either date or start and end, not both")
        if self.date is None and (self.start is None or self.end is None):
            raise ValueError("give a date, or both start and end")
        if self.date is None and self.end_local() <= self.start_local():
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def start_local(self) -> dt.datetime:
        first = self.date if self.date is not None else self.start
        assert first is not None
        if isinstance(first, dt.datetime):
            return first.replace(tzinfo=None)
        return dt.datetime.combine(first, dt.time())

    def end_local(self) -> dt.datetime:
        last = self.date if self.date is not None else self.end
        assert last is not None
        if isinstance(last, dt.datetime):
            return last.replace(tzinfo=None)
        return dt.datetime.combine(last + dt.timedelta(days=1), dt.time())


class Unplaced(StrictModel):
    """A patient the planner could not book."""

    id: str = Field(description="The patient's id.")
    protocol: str = Field(description="The protocol id.")
    reason: str = Field(description="Why, and what would help.")


class Schedule(StrictModel):
    """A schedule file."""

    schedule: ScheduleInfo = Field(description="Which clinic, and the revision.")
    patients: list[ScheduledPatient] = Field(default=[], description="Booked courses, one table per patient.")
    closures: list[Closure] = Field(default=[], description="Closures recorded after planning, honoured like "
                                    "the clinic file's.")
    unplaced: list[Unplaced] = Field(default=[], description="Patients that could not be booked.")

    def appointments(self):
        for patient in self.patients:
            for appt in patient.appointments:
                yield patient, appt

    def patient(self, patient_id: str) -> ScheduledPatient | None:
        for p in self.patients:
            if p.id == patient_id:
                return p
        return None
