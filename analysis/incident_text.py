"""What an incident is called and how it stands: title, subtitle and a three-line situation summary.

A title made of the riskiest post ("菜价涨了一倍,CPI才涨0.2%? 今天去菜市场,…") tells the duty
officer nothing about the event. The title says what the event is — the release (period and
indicator), and the main claim or the category — e.g. "11月CPI数据遭造假质疑"; the post stays as
the subtitle. The summary has three lines: volume and trend, main claims, main spreaders; it is
recomputed whenever the incident gets new mentions. Pure functions: plain values in, text out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from yuqing.analysis.indicators import BY_CODE
from yuqing.vocab import Platform

# Claims people make about a release: a name, the title's predicate, and the words that show it.
CLAIMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("数据造假", "遭造假质疑", ("造假", "注水", "假数据", "编的", "编造", "掺水", "水分", "拍脑袋", "骗人",
                             "骗谁", "糊弄", "谁信", "不信", "不可信", "失真")),
    ("与体感不符", "与体感差异引发争议", ("体感", "感受", "没感觉", "菜价", "肉价", "房租", "被平均",
                                   "买菜", "翻倍", "不符")),
    ("统计方法与口径", "统计口径引发讨论", ("口径", "权重", "方法", "怎么算", "算出来", "样本", "篮子")),
    ("就业与收入", "引发就业收入讨论", ("工资", "收入", "失业", "裁员", "找不到工作", "降薪", "就业")),
    ("数据误读", "遭误读", ("误读", "曲解", "断章取义", "谣言", "不实", "标题党")),
)
# The title's predicate when no claim stands out, by incident category (alerts' vocabulary).
CATEGORY_PREDICATES = {
    "data_credibility": "遭真实性质疑", "vital_interests": "引发民生关注",
    "market_expectations": "引发市场关注", "public_emergency": "相关突发事件", "misreading": "遭误读",
    "other": "引发关注",
}
CATEGORY_SUBJECTS = {
    "data_credibility": "统计数据", "vital_interests": "民生", "market_expectations": "市场预期",
    "public_emergency": "突发事件", "misreading": "统计数据", "other": "舆情",
}
_MONTH_RE = re.compile(r"(?:\d{4}年)?(\d{1,2}月)(?:份)?$")
_QUARTER_RE = re.compile(r"(?:\d{4}年)?((?:第?[一二三四1-4]季度)|(?:前三季度)|(?:上半年)|(?:全年))")


@dataclass(frozen=True)
class ReleaseFacts:
    indicator: str  # code (CPI, GDP, …) as stored in releases.indicator
    period_label: str | None = None  # "2026年11月", "2026年三季度"


@dataclass(frozen=True)
class MentionBrief:
    text: str
    author: str | None
    platform: str
    at: datetime | None
    risk: float = 0.0


def _short_period(label: str | None) -> str:
    if not label:
        return ""
    label = label.strip()
    if m := _MONTH_RE.search(label):
        return m.group(1)
    if m := _QUARTER_RE.search(label):
        return m.group(1)
    return label


def _indicator_name(code: str) -> str:
    ind = BY_CODE.get(code)
    if ind is None:
        return code
    # Latin abbreviations are what people say (CPI, PPI, GDP, PMI); otherwise the official name.
    latin = [a for a in ind.aliases if a.isascii()]
    return latin[0] if latin else ind.name


def main_claims(texts: Sequence[str], top: int = 3) -> list[tuple[str, int]]:
    """Claims made by the texts, most frequent first, with how many texts make each."""
    counts: Counter[str] = Counter()
    for text in texts:
        for name, _pred, words in CLAIMS:
            if any(w in text for w in words):
                counts[name] += 1
    order = {name: i for i, (name, _p, _w) in enumerate(CLAIMS)}
    return sorted(counts.items(), key=lambda kv: (-kv[1], order[kv[0]]))[:top]


def incident_title(release: ReleaseFacts | None, category: str, claims: Sequence[str]) -> str:
    """E.g. "11月CPI数据遭造假质疑"; without a release, the category's subject ("统计数据遭造假质疑")."""
    predicate = next((pred for name, pred, _w in CLAIMS if claims and name == claims[0]),
                     CATEGORY_PREDICATES.get(category, "引发关注"))
    if release is not None:
        subject = f"{_short_period(release.period_label)}{_indicator_name(release.indicator)}数据"
    else:
        subject = CATEGORY_SUBJECTS.get(category, "舆情")
    return f"{subject}{predicate}"


def subtitle(post: str, limit: int = 60) -> str:
    """The representative post, on one line, cut at `limit` characters."""
    text = " ".join((post or "").split())
    return (text[:limit] + "…") if len(text) > limit else text


def situation_summary(mentions: Sequence[MentionBrief], *, now: datetime,
                      window: timedelta = timedelta(hours=1), top: int = 3) -> list[str]:
    """Three lines: volume and trend; main claims; main spreaders."""
    times = [m.at for m in mentions if m.at is not None]
    last = sum(1 for t in times if now - window < t <= now)
    before = sum(1 for t in times if now - 2 * window < t <= now - window)
    if last > before:
        trend = "上升"
    elif last < before:
        trend = "下降"
    else:
        trend = "持平"
    platforms = Counter(m.platform for m in mentions)
    spread = "、".join(f"{Platform.label_of(p)} {n}" for p, n in platforms.most_common())
    hours = window.total_seconds() / 3600
    span = f"{hours:g} 小时"
    volume = (f"规模与趋势：共 {len(mentions)} 条（{spread}）；近 {span} {last} 条，"
              f"之前 {span} {before} 条，{trend}")
    claims = main_claims([m.text for m in mentions], top)
    claim_line = ("主要说法：" + "、".join(f"{name}（{n} 条）" for name, n in claims)) if claims \
        else "主要说法：暂无集中的说法"
    authors: Counter[str] = Counter()
    risk: dict[str, float] = {}
    for m in mentions:
        if m.author:
            authors[m.author] += 1
            risk[m.author] = max(risk.get(m.author, 0.0), m.risk)
    ranked = sorted(authors, key=lambda a: (-authors[a], -risk[a], a))[:top]
    spreader_line = ("主要传播者：" + "、".join(f"{a}（{authors[a]} 条）" for a in ranked)) if ranked \
        else "主要传播者：暂无可识别的发布者"
    return [volume, claim_line, spreader_line]
