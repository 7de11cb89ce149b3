"""Details of the views a coordinator reads: the first session's own name, chair
outages within opening hours, one 'no appointments' per day, columns that fit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tms_sched.cli import main
from tms_sched.io.schedule import load_schedule, render_schedule

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "config.example.toml"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("views") / "schedule.toml"
    result = run("plan", str(CONFIG), "-o", str(out), "--today", "2026-11-30")
    assert result.exit_code == 0, result.output
    return out


def show(schedule: Path, *args: str, clinic: Path = CONFIG) -> str:
    result = run("show", str(schedule), "--clinic", str(clinic), "--today", "2026-11-30", "--width", "100", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


# -- 8. the first session by its protocol's name -----------------------------------------------

def test_agenda_and_patient_view_name_the_esketamine_first_dose(planned: Path) -> None:
    agenda = show(planned, "--date", "2026-12-01", "--patient", "R-007")
    assert re.search(r"^  09:00-09:30\s+O\s+R-007\s+first dose\s+1 of 12\s", agenda, re.M), agenda
    # the 120 minutes of observation after the dose, in the same chair
    assert re.search(r"^  09:30-11:30\s+O\s+R-007\s+monitoring\s+after 1\s+a nurse on shift$", agenda, re.M), agenda
    assert "mapping" not in agenda
    course = show(planned, "--view", "patient", "--patient", "R-007")
    assert re.search(r"^first dose\s+Tuesday 2026-12-01 09:00, chair O", course, re.M), course
    assert re.search(r"^ 1 11-30\s+.*○1 first dose\s", course, re.M), course
    assert re.search(r"^monitoring\s+120 min in the same chair after each session, with a nurse on shift$", course,
                     re.M), course
    assert "mapping" not in course and " map" not in course


def test_a_tms_course_keeps_calling_it_mapping(planned: Path) -> None:
    agenda = show(planned, "--date", "2026-12-01", "--patient", "R-001")
    assert re.search(r"R-001\s+mapping\s+1 of 30", agenda), agenda
    course = show(planned, "--view", "patient", "--patient", "R-001")
    assert re.search(r"^mapping\s+Tuesday 2026-12-01", course, re.M)


def test_ical_summary_and_diff_name_the_first_dose(planned: Path, tmp_path: Path) -> None:
    result = run("export", "ical", str(planned), "--clinic", str(CONFIG), "--by", "patient", "--patient", "R-007",
                 "-o", str(tmp_path / "cal"))
    assert result.exit_code == 0, result.output
    ics = (tmp_path / "cal" / "patient-R-007.ics").read_text(encoding="utf-8")
    assert "SUMMARY:First dose (esketamine)" in ics
    # Replan a schedule that lacks R-007: --diff lists the course's new first session.
    schedule, _ = load_schedule(str(planned))
    schedule.patients = [p for p in schedule.patients if p.id != "R-007"]
    partial = tmp_path / "partial.toml"
    partial.write_text(render_schedule(schedule, "toml"), encoding="utf-8")
    result = run("plan", str(CONFIG), "--schedule", str(partial), "--today", "2026-11-30", "--diff")
    assert result.exit_code == 0, result.output
    added = [line for line in result.stdout.splitlines() if line.startswith("+ R-007 R-007-01:")]
    assert added and added[0].startswith("+ R-007 R-007-01: first dose session 1 "), result.stdout


# -- 9. a chair down all day ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def chair_a_down(planned: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("down") / "schedule.toml"
    path.write_bytes(planned.read_bytes())
    result = run("mark", str(path), "--chair-down", "A", "2026-12-08", "2026-12-08", "--reason", "coil",
                 "--today", "2026-12-01")
    assert result.exit_code == 0, result.output
    # the appointments on chair A stay planned until the replan moves them
    result = run("plan", str(CONFIG), "--schedule", str(path), "--today", "2026-12-01")
    assert result.exit_code == 0, result.output
    return path


def bars(text: str) -> dict[str, str]:
    """Each chair's row of the chairs view: its label and bar, cut where the stats begin."""
    lines = text.splitlines()
    ticks = next(line for line in lines if line.startswith("one mark: "))
    start = re.search(r" 0?7", ticks).start() + 1          # the column the bar starts in (07:00)
    end = ticks.index("booked")
    rows = lines[lines.index(ticks) + 1:]
    rows = rows[:next(i for i, line in enumerate(rows) if not re.match(r"^[ABNO] ", line))]
    return {line.split()[0]: line[start:end].rstrip() for line in rows}


