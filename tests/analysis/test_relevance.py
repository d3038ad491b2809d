"""Issue 13: relevance to the watched statistics, read in context (鼠标 CPI is not the CPI)."""

import pytest

from yuqing.analysis.relevance import relevance


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


def test_the_demo_worlds_off_topic_posts_are_caught_and_its_real_ones_kept() -> None:
    """The demo's CPI feed carries printer, advertising, exam and mouse 'CPI's among the real reactions."""
    from yuqing.analysis.normalise import normalise
    from yuqing.app.demo.content import weibo

    posts = [d["text"].replace("{m}", "11") for v in vars(weibo).values() if isinstance(v, tuple)
             for d in v if isinstance(d, dict) and "text" in d] + [weibo.ORIGIN["text"].replace("{m}", "11")]
    off = [t for t in posts if not relevance(normalise(t)).relevant]
    assert sorted(off) == sorted([
        "公司新买的打印机CPI（每英寸字符数）在哪里设置啊，说明书翻烂了也没找到[允悲]",
        "【广告】物价再涨也不怕！鲜丰超市CPI会员日，全场蔬菜五折起，点击链接领券 网页链接",
        "买量越来越贵，这个月游戏的CPI（单次安装成本）又涨了两块，老板脸都绿了",
        "CPI考试第三次报名了，这回一定要过[加油]",
        "新显示器到了，刷新率拉满，鼠标CPI调到1600，手感终于对了",
    ])
    assert len(posts) - len(off) >= 15
