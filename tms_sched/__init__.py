"""tms-sched: a planner for transcranial magnetic stimulation (TMS) clinics."""

__version__ = "0.1.0"

PROJECT_URL = "https://github.com/tms-sched/tms-sched"
"""Where the project and its documentation live; SARIF logs link to it."""
