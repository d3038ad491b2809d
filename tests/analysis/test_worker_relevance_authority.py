"""Issue 13 through the worker on a real database: off-topic documents kept out with their reason,
authoritative publications flagged and offered for an incident, bare reposts neutral."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from yuqing.analysis.authority import AuthorityConfig, authority_kind, response_candidates
from yuqing.analysis.worker import analyse_pending
from yuqing.config import Settings, WatchTopicConfig
from yuqing.store.models import Document, Incident, IncidentMention, Mention, Release, Source

NOW = datetime(2026, 12, 10, 6, 0, tzinfo=UTC)
PUB = datetime(2026, 12, 10, 1, 30, tzinfo=UTC)
INTERVIEW = ("新华社北京电 针对近期网上关于11月份居民消费价格数据的讨论，国家统计局有关负责人接受了记者采访，"
             "介绍了CPI的编制方法和权重。")


def _settings() -> Settings:
    return Settings(_env_file=None, watch=[WatchTopicConfig(name="物价", expression="CPI OR 居民消费价格")])


def _seed(s):  # type: ignore[no-untyped-def]
    news = Source(name="xinhua", kind="news_rss", url="http://127.0.0.1/rss", media_tier="central")
    weibo = Source(name="weibo", kind="weibo_search", url="http://127.0.0.1/w", media_tier="self")
    rel = Release(title="2026年11月份居民消费价格同比上涨0.2%", indicator="CPI", period_label="2026年11月",
                  published_at=PUB, url="http://127.0.0.1/rel/11")
    s.add_all([news, weibo, rel])
    s.flush()
    return news, weibo, rel


def test_worker_keeps_off_topic_out_flags_authority_and_neutral_bare_reposts(session_maker):  # type: ignore[no-untyped-def]
    with session_maker() as s, s.begin():
        news, weibo, rel = _seed(s)
        rel_id = rel.id

        def doc(src, key, text, **kw):  # type: ignore[no-untyped-def]
            platform = "news" if src is news else "weibo"
            return Document(source_id=src.id, platform=platform, dedup_key=key, url=f"http://127.0.0.1/{key}",
                            text=text, published_at=kw.pop("published_at", PUB + timedelta(hours=1)), **kw)

        s.add(doc(weibo, "mouse", "新显示器到了…鼠标CPI调到1600，手感舒服多了"))
        s.add(doc(news, "xinhua", INTERVIEW, title="如何看待CPI与居民体感的差异——访国家统计局有关负责人",
                  publisher="新华社", author="新华社"))
        s.add(doc(weibo, "bare", "转发微博"))
        s.add(doc(weibo, "irony", "11月CPI 0.2%这个数字谁信谁傻笑死…真的离谱。", published_at=NOW))
        s.add(doc(weibo, "bare-of-irony", "转发微博", parent_key="irony", published_at=NOW))
    assert analyse_pending(session_maker, _settings(), now=NOW) == 5
    with session_maker() as s:
        docs = {d.dedup_key: d for d in s.scalars(select(Document))}
        mouse = docs["mouse"]
        assert mouse.status == "irrelevant" and mouse.relevance is not None and mouse.relevance < 0.5
        assert "鼠标" in mouse.relevance_reason and "与监测的统计指标无关" in mouse.relevance_reason
        assert s.scalar(select(Mention).where(Mention.document_id == mouse.id)) is None
        m = {d.dedup_key: s.scalar(select(Mention).where(Mention.document_id == d.id))
             for d in docs.values() if d.status == "analysed"}
        assert set(m) == {"xinhua", "bare", "irony", "bare-of-irony"}
        assert m["xinhua"].authority == "official_media" and m["irony"].authority is None
        assert m["bare"].sentiment == "neutral" and m["irony"].sentiment == "negative"
        assert m["bare-of-irony"].sentiment == "negative"  # a bare repost of a known post takes its stance

        # An incident on the release (opened after the interview): the interview is offered as its response.
        incident = Incident(title="11月CPI数据遭造假质疑", grade="I", opened_by="rule:grade-threshold",
                            opened_at=NOW, first_mention_at=NOW, release_id=rel_id,
                            event_key=f"release:{rel_id}")
        s.add(incident)
        s.flush()
        s.add(IncidentMention(incident_id=incident.id, mention_id=m["irony"].id, attached_at=NOW))
        s.flush()
        assert [c.id for c in response_candidates(s, incident.id, now=NOW)] == [m["xinhua"].id]
        assert response_candidates(s, incident.id, now=PUB) == []  # not yet published then
        s.rollback()


def test_authority_kinds() -> None:
    cfg = AuthorityConfig(("stats.gov.cn",), ("国家统计局",), ("新华社", "人民日报"))
    kw = {"author": None, "publisher": None, "verified": False, "media_tier": "self", "text": "",
          "config": cfg}
    assert authority_kind(**kw | {"url": "https://www.stats.gov.cn/sj/sjjd/202612/t1.html"}) == "bureau_site"
    assert authority_kind(**kw | {"url": "https://evilstats.gov.cn.example.com/x"}) is None
    assert authority_kind(**kw | {"url": None, "author": "国家统计局", "verified": True}) == "bureau_account"
    lookalike = {"url": None, "author": "国家统计局", "verified": False}  # anyone can take the name
    assert authority_kind(**kw | lookalike) is None
    voice = "国家统计局新闻发言人就11月数据答记者问"
    assert authority_kind(**kw | {"url": None, "publisher": "人民日报", "text": voice}) == "official_media"
    assert authority_kind(**kw | {"url": None, "media_tier": "central", "text": voice}) == "official_media"
    # Official media reporting the accusations, without the bureau's words, is not a response.
    assert authority_kind(**kw | {"url": None, "publisher": "新华社", "text": "网友质疑CPI数据"}) is None
