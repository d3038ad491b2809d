"""研判 of one statistical release: its reaction after publication, a risk level with reasons,
and, for the contingency plan (预案), how earlier releases of the same indicator were received.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from store.models import Incident, IncidentMention, Mention, MentionRelease, Release
from yuqing.config import Settings
from yuqing.vocab import SERIOUS_GRADES, Grade, RiskLevel, SensitiveTopic, Sentiment, indicator_label

from .briefing import IncidentItem, incident_items
from .queries import (
    MIN_LINK_CONFIDENCE,
    MentionRow,
    StoryItem,
    load_mention_rows,
    top_stories,
    volume_by_hour,
)
from .timefmt import fmt_share

PREVIOUS_RELEASES = 6
TOP_NEGATIVE = 8
CHART_BEFORE_HOURS = 12
CHART_AFTER_HOURS = 72
LEVEL_ORDER = {"low": 0, "medium": 1, "high": 2}

# 预案 advice per sensitive topic seen in earlier reactions.
TOPIC_ADVICE = {
    "data_credibility": "准备统计方法、数据来源与质量控制的说明材料，出现造假质疑时由新闻发言人第一时间解读",
    "misreading": "发布时同步推出权威解读（图解、问答），说明口径、同比与环比的区别，防止误读",
    "livelihood": "准备物价、就业等群众切身利益相关问题的回应口径",
    "market_expectations": "关注财经媒体和证券类账号，防止对数据的过度解读影响市场预期",
    "emergency": "关注与突发公共事件的关联讨论，必要时协同相关部门发布权威信息",
}


@dataclass(frozen=True)
class Phase:
    label: str
    total: int
    negative: int
    negative_share: str
    mean_p_negative: float


@dataclass(frozen=True)
class PastRelease:
    id: int
    title: str
    period_label: str
    published_at: datetime | None
    mentions: int
    negative_share: str
    max_risk: float
    incidents: int
    sensitive: list[str]
    level: str
    level_label: str


@dataclass
class PreReleaseNote:
    indicator_name: str
    previous: list[PastRelease]
    expected_level: str
    expected_label: str
    recommendations: list[str]


@dataclass
class ReleaseAssessment:
    bureau: str
    release_id: int
    title: str
    indicator: str
    indicator_name: str
    period_label: str
    published_at: datetime | None
    published: bool
    headline: str
    generated_at: datetime
    total: int
    negative: int
    negative_share: str
    phases: list[Phase]
    hours: list[dict[str, object]]
    top_negative: list[StoryItem]
    sensitive: list[tuple[str, int]]
    incidents: list[IncidentItem]
    level: str
    level_label: str
    reasons: list[str]
    prerelease: PreReleaseNote
    min_confidence: float = MIN_LINK_CONFIDENCE
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def report_title(self) -> str:
        return f"{self.indicator_name}（{self.period_label}）数据发布舆情研判"


def assess_risk(
    *,
    total: int,
    negative: int,
    sensitive: Mapping[str, int],
    max_risk: float,
    incident_grades: Sequence[str],
    thresholds: Mapping[str, float],
) -> tuple[str, list[str]]:
    """Risk level (high|medium|low) of a release's reaction, with the reasons that set it."""
    high: list[str] = []
    medium: list[str] = []
    serious = [g for g in incident_grades if g in SERIOUS_GRADES]
    if serious:
        top = Grade.I if Grade.I in serious else Grade.II
        high.append(f"已有 II 级以上舆情事件 {len(serious)} 起（最高{Grade.label_of(top)}）")
    elif incident_grades:
        medium.append(f"已立案舆情事件 {len(incident_grades)} 起")
    credibility = sensitive.get("data_credibility", 0)
    if credibility >= 3 or (total and credibility / total >= 0.1 and credibility >= 1):
        high.append(f"出现数据质量/造假质疑 {credibility} 条")
    elif credibility:
        medium.append(f"出现零星数据质量质疑 {credibility} 条")
    if max_risk >= thresholds.get("II", 65.0):
        high.append(f"最高风险值 {max_risk:.0f}，达到 II 级阈值 {thresholds.get('II', 65.0):.0f}")
    elif max_risk >= thresholds.get("III", 50.0):
        medium.append(f"最高风险值 {max_risk:.0f}，达到 III 级阈值 {thresholds.get('III', 50.0):.0f}")
    share = negative / total if total else 0.0
    if total >= 20 and share >= 0.5:
        high.append(f"负面占比 {share:.0%}（{negative}/{total}）")
    elif total >= 10 and share >= 0.3:
        medium.append(f"负面占比 {share:.0%}（{negative}/{total}）")
    misreading = sensitive.get("misreading", 0)
    if misreading >= 3:
        medium.append(f"存在误读 {misreading} 条，需加强解读")
    if high:
        return "high", high + medium
    if medium:
        return "medium", medium
    return "low", [f"相关信息 {total} 条，负面占比 {fmt_share(negative, total)}，未见明显风险"]


