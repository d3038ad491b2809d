"""研判 of one statistical release: its reaction after publication, a risk level with reasons,
and, for the contingency plan (预案), how earlier releases of the same indicator were received.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, String, case, cast, func, or_, select
from sqlalchemy.orm import Session

from yuqing.config import Settings
from yuqing.store.models import (
    Incident,
    IncidentMention,
    Mention,
    MentionRelease,
    Release,
    ReleaseInterpretation,
    ReleasePlan,
)
from yuqing.vocab import (
    SERIOUS_GRADES,
    Grade,
    Platform,
    RiskLevel,
    SensitiveTopic,
    Sentiment,
    indicator_label,
)

from .briefing import IncidentItem, incident_items
from .plans import InterpretationStatus, current_plan, interpretation_status
from .queries import (
    MIN_LINK_CONFIDENCE,
    StoryItem,
    mention_time,
    summarise,
    top_stories,
    top_story_rows,
)
from .timefmt import fmt_share

PREVIOUS_RELEASES = 6
TOP_NEGATIVE = 8
CHART_BEFORE_HOURS = 12
CHART_AFTER_HOURS = 72
LEVEL_ORDER = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}

# 预案 advice per sensitive topic seen in earlier reactions.
TOPIC_ADVICE = {
    "data_credibility": "准备统计方法、数据来源与质量控制的说明材料，出现造假质疑时由新闻发言人第一时间解读",
    "misreading": "发布时同步推出权威解读（图解、问答），说明口径、同比与环比的区别，防止误读",
    "livelihood": "准备物价、就业等群众切身利益相关问题的回应口径",
    "market_expectations": "关注财经媒体和证券类账号，防止对数据的过度解读影响市场预期",
    "emergency": "关注与突发公共事件的关联讨论，必要时协同相关部门发布权威信息",
}


@dataclass(frozen=True)
class Misreading:
    """A post that misreads the release, shown with the line (口径) to answer it."""

    author: str
    platform_label: str
    at: datetime
    excerpt: str
    url: str | None


MISREADING_LINE = (
    "说明指标口径与计算方法（同比、环比的区别，统计范围与样本），用权威解读和图解回应，"
    "避免把个别感受当作总体数据"
)
AFTER_ADVICE = {
    RiskLevel.HIGH: [
        "立即会商研判，5 小时内发布权威信息，24 小时内视情召开新闻发布会",
        "针对主要误读逐条发布解读口径，组织专家和主流媒体解读",
        "每 2 小时报告一次舆情走势，直至明显回落",
    ],
    RiskLevel.MEDIUM: [
        "发布或转发权威解读材料，回应主要关切",
        "跟踪重点账号和高风险信息，必要时升级处置",
    ],
    RiskLevel.LOW: ["保持常态监测，关注后续讨论"],
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
    sensitivity: str = ""  # why the indicator draws attention, in a sentence
    mood: str = ""  # today's talk about the indicator: the last 24 hours


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
    misreadings: list[Misreading] = field(default_factory=list)
    compare: list[float] | None = None  # mean hourly volume of earlier releases, aligned on publication
    plan: ReleasePlan | None = None
    interpretation: InterpretationStatus | None = None
    effects: list[str] = field(default_factory=list)
    after_recommendations: list[str] = field(default_factory=list)

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
        return RiskLevel.HIGH, high + medium
    if medium:
        return RiskLevel.MEDIUM, medium
    return RiskLevel.LOW, [f"相关信息 {total} 条，负面占比 {fmt_share(negative, total)}，未见明显风险"]


def linked_to(release_id: int) -> ColumnElement[bool]:
    """Mentions that discuss the release (confidence ≥ MIN_LINK_CONFIDENCE)."""
    return Mention.id.in_(
        select(MentionRelease.mention_id).where(
            MentionRelease.release_id == release_id, MentionRelease.confidence >= MIN_LINK_CONFIDENCE
        )
    )


@dataclass(frozen=True)
class Reaction:
    """A release's reaction up to a moment, summed by the database."""

    total: int
    negative: int
    max_risk: float
    sensitive: Counter[str]


def reaction(session: Session, release_id: int, *, until: datetime) -> Reaction:
    cond = linked_to(release_id)
    at = mention_time()
    total, neg, top = session.execute(
        select(
            func.count(),
            func.sum(case((Mention.sentiment == Sentiment.NEGATIVE, 1), else_=0)),
            func.max(Mention.risk),
        ).where(cond, at < until)
    ).one()
    topics = session.scalars(
        select(Mention.sensitive_topics).where(
            cond, at < until, cast(Mention.sensitive_topics, String) != "[]"
        )
    )
    sensitive = Counter(t for ts in topics for t in ts or ())
    return Reaction(int(total or 0), int(neg or 0), float(top or 0.0), sensitive)


