from datetime import UTC, datetime, timedelta

from yuqing.analysis.risk import RiskInputs, score, story_risk, summary

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def test_viral_fraud_accusation_is_high_risk_with_reasons() -> None:
    risk, factors = score(RiskInputs(
        p_negative=0.92, sensitive_topics=("data_credibility",), reposts=2300, comments=600, likes=4000,
        followers=1_200_000, verified=True, media_tier="provincial",
        published_at=NOW - timedelta(hours=1), now=NOW,
    ))
    assert risk >= 80
    labels = [f["label"] for f in factors]
    assert "负面 0.92" in labels and "涉及数据真实性" in labels and "1小时转发 2,300" in labels
    assert "粉丝 120万" in labels
    assert all(set(f) == {"key", "label", "value", "contribution"} for f in factors)
    assert summary(factors).startswith("负面 0.92")


def test_neutral_news_reporting_the_figure_is_low_risk() -> None:
    risk, factors = score(RiskInputs(p_negative=0.02, sensitive_topics=("livelihood",), media_tier="central",
                                     followers=0, published_at=NOW, now=NOW))
    assert risk < 35
    assert sum(f["contribution"] for f in factors) == risk


def test_reach_amplifies_negative_more_than_positive() -> None:
    reach = {"reposts": 5000, "comments": 900, "likes": 9000, "followers": 3_000_000, "verified": True}
    neg, _ = score(RiskInputs(p_negative=0.9, **reach))
    pos, _ = score(RiskInputs(p_negative=0.05, **reach))
    assert neg > pos + 40
    assert score(RiskInputs(p_negative=1.0, sensitive_topics=("data_credibility", "livelihood"), **reach,
                            media_tier="central"))[0] == 100.0


def test_story_risk_adds_spread() -> None:
    single, _ = story_risk([50.0], 1, 1)
    spread, factors = story_risk([50.0, 20.0], 100, 3)
    assert single == 50.0 and spread > single
    assert {f["key"] for f in factors} == {"max_mention", "copies", "platforms"}