@pytest.mark.parametrize("width", [80, 160])
def test_a_chair_down_all_day_is_drawn_within_opening_hours(chair_a_down: Path, width: int) -> None:
    result = run("show", str(chair_a_down), "--clinic", str(CONFIG), "--view", "chairs", "--date", "2026-12-08",
                 "--width", str(width))
    assert result.exit_code == 0, result.output
    rows = bars(result.stdout)
    down, free = rows["A"], rows["O"]       # O is open and empty all day: the shape of the opening hours
    assert set(down) <= {"░", " "} and "░" in down
    assert [c == " " for c in down] == [c == " " for c in free], (down, free)   # lunch and closing stay blank
    assert "chair A down all day: coil" in result.stdout.splitlines()
    assert "00:00-24:00" not in result.stdout


def test_the_chairs_legend_names_mapping_blocks(planned: Path) -> None:
    text = show(planned, "--view", "chairs", "--date", "2026-12-01")
    rows = bars(text)
    assert "▚" in rows["A"] and "▚" in rows["B"]       # the mappings of 2026-12-01
    assert "▚ mapping" in text


def test_chair_names_are_whole_where_there_is_room(planned: Path) -> None:
    wide = run("show", str(planned), "--clinic", str(CONFIG), "--view", "chairs", "--date", "2026-12-08",
               "--width", "160").stdout
    assert "N Neuronavigated iTBS " in wide and "O Observation room " in wide and "…" not in wide
    narrow = run("show", str(planned), "--clinic", str(CONFIG), "--view", "chairs", "--date", "2026-12-08",
                 "--width", "80").stdout
    assert max(len(line) for line in narrow.splitlines()) <= 80


# -- 10. the agenda of a chair that is down ------------------------------------------------------------

def test_the_agenda_of_a_chair_down_all_day_says_so_once(chair_a_down: Path) -> None:
    text = show(chair_a_down, "--date", "2026-12-08", "--chair", "A")
    assert text.count("no appointments") == 1, text
    lines = text.splitlines()
    assert "  open 07:00-12:00, 12:30-18:30; no appointments" in lines
    assert "  chair A down all day: coil" in lines
    assert "no open hours" not in text


def test_a_patient_free_day_says_no_appointments_once(planned: Path) -> None:
    text = show(planned, "--date", "2026-12-12", "--to", "2026-12-15", "--patient", "R-007")
    day = text[text.index("Tuesday 2026-12-15"):]
    assert day.count("no appointments") == 1, text


# -- 11. columns that fit, levels that differ, grey that reads -------------------------------------

def test_plan_summary_fits_80_columns_without_breaking_a_word(tmp_path: Path) -> None:
    result = run("plan", str(CONFIG), "-o", str(tmp_path / "s.toml"), "--today", "2026-11-30", "--width", "80")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert any(re.match(r"^R-006\s+maintenance\s+2026-12-01\s", line) for line in lines), result.stdout
    assert any(re.match(r"^R-007\s+esketamine\s+2026-12-01\s+09:00\s+O\s+2027-01-19\s+-$", line)
               for line in lines), result.stdout
    assert all(line == line.rstrip() for line in lines)
    narrow = run("plan", str(CONFIG), "-o", str(tmp_path / "s.toml"), "--today", "2026-11-30", "--width", "60")
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 60
    assert "last and follow-up left out to fit 60 columns" in " ".join(narrow.stdout.split())


def test_plan_width_is_checked() -> None:
    result = run("plan", str(CONFIG), "--width", "10")
    assert result.exit_code == 2 and "--width" in result.stderr


def test_the_patient_view_shows_a_whole_assessment_name_where_it_fits(planned: Path) -> None:
    course = show(planned, "--view", "patient", "--patient", "R-001")
    assert re.search(r"^ 7 01-11 .*○ end-of-course\s+4○$", course, re.M), course
    assert "end-of-co…" not in course and "○ bas…" not in course


