"""舆情日报: the leadership's briefing, as plain data (rendering is elsewhere).

Two periods: the scheduled 08:00 briefing covers the 24 hours before 08:00 Asia/Shanghai of its day;
one generated on demand covers the 24 hours up to the moment it is asked for, and says so. Whatever
the period, every incident still open appears, releases already out are told in the past tense with
their reception, and page one opens with a conclusion (舆情概况): volume and change, negative share,
what needs attention today and the most urgent deadline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from yuqing.config import Settings
from yuqing.store.models import (
    Action,
    Case,
    Deadline,
    Document,
    EarlyWarning,
    Incident,
    Mention,
    Release,
    Source,
)
from yuqing.vocab import (
    OPEN_DEADLINE_STATES,
    SERIOUS_GRADES,
    UNHEALTHY_SOURCE_STATUSES,
    ActionKind,
    CaseKind,
    Category,
    DeadlineKind,
    DeadlineState,
    Grade,
    IncidentStatus,
    Platform,
    Sentiment,
    SourceKind,
    SourceStatus,
    grade_rank,
    indicator_label,
)

from .queries import (
    StoryItem,
    count_negative,
    mention_time,
    release_reactions,
    summarise,
    top_stories,
    top_story_rows,
)
from .timefmt import briefing_window, fmt_dt, fmt_hours, fmt_short, on_demand_window, to_local

TOP_STORIES = 10
TOP_ACCOUNTS = 8
CASES_HORIZON_DAYS = 3  # cases due within this many days are listed
STALE_MIN_HOURS = 6  # a source silent this long (or 4 crawl intervals) is reported


@dataclass(frozen=True)
class DeadlineItem:
    id: int
    kind: str
    kind_label: str
    due_at: datetime
    state: str
    state_label: str
    met_at: datetime | None
    timeliness: str  # 按时 / 超时完成 / 超时未回应 / 待回应 / 已豁免
    on_time: bool | None  # None while pending or waived
    response: str | None = None  # what was done and where: "11月9日 15:00 发布权威信息（https://…）"


@dataclass(frozen=True)
class IncidentItem:
    id: int
    title: str
    grade: str
    grade_label: str
    category_label: str
    status: str
    status_label: str
    owner: str | None
    opened_at: datetime
    closed_at: datetime | None
    mention_count: int
    risk: float
    deadlines: list[DeadlineItem]
    period_note: str = ""  # 本期新发现 / 处置中 / 本期关闭


@dataclass(frozen=True)
class ReleaseItem:
    id: int
    title: str
    indicator: str
    indicator_name: str
    period_label: str
    published_at: datetime | None
    headline: str
    mentions: int
    negative: int
    negative_share: str
    max_risk: float

    @property
    def reception(self) -> str:
        """How the release was received so far, in one clause."""
        if self.mentions == 0:
            return "发布后暂未监测到相关讨论"
        tone = (
            "反应较为负面"
            if self.negative * 2 >= self.mentions and self.mentions >= 3
            else "舆论反应总体平稳"
        )
        return f"发布后相关信息 {self.mentions} 条，负面 {self.negative} 条（{self.negative_share}），{tone}"

    def past_tense(self) -> str:
        """`已于 11月9日 09:30 发布居民消费价格指数（2026年11月），同比上涨 0.3%；发布后…`."""
        head = f"，{self.headline}" if self.headline != "—" else ""
        return (
            f"已于 {fmt_short(self.published_at)} 发布{self.indicator_name}（{self.period_label}）{head}；"
            f"{self.reception}。"
        )


@dataclass(frozen=True)
class AccountItem:
    """An account that spoke in the period, ranked by its audience."""

    author: str
    platform_label: str
    followers: int | None
    mentions: int
    negative: int


@dataclass(frozen=True)
class CaseDue:
    case_id: int
    title: str
    kind_label: str
    deadline_label: str
    received_at: datetime
    due_at: datetime
    overdue: bool
    remaining: str  # 剩余 2天3小时 / 已超时 5小时


@dataclass(frozen=True)
class SourceWarning:
    name: str
    kind_label: str
    status_label: str
    message: str


@dataclass(frozen=True)
class AttentionItem:
    level: str  # urgent | important | info
    text: str


@dataclass(frozen=True)
class Timeliness:
    """Response windows that fell due in the period, by outcome."""

    on_time: int = 0
    late: int = 0
    missed: int = 0
    pending: int = 0
    waived: int = 0


@dataclass
class DailyBriefing:
    bureau: str
    day: date
    start: datetime
    end: datetime
    generated_at: datetime
    on_demand: bool
    total: int
    negative: int
    negative_share: str
    previous_total: int
    previous_negative: int
    change_text: str
    story_count: int
    platforms: list[dict[str, object]]
    hours: list[dict[str, object]]
    top_stories: list[StoryItem]
    incidents: list[IncidentItem]
    timeliness: Timeliness
    releases: list[ReleaseItem]
    upcoming_releases: list[ReleaseItem]
    accounts: list[AccountItem]
    cases_due: list[CaseDue]
    source_warnings: list[SourceWarning]
    attention: list[AttentionItem] = field(default_factory=list)
    recommendations: list[str] = field(default_factory=list)
    overview: str = ""
    warnings: dict[str, int] = field(default_factory=dict)  # 预警 raised in the period, by outcome

    @property
    def title(self) -> str:
        return f"{self.bureau}舆情日报（{self.day.year}年{self.day.month}月{self.day.day}日）"

    @property
    def period_text(self) -> str:
        note = "按需生成，统计至生成时刻" if self.on_demand else "定时日报，统计前一日 08:00 至当日 08:00"
        return f"统计时段：{fmt_dt(self.start)} 至 {fmt_dt(self.end)}（北京时间；{note}）"

    @property
    def incidents_opened(self) -> list[IncidentItem]:
        return [i for i in self.incidents if self.start <= i.opened_at < self.end]

    @property
    def incidents_open(self) -> list[IncidentItem]:
        return [i for i in self.incidents if i.status != IncidentStatus.CLOSED]

    @property
    def incidents_closed(self) -> list[IncidentItem]:
        return [i for i in self.incidents if i.closed_at is not None and self.start <= i.closed_at < self.end]


def classify_deadline(
    state: str, due_at: datetime, met_at: datetime | None, now: datetime
) -> tuple[str, bool | None]:
    """Was the response on time? (label, on_time) — on_time None while undecided or waived."""
    if state == DeadlineState.WAIVED:
        return "已豁免", None
    if met_at is not None:
        return ("按时", True) if met_at <= due_at else ("超时完成", False)
    if state == DeadlineState.BREACHED or due_at <= now:
        return "超时未回应", False
    return "待回应", None


def response_text(action: Action | None) -> str | None:
    """What was done, when and where: the evidence a leader can open."""
    if action is None:
        return None
    where = action.evidence_url or action.place
    what = ActionKind.label_of(action.kind)
    text = f"{fmt_short(action.at)} {what}"
    if action.description:
        text += f"：{action.description[:60]}"
    return text + (f"（{where}）" if where else "")


def deadline_item(d: Deadline, now: datetime, action: Action | None = None) -> DeadlineItem:
    text, on_time = classify_deadline(d.state, d.due_at, d.met_at, now)
    return DeadlineItem(
        id=d.id,
        kind=d.kind,
        kind_label=DeadlineKind.label_of(d.kind),
        due_at=d.due_at,
        state=d.state,
        state_label=DeadlineState.label_of(d.state),
        met_at=d.met_at,
        timeliness=text,
        on_time=on_time,
        response=response_text(action),
    )


def count_timeliness(items: Iterable[DeadlineItem]) -> Timeliness:
    c: Counter[str] = Counter()
    for d in items:
        if d.state == DeadlineState.WAIVED:
            c["waived"] += 1
        elif d.on_time is True:
            c["on_time"] += 1
        elif d.on_time is False:
            c["late" if d.met_at is not None else "missed"] += 1
        else:
            c["pending"] += 1
    return Timeliness(**c)


def incident_items(
    session: Session,
    incidents: Sequence[Incident],
    now: datetime,
    *,
    period: tuple[datetime, datetime] | None = None,
) -> list[IncidentItem]:
    """Incidents with their deadlines and the responses that met them, most serious grade first."""
    ids = [i.id for i in incidents]
    by_incident: dict[int, list[DeadlineItem]] = {i: [] for i in ids}
    if ids:
        deadlines = session.scalars(
            select(Deadline).where(Deadline.incident_id.in_(ids)).order_by(Deadline.due_at, Deadline.id)
        ).all()
        action_ids = {d.met_by_action_id for d in deadlines if d.met_by_action_id is not None}
        actions = (
            {a.id: a for a in session.scalars(select(Action).where(Action.id.in_(action_ids)))}
            if action_ids
            else {}
        )
        for d in deadlines:
            action = actions.get(d.met_by_action_id) if d.met_by_action_id is not None else None
            by_incident[d.incident_id].append(deadline_item(d, now, action))  # type: ignore[index]
    items = [
        IncidentItem(
            id=i.id,
            title=i.title,
            grade=i.grade,
            grade_label=Grade.label_of(i.grade),
            category_label=Category.label_of(i.category),
            status=i.status,
            status_label=IncidentStatus.label_of(i.status),
            owner=i.owner,
            opened_at=i.opened_at,
            closed_at=i.closed_at,
            mention_count=i.mention_count,
            risk=i.risk,
            deadlines=by_incident[i.id],
            period_note=_period_note(i, period) if period else "",
        )
        for i in incidents
    ]
    return sorted(items, key=lambda x: (grade_rank(x.grade), x.opened_at))


def _period_note(i: Incident, period: tuple[datetime, datetime]) -> str:
    start, end = period
    if i.closed_at is not None and start <= i.closed_at < end:
        return "本期关闭"
    if start <= i.opened_at < end:
        return "本期新发现"
    return "处置中" if i.status != IncidentStatus.CLOSED else "已关闭"


def release_item(r: Release, reaction: tuple[int, int, float]) -> ReleaseItem:
    mentions, negative, max_risk = reaction
    headline = r.headline_text or (
        f"{r.headline_value:g}{r.headline_unit or ''}" if r.headline_value is not None else "—"
    )
    return ReleaseItem(
        id=r.id,
        title=r.title,
        indicator=r.indicator,
        indicator_name=indicator_label(r.indicator, r.indicator_name),
        period_label=r.period_label or "—",
        published_at=r.published_at,
        headline=headline,
        mentions=mentions,
        negative=negative,
        negative_share=_share(negative, mentions),
        max_risk=max_risk,
    )


def source_warnings(sources: Iterable[Source], settings: Settings, now: datetime) -> list[SourceWarning]:
    """Enabled sources that are blocked, failing, or silent for too long (收集 must be 全天候)."""
    out = []
    for s in sources:
        if not s.enabled:
            continue
        kind = SourceKind.label_of(s.kind)
        status = SourceStatus.label_of(s.status)
        interval = _interval_seconds(s, settings)
        stale_after = timedelta(hours=max(STALE_MIN_HOURS, 4 * interval / 3600))
        if s.status in UNHEALTHY_SOURCE_STATUSES:
            msg = f"状态{status}"
            if s.status == SourceStatus.BLOCKED and s.backoff_until and s.backoff_until > now:
                msg += f"，暂停采集至 {fmt_short(s.backoff_until)}"
            if s.last_error:
                msg += f"；最近错误：{s.last_error[:120]}"
            out.append(SourceWarning(s.name, kind, status, msg))
        elif s.last_success_at is None:
            out.append(SourceWarning(s.name, kind, status, "尚未成功采集"))
        elif now - s.last_success_at > stale_after:
            silent = (now - s.last_success_at).total_seconds() / 3600
            out.append(SourceWarning(s.name, kind, status, f"已 {fmt_hours(silent)} 未成功采集"))
    return out


def _interval_seconds(s: Source, settings: Settings) -> int:
    try:
        configured = settings.source(s.name).interval_seconds
    except KeyError:
        configured = None
    return settings.crawl.interval_of(s.kind, configured)


def _share(part: int, whole: int) -> str:
    return "—" if whole == 0 else f"{100 * part / whole:.1f}%"


def change_text(current: int, previous: int, *, unit: str = "前一日") -> str:
    """`较前一日上升 25.0%` and the like."""
    if previous == 0:
        return f"{unit}无数据" if current == 0 else f"{unit}无信息，本期新增"
    delta = (current - previous) / previous * 100
    if abs(delta) < 0.05:
        return f"与{unit}持平"
    return f"较{unit}{'上升' if delta > 0 else '下降'} {abs(delta):.1f}%"


def influential_accounts(
    session: Session, start: datetime, end: datetime, *, limit: int = TOP_ACCOUNTS
) -> list[AccountItem]:
    """Accounts that spoke in [start, end), largest audience first (then most posts)."""
    at = mention_time()
    followers = func.max(Document.author_followers)
    neg = func.sum(case((Mention.sentiment == Sentiment.NEGATIVE, 1), else_=0))
    stmt = (
        select(Mention.author, Mention.platform, followers, func.count(Mention.id), neg)
        .join(Document, Document.id == Mention.document_id)
        .where(at >= start, at < end, Mention.author.is_not(None), Mention.author != "")
        .group_by(Mention.author, Mention.platform)
        .order_by(func.coalesce(followers, -1).desc(), func.count(Mention.id).desc(), Mention.author)
        .limit(limit)
    )
    return [
        AccountItem(str(a), Platform.label_of(p), int(f) if f is not None else None, int(n), int(k or 0))
        for a, p, f, n, k in session.execute(stmt)
    ]


def cases_due(session: Session, now: datetime, *, days: int = CASES_HORIZON_DAYS) -> list[CaseDue]:
    """Open case deadlines due within `days` or already overdue, soonest first."""
    rows = session.execute(
        select(Deadline, Case)
        .join(Case, Case.id == Deadline.case_id)
        .where(Deadline.state.in_(OPEN_DEADLINE_STATES), Deadline.due_at < now + timedelta(days=days))
        .order_by(Deadline.due_at, Deadline.id)
    ).all()
    out = []
    for d, c in rows:
        overdue = d.due_at <= now
        span = fmt_hours(abs((d.due_at - now).total_seconds()) / 3600)
        out.append(
            CaseDue(
                case_id=c.id,
                title=c.title,
                kind_label=CaseKind.label_of(c.kind),
                deadline_label=DeadlineKind.label_of(d.kind),
                received_at=c.received_at,
                due_at=d.due_at,
                overdue=overdue,
                remaining=f"已超时 {span}" if overdue else f"剩余 {span}",
            )
        )
    return out


def open_deadlines(incidents: Iterable[IncidentItem]) -> list[tuple[IncidentItem, DeadlineItem]]:
    """Deadlines still to be met, soonest (or most overdue) first."""
    pairs = [
        (inc, d)
        for inc in incidents
        if inc.status != IncidentStatus.CLOSED
        for d in inc.deadlines
        if d.met_at is None and d.state != DeadlineState.WAIVED
    ]
    return sorted(pairs, key=lambda p: p[1].due_at)


def deadline_sentence(inc: IncidentItem, d: DeadlineItem, now: datetime) -> str:
    if d.due_at <= now:
        return (
            f"事件「{inc.title}」{d.kind_label}已超时 {fmt_hours((now - d.due_at).total_seconds() / 3600)}"
        )
    return (
        f"事件「{inc.title}」须于 {fmt_short(d.due_at)} 前{d.kind_label}"
        f"（剩余 {fmt_hours((d.due_at - now).total_seconds() / 3600)}）"
    )


def attention_items(
    *,
    now: datetime,
    open_incidents: list[IncidentItem],
    stories: list[StoryItem],
    flagged_story_threshold: float,
    upcoming: list[ReleaseItem],
    warnings: list[SourceWarning],
    cases: Sequence[CaseDue] = (),
) -> list[AttentionItem]:
    """What needs leadership today: clocks running out, unacknowledged serious incidents, new risks."""
    out: list[AttentionItem] = []
    horizon = now + timedelta(hours=24)
    for inc in open_incidents:
        if inc.grade in SERIOUS_GRADES and inc.status == IncidentStatus.DETECTED:
            out.append(AttentionItem("urgent", f"{inc.grade_label}事件「{inc.title}」尚未确认，请指定责任人"))
    for inc, d in open_deadlines(open_incidents):
        if d.due_at <= horizon:
            out.append(AttentionItem("urgent", deadline_sentence(inc, d, now)))
    for st in stories:
        if st.risk >= flagged_story_threshold and not st.has_incident:
            out.append(
                AttentionItem("important", f"高风险信息「{st.title}」（风险 {st.risk:.0f}）尚未立案研判")
            )
    for r in upcoming:
        when = "今日" if to_local(r.published_at).date() == to_local(now).date() else "明日"  # type: ignore[arg-type]
        out.append(
            AttentionItem(
                "important",
                f"{when} {fmt_short(r.published_at)} 将发布{r.indicator_name}"
                f"（{r.period_label}），请做好舆情预案并同步发布解读材料",
            )
        )
    overdue = [c for c in cases if c.overdue]
    if overdue:
        out.append(AttentionItem("important", f"{len(overdue)} 件意见建议/咨询投诉已超过答复期限"))
    if warnings:
        names = "、".join(w.name for w in warnings[:5])
        out.append(AttentionItem("info", f"{len(warnings)} 个信息源采集异常（{names}），监测可能不全"))
    return out


def recommendations(
    *,
    now: datetime,
    open_incidents: list[IncidentItem],
    stories: list[StoryItem],
    flagged_story_threshold: float,
    upcoming: list[ReleaseItem],
    cases: Sequence[CaseDue],
    warnings: Sequence[SourceWarning],
) -> list[str]:
    """Recommended actions, most urgent first, each naming what to do, by when and by whom."""
    out: list[str] = []
    for inc in open_incidents:
        if inc.status == IncidentStatus.DETECTED:
            out.append(f"尽快确认事件「{inc.title}」，指定责任人并启动会商研判")
    seen: set[int] = set()
    for inc, d in open_deadlines(open_incidents):
        if inc.id in seen:
            continue
        seen.add(inc.id)
        who = inc.owner or "责任人（待指定）"
        if d.due_at <= now:
            out.append(f"事件「{inc.title}」{d.kind_label}已超时，请{who}立即回应并报告原因")
        else:
            out.append(f"由{who}于 {fmt_short(d.due_at)} 前完成「{inc.title}」的{d.kind_label}")
    for st in stories:
        if st.risk >= flagged_story_threshold and not st.has_incident:
            out.append(f"对「{st.title}」开展研判，必要时立案处置")
    for r in upcoming:
        out.append(
            f"{r.indicator_name}将于 {fmt_short(r.published_at)} 发布：按预案同步发布解读材料，"
            "发布后 2 小时内完成首次舆情研判"
        )
    if cases:
        out.append(f"按期办结 {len(cases)} 件即将到期或已超期的意见建议、咨询投诉")
    if warnings:
        out.append(f"尽快恢复 {len(warnings)} 个异常信息源，确保监测全覆盖")
    return out or ["保持常态监测，暂无需专门处置的事项。"]


def overview_text(b: DailyBriefing) -> str:
    """The 舆情概况 paragraph that opens page one: the conclusion before the detail."""
    unit = "前一时段" if b.on_demand else "前一日"
    if b.total:
        change = change_text(b.total, b.previous_total, unit=unit)
        parts = [
            f"本期共监测到相关信息 {b.total} 条（{b.story_count} 个话题），{change}；"
            f"其中负面信息 {b.negative} 条，占 {b.negative_share}。"
        ]
    else:
        parts = [f"本期未监测到相关信息（{unit} {b.previous_total} 条）。"]
    open_ = b.incidents_open
    if open_:
        grades = Counter(i.grade for i in open_)
        by_grade = "、".join(
            f"{Grade.label_of(g)} {n} 起"
            for g, n in sorted(grades.items(), key=lambda x: grade_rank(x[0]))
        )
        parts.append(
            f"目前处置中的舆情事件 {len(open_)} 起（{by_grade}），本期新发现 {len(b.incidents_opened)} 起、"
            f"关闭 {len(b.incidents_closed)} 起。"
        )
    else:
        parts.append(f"目前无处置中的舆情事件；本期关闭 {len(b.incidents_closed)} 起。")
    if b.warnings.get("raised"):
        w = b.warnings
        parts.append(f"本期发出预警 {w['raised']} 条（升级为事件 {w.get('promoted', 0)} 条、"
                     f"待处理 {w.get('open', 0)} 条）。")
    if b.releases:
        parts.append("".join(r.past_tense() for r in b.releases[:2]))
    urgent = [a.text for a in b.attention if a.level in ("urgent", "important")]
    if urgent:
        parts.append("今日需重点关注：" + "；".join(urgent[:3]) + "。")
    pending = open_deadlines(b.incidents)
    if pending:
        inc, d = pending[0]
        parts.append(f"最紧迫的时限：{deadline_sentence(inc, d, b.generated_at)}。")
    return "".join(parts)


def build_daily(
    session: Session,
    settings: Settings,
    *,
    day: date | None = None,
    now: datetime,
    on_demand: bool = False,
) -> DailyBriefing:
    """The briefing as of `now`: of `day` (24 h before its 08:00), or on demand the 24 h up to `now`."""
    if on_demand:
        start, end = on_demand_window(now)
        day = to_local(end).date()
    else:
        if day is None:
            raise ValueError("定时日报须指定日期")
        start, end = briefing_window(day)
    span = end - start
    summary = summarise(session, start, end)
    previous_total, previous_negative = count_negative(session, start - span, start)
    stories = top_stories(session, top_story_rows(session, start, end, limit=TOP_STORIES), limit=TOP_STORIES)

    # Every incident that touches the period, and every incident still open now: listed once.
    incidents = session.scalars(
        select(Incident).where(
            or_(
                and_(
                    Incident.opened_at < end,
                    or_(Incident.closed_at.is_(None), Incident.closed_at >= start),
                ),
                and_(Incident.status != IncidentStatus.CLOSED, Incident.opened_at <= now),
            )
        )
    ).all()
    items = incident_items(session, incidents, now, period=(start, end))

    due = session.scalars(select(Deadline).where(Deadline.due_at >= start, Deadline.due_at < end)).all()
    timeliness = count_timeliness(deadline_item(d, now) for d in due)

    releases = session.scalars(
        select(Release)
        .where(Release.published_at >= start, Release.published_at < end, Release.published_at <= now)
        .order_by(Release.published_at)
    ).all()
    upcoming = session.scalars(
        select(Release)
        .where(Release.published_at > max(end, now), Release.published_at < end + timedelta(hours=24))
        .order_by(Release.published_at)
    ).all()
    reactions = release_reactions(session, [r.id for r in releases], until=now)
    release_items = [release_item(r, reactions.get(r.id, (0, 0, 0.0))) for r in releases]
    upcoming_items = [release_item(r, (0, 0, 0.0)) for r in upcoming]

    warnings = source_warnings(session.scalars(select(Source).order_by(Source.name)), settings, now)
    cases = cases_due(session, now)
    open_items = [i for i in items if i.status != IncidentStatus.CLOSED]
    threshold = settings.risk.grade_thresholds.get(Grade.III, 50.0)
    warning_counts = dict(session.execute(
        select(EarlyWarning.status, func.count()).where(EarlyWarning.detected_at >= start,
                                                        EarlyWarning.detected_at < end)
        .group_by(EarlyWarning.status)).all())
    briefing = DailyBriefing(
        bureau=settings.bureau_name,
        day=day,
        start=start,
        end=end,
        generated_at=now,
        on_demand=on_demand,
        warnings={"raised": sum(warning_counts.values()), **warning_counts},
        total=summary.total,
        negative=summary.negative,
        negative_share=_share(summary.negative, summary.total),
        previous_total=previous_total,
        previous_negative=previous_negative,
        change_text=change_text(summary.total, previous_total, unit="前一时段" if on_demand else "前一日"),
        story_count=summary.story_count,
        platforms=summary.platforms,
        hours=summary.hours,
        top_stories=stories,
        incidents=items,
        timeliness=timeliness,
        releases=release_items,
        upcoming_releases=upcoming_items,
        accounts=influential_accounts(session, start, end),
        cases_due=cases,
        source_warnings=warnings,
    )
    briefing.attention = attention_items(
        now=now,
        open_incidents=open_items,
        stories=stories,
        flagged_story_threshold=threshold,
        upcoming=upcoming_items,
        warnings=warnings,
        cases=cases,
    )
    briefing.recommendations = recommendations(
        now=now,
        open_incidents=open_items,
        stories=stories,
        flagged_story_threshold=threshold,
        upcoming=upcoming_items,
        cases=cases,
        warnings=warnings,
    )
    briefing.overview = overview_text(briefing)
    return briefing

