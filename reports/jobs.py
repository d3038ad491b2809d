"""Scheduled report jobs: what the scheduler produces, archives and sends.

- 08:00 Asia/Shanghai: the daily briefing, archived and sent to the leadership through the outbox.
- Every few minutes (`run_due_reports`): a 专报 for each open grade I/II incident at its opening, after
  each response and at its closing; the release 研判 the configured working days before each release on
  the calendar; and the T+2 h, T+24 h, T+72 h reports after it. Each is archived once per moment (a
  stored version with that trigger is the record that it was done), so a restart or a second process
  repeats nothing, and each is sent like every other notice.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from yuqing.alerts.holidays import load_calendar
from yuqing.alerts.outbox import enqueue
from yuqing.alerts.templates import Text, safe_text
from yuqing.clock import SHANGHAI, to_local
from yuqing.clock import now as clock_now
from yuqing.config import Settings
from yuqing.store.db import session_scope
from yuqing.store.models import Action, Briefing, Incident, Release
from yuqing.vocab import Audience, IncidentStatus, NoticeKind, ReportKind, ReportTrigger, trigger_label

from .archive import latest, store_report
from .assessment import build_assessment
from .blocks import assessment_report, daily_report
from .briefing import DailyBriefing, build_daily
from .special import build_special
from .timefmt import briefing_day, fmt_dt

log = logging.getLogger(__name__)
POST_RELEASE_GRACE = timedelta(hours=24)  # a T+n report more than this late is not made any more


def download_link(settings: Settings, row: Briefing, fmt: str = "pdf") -> str:
    return f"{settings.base_url.rstrip('/')}/api/v1/reports/briefings/{row.id}?format={fmt}"


def send_report(
    session: Session, settings: Settings, row: Briefing, *, summary: str, now: datetime,
    audiences: tuple[str, ...] = (Audience.LEADERSHIP,), incident_id: int | None = None,
) -> int:
    """Queue the archived report for the audiences' channels: a summary with links (email: the PDF's link
    and the summary; the archived bytes stay the one copy). Returns the rows written."""
    kind = ReportKind.label_of(row.kind)
    text = Text(
        subject=f"【{kind}】{safe_text(row.title, 80)}",
        body="\n".join(
            [
                safe_text(summary, 600),
                f"- 生成时间：{fmt_dt(row.generated_at)}"
                f"（{trigger_label(row.trigger)}，第 {row.version} 版）",
                f"- PDF：{download_link(settings, row, 'pdf')}",
                f"- Word：{download_link(settings, row, 'docx')}",
            ]
        ),
    )
    fields = {"kind": NoticeKind.REPORT, "report_kind": row.kind, "briefing_id": row.id,
              "subject": row.subject,
              "attachment": {"briefing_id": row.id, "format": "pdf", "filename": f"{row.title}.pdf"}}
    written = 0
    for audience in audiences:
        written += len(
            enqueue(session, key=f"report:{row.id}:{audience}", text=text, fields=fields, audience=audience,
                    settings=settings, now=now, incident_id=incident_id)
        )
    return written


def daily_period(b: DailyBriefing) -> tuple[datetime, datetime]:
    return b.start, b.end


def store_daily(
    session: Session, settings: Settings, *, day: date | None = None, now: datetime,
    trigger: str = ReportTrigger.MANUAL, created_by: str = "system", on_demand: bool = False,
) -> tuple[Briefing, DailyBriefing]:
    """Build the briefing and archive it as a new version of its day. Flushes."""
    b = build_daily(session, settings, day=day, now=now, on_demand=on_demand)
    report = daily_report(b, classification=settings.reports.classification)
    return store_report(session, report, kind=ReportKind.DAILY, subject=b.day.isoformat(), day=b.day,
                        trigger=trigger, now=now, created_by=created_by, period=daily_period(b)), b


def generate_daily(
    session_factory: sessionmaker[Session], settings: Settings, *, now: datetime | None = None
) -> Briefing:
    """The 08:00 job: archive today's briefing (yesterday's before 08:00) once, and send it."""
    now = now or clock_now()
    day = briefing_day(now)
    with session_scope(session_factory) as session:
        done = latest(session, kind=ReportKind.DAILY, subject=day.isoformat(),
                      trigger=ReportTrigger.SCHEDULED)
        if done is not None:
            return done
        row, b = store_daily(session, settings, day=day, now=now, trigger=ReportTrigger.SCHEDULED)
        send_report(session, settings, row, summary=b.overview, now=now)
        return row


# 专报 ------------------------------------------------------------------------------------------------

def special_moments(incident: Incident, actions: list[Action]) -> list[tuple[datetime, str]]:
    """The moments an incident earns a 专报: opening, each response, closing (time, trigger)."""
    moments = [(incident.opened_at, ReportTrigger.OPENED)]
    moments += [(a.created_at or a.at, f"action:{a.id}") for a in actions]
    if incident.closed_at is not None:
        moments.append((incident.closed_at, ReportTrigger.CLOSED))
    return sorted(moments)


def due_special(session: Session, incident: Incident, now: datetime) -> str | None:
    """The trigger of a 专报 owed now, if any: the latest moment not yet covered by an archived version."""
    actions = list(session.scalars(select(Action).where(Action.incident_id == incident.id)))
    moments = [(at, trig) for at, trig in special_moments(incident, actions) if at <= now]
    if not moments:
        return None
    last = latest(session, kind=ReportKind.SPECIAL, subject=f"incident:{incident.id}")
    if last is not None and all(at <= last.generated_at for at, _ in moments):
        return None
    done = set(session.scalars(select(Briefing.trigger).where(
        Briefing.kind == ReportKind.SPECIAL, Briefing.subject == f"incident:{incident.id}")))
    latest_moment = moments[-1][1]
    return None if latest_moment in done else latest_moment


def store_special(session: Session, settings: Settings, *, incident_id: int, now: datetime,
                  trigger: str = ReportTrigger.MANUAL, created_by: str = "system") -> Briefing:
    report = build_special(session, settings, incident_id=incident_id, now=now)
    return store_report(session, report, kind=ReportKind.SPECIAL, subject=f"incident:{incident_id}",
                        day=to_local(now).date(), trigger=trigger, now=now, created_by=created_by)


def run_specials(session: Session, settings: Settings, *, now: datetime) -> list[Briefing]:
    recent = now - timedelta(days=2)
    incidents = session.scalars(
        select(Incident).where(
            Incident.grade.in_(settings.reports.special_grades),
            or_(Incident.status != IncidentStatus.CLOSED, Incident.closed_at >= recent),
        ).order_by(Incident.id)
    ).all()
    out = []
    for incident in incidents:
        trigger = due_special(session, incident, now)
        if trigger is None:
            continue
        row = store_special(session, settings, incident_id=incident.id, now=now, trigger=trigger)
        send_report(session, settings, row, summary=f"{trigger_label(trigger)}：{incident.title}", now=now,
                    incident_id=incident.id)
        out.append(row)
    return out


# 发布研判 -----------------------------------------------------------------------------------------------

def assessment_due_at(session: Session, settings: Settings, published_at: datetime) -> datetime:
    """When the pre-release assessment is made: N working days before the release day, at the set hour."""
    calendar = load_calendar(session)
    day = to_local(published_at).date()
    n = settings.reports.assessment_lead_working_days
    while n > 0:
        day -= timedelta(days=1)
        if calendar.is_workday(day):
            n -= 1
    return datetime.combine(day, time(settings.reports.assessment_hour), tzinfo=SHANGHAI)


def store_assessment(session: Session, settings: Settings, *, release_id: int, now: datetime,
                     trigger: str = ReportTrigger.MANUAL,
                     created_by: str = "system") -> tuple[Briefing, object]:
    a = build_assessment(session, settings, release_id=release_id, now=now)
    report = assessment_report(a, classification=settings.reports.classification)
    row = store_report(session, report, kind=ReportKind.ASSESSMENT, subject=f"release:{release_id}",
                       day=to_local(now).date(), trigger=trigger, now=now, created_by=created_by)
    return row, a


def run_release_reports(session: Session, settings: Settings, *, now: datetime) -> list[Briefing]:
    out = []
    horizon = max(settings.reports.post_release_hours, default=0)
    releases = session.scalars(
        select(Release).where(
            Release.published_at.is_not(None),
            Release.published_at >= now - timedelta(hours=horizon) - POST_RELEASE_GRACE,
            Release.published_at <= now + timedelta(days=15),
        ).order_by(Release.published_at)
    ).all()
    for r in releases:
        assert r.published_at is not None
        triggers: list[str] = []
        if r.published_at > now and assessment_due_at(session, settings, r.published_at) <= now:
            triggers.append(ReportTrigger.PRE)
        for h in settings.reports.post_release_hours:
            at = r.published_at + timedelta(hours=h)
            if at <= now < at + POST_RELEASE_GRACE:
                triggers.append(f"t+{h:g}h")
        for trigger in triggers:
            subject = f"release:{r.id}"
            if latest(session, kind=ReportKind.ASSESSMENT, subject=subject, trigger=trigger) is not None:
                continue
            row, a = store_assessment(session, settings, release_id=r.id, now=now, trigger=trigger)
            summary = (
                f"{trigger_label(trigger)}：{a.indicator_name}（{a.period_label}）"  # type: ignore[attr-defined]
                f"舆情风险{a.level_label}。"  # type: ignore[attr-defined]
            )
            send_report(session, settings, row, summary=summary, now=now,
                        audiences=(Audience.PRESS, Audience.LEADERSHIP))
            out.append(row)
    return out


def run_due_reports(
    session_factory: sessionmaker[Session], settings: Settings, *, now: datetime | None = None
) -> list[int]:
    """The scheduler's periodic report job: 专报 and release reports that are due. Returns archived ids."""
    now = now or clock_now()
    with session_scope(session_factory) as session:
        rows = run_specials(session, settings, now=now) + run_release_reports(session, settings, now=now)
        ids = [r.id for r in rows]
    if ids:
        log.info("报告已存档：%s", ids)
    return ids
