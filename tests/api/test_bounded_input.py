"""Bad input is a 4xx naming the field in Chinese, never a 500 and never an echo of the input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

HUGE = 2**63  # one past the largest 64-bit integer
BIG = 2**31  # one past the largest id a 32-bit integer column holds


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/incidents/{HUGE}",
        f"/api/v1/incidents/{BIG}/timeline",
        f"/api/v1/mentions/{HUGE * 1000}",
        f"/api/v1/cases/{HUGE}",
        f"/api/v1/reports/briefings/{HUGE}",
        f"/api/v1/releases/{-HUGE}",
        f"/api/v1/mentions?before_id={HUGE}",
        f"/api/v1/mentions?release_id={BIG}",
        f"/api/v1/quarantine?source_id={HUGE}",
        f"/api/v1/incidents?limit={HUGE}",
        f"/api/v1/stories?min_size={HUGE}",
        f"/api/v1/audit?before_id={HUGE}",
        "/api/v1/reports/daily?day=0001-01-01",
        "/api/v1/reports/daily?day=9999-12-31",
        "/api/v1/compliance?start=0001-01-01T00:00",
        "/api/v1/compliance.csv?end=9999-12-31T23:59:59",
        "/api/v1/audit.csv?start=0001-01-01T00:00",
    ],
)
def test_out_of_range_numbers_and_dates_in_paths_and_queries(path: str, client_as) -> None:  # type: ignore[no-untyped-def]
    r = client_as("admin").get(path)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["errors"] and body["errors"][0]["field"].startswith(("路径参数", "查询参数"))
    assert "范围" in body["detail"] or "不能" in body["detail"]


def test_out_of_range_numbers_and_dates_in_bodies(client: TestClient) -> None:
    r = client.post("/api/v1/incidents", json={"title": "t", "grade": "IV", "mention_ids": [HUGE]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "请求体 mention_ids.0"
    assert "不能大于" in r.json()["errors"][0]["message"]
    r = client.post("/api/v1/incidents", json={"title": "t", "grade": "IV", "release_id": -HUGE})
    assert r.status_code == 422
    for at in ("0001-01-01T00:00", "9999-12-31T23:59", "2026-13-01T00:00", "昨天"):
        r = client.post("/api/v1/cases", json={"kind": "complaint", "title": "t", "received_at": at})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "请求体 received_at", at
    r = client.post("/api/v1/silences", json={"matcher": {"incident_id": HUGE, "audience": "press"},
                                              "starts_at": "2026-11-10T09:00", "ends_at": "2026-11-10T10:00",
                                              "reason": "x"})
    assert r.status_code == 422


def test_long_text_is_refused_naming_the_field_without_echo(client: TestClient) -> None:
    title = "假" * 100_000
    r = client.post("/api/v1/incidents", json={"title": title, "grade": "IV"})
    assert r.status_code == 422
    body = r.json()
    assert body["errors"] == [{"field": "请求体 title", "message": "不能超过 500 个字符"}]
    assert len(r.content) < 2000 and "假假假" not in r.text
    case = {"kind": "complaint", "title": "t", "received_at": "2026-11-10T09:00"}
    r = client.post("/api/v1/cases", json={**case, "body": "x" * 20_001, "contact": "y" * 201})
    assert {e["field"] for e in r.json()["errors"]} == {"请求体 body", "请求体 contact"}
    big = client.post("/api/v1/incidents", content=b'{"title": "' + b"x" * (7 * 1024 * 1024) + b'"}',
                      headers={"Content-Type": "application/json"})
    assert big.status_code == 413 and big.json()["detail"] == "请求体过大"


def test_other_bad_bodies_say_why_in_chinese(client: TestClient) -> None:
    r = client.post("/api/v1/incidents", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["detail"]
    r = client.post("/api/v1/incidents", json={"title": "t", "grade": "IV", "titel": "typo"})
    assert r.json()["errors"] == [{"field": "请求体 titel", "message": "不认识的字段"}]
    r = client.post("/api/v1/incidents", json={"grade": "IV"})
    assert r.json()["errors"] == [{"field": "请求体 title", "message": "必填"}]
    r = client.get("/api/v1/incidents", params={"limit": "many"})
    assert r.json()["errors"] == [{"field": "查询参数 limit", "message": "应为整数"}]
    r = client.post("/api/v1/mentions/1/sentiment", json={"label": "angry"})
    assert r.status_code == 422 and "应为" in r.json()["errors"][0]["message"]
    assert r.json()["detail"].startswith("输入有误：请求体 label：应为")
