"""A patient waiting for a course."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

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

    @model_validator(mode="after")
    def _window(self) -> Patient:
        if self.start_after and self.deadline and self.deadline < self.start_after:
            raise ValueError(
                f"deadline {self.deadline} is before start_after {self.start_after}; "
                "the authorization window must end after it starts"
            )
        return self
