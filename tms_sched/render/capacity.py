"""What `tms-sched capacity` shows: the variants' waits and use as data, tables and a chart."""

from __future__ import annotations

import html
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..capacity.earliest import Start
from ..capacity.simulate import Outcome, Report
from ..io.common import refuse_to_replace

GENERATOR = "tms-sched capacity"  # marks the HTML files this command writes (and may replace)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def variant_data(outcome: Outcome, protocols: list[str]) -> dict[str, Any]:
    return {
        "name": outcome.variant.name,
        "added": outcome.variant.added,
        "mean_wait": {p: _round(outcome.mean_wait(p), 1) for p in protocols},
        "p90_wait": {p: outcome.p90_wait(p) for p in protocols},
        "unplaced": {p: _round(outcome.unplaced(p), 1) for p in protocols},
        "chair_use": {k: round(v, 2) for k, v in outcome.chair_use().items()},
        "staff_use": {k: round(v, 2) for k, v in outcome.staff_use().items()},
        "binding": outcome.binding,
    }


def report_data(report: Report) -> dict[str, Any]:
    """The stable JSON shape (docs/capacity.md)."""
    return {"variants": [variant_data(o, report.protocols) for o in report.outcomes],
            "recommended": report.recommended}


def next_data(starts: list[Start]) -> dict[str, Any]:
    return {"next": {s.protocol: (None if s.date is None else
                                  {"date": s.date.isoformat(), "time": s.time, "chair": s.chair, "staff": s.staff})
                     for s in starts}}


def _days(value: float | int | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _share(value: float) -> str:
    return f"{round(value * 100):d}%"


def binding_sentence(report: Report) -> str:
    base = report.outcomes[0]
    if base.binding is None:
        return ("Nothing binds: no added chair, staff member or hour shortens the mean wait by "
                "0.1 business days or more.")
    best = base.binding_by
    assert best is not None
    return (f"Binding: {base.binding}. One more unit ({best.variant.name}) cuts the mean wait most: "
            f"{base.overall_mean():.1f} -> {best.overall_mean():.1f} business days.")


def target_sentence(report: Report) -> str | None:
    if report.target is None:
        return None
    if report.recommended is None:
        return (f"No variant keeps every protocol's p90 wait within {report.target:g} business days with "
                "nobody left unplaced; more than one added unit (or fewer referrals) is needed.")
    if report.recommended == "today":
        return f"Today's clinic already keeps every protocol's p90 wait within {report.target:g} business days."
    return (f"Smallest change that keeps every protocol's p90 wait within {report.target:g} business days: "
            f"{report.recommended}.")


def report_view(report: Report) -> RenderableType:
    protocols = report.protocols
    waits = Table(box=box.SIMPLE_HEAD, title=f"Waits in business days over {report.weeks} weeks of referrals, "
                  f"{len(report.seeds)} runs (mean / p90, and the range of the runs' means)", title_justify="left")
    waits.add_column("variant", no_wrap=True)
    for p in protocols:
        waits.add_column(escape(p), justify="right")
    waits.add_column("unplaced", justify="right")
    for o in report.outcomes:
        cells = []
        for p in protocols:
            spread = o.spread(p)
            rng = f" ({spread[0]:.1f}-{spread[1]:.1f})" if spread else ""
            cells.append(f"{_days(o.mean_wait(p))} / {_days(o.p90_wait(p))}{rng}")
        waits.add_row(escape(o.variant.name), *cells, f"{o.total_unplaced():.1f}")
    base = report.outcomes[0]
    caps = list(base.chair_use())
    roles = list(base.staff_use())
    chairs = Table(box=box.SIMPLE_HEAD, title="Share of open chair time in use, by capability",
                   title_justify="left")
    staff = Table(box=box.SIMPLE_HEAD, title="Share of on-shift staff time with patients, by role; and the binding "
                  "resource", title_justify="left")
    chairs.add_column("variant", no_wrap=True)
    staff.add_column("variant", no_wrap=True)
    for c in caps:
        chairs.add_column(escape(c), justify="right", no_wrap=True)
    for r in roles:
        staff.add_column(escape(r), justify="right", no_wrap=True)
    staff.add_column("binding", no_wrap=True)
    if not roles:  # no staff named: the binding goes beside the chairs
        chairs.add_column("binding", no_wrap=True)
    for o in report.outcomes:
        cu, su = o.chair_use(), o.staff_use()
        chairs.add_row(escape(o.variant.name), *(_share(cu.get(c, 0.0)) for c in caps),
                       *([] if roles else [escape(o.binding or "-")]))
        staff.add_row(escape(o.variant.name), *(_share(su.get(r, 0.0)) for r in roles), escape(o.binding or "-"))
    use: list[RenderableType] = [chairs] + ([staff] if roles else [])
    lines = [waits, *use, Text(binding_sentence(report))]
    holidays = next((o.variant.added["open_holidays"] for o in report.outcomes
                     if "open_holidays" in o.variant.added), None)
    if holidays:
        lines.append(Text("Open on holidays: " + ", ".join(holidays) + "."))
    sentence = target_sentence(report)
    if sentence:
        lines.append(Text(sentence))
    lines.append(Text("A simulation of random referrals, not a promise: see docs/capacity.md for the method "
                      "and its limits.", style="dim"))
    return Group(*lines)


def next_view(starts: list[Start]) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, title="Earliest start for a new patient free whenever the clinic opens",
                  title_justify="left")
    for name in ("protocol", "date", "time", "chair", "staff"):
        table.add_column(name)
    notes = []
    for s in starts:
        if s.date is None:
            table.add_row(escape(s.protocol), "-", "-", "-", "-")
            notes.append(Text(f"{s.protocol}: {s.reason}"))
        else:
            table.add_row(escape(s.protocol), f"{s.date:%Y-%m-%d %a}", s.time or "", escape(s.chair or "-"),
                          escape(s.staff or "-"))
    return Group(table, *notes)


