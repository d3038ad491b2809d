"""Publication times as sources print them, read in Asia/Shanghai relative to the crawl time.

Forms (sources.md): "Sun Nov 20 10:00:00 +0800 2022", 刚刚, N秒前, N分钟前, N小时前, N天前,
今天 HH:MM, 昨天 HH:MM, 前天 HH:MM, MM-DD, MM-DD HH:MM, MM月DD日 HH:MM, YYYY年MM月DD日 HH:MM,
YYYY-MM-DD[ HH:MM[:SS]], YYYY/MM/DD[ HH:MM], optionally prefixed by "发表于"; forums add
"发布于 …", 半小时前, 刚才, "5 分钟前", N周前 and &nbsp; between the words.
News pages add: two-digit years ("18-03-08" is 2018-03-08), a dash before the time as gov.cn
metadata prints it ("2007-08-20-23:59:59"), and ISO 8601 with an offset.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from yuqing.clock import SHANGHAI

_AGO = re.compile(r"^(\d+)\s*(秒|分钟|小时|天)前$")
_AGO_UNIT = {"秒": "seconds", "分钟": "minutes", "小时": "hours", "天": "days"}
_DAY_WORD = re.compile(r"^(今天|昨天|前天)\s*(\d{1,2}):(\d{2})$")
_FULL = re.compile(
    r"^(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?"
    r"(?:(?:\s*|-)(\d{1,2})[:时](\d{2})(?:[:分](\d{2}))?[分秒]?)?$"
)
_SHORT_YEAR = re.compile(
    r"^(\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# an offset after any date-and-time form ISO 8601 or forums allow: space or T, unpadded, "+0800"
_OFFSET = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"\s?(?:(Z)|([+-])(\d{2}):?(\d{2}))$"
)
_NO_YEAR = re.compile(r"^(\d{1,2})\s*[-月]\s*(\d{1,2})\s*日?(?:\s*(\d{1,2}):(\d{2}))?$")


def parse_time(raw: str | None, now: datetime) -> datetime | None:
    """Aware UTC for a printed time, or None if the form is unknown. `now` is the crawl time."""
    if not raw:
        return None
    text = raw.strip().removeprefix("发表于").strip()
    text = _FORUM_PREFIX.sub("", text.replace("\xa0", " ")).strip()
    if (relative := _forum_relative(text, now)) is not None:
        return relative
    local_now = now.astimezone(SHANGHAI)
    if text == "刚刚":
        return now.astimezone(UTC)
    try:
        return datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
    except ValueError:
        pass
    if m := _OFFSET.match(text):
        return _with_offset(m)
    if _ISO.match(text):
        try:
            iso = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return (iso if iso.tzinfo else iso.replace(tzinfo=SHANGHAI)).astimezone(UTC)
    if m := _AGO.match(text):
        return (now - timedelta(**{_AGO_UNIT[m.group(2)]: int(m.group(1))})).astimezone(UTC)
    if m := _DAY_WORD.match(text):
        back = {"今天": 0, "昨天": 1, "前天": 2}[m.group(1)]
        day = local_now - timedelta(days=back)
        return _local(day.year, day.month, day.day, int(m.group(2)), int(m.group(3)))
    if m := _FULL.match(text):
        y, mo, d, hh, mm, ss = (int(g) if g else 0 for g in m.groups())
        return _local(y, mo, d, hh, mm, ss)
    if m := _SHORT_YEAR.match(text):
        yy, mo, d, hh, mm, ss = (int(g) if g else 0 for g in m.groups())
        # "18-03-08": 2018, unless that is years ahead of the crawl (then the last century)
        year = 2000 + yy if 2000 + yy <= local_now.year + 1 else 1900 + yy
        return _local(year, mo, d, hh, mm, ss)
    if m := _NO_YEAR.match(text):
        mo, d, hh, mm = (int(g) if g else 0 for g in m.groups())
        found = _local(local_now.year, mo, d, hh, mm)
        # "MM-DD" in January may mean last December: a post is never from the future.
        if found is not None and found > now + timedelta(days=1):
            found = _local(local_now.year - 1, mo, d, hh, mm)
        return found
    return None


# forum and Weibo forms: "发布于 2026-3-15", "发表于&nbsp;昨天 10:05", 半小时前, "5 分钟前", 刚才
_FORUM_PREFIX = re.compile(r"^(?:发表于|发布于|发布时间[:：]|更新于|回复于)\s*")
_HALF_HOUR = re.compile(r"^半\s*(小时|分钟)前$")
_AGO_SPACED = re.compile(r"^(\d+)\s+(秒|分钟|小时|天)\s*前$|^(\d+)\s*(秒钟|分|个小时|周)前$")
_AGO_EXTRA = {"秒钟": ("seconds", 1), "分": ("minutes", 1), "个小时": ("hours", 1), "周": ("days", 7)}


def _forum_relative(text: str, now: datetime) -> datetime | None:
    """Relative forms the basic patterns miss (None: not one of them)."""
    if text == "刚才":
        return now.astimezone(UTC)
    if m := _HALF_HOUR.match(text):
        half = timedelta(minutes=30) if m.group(1) == "小时" else timedelta(seconds=30)
        return (now - half).astimezone(UTC)
    if m := _AGO_SPACED.match(text):
        if m.group(1):
            return (now - timedelta(**{_AGO_UNIT[m.group(2)]: int(m.group(1))})).astimezone(UTC)
        unit, factor = _AGO_EXTRA[m.group(4)]
        return (now - timedelta(**{unit: int(m.group(3)) * factor})).astimezone(UTC)
    return None


def _with_offset(m: re.Match[str]) -> datetime | None:
    """UTC for an `_OFFSET` match (the printed offset, not Beijing, says where the time was read)."""
    y, mo, d, hh, mm, ss = (int(g) if g else 0 for g in m.groups()[:6])
    sign, oh, om = m.group(8), m.group(9), m.group(10)
    offset = timedelta(0) if m.group(7) else timedelta(hours=int(oh), minutes=int(om))
    if sign == "-":
        offset = -offset
    try:
        return (datetime(y, mo, d, hh, mm, ss, tzinfo=UTC) - offset).astimezone(UTC)
    except ValueError:
        return None


def _local(y: int, mo: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime | None:
    try:
        return datetime(y, mo, d, hh, mm, ss, tzinfo=SHANGHAI).astimezone(UTC)
    except ValueError:
        return None
