"""A patient waiting for a course."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, ValidationInfo, field_validator

from .base import StrictModel, WeekHours
from .clinic import Priority


class Patient(StrictModel):
    id: str = Field(min_length=1)
    name: str | None = None
    protocol: str = Field(min_length=1)
    start_after: dt.date | None = None
    deadline: dt.date | None = None
    priority: Priority = "routine"
    preferred_chair: str | None = None
    availability: WeekHours | None = None
    unavailable: list[dt.date] = []

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
