"""Issue 13: relevance to the watched statistics, read in context (鼠标 CPI is not the CPI)."""

import pytest

from analysis.relevance import relevance


@pytest.mark.parametrize("text", [
    "新显示器到了，顺手把鼠标CPI调到1600，手感舒服多了",
    "鼠标CPI 800还是1600好？",
    "这手机PPI 460，屏幕清晰",
    "PMI备考第三周，项目管理真难",
])
def test_other_senses_are_irrelevant_with_the_reason(text: str) -> None:
    r = relevance(text)
    assert not r.relevant and r.score < 0.5
    assert "与监测的统计指标无关" in r.reason and "附近有" in r.reason


def test_reason_names_the_words_that_decided() -> None:
    r = relevance("新显示器到了…鼠标CPI调到1600")
    assert "「CPI」在此指鼠标或硬件参数" in r.reason and "鼠标" in r.reason and "显示器" in r.reason


@pytest.mark.parametrize("text", [
    "国家统计局：11月CPI同比上涨0.2%",
    "CPI又是0.2%？菜价都翻倍了",
    "CPI涨了0.2%，可我连鼠标都买不起了",  # a hardware word, but the statistic's context outweighs it
    "CPI就是个数字游戏",  # critics' 数字游戏 is not a game
    "11月制造业PMI为49.8%",
    "居民消费价格指数公布",
])
def test_the_statistic_stays(text: str) -> None:
    assert relevance(text).relevant


def test_text_without_any_indicator_is_not_judged() -> None:
    r = relevance("统计局今天开放日")
    assert r.relevant and r.reason == "" and r.score == 0.5
