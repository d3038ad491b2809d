"""Risk factors and counts as the Chinese sentences a leader reads, not as scoring labels.

`[{"key": "negativity", "value": 0.97}, {"key": "engagement", "label": "转发 13,000 · 评论 4,630"}, …]`
becomes "情绪明显负面（负面概率 97%）；转发 1.3万次、评论 4630次；……".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_NUMBER = re.compile(r"([\d,.]+)")


def fmt_count(n: float) -> str:
    """People's way of saying a count: 4630, 1.3万, 100万, 2.1亿."""
    n = float(n)
    if n >= 1e8:
        return f"{n / 1e8:.1f}".rstrip("0").rstrip(".") + "亿"
    if n >= 1e4:
        return f"{n / 1e4:.1f}".rstrip("0").rstrip(".") + "万"
    return f"{n:.0f}"


def _numbers(label: str) -> list[float]:
    return [float(x.replace(",", "")) for x in _NUMBER.findall(label) if x.replace(",", "").replace(".", "")]


def factor_sentence(f: Mapping[str, Any]) -> str | None:
    """One factor as a clause; None for a factor that says nothing to a reader."""
    key = str(f.get("key", ""))
    label = str(f.get("label", ""))
    value = f.get("value")
    if key == "negativity":
        p = float(value or 0.0)
        tone = "情绪强烈负面" if p >= 0.9 else "情绪明显负面" if p >= 0.7 else "带有负面情绪"
        return f"{tone}（负面概率 {p:.0%}）"
    if key.startswith("sensitive:"):
        from yuqing.vocab import SensitiveTopic

        code = key.split(":", 1)[1]
        name = SensitiveTopic(code).label if code in SensitiveTopic.values() else label.removeprefix("涉及")
        return f"涉及{name}"
    if key == "engagement":
        nums = _numbers(label)
        if "转发" in label and len(nums) >= 2:
            return f"已被转发 {fmt_count(nums[0])} 次、评论 {fmt_count(nums[1])} 次"
        return f"互动 {fmt_count(float(value or (nums[0] if nums else 0)))} 次"
    if key == "followers":
        return f"发布账号拥有粉丝 {fmt_count(float(value or 0))}"
    if key == "verified":
        return "发布者为认证账号"
    if key == "media_tier":
        return f"来源为{label}"
    if key == "velocity":
        return f"传播较快，每小时转发约 {fmt_count(float(value or 0))} 次"
    return label or None


def factors_sentence(factors: Iterable[Mapping[str, Any]], *, limit: int = 4) -> str:
    """The leading factors as one sentence ending in 。, or an empty string when there are none."""
    clauses = [c for c in (factor_sentence(f) for f in factors if isinstance(f, Mapping)) if c][:limit]
    return ("；".join(clauses) + "。") if clauses else ""