def phase(
    session: Session, label: str, cond: ColumnElement[bool], start: datetime | None, end: datetime | None
) -> Phase:
    at = mention_time()
    conds = [cond]
    if start is not None:
        conds.append(at >= start)
    if end is not None:
        conds.append(at < end)
    total, neg, mean = session.execute(
        select(
            func.count(),
            func.sum(case((Mention.sentiment == Sentiment.NEGATIVE, 1), else_=0)),
            func.avg(Mention.p_negative),
        ).where(*conds)
    ).one()
    total, neg = int(total or 0), int(neg or 0)
    return Phase(label, total, neg, fmt_share(neg, total), round(float(mean or 0.0), 3) if total else 0.0)


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


# 指标敏感性: why each indicator draws attention (codes of analysis.indicators).
INDICATOR_SENSITIVITY = {
    "CPI": (RiskLevel.HIGH, "物价直接关系群众切身利益，公众体感与统计数据易有落差，历来是质疑焦点"),
    "UNEMPLOYMENT": (RiskLevel.HIGH, "就业关系民生，青年失业率等口径易引发误读和质疑"),
    "HOUSING": (RiskLevel.HIGH, "房价关系群众切身利益和市场预期，涨跌均易引发讨论"),
    "GDP": (RiskLevel.MEDIUM, "关系市场预期，增速及核算方法常被解读和比较"),
    "PMI": (RiskLevel.MEDIUM, "先行指标，财经媒体和市场关注度高"),
    "RETAIL": (RiskLevel.MEDIUM, "关系消费形势判断，易与个人体感对比"),
    "PPI": (RiskLevel.LOW, "专业性较强，公众关注度相对较低"),
    "INDUSTRY": (RiskLevel.LOW, "专业性较强，公众关注度相对较低"),
    "FAI": (RiskLevel.LOW, "专业性较强，公众关注度相对较低"),
    "INCOME": (RiskLevel.HIGH, "收入关系群众切身利益，\"被平均\"等质疑常见"),
    "REAL_ESTATE_INVEST": (RiskLevel.MEDIUM, "关系房地产市场预期"),
    "INDUSTRIAL_PROFIT": (RiskLevel.LOW, "专业性较强，公众关注度相对较低"),
}


def indicator_sensitivity(indicator: str) -> tuple[str, str]:
    return INDICATOR_SENSITIVITY.get(indicator.upper(), (RiskLevel.MEDIUM, "社会关注度一般"))


def todays_mood(session: Session, release: Release, now: datetime) -> str:
    """The last 24 hours of talk linked to any release of the indicator."""
    ids = select(Release.id).where(Release.indicator == release.indicator)
    linked = select(MentionRelease.mention_id).where(
        MentionRelease.release_id.in_(ids), MentionRelease.confidence >= MIN_LINK_CONFIDENCE
    )
    at = mention_time()
    total, neg = session.execute(
        select(func.count(), func.sum(case((Mention.sentiment == Sentiment.NEGATIVE, 1), else_=0))).where(
            Mention.id.in_(linked), at >= now - timedelta(hours=24), at < now
        )
    ).one()
    total, neg = int(total or 0), int(neg or 0)
    if not total:
        return "近 24 小时未监测到该指标的相关讨论。"
    return f"近 24 小时该指标相关信息 {total} 条，负面 {neg} 条（{fmt_share(neg, total)}）。"


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
        got = reaction(session, r.id, until=now)
        seen_topics.update(got.sensitive)
        grades = [i.grade for i in release_incidents(session, r.id)]
        level, _ = assess_risk(
            total=got.total,
            negative=got.negative,
            sensitive=got.sensitive,
            max_risk=got.max_risk,
            incident_grades=grades,
            thresholds=settings.risk.grade_thresholds,
        )
        past.append(
            PastRelease(
                id=r.id,
                title=r.title,
                period_label=r.period_label or "—",
                published_at=r.published_at,
                mentions=got.total,
                negative_share=fmt_share(got.negative, got.total),
                max_risk=got.max_risk,
                incidents=len(grades),
                sensitive=[SensitiveTopic.label_of(t) for t, _ in got.sensitive.most_common()],
                level=level,
                level_label=RiskLevel.label_of(level),
            )
        )
    expected = max((p.level for p in past), key=LEVEL_ORDER.__getitem__, default=RiskLevel.LOW)
    advice = [TOPIC_ADVICE[t] for t, _ in seen_topics.most_common() if t in TOPIC_ADVICE]
    if expected == RiskLevel.HIGH:
        advice.insert(
            0,
            "往期曾出现较高风险：发布后安排专人值守，确保 5 小时内可发布权威信息、24 小时内可召开新闻发布会",
        )
    advice.append("发布后 24 小时内每 2 小时研判一次相关舆情，发现苗头及时会商")
    sensitivity_level, why = indicator_sensitivity(release.indicator)
    expected = max(
        expected, sensitivity_level if sensitivity_level != RiskLevel.HIGH else RiskLevel.MEDIUM,
        key=LEVEL_ORDER.__getitem__,
    )
    return PreReleaseNote(
        indicator_name=indicator_label(release.indicator, release.indicator_name),
        previous=past,
        expected_level=expected,
        expected_label=RiskLevel.label_of(expected),
        recommendations=advice,
        sensitivity=f"指标敏感性{RiskLevel.label_of(sensitivity_level)}：{why}。",
        mood=todays_mood(session, release, now),
    )


