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


class Appointment(StrictModel):
    id: str = Field(min_length=1)
    kind: Kind
    name: str | None = None
    session: int | None = Field(default=None, ge=1)
    chair: str | None = None
    start: dt.datetime
    minutes: int = Field(gt=0)
    staff: str | None = None
    status: Status = "planned"
    revision: int = Field(default=1, ge=1)
    note: str | None = None

    @field_validator("start")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("start needs its UTC offset, e.g. 2026-12-01T08:00:00-08:00")
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
    def live(self) -> bool:
        return self.status in LIVE


class ScheduledPatient(StrictModel):
    id: str = Field(min_length=1)
    protocol: str
    status: Literal["active", "discharged"] = "active"
    reason: str | None = None
    appointments: list[Appointment] = []


class ScheduleInfo(StrictModel):
    clinic: str
    timezone: str
    revision: int = Field(default=0, ge=0)
    updated: dt.date | None = None


class Closure(StrictModel):
    """A closure recorded after planning: a date or a range, for the clinic or one chair."""

    date: dt.date | None = None
    start: dt.datetime | dt.date | None = None
    end: dt.datetime | dt.date | None = None
    chair: str | None = None
    reason: str = ""

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
    id: str
    protocol: str
    reason: str


class Schedule(StrictModel):
    schedule: ScheduleInfo
    patients: list[ScheduledPatient] = []
    closures: list[Closure] = []
    unplaced: list[Unplaced] = []

    def appointments(self):
        for patient in self.patients:
            for appt in patient.appointments:
                yield patient, appt

    def patient(self, patient_id: str) -> ScheduledPatient | None:
        for p in self.patients:
            if p.id == patient_id:
                return p
        return None
