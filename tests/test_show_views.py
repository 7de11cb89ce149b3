"""`tms-sched show`: snapshots of every view at a fixed width with colour off, and the facts
each view must get right on the fixture (a clock change, a holiday, missed sessions, an
accelerated week).

Snapshots live in tests/snapshots/show/; after a deliberate change to a view, rewrite
them with ``TMS_UPDATE_SNAPSHOTS=1 pytest tests/test_show_views.py`` and read the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from tms_sched.cli import main

HERE = Path(__file__).parent
FIX = HERE / "fixtures" / "show"
SNAPSHOTS = HERE / "snapshots" / "show"
SCHEDULE = str(FIX / "schedule.toml")
CLINIC = str(FIX / "clinic.toml")
TODAY = "2027-03-17"
WIDTH = 100

CASES = {
    # agenda: today by default, a range over the clock change, a holiday, one chair, one patient
    "agenda-today": [],
    "agenda-dst-range": ["--date", "2027-03-12", "--to", "2027-03-15"],
    "agenda-holiday": ["--date", "2027-03-31"],
    "agenda-chair-missed": ["--date", "2027-03-16", "--chair", "C"],
    "agenda-chair-down": ["--date", "2027-03-18", "--chair", "C"],
    "agenda-patient-accelerated-week": ["--date", "2027-03-15", "--to", "friday", "--patient", "P-0102"],
    # week: the accelerated week, the week of the clock change, the holiday week, one chair
    "week-accelerated": ["--view", "week"],
    "week-dst": ["--view", "week", "--date", "2027-03-08"],
    "week-holiday": ["--view", "week", "--date", "2027-03-31"],
    "week-chair": ["--view", "week", "--chair", "C"],
    # (the last --clinic and --width win: twelve chairs in a narrow grid are counted, not marked)
    "week-many-chairs": ["--view", "week", "--clinic", str(FIX / "clinic-12-chairs.toml"), "--width", "60"],
    # patient: across the clock change with a missed session; accelerated; discharged; unplaced
    "patient-standard": ["--view", "patient", "--patient", "P-0101"],
    "patient-accelerated": ["--view", "patient", "--patient", "P-0102"],
    "patient-maintenance": ["--view", "patient", "--patient", "P-0103"],
    "patient-discharged": ["--view", "patient", "--patient", "P-0105"],
    "patient-unplaced": ["--view", "patient", "--patient", "P-0106"],
    # chairs: a missed session and its make-up; a chair down and a chairless assessment; a holiday
    "chairs-missed": ["--view", "chairs", "--date", "2027-03-16"],
    "chairs-down": ["--view", "chairs", "--date", "2027-03-19"],
    "chairs-holiday": ["--view", "chairs", "--date", "2027-03-31"],
    # load: four weeks with the clock change and both closed days; one chair over a range
    "load-four-weeks": ["--view", "load", "--date", "2027-03-10"],
    "load-chair-range": ["--view", "load", "--date", "2027-03-15", "--to", "2027-04-02", "--chair", "A"],
}


def show(*args: str, schedule: str = SCHEDULE, width: int | None = WIDTH):
    argv = ["show", schedule, "--clinic", CLINIC, "--today", TODAY]
    if width is not None:
        argv += ["--width", str(width)]
    argv += args
    return CliRunner().invoke(main, argv, catch_exceptions=False)


def output(*args: str, **kwargs) -> str:
    result = show(*args, **kwargs)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("name", sorted(CASES))
def test_snapshot(name: str) -> None:
    text = output(*CASES[name])
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("TMS_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}; run with TMS_UPDATE_SNAPSHOTS=1 to write it"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("width", [40, 60, 80, 100, 160])
def test_fits_width_and_is_plain(name: str, width: int) -> None:
    args = list(CASES[name])
    if "--width" in args:  # the case's own width gives way to the one under test
        del args[args.index("--width"):args.index("--width") + 2]
    text = output(*args, width=width)
    assert "\x1b" not in text
    too_wide = [line for line in text.splitlines() if cell_len(line) > width]
    assert not too_wide, f"{len(too_wide)} lines wider than {width}: {too_wide[0]!r}"
    if name.startswith("agenda") and width >= 60:
        assert "…" not in text  # the agenda folds or drops columns; it never cuts a word


def section(text: str, heading: str) -> str:
    """The lines of one day of an agenda, from its heading to the next blank line."""
    lines = text.splitlines()
    start = lines.index(heading)
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return "\n".join(lines[start:end])


def test_agenda_keeps_wall_clock_time_across_the_clock_change() -> None:
    text = output("--date", "2027-03-12", "--to", "2027-03-15")
    friday = section(text, "Friday 2027-03-12")
    monday = section(text, "Monday 2027-03-15")
    row = re.compile(r"^  08:00-08:40\s+A\s+P-0101\s+treatment\s+(\d+) of 30", re.M)
    assert row.search(friday).group(1) == "10"   # offset -08:00
    assert row.search(monday).group(1) == "11"   # offset -07:00, same wall-clock time
    sunday = section(text, "Sunday 2027-03-14")
    assert "daylight saving: clocks go forward 02:00 -> 03:00" in sunday
    assert "Saturday 2027-03-13" not in text     # a closed weekend day without news is left out


def test_agenda_fall_back_keeps_wall_clock_time() -> None:
    text = output("--date", "2026-10-30", "--to", "2026-11-02", schedule=str(FIX / "fallback.toml"))
    assert "daylight saving: clocks go back 02:00 -> 01:00" in section(text, "Sunday 2026-11-01")
    assert re.search(r"^  08:00-08:40\s+A\s+P-0201\s+treatment\s+2 of 30", section(text, "Friday 2026-10-30"), re.M)
    assert re.search(r"^  08:00-08:40\s+A\s+P-0201\s+treatment\s+3 of 30", section(text, "Monday 2026-11-02"), re.M)


def test_agenda_marks_the_holiday_closed() -> None:
    text = output("--date", "2027-03-31")
    assert section(text, "Wednesday 2027-03-31").splitlines()[1].strip() == "closed: public holiday: Cesar Chavez Day"


def test_agenda_shows_the_missed_session_its_make_up_and_the_gaps() -> None:
    text = output("--date", "2027-03-16", "--chair", "C")
    rows = [line.split() for line in text.splitlines() if re.match(r"^  \d\d:\d\d-\d\d:\d\d", line)]
    missed = [r for r in rows if "missed" in r]
    assert [r[0] for r in missed] == ["10:10-10:25"]
    assert missed[0][4:7] == ["8", "of", "25"]
    make_up = next(r for r in rows if "make-up" in r)
    assert make_up[0] == "13:35-13:50" and make_up[4:7] == ["8", "of", "25,"]
    # The missed session leaves its time free: the gap runs from 09:20 to 11:15.
    gaps = [r[0] for r in rows if r[1:3] == ["·", "free"]]
    assert "09:20-11:15" in gaps


def test_accelerated_day_gaps_are_at_least_fifty_minutes() -> None:
    text = output("--date", "2027-03-18", "--chair", "C")
    rows = [line.split() for line in text.splitlines() if re.match(r"^  \d\d:\d\d-\d\d:\d\d", line)]
    sessions = [r for r in rows if r[1:3] == ["C", "P-0102"]]
    assert len(sessions) == 5
    assert [r[4] for r in sessions] == ["16", "17", "18", "19", "20"]
    def minute(hhmm: str) -> int:
        return int(hhmm[:2]) * 60 + int(hhmm[3:])

    spans = [(minute(r[0][:5]), minute(r[0][6:])) for r in sessions]
    gaps = [b[0] - a[1] for a, b in zip(spans, spans[1:])]
    assert gaps == [50, 50, 50, 60]              # the last one spans the lunch break
    free = [r[0] for r in rows if r[1:3] == ["·", "free"]]
    assert free == ["07:30-08:00", "08:15-09:05", "09:20-10:10", "10:25-11:15", "11:30-12:00", "12:45-14:00"]


def test_patient_progress_projected_end_and_follow_up_window() -> None:
    text = output("--view", "patient", "--patient", "P-0101")
    assert re.search(r"^progress\s+11 of 30 done \(19 planned, 1 missed\)$", text, re.M)
    assert re.search(r"^projected end\s+Wednesday 2027-04-14$", text, re.M)
    assert re.search(r"^follow-up window\s+2027-04-28 to 2027-05-12 \(14 to 28 days after the last session\)$",
                     text, re.M)
    assert re.search(r"^mapping\s+Monday 2027-03-01 08:00, chair A, with dr-kim, ✓ done$", text, re.M)
    week2 = next(line for line in text.splitlines() if line.startswith(" 2 03-08"))
    assert week2.split() == ["2", "03-08", "✓6", "✓7", "✗8", "✓9", "✓10", "4✓", "1✗"]
    week5 = next(line for line in text.splitlines() if line.startswith(" 5 03-29"))
    assert week5.split()[4] == "closed"          # Cesar Chavez Day
    week7 = next(line for line in text.splitlines() if line.startswith(" 7 04-12"))
    assert "○8*" in week7.split()               # the make-up of session 8


def test_patient_accelerated_week_in_one_row() -> None:
    text = output("--view", "patient", "--patient", "P-0102")
    week1 = next(line for line in text.splitlines() if line.startswith(" 1 03-15"))
    assert week1.split() == ["1", "03-15", "✓✓✓✓✓", "1-5", "map", "✓✓✗✓✓✓", "6-10*", "○○○○○", "11-15", "○○○○○",
                             "16-20", "○○○○○", "21-25", "10✓", "1✗", "15○"]


def test_week_marks_each_chair() -> None:
    text = output("--view", "week", "--date", "2027-03-19")
    row = next(line for line in text.splitlines() if line.startswith("│ 08:00"))
    cells = [c.strip() for c in row.strip("│").split("│")]
    # Mon..Fri; chairs A B C. Friday: chair B is down all morning (blank), C partly booked.
    assert cells == ["08:00", "█ · █", "█ · ▒", "█ · ▒", "█ · ▒", "█   ▒"]
    free = next(line for line in text.splitlines() if line.startswith("│ free"))
    # The free chair time with somebody on shift: none after 17:00 (16:00 on Tuesday and
    # Thursday), when the clinic is open but nobody works.
    assert [c.strip() for c in free.strip("│").split("│")][1:] == ["24h20", "22h05", "24h25", "20h05", "20h35"]


def minutes(text: str) -> int:
    """``27 h 25 min``, ``3 h``, ``45 min``, ``24h20``, ``8h``, ``45m`` -> minutes."""
    m = re.fullmatch(r"(?:(\d+) ?h)? ?(?:(\d+) ?(?:min|m)?)?", text.strip())
    assert m and text.strip(), text
    return int(m.group(1) or 0) * 60 + int(m.group(2) or 0)


def agenda_free(day: str, *args: str) -> int:
    """The agenda's free chair time of ``day`` less the part of it with no staff on shift."""
    text = " ".join(output("--date", day, *args).split())
    m = re.search(r"booked, ([\dhmin ]+?) free(?: \(([\dhmin ]+?) of it with no staff on shift\))?[;\s]", text + " ")
    assert m, text
    return minutes(m.group(1)) - (minutes(m.group(2)) if m.group(2) else 0)


