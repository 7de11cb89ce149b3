"""The protocol library: a list that reads at 80 columns, and a detail view of one protocol."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..model.clinic import Clinic
from ..model.protocol import Assessment, DailyPhase, IntervalPhase, Protocol, WeeklyPhase


def _daily_rhythm(phase: DailyPhase) -> str:
    """``5 a day on 5 consecutive days`` or ``1 a day, at most 5 days a week``."""
    if phase.consecutive:
        return f"{phase.per_day} a day on {phase.days} consecutive days"
    return f"{phase.per_day} a day, at most {phase.days_per_week} days a week"


def describe_phase(phase: DailyPhase | WeeklyPhase | IntervalPhase) -> str:
    if isinstance(phase, DailyPhase):
        text = f"{phase.sessions} sessions, {_daily_rhythm(phase)}"
        if phase.min_gap_minutes:
            text += f", >= {phase.min_gap_minutes} min between sessions"
        return text
    if isinstance(phase, WeeklyPhase):
        weeks = ", ".join(str(n) for n in phase.per_week)
        apart = f"at least {phase.min_days_apart} days apart" if phase.min_days_apart > 1 else "different days"
        return f"{phase.sessions} sessions in weekly counts {weeks} ({apart})"
    lo, hi = phase.every_days
    return f"{phase.sessions} sessions, {lo} to {hi} days apart"


def pattern(p: Protocol) -> str:
    """The course's rhythm in a line: ``1 a day, at most 5 days a week; then 3, 2, 1 a week``."""
    several = len(p.phases) > 1
    parts: list[str] = []
    for phase in p.phases:
        if isinstance(phase, DailyPhase):
            text = _daily_rhythm(phase)
            if phase.min_gap_minutes:
                text += f", {phase.min_gap_minutes} min apart"
            parts.append(f"{phase.sessions} at {text}" if several else text)
        elif isinstance(phase, WeeklyPhase):
            apart = f", {phase.min_days_apart} days apart" if phase.min_days_apart > 1 else ""
            parts.append(f"{', '.join(str(n) for n in phase.per_week)} a week{apart}")
        else:
            lo, hi = phase.every_days
            parts.append((f"{phase.sessions} " if several else "") + f"every {lo} to {hi} days")
    return "; then ".join(parts)


def staffing(p: Protocol, clinic: Clinic | None) -> list[tuple[str, str]]:
    """Who must be there while the protocol runs, as (what, how) pairs; none by default."""
    out: list[tuple[str, str]] = []
    role = clinic.supervision_for(p) if clinic is not None else p.supervision
    if role:
        out.append(("supervision", f"a {role} on shift during every session"))
    if p.patients_per_staff > 1:
        out.append(("staff ratio", f"one staff member attends up to {p.patients_per_staff} sessions at once"))
    if p.monitor_minutes:
        who = f"a {p.monitor_role} on shift" if p.monitor_role else "anyone on shift"
        share = (f", up to {p.monitor_patients_per_staff} patients each" if p.monitor_patients_per_staff > 1
                 else "")
        out.append(("monitoring", f"{p.monitor_minutes} min in the chair after each session, {who}{share}"))
    return out


def origin(clinic: Clinic | None, pid: str, builtin: set[str]) -> str:
    if clinic is not None and pid in clinic.own_protocols:
        return "built-in, changed by the clinic" if pid in builtin else "the clinic's own"
    return "built-in"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _facts(p: Protocol) -> str:
    minutes = f"{p.session_minutes} min"
    if p.first_minutes != p.session_minutes:
        minutes += f" (the first {p.first_minutes})"
    article = "an" if p.capability[:1].lower() in "aeiou" else "a"
    return f"{p.total_sessions} sessions of {minutes} on {article} {p.capability} chair"


def ordered(protocols: dict[str, Protocol], builtin: list[str]) -> list[str]:
    """Built-ins in the library's order, then the clinic's own by id."""
    return [pid for pid in builtin if pid in protocols] + sorted(set(protocols) - set(builtin))


def _indented(text: Text) -> Padding:
    """Two spaces in, wrapped lines too, and no padding out to the console's width."""
    return Padding(text, (0, 0, 0, 2), expand=False)


