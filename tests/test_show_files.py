"""`show --html/--svg` write self-contained views and never replace a file that is not one."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from tms_sched.cli import main
from tms_sched.render.viewfile import is_view_file, print_layout

FIX = Path(__file__).parent / "fixtures" / "show"


def show(tmp_path: Path, *args: str):
    for name in ("schedule.toml", "clinic.toml"):
        if not (tmp_path / name).exists():
            shutil.copy(FIX / name, tmp_path / name)
    return CliRunner().invoke(main, ["show", str(tmp_path / "schedule.toml"), "--clinic",
                                     str(tmp_path / "clinic.toml"), "--today", "2027-03-17", *args])


def test_a_view_never_replaces_the_schedule_or_the_clinic(tmp_path: Path) -> None:
    schedule, clinic = tmp_path / "schedule.toml", tmp_path / "clinic.toml"
    show(tmp_path)
    before = schedule.read_bytes(), clinic.read_bytes()
    result = show(tmp_path, "--svg", str(schedule))
    assert result.exit_code == 2
    assert result.stderr == (f"error: {schedule}: exists and is not a view written by tms-sched show; refusing to "
                             "replace it (choose another --svg file, or move that one)\n")
    result = show(tmp_path, "--html", str(clinic))
    assert result.exit_code == 2
    assert "refusing to replace it (choose another --html file" in result.stderr
    # nothing at all is written when one target is refused
    result = show(tmp_path, "--html", str(tmp_path / "ok.html"), "--svg", str(clinic))
    assert result.exit_code == 2
    assert not (tmp_path / "ok.html").exists()
    assert (schedule.read_bytes(), clinic.read_bytes()) == before


def test_any_other_file_and_a_directory_are_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes.html"
    notes.write_text("<html><body>handover notes</body></html>")
    result = show(tmp_path, "--html", str(notes))
    assert result.exit_code == 2
    assert notes.read_text() == "<html><body>handover notes</body></html>"
    result = show(tmp_path, "--svg", str(tmp_path))
    assert result.exit_code == 2
    assert "is a directory" in result.stderr
    result = show(tmp_path, "--svg", str(tmp_path / "v"), "--html", str(tmp_path / "v"))
    assert result.exit_code == 2
    assert "name the same file" in result.stderr


def test_a_view_it_wrote_is_replaced(tmp_path: Path) -> None:
    html, svg = tmp_path / "day.html", tmp_path / "day.svg"
    assert show(tmp_path, "--html", str(html), "--svg", str(svg), "--date", "2027-03-16").exit_code == 0
    assert is_view_file(html) and is_view_file(svg)
    first = html.read_text()
    result = show(tmp_path, "--html", str(html), "--svg", str(svg), "--date", "2027-03-17")
    assert result.exit_code == 0, result.stderr
    assert html.read_text() != first
    # the same inputs give the same bytes
    again = html.read_bytes(), svg.read_bytes()
    show(tmp_path, "--html", str(html), "--svg", str(svg), "--date", "2027-03-17")
    assert (html.read_bytes(), svg.read_bytes()) == again


def test_views_need_no_network(tmp_path: Path) -> None:
    html, svg = tmp_path / "week.html", tmp_path / "week.svg"
    assert show(tmp_path, "--view", "week", "--date", "2027-03-16", "--html", str(html), "--svg", str(svg)).exit_code == 0
    for text in (html.read_text(), svg.read_text()):
        assert "@font-face" not in text
        assert "<script" not in text
        assert "@import" not in text
        # the only URLs are the SVG namespace and in-document references
        assert [u for u in re.findall(r"https?://[^\s\"')]+", text) if u != "http://www.w3.org/2000/svg"] == []
        assert re.findall(r"url\((?!#)", text) == []
        assert re.findall(r"(?:src|href)=", text) == []
    assert "DejaVu Sans Mono" in svg.read_text()


def test_html_has_an_a4_print_stylesheet(tmp_path: Path) -> None:
    html = tmp_path / "agenda.html"
    assert show(tmp_path, "--date", "2027-03-16", "--width", "100", "--html", str(html)).exit_code == 0
    page = html.read_text()
    assert "@page { size: A4 portrait; margin: 12mm; }" in page
    assert "@media print {" in page
    assert "font-size: 8.8pt" in page
    wide = tmp_path / "wide.html"
    assert show(tmp_path, "--view", "load", "--width", "160", "--html", str(wide)).exit_code == 0
    assert "@page { size: A4 landscape; margin: 12mm; }" in wide.read_text()


def test_print_layout_fits_a4() -> None:
    assert print_layout(80) == ("portrait", 10.0)
    assert print_layout(100) == ("portrait", 8.8)
    orientation, points = print_layout(160)
    assert orientation == "landscape" and 8 <= points <= 8.2
    # whatever the width, a line fits the A4 line length
    for columns in (60, 100, 120, 140, 200):
        orientation, points = print_layout(columns)
        limit_mm = 186 if orientation == "portrait" else 273
        assert columns * 0.6 * points / 72 * 25.4 <= limit_mm + 0.5
