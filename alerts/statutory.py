"""法定节假日 that follow from the law, for years whose State Council schedule is not yet published. Pure.

《全国年节及纪念日放假办法》 as amended by 国务院令第795号 (2024-11-10, in force 2025-01-01), art. 2:
元旦 1 day (1 Jan); 春节 4 days (农历除夕, 正月初一至初三); 清明节 1 day (the 清明 solar term);
劳动节 2 days (1–2 May); 端午节 1 day (五月初五); 中秋节 1 day (八月十五); 国庆节 3 days (1–3 Oct).
Art. 6: a holiday of all citizens falling on a Saturday or Sunday is made up on a working day (补假).
Art. 7 lets the State Council join them with weekends into long holidays (调休); since 2025 these have
been 春节 8 days from 除夕, 劳动节 5 days from 1 May and 国庆节 7 days from 1 October (checked against
the published 2025 and 2026 schedules in tests). Which weekends are then worked (调休) is not known
until the notice is published. A statutory deadline must not come out later than the law allows, so
the provisional calendar assumes the weekend days within `makeup_window` days of a long holiday may
be worked (`probable_makeup_days`): measured on 2025-2026 (bench/provisional_calendar.py) a 15-working-
day deadline then comes out late for 1.3% of receipt dates (at most 2 days) instead of 26.4% (up to 10)
if they were rest days, or 5.4% (up to 3) with the old Monday–Friday rule, which was early for 36%.
Everything computed on the rule stays provisional until the notice is imported.
Lunar dates and the 清明 term come from `lunar_python` (offline, pure Python).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from lunar_python import Lunar


@dataclass(frozen=True)
class Festival:
    name: str
    days: tuple[date, ...]  # the statutory days (art. 2)
    block: int = 0  # customary long holiday from the first day (art. 7 practice), 0: none


def _solar(lunar: Lunar) -> date:
    s = lunar.getSolar()
    return date(s.getYear(), s.getMonth(), s.getDay())


def festivals(year: int) -> list[Festival]:
    """The seven festivals of art. 2 in `year`, with their statutory days."""
    new_year = Lunar.fromYmd(year, 1, 1)
    eve = _solar(new_year.next(-1))
    spring = _solar(new_year)
    qingming = new_year.getJieQiTable()["清明"]
    return [
        Festival("元旦", (date(year, 1, 1),)),
        Festival("春节", (eve, spring, spring + timedelta(days=1), spring + timedelta(days=2)), block=8),
        Festival("清明节", (date(qingming.getYear(), qingming.getMonth(), qingming.getDay()),)),
        Festival("劳动节", (date(year, 5, 1), date(year, 5, 2)), block=5),
        Festival("端午节", (_solar(Lunar.fromYmd(year, 5, 5)),)),
        Festival("中秋节", (_solar(Lunar.fromYmd(year, 8, 15)),)),
        Festival("国庆节", (date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)), block=7),
    ]


@lru_cache(maxsize=64)
def statutory_rest_days(year: int, customary_blocks: bool = True) -> dict[date, str]:
    """Rest days in `year` that follow from the law: {date: festival name}.

    Statutory days; with `customary_blocks`, the long holidays (extended by one day for each other
    festival's statutory day that falls inside, as 中秋 inside 国庆 in 2025); then each statutory day
    on a weekend or on another holiday gets the next free weekday (art. 6 补假).
    """
    rest: dict[date, str] = {}
    fests = festivals(year)
    if customary_blocks:
        for fest in fests:
            if not fest.block:
                continue
            start = fest.days[0]
            inside = sum(1 for other in fests if other is not fest for d in other.days
                         if start <= d < start + timedelta(days=fest.block))
            for i in range(fest.block + inside):
                rest.setdefault(start + timedelta(days=i), fest.name)
    for fest in fests:
        owed = 0
        for day in fest.days:
            if day not in rest:
                rest[day] = fest.name
                owed += day.weekday() >= 5
        for _ in range(owed):
            free = max(d for d, name in rest.items() if name == fest.name) + timedelta(days=1)
            while free.weekday() >= 5 or free in rest:
                free += timedelta(days=1)
            rest[free] = fest.name + "（补假）"
    return {d: n for d, n in rest.items() if d.year == year}


@lru_cache(maxsize=64)
def probable_makeup_days(year: int, window: int = 7) -> frozenset[date]:
    """Weekend days within `window` days before or after a long holiday of `year` (where 调休 puts its
    make-up working days), less the statutory rest days. 0: none."""
    rest = statutory_rest_days(year, True)
    days: set[date] = set()
    for fest in festivals(year):
        if not fest.block or window <= 0:
            continue
        block = sorted(d for d, name in rest.items() if name == fest.name)
        for i in range(1, window + 1):
            for day in (block[0] - timedelta(days=i), block[-1] + timedelta(days=i)):
                if day.weekday() >= 5 and day not in rest and day.year == year:
                    days.add(day)
    return frozenset(days)
