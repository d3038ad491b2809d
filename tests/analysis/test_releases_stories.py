from datetime import UTC, datetime, timedelta

from yuqing.analysis.releases import ReleaseRef, link_releases
from yuqing.analysis.stories import StoryIndex, from_bytes, signatures, to_bytes

PUB = datetime(2026, 11, 10, 1, 30, tzinfo=UTC)
CPI = ReleaseRef(1, "CPI", "2026年10月", PUB)
PPI = ReleaseRef(2, "PPI", "2026年10月", PUB)


def test_links_by_indicator_period_and_recency() -> None:
    links = link_releases("10月份CPI同比上涨0.2%，猪肉价格下降", PUB + timedelta(hours=2), [CPI, PPI])
    assert [lk.release_id for lk in links] == [1]
    assert links[0].confidence > 0.9 and any("10月" in r for r in links[0].reasons)
    later = link_releases("CPI 又出来了", PUB + timedelta(days=10), [CPI, PPI])
    assert later[0].confidence < links[0].confidence


def test_generic_accusation_links_weakly_to_the_latest_release() -> None:
    links = link_releases("统计局又注水了，谁信", PUB + timedelta(hours=3), [CPI])
    assert len(links) == 1 and links[0].release_id == 1 and links[0].confidence < 0.55
    assert link_releases("统计局又注水了", PUB + timedelta(days=5), [CPI]) == []
    assert link_releases("10月CPI", PUB - timedelta(days=1), [CPI]) == []  # before publication
    assert link_releases("今天天气不错", PUB + timedelta(hours=1), [CPI]) == []


def test_syndicated_copies_share_a_story_and_signatures_round_trip() -> None:
    a = "国家统计局今日发布数据，10月份居民消费价格指数同比上涨0.2%，环比持平，其中食品价格下降。"
    copy = "【转载】" + a + "来源：新华社"
    other = "统计局又注水了，CPI数据造假，谁信啊，我们又被平均了，强烈要求公开原始数据"
    sa, sc, so, short = signatures([a, copy, other, "太短"])
    assert short is None
    index = StoryIndex([(7, to_bytes(sa))])
    assert index.find(from_bytes(to_bytes(sc))) == 7
    assert index.find(so) is None
