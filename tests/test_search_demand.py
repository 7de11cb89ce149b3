"""How the search weighs the hours the patients still waiting need, and how many runs it
makes (tms_sched.plan.search)."""

from __future__ import annotations

import pytest

from conftest import REPO
from tms_sched.io import load_setup
from tms_sched.plan.search import EFFORTS, MOST_RESTARTS, footprint_share, restarts_for
from tms_sched.plan.timeline import mask_of

CLINIC = REPO / "benchmarks" / "yardstick" / "Y07"  # 08:00-14:00, ten-minute slots, every protocol


@pytest.fixture(scope="module")
def protocols():
    clinic, _ = load_setup(str(CLINIC / "clinic.toml"), [str(CLINIC / "roster.toml")])
    return clinic.protocols


def window(start: str, end: str) -> int:
    h1, m1 = map(int, start.split(":"))
    h2, m2 = map(int, end.split(":"))
    return mask_of([(h1 * 60 + m1, h2 * 60 + m2)], 10)


def test_a_single_session_needs_the_middle_of_its_window_more_than_its_edges(protocols):
    protocol = protocols["standard-10hz"]
    slots, weights = footprint_share(protocol, window("08:00", "10:30"), 10)
    length = -(-protocol.session_minutes // 10)
    share = dict(zip(slots, weights))
    assert slots == list(range(48, 63))  # every slot of 08:00-10:30
    assert sum(weights) == pytest.approx(length)
    assert share[48] < share[55] and share[62] < share[55]
    assert share[48] == pytest.approx(1 / (15 - length + 1))


def test_an_accelerated_day_needs_the_few_slots_its_five_sessions_can_take(protocols):
    protocol = protocols["accelerated-5x5"]
    slots, weights = footprint_share(protocol, window("08:00", "14:00"), 10)
    share = dict(zip(slots, weights))
    session = -(-protocol.session_minutes // 10)
    assert sum(weights) == pytest.approx(5 * session)
    # A day of five sessions with their gaps spans most of the six hours: it can start
    # only in the first few slots, so those are needed far more than a 10 Hz patient free
    # all day needs any slot.
    ten = dict(zip(*footprint_share(protocols["standard-10hz"], window("08:00", "14:00"), 10)))
    assert max(share.values()) > 2 * max(ten.values())
    assert min(slots) == 48 and max(slots) < 48 + 36


def test_a_pattern_that_never_fits_needs_nothing(protocols):
    slots, weights = footprint_share(protocols["accelerated-5x5"], window("08:00", "10:00"), 10)
    assert slots == [] and weights == []


def test_small_clinics_get_several_searches_and_large_ones_one():
    assert restarts_for("fast", 10) == 0
    assert restarts_for("normal", 8) == 1  # one run builds over thirty courses a patient
    assert restarts_for("normal", 10) == MOST_RESTARTS
    assert restarts_for("normal", 12) == MOST_RESTARTS
    assert restarts_for("normal", 30) == MOST_RESTARTS
    assert restarts_for("normal", 31) == 1
    assert restarts_for("normal", 80) == 1
    assert restarts_for("normal", 2000) == 1
    assert all(restarts_for(e, 40) == restarts_for("normal", 40) for e in EFFORTS if e != "fast")
