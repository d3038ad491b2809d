"""考核 carries the 处置评估: each grade I/II incident closed in the period with its conclusion
(timeliness, whether the main claims were addressed, measured effect) and 已评估 / 应评估, on the page's
data, its CSV and the 考核统计 document."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from yuqing.alerts import service
from yuqing.alerts.evaluation import evaluate
from yuqing.clock import local_iso
from yuqing.clock import now as clock_now
from yuqing.store.models import Incident


def _closed_incidents(session: Session, make) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """A judged grade I incident, a grade II one closed before evaluations existed, a grade IV one."""
    now = clock_now()
    judged = make.answered_incident(session, now)
    evaluate(session, incident_id=judged.id, actor="测试", now=now,
             addressed_claims=False, lessons="解读材料应随数据同步发布")
    service.change_status(session, incident_id=judged.id, status="closed", actor="测试", now=now)
    legacy = service.open_incident(session, title="GDP数据争议", grade="II", category="other", actor="测试",
                                   now=now - timedelta(hours=5))
    service.change_status(session, incident_id=legacy.id, status="closed", actor="测试", now=now)
    legacy.evaluation = None  # closed by an older version, which recorded no evaluation
    minor = service.open_incident(session, title="小事", grade="IV", category="other", actor="测试", now=now)
    service.change_status(session, incident_id=minor.id, status="closed", actor="测试", now=now)
    session.commit()
    return judged.id, legacy.id, minor.id


def _period() -> dict[str, str]:
    now = clock_now()
    start, end = now - timedelta(days=3), now + timedelta(minutes=1)
    return {"start": local_iso(start)[:16], "end": local_iso(end)[:16]}


def test_the_compliance_page_and_csv_show_each_evaluation_and_the_count(
    client: TestClient, session: Session, make  # type: ignore[no-untyped-def]
) -> None:
    judged, legacy, _ = _closed_incidents(session, make)
    assert session.get(Incident, judged).evaluation["addressed_claims"] is False  # type: ignore[index]

    page = client.get("/compliance").text
    assert 'id="evaluation-list"' in page and 'id="evaluation-count"' in page and 'id="doc-link"' in page
    ev = client.get("/api/v1/compliance", params=_period()).json()["evaluations"]
    assert (ev["evaluated"], ev["due"], ev["summary"]) == (1, 2, "已评估 1 / 应评估 2")
    rows = {r["incident_id"]: r for r in ev["rows"]}
    assert set(rows) == {judged, legacy}  # a grade IV incident is not due an evaluation
    j = rows[judged]
    assert (j["grade_label"], j["status_label"]) == ("特别重大（I级）", "已评估")
    assert j["addressed_claims"] == "no" and j["addressed_label"] == "未针对主要关切"
    assert j["timeliness"].startswith("按时 1/2（") and "未回应" in j["timeliness"]
    assert j["effect"] == "发布权威信息：前 3 条→后 0 条" and j["lessons"] == "解读材料应随数据同步发布"
    assert rows[legacy]["status_label"] == "未评估" and "timeliness" not in rows[legacy]

    r = client.get("/api/v1/compliance.csv", params=_period())
    assert r.status_code == 200
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert ["处置评估", "已评估 1 / 应评估 2"] in table
    columns = ["事件", "标题", "级别", "责任人", "关闭", "评估状态", "时效", "针对性", "效果", "经验教训"]
    header = table.index(columns)
    body = {row[0]: row for row in table[header + 1:]}
    assert set(body) == {str(judged), str(legacy)}
    assert body[str(judged)][5:8] == ["已评估", j["timeliness"], "未针对主要关切"]
    assert body[str(judged)][8] == j["effect"] and body[str(legacy)][5] == "未评估"


def test_the_scorecard_document_and_csv_carry_the_evaluations(
    client: TestClient, session: Session, make  # type: ignore[no-untyped-def]
) -> None:
    judged, _, _ = _closed_incidents(session, make)
    day = local_iso(clock_now())[:10]
    html = client.get("/api/v1/reports/scorecard", params={"start": day, "end": day, "format": "html"})
    assert html.status_code == 200, html.text
    text = html.content.decode("utf-8")
    assert "四、处置评估" in text and "已评估 1 / 应评估 2" in text
    assert f"CPI数据遭造假质疑（编号 {judged}）" in text and "未针对主要关切" in text
    table = list(csv.reader(io.StringIO(
        client.get("/api/v1/reports/scorecard", params={"start": day, "end": day, "format": "csv"})
        .content.decode("utf-8-sig"))))
    assert ["处置评估", "已评估 1 / 应评估 2"] in table
    row = next(row for row in table if row and row[0] == f"CPI数据遭造假质疑（编号 {judged}）")
    assert row[4] == "已评估" and row[5].startswith("按时 1/2（") and row[6] == "未针对主要关切"


def test_the_incident_record_carries_its_evaluation(
    client: TestClient, session: Session, make  # type: ignore[no-untyped-def]
) -> None:
    judged, _, _ = _closed_incidents(session, make)
    r = client.get(f"/api/v1/reports/incidents/{judged}/record", params={"format": "html"})
    assert r.status_code == 200, r.text
    text = r.content.decode("utf-8")
    assert "处置评估" in text and "针对性：未针对主要关切" in text
    assert "效果：发布权威信息：前 3 条→后 0 条" in text and "经验教训：解读材料应随数据同步发布" in text
