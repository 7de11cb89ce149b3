"""The clinic: opening hours, closures, holidays, chairs and staff."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .base import StrictModel, WeekHours
from .protocol import Protocol, StaffRole


class HolidayRule(StrictModel):
    """Public holidays from python-holidays close the clinic, except those in ``keep_open``."""

    country: str = Field(min_length=2)
    subdiv: str | None = None
    keep_open: list[dt.date | str] = []


class ClosedPeriod(StrictModel):
    """A closed date, or a range of dates (both ends included), with the reason."""

    date: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    reason: str = ""

    @model_validator(mode="after")
    def _one_form(self) -> ClosedPeriod:
        if self.date is not None and (self.start or self.end):
            raise ValueError("give either date or start and end, not both")
        if self.date is None and (self.start is None or self.end is None):
            raise ValueError("give a date, or both start and end")
        return self

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("start")
        if start and end and end < start:
            raise ValueError(f"{end} is before start {start}; write the range earliest first")
        return end

    def dates(self) -> list[dt.date]:
        if self.date is not None:
            return [self.date]
        assert self.start and self.end
        n = (self.end - self.start).days
        return [self.start + dt.timedelta(days=i) for i in range(n + 1)]


class ClinicInfo(StrictModel):
    name: str = Field(min_length=1)
    timezone: str
    slot_minutes: int = Field(default=5, ge=1, le=60)
    horizon_weeks: int = Field(default=26, ge=1, le=104)
    holidays: HolidayRule | None = None
    closed: list[dt.date | ClosedPeriod] = []
    hours: WeekHours

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from ..tz import load_zone

        load_zone(value)  # raises ValueError with a suggestion
        return value

    @field_validator("slot_minutes")
    @classmethod
    def _divides_hour(cls, value: int) -> int:
        if 60 % value:
            raise ValueError(f"must divide an hour evenly (such as 5, 10, 15 or 30), got {value}")
        return value

    def closed_periods(self) -> list[ClosedPeriod]:
        return [c if isinstance(c, ClosedPeriod) else ClosedPeriod(date=c) for c in self.closed]


class Downtime(StrictModel):
    """A chair out of service: local wall-clock datetimes, or whole dates (both included)."""

    start: dt.datetime | dt.date
    end: dt.datetime | dt.date
    reason: str = ""

    @field_validator("end")
    @classmethod
    def _ordered(cls, end: dt.datetime | dt.date, info: ValidationInfo) -> dt.datetime | dt.date:
        start = info.data.get("start")
        if start is not None and _local_end(end) <= _local_start(start):
            raise ValueError(f"downtime ends ({end.isoformat()}) before it starts ({start.isoformat()})")
        return end

    def start_local(self) -> dt.datetime:
        return _local_start(self.start)

    def end_local(self) -> dt.datetime:
        return _local_end(self.end)


def _local_start(value: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime.combine(value, dt.time())


def _local_end(value: dt.datetime | dt.date) -> dt.datetime:
    """A whole date ends at the midnight after it (both ends of a range are included)."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime.combine(value + dt.timedelta(days=1), dt.time())


class Chair(StrictModel):
    id: str = Field(min_length=1)
    name: str = ""
    capabilities: list[str] = Field(min_length=1)
    down: list[Downtime] = []


class StaffMember(StrictModel):
    id: str = Field(min_length=1)
    name: str = ""
    role: StaffRole
    hours: WeekHours
    away: list[dt.date] = []


class ClinicFile(StrictModel):
    """A clinic file as written; protocols and patients are checked against it afterwards."""

    clinic: ClinicInfo
    chairs: list[Chair] = Field(min_length=1)
    staff: list[StaffMember] = []
    protocols: dict[str, dict[str, Any]] = {}
    patients: list[dict[str, Any]] = []


Priority = Literal["urgent", "routine"]


@dataclass
class Clinic:
    """A clinic as loaded: its file's settings with every protocol resolved."""

    info: ClinicInfo
    chairs: list[Chair]
    staff: list[StaffMember]
    protocols: dict[str, Protocol]
    own_protocols: frozenset[str] = frozenset()

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        from ..tz import load_zone

        return load_zone(self.info.timezone)

    def chair(self, chair_id: str) -> Chair | None:
        return next((c for c in self.chairs if c.id == chair_id), None)

    def staff_member(self, staff_id: str) -> StaffMember | None:
        return next((s for s in self.staff if s.id == staff_id), None)

    def chairs_for(self, capability: str) -> list[Chair]:
        return [c for c in self.chairs if capability in c.capabilities]
