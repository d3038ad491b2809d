"""舆情专报: one page on one grade I/II incident for the leadership — what happened, how it spreads,
the main claims with representative posts, what was done against each deadline, the effect, next steps.

Generated on demand and at set moments (opening, each response, closing; see jobs.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.effect import incident_effect
from store.models import Action, Incident, IncidentMention, Mention
from yuqing.config import Settings

from . import labels as L
from .blocks import Block, Bullets, Heading, Paragraph, Report, Table
from .briefing import deadline_sentence, incident_items, open_deadlines, response_text
from .queries import load_mention_rows
from .sentences import fmt_count
from .timefmt import fmt_dt, fmt_hours, fmt_share, fmt_short, to_local

CLAIMS = 3  # main claims shown on the page
POSTS_PER_CLAIM = 2


@dataclass(frozen=True)
class Post:
    author: str
    platform_label: str
    at: datetime
    excerpt: str
    url: str | None


@dataclass(frozen=True)
class Claim:
    title: str
    mentions: int
    negative: int
    posts: list[Post]


def _excerpt(text: str, n: int = 70) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[:n] + "…"


def main_claims(session: Session, rows: list, *, limit: int = CLAIMS) -> list[Claim]:  # rows: MentionRow
    """The incident's mentions grouped by story (reposts and copies are one claim), largest first."""
    groups: dict[str, list] = defaultdict(list)
    for r in rows:
        groups[r.group_key].append(r)
    ranked = sorted(groups.values(), key=lambda g: (-len(g), -max(m.risk for m in g)))[:limit]
    wanted = [m.id for g in ranked for m in sorted(g, key=lambda m: (-m.risk, m.id))[:POSTS_PER_CLAIM]]
    mentions = (
        {m.id: m for m in session.scalars(select(Mention).where(Mention.id.in_(wanted)))} if wanted else {}
    )
    out = []
    for g in ranked:
        best = [mentions[m.id] for m in sorted(g, key=lambda m: (-m.risk, m.id))[:POSTS_PER_CLAIM]]
        title = next((m.title for m in best if m.title), None) or _excerpt(best[0].text, 40)
        out.append(
            Claim(
                title=title,
                mentions=len(g),
                negative=sum(1 for m in g if m.sentiment == "negative"),
                posts=[
                    Post(m.author or "匿名", L.label(L.PLATFORMS, m.platform),
                         m.published_at or m.analysed_at, _excerpt(m.text), m.url)
                    for m in best
                ],
            )
        )
    return out


def _spread(rows: list) -> str:
    if not rows:
        return "暂未关联到相关信息。"
    neg = sum(1 for r in rows if r.sentiment == "negative")
    platforms = Counter(r.platform for r in rows)
    by_hour = Counter(to_local(r.at).replace(minute=0, second=0, microsecond=0) for r in rows)
    peak, peak_n = max(by_hour.items(), key=lambda kv: (kv[1], kv[0]))
    first, last = rows[0].at, rows[-1].at
    spread = "、".join(f"{L.label(L.PLATFORMS, p)} {n} 条" for p, n in platforms.most_common())
    return (
        f"自 {fmt_short(first)} 首次出现至 {fmt_short(last)}，共监测到相关信息 {len(rows)} 条，"
        f"其中负面 {neg} 条（{fmt_share(neg, len(rows))}）；分布于{spread}；"
        f"传播高峰为 {peak.month}月{peak.day}日 {peak:%H}时（{peak_n} 条/小时）。"
    )


def _effect_lines(effects: list[dict], actions: dict[int, Action]) -> list[str]:
    out = []
    for e in effects:
        a = actions.get(e["action_id"])
        what = L.label(L.ACTION_KINDS, e["kind"])
        before, after = e["before"], e["after"]
        line = (
            f"{fmt_short(a.at) if a else ''} {what}：前 {e['window_hours']:g} 小时相关信息 "
            f"{before['mentions']} 条，后 {after['mentions']} 条"
        )
        if before["negative_share"] is not None and after["negative_share"] is not None:
            delta = (after["negative_share"] - before["negative_share"]) * 100
            line += f"，负面占比{'下降' if delta < 0 else '上升'} {abs(delta):.1f} 个百分点"
        if e["after_window"]["observing"]:
            line += f"（观察中，已过 {fmt_hours(e['after_window']['elapsed_hours'])}）"
        out.append(line + "。")
    return out


