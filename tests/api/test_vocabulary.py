"""One vocabulary: every code has a Chinese label, and no code reaches a person without it.

A world holding every member of every vocabulary (incident statuses, grades, categories, timeline
kinds, rule actors, deadline kinds and states, actions, cases, notice states and audiences, silence
fields, sources, platforms, sentiments, topics, the OTHER indicator) is rendered as people see it: the
server-rendered pages, the JSON the board and incident pages draw, the documents (daily briefing, 专报,
incident record, release assessment, in HTML and Word), and the notices with their steps and triggers.
"""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from itertools import cycle
from typing import Any

import docx as python_docx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from yuqing import vocab as V
from yuqing.alerts.templates import deadline_notice, incident_notice
from yuqing.api.auth import ensure_user
from yuqing.clock import now as clock_now
from yuqing.config import Settings
from yuqing.reports.assessment import build_assessment
from yuqing.reports.blocks import assessment_report, daily_report
from yuqing.reports.briefing import build_daily
from yuqing.reports.record import incident_record
from yuqing.reports.render import render, render_daily
from yuqing.reports.render_html import render_html
from yuqing.reports.special import build_special
from yuqing.store.models import (
    Action,
    Case,
    Deadline,
    Document,
    Incident,
    IncidentEvent,
    Mention,
    Notification,
    Release,
    Silence,
    Source,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
# Grades are shown as "I级"/"特别重大（I级）" on purpose: the numerals are the grade's own name.
CODES = sorted(
    {m.value for vocab in V.ALL if vocab is not V.Grade for m in vocab} | {V.OTHER_INDICATOR},
    key=len, reverse=True,
)
# A code standing as a word of its own: not a part of a longer identifier, URL or Chinese label.
CODE_RE = re.compile(r"(?<![\w:/.-])(" + "|".join(re.escape(c) for c in CODES) + r")(?![\w:/.-])")
URL_RE = re.compile(r"https?://\S+")


@pytest.mark.parametrize("vocab", V.ALL, ids=lambda v: v.__name__)
def test_every_code_has_a_chinese_label_of_its_own(vocab: type[V.Code]) -> None:
    labels = [m.label for m in vocab]
    assert all(CJK.search(label) for label in labels), labels
    assert len(set(labels)) == len(labels), f"{vocab.__name__} names two codes alike: {labels}"
    assert all(vocab(m.value) is m and str(m) == m.value for m in vocab)  # the stored string is the code
    assert CJK.search(vocab.title()) and not re.search(r"[A-Za-z]", vocab.title())


def test_an_unknown_stored_code_is_not_echoed() -> None:
    assert V.IncidentStatus.label_of("frozen") == "未知（事件状态）"
    assert V.IncidentStatus.label_of(None) == "—"
    assert V.actor_label("rule:grade-threshold") == "自动研判规则"
    assert V.actor_label("rule:someday") == "未知（自动规则）"
    assert V.actor_label("张三") == "张三"
    assert V.indicator_label(V.OTHER_INDICATOR, None) == "综合/其他"


class _Visible(HTMLParser):
    """The text a person sees: element text and the title/placeholder/alt attributes, never scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in ("title", "placeholder", "alt", "aria-label") and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


def raw_codes(text: str) -> list[str]:
    return sorted(set(CODE_RE.findall(URL_RE.sub(" ", text))))


def test_the_leak_detector_sees_a_leak() -> None:
    assert raw_codes("<p>状态：monitoring</p>") == ["monitoring"]
    assert raw_codes(visible_text('<p>开立 rule:grade-threshold</p><script>"monitoring"</script>')) == [
        "rule:grade-threshold"
    ]
    assert raw_codes("持续监测 http://127.0.0.1/news/1 发布") == []


@pytest.fixture
def world(session_maker: sessionmaker[Session]) -> dict[str, Any]:
    """Rows holding every member of every vocabulary."""
    now = clock_now()
    ids: dict[str, Any] = {"incidents": []}
    with session_maker() as s:
        release = Release(title="统计局解读：国民经济运行情况", indicator=V.OTHER_INDICATOR,
                          indicator_name=None, period_label="2026年10月",
                          published_at=now - timedelta(hours=3))
        s.add(release)
        s.flush()
        actors = cycle([*V.RuleActor, "张三"])
        grades, categories = cycle(V.Grade), cycle(V.Category)
        for n, status in enumerate(V.IncidentStatus):
            for _ in range(2):  # every grade and category is met as well
                inc = Incident(title=f"事件{n}", grade=next(grades), category=next(categories), status=status,
                               opened_by=next(actors), opened_at=now - timedelta(hours=2), mention_count=1,
                               risk=70.0, release_id=release.id, policy={})
                s.add(inc)
                s.flush()
                ids["incidents"].append(inc.id)
        first = ids["incidents"][0]
        for kind, actor in zip(V.TimelineKind, cycle([*V.RuleActor, "张三"]), strict=False):
            s.add(IncidentEvent(incident_id=first, at=now, actor=actor, kind=kind, message="记录"))
        for n, kind in enumerate(V.ActionKind):
            s.add(Action(incident_id=first, kind=kind, at=now - timedelta(minutes=n), actor="张三",
                         evidence_url="http://127.0.0.1/statement"))
        states = cycle(V.DeadlineState)
        for n, kind in enumerate(V.DeadlineKind):
            for _ in range(len(V.DeadlineState)):
                s.add(Deadline(incident_id=first, kind=kind, starts_at=now - timedelta(hours=1),
                               due_at=now + timedelta(hours=n - 3), state=next(states), policy={}))
        for n, (kind, status) in enumerate(zip(V.CaseKind, cycle(V.CaseStatus), strict=False)):
            case = Case(kind=kind, title=f"事项{n}", received_at=now - timedelta(days=1), status=status)
            s.add(case)
            s.flush()
            s.add(Deadline(case_id=case.id, kind=V.DeadlineKind.SUGGESTION_REPLY, starts_at=case.received_at,
                           due_at=now + timedelta(days=3), state=V.DeadlineState.PENDING, policy={}))
        for n, (status, audience) in enumerate(zip(V.NoticeStatus, cycle(V.Audience), strict=False)):
            s.add(Notification(key=f"k{n}", channel="值班群", audience=audience, subject=f"通知{n}",
                               body="正文", payload={}, status=status, next_attempt_at=now, created_at=now,
                               incident_id=ids["incidents"][0],
                               sent_at=now if status == V.NoticeStatus.SENT else None))
        s.add(Silence(matcher={f.value: 1 for f in V.SilenceField}, starts_at=now - timedelta(hours=1),
                      ends_at=now + timedelta(hours=1), reason="演练", created_by="张三"))
        s.add(Silence(matcher={V.SilenceField.GRADE: V.Grade.II, V.SilenceField.CATEGORY: V.Category.OTHER,
                               V.SilenceField.DEADLINE_KIND: V.DeadlineKind.AUTHORITATIVE_INFO,
                               V.SilenceField.AUDIENCE: V.Audience.PRESS,
                               V.SilenceField.KIND: V.NoticeKind.WARNING, V.SilenceField.STEP: "lead-60"},
                      starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1), reason="演练",
                      created_by="张三"))
        kinds = cycle(V.SourceKind)
        for n, status in enumerate([*V.SourceStatus, *V.SourceStatus]):
            s.add(Source(name=f"来源{n}", kind=next(kinds), url=f"http://127.0.0.1/{n}", status=status,
                         media_tier=list(V.MediaTier)[n % len(V.MediaTier)],
                         last_success_at=None if n % 2 else now - timedelta(days=3)))
        s.flush()
        topics, sentiments = cycle(V.SensitiveTopic), cycle(V.Sentiment)
        for n, platform in enumerate([*V.Platform, *V.Platform]):
            doc = Document(platform=platform, dedup_key=f"v{n}", url=f"http://127.0.0.1/d/{n}", text="数据",
                           published_at=now - timedelta(hours=1), status=V.DocumentStatus.ANALYSED)
            s.add(doc)
            s.flush()
            s.add(Mention(document_id=doc.id, platform=platform, published_at=doc.published_at, text="数据",
                          sentiment=next(sentiments), p_negative=0.5, p_neutral=0.3, p_positive=0.2,
                          model_version="t", risk=80.0, risk_factors=[], sensitive_topics=[next(topics)],
                          topics=[], url=doc.url))
        ensure_user(s, "leader1", "pw", V.Role.LEADER, "领导")
        s.commit()
    return ids


def _login(app: Any) -> TestClient:
    client = TestClient(app)
    assert client.post("/login", data={"username": "leader1", "password": "pw"},
                       follow_redirects=False).status_code == 303
    return client


def test_no_code_reaches_the_server_rendered_pages(app: Any, world: dict[str, Any]) -> None:
    with _login(app) as c:
        for path in ["/", "/cases", "/notifications", "/reports", "/compliance",
                     f"/incidents/{world['incidents'][0]}"]:
            page = c.get(path)
            assert page.status_code == 200, path
            assert raw_codes(visible_text(page.text)) == [], path


CODE_FIELDS = ("grade", "category", "status", "state", "kind", "platform", "sentiment", "opened_by", "actor")


def _unlabelled(node: Any, where: str = "") -> list[str]:
    """Code fields the pages would show with no `<field>_label` beside them, or with a code as label."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in CODE_FIELDS and isinstance(value, str) and value in CODES:
                label = node.get(f"{key}_label")
                if not label or not CJK.search(label) or raw_codes(label):
                    found.append(f"{where}.{key}={value}")
            found += _unlabelled(value, f"{where}.{key}")
        for key in ("sensitive_topics",):
            if key in node and len(node.get("sensitive_topic_labels", [])) != len(node[key]):
                found.append(f"{where}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found += _unlabelled(item, f"{where}[{i}]")
    return found


def test_every_code_the_board_and_incident_pages_draw_comes_with_its_label(
    app: Any, world: dict[str, Any]
) -> None:
    """The board and the incident page are drawn by script from these answers, showing `*_label`s."""
    with _login(app) as c:
        answers = {
            "board": c.get("/api/v1/incidents?include_closed=true").json(),
            "incident": c.get(f"/api/v1/incidents/{world['incidents'][0]}").json(),
            "mentions": c.get("/api/v1/mentions").json(),
            "sources": c.get("/api/v1/sources").json(),
        }
    for name, answer in answers.items():
        assert _unlabelled(answer, name) == [], name
    detail = answers["incident"]
    assert {e["kind_label"] for e in detail["timeline"]} >= {k.label for k in V.TimelineKind}
    assert {e["actor_label"] for e in detail["timeline"]} >= {a.label for a in V.RuleActor}
    # what the incident page writes from the answer: its header and timeline lines
    lines = [detail["opened_by_label"], detail["release"]["indicator_name"]]
    lines += [f"{e['actor_label']} · {e['kind_label']}" for e in detail["timeline"]]
    assert raw_codes("\n".join(lines)) == []


def test_no_code_reaches_the_daily_briefing(
    session_maker: sessionmaker[Session], settings: Settings, world: dict[str, Any]
) -> None:
    now = clock_now()
    with session_maker() as s:
        # on demand: the 24 h up to now, which hold the world's release whatever the time of day (a
        # fixed day's 08:00 window missed it when the suite ran just after 08:00 Beijing time)
        briefing = build_daily(s, settings, now=now, on_demand=True)
        assert briefing.source_warnings and briefing.incidents_open
        text = visible_text(render_html(daily_report(briefing, charts=False)))
        docx = python_docx.Document(io.BytesIO(render_daily(briefing, "docx")))
    assert raw_codes(text) == []
    cells = [c.text for t in docx.tables for row in t.rows for c in row.cells]
    assert cells and raw_codes("\n".join([p.text for p in docx.paragraphs] + cells)) == []
    assert [r.indicator_name for r in briefing.releases] == ["综合/其他"]  # the OTHER release, by name


def _document_text(report: Any) -> str:
    docx = python_docx.Document(io.BytesIO(render(report, "docx")))
    cells = [c.text for t in docx.tables for row in t.rows for c in row.cells]
    return "\n".join([visible_text(render_html(report)), *(p.text for p in docx.paragraphs), *cells])


def test_no_code_reaches_the_other_documents(
    session_maker: sessionmaker[Session], settings: Settings, world: dict[str, Any]
) -> None:
    """The 专报, the incident's archive record (its notices and timeline) and the release assessment."""
    now = clock_now()
    first = world["incidents"][0]
    with session_maker() as s:
        release_id = s.scalar(select(Release.id))
        documents = {
            "special": build_special(s, settings, incident_id=first, now=now),
            "record": incident_record(s, settings, incident_id=first, now=now),
            "assessment": assessment_report(build_assessment(s, settings, release_id=release_id, now=now)),
        }
    for name, report in documents.items():
        text = _document_text(report)
        assert CJK.search(text) and raw_codes(text) == [], name
    assert V.Audience.PRESS.label in _document_text(documents["record"])  # the notices' audience, by name


def test_no_code_reaches_a_notice() -> None:
    now = clock_now()
    texts = []
    for grade, category in zip(V.Grade, cycle(V.Category), strict=False):
        for kind in (V.TimelineKind.OPENED, f"upgraded-{grade}"):
            texts.append(incident_notice(kind=kind, incident_id=1, title="事件", grade=grade,
                                         category=category, link="http://127.0.0.1/incidents/1",
                                         deadlines=[(k, now) for k in V.DeadlineKind]))
    for kind in V.DeadlineKind:
        for step in ("lead-60", "breach", "repeat-1", "escalate"):
            for audience in V.Audience:
                texts.append(deadline_notice(step=step, deadline_kind=kind, due_at=now, now=now,
                                             subject_title="事件", grade=V.Grade.II, link="http://127.0.0.1/",
                                             audience=audience))
    leaks = {code for t in texts for code in raw_codes(t.subject + "\n" + t.body)}
    assert leaks == set(), json.dumps(sorted(leaks))


def test_no_code_reaches_the_timeline_the_rules_write(
    session_maker: sessionmaker[Session], settings: Settings
) -> None:
    """The sentences the rules write: an incident opened by the grading rule, the auditor's findings."""
    from yuqing.alerts.audit import audit
    from yuqing.alerts.service import open_incident

    now = clock_now()
    with session_maker() as s:
        incident = open_incident(s, title="事件", grade=V.Grade.I, category=V.Category.DATA_CREDIBILITY,
                                 actor=V.RuleActor.GRADE_THRESHOLD, now=now - timedelta(hours=6),
                                 settings=settings)
        for deadline in s.scalars(select(Deadline).where(Deadline.incident_id == incident.id)):
            deadline.reminders_sent = []  # as if every reminder was missed: the auditor repairs and says so
        audit(s, settings, now=now)
        messages = [e.message for e in s.scalars(select(IncidentEvent).where(IncidentEvent.incident_id
                                                                             == incident.id))]
        s.rollback()
    assert any(m.startswith(V.RuleActor.GRADE_THRESHOLD.label) for m in messages)
    assert any(m.startswith("稽核") for m in messages), messages
    assert raw_codes("\n".join(messages)) == []


def test_steps_triggers_and_silence_values_are_named() -> None:
    """What a notice's timeline entry, a report notice and a silence show for their codes."""
    steps = ["lead-60", "lead-3d", "lead-0d", "escalate", "breach", "repeat-2", "recomputed",
             "schedule_missing", V.TimelineKind.OPENED, "upgraded-II", "someday"]
    names = [V.step_label(step) for step in steps]
    assert names[:3] == ["到期前 60 分钟提醒", "到期前 3 个工作日提醒", "最后一个工作日提醒"]
    assert names[-1] == "提醒" and len(set(names)) == len(names)
    triggers = [*V.ReportTrigger, "action:3", "t+2h", "t+24h"]
    assert [V.trigger_label(t) for t in triggers][-2:] == ["发布后 2 小时", "发布后 24 小时"]
    values = [V.silence_value_label(field, code) for field, vocab in
              [(V.SilenceField.GRADE, V.Grade), (V.SilenceField.CATEGORY, V.Category),
               (V.SilenceField.DEADLINE_KIND, V.DeadlineKind), (V.SilenceField.AUDIENCE, V.Audience),
               (V.SilenceField.KIND, V.NoticeKind)] for code in vocab]
    assert V.silence_value_label(V.SilenceField.INCIDENT_ID, 7) == "7"
    shown = names + [V.trigger_label(t) for t in triggers] + values
    assert all(CJK.search(x) for x in shown) and raw_codes("\n".join(shown)) == []


@pytest.mark.browser
def test_no_code_reaches_the_board_or_the_incident_page_in_a_browser(
    server: str, world: dict[str, Any]
) -> None:
    """What the scripts draw, read back as the duty officer sees it (chromium's innerText)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--headless=new", "--no-sandbox", "--disable-gpu"])
        page = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
        page.set_default_timeout(15000)
        page.goto(f"{server}/login?next=/")
        page.fill("input[name=username]", "leader1")
        page.fill("input[name=password]", "pw")
        page.click("button[type=submit]")
        page.wait_for_selector("#incidents .incident, #incidents article, #incidents > div")
        page.wait_for_selector("#sources .source")
        page.wait_for_selector("#mentions > :not(p.muted)")
        board = page.inner_text("body")
        page.goto(f"{server}/incidents/{world['incidents'][0]}")
        page.wait_for_selector("#timeline li")
        incident = page.inner_text("body")
        browser.close()
    assert all(a.label in incident for a in V.RuleActor)  # who acted, in words
    assert V.IncidentStatus.MONITORING.label in board
    assert raw_codes(board) == [] and raw_codes(incident) == []
