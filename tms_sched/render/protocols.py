"""The protocol library as tables and a detail view."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..model.clinic import Clinic
from ..model.protocol import DailyPhase, IntervalPhase, Protocol, WeeklyPhase


def describe_phase(phase: DailyPhase | WeeklyPhase | IntervalPhase) -> str:
    if isinstance(phase, DailyPhase):
        text = f"{phase.sessions} sessions, {phase.per_day} a day"
        if phase.consecutive:
            text += f" on {phase.days} consecutive days"
        else:
            text += f", at most {phase.days_per_week} days a week"
        if phase.min_gap_minutes:
            text += f", >= {phase.min_gap_minutes} min between sessions"
        return text
    if isinstance(phase, WeeklyPhase):
        weeks = ", ".join(str(n) for n in phase.per_week)
        return f"{phase.sessions} sessions in weekly counts {weeks} (different days)"
    lo, hi = phase.every_days
    return f"{phase.sessions} sessions, {lo} to {hi} days apart"


def origin(clinic: Clinic | None, pid: str, builtin: set[str]) -> str:
    if clinic is not None and pid in clinic.own_protocols:
        return "clinic (overrides built-in)" if pid in builtin else "clinic"
    return "built-in"


def protocol_table(protocols: dict[str, Protocol], clinic: Clinic | None, builtin: set[str]) -> Table:
    table = Table(title="Protocols", title_justify="left", show_lines=False)
    for column in ("id", "sessions", "pattern", "minutes", "capability", "from", "source"):
        table.add_column(column, overflow="fold")
    for pid in sorted(protocols):
        p = protocols[pid]
        pattern = "; then ".join(describe_phase(ph) for ph in p.phases)
        minutes = f"{p.session_minutes} (first: {p.first_minutes})"
        table.add_row(pid, str(p.total_sessions), pattern, minutes, p.capability,
                      origin(clinic, pid, builtin), p.source)
    return table


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
        ("max span", f"{p.max_span_days} days" if p.max_span_days else "no limit"),
        ("max gap", f"{p.max_gap_days} days" if p.max_gap_days else "no limit"),
    ]
    for key, value in rows:
        lines.append(f"  {key:<15}", style="dim")
        lines.append(f"{value}\n")
    phases = Table(title="Phases", title_justify="left")
    phases.add_column("#")
    phases.add_column("kind")
    phases.add_column("what")
    for i, ph in enumerate(p.phases, 1):
        phases.add_row(str(i), ph.kind, describe_phase(ph))
    parts: list[RenderableType] = [lines, phases]
    if p.assessments:
        ass = Table(title="Assessments", title_justify="left")
        for col in ("name", "when", "minutes"):
            ass.add_column(col)
        for a in p.assessments:
            lo, hi = a.window_days
            anchor = "first session" if a.anchor == "first" else "last session"
            ass.add_row(a.name, f"{lo:+d} to {hi:+d} days from the {anchor}", str(a.minutes))
        parts.append(ass)
    return Group(*parts)