def test_week_free_time_agrees_with_the_agenda() -> None:
    days = ["2027-03-15", "2027-03-16", "2027-03-17", "2027-03-18", "2027-03-19"]
    for args in ((), ("--chair", "A")):
        text = output("--view", "week", "--date", days[0], *args)
        free = next(line for line in text.splitlines() if line.startswith("│ free"))
        cells = [minutes(c) for c in free.strip("│").split("│")[1:]]
        assert cells == [agenda_free(d, *args) for d in days], args


def test_week_marks_open_time_with_no_staff_as_the_agenda_lists_it() -> None:
    text = output("--view", "week", "--date", "2027-03-15")
    lines = text.splitlines()
    row = {t: [c.strip() for c in next(l for l in lines if l.startswith(f"│ {t}")).strip("│").split("│")[1:]]
           for t in ("15:30", "16:00", "17:30")}
    # Tuesday and Thursday nobody works from 16:00, the other days from 17:00 (chair C is down on Thursday).
    assert row["15:30"] == ["· · ·", "· · ·", "· · ·", "· ·", "· · ·"]
    assert row["16:00"] == ["· · ·", "╱ ╱ ╱", "· · ·", "╱ ╱", "· · ·"]
    assert row["17:30"] == ["╱ ╱ ╱", "╱ ╱ ╱", "╱ ╱ ╱", "╱ ╱", "╱ ╱ ╱"]
    assert "Tue, Thu no staff on shift 16:00-18:00: outside staff hours" in lines
    assert "  16:00-18:00           no staff   outside staff hours" in output("--date", "2027-03-16").splitlines()
    assert "╱ no staff" in lines[-1]


