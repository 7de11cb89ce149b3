"""The clinic: opening hours, closures, holidays, chairs and staff."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from .base import WEEKDAYS, Capability, StaffRole, StrictModel, Weekday, WeekHours, Windows
from .protocol import Protocol


class HolidayRule(StrictModel):
    """Public holidays from python-holidays close the clinic, except those in ``keep_open``."""

    country: str = Field(min_length=2, description="ISO 3166 country code for python-holidays, e.g. US, GB, DE.")
    subdiv: str | None = Field(default=None, description="Subdivision code (state, province), e.g. CA; adds its own holidays. "
                                  "Without it only nationwide holidays count: in GB, for one, Easter Monday "
                                  "is a holiday of ENG, WLS and NIR but not of the whole country.")
    keep_open: list[dt.date | str] = Field(
        default=[], description='Holidays the clinic works on anyway, by name ("Veterans Day") or by date.')


class ClosedPeriod(StrictModel):
    """A closed (or away) date, or a range: whole dates (both ends included) or local date-times
    (a partial day: ``start = 2027-01-12T13:00, end = 2027-01-12T18:00``), with the reason."""

    date: dt.date | None = Field(default=None, description="A single closed date (or give start and end).")
    start: dt.datetime | dt.date | None = Field(default=None, description="First closed date of a range, or a "
                                                "local date-time (2027-01-12T13:00) where a partial day begins.")
    end: dt.datetime | dt.date | None = Field(default=None, description="Last closed date of a range (included), "
                                              "or the local date-time it opens again.")
    reason: str = Field(default="", description="Why; `tms-sched closures` and the views show it.")

    @model_validator(mode="after")
    def _one_form(self) -> ClosedPeriod:
        if self.date is not None and (self.start or self.end):
            raise ValueError("give either date or start and end, not both")
        if self.date is None and (self.start is None or self.end is None):
            raise ValueError("give a date, or both start and end")
        return self

    @field_validator("start", "end")
    @classmethod
    def _local(cls, value: dt.datetime | dt.date | None, info: ValidationInfo) -> dt.datetime | dt.date | None:
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            raise ValueError(f"{value.isoformat()} carries a UTC offset; write the clinic's local wall-clock "
                             "time without one, e.g. 2027-01-12T13:00:00")
        return value

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: dt.datetime | dt.date | None, info: ValidationInfo) -> dt.datetime | dt.date | None:
        start = info.data.get("start")
        if start and end and _local_end(end) <= _local_start(start):
            raise ValueError(f"{end.isoformat()} is before start {start.isoformat()}; write the range earliest first")
        return end

    @property
    def whole_days(self) -> bool:
        """True when it closes whole dates (no time of day on either end)."""
        return not isinstance(self.start, dt.datetime) and not isinstance(self.end, dt.datetime)

    def start_local(self) -> dt.datetime:
        return _local_start(self.date if self.date is not None else self.start)  # type: ignore[arg-type]

    def end_local(self) -> dt.datetime:
        return _local_end(self.date if self.date is not None else self.end)  # type: ignore[arg-type]

    def dates(self) -> list[dt.date]:
        """Every date it touches (whole or in part)."""
        first = self.start_local().date()
        last = (self.end_local() - dt.timedelta(microseconds=1)).date()
        return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


class ClinicInfo(StrictModel):
    """The clinic itself: name, time zone, planning grain, opening hours and closures."""

    name: str = Field(min_length=1, description="The clinic's name; schedules carry it.")
    timezone: str = Field(description="IANA time zone, e.g. America/Los_Angeles. Every time of day in the "
                          "clinic and roster files is wall-clock time in this zone.")
    slot_minutes: int = Field(default=5, ge=1, le=60, description="Planning grain in minutes; divides an hour. "
                              "Opening hours, shifts and availability lie on this grid.")
    horizon_weeks: int = Field(default=26, ge=1, le=104,
                               description="A course's first session lies within this many weeks of today.")
    holidays: HolidayRule | None = Field(default=None, description="Public holidays that close the clinic.")
    closed: list[dt.date | ClosedPeriod] = Field(
        default=[], description="Further closed days: dates, or tables with date or start and end, and a reason.")
    hours: WeekHours = Field(description='Opening hours per weekday (mon ... sun): a window "HH:MM-HH:MM" or a '
                             "list of them. A weekday left out is closed.")
    supervision: StaffRole | None = Field(default=None, description="A staff role of which someone is on shift "
                                          "during every session of every protocol without its own supervision "
                                          "key (direct supervision: physician).")
    min_notice_hours: int = Field(default=0, ge=0, le=24 * 28, description="Nothing new is booked sooner than "
                                    "this many hours after now (`plan --today`/`--now`, or the clinic's clock); "
                                    "`move` keeps it too. 0: today is bookable.")

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

    start: dt.datetime | dt.date = Field(description="When the chair goes out of service: a local date-time "
                                        "(2026-12-10T12:00:00) or a whole date.")
    end: dt.datetime | dt.date = Field(description="When it is back: a local date-time, or the last whole date "
                                      "out (included).")
    reason: str = Field(default="", description="Why; `tms-sched closures` shows it.")

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
    """A treatment chair (or room) and what it can deliver."""

    id: str = Field(min_length=1, description="Unique id; rosters (preferred_chair) and schedules use it.")
    name: str = Field(default="", description="Display name.")
    capabilities: list[Capability] = Field(min_length=1, description="What the chair delivers, in lower case, "
                                           "e.g. 10hz, itbs, neuronav; a protocol's capability must be among them.")
    down: list[Downtime] = Field(default=[], description="Times the chair is out of service.")


class StaffMember(StrictModel):
    """A person on the clinic's staff, with shifts."""

    id: str = Field(min_length=1, description="Unique id; schedules name it on mappings and assessments.")
    name: str = Field(default="", description="Display name.")
    role: StaffRole = Field(description="The clinic's own word, lower case: technician, physician, clinician, "
                            "nurse, ... A physician maps the motor threshold (a protocol's first session, by "
                            "default; first_session_staff names another role); a physician or clinician runs "
                            "assessments; anyone on shift attends a session.")
    hours: WeekHours = Field(description="Shifts per weekday, written like the clinic's hours.")
    away: list[dt.date | ClosedPeriod] = Field(default=[], description="Time off shift (leave, training): dates, "
                                               "or tables with start and end as dates or local date-times "
                                               "({ start = 2027-01-04, end = 2027-01-08 }).")

    def away_periods(self) -> list[ClosedPeriod]:
        return [a if isinstance(a, ClosedPeriod) else ClosedPeriod(date=a) for a in self.away]


