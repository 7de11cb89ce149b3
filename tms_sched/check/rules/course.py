"""Each course against its protocol: counts, days, weeks, gaps, spans, order, assessments.

TMS008-TMS012, TMS014, TMS015 and the warnings TMS101, TMS102. Counts, gaps and spans
take live sessions (planned and done), delivered history included.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ...model.protocol import Assessment, DailyPhase, IntervalPhase, Phase, WeeklyPhase
from ..context import Booking, Context, Course, day_text, hhmm, monday
from ..finding import Finding
from ..registry import rule

DRIFT_MINUTES = 60


def numbers_text(numbers: Sequence[int]) -> str:
    """``[2, 3, 4, 7]`` -> ``2-4, 7``."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _judged(ctx: Context) -> Iterator[Course]:
    for course in ctx.courses:
        if course.protocol is not None:
            yield course


@rule("TMS008", "error", "course session count wrong (delivered + planned vs protocol)")
def session_count(ctx: Context) -> Iterator[Finding]:
    for course in _judged(ctx):
        if course.discharged:
            continue
        protocol = course.protocol
        assert protocol is not None
        total = protocol.total_sessions
        by_number: dict[int, list[Booking]] = defaultdict(list)
        for b in course.sessions:
            by_number[b.appt.session or 0].append(b)
        for n in sorted(by_number):
            first, *rest = by_number[n]
            if n > total:
                for b in by_number[n]:
                    yield ctx.finding("TMS008", f"{b.patient}'s {b.what()} is numbered past the {total} sessions of "
                                      f"{protocol.id}; cancel it or correct its number", b)
                continue
            for b in rest:
                yield ctx.finding("TMS008", f"{b.patient}'s session {n} is booked twice ({first.id} on "
                                  f"{day_text(first.day)} and {b.id} on {day_text(b.day)}); a make-up replaces a "
                                  "missed session, so only one appointment of a session is planned or done", b)
        missing = [n for n in range(1, total + 1) if n not in by_number]
        if not missing:
            continue
        done = sum(1 for n, bs in by_number.items() if n <= total and bs[0].appt.status == "done")
        planned = sum(1 for n, bs in by_number.items() if n <= total and bs[0].appt.status == "planned")
        missed = sorted({b.appt.session for b in course.missed if b.appt.session in missing})
        note = f" ({'session' if len(missed) == 1 else 'sessions'} {numbers_text(missed)} missed, not made up)" if missed else ""
        anchor = next((b for b in course.missed if b.appt.session in missing), None)
        message = (f"{course.id}'s course holds {done} delivered and {planned} planned sessions, "
                   f"{done + planned} of the {total} that {protocol.id} needs; "
                   f"{'session' if len(missing) == 1 else 'sessions'} {numbers_text(missing)} "
                   f"{'has' if len(missing) == 1 else 'have'} no planned or done appointment{note}")
        yield ctx.finding("TMS008", message, anchor, course=course)


def _balance(
    periods: Sequence[tuple[str, list[Booking], int]],
    required: Callable[[int], int],
    cap: int | None,
) -> Iterator[tuple[int, int, int]]:
    """``(period index, sessions, expected)`` for each period holding the wrong number.

    A period owes its own count plus what earlier periods still owe (the make-ups of
    missed sessions), up to ``cap`` a period; it may hold fewer only by as many
    sessions as were missed in it (their make-ups then follow in the next period).
    """
    owed = 0
    for i, (_, members, missed) in enumerate(periods):
        due = required(i) + owed
        expect = min(due, cap) if cap is not None else due
        count = len(members)
        if count > expect or expect - count > missed:
            yield i, count, expect
        owed = max(0, due - count)


def _day_periods(course: Course, members: list[Booking]) -> list[tuple[str, list[Booking], int]]:
    by_day: dict[dt.date, list[Booking]] = defaultdict(list)
    for b in members:
        by_day[b.day].append(b)
    missed = defaultdict(int)
    for b in course.missed:
        missed[b.day] += 1
    return [(day_text(d), by_day[d], missed[d]) for d in sorted(by_day)]


