"""The referral stream a capacity run books: rates per protocol, arrivals drawn from a seed."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import UsageError

MAX_RATE = 200.0  # referrals a week per protocol; more is a typo, not a clinic


@dataclass(frozen=True)
class Referral:
    """A simulated patient: ready to start on ``day``, referred in booking week ``week``."""

    id: str
    protocol: str
    day: dt.date
    week: int


def parse_rates(texts: Sequence[str], known: Sequence[str]) -> dict[str, float]:
    """``["standard-10hz=2,accelerated-5x5=0.5"]`` -> rates a week by protocol id.

    Several texts add up their entries; a protocol named twice is an error.
    """
    rates: dict[str, float] = {}
    for text in texts:
        for item in text.split(","):
            item = item.strip()
            if not item:
                continue
            name, sep, value = item.partition("=")
            name = name.strip()
            if not sep or not name:
                raise UsageError(f"--referrals {item!r}: write PROTOCOL=RATE (referrals a week), "
                                 "e.g. standard-10hz=2.5,accelerated-5x5=0.5")
            if name not in known:
                raise UsageError(f"--referrals: no protocol {name!r} in this clinic; known: {', '.join(sorted(known))} "
                                 "(tms-sched protocols --clinic CLINIC lists them)")
            try:
                rate = float(value)
            except ValueError:
                rate = -1.0
            if not (0.0 <= rate <= MAX_RATE) or rate != rate:
                raise UsageError(f"--referrals {item!r}: the rate is referrals a week, a number from 0 to "
                                 f"{MAX_RATE:g}, e.g. {name}=1.5")
            if name in rates:
                raise UsageError(f"--referrals names {name} twice; give each protocol once")
            rates[name] = rate
    if not rates or not any(rates.values()):
        raise UsageError("--referrals needs at least one protocol with a rate above 0, e.g. standard-10hz=2")
    return rates


def booking_days(today: dt.date, weeks: int) -> list[dt.date]:
    """The day each simulated week is booked: today, then every Monday after it."""
    monday = today - dt.timedelta(days=today.weekday())
    return [today] + [monday + dt.timedelta(weeks=k) for k in range(1, weeks)]


def referral_stream(rates: Mapping[str, float], today: dt.date, weeks: int, seed: int) -> list[Referral]:
    """Referrals from ``today`` over ``weeks`` booking weeks: for each protocol a Poisson
    stream (exponential gaps) of its rate a week.

    Each protocol draws from its own generator, seeded by the run's seed and the protocol's
    id, so adding a protocol or changing one rate leaves the other streams as they were,
    and every variant of the clinic sees the same referrals (a like-for-like comparison).
    """
    days = booking_days(today, weeks)
    end = days[-1] + dt.timedelta(days=7) if weeks > 1 else today + dt.timedelta(days=7 - today.weekday())
    span = (end - today).days
    drawn: list[tuple[dt.date, str]] = []
    for protocol in sorted(rates):
        rate = rates[protocol]
        if rate <= 0:
            continue
        rng = random.Random(f"tms-sched capacity {seed} {protocol}")
        t = 0.0
        while True:
            t += rng.expovariate(rate / 7.0)  # days
            if t >= span:
                break
            drawn.append((today + dt.timedelta(days=int(t)), protocol))
    drawn.sort()
    out = []
    for n, (day, protocol) in enumerate(drawn, start=1):
        week = max(k for k, d in enumerate(days) if d <= day)
        out.append(Referral(f"sim-{n:05d}", protocol, day, week))
    return out