def misreadings(
    session: Session, cond: ColumnElement[bool], until: datetime, *, limit: int = 5
) -> list[Misreading]:
    """Posts flagged as misreading the release, riskiest first."""

    rows = session.scalars(
        select(Mention)
        .where(cond, mention_time() < until, cast(Mention.sensitive_topics, String).like('%"misreading"%'))
        .order_by(Mention.risk.desc(), Mention.id)
        .limit(limit)
    )
    out = []
    for m in rows:
        text = " ".join((m.text or "").split())
        out.append(
            Misreading(
                m.author or "匿名",
                Platform.label_of(m.platform),
                m.published_at or m.analysed_at,
                text if len(text) <= 70 else text[:70] + "…",
                m.url,
            )
        )
    return out


def compare_curve(
    session: Session, release: Release, window: tuple[datetime, datetime], *, limit: int = 3
) -> list[float] | None:
    """Mean hourly volume of the indicator's earlier releases over the same window around publication."""
    if release.published_at is None:
        return None
    earlier = session.scalars(
        select(Release)
        .where(
            Release.indicator == release.indicator,
            Release.id != release.id,
            Release.published_at < release.published_at,
        )
        .order_by(Release.published_at.desc())
        .limit(limit)
    ).all()
    if not earlier:
        return None
    before = release.published_at - window[0]
    span = window[1] - window[0]
    curves = []
    for r in earlier:
        assert r.published_at is not None
        start = r.published_at - before
        hours = summarise(session, None, None, where=[linked_to(r.id)], hours=(start, start + span)).hours
        curves.append([int(h["total"]) for h in hours])  # type: ignore[call-overload]
    n = min(len(c) for c in curves)
    return [round(sum(c[i] for c in curves) / len(curves), 2) for i in range(n)]


def build_assessment(
    session: Session, settings: Settings, *, release_id: int, now: datetime
) -> ReleaseAssessment:
    """The 研判 of release `release_id` as of `now`; raises LookupError when there is no such release."""
    release = session.get(Release, release_id)
    if release is None:
        raise LookupError(f"数据发布 {release_id} 不存在")
    cond = linked_to(release.id)
    got = reaction(session, release.id, until=now)
    incidents = release_incidents(session, release.id)
    level, reasons = assess_risk(
        total=got.total,
        negative=got.negative,
        sensitive=got.sensitive,
        max_risk=got.max_risk,
        incident_grades=[i.grade for i in incidents],
        thresholds=settings.risk.grade_thresholds,
    )
    published = release.published_at is not None and release.published_at <= now
    hours: list[dict[str, object]] = []
    if published:
        assert release.published_at is not None
        start = release.published_at - timedelta(hours=CHART_BEFORE_HOURS)
        end = min(now, release.published_at + timedelta(hours=CHART_AFTER_HOURS))
        window = (start.replace(minute=0, second=0, microsecond=0), end)
        hours = summarise(session, None, now, where=[cond], hours=window).hours
        compare = compare_curve(session, release, window)
    else:
        compare = None
    if release.published_at is None:
        phase_list = [phase(session, "全部", cond, None, now)]
    else:
        day = release.published_at + timedelta(hours=24)
        phase_list = [
            phase(session, "发布前", cond, None, min(release.published_at, now)),
            phase(session, "发布后24小时内", cond, release.published_at, min(day, now)),
            phase(session, "发布24小时后", cond, day, now),
        ]
    negative_rows = top_story_rows(session, None, now, limit=TOP_NEGATIVE, where=[cond], negative_only=True)
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
        total=got.total,
        negative=got.negative,
        negative_share=fmt_share(got.negative, got.total),
        phases=phase_list,
        hours=hours,
        top_negative=top_stories(session, negative_rows, limit=TOP_NEGATIVE, negative_only=True),
        sensitive=[(SensitiveTopic.label_of(t), n) for t, n in got.sensitive.most_common()],
        incidents=incident_items(session, incidents, now),
        level=level,
        level_label=RiskLevel.label_of(level),
        reasons=reasons,
        prerelease=prerelease_note(session, settings, release, now=now),
        misreadings=misreadings(session, cond, now) if published else [],
        compare=compare,
        plan=current_plan(session, release.id),
        interpretation=interpretation_status(
            release,
            session.scalar(
                select(ReleaseInterpretation).where(ReleaseInterpretation.release_id == release.id)
            ),
            now,
        ),
        effects=_effects(session, incidents, now),
        after_recommendations=list(AFTER_ADVICE.get(level, [])) if published else [],
    )


def _effects(session: Session, incidents: Sequence[Incident], now: datetime) -> list[str]:
    """The responses made to the release's incidents and their measured effect."""
    from yuqing.alerts.effect import incident_effect
    from yuqing.store.models import Action

    from .special import effect_lines

    out: list[str] = []
    for inc in incidents:
        effects = incident_effect(session, incident_id=inc.id, now=now)
        if not effects:
            continue
        actions = {a.id: a for a in session.scalars(select(Action).where(Action.incident_id == inc.id))}
        out += [f"事件「{inc.title}」{line}" for line in effect_lines(effects, actions)]
    return out
