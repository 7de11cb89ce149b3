"""Machine formats read back with real parsers: GitHub workflow commands, JUnit XML, SARIF, JSON."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from check_helpers import FIXTURES, run
from tms_sched.check import all_codes
from tms_sched.check.finding import FileReport, Finding, Report
from tms_sched.render.findings import render_github, render_json, render_junit, render_sarif

COMMAND = re.compile(r"^::(?P<cmd>[a-z]+)(?: (?P<props>[^:]*))?::(?P<data>.*)$")


def unescape(text: str) -> str:
    return (text.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",")
            .replace("%25", "%"))


def parse_commands(text: str) -> list[tuple[str, dict[str, str], str]]:
    """GitHub workflow commands as the runner reads them: command, properties, message."""
    out = []
    for line in text.splitlines():
        m = COMMAND.match(line)
        if not m:
            continue
        props = {}
        if m.group("props"):
            for pair in m.group("props").split(","):
                key, _, value = pair.partition("=")
                props[key] = unescape(value)
        out.append((m.group("cmd"), props, unescape(m.group("data"))))
    return out


@pytest.fixture(scope="module")
def mixed() -> Report:
    """Findings in a schedule (an error and a warning-free case) and in a roster (TMS018)."""
    a = run(FIXTURES / "tms001.toml")
    b = run(FIXTURES / "tms018.toml", FIXTURES / "tms018.roster.toml")
    c = run(FIXTURES / "tms101.toml")
    return Report(files=a.files + b.files + c.files, codes=a.codes)


def test_github_annotations_read_back(mixed: Report):
    commands = parse_commands(render_github(mixed))
    groups = [data for cmd, _, data in commands if cmd == "group"]
    assert groups == sorted({f.file for f in mixed.findings})
    annotations = [(cmd, props, data) for cmd, props, data in commands if cmd in ("error", "warning")]
    assert len(annotations) == len(mixed.findings)
    for (cmd, props, data), f in zip(annotations, mixed.findings):
        assert cmd == f.severity
        assert props["file"] == f.file
        assert props["line"] == str(f.line)
        assert props["title"].startswith(f"{f.code} ")
        assert data.split("\n")[0] == f.message
    assert render_github(mixed).splitlines()[-1] == (
        "tms-sched check: Found 2 errors and 1 warning (3 schedules, 15 patients, 84 appointments, "
        f"{len(all_codes())} rules checked).")


def test_github_escapes_what_the_format_requires():
    f = Finding("TMS001", "error", "100% sure, really: a\nb\r", "odd, name:%.toml", 3, "P1", "A-1",
                dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))))
    report = Report(files=[FileReport("odd, name:%.toml", [f], 1, 1)], codes=("TMS001",))
    text = render_github(report)
    assert "::error file=odd%2C name%3A%25.toml,line=3,title=TMS001 two appointments overlap on one chair::" \
           "100%25 sure, really: a%0Ab%0D%0Apatient P1, appointment A-1, starts 2026-12-01 09:00\n" in text
    (_, (cmd, props, data), _) = parse_commands(text)
    assert (cmd, props["file"], props["line"]) == ("error", "odd, name:%.toml", "3")
    assert data == "100% sure, really: a\nb\r\npatient P1, appointment A-1, starts 2026-12-01 09:00"


def test_github_without_a_line_leaves_line_out():
    f = Finding("TMS018", "error", "x", "roster.csv", None, "P1")
    text = render_github(Report(files=[FileReport("s.toml", [f], 0, 0)], codes=("TMS018",)))
    (_, (cmd, props, _), _) = parse_commands(text)
    assert props == {"file": "roster.csv", "title": "TMS018 a roster patient neither booked nor listed as unplaced"}


def test_junit_reads_back(mixed: Report):
    root = ET.fromstring(render_junit(mixed))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [r.schedule_file for r in mixed.files]
    cases = root.iter("testcase")
    failures = [c for c in root.iter("testcase") if c.find("failure") is not None]
    assert [(c.find("failure").get("type"), c.get("file"), c.get("line")) for c in failures] == [
        ("TMS001", str(FIXTURES / "tms001.toml"), "57"),
        ("TMS018", str(FIXTURES / "tms018.roster.toml"), "34"),
    ]
    assert failures[0].find("failure").get("message") == mixed.files[0].findings[0].message
    # Every rule without a finding is a passing testcase; the warning passes with its text.
    per_suite = [len(s.findall("testcase")) for s in suites]
    rules = len(all_codes())
    assert per_suite == [rules, rules, rules]
    assert sum(1 for _ in cases) == int(root.get("tests")) == 3 * rules
    assert (root.get("failures"), root.get("errors"), root.get("skipped")) == ("2", "0", "0")
    warning = [c for c in suites[2].findall("testcase") if c.get("classname") == "tms-sched.TMS101"]
    assert warning[0].find("failure") is None
    assert warning[0].find("system-out").text.startswith(f"{FIXTURES / 'tms101.toml'}:20: TMS101 warning:")


def test_junit_strict_fails_warnings_and_skips_what_was_not_checked():
    report = run(FIXTURES / "tms101.toml", roster=None)
    root = ET.fromstring(render_junit(report, warnings_fail=True))
    (suite,) = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == (str(len(all_codes())), "1", "4")
    skipped = [c.get("classname") for c in suite.findall("testcase") if c.find("skipped") is not None]
    assert skipped == ["tms-sched.TMS004", "tms-sched.TMS013", "tms-sched.TMS018", "tms-sched.TMS021"]
    (failed,) = [c for c in suite.findall("testcase") if c.find("failure") is not None]
    assert failed.find("failure").get("type") == "TMS101"


def test_sarif_reads_back(mixed: Report):
    log = json.loads(render_sarif(mixed))
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (run_,) = log["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "tms-sched"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(all_codes())
    assert rules[0]["name"] == "ChairOverlap"
    assert rules[0]["help"]["markdown"].startswith("## TMS001: two appointments overlap on one chair")
    assert {r["defaultConfiguration"]["level"] for r in rules} == {"error", "warning"}
    results = run_["results"]
    assert len(results) == len(mixed.findings)
    uris = [a["location"]["uri"] for a in run_["artifacts"]]
    for result, f in zip(results, mixed.findings):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == f.code
        assert result["level"] == f.severity
        assert result["message"]["text"] == f.message
        location = result["locations"][0]["physicalLocation"]
        assert location["region"] == {"startLine": f.line}
        assert uris[location["artifactLocation"]["index"]] == location["artifactLocation"]["uri"]
        assert Path(location["artifactLocation"]["uri"].removeprefix("file://")) == Path(f.file)
    prints = [r["partialFingerprints"]["tmsSchedFinding/v1"] for r in results]
    assert len(set(prints)) == len(prints)
    assert json.loads(render_sarif(mixed)) == log  # deterministic


def test_sarif_relative_paths_stay_relative_and_are_uri_encoded():
    f = Finding("TMS001", "error", "m", "clinic data/schedule.toml", None)
    log = json.loads(render_sarif(Report(files=[FileReport(f.file, [f], 0, 0)], codes=("TMS001",))))
    result = log["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "clinic%20data/schedule.toml", "index": 0}}


def test_json_shape_is_stable():
    report = run(FIXTURES / "tms001.toml")
    data = json.loads(render_json(report))
    file = str(FIXTURES / "tms001.toml")
    assert data == {
        "tool": "tms-sched",
        "version": data["version"],
        "format": 1,
        "rules": list(all_codes()),
        "not_checked": {},
        "schedules": [{"file": file, "patients": 5, "appointments": 28, "errors": 1, "warnings": 0}],
        "findings": [{
            "code": "TMS001",
            "severity": "error",
            "title": "two appointments overlap on one chair",
            "message": "chair B is double-booked: P4's session 2 (P4-02) 10:15-10:45 on Thu 2026-12-10 overlaps "
                       "P3's session 5 (P3-05) at 10:00-10:30; a chair holds one appointment at a time",
            "file": file,
            "line": 57,
            "patient": "P4",
            "appointment": "P4-02",
            "start": "2026-12-10T10:15:00-05:00",
            "schedule": file,
        }],
        "summary": {"errors": 1, "warnings": 0, "by_code": {"TMS001": 1}},
    }


@pytest.fixture
def declared_urls(tmp_path, monkeypatch):
    """An installed tms-sched whose metadata declares addresses, as a published package's would."""
    import tms_sched

    info = tmp_path / "tms_sched-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: tms-sched\nVersion: 0.1.0\n"
        "Project-URL: Homepage, https://example.org/tms-sched\n"
        "Project-URL: Documentation, https://example.org/tms-sched/tree/main/docs/\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    tms_sched.project_urls.cache_clear()
    yield
    tms_sched.project_urls.cache_clear()


