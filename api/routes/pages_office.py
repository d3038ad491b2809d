"""The press office's pages: 工单 (cases), 考核 (compliance), 通知 (outbox and silences), 报告 (reports).

Lists are rendered on the server by Jinja2 with autoescape, so every title and error arrives as
text; countdowns are `.countdown[data-due]` spans that api/static/common.js repaints each second.
Changes go through /api/v1 from api/static/office.js with the X-Yuqing-Request header.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Briefing, Case, Notification, Release, Silence
from yuqing.clock import as_utc, local_iso, to_local
from yuqing.clock import now as clock_now
from yuqing.vocab import (
    ActionKind,
    Audience,
    CaseKind,
    CaseStatus,
    NoticeStatus,
    Role,
    SilenceField,
    indicator_label,
)

from .. import schemas as S
from ..deps import PERMISSIONS, Principal, get_session, optional_principal
from ..present import case_out
from .cases import _case_deadlines
from .pages import _render, _to_login

router = APIRouter(include_in_schema=False)

CASE_KINDS = CaseKind.labels()
CASE_WINDOWS = {
    "suggestion": "7 个工作日（复杂的 15 个）",
    "consultation": "15 个工作日",
    "complaint": "15 个工作日",
    "repost": "1 个工作日",
}
CASE_STATUSES = CaseStatus.labels()
# The action that answers a case of each kind (alerts.policy.ACTION_MEETS maps it to the deadline).
REPLY_ACTION = {CaseKind.SUGGESTION: ActionKind.REPLY, CaseKind.CONSULTATION: ActionKind.REPLY,
                CaseKind.COMPLAINT: ActionKind.REPLY, CaseKind.REPOST: ActionKind.REPOST}
NOTIFICATION_STATUSES = NoticeStatus.labels()


def short_time(value: datetime | str | None) -> str:
    """Beijing time as "2026-11-10 09:30" (what a duty officer reads), or "—"."""
    if value is None:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return to_local(value).strftime("%Y-%m-%d %H:%M")


def _urgency(case: S.CaseOut) -> tuple[int, str]:
    """Open cases first, the nearest due first; answered ones after in their order (newest first).

    Due times are all +08:00 ISO strings, so they sort as text."""
    if case.status != CaseStatus.OPEN:
        return (1, "")
    return (0, min((d.due_at for d in case.deadlines), default="9999"))


def _page(request: Request, who: Principal, name: str, **context: object) -> HTMLResponse:
    return _render(
        request,
        name,
        user=who.user,
        role_label=Role.label_of(who.role),
        t=short_time,
        **context,
    )


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request,
    kind: str | None = Query(None),
    status: str | None = Query(None),
    who: Principal | None = Depends(optional_principal),
    session: Session = Depends(get_session),
) -> Response:
    if who is None:
        return _to_login(request)
    return _cases(request, who, session, kind=kind, status=status)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    case_id: int,
    who: Principal | None = Depends(optional_principal),
    session: Session = Depends(get_session),
) -> Response:
    """One case (the link in a case's reminder notifications)."""
    if who is None:
        return _to_login(request)
    return _cases(request, who, session, case_id=case_id)


def _cases(
    request: Request,
    who: Principal,
    session: Session,
    *,
    kind: str | None = None,
    status: str | None = None,
    case_id: int | None = None,
) -> HTMLResponse:
    q = select(Case)
    if case_id is not None:
        q = q.where(Case.id == case_id)
    if kind in CASE_KINDS:
        q = q.where(Case.kind == kind)
    if status in CASE_STATUSES:
        q = q.where(Case.status == status)
    rows = list(session.scalars(q.order_by(Case.received_at.desc(), Case.id.desc()).limit(300)))
    deadlines = _case_deadlines(session, [c.id for c in rows])
    now = clock_now()
    cases = [case_out(c, deadlines[c.id], now) for c in rows]
    cases.sort(key=_urgency)
    return _page(
        request,
        who,
        "cases.html",
        cases=cases,
        kinds=CASE_KINDS,
        windows=CASE_WINDOWS,
        statuses=CASE_STATUSES,
        reply_action=REPLY_ACTION,
        filter_kind=kind or "",
        filter_status=status or "",
        single=case_id,
        can_manage=who.role in PERMISSIONS["case.manage"],
        now_local=to_local(now).strftime("%Y-%m-%dT%H:%M"),
    )


@router.get("/compliance", response_class=HTMLResponse)
def compliance_page(request: Request, who: Principal | None = Depends(optional_principal)) -> Response:
    if who is None:
        return _to_login(request)
    return _page(request, who, "compliance.html")


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(
    request: Request,
    who: Principal | None = Depends(optional_principal),
    session: Session = Depends(get_session),
) -> Response:
    if who is None:
        return _to_login(request)

    def latest(*statuses: str, limit: int = 100) -> list[Notification]:
        return list(
            session.scalars(
                select(Notification)
                .where(Notification.status.in_(statuses))
                .order_by(Notification.id.desc())
                .limit(limit)
            )
        )

    now = clock_now()
    silences = [
        {
            "row": s,
            "active": as_utc(s.starts_at) <= now < as_utc(s.ends_at),
            "over": as_utc(s.ends_at) <= now,
        }
        for s in session.scalars(select(Silence).order_by(Silence.ends_at.desc()).limit(200))
    ]
    return _page(
        request,
        who,
        "notifications.html",
        dead=latest(NoticeStatus.DEAD),
        pending=latest(NoticeStatus.PENDING, NoticeStatus.SENDING),
        sent=latest(NoticeStatus.SENT, NoticeStatus.SILENCED, NoticeStatus.INHIBITED, limit=50),
        statuses=NOTIFICATION_STATUSES,
        silences=silences,
        silence_fields=SilenceField.labels(),
        audiences=Audience.labels(),
        can_silence=who.role in PERMISSIONS["silence.manage"],
        now_local=to_local(now).strftime("%Y-%m-%dT%H:%M"),
    )


@router.get("/reports", response_class=HTMLResponse)
def reports_page(
    request: Request,
    who: Principal | None = Depends(optional_principal),
    session: Session = Depends(get_session),
) -> Response:
    if who is None:
        return _to_login(request)
    briefings = list(
        session.scalars(
            select(Briefing)
            .where(Briefing.kind == "daily")
            .order_by(Briefing.day.desc(), Briefing.id.desc())
            .limit(60)
        )
    )
    releases = list(
        session.scalars(
            select(Release).order_by(Release.published_at.desc().nulls_last(), Release.id.desc()).limit(60)
        )
    )
    return _page(
        request,
        who,
        "reports.html",
        briefings=briefings,
        releases=releases,
        indicator=indicator_label,
        local_iso=local_iso,
    )
