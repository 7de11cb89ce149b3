"""Check reports as text (rich), JSON, GitHub workflow commands, JUnit XML and SARIF 2.1.0.

Every format carries the same facts per finding: code, severity, message, file, line,
patient, appointment and start. Output is deterministic: findings sorted, no clock.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from rich.console import Console
from rich.text import Text

from .. import __version__, docs_url, project_url
from ..check.explain import sections
from ..check.finding import Finding, Report
from ..check.registry import rule_of

FORMATS = ("text", "json", "github", "junit", "sarif")
JSON_FORMAT_VERSION = 1
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _detail(f: Finding) -> str:
    """``patient P-0001, appointment P-0001-03, starts 2026-12-03 08:00``."""
    parts = []
    if f.patient:
        parts.append(f"patient {f.patient}")
    if f.appointment:
        parts.append(f"appointment {f.appointment}")
    if f.start is not None:
        parts.append(f"starts {f.start.strftime('%Y-%m-%d %H:%M')}")
    return ", ".join(parts)


def summary_line(report: Report) -> str:
    errors, warnings = report.count("error"), report.count("warning")
    files = len(report.files)
    patients = sum(r.patients for r in report.files)
    appointments = sum(r.appointments for r in report.files)
    checked = (f"{_plural(files, 'schedule')}, {_plural(patients, 'patient')}, "
               f"{_plural(appointments, 'appointment')}, {_plural(len(report.ran), 'rule')}")
    found = [_plural(n, word) for n, word in ((errors, "error"), (warnings, "warning")) if n]
    if not found:
        return f"No findings ({checked} checked)."
    return f"Found {' and '.join(found)} ({checked} checked)."


# -- text ------------------------------------------------------------------------

def render_text(report: Report, console: Console) -> None:
    """Findings grouped by file, one linter-style line each, then a count per code."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_file[f.file].append(f)
    for file in sorted(by_file):
        console.print(Text(file, style="bold underline"), soft_wrap=True)
        for f in by_file[file]:
            line = Text("  ")
            line.append(f.where(), style="cyan")
            line.append(": ")
            line.append(f.code, style="bold")
            line.append(" ")
            line.append(f.severity, style="bold red" if f.severity == "error" else "yellow")
            line.append(": ")
            line.append(f.message)
            console.print(line, soft_wrap=True)
            detail = _detail(f)
            if detail:
                console.print(Text(f"      {detail}", style="dim"), soft_wrap=True)
        console.print()
    counts = report.by_code()
    if counts:
        console.print(Text("code    severity  count  rule", style="bold"), soft_wrap=True)
        for code, n in counts.items():
            rule = rule_of(code)
            console.print(Text(f"{code:<7} {rule.severity:<8} {n:>6}  {rule.title}"), soft_wrap=True)
    console.print(Text(summary_line(report)), soft_wrap=True)


# -- json ------------------------------------------------------------------------

def finding_dict(f: Finding, schedule: str) -> dict[str, Any]:
    return {
        "code": f.code,
        "severity": f.severity,
        "title": rule_of(f.code).title,
        "message": f.message,
        "file": f.file,
        "line": f.line,
        "patient": f.patient,
        "appointment": f.appointment,
        "start": f.start.isoformat() if f.start is not None else None,
        "schedule": schedule,
    }


def _with_schedule(report: Report) -> list[tuple[Finding, str]]:
    pairs = [(f, r.schedule_file) for r in report.files for f in r.findings]
    return sorted(pairs, key=lambda p: (p[0].sort_key(), p[1]))


