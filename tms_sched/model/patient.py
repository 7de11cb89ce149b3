"""A patient waiting for a course."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, ValidationInfo, field_validator

from .base import StrictModel, WeekHours
from .clinic import Priority


class Patient(StrictModel):
    """A patient waiting for a course."""

    id: str = Field(min_length=1, description="Unique id across the clinic file and every roster.")
    name: str | None = Field(default=None, description="Optional. Stays in the clinic's own files; exports leave "
                             "it out unless asked.")
    protocol: str = Field(min_length=1, description="A protocol id: built-in or the clinic's own.")
    start_after: dt.date | None = Field(default=None, description="The first session lies on or after this date; "
                                        "absent: as soon as the clinic can.")
    deadline: dt.date | None = Field(default=None, description="Authorization end: every session lies on or "
                                     "before it.")
    priority: Priority = Field(default="routine", description="Urgent patients are placed first and never lose "
                               "a place to routine ones.")
    preferred_chair: str | None = Field(default=None, description="A chair id to keep the course on where "
                                        "possible; it must have the protocol's capability.")
    availability: WeekHours | None = Field(default=None, description="When the patient can come, per weekday, "
                                           "written like the clinic's hours; a weekday left out is unavailable. "
                                           "Absent: the clinic's hours.")
    unavailable: list[dt.date] = Field(default=[], description="Dates the patient cannot come.")
    phone: str | None = Field(default=None, description="Optional. Shown only with `show --include-names` "
                              "(the calls list); never exported.")
    authorized_sessions: int | None = Field(default=None, ge=1, description="Sessions the payer authorized "
                                            "(mapping and make-ups included); the planner never books more live "
                                            "sessions, `check` reports more (TMS021). Absent: no limit.")

    @field_validator("deadline")
    @classmethod
    def _window(cls, deadline: dt.date | None, info: ValidationInfo) -> dt.date | None:
        # A field validator (start_after is validated first) so the error points at deadline.
        start_after = info.data.get("start_after")
        if start_after and deadline and deadline < start_after:
            raise ValueError(
                f"{deadline} is before start_after {start_after}; "
                "the authorization window must not end before it starts"
            )
        return deadline