def test_sarif_links_the_tool_and_each_rule_to_its_documentation(declared_urls):
    import json as _json
    import re as _re

    report = run(FIXTURES / "tms001.toml")
    driver = _json.loads(render_sarif(report))["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://example.org/tms-sched"
    doc = (Path(__file__).resolve().parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    anchors = set()
    for heading in _re.findall(r"^## (TMS\d{3}: .*)$", doc, flags=_re.M):
        anchors.add("".join(c for c in heading.lower() if c.isalnum() or c in " -_").replace(" ", "-"))
    assert driver["rules"]
    for rule in driver["rules"]:
        page, _, anchor = rule["helpUri"].partition("#")
        assert page == "https://example.org/tms-sched/tree/main/docs/rules.md" and anchor in anchors, rule["helpUri"]


def test_sarif_names_no_address_the_package_does_not_declare():
    """tms-sched is not published at an address: the log links nowhere rather than to a made-up page."""
    import json as _json

    import tms_sched

    tms_sched.project_urls.cache_clear()
    assert tms_sched.project_urls() == {}, "pyproject.toml declares no [project.urls]"
    driver = _json.loads(render_sarif(run(FIXTURES / "tms001.toml")))["runs"][0]["tool"]["driver"]
    assert "informationUri" not in driver
    assert driver["rules"] and all("helpUri" not in rule and rule["help"]["markdown"] for rule in driver["rules"])


def test_junit_gives_every_suite_and_case_a_time():
    import xml.etree.ElementTree as _ET

    out = render_junit(run(FIXTURES / "tms001.toml"))
    root = _ET.fromstring(out.split("\n", 1)[1])
    elements = [e for e in root.iter() if e.tag in ("testsuites", "testsuite", "testcase")]
    assert elements and all(e.get("time") == "0" for e in elements)
