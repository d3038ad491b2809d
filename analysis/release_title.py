"""Reading a release's title and URL: indicator, reference period, headline figure (pure).

"2026年10月份居民消费价格同比上涨0.2%" -> CPI, 2026年10月, +0.2 %. Cumulative titles
("1—10月份全国固定资产投资增长3.1%") omit the year, which the URL path carries
(/sj/zxfb/202611/t20261114_1957431.html). Periods are [start, end) in Asia/Shanghai, returned in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from yuqing.analysis.indicators import find_indicators
from yuqing.clock import SHANGHAI
from yuqing.vocab import OTHER_INDICATOR

OTHER = OTHER_INDICATOR  # a release whose title names no known indicator (综合, 解读…)

_URL_DATE = re.compile(r"/t(\d{4})(\d{2})(\d{2})_\d+")
_URL_MONTH = re.compile(r"/(\d{4})(\d{2})/")
_DASH = "[-—–~至]"
_CUMULATIVE = re.compile(rf"(?:(\d{{4}})年)?(\d{{1,2}}){_DASH}(\d{{1,2}})月份?")
_QUARTERS = re.compile(r"(?:(\d{4})年)?(前三季度|上半年|一季度|二季度|三季度|四季度|第[一二三四]季度)")
_MONTH = re.compile(r"(\d{4})年(\d{1,2})月份?")
_MONTH_NO_YEAR = re.compile(r"(?<![\d—–-])(\d{1,2})月份")
_YEAR = re.compile(r"(\d{4})年(?:全年|国民经济和社会发展统计公报|度)?")
_HEADLINE = re.compile(
    r"(同比|环比|比上年|比上月)?(上涨|增长|下降|回落|减少|持平|为|达到?)\s*(-?\d+(?:\.\d+)?)\s*"
    r"(%|％|个百分点|万亿元|亿元|万人|元)?"
)
_DOWN = {"下降", "回落", "减少"}
# titles that state a direction but no figure: 降幅收窄, 涨幅扩大, 由降转涨, 由平转涨, 持平
_QUALITATIVE = re.compile(
    r"(同比|环比|比上年|比上月)?((?:降|涨|增)幅(?:继续|有所)?(?:收窄|扩大|回落|加快)|由[降涨平负正]转[涨降平正负]|持平)"
)
_BASIS = {"比上年": "同比", "比上月": "环比"}
_QUARTER_MONTHS = {
    "一季度": (1, 3),
    "第一季度": (1, 3),
    "二季度": (4, 6),
    "第二季度": (4, 6),
    "三季度": (7, 9),
    "第三季度": (7, 9),
    "四季度": (10, 12),
    "第四季度": (10, 12),
    "上半年": (1, 6),
    "前三季度": (1, 9),
}


@dataclass(frozen=True)
class ReleaseTitle:
    indicator: str  # code from analysis.indicators, or OTHER
    indicator_name: str | None
    period_label: str | None  # 2026年10月, 2026年1—10月, 2026年前三季度
    period_start: datetime | None  # UTC, inclusive
    period_end: datetime | None  # UTC, exclusive (start of the next period)
    headline_value: float | None  # signed: 下降2.1% -> -2.1
    headline_unit: str | None
    headline_text: str | None  # the words the figure came from: "同比上涨0.2%"; or "同比降幅收窄"
    headline_basis: str | None = None  # 同比 | 环比 | None (not stated): the figure's comparison


def url_date(url: str | None) -> tuple[int, int, int] | None:
    """(year, month, day) from a stats.gov.cn release URL, if it carries one."""
    if url and (m := _URL_DATE.search(url)):
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    return None


def _url_year(url: str | None) -> int | None:
    if d := url_date(url):
        return d[0]
    if url and (m := _URL_MONTH.search(url)):
        return int(m.group(1))
    return None


def _span(year: int, first_month: int, last_month: int) -> tuple[datetime, datetime]:
    start = datetime(year, first_month, 1, tzinfo=SHANGHAI)
    end = datetime(year + (last_month == 12), last_month % 12 + 1, 1, tzinfo=SHANGHAI)
    return start.astimezone(UTC), end.astimezone(UTC)


def _reference_year(url: str | None, month: int) -> int | None:
    """A title without a year refers to the latest such period before publication."""
    d = url_date(url)
    if d is None:
        return _url_year(url)
    return d[0] if month < d[1] or (month == d[1]) else d[0] - 1


def parse_period(title: str, url: str | None = None) -> tuple[str | None, datetime | None, datetime | None]:
    """(label, start, end) of the reference period named in the title."""
    if m := _CUMULATIVE.search(title):
        first, last = int(m.group(2)), int(m.group(3))
        year = int(m.group(1)) if m.group(1) else _reference_year(url, last)
        if year and 1 <= first <= last <= 12:
            return (f"{year}年{first}—{last}月", *_span(year, first, last))
    if m := _QUARTERS.search(title):
        year = int(m.group(1)) if m.group(1) else _url_year(url)
        first, last = _QUARTER_MONTHS[m.group(2)]
        if year:
            label = m.group(2).removeprefix("第")
            return (f"{year}年{label}", *_span(year, first, last))
    if m := _MONTH.search(title):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return (f"{year}年{month}月", *_span(year, month, month))
    if m := _MONTH_NO_YEAR.search(title):
        month = int(m.group(1))
        year = _reference_year(url, month)
        if year and 1 <= month <= 12:
            return (f"{year}年{month}月", *_span(year, month, month))
    if m := _YEAR.search(title):
        year = int(m.group(1))
        return (f"{year}年", *_span(year, 1, 12))
    return None, None, None


def headline(title: str) -> tuple[float | None, str | None, str | None, str | None]:
    """(signed value, unit, matched words, basis 同比/环比) of the title's headline."""
    for m in _HEADLINE.finditer(title):
        comparison, verb, number, unit = m.groups()
        if unit is None and verb in {"为", "达", "达到"}:
            continue  # "为2026年" and the like: not a figure
        value = float(number)
        if verb in _DOWN:
            value = -value
        basis = _BASIS.get(comparison or "", comparison)
        return value, unit.replace("％", "%") if unit else None, m.group(0).strip(), basis
    if m := _QUALITATIVE.search(title):
        comparison, phrase = m.groups()
        basis = _BASIS.get(comparison or "", comparison)
        if phrase == "持平":
            return 0.0, "%", m.group(0), basis
        # the rest of the title's statements ("同比由降转涨 环比涨幅扩大") stay in the words
        rest = [x.group(0) for x in _QUALITATIVE.finditer(title, m.end())]
        return None, None, " ".join([m.group(0), *rest]), basis
    return None, None, None, None


def parse_release_title(title: str, url: str | None = None) -> ReleaseTitle:
    """Everything the title and URL say about a release; unknown parts are None."""
    clean = re.sub(r"\s+", "", title)
    found = find_indicators(clean)
    code, name = (found[0][0].code, found[0][0].name) if found else (OTHER, None)
    label, start, end = parse_period(clean, url)
    value, unit, text, basis = headline(clean)
    return ReleaseTitle(code, name, label, start, end, value, unit, text, basis)
