"""预案 versions and approval, the 解读 record and 考核 by unit, the release 研判's misreadings and curve,
and the archive exports (incident record, audit log)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from yuqing.config import ReportsConfig, Settings
from yuqing.reports.assessment import build_assessment
from yuqing.reports.blocks import Bullets, Paragraph, Table, assessment_report
from yuqing.reports.plans import (
    PlanError,
    approve_plan,
    interpretation_status,
    record_interpretation,
    save_plan,
)
from yuqing.reports.record import incident_record
from yuqing.reports.scorecard import build_scorecard, scorecard_csv
from yuqing.store.models import Action, AuditLog, Deadline, IncidentEvent, Release, ReleasePlan

from .conftest import add_mention, t
from .test_api import make_client  # noqa: F401  (fixture)


def _texts(report) -> str:  # type: ignore[no-untyped-def]
    out = []
    for b in report.blocks:
        if isinstance(b, Paragraph):
            out.append(b.text)
        elif isinstance(b, Bullets):
            out += b.items
        elif isinstance(b, Table):
            out += ["｜".join(r) for r in b.rows]
    return "\n".join(out)


def test_plan_versions_keep_history_and_only_the_latest_is_approved(session, world):
    v1 = save_plan(
        session,
        release_id=world.ppi,
        fields={"owners": {"解读": "王五"}, "lines": "口径一"},
        actor="analyst",
        now=world.now,
    )
    v2 = save_plan(
        session,
        release_id=world.ppi,
        fields={"lines": "口径二", "channels": ["门户网站"]},
        actor="press",
        now=world.now + timedelta(minutes=5),
    )
    assert (v1.version, v2.version) == (1, 2)
    assert v2.owners == {"解读": "王五"} and v2.lines == "口径二"  # carried over, then changed
    ppi = session.get(Release, world.ppi)
    assert v2.interpretation_due_at == ppi.published_at  # 解读 due with the release by default
    with pytest.raises(PlanError, match="只能审批最新版本"):
        approve_plan(session, release_id=world.ppi, version=1, actor="leader", now=world.now)
    approved = approve_plan(session, release_id=world.ppi, version=2, actor="leader", now=world.now)
    assert (approved.approved_by, approved.version) == ("leader", 2)
    with pytest.raises(PlanError, match="已于"):
        approve_plan(session, release_id=world.ppi, version=2, actor="leader", now=world.now)
    assert [p.lines for p in session.scalars(select(ReleasePlan).order_by(ReleasePlan.version))] == [
        "口径一",
        "口径二",
    ]
    with pytest.raises(PlanError, match="没有这些字段"):
        save_plan(session, release_id=world.ppi, fields={"colour": "red"}, actor="x", now=world.now)


def test_interpretation_with_the_release_or_late(session, world):
    cpi = session.get(Release, world.cpi)
    assert interpretation_status(cpi, None, world.now).text == "未发布解读"
    rec = record_interpretation(
        session,
        release_id=world.cpi,
        published_at=cpi.published_at + timedelta(minutes=20),
        url="https://tjj.example.gov.cn/jd/cpi.html",
        actor="press",
        now=world.now,
    )
    assert interpretation_status(cpi, rec, world.now).on_time is True
    rec = record_interpretation(
        session,
        release_id=world.cpi,
        published_at=cpi.published_at + timedelta(hours=3),
        url=None,
        actor="press",
        now=world.now,
    )
    status = interpretation_status(cpi, rec, world.now)
    assert status.on_time is False and status.text.startswith("滞后 3小时")


def test_assessment_shows_the_plan_misreadings_and_the_curve_of_earlier_releases(session, world, settings):
    cpi = session.get(Release, world.cpi)
    add_mention(
        session,
        at=t(5),
        sentiment="negative",
        risk=60,
        release=cpi,
        sensitive=["misreading"],
        author="网友丙",
        text="环比下降就是物价在跌，统计局说涨了是骗人",
    )
    save_plan(
        session,
        release_id=world.cpi,
        fields={
            "owners": {"解读": "王五"},
            "owner_unit": "综合处",
            "lines": "同比与环比口径不同",
            "qa": [{"q": "为何感觉更贵", "a": "见解读"}],
        },
        actor="analyst",
        now=world.now,
    )
    session.commit()
    a = build_assessment(session, settings, release_id=world.cpi, now=world.now)
    (m,) = a.misreadings
    assert (m.author, m.platform_label) == ("网友丙", "微博") and m.excerpt.startswith("环比下降就是物价在跌")
    assert a.compare is not None and len(a.compare) == len(a.hours)
    assert sum(a.compare) == 1.0  # the mean of the two earlier CPI releases (one mention each in the window)
    text = _texts(assessment_report(a))
    assert "建议解读口径：同比与环比口径不同。" in text
    assert "综合处；解读：王五" in text and "待领导审批" in text
    assert "解读发布情况：未发布解读。" in text


def test_scorecard_by_unit_and_person(session, world):
    settings = Settings(
        bureau_name="某市统计局", database_url="sqlite://", reports=ReportsConfig(units={"张三": "新闻处"})
    )
    save_plan(
        session,
        release_id=world.cpi,
        fields={"owners": {"解读": "王五"}, "owner_unit": "综合处"},
        actor="analyst",
        now=world.now,
    )
    session.commit()
    card = build_scorecard(session, settings, start=t(0), end=t(48), now=world.now + timedelta(days=2))
    rows = {(r.unit, r.person): r for r in card.rows}
    zhang = rows[
        ("新闻处", "张三")
    ]  # owner of the grade II incident: 5 h met on time, 24 h press conference missed
    assert (zhang.on_time, zhang.late, zhang.missed) == (1, 0, 1) and zhang.rate == "50.0%"
    nobody = rows[("未指定单位", "未指定")]  # the unowned grade I incident: both windows missed
    assert (nobody.on_time, nobody.missed) == (0, 2)
    wang = rows[("综合处", "王五")]  # CPI 解读 never recorded
    assert (wang.interpretation_on_time, wang.interpretation_late) == (0, 1)
    assert any("解读未发布解读" in f or "解读未发布" in f for f in wang.failures)
    table = list(csv.reader(io.StringIO(scorecard_csv(card).decode("utf-8-sig"))))
    assert table[0][:3] == ["责任单位", "责任人", "按时"]
    people = [r[1] if len(r) > 1 else "" for r in table]  # a blank row precedes the 处置评估 section
    assert table[people.index("张三")][:5] == ["新闻处", "张三", "1", "0", "1"]


def test_incident_record_holds_the_whole_history(session, world, settings):
    action = Action(
        incident_id=world.incident_serious,
        kind="authoritative_info",
        at=t(7),
        actor="张三",
        evidence_url="https://tjj.example.gov.cn/jd/3.html",
        created_at=t(7),
    )
    session.add(action)
    session.add(
        IncidentEvent(
            incident_id=world.incident_serious, at=t(3.2), actor="rule:grade-threshold", kind="opened",
            message="按规则立案",
        )
    )
    session.flush()
    d = session.scalar(
        select(Deadline).where(
            Deadline.incident_id == world.incident_serious, Deadline.kind == "authoritative_info"
        )
    )
    d.met_by_action_id = action.id
    session.commit()
    r = incident_record(session, settings, incident_id=world.incident_serious, now=world.now)
    text = _texts(r)
    assert r.title == "舆情事件处置档案：网传CPI数据造假"
    assert "2026-11-09 11:12｜自动研判规则｜事件建立｜按规则立案" in text
    assert "https://tjj.example.gov.cn/jd/3.html" in text
    assert "回应时限 2 项：按时 1 项" in text


def test_exports_through_the_api(make_client, session_maker, world):  # noqa: F811
    press = make_client("press")
    with session_maker() as s:
        s.add(
            AuditLog(
                at=datetime(2026, 11, 9, 2, tzinfo=UTC),
                actor="张三",
                action="incident.acknowledge",
                target="incident:1",
                data={"note": "已确认"},
            )
        )
        s.commit()
    # the audit export is for leaders and administrators (api/routes/reports.py)
    assert press.get("/api/v1/reports/audit?start=2026-11-09&end=2026-11-09&format=csv").status_code == 403
    leader = make_client("leader")
    csv_resp = leader.get("/api/v1/reports/audit?start=2026-11-09&end=2026-11-09&format=csv")
    assert csv_resp.status_code == 200 and csv_resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(csv_resp.content.decode("utf-8-sig"))))
    assert rows[1][:4] == ["2026-11-09 10:00", "张三", "确认接警", "incident:1"]  # the action by name
    assert leader.get("/api/v1/reports/audit?start=2026-11-10&end=2026-11-09").status_code == 422
    assert leader.get("/api/v1/reports/audit?start=2025-01-01&end=2026-11-09").status_code == 422
    pdf = press.get(f"/api/v1/reports/incidents/{world.incident_serious}/record?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    card = press.get("/api/v1/reports/scorecard?start=2026-11-09&end=2026-11-10&format=csv")
    assert card.status_code == 200 and "责任单位" in card.content.decode("utf-8-sig")


def test_plan_api_roles_history_and_approval(make_client, world):  # noqa: F811
    analyst, leader = make_client("analyst"), make_client("leader")
    url = f"/api/v1/reports/releases/{world.ppi}/plan"
    assert leader.put(url, json={"lines": "x"}).status_code == 403
    bad = analyst.put(url, json={"interpretation_due_at": "2026-11-10T09:30:00"})
    assert bad.status_code == 422 and "interpretation_due_at" in bad.text
    assert analyst.put(url, json={"colour": "red"}).status_code == 422
    v1 = analyst.put(
        url, json={"owners": {"解读": "王五"}, "lines": "口径", "qa": [{"q": "问", "a": "答"}]}
    ).json()
    assert v1["version"] == 1 and v1["interpretation_due_at"] == "2026-11-10T09:30:00+08:00"
    assert analyst.post(f"{url}/approve", json={"version": 1}).status_code == 403
    ok = leader.post(f"{url}/approve", json={"version": 1})
    assert ok.status_code == 200 and ok.json()["approved_by"] == "u-leader"
    again = leader.post(f"{url}/approve", json={"version": 1})
    assert again.status_code == 409 and "已于" in again.json()["detail"]
    analyst.put(url, json={"lines": "新口径"})
    history = leader.get(url).json()
    assert [p["version"] for p in history["history"]] == [2, 1] and history["current"]["approved_by"] is None
    interp = analyst.put(
        f"/api/v1/reports/releases/{world.cpi}/interpretation",
        json={"published_at": "2026-11-09T09:35:00+08:00", "url": "https://tjj.example.gov.cn/jd"},
    )
    assert interp.status_code == 200 and interp.json()["on_time"] is True
    assert analyst.get("/api/v1/reports/releases/999999/plan").status_code == 404
