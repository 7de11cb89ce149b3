"""The typed domain model: clinic, protocols, patients, schedules. Knows nothing of files."""

from .base import WEEKDAYS, StrictModel, Windows
from .clinic import Chair, ClinicFile, ClinicInfo, StaffMember
from .patient import Patient
from .protocol import Assessment, DailyPhase, IntervalPhase, Protocol, WeeklyPhase
from .schedule import Appointment, Closure, Schedule, ScheduledPatient, ScheduleInfo, Unplaced

__all__ = [
    "WEEKDAYS", "StrictModel", "Windows", "Chair", "ClinicFile", "ClinicInfo", "StaffMember",
    "Patient", "Assessment", "DailyPhase", "IntervalPhase", "Protocol", "WeeklyPhase",
    "Appointment", "Closure", "Schedule", "ScheduledPatient", "ScheduleInfo", "Unplaced",
]
