"""Pages beyond the live board: incident history (事件), sources (采集源) and search (检索).

Shells like the other pages: data comes from /api/v1 and is put in with textContent.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from yuqing.vocab import Grade, IncidentStatus, Platform, Role, Sentiment

from ..deps import PERMISSIONS, MaybeUser, Principal
from .pages import _render, _to_login

router = APIRouter(include_in_schema=False)


def _page(request: Request, who: Principal | None, template: str, **context: object) -> Response:
    if who is None:
        return _to_login(request)
    return _render(request, template, user=who.user, role_label=Role.label_of(who.role), **context)


@router.get("/incidents")
def incidents_page(request: Request, who: MaybeUser) -> Response:
    return _page(request, who, "incidents.html", grades=Grade.labels(), statuses=IncidentStatus.labels())


@router.get("/sources")
def sources_page(request: Request, who: MaybeUser) -> Response:
    can_release = who is not None and who.role in PERMISSIONS["quarantine.release"]
    return _page(request, who, "sources.html", can_release=can_release)


@router.get("/stories")
def stories_page(request: Request, who: MaybeUser) -> Response:
    return _page(request, who, "stories.html")


@router.get("/search")
def search_page(request: Request, who: MaybeUser) -> Response:
    can_save = who is not None and who.role in (Role.ANALYST, Role.ADMIN)
    return _page(request, who, "search.html", platforms=Platform.labels(), sentiments=Sentiment.labels(),
                 can_save=can_save)


IMPORT_TEMPLATE = (
    "kind,title,received_at,complex,body,channel,contact,external_ref\r\n"
    "complaint,对11月CPI数据的投诉,2026-12-01 09:30,false,认为菜价涨幅与CPI不符,12345热线,王先生,RX-0001\r\n"
    "suggestion,建议公布分项权重,2026-12-01 10:00,true,,门户网站留言,,\r\n"
)


@router.get("/cases/import-template.csv")
def case_import_template(who: MaybeUser) -> Response:
    """The import's columns with one example row per kind of case (UTF-8 with BOM for Excel)."""
    if who is None:
        return Response(status_code=401)
    return Response(
        ("\ufeff" + IMPORT_TEMPLATE).encode("utf-8"), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="cases-import-template.csv"'},
    )