def test_chairs_bar_marks_no_staff_and_its_free_time_agrees_with_the_agenda() -> None:
    text = output("--view", "chairs", "--date", "2027-03-16")
    lines = text.splitlines()
    bar = next(line for line in lines if line.startswith("A NeuroStar 1"))
    assert bar.count("╱") == 12  # 16:00-18:00 in ten-minute marks
    assert "no staff on shift 16:00-18:00: outside staff hours" in lines
    for chair in ("A", "B", "C"):
        row = next(line for line in lines if line.startswith(f"{chair} "))
        assert minutes(row.split()[-1]) == agenda_free("2027-03-16", "--chair", chair), chair


def test_week_of_the_holiday_says_why_it_is_closed() -> None:
    text = output("--view", "week", "--date", "2027-03-29")
    assert "Wed 03-31 closed: public holiday: Cesar Chavez Day" in text.splitlines()


def test_chairs_bar_shows_downtime() -> None:
    text = output("--view", "chairs", "--date", "2027-03-18")
    bar = next(line for line in text.splitlines() if line.startswith("C Neuronavigated …"))
    assert "one mark: 10 min" in text
    assert bar.count("░") == 24                 # 14:00-18:00 in ten-minute marks
    assert "chair C down 14:00-18:00: coil service" in text.splitlines()