@rule("TMS009", "error", "wrong number of sessions on a day or in a week (per_day, days_per_week, taper weeks)")
def day_and_week_counts(ctx: Context) -> Iterator[Finding]:
    for course in _judged(ctx):
        previous: list[Booking] = []
        before: Phase | None = None
        for phase, members in course.phases:
            if isinstance(phase, DailyPhase):
                yield from _daily(ctx, course, phase, members)
            elif isinstance(phase, WeeklyPhase):
                yield from _weekly(ctx, course, phase, members, previous, _WeeklyWords.of(before))
            else:
                yield from _interval(ctx, course, phase, members, previous)
            previous = members or previous
            before = phase


def _daily(ctx: Context, course: Course, phase: DailyPhase, members: list[Booking]) -> Iterator[Finding]:
    pid = course.protocol.id if course.protocol else "?"
    periods = _day_periods(course, members)
    if phase.consecutive:
        for i, count, expect in _balance(periods, lambda i: phase.per_day if i < phase.days else 0, phase.per_day):
            label, day_members, _ = periods[i]
            if count > expect:
                b = day_members[expect]
                if expect == phase.per_day:
                    want = f"at most {phase.per_day} a day"
                elif expect == 0:
                    want = f"none that day: its {phase.days} days are complete before it"
                else:
                    want = f"{expect} that day, the make-ups still owed"
                yield ctx.finding("TMS009", f"{course.id} has {count} sessions on {label}; {pid} books {want}", b)
            elif not course.discharged:
                b = day_members[-1]
                yield ctx.finding("TMS009", f"{course.id} has {count} sessions on {label}; {pid} needs "
                                  f"{expect} that day ({phase.per_day} a day; a day falls short only by sessions "
                                  "missed that day, made up later that day or the next)", b)
        for b in members:
            if not course.is_makeup(b):
                continue
            miss = next(m for m in course.missed if m.appt.session == b.appt.session and m.start < b.start)
            if members and miss.day < members[0].day:
                continue  # missed before the course began: it was booked again whole, not made up
            if (b.day - miss.day).days > 1:
                yield ctx.finding("TMS009", f"{course.id}'s make-up of session {b.appt.session} ({b.id}) is on "
                                  f"{day_text(b.day)}, {(b.day - miss.day).days} days after the missed one "
                                  f"({day_text(miss.day)}); an accelerated course makes up a session later the "
                                  "same day or the next day", b)
    else:
        for label, day_members, _ in periods:
            if len(day_members) > phase.per_day:
                b = day_members[phase.per_day]
                others = ", ".join(m.id for m in day_members[: phase.per_day])
                yield ctx.finding("TMS009", f"{course.id} has {len(day_members)} sessions on {label} ({others} and "
                                  f"{b.id}); {pid} gives at most {phase.per_day} a day", b)
    by_week: dict[dt.date, list[dt.date]] = defaultdict(list)
    first_of_day: dict[dt.date, Booking] = {}
    for b in members:
        if b.day not in first_of_day:
            first_of_day[b.day] = b
            by_week[monday(b.day)].append(b.day)
    for week in sorted(by_week):
        days = by_week[week]
        if len(days) > phase.days_per_week:
            b = first_of_day[days[phase.days_per_week]]
            yield ctx.finding("TMS009", f"{course.id} has sessions on {len(days)} days in the week of "
                              f"{week.isoformat()}; {pid} allows at most {phase.days_per_week} session days a week", b)


@dataclass(frozen=True)
class _WeeklyWords:
    """How TMS009 names a weekly phase: by what comes before it in the protocol.

    After a daily phase it is the taper (3, 2, 1 sessions in the weeks after the daily
    part); otherwise, as the first phase (esketamine's twice-weekly induction) or after
    another weekly or interval phase, its sessions are simply weekly ones.
    """

    noun: str
    """``taper`` or ``weekly``, before ``session(s)`` and ``weeks``."""
    anchor: str
    """What the phase's weeks follow, or ``""`` for a protocol's first phase."""

    @staticmethod
    def of(before: Phase | None) -> _WeeklyWords:
        if isinstance(before, DailyPhase):
            return _WeeklyWords("taper", "the last daily session")
        if before is None:
            return _WeeklyWords("weekly", "")
        return _WeeklyWords("weekly", "the previous phase's last session")

    def weeks(self, plan: str) -> str:
        """The phase's weeks, as the count messages give them in brackets."""
        if self.noun == "taper":
            return f"taper weeks {plan}"
        return f"{plan} sessions in its successive calendar weeks"

    def where(self) -> str:
        if not self.anchor:
            return "from the week of the course's first session"
        return f"in the calendar weeks after {self.anchor}"


