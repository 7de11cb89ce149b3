"""The `show` views: agenda, week, patient, chairs and load, as rich renderables.

Each view takes a :class:`ScheduleFacts` (the schedule read for display) and the few
choices the command line made; none of them decides anything about the schedule.
"""

from __future__ import annotations

from .agenda import agenda_view
from .chairs import chairs_view
from .desk import authorizations_view, calls_view, staff_view, waitlist_view
from .facts import ScheduleFacts
from .load import load_view
from .patient import patient_view
from .week import week_view

VIEWS = ("agenda", "week", "patient", "chairs", "load", "staff", "calls", "authorizations", "waitlist")

__all__ = ["VIEWS", "ScheduleFacts", "agenda_view", "authorizations_view", "calls_view", "chairs_view", "load_view",
           "patient_view", "staff_view", "waitlist_view", "week_view"]
