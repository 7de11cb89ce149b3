"""The clinic calendar: holidays and keep_open, closures, downtime, staff away, and
daylight-saving days, read from one small clinic file (fixtures/calendar/clinic.toml)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tms_sched.calendar import ClinicCalendar
from tms_sched.io import load_clinic
from tms_sched.model.schedule import Closure
from tms_sched.tz import local_datetime, unstable_minutes, wall_minute

CLINIC_FILE = Path(__file__).parent / "fixtures" / "calendar" / "clinic.toml"
WEEKDAY = ((480, 720), (750, 1020))  # 08:00-12:00, 12:30-17:00
SUNDAY = ((30, 240), (480, 720))  # 00:30-04:00, 08:00-12:00
D = dt.date


@pytest.fixture(scope="module")
def clinic():
    return load_clinic(str(CLINIC_FILE))[0]


@pytest.fixture(scope="module")
def calendar(clinic) -> ClinicCalendar:
    return ClinicCalendar(clinic)


# -- public holidays and keep_open --------------------------------------------------------

def test_public_holiday_closes(calendar: ClinicCalendar) -> None:
    assert calendar.holiday(D(2026, 11, 26)) == "Thanksgiving Day"
    assert calendar.closed_reason(D(2026, 11, 26)) == "public holiday: Thanksgiving Day"
    assert calendar.open_windows(D(2026, 11, 26)) == ()
    assert not calendar.is_open(D(2026, 11, 26))


def test_observed_holiday_keeps_its_name(calendar: ClinicCalendar) -> None:
    assert calendar.closed_reason(D(2027, 12, 24)) == "public holiday: Christmas Day (observed)"


def test_keep_open_by_name(calendar: ClinicCalendar) -> None:
    veterans_day = D(2026, 11, 11)  # a Wednesday
    assert calendar.holiday(veterans_day) is None
    assert calendar.closed_reason(veterans_day) is None
    assert calendar.open_windows(veterans_day) == WEEKDAY


def test_keep_open_by_date(calendar: ClinicCalendar) -> None:
    assert calendar.holiday(D(2027, 1, 18)) is None  # Martin Luther King Jr. Day, kept open by date
    assert calendar.open_windows(D(2027, 1, 18)) == WEEKDAY
    assert calendar.holiday(D(2026, 1, 19)) == "Martin Luther King Jr. Day"  # another year's is not


def test_keeping_one_of_two_holidays_on_a_date_leaves_the_other(calendar: ClinicCalendar) -> None:
    # 2027-02-15 is Presidents' Day and Susan B. Anthony Day; only the second is kept open.
    assert calendar.closed_reason(D(2027, 2, 15)) == "public holiday: Presidents' Day"
    assert calendar.open_windows(D(2027, 2, 15)) == ()


# -- closures -------------------------------------------------------------------------------

def test_closed_date_and_range(calendar: ClinicCalendar) -> None:
    assert calendar.closed_reason(D(2026, 12, 24)) == "closed (clinic file)"
    for day in (D(2026, 12, 28), D(2026, 12, 29), D(2026, 12, 30)):
        assert calendar.closed_reason(day) == "winter break"
        assert calendar.open_windows(day) == ()
    assert calendar.closed_reason(D(2026, 12, 31)) is None  # the range includes both ends, no more
    assert calendar.open_windows(D(2026, 12, 31)) == WEEKDAY


def test_weekday_without_hours(calendar: ClinicCalendar) -> None:
    assert calendar.closed_reason(D(2026, 12, 12)) == "closed on Saturdays"
    assert calendar.open_windows(D(2026, 12, 12)) == ()


def test_closed_days_lists_only_days_the_clinic_would_open(calendar: ClinicCalendar) -> None:
    assert calendar.closed_days(D(2026, 12, 21), D(2027, 1, 3)) == [
        (D(2026, 12, 24), "closed (clinic file)"),
        (D(2026, 12, 25), "public holiday: Christmas Day"),
        (D(2026, 12, 28), "winter break"),
        (D(2026, 12, 29), "winter break"),
        (D(2026, 12, 30), "winter break"),
        (D(2027, 1, 1), "public holiday: New Year's Day"),
    ]


def test_business_days(calendar: ClinicCalendar) -> None:
    # Mon 21 to Wed 23, Sun 27, Thu 31 and Sun 3 open; 24, 25, 28-30 and 1 closed; Saturdays have no hours.
    assert calendar.business_days(D(2026, 12, 21), D(2027, 1, 4)) == 6
    assert calendar.business_days(D(2026, 12, 21), D(2026, 12, 21)) == 0


def test_closures_recorded_in_a_schedule(clinic) -> None:
    closures = [
        Closure(date=D(2026, 12, 16), reason="power outage"),
        Closure(start=dt.datetime(2026, 12, 14, 8, 0), end=dt.datetime(2026, 12, 14, 10, 0), reason="fire drill"),
        Closure(start=dt.datetime(2026, 12, 15, 13, 0), end=dt.datetime(2026, 12, 15, 15, 0), chair="B",
                reason="coil check"),
    ]
    calendar = ClinicCalendar(clinic, closures)
    assert calendar.closed_reason(D(2026, 12, 16)) == "power outage"
    assert calendar.open_windows(D(2026, 12, 14)) == ((600, 720), (750, 1020))
    assert calendar.closed_days(D(2026, 12, 14), D(2026, 12, 16)) == [
        (D(2026, 12, 14), "fire drill (08:00-10:00)"),
        (D(2026, 12, 16), "power outage"),
    ]
    assert calendar.chair_windows("B", D(2026, 12, 15)) == ((480, 720), (750, 780), (900, 1020))
    assert calendar.chair_windows("A", D(2026, 12, 15)) == WEEKDAY


# -- chairs and staff ---------------------------------------------------------------------

def test_chair_downtime_within_a_day(calendar: ClinicCalendar) -> None:
    assert calendar.chair_windows("A", D(2026, 12, 10)) == ((480, 720),)
    assert calendar.chair_down("A", D(2026, 12, 10)) == [((720, 1020), "coil service")]
    assert calendar.chair_windows("B", D(2026, 12, 10)) == WEEKDAY
    assert calendar.open_windows(D(2026, 12, 10)) == WEEKDAY  # one chair down does not close the clinic


def test_chair_downtime_across_midnight(calendar: ClinicCalendar) -> None:
    assert calendar.chair_windows("A", D(2026, 12, 17)) == ((480, 720), (750, 900))
    assert calendar.chair_windows("A", D(2026, 12, 18)) == ((600, 720), (750, 1020))


def test_chair_down_for_whole_dates(calendar: ClinicCalendar) -> None:
    assert calendar.chair_windows("B", D(2027, 1, 11)) == ()
    assert calendar.chair_windows("B", D(2027, 1, 12)) == ()
    assert calendar.chair_windows("B", D(2027, 1, 13)) == WEEKDAY
    assert calendar.chair_windows("A", D(2027, 1, 11)) == WEEKDAY


def test_staff_shifts_and_away(calendar: ClinicCalendar) -> None:
    assert calendar.staff_windows("tech-ana", D(2026, 12, 10)) == ((480, 1020),)
    assert calendar.staff_windows("tech-ana", D(2026, 12, 11)) == ()  # away
    assert calendar.staff_windows("dr-kim", D(2026, 12, 15)) == ((480, 720),)  # Tuesday
    assert calendar.staff_windows("dr-kim", D(2026, 12, 16)) == ()  # no Wednesday shift
    assert calendar.staff_windows("nobody", D(2026, 12, 15)) == ()


# -- daylight saving (America/Los_Angeles) ------------------------------------------------

def test_spring_forward_skips_an_hour(clinic, calendar: ClinicCalendar) -> None:
    day = D(2027, 3, 14)
    assert unstable_minutes(day, clinic.zone) == (120, 180)  # 02:00-03:00 does not exist
    assert calendar.open_windows(day) == ((30, 120), (180, 240), (480, 720))
    assert calendar.closed_reason(day) is None


def test_fall_back_repeats_an_hour(clinic, calendar: ClinicCalendar) -> None:
    day = D(2026, 11, 1)
    assert unstable_minutes(day, clinic.zone) == (60, 120)  # 01:00-02:00 happens twice
    assert calendar.open_windows(day) == ((30, 60), (120, 240), (480, 720))


def test_ordinary_days_are_untouched(clinic, calendar: ClinicCalendar) -> None:
    for day in (D(2026, 10, 25), D(2026, 11, 15), D(2027, 3, 7), D(2027, 3, 21)):
        assert unstable_minutes(day, clinic.zone) is None
        assert calendar.open_windows(day) == SUNDAY
    assert calendar.open_windows(D(2027, 3, 15)) == WEEKDAY  # the Monday after the change


@pytest.mark.parametrize("before, after", [(D(2027, 3, 12), D(2027, 3, 15)), (D(2026, 10, 30), D(2026, 11, 2))])
def test_eight_stays_eight_across_the_change(clinic, before: dt.date, after: dt.date) -> None:
    first = local_datetime(before, 480, clinic.zone)
    second = local_datetime(after, 480, clinic.zone)
    assert (first.hour, first.minute, second.hour, second.minute) == (8, 0, 8, 0)
    assert first.utcoffset() != second.utcoffset()
    utc = dt.timezone.utc  # the same tzinfo on both sides would subtract wall clocks
    hours_apart = (second.astimezone(utc) - first.astimezone(utc)).total_seconds() / 3600
    assert hours_apart == (71 if before.month == 3 else 73)
    assert wall_minute(second.astimezone(dt.timezone.utc), clinic.zone) == (after, 480)