def _weekly(ctx: Context, course: Course, phase: WeeklyPhase, members: list[Booking],
            previous: list[Booking], words: _WeeklyWords) -> Iterator[Finding]:
    if not members:
        return
    noun = words.noun
    pid = course.protocol.id if course.protocol else "?"
    plan = ", ".join(map(str, phase.per_week))
    week0 = monday(previous[-1].day) + dt.timedelta(days=7) if previous else monday(members[0].day)
    early = [b for b in members if b.day < week0]
    for b in early:
        yield ctx.finding("TMS009", f"{course.id}'s {noun} session {b.appt.session} ({b.id}) on {day_text(b.day)} is "
                          f"in the week of {words.anchor} or before it; the {noun} weeks "
                          f"({plan}) are the calendar weeks after it", b)
    seen: dict[dt.date, Booking] = {}
    for b in members:
        if b.day in seen:
            yield ctx.finding("TMS009", f"{course.id} has two {noun} sessions on {day_text(b.day)} ({seen[b.day].id} "
                              f"and {b.id}); {noun} sessions go on different days", b)
        seen.setdefault(b.day, b)
    if phase.min_days_apart > 1:
        for prev, b in zip(members, members[1:]):
            apart = (b.day - prev.day).days
            if 0 < apart < phase.min_days_apart and monday(b.day) == monday(prev.day) \
                    and not course.is_makeup(b):
                yield ctx.finding("TMS009", f"{course.id}'s {b.what()} on {day_text(b.day)} is "
                                  f"{_plural(apart, 'day')} after {prev.what()} on {day_text(prev.day)}; {pid} "
                                  f"keeps the sessions of a week at least {phase.min_days_apart} days apart "
                                  "(min_days_apart)", b)
    late = [b for b in members if b.day >= week0]
    if not late:
        return
    weeks = max(len(phase.per_week), (monday(late[-1].day) - week0).days // 7 + 1)
    by_week: list[list[Booking]] = [[] for _ in range(weeks)]
    for b in late:
        by_week[(monday(b.day) - week0).days // 7].append(b)
    missed = [0] * weeks
    for m in course.missed:
        w = (monday(m.day) - week0).days // 7
        if 0 <= w < weeks:
            missed[w] += 1
    periods = [((week0 + dt.timedelta(days=7 * w)).isoformat(), by_week[w], missed[w]) for w in range(weeks)]
    for i, count, expect in _balance(periods, lambda i: phase.per_week[i] if i < len(phase.per_week) else 0, None):
        label, week_members, _ = periods[i]
        if count > expect:
            yield ctx.finding("TMS009", f"{course.id} has {_plural(count, noun + ' session')} in the week of "
                              f"{label}; {pid} wants {expect} there ({words.weeks(plan)})", week_members[expect])
        elif not course.discharged:
            anchor = week_members[-1] if week_members else next(
                (b for later in by_week[i + 1:] for b in later), late[-1])
            yield ctx.finding("TMS009", f"{course.id} has {_plural(count, noun + ' session')} in the week of "
                              f"{label}; {pid} wants {expect} there ({words.weeks(plan)}, {words.where()})", anchor)


def _interval(ctx: Context, course: Course, phase: IntervalPhase, members: list[Booking],
              previous: list[Booking]) -> Iterator[Finding]:
    pid = course.protocol.id if course.protocol else "?"
    lo, hi = phase.every_days
    prev = previous[-1] if previous else None
    for b in members:
        if prev is not None:
            gap = (b.day - prev.day).days
            short = gap < lo and not course.is_makeup(prev)
            long = gap > hi and not course.is_makeup(b)
            if short or long:
                yield ctx.finding("TMS009", f"{course.id}'s {b.what()} on {day_text(b.day)} is "
                                  f"{_plural(gap, 'day')} after {prev.what()} on {day_text(prev.day)}; {pid} spaces "
                                  f"these sessions {lo} to {hi} days apart", b)
        prev = b


@rule("TMS010", "error", "gap between same-day sessions below min_gap_minutes")
def same_day_gap(ctx: Context) -> Iterator[Finding]:
    for course in _judged(ctx):
        by_day: dict[dt.date, list[Booking]] = defaultdict(list)
        for b in course.sessions:
            by_day[b.day].append(b)
        for day in sorted(by_day):
            sessions = by_day[day]
            for prev, b in zip(sessions, sessions[1:]):
                phase = course.phase_of(b)
                need = phase.min_gap_minutes if isinstance(phase, DailyPhase) else 0
                gap = int((b.start - prev.end).total_seconds() // 60)
                if 0 <= gap < need:
                    yield ctx.finding("TMS010", f"{course.id}'s {b.what()} starts {hhmm(b.start_min)} on "
                                      f"{day_text(day)}, {gap} min after {prev.what()} ends; "
                                      f"{course.protocol.id if course.protocol else '?'} needs at least "
                                      f"{need} min between the end of one session and the start of the next", b)


@rule("TMS011", "error", "accelerated days not consecutive")
def consecutive_days(ctx: Context) -> Iterator[Finding]:
    for course in _judged(ctx):
        for phase, members in course.phases:
            if not (isinstance(phase, DailyPhase) and phase.consecutive):
                continue
            days: list[Booking] = []
            for b in members:
                if not days or days[-1].day != b.day:
                    days.append(b)
            for prev, b in zip(days, days[1:]):
                gap = (b.day - prev.day).days
                if gap != 1:
                    yield ctx.finding("TMS011", f"{course.id}'s session days are not consecutive: {day_text(b.day)} "
                                      f"follows {day_text(prev.day)} after {gap} days; "
                                      f"{course.protocol.id if course.protocol else '?'} runs on consecutive "
                                      "calendar days", b)


@rule("TMS012", "error", "course longer than max_span_days, or a gap over max_gap_days")
def span_and_gaps(ctx: Context) -> Iterator[Finding]:
    for course in _judged(ctx):
        protocol = course.protocol
        assert protocol is not None
        sessions = course.sessions
        if not sessions:
            continue
        if protocol.max_span_days is not None:
            # A consecutive course pushed on by a make-up the next day runs a day longer
            # (TMS009 judges whether that was a missed session); the span allows for it.
            extra = sum(max(0, len({b.day for b in members}) - phase.days)
                        for phase, members in course.phases
                        if isinstance(phase, DailyPhase) and phase.consecutive)
            allowed = protocol.max_span_days + extra
            first = sessions[0]
            late = next((b for b in sessions if (b.day - first.day).days > allowed), None)
            if late is not None:
                last = sessions[-1]
                span = (last.day - first.day).days
                yield ctx.finding("TMS012", f"{course.id}'s course spans {span} days, from {day_text(first.day)} to "
                                  f"{day_text(last.day)}; {protocol.id} allows at most {allowed} days from the "
                                  f"first session to the last, and {late.what()} is the first past it", late)
        if protocol.max_gap_days is not None:
            consecutive = {id(b) for phase, members in course.phases
                           if isinstance(phase, DailyPhase) and phase.consecutive for b in members}
            for prev, b in zip(sessions, sessions[1:]):
                gap = (b.day - prev.day).days
                if gap <= protocol.max_gap_days:
                    continue
                if id(prev) in consecutive and id(b) in consecutive:
                    continue  # TMS011 says it
                yield ctx.finding("TMS012", f"{course.id} goes {gap} days without a session, from {prev.what()} on "
                                  f"{day_text(prev.day)} to {b.what()} on {day_text(b.day)}; {protocol.id} allows "
                                  f"at most {protocol.max_gap_days} days between sessions", b)


@rule("TMS014", "error", "first session is not a mapping session")
def mapping_first(ctx: Context) -> Iterator[Finding]:
    for course in ctx.courses:
        if not course.sessions:
            continue
        label = (course.protocol.first_session_label if course.protocol else "motor-threshold mapping").lower()
        lowest = min(course.sessions, key=lambda b: (b.appt.session or 0, b.start))
        if lowest.kind != "mapping":
            n = lowest.appt.session
            first = "session 1" if n == 1 else f"session {n}, the lowest number booked,"
            yield ctx.finding("TMS014", f"{course.id}'s {first} ({lowest.id}) is a {lowest.kind}; a course opens "
                              f"with a mapping session, its session 1 (the {label})", lowest)
        remaps = course.protocol is not None and course.protocol.remaps
        for b in course.sessions:
            if b.kind == "mapping" and b.appt.session != 1 and not remaps:
                yield ctx.finding("TMS014", f"{course.id}'s {b.what()} is a mapping; the mapping ({label}) is the "
                                  "course's session 1, the rest are treatments", b)
        mappings = [b for b in course.sessions if b.kind == "mapping"]
        if mappings:
            mapping = mappings[0]
            before = [b for b in course.sessions if b.kind == "treatment" and b.start < mapping.start]
            if before:
                b = before[0]
                more = f" (and {_plural(len(before) - 1, 'more session')})" if len(before) > 1 else ""
                yield ctx.finding("TMS014", f"{course.id}'s {b.what()} on {day_text(b.day)} comes before the "
                                  f"mapping session ({mapping.id}, {day_text(mapping.day)}){more}; treatment "
                                  f"starts after the {label}", b)


def _window_text(anchor: str, lo: int, hi: int, anchor_day: dt.date, session: int | None = None) -> str:
    first, last = anchor_day + dt.timedelta(days=lo), anchor_day + dt.timedelta(days=hi)
    if anchor == "first":
        if hi == 0:
            rel = (f"up to {-lo} days before the first session, or on its day before it" if lo < 0
                   else "on the day of the first session, before it")
        else:
            rel = f"{-hi} to {-lo} days before the first session"
    else:
        which = "the last session" if anchor == "last" else f"session {session}"
        rel = f"{lo} to {hi} days after {which}"
    return f"{rel} ({day_text(anchor_day)}), {first.isoformat()} to {last.isoformat()}"


def _anchors(course: Course, a: Assessment) -> list[tuple[int | None, Booking]]:
    """The sessions an assessment's windows count from, in time order: the first and the
    last in time, or the live session of each anchor number (one not booked has no
    window: TMS008 reports it)."""
    first, last = course.sessions[0], max(course.sessions, key=lambda b: b.end)
    if a.anchor == "first":
        return [(None, first)]
    if a.anchor == "last":
        return [(None, last)]
    assert course.protocol is not None
    by_number: dict[int, Booking] = {}
    for b in course.sessions:
        if b.appt.session is not None:
            by_number.setdefault(b.appt.session, b)
    found = [(n, by_number[n]) for n in a.anchor_sessions(course.protocol.total_sessions) if n in by_number]
    return sorted(found, key=lambda nb: nb[1].order())  # a make-up may deliver a low number late


def _pair(anchors: list[tuple[int | None, Booking]], found: list[Booking], lo: int,
          hi: int) -> list[tuple[tuple[int | None, Booking], Booking | None]]:
    """Each anchor with its assessment: the earliest inside its window, else the earliest
    left over (then judged outside its window), else none (missing)."""
    free = list(found)
    chosen: dict[int, Booking] = {}
    for k, (_, anchor) in enumerate(anchors):
        inside = next((b for b in free if lo <= (b.day - anchor.day).days <= hi), None)
        if inside is not None:
            chosen[k] = inside
            free.remove(inside)
    for k in range(len(anchors)):
        if k not in chosen and free:
            chosen[k] = free.pop(0)
    return [(anchor, chosen.get(k)) for k, anchor in enumerate(anchors)]


@rule("TMS015", "error", "assessment missing or outside its window")
def assessments(ctx: Context) -> Iterator[Finding]:
    for course in _judged(ctx):
        if course.discharged or not course.sessions:
            continue
        protocol = course.protocol
        assert protocol is not None
        live = sorted((b for b in course.bookings if b.kind == "assessment" and b.live), key=Booking.order)
        by_name: dict[str, list[Booking]] = defaultdict(list)
        for b in live:
            by_name[b.appt.name or ""].append(b)
        names = [a.name for a in protocol.assessments]
        for name in sorted(by_name):
            if name not in names:
                known = ", ".join(names) if names else "none"
                for b in by_name[name]:
                    yield ctx.finding("TMS015", f"{course.id}'s assessment '{name}' ({b.id}) is not one of "
                                      f"{protocol.id}'s assessments ({known}); cancel it or name it as the "
                                      "protocol does", b)
        for a in protocol.assessments:
            anchors = _anchors(course, a)
            lo, hi = a.window_days
            found = by_name.get(a.name, [])
            pairs = _pair(anchors, found, lo, hi)
            gone = [b for b in course.bookings if b.kind == "assessment" and b.appt.name == a.name and not b.live]
            for (number, anchor), b in pairs:
                window = _window_text(a.anchor, lo, hi, anchor.day, number)
                if b is None:
                    missed = gone.pop(0) if gone else None
                    which = f"{a.name} assessment" if len(anchors) == 1 else \
                        f"{a.name} assessment after session {number}"
                    yield ctx.finding("TMS015", f"{course.id} has no planned or done {which}; {protocol.id} "
                                      f"wants one {window}", missed, course=course)
                    continue
                diff = (b.day - anchor.day).days
                if not lo <= diff <= hi:
                    yield ctx.finding("TMS015", f"{course.id}'s {a.name} assessment on {day_text(b.day)} is outside "
                                      f"its window: {protocol.id} wants it {window}", b)
                elif diff == 0 and a.anchor != "first" and b.start < anchor.end:
                    which = "the last session" if a.anchor == "last" else f"session {number}"
                    yield ctx.finding("TMS015", f"{course.id}'s {a.name} assessment starts {hhmm(b.start_min)} on "
                                      f"{day_text(b.day)}, before {which} ({anchor.id}) ends at "
                                      f"{hhmm(anchor.end_min)}; on the same day it comes after the session", b)
                elif diff == 0 and a.anchor == "first" and b.end > anchor.start:
                    yield ctx.finding("TMS015", f"{course.id}'s {a.name} assessment ends {hhmm(b.end_min)} on "
                                      f"{day_text(b.day)}, after the first session ({anchor.id}) starts at "
                                      f"{hhmm(anchor.start_min)}; on the same day it comes before the session", b)
            paired = {id(b) for _, b in pairs if b is not None}
            for extra in (b for b in found if id(b) not in paired):
                if len(anchors) == 1:
                    message = (f"{course.id} has a second {a.name} assessment ({extra.id}, also {found[0].id}); "
                               "the protocol has one; cancel the spare")
                else:
                    message = (f"{course.id} has {len(found)} {a.name} assessments ({extra.id} is one too many); "
                               f"{protocol.id} wants {len(anchors)}, one after each of sessions "
                               f"{numbers_text([n for n, _ in anchors if n is not None])}; cancel the spare")
                yield ctx.finding("TMS015", message, extra)


@rule("TMS101", "warning", "a patient's daily start time drifts more than 60 minutes")
def start_drift(ctx: Context) -> Iterator[Finding]:
    for course in _judged(ctx):
        mapping_days = {b.day for b in course.sessions if b.kind == "mapping"}
        daily = [b for phase, members in course.phases
                 if isinstance(phase, DailyPhase) and phase.per_day == 1
                 for b in members if b.kind == "treatment" and b.day not in mapping_days]
        if len(daily) < 2:
            continue
        usual = statistics.median(b.start_min for b in daily)
        usual_text = hhmm(int(usual))
        for b in daily:
            off = abs(b.start_min - usual)
            if b.planned and off > DRIFT_MINUTES:
                yield ctx.finding("TMS101", f"{course.id}'s {b.what()} starts {hhmm(b.start_min)} on "
                                  f"{day_text(b.day)}, {int(off)} min from the usual {usual_text} (the median "
                                  "start of the course's once-daily sessions); keep daily sessions within "
                                  f"{DRIFT_MINUTES} min of it", b)


@rule("TMS102", "warning", "a course changes chair")
def chair_changes(ctx: Context) -> Iterator[Finding]:
    for course in ctx.courses:
        seated = [b for b in course.sessions if b.appt.chair is not None]
        changes = [(prev, b) for prev, b in zip(seated, seated[1:]) if b.appt.chair != prev.appt.chair]
        planned = [(prev, b) for prev, b in changes if b.planned]
        if not planned:
            continue
        prev, b = planned[0]
        chairs = sorted({s.appt.chair for s in seated if s.appt.chair})
        more = f" ({_plural(len(changes), 'change')} in all)" if len(changes) > 1 else ""
        yield ctx.finding("TMS102", f"{course.id}'s course moves from chair {prev.appt.chair} to chair "
                          f"{b.appt.chair} at {b.what()} on {day_text(b.day)}{more}; it uses chairs "
                          f"{', '.join(chairs)}: keep a course on one chair where possible", b)
