"""存档导出: an incident's whole record as one document, and the audit log of a period.

The incident record holds what the archive needs: timeline, deadlines and how each was met, responses
with their evidence, notices sent, the measured effect and an evaluation.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yuqing.alerts.effect import incident_effect
from yuqing.alerts.evaluation import conclusion
from yuqing.config import Settings
from yuqing.store.audit import action_label, actor_name
from yuqing.store.models import (
    Action,
    AuditLog,
    Incident,
    IncidentEvent,
    IncidentMention,
    Mention,
    Notification,
)
from yuqing.vocab import ActionKind, Audience, NoticeStatus, TimelineKind, actor_label

from .blocks import Block, Bullets, Heading, Paragraph, Report, Table
from .briefing import count_timeliness, incident_items, response_text
from .special import effect_lines
from .timefmt import fmt_dt, fmt_share

MAX_AUDIT_ROWS = 5000


def incident_record(session: Session, settings: Settings, *, incident_id: int, now: datetime) -> Report:
    """The archive document of one incident; LookupError when there is none."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise LookupError(f"舆情事件 {incident_id} 不存在")
    (item,) = incident_items(session, [incident], now)
    events = session.scalars(
        select(IncidentEvent)
        .where(IncidentEvent.incident_id == incident.id)
        .order_by(IncidentEvent.at, IncidentEvent.id)
    ).all()
    actions = session.scalars(
        select(Action).where(Action.incident_id == incident.id).order_by(Action.at, Action.id)
    ).all()
    notices = session.scalars(
        select(Notification)
        .where(Notification.incident_id == incident.id)
        .order_by(Notification.created_at, Notification.id)
    ).all()
    linked = select(IncidentMention.mention_id).where(IncidentMention.incident_id == incident.id)
    total, negative = _mention_counts(session, linked)
    t = count_timeliness(item.deadlines)
    blocks: list[Block] = [
        Heading("一、基本情况"),
        Table(
            ["项目", "内容"],
            [
                ["事件", incident.title],
                ["等级 / 类别", f"{item.grade_label} / {item.category_label}"],
                ["状态", item.status_label],
                ["责任人", incident.owner or "未指定"],
                ["立案", f"{fmt_dt(incident.opened_at)}（{actor_label(incident.opened_by)}）"],
                ["关闭", fmt_dt(incident.closed_at)],
                ["相关信息", f"{total} 条，负面 {negative} 条（{fmt_share(negative, total)}）"],
                ["摘要", incident.summary or "—"],
            ],
            [1.2, 5],
        ),
        Heading("二、处置时间线"),
        Table(
            ["时间", "操作人", "事项", "说明"],
            [[fmt_dt(e.at), actor_label(e.actor), TimelineKind.label_of(e.kind), e.message or "—"]
             for e in events],
            [1.4, 1, 1.4, 4],
        )
        if events
        else Paragraph("无记录。"),
        Heading("三、回应时限及落实"),
        Table(
            ["时限", "截止", "状态", "落实", "结果"],
            [
                [d.kind_label, fmt_dt(d.due_at), d.state_label, d.response or fmt_dt(d.met_at), d.timeliness]
                for d in item.deadlines
            ],
            [1.4, 1.4, 0.9, 3.4, 1],
        )
        if item.deadlines
        else Paragraph("无。"),
        Heading("四、回应记录及佐证"),
        Table(
            ["时间", "方式", "操作人", "佐证", "说明"],
            [
                [
                    fmt_dt(a.at),
                    ActionKind.label_of(a.kind),
                    a.actor,
                    a.evidence_url or a.place or "—",
                    a.description or "—",
                ]
                for a in actions
            ],
            [1.4, 1.2, 0.9, 2.6, 2],
        )
        if actions
        else Paragraph("无。"),
        Heading("五、通知记录"),
        Table(
            ["时间", "渠道", "对象", "内容", "状态"],
            [
                [
                    fmt_dt(n.created_at),
                    n.channel,
                    Audience.label_of(n.audience),
                    n.subject,
                    NoticeStatus.label_of(n.status),
                ]
                for n in notices
            ],
            [1.4, 1.2, 0.9, 3.6, 0.9],
        )
        if notices
        else Paragraph("无。"),
        Heading("六、效果评估"),
    ]
    effects = incident_effect(session, incident_id=incident.id, now=now)
    actions_by_id = {a.id: a for a in actions}
    blocks.append(
        Bullets(effect_lines(effects, actions_by_id)) if effects else Paragraph("未登记回应，无法评估。")
    )
    blocks += [
        Heading("七、评价"),
        Paragraph(
            f"回应时限 {len(item.deadlines)} 项：按时 {t.on_time} 项，超时完成 {t.late} 项，"
            f"超时未回应 {t.missed} 项，待回应 {t.pending} 项，豁免 {t.waived} 项。"
            + ("全部按时落实。" if t.late == t.missed == 0 and t.on_time else "")
        ),
    ]
    if actions:
        blocks.append(Bullets([response_text(a) or "" for a in actions]))
    if incident.evaluation:  # 处置评估 (recorded at the latest when a grade I/II incident closed)
        c = conclusion(incident.evaluation)
        when = (c["evaluated_at"] or "—")[:16].replace("T", " ")
        lines = [f"时效：{c['timeliness']}", f"针对性：{c['addressed_label']}", f"效果：{c['effect']}",
                 *([f"经验教训：{c['lessons']}"] if c["lessons"] else []),
                 f"评估人：{c['evaluated_by'] or '—'}（{when}）"]
        blocks += [Paragraph("处置评估", emphasis=True), Bullets(lines)]
    return Report(
        title=f"舆情事件处置档案：{incident.title}",
        meta=[f"事件编号 {incident.id}", f"导出时间：{fmt_dt(now)}（北京时间）"],
        blocks=blocks,
        bureau=settings.bureau_name,
        classification=settings.reports.classification,
        kind_label="处置档案",
    )


