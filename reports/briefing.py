"""舆情日报: the leadership's 08:00 daily briefing, as plain data (rendering is elsewhere).

The period is the 24 hours before 08:00 Asia/Shanghai of the briefing day. Everything a
leader needs on one page: how much was said and how negatively, the riskiest stories and
why, incidents and whether their response windows were met, releases and their reaction,
sources that stopped reporting, and what needs a decision today.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Deadline, Incident, Release, Source
from yuqing.config import Settings
from yuqing.vocab import (
    SERIOUS_GRADES,
    UNHEALTHY_SOURCE_STATUSES,
    Category,
    DeadlineKind,
    DeadlineState,
    Grade,
    IncidentStatus,
    Sentiment,
    SourceKind,
    SourceStatus,
    indicator_label,
)

from .queries import (
    StoryItem,
    load_mention_rows,
    release_reactions,
    top_stories,
    volume_by_hour,
    volume_by_platform,
)
from .timefmt import briefing_window, fmt_hours, fmt_short

TOP_STORIES = 10
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
    incidents_opened: list[IncidentItem]
    incidents_open: list[IncidentItem]
    incidents_closed: list[IncidentItem]
    timeliness: Timeliness
    releases: list[ReleaseItem]
    upcoming_releases: list[ReleaseItem]
    source_warnings: list[SourceWarning]
    attention: list[AttentionItem] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.bureau}舆情日报（{self.day.year}年{self.day.month}月{self.day.day}日）"


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


def deadline_item(d: Deadline, now: datetime) -> DeadlineItem:
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
    )


def count_timeliness(items: Iterable[DeadlineItem]) -> Timeliness:
    c = Counter()
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


def incident_items(session: Session, incidents: list[Incident], now: datetime) -> list[IncidentItem]:
    """Incidents with their deadlines, most serious grade first."""
    ids = [i.id for i in incidents]
    by_incident: dict[int, list[DeadlineItem]] = {i: [] for i in ids}
    if ids:
        rows = session.scalars(
            select(Deadline).where(Deadline.incident_id.in_(ids)).order_by(Deadline.due_at, Deadline.id)
        )
        for d in rows:
            by_incident[d.incident_id].append(deadline_item(d, now))  # type: ignore[index]
    order = {"I": 0, "II": 1, "III": 2, "IV": 3}
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
        )
        for i in incidents
    ]
    return sorted(items, key=lambda x: (order.get(x.grade, 9), x.opened_at))


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
    return configured or settings.crawl.default_intervals.get(s.kind, 600)


def _share(part: int, whole: int) -> str:
    return "—" if whole == 0 else f"{100 * part / whole:.1f}%"


def change_text(current: int, previous: int) -> str:
    """`较前一日上升 25.0%` and the like."""
    if previous == 0:
        return "前一日无数据" if current == 0 else "前一日无信息，本期新增"
    delta = (current - previous) / previous * 100
    if abs(delta) < 0.05:
        return "与前一日持平"
    return f"较前一日{'上升' if delta > 0 else '下降'} {abs(delta):.1f}%"


def attention_items(
    *,
    now: datetime,
    open_incidents: list[IncidentItem],
    stories: list[StoryItem],
    flagged_story_threshold: float,
    upcoming: list[ReleaseItem],
    warnings: list[SourceWarning],
) -> list[AttentionItem]:
    """What needs leadership today: clocks running out, unacknowledged serious incidents, new risks."""
    out: list[AttentionItem] = []
    horizon = now + timedelta(hours=24)
    for inc in open_incidents:
        if inc.grade in SERIOUS_GRADES and inc.status == IncidentStatus.DETECTED:
            out.append(AttentionItem("urgent", f"{inc.grade_label}事件「{inc.title}」尚未确认，请指定责任人"))
        for d in inc.deadlines:
            if d.met_at is not None or d.state == DeadlineState.WAIVED:
                continue
            if d.due_at <= now:
                out.append(
                    AttentionItem(
                        "urgent",
                        f"事件「{inc.title}」{d.kind_label}已超时 "
                        f"{fmt_hours((now - d.due_at).total_seconds() / 3600)}",
                    )
                )
            elif d.due_at <= horizon:
                out.append(
                    AttentionItem(
                        "urgent",
                        f"事件「{inc.title}」须于 {fmt_short(d.due_at)} 前"
                        f"{d.kind_label}（剩余 "
                        f"{fmt_hours((d.due_at - now).total_seconds() / 3600)}）",
                    )
                )
    for st in stories:
        if st.risk >= flagged_story_threshold and not st.has_incident:
            out.append(
                AttentionItem("important", f"高风险信息「{st.title}」（风险 {st.risk:.0f}）尚未立案研判")
            )
    for r in upcoming:
        out.append(
            AttentionItem(
                "important",
                f"今日 {fmt_short(r.published_at)} 将发布{r.indicator_name}"
                f"（{r.period_label}），请做好舆情预案",
            )
        )
    if warnings:
        names = "、".join(w.name for w in warnings[:5])
        out.append(AttentionItem("info", f"{len(warnings)} 个信息源采集异常（{names}），监测可能不全"))
    return out


def build_daily(session: Session, settings: Settings, *, day: date, now: datetime) -> DailyBriefing:
    """Gather the briefing of `day` (period: 24 h before 08:00 Asia/Shanghai) as of `now`."""
    start, end = briefing_window(day)
    rows = load_mention_rows(session, start, end)
    previous = load_mention_rows(session, start - timedelta(hours=24), start)
    negative = sum(1 for r in rows if r.sentiment == Sentiment.NEGATIVE)
    stories = top_stories(session, rows, limit=TOP_STORIES)

    opened = session.scalars(
        select(Incident).where(Incident.opened_at >= start, Incident.opened_at < end)
    ).all()
    still_open = session.scalars(
        select(Incident).where(Incident.status != IncidentStatus.CLOSED, Incident.opened_at < end)
    ).all()
    closed = session.scalars(
        select(Incident).where(Incident.closed_at >= start, Incident.closed_at < end)
    ).all()
    all_incidents = {i.id: i for i in (*opened, *still_open, *closed)}
    items = {i.id: i for i in incident_items(session, list(all_incidents.values()), now)}
    order = list(items)  # sorted by grade

    due = session.scalars(select(Deadline).where(Deadline.due_at >= start, Deadline.due_at < end)).all()
    timeliness = count_timeliness(deadline_item(d, now) for d in due)

    releases = session.scalars(
        select(Release)
        .where(Release.published_at >= start, Release.published_at < end)
        .order_by(Release.published_at)
    ).all()
    upcoming = session.scalars(
        select(Release)
        .where(Release.published_at >= end, Release.published_at < end + timedelta(hours=24))
        .order_by(Release.published_at)
    ).all()
    reactions = release_reactions(session, [r.id for r in (*releases, *upcoming)], until=now)
    release_items = [release_item(r, reactions.get(r.id, (0, 0, 0.0))) for r in releases]
    upcoming_items = [release_item(r, reactions.get(r.id, (0, 0, 0.0))) for r in upcoming]

    warnings = source_warnings(session.scalars(select(Source).order_by(Source.name)), settings, now)
    open_items = [items[i] for i in order if items[i].status != IncidentStatus.CLOSED]
    briefing = DailyBriefing(
        bureau=settings.bureau_name,
        day=day,
        start=start,
        end=end,
        generated_at=now,
        total=len(rows),
        negative=negative,
        negative_share=_share(negative, len(rows)),
        previous_total=len(previous),
        previous_negative=sum(1 for r in previous if r.sentiment == Sentiment.NEGATIVE),
        change_text=change_text(len(rows), len(previous)),
        story_count=len({r.group_key for r in rows}),
        platforms=volume_by_platform(rows),
        hours=volume_by_hour(rows, start, end),
        top_stories=stories,
        incidents_opened=[items[i] for i in order if start <= items[i].opened_at < end],
        incidents_open=open_items,
        incidents_closed=[
            items[i] for i in order if items[i].closed_at is not None and start <= items[i].closed_at < end
        ],
        timeliness=timeliness,
        releases=release_items,
        upcoming_releases=upcoming_items,
        source_warnings=warnings,
    )
    briefing.attention = attention_items(
        now=now,
        open_incidents=open_items,
        stories=stories,
        flagged_story_threshold=settings.risk.grade_thresholds.get("III", 50.0),
        upcoming=upcoming_items,
        warnings=warnings,
    )
    return briefing