def build_special(
    session: Session, settings: Settings, *, incident_id: int, now: datetime,
    classification: str | None = None,
) -> Report:
    """The 专报 of incident `incident_id` as of `now`; LookupError when there is no such incident."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise LookupError(f"舆情事件 {incident_id} 不存在")
    (item,) = incident_items(session, [incident], now)
    linked = select(IncidentMention.mention_id).where(IncidentMention.incident_id == incident.id)
    rows = load_mention_rows(session, None, now, where=[Mention.id.in_(linked)])
    actions = {
        a.id: a
        for a in session.scalars(
            select(Action).where(Action.incident_id == incident.id).order_by(Action.at, Action.id)
        )
    }
    what = incident.summary or f"监测发现「{incident.title}」相关舆情。"
    blocks: list[Block] = [
        Heading("一、事件概况"),
        Paragraph(
            f"{what}该事件于 {fmt_short(incident.opened_at)} 立案，定为{item.grade_label}，"
            f"类别为{item.category_label}，当前状态：{item.status_label}，"
            f"责任人：{incident.owner or '未指定'}。"
        ),
        Heading("二、传播态势"),
        Paragraph(_spread(rows)),
        Heading("三、主要观点及代表性言论"),
    ]
    claims = main_claims(session, rows)
    if claims:
        for i, c in enumerate(claims, 1):
            head = f"{i}. {c.title}（{c.mentions} 条，负面 {c.negative} 条）"
            blocks.append(Paragraph(head, emphasis=True))
            blocks.append(
                Bullets([f"{p.platform_label}「{p.author}」{fmt_short(p.at)}：{p.excerpt}" for p in c.posts])
            )
    else:
        blocks.append(Paragraph("暂无。"))
    blocks.append(Heading("四、处置情况"))
    if item.deadlines:
        blocks.append(
            Table(
                ["时限", "截止时间", "落实情况", "结果"],
                [
                    [d.kind_label, fmt_short(d.due_at),
                     d.response or ("—" if d.met_at is None else fmt_short(d.met_at)), d.timeliness]
                    for d in item.deadlines
                ],
                [1.6, 1.4, 4.6, 1.2],
            )
        )
    if actions:
        blocks.append(Bullets(["回应记录：" + (response_text(a) or "") for a in actions.values()]))
    elif not item.deadlines:
        blocks.append(Paragraph("尚未登记回应。"))
    blocks.append(Heading("五、处置效果"))
    effects = incident_effect(session, incident_id=incident.id, now=now)
    blocks.append(
        Bullets(_effect_lines(effects, actions)) if effects else Paragraph("尚未回应，暂无法评估效果。")
    )
    blocks.append(Heading("六、下一步工作建议"))
    steps = []
    if incident.status == "detected":
        steps.append("立即确认事件并指定责任人，启动会商研判")
    for inc, d in open_deadlines([item]):
        steps.append(f"{deadline_sentence(inc, d, now)}，请{incident.owner or '责任人'}按时落实")
    if incident.status != "closed":
        steps.append("持续监测传播态势，每 2 小时研判一次，必要时发布权威信息更新")
    else:
        steps.append(f"事件已于 {fmt_short(incident.closed_at)} 关闭，做好处置评估与归档")
    blocks.append(Bullets(steps, numbered=True))
    reach = f"，共 {fmt_count(len(rows))} 条相关信息" if rows else ""
    return Report(
        title=f"舆情专报：{incident.title}",
        meta=[f"事件编号 {incident.id}　{item.grade_label}　{item.status_label}{reach}",
              f"生成时间：{fmt_dt(now)}（北京时间）"],
        blocks=blocks,
        bureau=settings.bureau_name,
        classification=settings.reports.classification if classification is None else classification,
        kind_label="舆情专报",
    )