def protocol_list(protocols: dict[str, Protocol], clinic: Clinic | None, builtin: list[str]) -> RenderableType:
    """Each protocol in three lines: id and numbers, its rhythm, its source."""
    ids = ordered(protocols, builtin)
    own = [pid for pid in ids if clinic is not None and pid in clinic.own_protocols]
    changed = sum(1 for pid in own if pid in builtin)
    head = Text("Protocols", style="bold")
    head.append(f": {sum(1 for pid in ids if pid in builtin)} built-in")
    if changed:
        head.append(f" ({changed} changed by the clinic)")
    if len(own) > changed:
        head.append(f", {len(own) - changed} of the clinic's own")
    parts: list[RenderableType] = [head]
    width = max(len(pid) for pid in ids) if ids else 0
    for pid in ids:
        p = protocols[pid]
        line = Text()
        line.append(pid.ljust(width), style="bold")
        line.append(f"  {_facts(p)}")
        parts.append(Text())
        parts.append(line)
        parts.append(_indented(Text(pattern(p))))
        for what, how in staffing(p, clinic):
            if what != "supervision" or p.supervision:  # the clinic's own rule is said once, below
                parts.append(_indented(Text(f"{what}: {how}")))
        parts.append(_indented(Text(f"source: {p.source or '(none given)'}", style="dim")))
        if pid in own:
            parts.append(_indented(Text(f"from: {origin(clinic, pid, set(builtin))}", style="italic")))
    parts.append(Text())
    if clinic is not None and clinic.info.supervision:
        parts.append(Text(f"Every session runs with a {clinic.info.supervision} on shift ([clinic] supervision), "
                          "unless a protocol names its own supervision."))
    parts.append(Text("`tms-sched protocols ID` shows one protocol in full.", style="dim"))
    return Group(*parts)


def protocol_detail(p: Protocol, clinic: Clinic | None, builtin: set[str]) -> RenderableType:
    lines = Text()
    lines.append(f"{p.id}", style="bold")
    lines.append(f"  {p.label}\n")
    rows = [
        ("from", origin(clinic, p.id, builtin)),
        ("source", p.source or "(none given)"),
        ("capability", p.capability),
        ("sessions", f"{p.total_sessions}"),
        ("session 1", f"{p.first_session_label}, {p.first_minutes} min, with a named {p.first_session_staff}"),
        ("later sessions", f"{p.session_minutes} min"),
        ("max span", _days(p.max_span_days) if p.max_span_days else "no limit"),
        ("max gap", _days(p.max_gap_days) if p.max_gap_days else "no limit"),
        *staffing(p, clinic),
    ]
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="dim", no_wrap=True)
    facts.add_column()
    for key, value in rows:
        facts.add_row(key, value)
    phases = Table(title="Phases", title_justify="left")
    phases.add_column("#")
    phases.add_column("kind")
    phases.add_column("what")
    for i, ph in enumerate(p.phases, 1):
        phases.add_row(str(i), ph.kind, describe_phase(ph))
    parts: list[RenderableType] = [lines, Padding(facts, (0, 0, 0, 2), expand=False), Text(), phases]
    if p.assessments:
        ass = Table(title="Assessments", title_justify="left")
        for col in ("name", "when", "minutes"):
            ass.add_column(col)
        for a in p.assessments:
            ass.add_row(a.name, assessment_when(a), str(a.minutes))
        parts += [Text(), ass]
    else:
        parts += [Text(), Text("No assessments.", style="dim")]
    return Group(*parts)


def assessment_when(a: Assessment) -> str:
    """``+14 to +28 days from the last session, preferably day +28``."""
    lo, hi = a.window_days
    if a.anchor in ("first", "last"):
        anchor = f"the {a.anchor} session"
    elif a.session is not None:
        anchor = f"session {a.session}"
    else:
        n = a.every_sessions
        anchor = f"each of sessions {n}, {2 * n}, ... before the last"
    text = f"{lo:+d} to {hi:+d} days from {anchor}"
    return text if a.prefer_day is None else f"{text}, preferably day {a.prefer_day:+d}"
