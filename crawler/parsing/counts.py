"""Counts as Weibo and forums print them: 12, "12", "1,234", "1.5万", "100万+", "2亿"."""

from __future__ import annotations

import re

_UNITS = {
    "": 1,
    "千": 1_000,
    "k": 1_000,
    "K": 1_000,
    "万": 10_000,
    "w": 10_000,
    "W": 10_000,
    "亿": 100_000_000,
}
_COUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(千|万|亿|k|K|w|W)?\+?\s*$")


def parse_count(value: object) -> int | None:
    """An int for any count form; None when absent or unreadable (never a guess)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    text = str(value).replace(",", "").replace("，", "").strip()
    if not text:
        return None
    m = _COUNT.match(text)
    if not m:
        return None
    return round(float(m.group(1)) * _UNITS[m.group(2) or ""])
