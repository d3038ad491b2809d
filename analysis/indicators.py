"""The statistical indicators a bureau releases, and the words people use for them.

Shared vocabulary: the release-list parser names a release's indicator with it, the
release linker finds indicators in mentions with it, and jieba keeps these terms whole.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    code: str  # stable identifier stored in releases.indicator
    name: str  # official Chinese name
    aliases: tuple[str, ...]  # what titles and posts say instead (longest match wins)


INDICATORS: tuple[Indicator, ...] = (
    Indicator("CPI", "居民消费价格指数", ("居民消费价格", "CPI", "消费者物价指数", "物价指数", "消费价格")),
    Indicator("PPI", "工业生产者出厂价格指数", ("工业生产者出厂价格", "工业生产者购进价格", "PPI")),
    Indicator("GDP", "国内生产总值", ("国内生产总值", "GDP", "经济增速", "地区生产总值")),
    Indicator("UNEMPLOYMENT", "城镇调查失业率", ("城镇调查失业率", "调查失业率", "失业率", "青年失业率")),
    Indicator("INDUSTRY", "规模以上工业增加值", ("规模以上工业增加值", "规上工业增加值", "工业增加值")),
    Indicator("RETAIL", "社会消费品零售总额", ("社会消费品零售总额", "社零", "消费品零售")),
    Indicator("FAI", "固定资产投资", ("固定资产投资", "固投")),
    Indicator("PMI", "采购经理指数", ("采购经理指数", "制造业PMI", "非制造业商务活动指数", "PMI")),
    Indicator("HOUSING", "商品住宅销售价格", ("商品住宅销售价格", "新建商品住宅", "二手住宅", "房价")),
    Indicator("INCOME", "居民人均可支配收入", ("居民人均可支配收入", "人均可支配收入", "居民收入", "被平均")),
    Indicator("REAL_ESTATE_INVEST", "房地产开发投资", ("房地产开发投资", "房地产开发", "商品房销售")),
    Indicator("INDUSTRIAL_PROFIT", "规模以上工业企业利润", ("工业企业利润", "规上工业企业利润")),
)

BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}


def dictionary_terms() -> list[str]:
    """Terms jieba must keep as single tokens."""
    terms = {i.name for i in INDICATORS} | {a for i in INDICATORS for a in i.aliases if len(a) > 2}
    return sorted(terms)


# Per indicator, its alias and name spellings upper-cased, longest first (computed once).
_SEARCH: tuple[tuple[Indicator, tuple[tuple[str, str], ...]], ...] = tuple(
    (ind, tuple((a.upper(), a) for a in sorted((*ind.aliases, ind.name), key=len, reverse=True)))
    for ind in INDICATORS
)


def find_indicators(text: str) -> list[tuple[Indicator, str]]:
    """Indicators named in `text`, each with the alias that matched (longest alias first).

    Case-insensitive for Latin abbreviations (cpi, Gdp).
    """
    folded = text.upper()
    found: list[tuple[Indicator, str]] = []
    for ind, spellings in _SEARCH:
        for upper, alias in spellings:
            if upper in folded:
                found.append((ind, alias))
                break
    return found


def subject_of(text: str) -> str | None:
    """The code of the first indicator `text` names (the fact events are grouped by), or None."""
    found = find_indicators(text)
    return found[0][0].code if found else None
