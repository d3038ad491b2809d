"""Is a document about the watched statistics? Indicator words read in context, not as substrings.

Searches for "CPI" also bring back mice (鼠标 CPI = counts per inch), "PPI" screens (pixels per
inch), "PMI" project-management certificates. Each indicator name found is weighed by what sits
around it: words of another field near an ambiguous abbreviation count against it, words of
statistics and prices anywhere in the text count for it. A text that names no indicator at all is
left alone (it came in through another watch topic: 统计局, 菜价 …), so `relevant` is only False on
evidence, and `reason` says in Chinese which words decided, for the analyst who looks it up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from yuqing.analysis.indicators import find_indicators

# Abbreviations that other fields use too: each sense, and the words that give it away ("游戏" is not
# one of them: 数字游戏 is what critics call the figures).
AMBIGUOUS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "CPI": (
        ("鼠标或硬件参数", ("鼠标", "dpi", "显卡", "处理器", "显示器", "灵敏度", "键盘", "电竞", "主板",
                      "内存", "cpu", "外设", "罗技", "雷蛇", "电脑", "刷新率", "调到")),
        ("打印参数（每英寸字符数）", ("打印机", "打印", "每英寸", "字符数", "说明书")),
        ("广告投放成本（单次安装成本）",
         ("买量", "安装成本", "单次安装", "投放", "获客", "推广费", "广告主")),
        ("考试名称", ("考试", "报名", "备考", "成绩", "考过", "证书")),
        ("商家促销", ("【广告】", "会员日", "领券", "五折", "优惠券", "促销", "点击链接")),
    ),
    "PPI": (("屏幕像素密度", ("屏幕", "像素", "分辨率", "手机", "英寸", "显示屏", "视网膜", "清晰", "oled",
                         "lcd", "平板", "dpi")),),
    "PMI": (("项目管理认证", ("项目管理", "pmp", "认证", "考试", "证书", "备考", "报名", "培训", "acp")),),
    "GDP": (("游戏中的用法", ("副本", "装备", "玩家", "手游", "公会", "氪金")),),
}
# Words that place a text in statistics, prices and the economy.
SUPPORT: tuple[str, ...] = (
    "统计", "国家统计局", "统计局", "物价", "同比", "环比", "通胀", "通缩", "居民消费", "菜价", "猪肉",
    "涨价", "涨", "跌",
    "上涨", "下降", "下跌", "回落", "百分点", "经济", "数据", "发布", "指数", "价格", "工资", "收入", "就业",
    "失业", "央行", "利率", "降息", "消费", "零售", "制造业", "出厂", "采购经理", "季度", "月份", "增速",
)
_KEYS = tuple(k.lower() for k in AMBIGUOUS)
WINDOW = 20  # characters either side of an ambiguous abbreviation that count as its context
_PERCENT_RE = re.compile(r"\d+(?:\.\d+)?\s*%")


@dataclass(frozen=True)
class Relevance:
    score: float  # 0…1; 0.5 when no ambiguous abbreviation occurs (nothing to judge), < 0.5 irrelevant
    relevant: bool
    reason: str  # Chinese, for the analyst; empty when nothing was in doubt


def _found(words: tuple[str, ...], text: str) -> list[str]:
    return [w for w in words if w in text]


def relevance(text: str) -> Relevance:
    """Relevance of a normalised text to the watched statistics (see module docstring)."""
    folded = text.lower()
    if not any(key in folded for key in _KEYS):  # the common case, and cheap: nothing is in doubt
        return Relevance(0.5, True, "")
    indicators = find_indicators(text)
    unambiguous = [alias for _ind, alias in indicators if alias.upper() not in AMBIGUOUS]
    if unambiguous:
        return Relevance(1.0, True, "")
    support = _found(SUPPORT, folded) + (["百分比数字"] if _PERCENT_RE.search(folded) else [])
    against: list[str] = []
    senses: dict[str, int] = {}
    for _ind, alias in indicators:
        key = alias.lower()
        for m in re.finditer(re.escape(key), folded):
            near = folded[max(0, m.start() - WINDOW): m.end() + WINDOW]
            for field, words in AMBIGUOUS[alias.upper()]:
                hits = [w for w in _found(words, near) if w not in against]
                if hits:
                    against += hits
                    name = f"「{alias}」在此指{field}"
                    senses[name] = senses.get(name, 0) + len(hits)
    sense = max(senses, key=lambda k: senses[k]) if senses else ""
    score = max(0.0, min(1.0, 0.5 + 0.15 * len(support) - 0.25 * len(against)))
    if not against:
        return Relevance(max(score, 0.5), True, "")
    if score >= 0.5:
        return Relevance(score, True, f"{sense}的可能（附近有：{'、'.join(against)}），但有统计语境"
                                      f"（{'、'.join(support[:5])}），保留")
    why = f"{sense}（附近有：{'、'.join(against)}）"
    why += f"，统计语境不足（仅有：{'、'.join(support)}）" if support else "，没有任何统计或物价语境"
    return Relevance(score, False, why + "，与监测的统计指标无关")