def _mention_counts(session: Session, linked) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(Mention.sentiment, func.count()).where(Mention.id.in_(linked)).group_by(Mention.sentiment)
    ).all()
    counts = {s: int(n) for s, n in rows}
    return sum(counts.values()), counts.get("negative", 0)


def audit_rows(session: Session, *, start: datetime, end: datetime) -> list[AuditLog]:
    return list(
        session.scalars(
            select(AuditLog)
            .where(AuditLog.at >= start, AuditLog.at < end)
            .order_by(AuditLog.at, AuditLog.id)
            .limit(MAX_AUDIT_ROWS)
        )
    )


def _data(d: dict | None) -> str:  # type: ignore[type-arg]
    return json.dumps(d or {}, ensure_ascii=False, sort_keys=True)[:300]


def audit_report(
    rows: list[AuditLog], settings: Settings, *, start: datetime, end: datetime, now: datetime
) -> Report:
    return Report(
        title=f"{settings.bureau_name}操作审计记录",
        meta=[
            f"时段：{fmt_dt(start)} 至 {fmt_dt(end)}（北京时间），共 {len(rows)} 条",
            f"导出时间：{fmt_dt(now)}",
        ],
        blocks=[
            Table(
                ["时间", "操作人", "操作", "对象", "内容"],
                [[fmt_dt(r.at), actor_name(r.actor), action_label(r.action), r.target or "—", _data(r.data)]
                 for r in rows],
                [1.4, 1, 1.4, 1.2, 4],
            )
            if rows
            else Paragraph("该时段无操作记录。")
        ],
        bureau=settings.bureau_name,
        classification=settings.reports.classification,
        kind_label="审计记录",
    )


def audit_csv(rows: list[AuditLog]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["时间（北京时间）", "操作人", "操作", "对象", "内容"])
    for r in rows:
        w.writerow([fmt_dt(r.at), actor_name(r.actor), action_label(r.action), r.target or "", _data(r.data)])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