def render_json(report: Report) -> str:
    """The stable shape documented in docs/ci.md (``format`` goes up on any breaking change)."""
    data = {
        "tool": "tms-sched",
        "version": __version__,
        "format": JSON_FORMAT_VERSION,
        "rules": list(report.codes),
        "not_checked": dict(sorted(report.not_checked.items())),
        "schedules": [
            {
                "file": r.schedule_file,
                "patients": r.patients,
                "appointments": r.appointments,
                "errors": sum(1 for f in r.findings if f.severity == "error"),
                "warnings": sum(1 for f in r.findings if f.severity == "warning"),
            }
            for r in report.files
        ],
        "findings": [finding_dict(f, s) for f, s in _with_schedule(report)],
        "summary": {
            "errors": report.count("error"),
            "warnings": report.count("warning"),
            "by_code": report.by_code(),
        },
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# -- github ----------------------------------------------------------------------

def escape_data(text: str) -> str:
    """A workflow command's message: %, CR and LF escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: as data, plus ':' and ','."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report) -> str:
    """``::error file=...,line=...,title=...::message`` lines, one group per file."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_file[f.file].append(f)
    out: list[str] = []
    for file in sorted(by_file):
        out.append(f"::group::{escape_data(file)}")
        for f in by_file[file]:
            props = [f"file={escape_property(file)}"]
            if f.line is not None:
                props.append(f"line={f.line}")
            props.append(f"title={escape_property(f'{f.code} {rule_of(f.code).title}')}")
            message = f.message
            detail = _detail(f)
            if detail:
                message += "\n" + detail
            out.append(f"::{f.severity} {','.join(props)}::{escape_data(message)}")
        out.append("::endgroup::")
    out.append(f"tms-sched check: {summary_line(report)}")
    return "\n".join(out) + "\n"


# -- junit -----------------------------------------------------------------------

def render_junit(report: Report, warnings_fail: bool = False) -> str:
    """One testsuite per schedule; a failing testcase per finding, a passing one per clean rule.

    Rules that could not run (no roster) are skipped testcases. Warnings fail only
    when ``warnings_fail`` (``--strict``); otherwise their testcase passes and carries
    the warning as system-out.
    """
    root = ET.Element("testsuites", name="tms-sched check")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for r in report.files:
        suite = ET.SubElement(root, "testsuite", name=r.schedule_file)
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        by_code: dict[str, list[Finding]] = defaultdict(list)
        for f in r.findings:
            by_code[f.code].append(f)
        for code in report.codes:
            rule = rule_of(code)
            classname = f"tms-sched.{code}"
            if code in report.not_checked:
                case = ET.SubElement(suite, "testcase", classname=classname, name=f"{code} {rule.title}",
                                     file=r.schedule_file)
                ET.SubElement(case, "skipped", message=f"not checked: {report.not_checked[code]}")
                counts["tests"] += 1
                counts["skipped"] += 1
                continue
            findings = by_code.get(code, [])
            if not findings:
                ET.SubElement(suite, "testcase", classname=classname, name=f"{code} {rule.title}",
                              file=r.schedule_file)
                counts["tests"] += 1
                continue
            for f in findings:
                attrs = {"classname": classname, "name": f"{code} {f.appointment or f.patient or ''} ({f.where()})",
                         "file": f.file}
                if f.line is not None:
                    attrs["line"] = str(f.line)
                case = ET.SubElement(suite, "testcase", attrs)
                body = f"{f.where()}: {f.code} {f.severity}: {f.message}"
                detail = _detail(f)
                if detail:
                    body += f"\n{detail}"
                counts["tests"] += 1
                if f.severity == "error" or warnings_fail:
                    failure = ET.SubElement(case, "failure", type=f.code, message=f.message)
                    failure.text = body
                    counts["failures"] += 1
                else:
                    out = ET.SubElement(case, "system-out")
                    out.text = body
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("errors", "0")
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    # Readers of JUnit expect a duration on every suite and case; the same check must
    # give the same bytes, so no clock is read and each takes "0" seconds.
    for element in root.iter():
        if element.tag in ("testsuites", "testsuite", "testcase"):
            element.set("time", "0")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


# -- sarif -----------------------------------------------------------------------

def artifact_uri(file: str) -> str:
    """A SARIF artifact URI: the path as given, relative (to the repository) where it is."""
    path = PurePath(file)
    if path.is_absolute():
        return Path(file).as_uri()
    return quote(path.as_posix(), safe="/")


def fingerprint(f: Finding) -> str:
    """Stable across runs and line moves: what broke, where in the schedule's terms."""
    key = "\x1f".join((f.code, f.file, f.patient or "", f.appointment or "", f.message))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _what(section: str) -> str:
    """The **What.** paragraph of a rule's section, as one line of plain text."""
    start = section.find("**What.**")
    if start < 0:
        return ""
    end = section.find("**Why.**", start)
    text = section[start + len("**What.**"): end if end >= 0 else None]
    return " ".join(text.split())


def help_uri(code: str, title: str) -> str | None:
    """The rule's section in docs/rules.md, by the anchor a Markdown renderer gives its heading;
    None when the package declares no documentation address (the log still carries the help text)."""
    docs = docs_url()
    if docs is None:
        return None
    heading = f"{code}: {title}".lower()
    slug = "".join(c for c in heading if c.isalnum() or c in " -_").replace(" ", "-")
    return f"{docs}/rules.md#{slug}"


def render_sarif(report: Report) -> str:
    """A SARIF 2.1.0 log with one run, the rules that ran, and one result per finding."""
    helps = sections()
    rules = []
    index: dict[str, int] = {}
    for code in report.codes:
        rule = rule_of(code)
        index[code] = len(rules)
        entry: dict[str, Any] = {
            "id": code,
            "name": "".join(part.capitalize() for part in rule.name.split("_")),
            "shortDescription": {"text": rule.title},
            "defaultConfiguration": {"level": rule.severity},
        }
        link = help_uri(code, rule.title)
        if link is not None:
            entry["helpUri"] = link
        if code in helps:
            what = _what(helps[code])
            if what:
                entry["fullDescription"] = {"text": what}
            entry["help"] = {"text": helps[code], "markdown": helps[code]}
        rules.append(entry)
    artifacts: list[str] = []
    results = []
    for f, schedule in _with_schedule(report):
        uri = artifact_uri(f.file)
        if uri not in artifacts:
            artifacts.append(uri)
        location: dict[str, Any] = {"artifactLocation": {"uri": uri, "index": artifacts.index(uri)}}
        if f.line is not None:
            location["region"] = {"startLine": f.line}
        properties = {k: v for k, v in (("patient", f.patient), ("appointment", f.appointment),
                                        ("start", f.start.isoformat() if f.start else None),
                                        ("schedule", schedule)) if v is not None}
        results.append({
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": f.severity,
            "message": {"text": f.message},
            "locations": [{"physicalLocation": location}],
            "partialFingerprints": {"tmsSchedFinding/v1": fingerprint(f)},
            "properties": properties,
        })
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "tms-sched",
                **({"informationUri": home} if (home := project_url()) else {}),
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }},
            "artifacts": [{"location": {"uri": uri}} for uri in artifacts],
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