# -- HTML with an inline SVG chart ------------------------------------------------------

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")
# Variants that change nothing draw the same line as today's: each gets its own dashes, so
# a line hidden under another still shows through its gaps.
DASHES = ("", "8 4", "2 3", "10 3 2 3", "5 5", "1 4", "12 4 4 4", "3 6")


def _stroke(index: int) -> tuple[str, str]:
    colour = PALETTE[index % len(PALETTE)]
    dash = DASHES[index % len(DASHES)]
    return colour, f' stroke-dasharray="{dash}"' if dash else ""


def wait_chart(report: Report, width: int = 760, height: int = 360) -> str:
    """Mean wait of each week's referrals, one line per variant, as standalone SVG."""
    left, right, top, bottom = 56, 16, 16, 44
    series = [(o.variant.name, o.weekly_mean()) for o in report.outcomes]
    weeks = max((len(s) for _, s in series), default=1)
    peak = max([v for _, s in series for v in s if v is not None] + [1.0])
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500) if peak / s <= 8)
    top_value = step * -(-peak // step)
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(k: int) -> float:
        return left + (plot_w * k / (weeks - 1) if weeks > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / top_value

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="Mean wait by referral week and variant" '
           'font-family="sans-serif" font-size="11">',
           f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#999"/>']
    v = 0.0
    while v <= top_value:
        out.append(f'<line x1="{left}" y1="{y(v):.1f}" x2="{left + plot_w}" y2="{y(v):.1f}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
        v += step
    for k in range(weeks):
        if weeks <= 13 or k % 2 == 0:
            out.append(f'<text x="{x(k):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{k + 1}</text>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle">week of referral</text>')
    out.append(f'<text x="14" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
               f'transform="rotate(-90 14 {top + plot_h / 2:.1f})">mean wait (business days)</text>')
    for i, (name, values) in enumerate(series):
        colour, dash = _stroke(i)
        points = [f"{x(k):.1f},{y(v):.1f}" for k, v in enumerate(values) if v is not None]
        if points:
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{" ".join(points)}">'
                       f'<title>{html.escape(name)}</title></polyline>')
    out.append("</svg>")
    return "\n".join(out)


def report_html(report: Report, title: str) -> str:
    """A standalone page (no network): the chart, its legend, and the tables as HTML."""
    protocols = report.protocols
    data = report_data(report)
    esc = html.escape
    legend = "".join(f'<li><svg xmlns="http://www.w3.org/2000/svg" width="36" height="8" class="key">'
                     f'<line x1="0" y1="4" x2="36" y2="4" stroke="{_stroke(i)[0]}" stroke-width="2"{_stroke(i)[1]}/>'
                     f'</svg>{esc(o.variant.name)}</li>' for i, o in enumerate(report.outcomes))
    head = "".join(f"<th>{esc(p)}<br>mean / p90</th>" for p in protocols)
    rows = []
    for v, o in zip(data["variants"], report.outcomes):
        cells = "".join(f"<td>{_days(v['mean_wait'][p])} / {_days(v['p90_wait'][p])}</td>" for p in protocols)
        rows.append(f"<tr><th>{esc(v['name'])}</th>{cells}<td>{o.total_unplaced():.1f}</td>"
                    f"<td>{esc(v['binding'] or '-')}</td></tr>")
    caps = list(report.outcomes[0].chair_use())
    roles = list(report.outcomes[0].staff_use())
    use_head = "".join(f"<th>chair {esc(c)}</th>" for c in caps) + "".join(f"<th>{esc(r)}</th>" for r in roles)
    use_rows = []
    for v in data["variants"]:
        cells = "".join(f"<td>{_share(v['chair_use'].get(c, 0.0))}</td>" for c in caps)
        cells += "".join(f"<td>{_share(v['staff_use'].get(r, 0.0))}</td>" for r in roles)
        use_rows.append(f"<tr><th>{esc(v['name'])}</th>{cells}</tr>")
    notes = [binding_sentence(report)]
    sentence = target_sentence(report)
    if sentence:
        notes.append(sentence)
    paragraphs = "".join(f"<p>{esc(n)}</p>" for n in notes)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="generator" content="{GENERATOR}">
<title>{esc(title)}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: right; }}
th:first-child {{ text-align: left; }}
ul.legend {{ list-style: none; padding: 0; }}
ul.legend li {{ display: inline-block; margin-right: 1.5em; }}
.key {{ margin-right: 6px; vertical-align: middle; }}
.note {{ color: #666; }}
</style>
</head>
<body>
<h1>{esc(title)}</h1>
<p>Mean wait (business days) of each week's referrals over {len(report.seeds)} runs, by variant.</p>
{wait_chart(report)}
<ul class="legend">{legend}</ul>
<h2>Waits</h2>
<table><tr><th>variant</th>{head}<th>unplaced</th><th>binding</th></tr>
{chr(10).join(rows)}
</table>
<h2>Share of open time in use</h2>
<table><tr><th>variant</th>{use_head}</tr>
{chr(10).join(use_rows)}
</table>
{paragraphs}
<p class="note">A simulation of random referrals, not a promise: see docs/capacity.md for the method and its limits.</p>
</body>
</html>
"""


def check_page_target(path: str) -> None:
    """Refuse to write a page over anything but a page this command wrote."""
    refuse_to_replace(path, is_capacity_page,
                      folder=f"--html {path}: is a folder; give a file name, like capacity.html",
                      missing_folder=lambda folder: f"--html {path}: the folder {folder} does not exist",
                      foreign=f"--html {path}: the file exists and is not a page tms-sched capacity wrote; "
                              "it is left as it is (choose another name, or move it away)")


def is_capacity_page(path) -> bool:
    """True when ``path`` holds a page this command wrote (so it may be replaced)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            head = handle.read(2000)
    except OSError:
        return False
    return f'<meta name="generator" content="{GENERATOR}">' in head
