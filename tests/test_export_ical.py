"""`tms-sched export ical`: every file parsed by two independent parsers and compared with the schedule."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from click.testing import CliRunner
from ical.calendar_stream import IcsCalendarStream

from tms_sched.cli import main
from tms_sched.io.schedule import load_schedule
from tms_sched.render.ical import file_stems

FIX = Path(__file__).parent / "fixtures" / "export"
CLINIC = str(FIX / "clinic.toml")
ROSTER = str(FIX / "roster.csv")
SCHEDULE = str(FIX / "schedule.toml")
MOVED = str(FIX / "schedule-moved.toml")
CLINIC_NAME = "Harbor Interventional Psychiatry; Bay, Annex"
ZONE = ZoneInfo("America/Los_Angeles")
NAMES = {
    "P-0001": "Zoë O'Brien-Núñez, Jr.; \"Jo\"",
    "P-0003": "Ana\\María\nsecond line; 日本語 🙂, ok",
    "Q/ünï 5": "Łukasz Kowalski-Wiśniewski, \\ the \"third\"; Kraków",
}


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def export(out: Path, *args: str, schedule: str = SCHEDULE):
    out.mkdir(parents=True, exist_ok=True)
    result = run("export", "ical", schedule, "--clinic", CLINIC, "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    return result


def parse(path: Path):
    """The calendar as the strict `ical` package reads it and as icalendar reads it."""
    data = path.read_bytes()
    strict = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    loose = icalendar.Calendar.from_ical(data)
    return strict, loose


def appointment_id(description: str) -> str:
    last = description.splitlines()[-1]
    assert last.startswith("Appointment ")
    return last.removeprefix("Appointment ").rsplit(", schedule revision", 1)[0]


def expected_by_file(by: str) -> dict[str, list]:
    schedule, _ = load_schedule(SCHEDULE)
    pairs = list(schedule.appointments())
    if by == "patient":
        stems = file_stems([p.id for p in schedule.patients])
        return {f"patient-{stems[p.id]}.ics": [(p, a) for p, a in pairs if p.id == pid]
                for pid, p in ((p.id, p) for p in schedule.patients)}
    if by == "chair":
        return {f"chair-{c}.ics": [(p, a) for p, a in pairs if a.chair == c] for c in ("A", "B", "K")}
    if by == "staff":
        # tech-ana, a technician, is never named on an appointment and gets no calendar.
        return {f"staff-{s}.ics": [(p, a) for p, a in pairs if a.staff == s] for s in ("dr-kim", "rn-lopez")}
    return {"clinic.ics": pairs}


@pytest.mark.parametrize("by", ["patient", "chair", "staff", "clinic"])
def test_every_view_matches_the_schedule_in_both_parsers(tmp_path, by):
    result = export(tmp_path, "--by", by)
    expected = expected_by_file(by)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(expected)
    for name, pairs in expected.items():
        assert f"{tmp_path / name}: {len(pairs)} event" in result.stdout
        strict, loose = parse(tmp_path / name)
        assert len(strict.events) == len(pairs)
        assert len(loose.events) == len(pairs)
        strict_by_id = {appointment_id(e.description): e for e in strict.events}
        loose_by_id = {appointment_id(str(e["DESCRIPTION"])): e for e in loose.events}
        assert len(strict_by_id) == len(loose_by_id) == len(pairs)
        for _, appt in pairs:
            start = appt.start.astimezone(ZONE).replace(tzinfo=None)
            end = appt.end.astimezone(ZONE).replace(tzinfo=None)
            for ev_start, ev_end, location in (
                (strict_by_id[appt.id].dtstart, strict_by_id[appt.id].dtend, strict_by_id[appt.id].location),
                (loose_by_id[appt.id].decoded("DTSTART"), loose_by_id[appt.id].decoded("DTEND"),
                 str(loose_by_id[appt.id]["LOCATION"])),
            ):
                assert ev_start.tzinfo.key == "America/Los_Angeles"
                assert ev_start.replace(tzinfo=None) == start
                assert ev_end.replace(tzinfo=None) == end
                assert ev_start == appt.start  # the same instant
                if appt.chair:
                    assert location.startswith(f"Chair {appt.chair} (")
                    assert location.endswith(f", {CLINIC_NAME}")
                else:
                    assert location == CLINIC_NAME


def test_local_times_hold_across_both_daylight_saving_changes(tmp_path):
    export(tmp_path, "--by", "clinic")
    text = (tmp_path / "clinic.ics").read_bytes().decode("utf-8")
    # P-0001 at 08:00 before (-07:00) and after (-08:00) the clocks go back on 2026-11-01;
    # P-0002 at 15:00 before (-08:00) and after (-07:00) they go forward on 2027-03-14.
    for stamp in ("20261030T080000", "20261103T080000", "20270311T150000", "20270318T150000"):
        assert f"DTSTART;TZID=America/Los_Angeles:{stamp}\r\n" in text
    strict, loose = parse(tmp_path / "clinic.ics")
    starts = {appointment_id(e.description): e.dtstart for e in strict.events}
    assert starts["P-0001-02"].utcoffset() == dt.timedelta(hours=-7)
    assert starts["P-0001-04"].utcoffset() == dt.timedelta(hours=-8)
    assert starts["P-0002-01"].utcoffset() == dt.timedelta(hours=-8)
    assert starts["P-0002-02"].utcoffset() == dt.timedelta(hours=-7)


def test_the_vtimezone_alone_gives_every_event_its_offset(tmp_path):
    """A client that ignores the IANA name and reads only the VTIMEZONE gets the same instants."""
    export(tmp_path, "--by", "clinic")
    schedule, _ = load_schedule(SCHEDULE)
    _, loose = parse(tmp_path / "clinic.ics")
    (vtimezone,) = loose.timezones
    assert str(vtimezone["TZID"]) == "America/Los_Angeles"
    own_zone = vtimezone.to_tz()
    first_onset = min(sub.decoded("DTSTART") for sub in vtimezone.subcomponents)
    assert first_onset <= dt.datetime(2026, 10, 27)
    for _, appt in schedule.appointments():
        local = appt.start.astimezone(ZONE).replace(tzinfo=None)
        assert local.replace(tzinfo=own_zone).utcoffset() == appt.start.utcoffset(), appt.id


def test_calendar_header(tmp_path):
    export(tmp_path, "--by", "chair")
    raw = (tmp_path / "chair-B.ics").read_bytes()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n")
    strict, loose = parse(tmp_path / "chair-B.ics")
    assert strict.method == "PUBLISH"
    assert strict.prodid == "-//tms-sched//tms-sched export ical//EN"
    assert strict.version == "2.0"
    title = f"Chair B (NeuroStar 2, west; by the window), {CLINIC_NAME}"
    assert strict.name == [title]
    assert str(loose["METHOD"]) == "PUBLISH"
    assert str(loose["X-WR-CALNAME"]) == icalendar.vText(title).to_ical().decode("utf-8")  # kept escaped
    assert str(loose["X-WR-TIMEZONE"]) == "America/Los_Angeles"
    assert [str(e["DTSTAMP"].to_ical(), "ascii") for e in loose.events] == ["20261203T000000Z"] * 4


def test_summaries_statuses_and_sequence(tmp_path):
    export(tmp_path, "--by", "patient")
    events = {}
    for path in sorted(tmp_path.glob("*.ics")):
        strict, _ = parse(path)
        events.update({appointment_id(e.description): e for e in strict.events})
    summaries = {k: e.summary for k, e in events.items()}
    assert summaries == {
        "P-0001-b": "Baseline assessment",
        "P-0001-01": "Motor-threshold mapping (standard-10hz)",
        "P-0001-02": "TMS session 2 of 30 (standard-10hz)",
        "P-0001-03": "Missed: TMS session 3 of 30 (standard-10hz)",
        "P-0001-04": "TMS session 4 of 30 (standard-10hz)",
        "P-0001-03m": "TMS session 3 of 30 (standard-10hz, make-up)",
        "P-0001-05": "Cancelled: TMS session 5 of 30 (standard-10hz)",
        "P-0001-f": "Follow-up assessment",
        "P-0002-01": "Motor-threshold re-check (maintenance)",
        "P-0002-02": "TMS session 2 of 11 (maintenance)",
        "P-0002-03": "TMS session 3 of 11 (maintenance)",
        "P-0003-b": "Baseline assessment",
        "P-0003-01": "First infusion (ketamine-iv-6)",
        "P-0003-02": "Session 2 of 6 (ketamine-iv-6)",
        "Q/ünï 5 #1": "Motor-threshold mapping (standard-itbs)",
        "Q/ünï 5 #2": "Cancelled: TMS session 2 of 30 (standard-itbs)",
    }
    statuses = {k: e.status for k, e in events.items()}
    assert statuses["P-0001-03"] == statuses["P-0001-05"] == statuses["Q/ünï 5 #2"] == "CANCELLED"
    assert statuses["P-0001-04"] == statuses["P-0001-01"] == "CONFIRMED"
    assert events["P-0001-03"].transparency == "TRANSPARENT"
    assert events["P-0001-04"].transparency == "OPAQUE"
    assert {k: e.sequence for k, e in events.items() if k.startswith("P-0001")} == {
        "P-0001-b": 1, "P-0001-01": 1, "P-0001-02": 1, "P-0001-03": 2, "P-0001-04": 1,
        "P-0001-03m": 2, "P-0001-05": 3, "P-0001-f": 1,
    }
    assert len({e.uid for e in events.values()}) == len(events)
    assert "called in sick" not in "".join(p.read_text(encoding="utf-8") for p in tmp_path.glob("*.ics"))


def test_chair_view_names_the_patient_by_id(tmp_path):
    export(tmp_path, "--by", "chair")
    strict, _ = parse(tmp_path / "chair-A.ics")
    summaries = sorted(e.summary for e in strict.events)
    assert "P-0001: TMS session 2 of 30 (standard-10hz)" in summaries
    assert "Cancelled: Q/ünï 5: TMS session 2 of 30 (standard-itbs)" in summaries


def test_two_exports_are_byte_identical(tmp_path):
    for by in ("patient", "chair", "staff", "clinic"):
        export(tmp_path / "one" / by, "--by", by, "--include-names", "--roster", ROSTER, "--alarm", "30")
        export(tmp_path / "two" / by, "--by", by, "--include-names", "--roster", ROSTER, "--alarm", "30")
        one = sorted((tmp_path / "one" / by).iterdir())
        two = sorted((tmp_path / "two" / by).iterdir())
        assert [p.name for p in one] == [p.name for p in two]
        for a, b in zip(one, two):
            assert a.read_bytes() == b.read_bytes()
    # exporting again into the same folder replaces our own files with the same bytes
    before = {p.name: p.read_bytes() for p in (tmp_path / "one" / "clinic").iterdir()}
    export(tmp_path / "one" / "clinic", "--by", "clinic", "--include-names", "--roster", ROSTER, "--alarm", "30")
    assert {p.name: p.read_bytes() for p in (tmp_path / "one" / "clinic").iterdir()} == before


def test_a_moved_session_keeps_its_uid_and_gets_a_higher_sequence(tmp_path):
    export(tmp_path / "before", "--by", "chair")
    export(tmp_path / "after", "--by", "chair", schedule=MOVED)

    def events(folder: Path):
        out = {}
        for path in sorted(folder.glob("*.ics")):
            strict, _ = parse(path)
            out.update({appointment_id(e.description): (path.name, e) for e in strict.events})
        return out

    before, after = events(tmp_path / "before"), events(tmp_path / "after")
    assert before.keys() == after.keys()
    assert {k: e.uid for k, (_, e) in before.items()} == {k: e.uid for k, (_, e) in after.items()}
    (file_b, old), (file_a, new) = before["P-0001-04"], after["P-0001-04"]
    assert (file_b, file_a) == ("chair-B.ics", "chair-A.ics")
    assert new.uid == old.uid
    assert (old.sequence, new.sequence) == (1, 4)
    assert old.dtstart == dt.datetime(2026, 11, 3, 8, tzinfo=ZONE)
    assert new.dtstart == dt.datetime(2026, 11, 6, 8, tzinfo=ZONE)
    assert new.dtstamp > old.dtstamp
    unchanged = [k for k in before if k != "P-0001-04"]
    assert all(before[k][1].sequence == after[k][1].sequence for k in unchanged)


def test_patients_appear_by_id_only_unless_names_are_asked_for(tmp_path):
    for by in ("patient", "chair", "staff", "clinic"):
        export(tmp_path / by, "--by", by, "--roster", ROSTER)
    text = "".join(p.read_text(encoding="utf-8") for p in tmp_path.rglob("*.ics"))
    for fragment in ("Zoë", "O'Brien", "María", "日本語", "Łukasz", "Kowalski", "Kraków"):
        assert fragment not in text
    assert "P-0001" in text


def test_awkward_names_survive_escaping_and_folding(tmp_path):
    result = export(tmp_path / "chair", "--by", "chair", "--include-names", "--roster", ROSTER)
    assert "no name in the roster for P-0002" in result.stderr
    export(tmp_path / "patient", "--by", "patient", "--include-names", "--roster", ROSTER)
    for path in sorted(tmp_path.rglob("*.ics")):
        raw = path.read_bytes()
        assert raw.endswith(b"END:VCALENDAR\r\n")
        lines = raw.split(b"\r\n")
        assert all(b"\n" not in line and b"\r" not in line for line in lines)
        assert max(len(line) for line in lines) <= 75, path.name
        for line in lines:
            line.decode("utf-8")  # folding never splits a character
    strict, loose = parse(tmp_path / "chair" / "chair-A.ics")
    wanted = {
        f"{NAMES['P-0001']} (P-0001): TMS session 2 of 30 (standard-10hz)",
        f"Cancelled: {NAMES['Q/ünï 5']} (Q/ünï 5): TMS session 2 of 30 (standard-itbs)",
    }
    assert wanted <= {e.summary for e in strict.events}
    assert wanted <= {str(e["SUMMARY"]) for e in loose.events}
    strict, loose = parse(tmp_path / "chair" / "chair-K.ics")
    assert {e.summary for e in strict.events} == {
        f"{NAMES['P-0003']} (P-0003): First infusion (ketamine-iv-6)",
        f"{NAMES['P-0003']} (P-0003): Session 2 of 6 (ketamine-iv-6)",
    }
    assert all(str(e["DESCRIPTION"]).startswith(f"Patient: {NAMES['P-0003']} (P-0003)\n") for e in loose.events)
    strict, _ = parse(tmp_path / "patient" / "patient-P-0003.ics")
    assert strict.name == [f"{NAMES['P-0003']} (P-0003): appointments at {CLINIC_NAME}"]


def test_reminders_on_planned_appointments_only(tmp_path):
    export(tmp_path, "--by", "patient", "--patient", "P-0001", "--alarm", "30", "--alarm", "1440")
    assert [p.name for p in tmp_path.iterdir()] == ["patient-P-0001.ics"]
    strict, loose = parse(tmp_path / "patient-P-0001.ics")
    for event in strict.events:
        triggers = sorted(a.trigger for a in event.alarm)
        if event.summary.startswith(("Missed", "Cancelled")) or event.dtstart < dt.datetime(2026, 11, 1, tzinfo=ZONE):
            assert triggers == [], event.summary
        else:
            assert triggers == [dt.timedelta(days=-1), dt.timedelta(minutes=-30)], event.summary
            assert all(a.action == "DISPLAY" and a.description for a in event.alarm)
    assert sum(len(e.walk("VALARM")) for e in loose.events) == 2 * 3


def test_safe_file_names(tmp_path):
    export(tmp_path, "--by", "patient")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names[:3] == ["patient-P-0001.ics", "patient-P-0002.ics", "patient-P-0003.ics"]
    assert names[3].startswith("patient-Q_uni_5-") and names[3].isascii()
    assert file_stems(["P-1", "p-1"]) != {"P-1": "P-1", "p-1": "p-1"}
    stems = file_stems(["P-1", "p-1", "../x", "x", "CON"])
    assert len({s.casefold() for s in stems.values()}) == 5
    assert all("/" not in s and not s.startswith(".") for s in stems.values())


# -- refusals: a plain sentence and exit 2, nothing written -------------------------------

def refused(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.stderr


def test_unknown_patient(tmp_path):
    result = run("export", "ical", SCHEDULE, "--clinic", CLINIC, "--by", "patient", "-o", str(tmp_path),
                 "--patient", "P-0010")
    refused(result, "error: --patient P-0010: no such patient in", "did you mean", "(patients: P-0001, P-0002, P-0003, Q/ünï 5)")
    result = run("export", "ical", SCHEDULE, "--clinic", CLINIC, "--by", "patient", "-o", str(tmp_path),
                 "--patient", "P-0009")
    refused(result, "has no appointments", "no chair with capability 'neuronav'")
    assert list(tmp_path.iterdir()) == []


def test_missing_or_wrong_output_folder(tmp_path):
    target = tmp_path / "new" / "calendars"
    result = run("export", "ical", SCHEDULE, "--clinic", CLINIC, "--by", "clinic", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert f"created {target}/" in result.stderr
    assert [p.name for p in target.iterdir()] == ["clinic.ics"]
    # A refused export creates nothing.
    result = run("export", "ical", SCHEDULE, "--clinic", CLINIC, "--by", "patient", "-o", str(tmp_path / "none"),
                 "--patient", "P-0010")
    refused(result, "no such patient")
    assert not (tmp_path / "none").exists()
    (tmp_path / "file").write_text("x")
    result = run("export", "ical", SCHEDULE, "--clinic", CLINIC, "--by", "clinic", "-o", str(tmp_path / "file"))
    refused(result, "is a file, not a folder")


def test_bad_option_combinations(tmp_path):
    refused(run("export", "ical", SCHEDULE, "--clinic", CLINIC, "--by", "chair", "-o", str(tmp_path),
                "--patient", "P-0001"), "use it with --by patient")
    refused(run("export", "ical", SCHEDULE, "--clinic", CLINIC, "--by", "room", "-o", str(tmp_path)))
    refused(run("export", "ical", SCHEDULE, "--clinic", CLINIC, "--by", "clinic", "-o", str(tmp_path),
                "--alarm", "-5"))
    refused(run("export", "ical", SCHEDULE, "--clinic", str(FIX / "clinic-nostaff.toml"), "--by", "staff",
                "-o", str(tmp_path)), "names no staff")
    assert list(tmp_path.iterdir()) == []


def test_schedule_of_another_clinic_or_with_unknown_ids(tmp_path):
    other = str(FIX / "other-clinic-schedule.toml")
    result = run("export", "ical", other, "--clinic", CLINIC, "--by", "clinic", "-o", str(tmp_path))
    refused(result, f"{other}:4: schedule.clinic: the schedule belongs to 'Riverside TMS Center'",
            f"{other}:5: schedule.timezone:")
    result = run("export", "ical", SCHEDULE, "--clinic", str(FIX / "clinic-nostaff.toml"), "--by", "clinic",
                 "-o", str(tmp_path))
    refused(result, f"{SCHEDULE}:16: patients[0].appointments[0]: appointment P-0001-b names staff 'dr-kim'")
    assert list(tmp_path.iterdir()) == []


def test_never_overwrites_a_file_that_is_not_ours(tmp_path):
    (tmp_path / "clinic.ics").write_text("my own notes\n")
    refused(run("export", "ical", SCHEDULE, "--clinic", CLINIC, "--by", "clinic", "-o", str(tmp_path)),
            "clinic.ics: already exists and is not a calendar that tms-sched exported", "refusing to overwrite")
    assert (tmp_path / "clinic.ics").read_text() == "my own notes\n"

    other_program = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//Else//EN\r\nEND:VCALENDAR\r\n"
    (tmp_path / "clinic.ics").write_text(other_program, newline="")
    refused(run("export", "ical", SCHEDULE, "--clinic", CLINIC, "--by", "clinic", "-o", str(tmp_path)))
    assert (tmp_path / "clinic.ics").read_bytes() == other_program.encode()

    # our own export, but for another clinic: also left alone
    (tmp_path / "clinic.ics").unlink()
    export(tmp_path, "--by", "clinic")
    ours = (tmp_path / "clinic.ics").read_bytes()
    theirs = ours.replace(b"X-TMS-SCHED-CLINIC:Harbor", b"X-TMS-SCHED-CLINIC:Elsewhere")
    assert theirs != ours
    (tmp_path / "clinic.ics").write_bytes(theirs)
    refused(run("export", "ical", SCHEDULE, "--clinic", CLINIC, "--by", "clinic", "-o", str(tmp_path)))
    assert (tmp_path / "clinic.ics").read_bytes() == theirs

    # a folder in the way of one file stops the whole export before anything is written
    shutil.rmtree(tmp_path)
    tmp_path.mkdir()
    (tmp_path / "chair-B.ics").mkdir()
    refused(run("export", "ical", SCHEDULE, "--clinic", CLINIC, "--by", "chair", "-o", str(tmp_path)))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chair-B.ics"]


def test_exports_what_the_planner_writes(tmp_path):
    root = Path(__file__).resolve().parents[1]
    config = str(root / "config.example.toml")
    schedule_path = tmp_path / "schedule.toml"
    planned = run("plan", config, "-o", str(schedule_path), "--today", "2026-11-30")
    assert planned.exit_code in (0, 1), planned.output
    schedule, _ = load_schedule(str(schedule_path))
    count = sum(1 for _ in schedule.appointments())
    assert count > 0
    out = tmp_path / "out"
    out.mkdir()
    result = run("export", "ical", str(schedule_path), "--clinic", config, "--by", "clinic", "-o", str(out))
    assert result.exit_code == 0, result.output
    strict, loose = parse(out / "clinic.ics")
    assert len(strict.events) == len(loose.events) == count
    zone = ZoneInfo(schedule.schedule.timezone)
    starts = sorted(e.dtstart for e in strict.events)
    assert starts == sorted(a.start.astimezone(zone) for _, a in schedule.appointments())


def test_a_schedule_without_appointments_gives_empty_valid_calendars(tmp_path):
    result = export(tmp_path, "--by", "chair", schedule=str(FIX / "schedule-empty.toml"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chair-A.ics", "chair-B.ics", "chair-K.ics"]
    assert f"{tmp_path / 'chair-A.ics'}: 0 events" in result.stdout
    strict, loose = parse(tmp_path / "chair-A.ics")
    assert strict.events == [] and loose.events == []
    assert [str(tz["TZID"]) for tz in loose.timezones] == ["America/Los_Angeles"]  # never an empty VCALENDAR
    result = export(tmp_path / "patients", "--by", "patient", schedule=str(FIX / "schedule-empty.toml"))
    assert list((tmp_path / "patients").iterdir()) == []
    assert "nothing to export" in result.stderr


def test_a_patient_twice_or_an_appointment_id_twice_is_refused(tmp_path):
    path = str(FIX / "schedule-duplicate-patient.toml")
    result = run("export", "ical", path, "--clinic", CLINIC, "--by", "patient", "-o", str(tmp_path))
    refused(result, f"{path}:17: patients[1].id: patient 'P-0001' appears twice",
            f"{path}:20: patients[1].appointments[0]: appointment id 'P-0001-01' is used twice")
    assert list(tmp_path.iterdir()) == []


def test_an_offset_that_disagrees_with_the_zone_is_exported_at_its_instant_with_a_warning(tmp_path):
    text = Path(SCHEDULE).read_text(encoding="utf-8")
    wrong = text.replace("2026-11-03T08:00:00-08:00", "2026-11-03T08:00:00-07:00")
    assert wrong != text
    path = tmp_path / "schedule.toml"
    path.write_text(wrong, encoding="utf-8")
    result = export(tmp_path / "out", "--by", "clinic", schedule=str(path))
    assert result.stderr == (f"warning: {path}:20: patients[0].appointments[4]: P-0001-04: offset -0700 disagrees "
                             "with America/Los_Angeles on 2026-11-03 (TMS017); exported as 07:00 local time\n")
    strict, _ = parse(tmp_path / "out" / "clinic.ics")
    (event,) = [e for e in strict.events if appointment_id(e.description) == "P-0001-04"]
    assert event.dtstart == dt.datetime(2026, 11, 3, 7, tzinfo=ZONE)


def test_another_clinics_file_is_said_once_not_per_appointment(tmp_path):
    # The example schedule's chairs and staff are not the nostaff fixture's, and its name differs too.
    other = tmp_path / "renamed.toml"
    other.write_text(Path(SCHEDULE).read_text().replace('clinic = "', 'clinic = "Elsewhere ', 1))
    result = run("export", "ical", str(other), "--clinic", str(FIX / "clinic-nostaff.toml"), "--by", "clinic",
                 "-o", str(tmp_path / "out"))
    refused(result, "schedule.clinic: the schedule belongs to 'Elsewhere ", "follow from that; they are not listed")
    assert result.stderr.count("error:") <= 3


def test_subscribers_are_told_how_often_to_refresh(tmp_path):
    export(tmp_path, "--by", "clinic")
    raw = (tmp_path / "clinic.ics").read_bytes().decode("utf-8")
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in raw
    assert "\r\nX-PUBLISHED-TTL:PT1H\r\n" in raw
    strict, loose = parse(tmp_path / "clinic.ics")
    assert loose["REFRESH-INTERVAL"].dt == dt.timedelta(hours=1)