def linked_rows(session: Session, release_id: int, *, until: datetime | None = None) -> list[MentionRow]:
    """Mentions that discuss the release (confidence ≥ MIN_LINK_CONFIDENCE), up to `until`."""
    linked = select(MentionRelease.mention_id).where(
        MentionRelease.release_id == release_id, MentionRelease.confidence >= MIN_LINK_CONFIDENCE
    )
    return load_mention_rows(session, None, until, where=[Mention.id.in_(linked)])


def release_incidents(session: Session, release_id: int) -> list[Incident]:
    """Incidents tied to the release directly or through one of its mentions."""
    linked = select(MentionRelease.mention_id).where(
        MentionRelease.release_id == release_id, MentionRelease.confidence >= MIN_LINK_CONFIDENCE
    )
    via_mentions = select(IncidentMention.incident_id).where(IncidentMention.mention_id.in_(linked))
    return list(
        session.scalars(
            select(Incident)
            .where(or_(Incident.release_id == release_id, Incident.id.in_(via_mentions)))
            .order_by(Incident.opened_at)
        )
    )


def phases(rows: Sequence[MentionRow], published_at: datetime | None) -> list[Phase]:
    """Negativity before publication, in the first 24 hours after, and later."""
    if published_at is None:
        return [_phase("全部", rows)]
    day = published_at + timedelta(hours=24)
    return [
        _phase("发布前", [r for r in rows if r.at < published_at]),
        _phase("发布后24小时内", [r for r in rows if published_at <= r.at < day]),
        _phase("发布24小时后", [r for r in rows if r.at >= day]),
    ]


def _phase(label: str, rows: Sequence[MentionRow]) -> Phase:
    neg = sum(1 for r in rows if r.sentiment == Sentiment.NEGATIVE)
    mean = sum(r.p_negative for r in rows) / len(rows) if rows else 0.0
    return Phase(label, len(rows), neg, fmt_share(neg, len(rows)), round(mean, 3))


def _sensitive_counts(rows: Sequence[MentionRow]) -> Counter[str]:
    return Counter(t for r in rows for t in r.sensitive_topics)


