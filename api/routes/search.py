"""Search (检索): every mention, with the watch-rule syntax, time range and the feed's filters.

Results come with the character ranges that matched (the page marks them with DOM nodes, never
HTML), grouped by story, and export to CSV or Excel. An analyst can keep a search as a watch topic.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from yuqing.analysis import search as engine
from yuqing.analysis.watch import WatchSyntaxError, validate
from yuqing.clock import local_iso
from yuqing.clock import now as clock_now
from yuqing.store import queries as Q
from yuqing.store.audit import record
from yuqing.store.models import WatchTopic
from yuqing.vocab import Platform, Sentiment

from .. import schemas as S
from ..deps import MAX_ID, Allowed, CurrentUser, SessionDep
from ..present import mention_out

router = APIRouter(prefix="/api/v1", tags=["检索"])
EXPORT_LIMIT = 5000


class SearchHit(BaseModel):
    mention: S.MentionOut
    text_spans: list[tuple[int, int]] = Field(description="正文中命中的字符区间 [起, 止)")
    title_spans: list[tuple[int, int]]


class StoryGroup(BaseModel):
    story_id: int | None
    title: str | None
    count: int = Field(description="本页中属于该转载聚合的条数")
    size: int | None = Field(description="该转载聚合的总条数")
    earliest_publisher: str | None
    mention_ids: list[int]


class SearchOut(BaseModel):
    query: str
    items: list[SearchHit]
    groups: list[StoryGroup]
    next_before_id: int | None = Field(description="下一页：以此值作 before_id；null 表示没有更多")
    complete: bool = Field(description="false：本页检查的候选已达上限，可能还有更早的结果，请翻页")
    scanned: int


class WatchTopicIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    expression: str = Field(min_length=1, max_length=2000)


class WatchTopicOut(BaseModel):
    id: int
    name: str
    expression: str
    enabled: bool


def search_filters(
    since: S.LocalTime | None = Query(None, description="起始时间（含）；不带时区时按北京时间理解"),
    until: S.LocalTime | None = Query(None, description="结束时间（不含）；不带时区时按北京时间理解"),
    platform: str | None = Query(None, max_length=20),
    sentiment: str | None = Query(None, max_length=10),
    min_risk: float | None = Query(None, ge=0, le=100),
    release_id: int | None = Query(None, ge=1, le=MAX_ID),
    story_id: int | None = Query(None, ge=1, le=MAX_ID),
) -> engine.Filters:
    """The filters a search and its export share, checked against the vocabulary."""
    if platform and platform not in Platform.values():
        raise HTTPException(status_code=422, detail=f"platform：平台应为 {'、'.join(Platform.values())} 之一")
    if sentiment and sentiment not in Sentiment.values():
        raise HTTPException(status_code=422,
                            detail=f"sentiment：倾向应为 {'、'.join(Sentiment.values())} 之一")
    return engine.Filters(since=since, until=until, platform=platform, sentiment=sentiment,
                          min_risk=min_risk, release_id=release_id, story_id=story_id)


FiltersDep = Annotated[engine.Filters, Depends(search_filters)]


def _run(session: Session, q: str, filters: engine.Filters, *, before_id: int | None, limit: int
         ) -> engine.Result:
    try:
        return engine.search(session, q, filters, limit=limit, before_id=before_id)
    except WatchSyntaxError as exc:
        raise HTTPException(status_code=422, detail=f"q：{exc}") from exc


def _groups(session: Session, hits: list[engine.Hit]) -> list[StoryGroup]:
    stories = Q.stories_by_id(session, {h.mention.story_id for h in hits if h.mention.story_id is not None})
    groups: dict[int | None, StoryGroup] = {}
    for h in hits:
        key = h.mention.story_id
        story = stories.get(key) if key is not None else None
        g = groups.get(key)
        if g is None:
            g = groups[key] = StoryGroup(
                story_id=key, title=story.title if story else None, count=0,
                size=story.size if story else None,
                earliest_publisher=story.earliest_publisher if story else None, mention_ids=[],
            )
        g.count += 1
        g.mention_ids.append(h.mention.id)
    return sorted(groups.values(), key=lambda g: (-g.count, g.story_id or 0))


QUERY_HELP = '检索式：词语、AND、OR、NOT、括号、"短语"、NEAR/n，如 房租 AND (CPI OR 物价)'


@router.get("/search", response_model=SearchOut, summary="全文检索舆情信息（监测表达式语法）")
def search(
    _: CurrentUser,
    session: SessionDep,
    filters: FiltersDep,
    q: str = Query(..., min_length=1, max_length=500, description=QUERY_HELP),
    before_id: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(50, ge=1, le=200),
) -> SearchOut:
    result = _run(session, q, filters, before_id=before_id, limit=limit)
    return SearchOut(
        query=q,
        items=[SearchHit(mention=mention_out(h.mention), text_spans=h.text_spans, title_spans=h.title_spans)
               for h in result.hits],
        groups=_groups(session, result.hits),
        next_before_id=result.next_before_id,
        complete=result.complete,
        scanned=result.scanned,
    )


EXPORT_COLUMNS = ("编号", "发布时间", "平台", "作者", "标题", "正文", "倾向", "风险", "转载聚合", "链接")


def _rows(hits: list[engine.Hit]) -> list[list[Any]]:
    return [
        [
            h.mention.id, local_iso(h.mention.published_at or h.mention.analysed_at),
            Platform.label_of(h.mention.platform), h.mention.author or "", h.mention.title or "",
            h.mention.text, Sentiment.label_of(h.mention.sentiment), round(h.mention.risk, 1),
            h.mention.story_id or "", h.mention.url or "",
        ]
        for h in hits
    ]


def _safe_cell(value: Any) -> Any:
    """Crawled text must not become a spreadsheet formula (CSV/Excel injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@router.get("/search.{fmt}", summary="导出检索结果（csv 或 xlsx，最多 5000 条）", response_class=Response,
            responses={200: {"description": "导出文件", "content": {
                "text/csv": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}})
def export(
    _: CurrentUser,
    session: SessionDep,
    filters: FiltersDep,
    fmt: str = Path(..., pattern="^(csv|xlsx)$", description="csv 或 xlsx"),
    q: str = Query(..., min_length=1, max_length=500, description=QUERY_HELP),
) -> Response:
    if fmt not in ("csv", "xlsx"):
        raise HTTPException(status_code=404, detail="导出格式只支持 csv 与 xlsx")
    result = _run(session, q, filters, before_id=None, limit=EXPORT_LIMIT)
    rows = [[_safe_cell(v) for v in row] for row in _rows(result.hits)]
    stamp = clock_now().strftime("%Y%m%d%H%M")
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(rows)
        body = ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 CSV as Chinese
        media = "text/csv; charset=utf-8"
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("检索结果")
        ws.append(list(EXPORT_COLUMNS))
        for row in rows:
            ws.append(row)
        out = io.BytesIO()
        wb.save(out)
        body = out.getvalue()
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body, media_type=media,
        headers={"Content-Disposition": f'attachment; filename="search-{stamp}.{fmt}"'},
    )


@router.get("/watch-topics", response_model=list[WatchTopicOut], summary="监测专题（检索式）")
def list_watch_topics(_: CurrentUser, session: SessionDep) -> list[WatchTopicOut]:
    return [WatchTopicOut(id=t.id, name=t.name, expression=t.expression, enabled=t.enabled)
            for t in Q.watch_topics(session)]


@router.post("/watch-topics", response_model=WatchTopicOut, status_code=201, summary="把检索式保存为监测专题")
def save_watch_topic(who: Allowed("watch.manage"), body: WatchTopicIn, session: SessionDep) -> WatchTopicOut:
    try:
        validate(body.expression)
    except WatchSyntaxError as exc:
        raise HTTPException(status_code=422, detail=f"expression：{exc}") from exc
    if Q.watch_topic_named(session, body.name) is not None:
        raise HTTPException(status_code=409, detail=f"name：已有名为“{body.name}”的监测专题")
    topic = WatchTopic(name=body.name, expression=body.expression, keywords=[], enabled=True,
                       created_at=clock_now())
    session.add(topic)
    session.flush()
    record(session, actor=who.name, action="watch_topic.create", target=f"watch_topic:{topic.id}",
           data={"name": body.name, "expression": body.expression})
    session.commit()
    return WatchTopicOut(id=topic.id, name=topic.name, expression=topic.expression, enabled=topic.enabled)