class Block(StrictModel):
    """A weekly recurring closure: a staff meeting, coil maintenance every Friday evening."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)

    weekdays: list[Weekday] = Field(min_length=1, description='The weekdays it recurs on, e.g. ["tue"].')
    hours: Windows = Field(description='The local wall-clock window(s) "HH:MM-HH:MM" it takes.')
    chairs: list[str] | None = Field(default=None, description="Only these chairs (ids); see staff.")
    staff: list[str] | None = Field(default=None, description="Only these staff members (ids). Without chairs "
                                    "or staff: the whole clinic closes.")
    from_: dt.date | None = Field(default=None, alias="from", description="First date it applies (default: always).")
    until: dt.date | None = Field(default=None, description="Last date it applies (included).")
    reason: str = Field(default="", description="Why; `tms-sched closures` and the views show it.")

    @field_validator("until")
    @classmethod
    def _ordered(cls, until: dt.date | None, info: ValidationInfo) -> dt.date | None:
        first = info.data.get("from_")
        if first and until and until < first:
            raise ValueError(f"until {until} is before from {first}")
        return until

    @property
    def whole_clinic(self) -> bool:
        return self.chairs is None and self.staff is None

    def applies(self, day: dt.date) -> bool:
        return (WEEKDAYS[day.weekday()] in self.weekdays and (self.from_ is None or day >= self.from_)
                and (self.until is None or day <= self.until))


class ClinicFile(StrictModel):
    """A clinic file as written; protocols and patients are checked against it afterwards."""

    clinic: ClinicInfo = Field(description="The clinic itself.")
    chairs: list[Chair] = Field(min_length=1, description="The treatment chairs, at least one.")
    staff: list[StaffMember] = Field(default=[], description="Optional. Where any are named, every session and "
                                     "assessment needs a person on shift, and mappings and assessments a named one.")
    protocols: dict[str, dict[str, Any]] = Field(
        default={}, description="[protocols.ID] tables: protocols of the clinic's own, or a built-in's id with "
        "only the keys to change.")
    patients: list[dict[str, Any]] = Field(default=[], description="An inline roster: [[patients]] tables as in a "
                                           "roster file.")
    blocks: list[Block] = Field(default=[], description="Weekly recurring closures of the clinic, some chairs or "
                                "some staff ([[blocks]]).")


Priority = Literal["urgent", "routine"]


@dataclass
class Clinic:
    """A clinic as loaded: its file's settings with every protocol resolved."""

    info: ClinicInfo
    chairs: list[Chair]
    staff: list[StaffMember]
    protocols: dict[str, Protocol]
    own_protocols: frozenset[str] = frozenset()
    blocks: list[Block] = field(default_factory=list)

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

    def supervision_for(self, protocol: Protocol) -> str | None:
        """The role someone of which is on shift during the protocol's sessions, if any."""
        return protocol.supervision or self.info.supervision

    @property
    def staff_unit(self) -> int:
        """Head-count units one staff member stands for: the least common multiple of every
        ``patients_per_staff`` and ``monitor_patients_per_staff``, so that a session counting
        1/N of a person is a whole number of units (1 when nobody shares)."""
        return math.lcm(1, *(n for p in self.protocols.values()
                             for n in (p.patients_per_staff, p.monitor_patients_per_staff)))

    def session_units(self, protocol: Protocol, kind: str) -> int:
        """Head-count units a session of ``kind`` takes while it runs: a named mapping a whole
        person, a treatment 1/patients_per_staff of one."""
        unit = self.staff_unit
        return unit if kind != "treatment" else unit // protocol.patients_per_staff

    def monitor_units(self, protocol: Protocol) -> int:
        return self.staff_unit // protocol.monitor_patients_per_staff
