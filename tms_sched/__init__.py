"""tms-sched: a planner for transcranial magnetic stimulation (TMS) clinics."""

__version__ = "0.1.0"
