"""Search over mentions (检索): the index agrees with the watch-rule evaluator on both databases."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from yuqing.analysis import search as engine
from yuqing.analysis.watch import matches, parse
from yuqing.clock import now as clock_now
from yuqing.store import search_index
from yuqing.store.models import Mention, WatchTopic

TEXTS = [
    "房租又涨了，CPI才涨0.2%，谁信",                     # 0
    "统计局发布11月居民消费价格，同比上涨0.2%",            # 1
    "新显示器到了，鼠标CPI调到1600",                        # 2
    "菜价涨了一倍，物价数据和体感差距太大",                  # 3
    "房价和房租都在降，消费价格指数平稳",                    # 4
    "=HYPERLINK(\"http://evil\") 房租 注水",                  # 5 formula injection attempt
    "国家统计局：居民消费价格指数同比上涨",                  # 6
    "涨",                                                    # 7 one character
]


@pytest.fixture
def corpus(session, make):  # type: ignore[no-untyped-def]
    now = clock_now()
    rows = []
    for i, text in enumerate(TEXTS):
        rows.append(make.mention(session, text, published_at=now - timedelta(hours=len(TEXTS) - i),
                                 platform="weibo" if i % 2 == 0 else "news"))
    session.commit()
    return rows


def expected(rows: list[Mention], expression: str) -> set[int]:
    tree = parse(expression)
    return {m.id for m in rows if matches(tree, ((m.title or "") + "\n" + m.text).lower())}


@pytest.mark.parametrize(
    "expression",
    [
        "房租",
        "消费价格",
        "cpi",
        "房租 AND cpi",
        "房租 OR 菜价",
        "房租 NOT 房价",
        '"居民消费价格"',
        "cpi NOT (鼠标 OR 显示器)",
        "统计局 NEAR/6 上涨",
        "涨",  # a single character: the index cannot narrow it, the scan still finds it
        "(物价 OR 消费价格) AND NOT 鼠标",
    ],
)
def test_search_finds_exactly_what_the_watch_rule_matches(session, corpus, expression) -> None:  # type: ignore[no-untyped-def]
    result = engine.search(session, expression, limit=100)
    assert {h.mention.id for h in result.hits} == expected(corpus, expression)
    assert result.complete and result.next_before_id is None


def test_the_index_narrows_candidates_instead_of_scanning_everything(session, corpus) -> None:  # type: ignore[no-untyped-def]
    result = engine.search(session, "消费价格", limit=100)
    assert result.scanned == len(expected(corpus, "消费价格")) < len(corpus)


def test_index_follows_inserts_edits_and_deletes(session, make) -> None:  # type: ignore[no-untyped-def]
    m = make.mention(session, "青年失业率数据发布")
    session.commit()
    assert [h.mention.id for h in engine.search(session, "失业率").hits] == [m.id]
    m.text = "居民消费价格指数发布"
    session.commit()
    assert engine.search(session, "失业率").hits == []
    assert [h.mention.id for h in engine.search(session, "价格指数").hits] == [m.id]
    session.delete(m)
    session.commit()
    assert engine.search(session, "价格指数").hits == []


def test_rebuild_indexes_rows_written_without_the_orm(session, make) -> None:  # type: ignore[no-untyped-def]
    m = make.mention(session, "就业形势总体稳定")
    session.commit()
    search_index.clear(session.connection())
    session.commit()
    assert engine.search(session, "就业形势").hits == []
    assert search_index.rebuild(session) >= 1
    session.commit()
    assert [h.mention.id for h in engine.search(session, "就业形势").hits] == [m.id]


def test_tokens_are_bigrams_of_chinese_and_whole_latin_words() -> None:
    assert search_index.tokens("房租上涨CPI 0.2%") == ["房租", "租上", "上涨", "cpi", "0", "2"]
    assert search_index.term_tokens("消费价格") == ["消费", "费价", "价格"]
    assert search_index.term_tokens("涨") is None


def test_paging_returns_every_match_once(session, make) -> None:  # type: ignore[no-untyped-def]
    ids = {make.mention(session, f"物价话题第{i}条").id for i in range(7)}
    make.mention(session, "无关内容")
    session.commit()
    seen: list[int] = []
    before = None
    while True:
        page = engine.search(session, "物价", limit=3, before_id=before)
        seen += [h.mention.id for h in page.hits]
        if page.next_before_id is None:
            break
        before = page.next_before_id
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))


def test_api_search_with_filters_highlights_and_groups(client, session, corpus) -> None:  # type: ignore[no-untyped-def]
    res = client.get("/api/v1/search", params={"q": "房租", "platform": "weibo"})
    assert res.status_code == 200, res.text
    body = res.json()
    want = {m.id for m in corpus if "房租" in m.text and m.platform == "weibo"}
    assert {i["mention"]["id"] for i in body["items"]} == want
    for item in body["items"]:
        text = item["mention"]["text"]
        assert item["text_spans"] and all(text[a:b] == "房租" for a, b in item["text_spans"])
    assert sum(g["count"] for g in body["groups"]) == len(want)

    since = (clock_now() + timedelta(hours=8) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    recent = client.get("/api/v1/search", params={"q": "涨 OR 房租", "since": since}).json()
    assert {i["mention"]["id"] for i in recent["items"]} <= {m.id for m in corpus[-3:]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "房租 AND"}, "q"),
        ({"q": "房租", "since": "昨天"}, "since"),
        ({"q": "房租", "platform": "x"}, "platform"),
    ],
)
def test_api_refuses_bad_queries_naming_the_field(client, params, field) -> None:  # type: ignore[no-untyped-def]
    res = client.get("/api/v1/search", params=params)
    assert res.status_code == 422
    assert field in str(res.json()["detail"])


def test_exports_csv_and_excel_without_formula_injection(client, corpus) -> None:  # type: ignore[no-untyped-def]
    res = client.get("/api/v1/search.csv", params={"q": "房租"})
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    assert res.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(res.content.decode("utf-8-sig"))))
    assert rows[0][0] == "编号" and len(rows) - 1 == len([m for m in corpus if "房租" in m.text])
    bodies = [r[5] for r in rows[1:]]
    assert any(b.startswith("'=HYPERLINK") for b in bodies) and not any(b.startswith("=") for b in bodies)

    from openpyxl import load_workbook

    xlsx = client.get("/api/v1/search.xlsx", params={"q": "房租"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.values)
    assert values[0][0] == "编号" and len(values) == len(rows)
    assert client.get("/api/v1/search.pdf", params={"q": "房租"}).status_code == 422  # csv or xlsx only


def test_an_analyst_saves_a_search_as_a_watch_topic(client_as, session) -> None:  # type: ignore[no-untyped-def]
    analyst, press = client_as("analyst"), client_as("press")
    body = {"name": "房租与物价", "expression": "房租 AND (CPI OR 物价)"}
    assert press.post("/api/v1/watch-topics", json=body).status_code == 403
    res = analyst.post("/api/v1/watch-topics", json=body)
    assert res.status_code == 201, res.text
    assert analyst.post("/api/v1/watch-topics", json=body).status_code == 409
    bad = analyst.post("/api/v1/watch-topics", json={"name": "坏", "expression": "房租 AND ("})
    assert bad.status_code == 422 and "expression" in bad.json()["detail"]
    stored = session.scalars(select(WatchTopic).where(WatchTopic.name == "房租与物价")).one()
    assert stored.expression == body["expression"] and stored.enabled
    assert [t["name"] for t in press.get("/api/v1/watch-topics").json()] == ["房租与物价"]


def test_case_import_template_is_a_valid_import(client, app, tmp_path, session_maker) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from yuqing.alerts.case_import import read_rows
    from yuqing.api.auth import ensure_user

    with session_maker() as s:
        ensure_user(s, "tmpl", "pw-template-user", "press", "模板")
        s.commit()
    with TestClient(app) as browser:
        assert browser.get("/cases/import-template.csv").status_code == 401
        browser.post("/login", data={"username": "tmpl", "password": "pw-template-user"})
        res = browser.get("/cases/import-template.csv")
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    path = tmp_path / "template.csv"
    path.write_bytes(res.content)
    rows, errors = read_rows(path)
    assert errors == [] and {r["kind"] for r in rows} == {"complaint", "suggestion"}