def test_load_rows_and_legend() -> None:
    text = output("--view", "load", "--date", "2027-03-10")
    lines = text.splitlines()
    assert "Chair load of Bayside TMS, 2027-03-08 to 2027-04-04, all 3 chairs" == lines[0]
    closed = next(line for line in lines if line.startswith("Wed 03-31"))
    assert closed.split() == ["Wed", "03-31", "closed", "-"]
    monday = next(line for line in lines if line.startswith("Mon 03-15"))
    assert monday.split()[-2:] == ["9%", "2h40"]
    assert "· 0%   ▂ 1-25%   ▄ 26-50%   ▆ 51-75%   █ 76-100%   ! over 100%   (blank) closed" in lines
    assert "Sun 03-14 daylight saving: clocks go forward 02:00 -> 03:00; hours stay local wall-clock" in lines


def test_week_counts_free_chairs_when_marks_do_not_fit() -> None:
    text = output("--view", "week", "--clinic", str(FIX / "clinic-12-chairs.toml"), width=60)
    row = next(line for line in text.splitlines() if line.startswith("│ 08:00"))
    # Chairs A and C are booked at 08:00 every day; on Friday chair B is down as well.
    assert [c.strip() for c in row.strip("│").split("│")] == ["08:00", "10", "10", "10", "10", "9"]
    assert "how many of the 12 chairs are free" in text
