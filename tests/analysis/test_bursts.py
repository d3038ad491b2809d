from datetime import UTC, datetime, timedelta

from yuqing.analysis.bursts import BurstParams, current_bursts, detect, ewma_baseline, hourly_counts
from yuqing.store.models import Document, Mention, MentionRelease, Release, Source

NOW = datetime(2026, 11, 10, 6, 0, tzinfo=UTC)


def test_flat_baseline_is_not_a_spike() -> None:
    sig = detect([20, 22, 19, 21, 20, 18, 23, 20, 21, 19, 22, 20, 21] * 2)
    assert not sig.spike and sig.score == 0.0
    assert 0.9 < sig.ratio < 1.2


def test_sudden_tenfold_jump_is_a_spike_with_a_chinese_reason() -> None:
    sig = detect([24] * 24 + [230])
    assert sig.spike and sig.count == 230
    assert abs(sig.ratio - 230 / 24) < 0.01 and sig.zscore > 3
    assert sig.reason == "近1小时 230 条，为前12小时均值的 9.6 倍"
    bigger = detect([24] * 24 + [2400])
    assert bigger.spike and 0 < sig.score < bigger.score <= 100


def test_slow_growth_is_not_a_spike() -> None:
    counts = [round(10 * 1.15**h) for h in range(36)]  # +15 % an hour, ~1,500 by the end
    sig = detect(counts)
    assert counts[-1] > 1000 and not sig.spike and sig.ratio < 3


def test_empty_history_and_new_topics() -> None:
    assert not detect([]).spike and detect([]).count == 0
    assert detect([50]).spike  # the very first hour of a topic: nothing before it
    sig = detect([0] * 12 + [50])
    assert sig.spike and sig.reason == "近1小时 50 条，前12小时无相关信息"
    assert not detect([0] * 12 + [3]).spike  # too few to matter
    assert not detect([0] * 12).spike


def test_a_noisy_series_needs_a_bigger_jump_than_a_quiet_one() -> None:
    params = BurstParams(min_ratio=2.0)
    quiet, noisy = [10] * 24, [1, 19] * 12  # same mean, 10 an hour
    assert sum(quiet) == sum(noisy) == 240
    assert detect([*quiet, 30], params).spike
    assert not detect([*noisy, 30], params).spike


def test_ewma_and_hourly_counts() -> None:
    base = ewma_baseline([10, 10, 40], alpha=0.5)
    assert base[0] == (0.0, 0.0) and base[1] == (10.0, 0.0) and base[2][0] == 10.0
    times = [NOW - timedelta(minutes=m) for m in (1, 59, 61, 180, 60 * 49)]
    assert hourly_counts(times, now=NOW, hours=48)[-3:] == [1, 1, 2]
    assert sum(hourly_counts([*times, NOW], now=NOW, hours=48)) == 4  # [now, …) and > 48 h left out


def _mention(session, source: Source, n: int, when: datetime, topics: list[str]) -> Mention:  # type: ignore[no-untyped-def]
    doc = Document(source_id=source.id, platform="weibo", dedup_key=f"d{n}", url=f"http://127.0.0.1/{n}",
                   text="CPI", status="analysed", published_at=when)
    session.add(doc)
    session.flush()
    m = Mention(document_id=doc.id, source_id=source.id, platform="weibo", published_at=when, text="CPI",
                sentiment="negative", p_negative=0.9, p_neutral=0.05, p_positive=0.05, model_version="t",
                topics=topics, analysed_at=when)
    session.add(m)
    session.flush()
    return m


def test_current_bursts_per_topic_and_release(session) -> None:  # type: ignore[no-untyped-def]
    src = Source(name="weibo", kind="weibo_search", url="http://127.0.0.1/w", media_tier="self")
    rel = Release(title="2026年10月份居民消费价格同比上涨0.2%", indicator="CPI", period_label="2026年10月",
                  published_at=NOW - timedelta(hours=20), url="http://127.0.0.1/rel/1")
    session.add_all([src, rel])
    session.flush()
    n = 0
    for h in range(1, 19):  # 18 quiet hours: 2 an hour on 物价 (one linked to the release), 1 on 就业
        for k in range(2):
            m = _mention(session, src, n := n + 1, NOW - timedelta(hours=h, minutes=10 + k), ["物价"])
            if k == 0:
                session.add(MentionRelease(mention_id=m.id, release_id=rel.id, confidence=0.8))
        _mention(session, src, n := n + 1, NOW - timedelta(hours=h, minutes=30), ["就业"])
    for k in range(40):  # the last hour: 物价 and the release burst, 就业 stays flat
        m = _mention(session, src, n := n + 1, NOW - timedelta(minutes=1 + k), ["物价"])
        session.add(MentionRelease(mention_id=m.id, release_id=rel.id, confidence=0.8))
    _mention(session, src, n := n + 1, NOW - timedelta(minutes=5), ["就业"])
    _mention(session, src, n := n + 1, NOW + timedelta(minutes=5), ["就业"])  # the future is not counted
    session.flush()

    bursts = current_bursts(session, now=NOW)
    assert {(b.kind, b.key) for b in bursts} == {("topic", "物价"), ("release", str(rel.id))}
    topic = next(b for b in bursts if b.kind == "topic")
    assert topic.signal.count == 40 and topic.signal.window_mean == 2.0
    assert topic.signal.reason == "近1小时 40 条，为前12小时均值的 20.0 倍"
    release = next(b for b in bursts if b.kind == "release")
    assert release.label == rel.title and release.signal.count == 40 and release.signal.ratio == 40.0
    assert release.signal.score > topic.signal.score
    every = current_bursts(session, now=NOW, spikes_only=False)
    quiet = next(b for b in every if b.key == "就业")
    assert not quiet.signal.spike and quiet.signal.count == 1 and len(quiet.counts) == 48
    assert current_bursts(session, now=NOW - timedelta(hours=30)) == []
