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
    min_days_apart: int = Field(default=1, ge=1, le=6, description="Least days from one session of a week to "
                                "the next (a difference of dates): twice weekly on Monday and Thursday is 3.")

    @model_validator(mode="after")
    def _fits_a_week(self) -> WeeklyPhase:
        for count in self.per_week:
            if (count - 1) * self.min_days_apart > 6:
                raise ValueError(f"{count} sessions at least {self.min_days_apart} days apart do not fit in a "
                                 "calendar week; lower min_days_apart or the sessions of that week")
        return self

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

    name: str = Field(min_length=1, description="e.g. baseline, end-of-course, follow-up, phq-9; unique in the "
                      "protocol.")
    anchor: Literal["first", "last", "session"] = Field(description="The session the window counts from: the "
                                                      "first, the last, or a numbered one (`session` or "
                                                      "`every_sessions`).")
    session: int | None = Field(default=None, ge=1, description="With anchor = \"session\": the window counts "
                                "from the day of this session (a rating after session 10).")
    every_sessions: int | None = Field(default=None, ge=1, description="With anchor = \"session\": one "
                                       "assessment after each of sessions N, 2N, ... before the last (a PHQ-9 "
                                       "every 10 sessions).")
    window_days: Pair = Field(description="[earliest, latest] days from the anchor: at most 0 before the first "
                              "session (0: that day, before it), at least 0 after the last or a numbered session "
                              "(0: that day, after it).")
    prefer_day: int | None = Field(default=None, description="A day inside window_days that the planner books "
                                   "when it can, else the nearest day of the window (a follow-up on day 28); "
                                   "absent: the day nearest the anchor.")
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
        if anchor in ("last", "session") and lo < 0:
            raise ValueError(f"an assessment anchored on the {anchor} session must fall after it (window_days >= 0)")
        return window_days

    @model_validator(mode="after")
    def _anchor_keys(self) -> Assessment:
        numbered = (self.session is not None) + (self.every_sessions is not None)
        if self.anchor == "session" and numbered != 1:
            raise ValueError("anchor = \"session\" needs either session = N (after session N) or every_sessions = N "
                             "(after sessions N, 2N, ...), one of them")
        if self.anchor != "session" and numbered:
            key = "session" if self.session is not None else "every_sessions"
            raise ValueError(f"{key} goes with anchor = \"session\"; anchor = \"{self.anchor}\" counts from the "
                             f"{self.anchor} session")
        if self.prefer_day is not None and not self.window_days[0] <= self.prefer_day <= self.window_days[1]:
            raise ValueError(f"prefer_day = {self.prefer_day} lies outside window_days {self.window_days}; give a "
                             "day inside the window")
        return self

    def anchor_sessions(self, total: int) -> list[int]:
        """The session numbers a window counts from, for a course of ``total`` sessions
        (``anchor`` first and last: [1] and [total])."""
        if self.anchor == "first":
            return [1]
        if self.anchor == "last":
            return [total]
        if self.session is not None:
            return [self.session] if self.session <= total else []
        assert self.every_sessions is not None
        return list(range(self.every_sessions, total, self.every_sessions))

    def days_in_order(self) -> list[int]:
        """The window's days (from the anchor) in the order the planner tries them: the
        preferred day, then the nearest; without one, nearest the anchor first."""
        lo, hi = self.window_days
        days = range(lo, hi + 1)
        if self.prefer_day is not None:
            return sorted(days, key=lambda k: (abs(k - self.prefer_day), k))
        return sorted(days, key=abs)


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
    remap_after_days: int | None = Field(default=None, gt=0, description="A session more than this many days "
                                         "after the previous one is a mapping (a motor-threshold re-check, "
                                         "first_session_minutes long, with a named first_session_staff); "
                                         "absent: never.")
    remap_every_days: int | None = Field(default=None, gt=0, description="The first session this many days or "
                                         "more after the last mapping is a mapping again (7: a weekly "
                                         "motor-threshold re-check); absent: never.")
    supervision: StaffRole | None = Field(default=None, description="A role of which a staff member is on shift "
                                          "during every session (mapping and treatment), e.g. physician; "
                                          "supervising does not occupy them. Absent: [clinic] supervision.")
    patients_per_staff: int = Field(default=1, ge=1, le=12, description="Concurrent sessions of this protocol "
                                    "one staff member attends (a technician running two iTBS chairs: 2); in "
                                    "the head-count such a session counts 1/N, a named mapping counts 1.")
    monitor_minutes: int = Field(default=0, ge=0, le=24 * 60, description="Minutes the patient stays in the "
                                 "same chair after each session, observed (esketamine: at least 120). 0: none.")
    monitor_role: StaffRole | None = Field(default=None, description="The role of whoever observes: one of "
                                           "them is on shift all through the monitoring. Absent: anyone on "
                                           "shift.")
    monitor_patients_per_staff: int = Field(default=1, ge=1, le=12, description="Patients one staff member "
                                            "observes at once; a monitored patient counts 1/N in the "
                                            "head-count.")
    phases: list[Phase] = Field(min_length=1, description="The course in order: daily, weekly and interval "
                                "phases.")
    assessments: list[Assessment] = Field(default=[], description="Rating-scale appointments around the course.")

    @model_validator(mode="after")
    def _unique_assessments(self) -> Protocol:
        names = [a.name for a in self.assessments]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"assessment name '{dupes[0]}' is used twice; names must be unique")
        total = self.total_sessions
        for a in self.assessments:
            if a.session is not None and a.session > total:
                raise ValueError(f"assessment '{a.name}' counts from session {a.session}, but the course has "
                                 f"{total} sessions")
            if a.every_sessions is not None and a.every_sessions >= total:
                raise ValueError(f"assessment '{a.name}' comes every {a.every_sessions} sessions, but the course has "
                                 f"{total}: no session before the last is a multiple of it")
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

    def minutes_of(self, kind: str) -> int:
        """Chair minutes of a session of ``kind``: a mapping (the first session or a
        re-mapping) takes first_session_minutes."""
        return self.first_minutes if kind == "mapping" else self.session_minutes

    @property
    def remaps(self) -> bool:
        return self.remap_after_days is not None or self.remap_every_days is not None

    @model_validator(mode="after")
    def _monitoring_keys(self) -> Protocol:
        if not self.monitor_minutes and (self.monitor_role is not None or self.monitor_patients_per_staff != 1):
            raise ValueError("monitor_role and monitor_patients_per_staff need monitor_minutes (the minutes of "
                             "observation after each session)")
        return self
