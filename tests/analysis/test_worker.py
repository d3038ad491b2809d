from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from yuqing.alerts.grouping import event_of
from yuqing.analysis.worker import analyse_pending
from yuqing.config import Settings, WatchTopicConfig
from yuqing.store.models import (
    Document,
    Mention,
    MentionRelease,
    Quarantine,
    Release,
    Source,
    Story,
    WatchTopic,
)

NOW = datetime(2026, 11, 10, 6, 0, tzinfo=UTC)
PUB = datetime(2026, 11, 10, 1, 30, tzinfo=UTC)
NEWS = "国家统计局今日发布数据，10月份居民消费价格指数同比上涨0.2%，环比持平，其中食品价格下降1.2%。"
ACCUSE = [
    "10月CPI才涨0.2%？菜价都翻倍了，统计局数据造假，谁信啊[怒]",
    "统计局又注水了，我们又被平均了，这数据根本不可信",
    "CPI纯属编的，数据造假太明显了，强烈要求公开原始数据",
]


def _settings(**kw: object) -> Settings:
    return Settings(watch=[WatchTopicConfig(name="物价", expression="CPI OR 居民消费价格")], **kw)


def _seed(session) -> tuple[Source, Source, Release]:  # type: ignore[no-untyped-def]
    news = Source(name="xinhua", kind="news_rss", url="http://127.0.0.1/rss", media_tier="central")
    weibo = Source(name="weibo", kind="weibo_search", url="http://127.0.0.1/w", media_tier="self")
    rel = Release(title="2026年10月份居民消费价格同比上涨0.2%", indicator="CPI", period_label="2026年10月",
                  published_at=PUB, url="http://127.0.0.1/rel/1")
    session.add_all([news, weibo, rel])
    session.flush()
    return news, weibo, rel


def _doc(source: Source, key: str, text: str, **kw: object) -> Document:
    platform = "news" if source.kind == "news_rss" else "weibo"
    base = {"platform": platform, "published_at": PUB + timedelta(hours=1)}
    return Document(source_id=source.id, dedup_key=key, url=f"http://127.0.0.1/{key}", text=text,
                    **(base | kw))


def test_scenario_news_low_risk_accusations_one_event(session_maker):  # type: ignore[no-untyped-def]
    with session_maker() as s, s.begin():
        news, weibo, rel = _seed(s)
        rel_id = rel.id
        s.add(_doc(news, "n1", NEWS, title="10月份CPI同比上涨0.2%", publisher="新华社"))
        s.add(_doc(news, "n2", "【转载】" + NEWS, publisher="某省日报",
                   published_at=PUB + timedelta(hours=2)))
        for i, text in enumerate(ACCUSE):
            s.add(_doc(weibo, f"w{i}", text, reposts=2300 * (i + 1), comments=500, likes=3000,
                       author_followers=1_500_000, author_verified_type=0,
                       published_at=NOW - timedelta(hours=1)))
        s.add(_doc(weibo, "w9", "转发：" + ACCUSE[0], parent_key="w0", reposts=5,
                   published_at=NOW - timedelta(minutes=30)))
    settings = _settings()
    settings.analysis.batch_size = 3  # several batches: keys must stay stable across them
    assert analyse_pending(session_maker, settings, now=NOW) == 6
    with session_maker() as s:
        m = {d.dedup_key: mt for mt, d in s.execute(
            select(Mention, Document).join(Document, Document.id == Mention.document_id))}
        assert m["n1"].sentiment == "neutral" and m["n1"].risk < 35 and m["n1"].release_id == rel_id
        assert all(mt.event_key is None and mt.alerted is False for mt in m.values())  # the engine's columns
        assert m["n1"].story_id == m["n2"].story_id
        story = s.get(Story, m["n1"].story_id)
        assert story.size == 2 and story.earliest_publisher == "新华社" and story.platforms == {"news": 2}
        # the facts analysis records, the same across batches, and so one event for the alert engine
        assert {m[k].release_id for k in ("w0", "w1", "w2", "w9")} == {rel_id}
        assert (m["w0"].subject, m["w1"].subject, m["n1"].subject) == ("CPI", "INCOME", "CPI")  # 被平均
        events = {event_of(sentiment=x.sentiment, p_negative=x.p_negative,
                           sensitive_topics=x.sensitive_topics, release_id=x.release_id, subject=x.subject,
                           published_at=x.published_at, story_id=x.story_id)
                  for x in (m[k] for k in ("w0", "w1", "w2", "w9"))}
        assert [e.key for e in events if e] == [f"release:{rel_id}"]
        assert m["w0"].story_id == m["w9"].story_id
        assert max(m[k].risk for k in ("w0", "w1", "w2")) >= 80
        assert all(m[k].sentiment == "negative" for k in ("w0", "w1", "w2"))
        assert "data_credibility" in m["w0"].sensitive_topics and m["w0"].topics == ["物价"]
        labels = [f["label"] for f in m["w0"].risk_factors]
        assert labels[0].startswith("负面 ") and "涉及数据真实性" in labels
        q = select(MentionRelease).where(MentionRelease.mention_id == m["n1"].id)
        links = s.execute(q).scalars().all()
        assert [lk.release_id for lk in links] == [rel_id] and links[0].confidence > 0.8
        assert all(d.status == "analysed" for d in s.execute(select(Document)).scalars())


def test_failing_document_is_quarantined_and_batch_continues(session_maker):  # type: ignore[no-untyped-def]
    with session_maker() as s, s.begin():
        _news, weibo, _rel = _seed(s)
        s.add(_doc(weibo, "bad", "<p> </p>"))
        s.add(_doc(weibo, "good", ACCUSE[1]))
        s.add(WatchTopic(name="坏表达式", expression="CPI AND (", enabled=True))
    assert analyse_pending(session_maker, _settings(), now=NOW) == 2
    with session_maker() as s:
        docs = {d.dedup_key: d for d in s.execute(select(Document)).scalars()}
        assert docs["bad"].status == "failed" and "正文为空" in docs["bad"].error
        assert docs["good"].status == "analysed"
        q = s.execute(select(Quarantine)).scalars().one()
        assert q.stage == "analysis" and q.document_id == docs["bad"].id and "正文为空" in q.reason
        assert s.execute(select(Mention)).scalars().one().document_id == docs["good"].id
    assert analyse_pending(session_maker, _settings(), now=NOW) == 0  # nothing left, failures not retried


def test_limit_caps_the_work(session_maker) -> None:  # type: ignore[no-untyped-def]
    with session_maker() as s, s.begin():
        _news, weibo, _rel = _seed(s)
        for i in range(5):
            s.add(_doc(weibo, f"x{i}", f"第{i}条：今天的CPI数据出来了，大家怎么看{i}"))
    assert analyse_pending(session_maker, _settings(), now=NOW, limit=2) == 2
    with session_maker() as s:
        assert len(s.execute(select(Mention)).scalars().all()) == 2
