"""The release assessment (研判) and its pre-release note (预案)."""

from __future__ import annotations

import pytest

from yuqing.reports.assessment import assess_risk, build_assessment

THRESHOLDS = {"I": 80.0, "II": 65.0, "III": 50.0, "IV": 35.0}


def test_assess_risk_levels():
    low = assess_risk(
        total=30, negative=3, sensitive={}, max_risk=20, incident_grades=[], thresholds=THRESHOLDS
    )
    assert low == ("low", ["相关信息 30 条，负面占比 10.0%，未见明显风险"])
    level, reasons = assess_risk(
        total=10,
        negative=4,
        sensitive={"misreading": 3},
        max_risk=52,
        incident_grades=["IV"],
        thresholds=THRESHOLDS,
    )
    assert level == "medium"
    assert reasons == [
        "已立案舆情事件 1 起",
        "最高风险值 52，达到 III 级阈值 50",
        "负面占比 40%（4/10）",
        "存在误读 3 条，需加强解读",
    ]
    level, reasons = assess_risk(
        total=40,
        negative=25,
        sensitive={"data_credibility": 1},
        max_risk=40,
        incident_grades=[],
        thresholds=THRESHOLDS,
    )
    assert level == "high" and reasons == ["负面占比 62%（25/40）", "出现零星数据质量质疑 1 条"]


def test_assessment_of_published_release(session, world, settings):
    a = build_assessment(session, settings, release_id=world.cpi, now=world.now)
    assert a.published and a.report_title == "居民消费价格指数（2026年11月）数据发布舆情研判"
    assert (a.total, a.negative, a.negative_share) == (5, 3, "60.0%")  # the weak link (0.3) is left out
    assert [(p.label, p.total, p.negative) for p in a.phases] == [
        ("发布前", 0, 0),
        ("发布后24小时内", 5, 3),
        ("发布24小时后", 0, 0),
    ]
    assert a.sensitive == [("数据质量/造假质疑", 3)]
    assert [s.story_id for s in a.top_negative] == [world.story_fraud]
    assert a.top_negative[0].mentions == 3  # negative mentions only
    assert [i.id for i in a.incidents] == [world.incident_serious]
    assert a.level == "high" and a.level_label == "高"
    assert a.reasons == [
        "已有 II 级以上舆情事件 1 起（最高重大（II级））",
        "出现数据质量/造假质疑 3 条",
        "最高风险值 88，达到 II 级阈值 65",
    ]
    assert sum(h["total"] for h in a.hours) == 5 and a.hours[0]["start"] < a.published_at


def test_prerelease_note_uses_earlier_releases_of_the_indicator(session, world, settings):
    a = build_assessment(session, settings, release_id=world.cpi, now=world.now)
    pre = a.prerelease
    assert [p.id for p in pre.previous] == [world.cpi_prev, world.cpi_old]  # newest first, same indicator
    assert [p.level for p in pre.previous] == ["low", "high"]
    assert pre.previous[1].sensitive == ["数据质量/造假质疑", "误读"]
    assert pre.expected_level == "high"
    assert pre.recommendations[0].startswith("往期曾出现较高风险")
    assert any("造假质疑" in r for r in pre.recommendations) and any("误读" in r for r in pre.recommendations)


def test_unpublished_release(session, world, settings):
    a = build_assessment(session, settings, release_id=world.ppi, now=world.now)
    assert not a.published and a.total == 0 and a.hours == []
    assert a.level == "low" and a.prerelease.previous == []


def test_unknown_release(session, settings, world):
    with pytest.raises(LookupError, match="数据发布 9999 不存在"):
        build_assessment(session, settings, release_id=9999, now=world.now)


def test_prerelease_note_states_sensitivity_and_todays_mood(session, world, settings):
    a = build_assessment(session, settings, release_id=world.ppi, now=world.now)
    assert a.prerelease.sensitivity == "指标敏感性低：专业性较强，公众关注度相对较低。"
    assert a.prerelease.mood == "近 24 小时未监测到该指标的相关讨论。"
    cpi = build_assessment(session, settings, release_id=world.cpi, now=world.now)
    assert cpi.prerelease.sensitivity.startswith("指标敏感性高：物价直接关系群众切身利益")
    assert cpi.prerelease.mood == "近 24 小时该指标相关信息 5 条，负面 3 条（60.0%）。"