def prerelease_note(
    session: Session, settings: Settings, release: Release, *, now: datetime
) -> PreReleaseNote:
    """How the last releases of the same indicator were received, and what to prepare (预案)."""
    before = release.published_at if release.published_at is not None and release.published_at < now else now
    earlier = session.scalars(
        select(Release)
        .where(
            Release.indicator == release.indicator, Release.id != release.id, Release.published_at < before
        )
        .order_by(Release.published_at.desc())
        .limit(PREVIOUS_RELEASES)
    ).all()
    past: list[PastRelease] = []
    seen_topics: Counter[str] = Counter()
    for r in earlier:
        rows = linked_rows(session, r.id, until=now)
        sens = _sensitive_counts(rows)
        seen_topics.update(sens)
        neg = sum(1 for x in rows if x.sentiment == Sentiment.NEGATIVE)
        grades = [i.grade for i in release_incidents(session, r.id)]
        level, _ = assess_risk(
            total=len(rows),
            negative=neg,
            sensitive=sens,
            max_risk=max((x.risk for x in rows), default=0.0),
            incident_grades=grades,
            thresholds=settings.risk.grade_thresholds,
        )
        past.append(
            PastRelease(
                id=r.id,
                title=r.title,
                period_label=r.period_label or "—",
                published_at=r.published_at,
                mentions=len(rows),
                negative_share=fmt_share(neg, len(rows)),
                max_risk=max((x.risk for x in rows), default=0.0),
                incidents=len(grades),
                sensitive=[SensitiveTopic.label_of(t) for t, _ in sens.most_common()],
                level=level,
                level_label=RiskLevel.label_of(level),
            )
        )
    expected = max((p.level for p in past), key=LEVEL_ORDER.__getitem__, default="low")
    advice = [TOPIC_ADVICE[t] for t, _ in seen_topics.most_common() if t in TOPIC_ADVICE]
    if expected == "high":
        advice.insert(
            0,
            "往期曾出现较高风险：发布后安排专人值守，确保 5 小时内可发布权威信息、24 小时内可召开新闻发布会",
        )
    advice.append("发布后 24 小时内每 2 小时研判一次相关舆情，发现苗头及时会商")
    return PreReleaseNote(
        indicator_name=indicator_label(release.indicator, release.indicator_name),
        previous=past,
        expected_level=expected,
        expected_label=RiskLevel.label_of(expected),
        recommendations=advice,
    )


def build_assessment(
    session: Session, settings: Settings, *, release_id: int, now: datetime
) -> ReleaseAssessment:
    """The 研判 of release `release_id` as of `now`; raises LookupError when there is no such release."""
    release = session.get(Release, release_id)
    if release is None:
        raise LookupError(f"数据发布 {release_id} 不存在")
    rows = linked_rows(session, release.id, until=now)
    neg = sum(1 for r in rows if r.sentiment == Sentiment.NEGATIVE)
    sens = _sensitive_counts(rows)
    incidents = release_incidents(session, release.id)
    level, reasons = assess_risk(
        total=len(rows),
        negative=neg,
        sensitive=sens,
        max_risk=max((r.risk for r in rows), default=0.0),
        incident_grades=[i.grade for i in incidents],
        thresholds=settings.risk.grade_thresholds,
    )
    published = release.published_at is not None and release.published_at <= now
    hours: list[dict[str, object]] = []
    if published:
        assert release.published_at is not None
        start = release.published_at - timedelta(hours=CHART_BEFORE_HOURS)
        end = min(now, release.published_at + timedelta(hours=CHART_AFTER_HOURS))
        hours = volume_by_hour(rows, start.replace(minute=0, second=0, microsecond=0), end)
    headline = release.headline_text or (
        f"{release.headline_value:g}{release.headline_unit or ''}"
        if release.headline_value is not None
        else "—"
    )
    return ReleaseAssessment(
        bureau=settings.bureau_name,
        release_id=release.id,
        title=release.title,
        indicator=release.indicator,
        indicator_name=indicator_label(release.indicator, release.indicator_name),
        period_label=release.period_label or "—",
        published_at=release.published_at,
        published=published,
        headline=headline,
        generated_at=now,
        total=len(rows),
        negative=neg,
        negative_share=fmt_share(neg, len(rows)),
        phases=phases(rows, release.published_at),
        hours=hours,
        top_negative=top_stories(session, rows, limit=TOP_NEGATIVE, negative_only=True),
        sensitive=[(SensitiveTopic.label_of(t), n) for t, n in sens.most_common()],
        incidents=incident_items(session, incidents, now),
        level=level,
        level_label=RiskLevel.label_of(level),
        reasons=reasons,
        prerelease=prerelease_note(session, settings, release, now=now),
    )
