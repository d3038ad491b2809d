"""Scheduled reports: archived once per moment with their documents, never overwritten, and sent."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from yuqing.config import ChannelConfig, NotifyConfig, Settings
from yuqing.reports.archive import stored_bytes
from yuqing.reports.jobs import assessment_due_at, generate_daily, run_due_reports, store_daily
from yuqing.store.models import Action, Briefing, HolidayOverride, Incident, Notification, Release

from .conftest import add_mention, t


@pytest.fixture
def settings() -> Settings:
    channels = [
        ChannelConfig(
            name="领导邮箱", kind="email", recipients=["leader@example.test"], audience="leadership"
        ),
        ChannelConfig(name="领导企业微信", kind="wecom", url="http://127.0.0.1:9/x", audience="leadership"),
        ChannelConfig(name="值班群", kind="dingtalk", url="http://127.0.0.1:9/y", audience="press"),
    ]
    return Settings(
        bureau_name="某市统计局",
        database_url="sqlite://",
        base_url="https://yq.example.test",
        notify=NotifyConfig(channels=channels),
    )


def _pdf_text(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")


def test_0800_briefing_is_archived_once_and_sent_to_the_leadership(session_maker, world, settings):
    first = generate_daily(session_maker, settings, now=world.now)
    again = generate_daily(session_maker, settings, now=world.now + timedelta(minutes=5))  # second process
    assert again.id == first.id
    with session_maker() as s:
        rows = s.scalars(select(Briefing)).all()
        assert [(r.kind, r.subject, r.version, r.trigger) for r in rows] == [
            ("daily", "2026-11-10", 1, "scheduled")
        ]
        row = rows[0]
        assert (row.period_start, row.period_end) == (t(0), t(24))
        assert "&lt;script&gt;" in row.html and "<script>alert" not in row.html
        assert Document(io.BytesIO(row.docx)).paragraphs[0].text == "某市统计局舆情日报（2026年11月10日）"
        assert "本期共监测到相关信息 8 条" in _pdf_text(row.pdf)
        sent = s.scalars(select(Notification).order_by(Notification.channel)).all()
    assert sorted(n.channel for n in sent) == [
        "领导企业微信",
        "领导邮箱",
    ]  # leadership only, not the press group
    n = sent[0]
    assert n.subject == "【舆情日报】某市统计局舆情日报（2026年11月10日）"
    assert f"https://yq.example.test/api/v1/reports/briefings/{row.id}?format=pdf" in n.body
    assert "本期共监测到相关信息 8 条" in n.body
    assert n.payload["attachment"] == {
        "briefing_id": row.id,
        "format": "pdf",
        "filename": "某市统计局舆情日报（2026年11月10日）.pdf",
    }


def test_before_0800_it_is_yesterdays_briefing(session_maker, world, settings):
    row = generate_daily(session_maker, settings, now=world.now - timedelta(hours=1))  # 07:30 Beijing
    assert row.day == date(2026, 11, 9)


def test_archive_never_changes_and_regeneration_is_a_new_version(session_maker, world, settings):
    with session_maker() as s:
        v1, _ = store_daily(s, settings, day=world.day, now=world.now)
        s.commit()
        pdf_v1, docx_v1, html_v1 = v1.pdf, v1.docx, v1.html
    with session_maker() as s:  # the world changes after archiving: three more mentions in the period
        for h in (5, 6, 7):
            add_mention(s, at=t(h), sentiment="negative")
        s.commit()
    with session_maker() as s:
        v2, _ = store_daily(s, settings, day=world.day, now=world.now + timedelta(hours=1), created_by="duty")
        s.commit()
    with session_maker() as s:
        old, new = s.get(Briefing, v1.id), s.get(Briefing, v2.id)
        assert (old.version, new.version, new.created_by) == (1, 2, "duty")
        assert (stored_bytes(old, "pdf"), stored_bytes(old, "docx"), old.html) == (pdf_v1, docx_v1, html_v1)
        assert "本期共监测到相关信息 8 条" in _pdf_text(old.pdf)
        assert "本期共监测到相关信息 11 条" in _pdf_text(new.pdf)


def test_special_reports_at_opening_each_response_and_closing(session_maker, world, settings):
    now = world.now
    first = _archived(session_maker, run_due_reports(session_maker, settings, now=now))
    assert {b.subject for b in first if b.kind == "special"} == {
        f"incident:{world.incident_serious}",
        f"incident:{world.incident_new}",
    }  # grades I and II, not IV
    # the CPI release of the period got its T+2h report too (20 h late, within the day's grace)
    assert {(b.subject, b.trigger) for b in first if b.kind == "assessment"} >= {
        (f"release:{world.cpi}", "t+2h")
    }
    assert run_due_reports(session_maker, settings, now=now + timedelta(minutes=1)) == []  # nothing new
    with session_maker() as s:
        action = Action(
            incident_id=world.incident_serious,
            kind="press_conference",
            at=now + timedelta(hours=1),
            actor="张三",
            place="市统计局新闻发布厅",
            created_at=now + timedelta(hours=1),
        )
        s.add(action)
        s.commit()
        action_id = action.id
    ids = run_due_reports(session_maker, settings, now=now + timedelta(hours=1, minutes=1))
    (after_action,) = [b for b in _archived(session_maker, ids) if b.kind == "special"]
    assert (after_action.subject, after_action.trigger, after_action.version) == (
        f"incident:{world.incident_serious}",
        f"action:{action_id}",
        2,
    )
    assert "市统计局新闻发布厅" in _pdf_text(after_action.pdf)
    with session_maker() as s:
        inc = s.get(Incident, world.incident_serious)
        inc.status, inc.closed_at = "closed", now + timedelta(hours=2)
        s.commit()
    later = run_due_reports(session_maker, settings, now=now + timedelta(hours=3))
    (closing,) = [b for b in _archived(session_maker, later) if b.kind == "special"]
    assert (closing.trigger, closing.version) == ("closed", 3)
    with session_maker() as s:
        keys = {n.key.split("|")[0] for n in s.scalars(select(Notification))}
    assert f"report:{closing.id}:leadership" in keys and f"report:{after_action.id}:leadership" in keys


def test_release_assessment_before_and_reports_after(session_maker, world, settings):
    # PPI on Monday 2026-11-16 09:30 Beijing; Friday 11-13 declared a holiday: assess Thursday 09:00.
    with session_maker() as s:
        s.add(HolidayOverride(day=date(2026, 11, 13), is_workday=False, note="测试"))
        ppi = s.get(Release, world.ppi)
        ppi.published_at = datetime(2026, 11, 16, 1, 30, tzinfo=UTC)
        s.commit()
        due = assessment_due_at(s, settings, ppi.published_at)
    assert due == datetime(2026, 11, 12, 1, 0, tzinfo=UTC)
    early = _kinds(session_maker, run_due_reports(session_maker, settings, now=due - timedelta(minutes=1)))
    assert [k for k in early if k[1] == f"release:{world.ppi}"] == []
    ids = run_due_reports(session_maker, settings, now=due)
    assert [k for k in _kinds(session_maker, ids) if k[1] == f"release:{world.ppi}"] == [
        ("assessment", f"release:{world.ppi}", "pre")
    ]
    published = datetime(2026, 11, 16, 1, 30, tzinfo=UTC)
    # no reaction at all: the T+2h report still comes, and says so
    ids = run_due_reports(session_maker, settings, now=published + timedelta(hours=2))
    (t2,) = [b for b in _archived(session_maker, ids) if b.subject == f"release:{world.ppi}"]
    assert t2.trigger == "t+2h" and "本期无数据" in t2.html and "相关信息 0 条" in t2.html
    ids = run_due_reports(session_maker, settings, now=published + timedelta(hours=24, minutes=3))
    assert [b.trigger for b in _archived(session_maker, ids) if b.subject == f"release:{world.ppi}"] == [
        "t+24h"
    ]
    with session_maker() as s:
        sent = {
            n.audience
            for n in s.scalars(select(Notification).where(Notification.payload.is_not(None)))
            if n.payload.get("report_kind") == "assessment"
        }
    assert sent == {"press", "leadership"}


def _archived(session_maker, ids: list[int]) -> list[Briefing]:  # type: ignore[no-untyped-def]
    with session_maker() as s:
        return list(s.scalars(select(Briefing).where(Briefing.id.in_(ids)).order_by(Briefing.id)))


def _kinds(session_maker, ids: list[int]) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(b.kind, b.subject, b.trigger) for b in _archived(session_maker, ids)]


def test_the_leadership_email_carries_the_archived_pdf(session_maker, world, settings, database_url):
    from yuqing.alerts.channels import email
    from yuqing.alerts.outbox import OutgoingMessage

    row = generate_daily(session_maker, settings, now=world.now)
    with session_maker() as s:
        notice = s.scalar(select(Notification).where(Notification.channel == "领导邮箱"))
        stored_pdf = s.get(Briefing, row.id).pdf
    message = OutgoingMessage(
        key=notice.key,
        subject=notice.subject,
        body=notice.body,
        items=[{"key": notice.key, **notice.payload}],
    )
    channel = settings.notify.channels[0]
    mail = email.build(
        message, channel, settings.model_copy(update={"database_url": database_url}), world.now
    )
    (attached,) = list(mail.iter_attachments())
    assert attached.get_filename() == "某市统计局舆情日报（2026年11月10日）.pdf"
    assert attached.get_content_type() == "application/pdf" and attached.get_content() == stored_pdf
    assert "本期共监测到相关信息 8 条" in mail.get_body(("plain",)).get_content()
