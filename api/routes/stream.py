"""Server-Sent Events for the live board (/api/v1/stream)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Query, Request
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from yuqing.clock import now as clock_now

from .. import live
from ..deps import CurrentUser

router = APIRouter(prefix="/api/v1", tags=["live"])


@router.get("/stream", summary="实时推送（SSE）：新事件、时限状态变化、新的高风险信息")
async def stream(
    request: Request,
    _: CurrentUser,
    min_risk: float = Query(60.0, ge=0, le=100, description="推送风险不低于此值的新信息"),
) -> EventSourceResponse:
    factory = request.app.state.session_factory
    bus = request.app.state.live_bus
    bus.ensure_started()
    # Woken on every commit anywhere: poll now and then in case a wake-up was lost. Woken only by
    # this process's commits (SQLite): poll on the timer for other processes' writes.
    state = request.app.state
    interval: float = state.stream_backstop_s if bus.hears_other_processes else state.stream_interval_s
    last_event_id = request.headers.get("last-event-id")

    def first() -> tuple[live.Watermark, bool]:
        with factory() as session:
            resumed = live.resume(session, last_event_id)
            return (resumed, True) if resumed is not None else (live.start(session), False)

    def step(wm: live.Watermark) -> tuple[list[tuple[str, dict]], live.Watermark]:
        with factory() as session:
            return live.poll(session, wm, min_risk=min_risk)

    async def events() -> AsyncIterator[dict[str, str]]:
        seen = bus.version
        wm, catch_up = await run_in_threadpool(first)
        yield {"event": "hello", "id": live.event_id(wm), "data": json.dumps(live.hello(clock_now()))}
        while not await request.is_disconnected():
            if catch_up:  # a resumed client hears what it missed at once
                catch_up = False
            else:
                seen = await bus.wait(seen, interval)
            found, wm = await run_in_threadpool(step, wm)
            for name, data in found:
                yield {"event": name, "id": live.event_id(wm), "data": json.dumps(data, ensure_ascii=False)}

    return EventSourceResponse(events(), ping=15)
