"""The press office's pages: 工单 (cases), 考核 (compliance), 通知 (outbox and silences), 报告 (reports).

Lists are rendered on the server by Jinja2 with autoescape, so every title and error arrives as
text; countdowns are `.countdown[data-due]` spans that api/static/common.js repaints each second.
Changes go through /api/v1 from api/static/office.js with the X-Yuqing-Request header.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from yuqing.alerts.holidays import load_calendar
from yuqing.clock import as_utc, local_iso, to_local
from yuqing.clock import now as clock_now
from yuqing.store import queries as Q
from yuqing.store.models import Notification
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
from ..deps import PERMISSIONS, IdPath, MaybeUser, Principal, SessionDep, allowed
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


LAST = datetime.max.replace(tzinfo=UTC)


def _urgency(case: S.CaseOut) -> tuple[int, datetime | str]:
    """Open cases first, the nearest due first; answered ones after in their order (newest first)."""
    if case.status != CaseStatus.OPEN:
        return (1, "")
    return (0, min((d.due_at for d in case.deadlines), default=LAST))


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
    who: MaybeUser,
    session: SessionDep,
    kind: str | None = Query(None, max_length=40),
    status: str | None = Query(None, max_length=40),
) -> Response:
    if who is None:
        return _to_login(request)
    return _cases(request, who, session, kind=kind, status=status)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    case_id: IdPath,
    who: MaybeUser,
    session: SessionDep,
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
    rows = Q.cases(session, kind=kind if kind in CASE_KINDS else None,
                   status=status if status in CASE_STATUSES else None, case_id=case_id, limit=300)
    deadlines = _case_deadlines(session, [c.id for c in rows])
    now = clock_now()
    calendar = load_calendar(session)  # holiday overrides entered by admins count in 剩余 N 个工作日
    cases = [case_out(c, deadlines[c.id], now, calendar) for c in rows]
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
def compliance_page(request: Request, who: MaybeUser) -> Response:
    if who is None:
        return _to_login(request)
    return _page(request, who, "compliance.html")


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(
    request: Request,
    who: MaybeUser,
    session: SessionDep,
) -> Response:
    if who is None:
        return _to_login(request)

    def latest(*statuses: str, limit: int = 100) -> list[Notification]:
        return Q.notifications(session, statuses=statuses, limit=limit)

    now = clock_now()
    silences = [
        {
            "row": s,
            "active": as_utc(s.starts_at) <= now < as_utc(s.ends_at),
            "over": as_utc(s.ends_at) <= now,
        }
        for s in Q.silences(session, limit=200)
    ]
    return _page(
        request,
        who,
        "notifications.html",
        dead=latest(NoticeStatus.DEAD),
        pending=latest(NoticeStatus.PENDING, NoticeStatus.SENDING),
        sent=latest(NoticeStatus.SENT, NoticeStatus.SILENCED, NoticeStatus.INHIBITED, NoticeStatus.SUPERSEDED,
                    limit=50),
        statuses=NOTIFICATION_STATUSES,
        silences=silences,
        silence_fields=SilenceField.labels(),
        audiences=Audience.labels(),
        can_silence=who.role in PERMISSIONS["silence.manage"],
        can_mute_leadership=allowed(who, "silence.leadership"),
        now_local=to_local(now).strftime("%Y-%m-%dT%H:%M"),
    )


@router.get("/reports", response_class=HTMLResponse)
def reports_page(
    request: Request,
    who: MaybeUser,
    session: SessionDep,
) -> Response:
    if who is None:
        return _to_login(request)
    from yuqing.reports.archive import KIND_LABELS, archived, trigger_label
    from yuqing.reports.releases import release_rows

    return _page(
        request,
        who,
        "reports.html",
        briefings=archived(session, limit=60),
        releases=release_rows(session, now=clock_now(), upcoming_days=30, past_days=60),
        kind_labels=KIND_LABELS,
        trigger_label=trigger_label,
        can_generate=allowed(who, "report.generate"),
        indicator=indicator_label,
        local_iso=local_iso,
    )


@router.get("/releases", response_class=HTMLResponse)
def releases_page(request: Request, who: MaybeUser, session: SessionDep) -> Response:
    """数据发布: upcoming and past releases with their ids, reception and archived 研判."""
    if who is None:
        return _to_login(request)
    from yuqing.reports.releases import release_rows

    return _page(
        request,
        who,
        "releases.html",
        releases=release_rows(session, now=clock_now(), upcoming_days=60, past_days=365),
        can_generate=who.role in PERMISSIONS["report.generate"],
    )
