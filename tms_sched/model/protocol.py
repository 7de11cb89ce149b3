"""Treatment protocols: the same schema for the built-in library and a clinic's own."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .base import Capability, StaffRole, StrictModel

Pair = Annotated[list[int], Field(min_length=2, max_length=2)]
"""[min, max], as written in the file."""

class DailyPhase(StrictModel):
    """Sessions on treatment days: ``per_day`` a day, at most ``days_per_week`` days a week."""

    kind: Literal["daily"] = Field(description="Which kind of phase this is.")
    sessions: int = Field(gt=0, description="Sessions in this phase.")
    per_day: int = Field(default=1, gt=0, description="Sessions on each treatment day.")
    days_per_week: int = Field(default=5, ge=1, le=7, description="Most treatment days in a calendar week.")
    consecutive: bool = Field(default=False, description="Treatment days are consecutive calendar days "
                              "(accelerated courses).")
    min_gap_minutes: int = Field(default=0, ge=0, description="Least minutes from the end of one session to the "
                                 "start of the next on the same day.")

    @model_validator(mode="after")
    def _whole_days(self) -> DailyPhase:
        if self.consecutive and self.sessions % self.per_day:
            raise ValueError(
                f"a consecutive phase needs sessions ({self.sessions}) to be a multiple of per_day ({self.per_day})"
            )
        return self

    @property
    def days(self) -> int:
        return -(-self.sessions // self.per_day)


class WeeklyPhase(StrictModel):
    """Taper weeks: ``per_week[i]`` sessions, on different days, in the i-th calendar week."""

    kind: Literal["weekly"] = Field(description="Which kind of phase this is.")
    per_week: list[Annotated[int, Field(ge=1, le=7)]] = Field(
        min_length=1, description="Sessions in each calendar week after the previous phase's last week, on "
        "different days, e.g. [3, 2, 1].")

    @property
    def sessions(self) -> int:
        return sum(self.per_week)


class IntervalPhase(StrictModel):
    """Sessions ``every_days = [min, max]`` apart (a difference of dates)."""

    kind: Literal["interval"] = Field(description="Which kind of phase this is.")
    sessions: int = Field(gt=0, description="Sessions in this phase.")
    every_days: Pair = Field(description="[min, max] days from one session to the next (a difference of dates), "
                             "also from the previous phase's last session.")

    @field_validator("every_days")
    @classmethod
    def _ordered(cls, every_days: list[int]) -> list[int]:
        lo, hi = every_days
        if lo < 1 or hi < lo:
            raise ValueError(f"must be [min, max] days with 1 <= min <= max, got [{lo}, {hi}]")
        return every_days


Phase = Annotated[DailyPhase | WeeklyPhase | IntervalPhase, Field(discriminator="kind")]


class Assessment(StrictModel):
    """A rating-scale appointment (no chair) in a window of days around the course."""

    name: str = Field(min_length=1, description="e.g. baseline, end-of-course, follow-up; unique in the protocol.")
    anchor: Literal["first", "last"] = Field(description="The session the window counts from.")
    window_days: Pair = Field(description="[earliest, latest] days from the anchor: at most 0 before the first "
                              "session, at least 0 after the last.")
    minutes: int = Field(default=30, gt=0, description="Length; an assessment needs no chair.")

    @field_validator("window_days")
    @classmethod
    def _ordered(cls, window_days: list[int], info: ValidationInfo) -> list[int]:
        lo, hi = window_days
        anchor = info.data.get("anchor")
        if hi < lo:
            raise ValueError(f"[{lo}, {hi}] is reversed; write [earliest, latest]")
        if anchor == "first" and hi > 0:
            raise ValueError("an assessment anchored on the first session must fall before it (window_days <= 0)")
        if anchor == "last" and lo < 0:
            raise ValueError("an assessment anchored on the last session must fall after it (window_days >= 0)")
        return window_days


DEFAULT_FIRST_SESSION_LABEL = "Motor-threshold mapping"


class Protocol(StrictModel):
    """A course of treatment: its sessions, their rhythm, and the assessments around it."""

    id: str = Field(description="The table name: [protocols.ID].")
    label: str = Field(min_length=1, description="What it is, in a line.")
    source: str = Field(default="", description="Where the numbers come from (study, labeling, practice).")
    capability: Capability = Field(min_length=1, description="What a chair needs to deliver it, in lower case "
                                   "(see chairs).")
    session_minutes: int = Field(gt=0, description="Chair minutes of each session after the first.")
    first_session_minutes: int | None = Field(default=None, gt=0, description="Chair minutes of the first "
                                              "session; absent: session_minutes.")
    first_session_staff: StaffRole = Field(default="physician", description="The role of the named person the "
                                           "first session is booked with: any role the clinic's staff has.")
    first_session_label: str = Field(default=DEFAULT_FIRST_SESSION_LABEL, description="What the first session is "
                                     "(its appointment kind stays mapping).")
    max_span_days: int | None = Field(default=None, gt=0, description="Most days from the first session to the "
                                      "last; absent: no limit.")
    max_gap_days: int | None = Field(default=None, gt=0, description="Most days between two sessions; absent: "
                                     "no limit.")
    phases: list[Phase] = Field(min_length=1, description="The course in order: daily, weekly and interval "
                                "phases.")
    assessments: list[Assessment] = Field(default=[], description="Rating-scale appointments around the course.")

    @model_validator(mode="after")
    def _unique_assessments(self) -> Protocol:
        names = [a.name for a in self.assessments]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"assessment name '{dupes[0]}' is used twice; names must be unique")
        return self

    @property
    def first_minutes(self) -> int:
        return self.first_session_minutes or self.session_minutes

    @property
    def total_sessions(self) -> int:
        return sum(p.sessions for p in self.phases)

    @property
    def accelerated(self) -> bool:
        return any(isinstance(p, DailyPhase) and p.per_day > 1 for p in self.phases)

    def minutes_for(self, session: int) -> int:
        return self.first_minutes if session == 1 else self.session_minutes
