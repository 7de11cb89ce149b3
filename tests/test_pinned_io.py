"""The `pinned` mark and the recorded previous start survive every schedule format."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tms_sched.errors import InputError
from tms_sched.io.schedule import is_schedule_file, load_schedule, to_csv, to_json, to_toml, write_schedule
from tms_sched.schema import json_schema

SCHEDULE = """\
[schedule]
clinic = "Test"
timezone = "America/Los_Angeles"
revision = 4

[[patients]]
id = "P-1"
protocol = "standard-10hz"
appointments = [
  { id = "P-1-01", kind = "mapping", session = 1, chair = "A", start = 2026-12-01T08:00:00-08:00, minutes = 60, staff = "dr", status = "done", revision = 1 },
  { id = "P-1-02", kind = "treatment", session = 2, chair = "A", start = 2026-12-02T10:00:00-08:00, minutes = 40, status = "planned", revision = 4, pinned = true, previous_start = 2026-12-02T08:00:00-08:00 },
  { id = "P-1-03", kind = "treatment", session = 3, chair = "A", start = 2026-12-03T08:00:00-08:00, minutes = 40, status = "planned", revision = 1 },
]
"""


def _load(tmp_path, text=SCHEDULE, name="s.toml"):
    path = tmp_path / name
    path.write_text(text)
    return load_schedule(str(path))[0]


def test_toml_round_trip_keeps_pin_and_previous_start(tmp_path):
    schedule = _load(tmp_path)
    appts = schedule.patients[0].appointments
    assert [a.pinned for a in appts] == [False, True, False]
    assert appts[1].previous_start == dt.datetime.fromisoformat("2026-12-02T08:00:00-08:00")
    text = to_toml(schedule)
    assert ("{ id = \"P-1-02\", kind = \"treatment\", session = 2, chair = \"A\", start = 2026-12-02T10:00:00-08:00, "
            "minutes = 40, status = \"planned\", revision = 4, pinned = true, "
            "previous_start = 2026-12-02T08:00:00-08:00 },") in text
    # an unpinned appointment carries no pinned key at all: older schedules are written unchanged
    assert text.count("pinned") == 1
    assert text == to_toml(_load(tmp_path, text, "again.toml"))


def test_json_round_trip(tmp_path):
    schedule = _load(tmp_path)
    text = to_json(schedule)
    data = json.loads(text)
    appts = data["patients"][0]["appointments"]
    assert "pinned" not in appts[0]
    assert appts[1]["pinned"] is True
    assert appts[1]["previous_start"] == "2026-12-02T08:00:00-08:00"
    again = _load(tmp_path, text, "s.json")
    assert again == schedule


def test_csv_export_has_pinned_columns_at_the_end(tmp_path):
    text = to_csv(_load(tmp_path))
    header, first, second = text.splitlines()[:3]
    assert header.endswith(",note,pinned,previous_start,moved_from,monitor_minutes")
    assert first.endswith(",,,,")
    assert second.endswith(",true,2026-12-02T08:00:00-08:00,,")
    # an export written before the new columns existed is still recognised as one
    old = tmp_path / "old.csv"
    old.write_text(",".join(header.split(",")[:15]) + "\n")
    assert is_schedule_file(str(old))


def test_csv_export_replaceable_by_write(tmp_path):
    path = tmp_path / "out.csv"
    write_schedule(str(path), _load(tmp_path))
    write_schedule(str(path), _load(tmp_path))
    assert "pinned" in path.read_text().splitlines()[0]


def test_schema_documents_pinned():
    props = json_schema("schedule")["$defs"]["Appointment"]["properties"]
    assert props["pinned"]["type"] == "boolean"
    assert "previous_start" in props


def test_pinned_must_be_boolean(tmp_path):
    import pytest

    from tms_sched.errors import InputError

    with pytest.raises(InputError) as info:
        _load(tmp_path, SCHEDULE.replace("pinned = true", 'pinned = "yes"'))
    text = "\n".join(info.value.lines())
    assert "s.toml:11" in text and "pinned" in text


def test_moved_from_survives_toml_json_and_csv(tmp_path):
    text = SCHEDULE.replace(
        "pinned = true, previous_start = 2026-12-02T08:00:00-08:00 },",
        "pinned = true, previous_start = 2026-12-02T08:00:00-08:00, moved_from = [{ start = "
        "2026-12-01T09:00:00-08:00, booked = 1, moved = 3 }, { start = 2026-12-02T08:00:00-08:00, booked = 3, "
        "moved = 4 }] },")
    schedule = _load(tmp_path, text)
    earlier = schedule.patients[0].appointments[1].moved_from
    assert [(e.start.isoformat(), e.booked, e.moved) for e in earlier] == [
        ("2026-12-01T09:00:00-08:00", 1, 3), ("2026-12-02T08:00:00-08:00", 3, 4)]
    assert to_toml(schedule).count("moved_from") == 1       # written only where there is one
    assert _load(tmp_path, to_toml(schedule), "again.toml") == schedule
    data = json.loads(to_json(schedule))
    assert [("moved_from" in a) for a in data["patients"][0]["appointments"]] == [False, True, False]
    assert _load(tmp_path, to_json(schedule), "s.json") == schedule
    assert to_csv(schedule).splitlines()[2].endswith(
        ",2026-12-01T09:00:00-08:00 (revisions 1-3); 2026-12-02T08:00:00-08:00 (revisions 3-4),")
    bad = text.replace("moved = 3 }, {", 'moved = 3, chair = "A" }, {')
    with pytest.raises(InputError) as info:  # an unknown key is an error with its line, as everywhere
        _load(tmp_path, bad, "bad.toml")
    assert "bad.toml:11: patients[0].appointments[1].moved_from[0].chair: unknown key 'chair'" in str(info.value)
