"""The scenario's content: volume, timing of the wave, deterministic ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from yuqing.app.demo.clock import VirtualClock
from yuqing.app.demo.scenario import WAVE_START, build_scenario, mid_to_bid
from yuqing.clock import SHANGHAI

REAL_START = datetime(2026, 11, 9, 7, 30, tzinfo=UTC)  # 15:30 in Beijing; the scenario starts at 09:30
CLOCK = VirtualClock(REAL_START, timedelta(hours=6), 240)


def test_mid_to_bid_matches_weibo_base62() -> None:
    assert mid_to_bid("4387933362623405") == "HATy0b0sZ"


def test_cpi_release_is_published_at_the_scenario_start() -> None:
    s = build_scenario(CLOCK, 7)
    assert s.cpi.at == CLOCK.scenario_start
    assert s.cpi.title == "2026年10月份居民消费价格同比上涨0.2%"
    assert s.cpi.path.startswith("/sj/zxfb/202611/t20261109_")
    assert s.cpi.at.astimezone(SHANGHAI).strftime("%H:%M") == "09:30"
    assert all(
        r.at < s.cpi.at for r in s.releases if "居民消费价格" not in r.title and "工业生产者" not in r.title
    )
    assert any("工业增加值" in r.title for r in s.releases) and any(
        "PMI" in r.paragraphs[0] for r in s.releases
    )


def test_volume_looks_like_a_viral_wave() -> None:
    s = build_scenario(CLOCK, 7)
    total = len(s.weibo) + len(s.news) + sum(len(t.posts) for t in s.tieba)
    assert 150 <= total <= 300

    def share(t: datetime) -> float:
        return (t - CLOCK.scenario_start) / CLOCK.span

    before = [p for p in s.weibo if share(p.at) < WAVE_START]
    middle = [p for p in s.weibo if WAVE_START <= share(p.at) < (1 + 2 * WAVE_START) / 3]
    late = [p for p in s.weibo if share(p.at) >= (1 + 2 * WAVE_START) / 3]
    assert len(before) < len(middle) < len(late)
    fraud = [p for p in s.weibo if any(w in p.text for w in ("造假", "注水", "被平均"))]
    assert min(share(p.at) for p in fraud) >= WAVE_START - 0.01  # the accusation starts a third in
    origin = min(fraud, key=lambda p: p.at)
    assert origin.user.followers_text == "100万+" and origin.user.verified_type == 0


def test_wording_varies_and_reposts_point_to_earlier_originals() -> None:
    s = build_scenario(CLOCK, 7)
    by_mid = s.weibo_by_mid
    originals = [p for p in s.weibo if p.repost_of is None]
    texts = [p.text for p in originals]
    assert len(set(texts)) >= len(texts) - 8  # only the copy-paste posts repeat
    reposts = [p for p in s.weibo if p.repost_of is not None]
    assert len(reposts) >= 30
    assert all(by_mid[p.repost_of].at <= p.at for p in reposts)
    assert sum(p.text == "转发微博" for p in reposts) >= 3
    assert any("//@" in p.text for p in reposts)
    assert any("广告" in p.text for p in s.weibo)  # the watch expression must exclude it


def test_same_seed_same_ids_other_seed_other_ids() -> None:
    a, b, c = build_scenario(CLOCK, 7), build_scenario(CLOCK, 7), build_scenario(CLOCK, 8)
    assert [p.mid for p in a.weibo] == [p.mid for p in b.weibo]
    assert [t.tid for t in a.tieba] == [t.tid for t in b.tieba]
    assert [r.path for r in a.releases] == [r.path for r in b.releases]
    assert {p.mid for p in a.weibo}.isdisjoint({p.mid for p in c.weibo})
    assert len({p.mid for p in a.weibo}) == len(a.weibo)


def test_mids_grow_with_time_like_real_weibo_ids() -> None:
    s = build_scenario(CLOCK, 7)
    ordered = sorted(s.weibo, key=lambda p: (p.at, int(p.mid)))
    assert [int(p.mid) for p in ordered] == sorted(int(p.mid) for p in ordered)