def _contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    def lum(rgb: tuple[int, int, int]) -> float:
        def ch(c: int) -> float:
            c = c / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b_ = (ch(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_load_view_levels_differ_and_its_text_passes_wcag_aa(planned: Path, tmp_path: Path) -> None:
    text = show(planned, "--view", "load", "--date", "2026-12-14", "--to", "2026-12-18")
    legend = next(line for line in text.splitlines() if line.startswith("· 0%"))
    glyphs = [item.split()[0] for item in legend.split("   ")][:5]
    assert len(set(glyphs)) == 5 and "░" not in glyphs     # ░ already means a chair down elsewhere
    # The exported page: every run of text and every level mark against the white page.
    page = tmp_path / "load.html"
    result = run("show", str(planned), "--clinic", str(CONFIG), "--view", "load", "--date", "2026-12-14",
                 "--to", "2026-12-18", "--html", str(page))
    assert result.exit_code == 0, result.output
    _assert_wcag_aa(page.read_text(encoding="utf-8"))


def _assert_wcag_aa(html: str) -> None:
    """Every run of text and every mark of an exported page against its white background."""
    styles = dict(re.findall(r"\.(r\d+) \{([^}]*)\}", html))
    runs = re.findall(r'<span class="(r\d+)">([^<]*)</span>', html)
    assert runs
    white = (255, 255, 255)
    for cls, content in runs:
        colour = re.search(r"(?<![-\w])color: #([0-9a-f]{6})", styles.get(cls, ""))
        if colour is None or not content.strip():
            continue
        rgb = tuple(int(colour.group(1)[i:i + 2], 16) for i in (0, 2, 4))
        is_mark = set(content.strip()) <= {"·", "▂", "▄", "▆", "█", "!", "▓", "▒", "▚", "░", "✓", "✗", "○", "–"}
        needed = 3.0 if is_mark else 4.5       # WCAG 2.1 AA: 1.4.11 for marks, 1.4.3 for text
        assert _contrast(rgb, white) >= needed, (content, colour.group(1))


@pytest.mark.parametrize("view, extra", [
    ("agenda", ()), ("week", ()), ("patient", ("--patient", "R-001")), ("chairs", ()), ("staff", ()),
    ("calls", ("--since-revision", "0")), ("authorizations", ()), ("waitlist", ()),
])
def test_every_html_view_passes_wcag_aa(planned: Path, tmp_path: Path, view: str, extra: tuple[str, ...]) -> None:
    page = tmp_path / f"{view}.html"
    result = run("show", str(planned), "--clinic", str(CONFIG), "--view", view, "--date", "2026-12-01",
                 "--today", "2026-11-30", *extra, "--html", str(page))
    assert result.exit_code == 0, result.output
    _assert_wcag_aa(page.read_text(encoding="utf-8"))


def test_a_chair_down_all_day_starts_at_opening_not_at_the_hour(tmp_path: Path) -> None:
    """The Bayside clinic opens at 07:30; the bar's first hour mark is 07:00."""
    show_dir = Path(__file__).parent / "fixtures" / "show"
    path = tmp_path / "schedule.toml"
    path.write_bytes((show_dir / "schedule.toml").read_bytes())
    result = run("mark", str(path), "--chair-down", "B", "2027-03-16", "2027-03-16", "--reason", "coil",
                 "--today", "2027-03-15", "--clinic", str(show_dir / "clinic.toml"))
    assert result.exit_code == 0, result.output
    result = run("show", str(path), "--clinic", str(show_dir / "clinic.toml"), "--view", "chairs",
                 "--date", "2027-03-16", "--today", "2027-03-15", "--width", "100")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if re.match(r"^[ABC] ", line)}
    ticks = next(line for line in result.stdout.splitlines() if line.startswith("one mark: 10 min"))
    start = ticks.index("07")
    bar_b = rows["B"][start:ticks.index("booked")]
    assert bar_b.startswith("   ░"), bar_b                   # 07:00-07:30: closed, blank
    assert "chair B down all day: coil" in result.stdout.splitlines()
