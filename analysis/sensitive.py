"""Sensitive-topic lexicon (研判 categories): which of the five a text touches.

The vocabulary is fixed (interfaces.md); the words are a starting lexicon that
`Settings.sensitive_terms` extends per topic without code changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from yuqing.vocab import SensitiveTopic

SENSITIVE_TOPICS: tuple[str, ...] = tuple(SensitiveTopic)  # the vocabulary's order breaks ties
# How a risk factor reads (涉及…), a sentence rather than the topic's label.
TOPIC_LABELS: dict[str, str] = {
    SensitiveTopic.DATA_CREDIBILITY: "涉及数据真实性",
    SensitiveTopic.LIVELIHOOD: "涉及群众切身利益",
    SensitiveTopic.MARKET_EXPECTATIONS: "涉及市场预期",
    SensitiveTopic.EMERGENCY: "涉及突发公共事件",
    SensitiveTopic.MISREADING: "涉及数据误读",
}
LEXICON: dict[str, tuple[str, ...]] = {
    "data_credibility": (
        "造假", "注水", "假数据", "数据失真", "被平均", "被增长", "被就业", "拍脑袋", "不可信", "不真实",
        "糊弄", "编的", "编造", "虚报", "瞒报", "统计造假", "数据打架", "掺水", "水分", "骗人", "骗谁",
    ),
    "livelihood": (
        "工资", "收入", "菜价", "肉价", "猪肉", "房租", "物价", "涨价", "看病", "养老", "失业", "就业难",
        "裁员", "降薪", "欠薪", "房价", "学费", "买不起", "生活成本",
    ),
    "market_expectations": (
        "股市", "A股", "汇率", "通缩", "通胀", "衰退", "经济下行", "预期", "信心", "楼市", "暴跌", "崩盘",
        "加息", "降息", "外资",
    ),
    "emergency": (
        "爆炸", "事故", "疫情", "地震", "洪水", "火灾", "伤亡", "死亡", "遇难", "突发", "群体性", "踩踏",
    ),
    "misreading": (
        "误读", "曲解", "断章取义", "理解错", "看错", "口径", "统计口径", "标题党", "误解", "谣言", "不实",
    ),
}


class SensitiveLexicon:
    """Counts lexicon hits per topic; topics are returned most-hit first."""

    def __init__(self, extra: Mapping[str, Sequence[str]] | None = None) -> None:
        terms = {topic: set(words) for topic, words in LEXICON.items()}
        for topic, words in (extra or {}).items():
            if topic not in terms:
                known = "、".join(f"{t}（{t.label}）" for t in SensitiveTopic)
                raise ValueError(f"未知的敏感主题：{topic}（可选：{known}）")
            terms[topic].update(w for w in words if w)
        self.terms = {topic: tuple(sorted(words, key=len, reverse=True)) for topic, words in terms.items()}

    def hits(self, text: str) -> dict[str, list[str]]:
        """topic -> the lexicon words found, for topics with at least one."""
        found = {}
        for topic, words in self.terms.items():
            present = [w for w in words if w in text]
            if present:
                found[topic] = present
        return found

    def topics(self, text: str) -> list[str]:
        hits = self.hits(text)
        return sorted(hits, key=lambda t: (-len(hits[t]), SENSITIVE_TOPICS.index(t)))
