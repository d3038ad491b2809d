"""Issue 13: incident titles say what the event is; the situation summary follows it."""

from datetime import UTC, datetime, timedelta

from yuqing.analysis.incident_text import (
    MentionBrief,
    ReleaseFacts,
    incident_title,
    main_claims,
    situation_summary,
    subtitle,
)

NOW = datetime(2026, 12, 10, 6, tzinfo=UTC)


def test_title_from_release_and_main_claim() -> None:
    cpi = ReleaseFacts("CPI", "2026年11月")
    assert incident_title(cpi, "data_credibility", ["数据造假"]) == "11月CPI数据遭造假质疑"
    assert incident_title(cpi, "vital_interests", ["与体感不符"]) == "11月CPI数据与体感差异引发争议"
    gdp = ReleaseFacts("GDP", "2026年三季度")
    assert incident_title(gdp, "market_expectations", []) == "三季度GDP数据引发市场关注"
    jobs = ReleaseFacts("UNEMPLOYMENT", "2026年11月份")
    assert incident_title(jobs, "other", []) == "11月城镇调查失业率数据引发关注"
    assert incident_title(None, "data_credibility", []) == "统计数据遭真实性质疑"


def test_claims_are_counted_per_post() -> None:
    texts = ["CPI造假，谁信", "数据注水，菜价翻倍", "菜价涨了一倍", "权重怎么算的？"]
    assert main_claims(texts) == [("数据造假", 2), ("与体感不符", 2), ("统计方法与口径", 1)]


def test_subtitle_is_the_post_on_one_line() -> None:
    post = "菜价涨了一倍,CPI才涨0.2%?\n今天去菜市场," + "看" * 80
    out = subtitle(post)
    assert out.startswith("菜价涨了一倍,CPI才涨0.2%? 今天去菜市场,") and out.endswith("…") and len(out) == 61


def test_situation_summary_three_lines_and_it_grows() -> None:
    posts = [MentionBrief("CPI数据造假，谁信", "大V甲", "weibo", NOW - timedelta(minutes=10), 80),
             MentionBrief("菜价翻倍，CPI注水", "大V甲", "weibo", NOW - timedelta(minutes=20), 70),
             MentionBrief("统计局数据不可信", "网友乙", "tieba", NOW - timedelta(minutes=90), 50)]
    lines = situation_summary(posts, now=NOW)
    assert len(lines) == 3
    assert lines[0] == "规模与趋势：共 3 条（微博 2、贴吧 1）；近 1 小时 2 条，之前 1 小时 1 条，上升"
    assert lines[1] == "主要说法：数据造假（3 条）、与体感不符（1 条）"
    assert lines[2] == "主要传播者：大V甲（2 条）、网友乙（1 条）"
    later = situation_summary(posts, now=NOW + timedelta(hours=1))
    assert later[0].endswith("近 1 小时 0 条，之前 1 小时 2 条，下降")
    empty = situation_summary([], now=NOW)
    assert empty[1:] == ["主要说法：暂无集中的说法", "主要传播者：暂无可识别的发布者"]
