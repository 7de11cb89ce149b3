"""`tms-sched capacity`: the simulation, its variants, its JSON and the earliest start."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
import tomli
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tms_sched.capacity.referrals import parse_rates, referral_stream
from tms_sched.capacity.simulate import Setup, percentile, simulate
from tms_sched.capacity.variants import closing_holidays, with_longer_days
from tms_sched.cli import main
from tms_sched.errors import UsageError
from tms_sched.io import load_setup
from tms_sched.render.capacity import report_data

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "capacity"
ONE_CHAIR = str(FIXTURES / "one_chair.toml")
ONE_TECHNICIAN = str(FIXTURES / "one_technician.toml")
EXAMPLE = str(REPO / "config.example.toml")
MONDAY = dt.date(2027, 1, 4)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def simulate_fixture(path: str, rates: dict[str, float], *, weeks: int = 4, seed: int = 1, runs: int = 2):
    clinic, roster = load_setup(path)
    return simulate(Setup(clinic, MONDAY, None, list(roster.patients)), rates, weeks=weeks, seed=seed, runs=runs)


def by_name(report):
    return {o.variant.name: o for o in report.outcomes}


# -- the referral stream ------------------------------------------------------------------

def test_the_stream_arrives_at_its_rate_and_each_protocol_keeps_its_own() -> None:
    both = referral_stream({"standard-10hz": 3.0, "snt": 1.0}, MONDAY, 52, seed=7)
    alone = referral_stream({"standard-10hz": 3.0}, MONDAY, 52, seed=7)
    tens = [r for r in both if r.protocol == "standard-10hz"]
    assert 2.6 * 52 <= len(tens) <= 3.4 * 52
    assert 0.7 * 52 <= sum(r.protocol == "snt" for r in both) <= 1.3 * 52
    # Adding a protocol leaves the other's arrivals as they were.
    assert [r.day for r in tens] == [r.day for r in alone]
    assert all(MONDAY <= r.day < MONDAY + dt.timedelta(weeks=52) for r in both)
    assert all(r.day >= MONDAY + dt.timedelta(weeks=r.week) for r in both)


@settings(max_examples=40, deadline=None)
@given(rate=st.floats(0.1, 30), weeks=st.integers(1, 12), seed=st.integers(0, 10**6),
       today=st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)))
def test_every_referral_falls_in_its_booking_week(rate: float, weeks: int, seed: int, today: dt.date) -> None:
    stream = referral_stream({"standard-10hz": rate}, today, weeks, seed)
    assert stream == referral_stream({"standard-10hz": rate}, today, weeks, seed)
    monday = today - dt.timedelta(days=today.weekday())
    for r in stream:
        start = today if r.week == 0 else monday + dt.timedelta(weeks=r.week)
        assert start <= r.day < monday + dt.timedelta(weeks=r.week + 1)
        assert 0 <= r.week < weeks
    assert [r.id for r in stream] == sorted(r.id for r in stream)
    assert len({r.id for r in stream}) == len(stream)


def test_rates_are_read_with_plain_errors() -> None:
    known = ["standard-10hz", "snt"]
    assert parse_rates(["standard-10hz=2.5, snt=0.5"], known) == {"standard-10hz": 2.5, "snt": 0.5}
    assert parse_rates(["standard-10hz=2", "snt=1"], known) == {"standard-10hz": 2.0, "snt": 1.0}
    for bad, words in (("standard-10hz", "PROTOCOL=RATE"), ("nope=1", "no protocol 'nope'"),
                       ("snt=-1", "a number from 0"), ("snt=x", "a number from 0"), ("snt=0", "above 0"),
                       ("snt=1,snt=2", "twice")):
        with pytest.raises(UsageError, match=words):
            parse_rates([bad], known)


def test_nearest_rank_percentile() -> None:
    assert percentile([], 0.9) is None
    assert percentile([3], 0.9) == 3
    assert percentile(list(range(1, 11)), 0.9) == 9
    assert percentile(list(range(1, 12)), 0.9) == 10


# -- the simulation -----------------------------------------------------------------------

def test_same_seed_same_figures_and_another_seed_other_figures() -> None:
    first = report_data(simulate_fixture(ONE_CHAIR, {"standard-10hz": 3}, weeks=3, seed=4))
    again = report_data(simulate_fixture(ONE_CHAIR, {"standard-10hz": 3}, weeks=3, seed=4))
    other = report_data(simulate_fixture(ONE_CHAIR, {"standard-10hz": 3}, weeks=3, seed=40))
    assert json.dumps(first) == json.dumps(again)
    assert first != other


def test_an_added_chair_shortens_the_waits_of_a_clinic_short_of_chairs() -> None:
    report = simulate_fixture(ONE_CHAIR, {"standard-10hz": 4})
    outcomes = by_name(report)
    today, chair = outcomes["today"], outcomes["+1 chair (10hz, itbs)"]
    assert today.mean_wait("standard-10hz") > 10
    assert chair.mean_wait("standard-10hz") < today.mean_wait("standard-10hz") / 2
    assert chair.p90_wait("standard-10hz") < today.p90_wait("standard-10hz")
    # More staff cannot help when the one chair is full.
    assert outcomes["+1 technician"].mean_wait("standard-10hz") >= today.mean_wait("standard-10hz") - 0.5
    assert today.binding == "chair:10hz"
    assert today.binding_by is chair


def test_an_added_technician_shortens_the_waits_of_a_clinic_short_of_staff() -> None:
    report = simulate_fixture(ONE_TECHNICIAN, {"standard-10hz": 8})
    outcomes = by_name(report)
    today = outcomes["today"]
    assert today.mean_wait("standard-10hz") > 10
    assert outcomes["+1 technician"].mean_wait("standard-10hz") < today.mean_wait("standard-10hz") / 2
    # A fourth chair idles: two people can attend only two patients at once.
    assert outcomes["+1 chair (10hz, itbs)"].mean_wait("standard-10hz") == today.mean_wait("standard-10hz")
    assert today.binding is not None and today.binding.startswith("staff:")


def test_an_hour_more_stretches_the_clinic_and_the_shifts_that_close_it() -> None:
    clinic, _ = load_setup(EXAMPLE)
    longer = with_longer_days(clinic)
    assert longer.info.hours["mon"] == ((420, 720), (750, 1170))
    staff = {s.id: s for s in longer.staff}
    assert staff["tech-ben"].hours["mon"] == ((600, 1170),)  # closed the clinic: stays on
    assert staff["tech-ana"].hours["mon"] == ((420, 930),)  # left earlier: unchanged
    assert "sat" not in longer.info.hours


def test_the_holidays_variant_opens_only_holidays_that_close_the_clinic() -> None:
    clinic, _ = load_setup(EXAMPLE)
    names = closing_holidays(clinic, dt.date(2026, 11, 30), dt.date(2027, 1, 31))
    assert "Christmas Day" in names and "Martin Luther King Jr. Day" in names
    assert "Columbus Day" not in names  # kept open already


# -- the command ----------------------------------------------------------------------------

def test_json_has_the_documented_shape(tmp_path: Path) -> None:
    result = run("capacity", ONE_CHAIR, "--referrals", "standard-10hz=3", "--weeks", "2", "--today",
                 "2027-01-04", "--format", "json", "--target-wait", "60")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["variants", "recommended"]
    names = [v["name"] for v in data["variants"]]
    assert names == ["today", "+1 chair (10hz, itbs)", "+1 physician", "+1 technician", "+1 hour a day"]
    assert [v["added"] for v in data["variants"]] == [
        {}, {"chair": ["10hz", "itbs"]}, {"staff": "physician"}, {"staff": "technician"}, {"hours": 1}]
    for v in data["variants"]:
        assert list(v) == ["name", "added", "mean_wait", "p90_wait", "unplaced", "chair_use", "staff_use", "binding"]
        assert list(v["mean_wait"]) == list(v["p90_wait"]) == list(v["unplaced"]) == ["standard-10hz"]
        assert isinstance(v["p90_wait"]["standard-10hz"], int)
        assert list(v["chair_use"]) == ["10hz", "itbs"] and list(v["staff_use"]) == ["physician", "technician"]
        assert all(0 <= x <= 1 for x in [*v["chair_use"].values(), *v["staff_use"].values()])
        assert v["binding"] is None or v["binding"].split(":")[0] in ("chair", "staff", "hours")
    assert data["recommended"] == "today"


def test_runs_spread_over_processes_give_the_same_figures() -> None:
    args = ["capacity", ONE_CHAIR, "--referrals", "standard-10hz=3", "--weeks", "2", "--today", "2027-01-04",
            "--format", "json"]
    alone = run(*args, "--jobs", "1")
    shared = run(*args, "--jobs", "2")
    assert alone.exit_code == shared.exit_code == 0
    assert alone.stdout == shared.stdout


def test_a_target_no_variant_meets_is_said_plainly_and_exits_1() -> None:
    result = run("capacity", ONE_CHAIR, "--referrals", "standard-10hz=4", "--weeks", "3", "--today",
                 "2027-01-04", "--target-wait", "0")
    assert result.exit_code == 1
    assert "No variant keeps every protocol's p90 wait within 0 business days" in result.stdout


def test_bad_input_is_a_plain_error_with_exit_2() -> None:
    for args, words in ((["--referrals", "standard-10hz"], "PROTOCOL=RATE"),
                        ([], "give --referrals"),
                        (["--next", "--referrals", "snt=1"], "--next answers on its own")):
        result = CliRunner().invoke(main, ["capacity", ONE_CHAIR, "--today", "2027-01-04", *args])
        assert result.exit_code == 2
        assert words in result.output
        assert "Traceback" not in result.output


def test_html_holds_an_inline_chart_and_never_replaces_a_file_of_another_kind(tmp_path: Path) -> None:
    page = tmp_path / "capacity.html"
    args = ["capacity", ONE_CHAIR, "--referrals", "standard-10hz=3", "--weeks", "3", "--today", "2027-01-04",
            "--html", str(page)]
    assert run(*args).exit_code == 0
    text = page.read_text(encoding="utf-8")
    HTMLParser().feed(text)
    svg = text[text.index("<svg"): text.index("</svg>") + len("</svg>")]
    root = ET.fromstring(svg)
    lines = root.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == 5  # one per variant
    assert all(len(line.get("points", "").split()) == 3 for line in lines)  # one point a week
    assert "http" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert run(*args).exit_code == 0  # its own page is replaced
    assert page.read_text(encoding="utf-8") == text  # byte-identical for the same inputs
    other = tmp_path / "notes.html"
    other.write_text("<html>my notes</html>", encoding="utf-8")
    result = CliRunner().invoke(main, [*args[:-1], str(other)])
    assert result.exit_code == 2
    assert "not a page tms-sched capacity wrote" in result.output
    assert other.read_text(encoding="utf-8") == "<html>my notes</html>"
    folder = CliRunner().invoke(main, [*args[:-1], str(tmp_path)])
    assert folder.exit_code == 2 and "is a folder" in folder.output
    nowhere = CliRunner().invoke(main, [*args[:-1], str(tmp_path / "missing" / "page.html")])
    assert nowhere.exit_code == 2 and "does not exist" in nowhere.output
    assert "Waits" not in nowhere.output  # refused before simulating, not after


@pytest.mark.parametrize("protocol", ["standard-10hz", "accelerated-5x5", "snt"])
def test_next_is_what_plan_books_for_such_a_patient(tmp_path: Path, protocol: str) -> None:
    schedule = tmp_path / "schedule.toml"
    assert run("plan", EXAMPLE, "--today", "2026-11-30", "-o", str(schedule)).exit_code == 0
    before = schedule.read_bytes()
    result = run("capacity", EXAMPLE, "--schedule", str(schedule), "--next", "--today", "2026-12-02",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    predicted = json.loads(result.stdout)["next"][protocol]
    roster = tmp_path / "new.toml"
    roster.write_text(f'[[patients]]\nid = "new-{protocol}"\nprotocol = "{protocol}"\n', encoding="utf-8")
    replanned = tmp_path / "replanned.toml"
    shutil.copy(schedule, replanned)
    planned = run("plan", EXAMPLE, "--roster", str(roster), "--schedule", str(replanned), "--today",
                  "2026-12-02")
    assert planned.exit_code == 0, planned.output
    data = tomli.loads(replanned.read_text(encoding="utf-8"))
    mine = next(p for p in data["patients"] if p["id"] == f"new-{protocol}")
    first = min((a for a in mine["appointments"] if a["kind"] != "assessment"), key=lambda a: a["start"])
    assert predicted == {"date": first["start"].date().isoformat(), "time": f"{first['start']:%H:%M}",
                         "chair": first["chair"], "staff": first.get("staff")}
    assert schedule.read_bytes() == before  # capacity never writes the schedule


def test_referrals_are_booked_around_the_schedule_given(tmp_path: Path) -> None:
    roster = tmp_path / "booked.toml"
    roster.write_text("".join(f'[[patients]]\nid = "B-{i}"\nprotocol = "standard-10hz"\n\n' for i in range(6)),
                      encoding="utf-8")
    schedule = tmp_path / "schedule.toml"
    assert run("plan", ONE_CHAIR, "--roster", str(roster), "--today", "2027-01-04", "-o", str(schedule)).exit_code == 0
    before = schedule.read_bytes()
    args = ["capacity", ONE_CHAIR, "--referrals", "standard-10hz=2", "--weeks", "2", "--today", "2027-01-04",
            "--format", "json", "--jobs", "1"]
    empty = json.loads(run(*args).stdout)["variants"][0]
    busy = json.loads(run(*args, "--schedule", str(schedule)).stdout)["variants"][0]
    assert busy["mean_wait"]["standard-10hz"] > empty["mean_wait"]["standard-10hz"] + 1
    assert busy["chair_use"]["10hz"] > empty["chair_use"]["10hz"]
    assert schedule.read_bytes() == before


def test_a_schedule_of_another_clinic_is_refused(tmp_path: Path) -> None:
    schedule = tmp_path / "schedule.toml"
    assert run("plan", EXAMPLE, "--today", "2026-11-30", "-o", str(schedule)).exit_code == 0
    result = CliRunner().invoke(main, ["capacity", ONE_CHAIR, "--schedule", str(schedule), "--next",
                                       "--today", "2026-12-01"])
    assert result.exit_code == 2
    assert "the schedule is in America/New_York but the clinic file says America/Chicago" in result.output


def test_next_says_null_and_why_for_a_protocol_no_chair_can_deliver() -> None:
    args = ["capacity", ONE_CHAIR, "--next", "--today", "2027-01-04"]
    data = json.loads(run(*args, "--format", "json").stdout)["next"]
    assert data["snt"] is None  # needs a neuronav chair, which this clinic has not
    # The baseline assessment goes a day or more before the first session.
    assert data["standard-10hz"]["date"] == "2027-01-05" and data["standard-10hz"]["chair"] == "A"
    assert data["standard-10hz"]["staff"] == "dr-a"
    text = run(*args).stdout
    assert "snt: " in text and "neuronav" in text


# -- authorizations ------------------------------------------------------------------------

DESK = REPO / "tests" / "fixtures" / "desk"


def _desk_setup(tmp_path: Path, *, r3_authorized: int | None, with_r3: bool = True) -> Setup:
    """The desk clinic on 2027-03-04: R-001 booked, session 2 missed, 28 sessions authorized;
    R-003 waiting for a 30-session 10 Hz course."""
    from tms_sched.io.schedule import load_schedule

    tmp_path.mkdir()
    schedule = tmp_path / "s.toml"
    shutil.copy(DESK / "schedule.toml", schedule)
    assert run("mark", str(schedule), "R-001", "2027-03-03", "missed", "--today", "2027-03-04").exit_code == 0
    text = (DESK / "roster.toml").read_text()
    text = text.replace('protocol = "standard-10hz"', 'protocol = "standard-10hz"\nauthorized_sessions = 28')
    if with_r3:
        text += '\n[[patients]]\nid = "R-003"\nprotocol = "standard-10hz"\nstart_after = 2027-03-04\n'
        if r3_authorized is not None:
            text += f"authorized_sessions = {r3_authorized}\n"
    roster = tmp_path / "roster.toml"
    roster.write_text(text)
    clinic, patients = load_setup(str(DESK / "clinic.toml"), [str(roster)])
    booked, _ = load_schedule(str(schedule))
    return Setup(clinic, dt.date(2027, 3, 4), booked, list(patients.patients))


def _live(schedule, patient: str) -> int:
    sp = schedule.patient(patient)
    return 0 if sp is None else sum(1 for a in sp.appointments if a.kind != "assessment" and a.live)


def test_the_simulation_books_no_session_past_an_authorization(tmp_path: Path) -> None:
    setup = _desk_setup(tmp_path / "a", r3_authorized=20)
    start = setup.start(setup.clinic)
    assert _live(start, "R-001") == 29          # booked before the limit was known; no make-up added
    assert start.patient("R-003") is None       # needs 30, 20 authorized
    assert [u.id for u in start.unplaced] == ["R-003"]
    # Week by week, too: the held-back course takes no chair time, as if it were not on the roster.
    held = simulate(setup, {"standard-10hz": 1.0}, weeks=2, seed=3, runs=1)
    absent = simulate(_desk_setup(tmp_path / "b", r3_authorized=None, with_r3=False), {"standard-10hz": 1.0},
                      weeks=2, seed=3, runs=1)
    assert by_name(held)["today"].chair_use() == by_name(absent)["today"].chair_use()


def test_the_earliest_start_is_not_taken_by_a_course_past_its_authorization(tmp_path: Path) -> None:
    from tms_sched.capacity.earliest import next_starts

    held = _desk_setup(tmp_path / "a", r3_authorized=20)
    absent = _desk_setup(tmp_path / "b", r3_authorized=None, with_r3=False)
    waiting = _desk_setup(tmp_path / "c", r3_authorized=None)
    for schedule in (held.schedule, None):
        starts = [next_starts(s.clinic, schedule, s.roster, s.today, protocols=["standard-10hz"])
                  for s in (held, absent, waiting)]
        assert starts[0] == starts[1]
        assert starts[0] != starts[2]           # R-003 really competes for the probe's place when booked
