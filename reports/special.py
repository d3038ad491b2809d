"""舆情专报: one page on one grade I/II incident for the leadership — what happened, how it spreads,
the main claims with representative posts, what was done against each deadline, the effect, next steps.

Generated on demand and at set moments (opening, each response, closing; see jobs.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from yuqing.alerts.effect import incident_effect
from yuqing.clock import as_utc
from yuqing.config import Settings
from yuqing.store.models import Action, Incident, IncidentMention, Mention, Story
from yuqing.vocab import ActionKind, ClaimsAddressed, IncidentStatus, Platform, Sentiment

from .blocks import Block, Bullets, Heading, Paragraph, Report, Table
from .briefing import deadline_sentence, incident_items, open_deadlines, response_text
from .queries import group_key, mention_time, summarise
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


def main_claims(
    session: Session, cond: ColumnElement[bool], until: datetime, *, limit: int = CLAIMS
) -> list[Claim]:
    """The incident's mentions grouped by story (reposts and copies are one claim), largest first;
    each with its riskiest posts."""
    at = mention_time()
    key = group_key()
    neg = func.sum(case((Mention.sentiment == Sentiment.NEGATIVE, 1), else_=0))
    ranked = session.execute(
        select(key, func.count(), neg).where(cond, at < until).group_by(key)
        .order_by(func.count().desc(), func.max(Mention.risk).desc(), func.min(Mention.id)).limit(limit)
    ).all()
    out = []
    for k, n, k_neg in ranked:
        member = Mention.story_id == k if k > 0 else Mention.id == -k
        best = session.scalars(
            select(Mention).where(cond, member, at < until)
            .order_by(Mention.risk.desc(), Mention.id).limit(POSTS_PER_CLAIM)
        ).all()
        story = session.get(Story, k) if k > 0 else None
        title = (story.title if story and story.title else None) or next(
            (m.title for m in best if m.title), None) or _excerpt(best[0].text, 40)
        out.append(
            Claim(
                title=title,
                mentions=int(n),
                negative=int(k_neg or 0),
                posts=[
                    Post(m.author or "匿名", Platform.label_of(m.platform),
                         m.published_at or m.analysed_at, _excerpt(m.text), m.url)
                    for m in best
                ],
            )
        )
    return out


def _spread(session: Session, cond: ColumnElement[bool], until: datetime) -> tuple[int, str]:
    """(mentions, one paragraph on how the incident spread: volume, negativity, platforms, peak hour)."""
    at = mention_time()
    first, last = session.execute(select(func.min(at), func.max(at)).where(cond, at < until)).one()
    if first is None:
        return 0, "暂未关联到相关信息。"
    first, last = as_utc(first), as_utc(last)
    start = first.replace(minute=0, second=0, microsecond=0)
    summary = summarise(session, None, until, where=[cond], hours=(start, last + timedelta(hours=1)))
    peak = max(summary.hours, key=lambda h: (int(h["total"]), h["start"]))  # type: ignore[call-overload]
    peak_at = to_local(peak["start"])  # type: ignore[arg-type]
    spread = "、".join(f"{p['label']} {p['total']} 条" for p in summary.platforms[:-1])
    return summary.total, (
        f"自 {fmt_short(first)} 首次出现至 {fmt_short(last)}，共监测到相关信息 {summary.total} 条，"
        f"其中负面 {summary.negative} 条（{fmt_share(summary.negative, summary.total)}）；分布于{spread}；"
        f"传播高峰为 {peak_at.month}月{peak_at.day}日 {peak_at:%H}时（{peak['total']} 条/小时）。"
    )


def effect_lines(effects: list[dict], actions: dict[int, Action]) -> list[str]:
    out = []
    for e in effects:
        a = actions.get(e["action_id"])
        what = ActionKind.label_of(e["kind"])
        before, after = e["before"], e["after"]
        hours = f"{e['window_hours']:g}"
        if e["after_window"]["observing"]:  # partial: the windows are not equal yet, so no comparison
            share = after["negative_share"]
            line = (
                f"{fmt_short(a.at) if a else ''} {what}：前 {hours} 小时相关信息 {before['mentions']} 条；"
                f"回应后观察中，已过 {fmt_hours(e['after_window']['elapsed_hours'])}，"
                f"目前 {after['mentions']} 条（部分数据"
                + (f"，负面占比 {share * 100:.1f}%" if share is not None else "")
                + f"），{hours} 小时窗口走完后再比较"
            )
            out.append(line + "。")
            continue
        line = (
            f"{fmt_short(a.at) if a else ''} {what}：前 {hours} 小时相关信息 "
            f"{before['mentions']} 条，后 {after['mentions']} 条"
        )
        if before["negative_share"] is not None and after["negative_share"] is not None:
            delta = (after["negative_share"] - before["negative_share"]) * 100
            line += f"，负面占比{'下降' if delta < 0 else '上升'} {abs(delta):.1f} 个百分点"
        out.append(line + "。")
    return out


def evaluation_lines(ev: dict) -> list[str]:  # type: ignore[type-arg]
    """The recorded 处置评估 (alerts/evaluation.py) as sentences: timeliness, targeting, effect, lessons."""
    lines = [f"时效：按时 {ev.get('on_time', 0)} / {ev.get('judged', 0)}："
             + "，".join(f"{t['kind_label']}{t['outcome_label']}" for t in ev.get("timeliness", []))]
    if ev.get("addressed_claims") is not None:
        lines.append("针对性：" + ClaimsAddressed.of(ev["addressed_claims"]).label)
    for e in ev.get("effects", []):
        before, after = e["before"], e["after"]
        line = (f"效果：{ActionKind.label_of(e['kind'])}前后相关信息 "
                f"{before['mentions']} → {after['mentions']} 条")
        if before.get("negative_share") is not None and after.get("negative_share") is not None:
            line += f"，负面占比 {before['negative_share'] * 100:.1f}% → {after['negative_share'] * 100:.1f}%"
        lines.append(line)
    if ev.get("observing_responses"):
        lines.append(f"效果：另有 {ev['observing_responses']} 次回应的观察窗口尚未走完，未计入")
    if ev.get("lessons"):
        lines.append("经验教训：" + str(ev["lessons"]))
    return lines


def build_special(
    session: Session, settings: Settings, *, incident_id: int, now: datetime,
    classification: str | None = None,
) -> Report:
    """The 专报 of incident `incident_id` as of `now`; LookupError when there is no such incident."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise LookupError(f"舆情事件 {incident_id} 不存在")
    (item,) = incident_items(session, [incident], now)
    cond = Mention.id.in_(
        select(IncidentMention.mention_id).where(IncidentMention.incident_id == incident.id)
    )
    total, spread = _spread(session, cond, now)
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
        Paragraph(spread),
        Heading("三、主要观点及代表性言论"),
    ]
    claims = main_claims(session, cond, now)
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
        Bullets(effect_lines(effects, actions)) if effects else Paragraph("尚未回应，暂无法评估效果。")
    )
    if incident.evaluation:  # 处置评估 recorded (at the latest when a grade I/II incident closed)
        blocks.append(Paragraph("处置评估", emphasis=True))
        blocks.append(Bullets(evaluation_lines(incident.evaluation)))
    blocks.append(Heading("六、下一步工作建议"))
    steps = []
    if incident.status == IncidentStatus.DETECTED:
        steps.append("立即确认事件并指定责任人，启动会商研判")
    for inc, d in open_deadlines([item]):
        steps.append(f"{deadline_sentence(inc, d, now)}，请{incident.owner or '责任人'}按时落实")
    if incident.status != IncidentStatus.CLOSED:
        steps.append("持续监测传播态势，每 2 小时研判一次，必要时发布权威信息更新")
    else:
        steps.append(f"事件已于 {fmt_short(incident.closed_at)} 关闭，做好处置评估与归档")
    blocks.append(Bullets(steps, numbered=True))
    reach = f"，共 {fmt_count(total)} 条相关信息" if total else ""
    return Report(
        title=f"舆情专报：{incident.title}",
        meta=[f"事件编号 {incident.id}　{item.grade_label}　{item.status_label}{reach}",
              f"生成时间：{fmt_dt(now)}（北京时间）"],
        blocks=blocks,
        bureau=settings.bureau_name,
        classification=settings.reports.classification if classification is None else classification,
        kind_label="舆情专报",
    )
