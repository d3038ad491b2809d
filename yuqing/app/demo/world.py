"""The demo world's HTTP server: four simulated sources on 127.0.0.1, replaying the scenario.

`World.respond` is the whole site as a function of (path, query, virtual time); the stdlib
server around it only moves bytes. It starts in milliseconds and needs no event loop.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from yuqing import clock as wall

from .clock import VirtualClock, phase_of
from .content.news import CENTRAL_OUTLET, LOCAL_OUTLET
from .inbox import KEY_HEADER, Inbox
from .inbox import render as render_inbox
from .render import news, releases, tieba, weibo_api
from .scenario import Scenario, build_scenario

DEFAULT_SPAN_HOURS = 6.0
ROBOTS = "User-agent: *\nAllow: /\nDisallow: /__scenario\n"
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$")
_RELEASE_PAGE = re.compile(r"^/sj/zxfb/(?:index(?:_(\d{1,4}))?\.html)?$")
_INT = re.compile(r"^\d{1,9}$")
_ID = re.compile(r"^\d{1,19}$")

HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: str

    def encoded(self) -> bytes:
        return self.body.encode("utf-8")


def _json(obj: object, status: int = 200) -> Response:
    return Response(status, JSON, json.dumps(obj))


def _not_found() -> Response:
    return Response(404, HTML, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>404</title></head>"
                               "<body><h1>404 页面不存在</h1></body></html>")


def _int(value: str | None, default: int) -> int | None:
    """A page number from the query; None when it is not a number."""
    if value is None or value == "":
        return default
    return int(value) if _INT.match(value) else None


class World:
    """The simulated sources, answering requests at a virtual time."""

    def __init__(self, scenario: Scenario, base_url: str) -> None:
        self.scenario = scenario
        self.base_url = base_url
        self._articles = {a.path: a for a in scenario.news}
        self._releases = {r.path: r for r in scenario.releases}
        self._threads = {t.tid: t for t in scenario.tieba}
        self.inbox = Inbox()  # what the demo's notification channels delivered (yuqing.app.demo.inbox)
        self.pinned: datetime | None = None  # a virtual time set by hand: the world stands still there

    def pin(self, virtual_now: datetime | None) -> None:
        """Stop the accelerated clock at `virtual_now` (None: run again). Tests step the scenario
        this way, so what each crawl sees does not depend on how fast the machine is."""
        self.pinned = virtual_now

    def virtual_now(self, real_now: datetime | None = None) -> datetime:
        if self.pinned is not None:
            return self.pinned
        return self.scenario.clock.virtual_now(real_now or wall.now())

    def state(self, real_now: datetime | None = None) -> dict:
        """What /__scenario reports: the clock, the phase and how much is visible."""
        real_now = real_now or wall.now()
        vnow = self.virtual_now(real_now)
        c = self.scenario.clock
        s = self.scenario
        progress = max(0.0, min(1.0, (vnow - c.scenario_start) / c.span))
        return {
            "speed": c.speed,
            "seed": s.seed,
            "span_hours": c.span / timedelta(hours=1),
            "real_start": c.real_start.isoformat(),
            "scenario_start": c.scenario_start.isoformat(),
            "virtual_now": vnow.isoformat(),
            "progress": round(progress, 4),
            "phase": phase_of(progress),
            "cpi_release": {"title": s.cpi.title, "url": s.cpi.path, "published_at": s.cpi.at.isoformat()},
            "visible": {
                "releases": sum(r.at <= vnow for r in s.releases),
                "news": sum(a.at <= vnow for a in s.news),
                "weibo": sum(p.at <= vnow for p in s.weibo),
                "tieba_posts": sum(p.at <= vnow for t in s.tieba for p in t.posts),
            },
            "total": {
                "releases": len(s.releases), "news": len(s.news), "weibo": len(s.weibo),
                "tieba_posts": sum(len(t.posts) for t in s.tieba),
            },
        }

    def respond(self, target: str, *, host: str | None = None, real_now: datetime | None = None) -> Response:
        """The response to GET `target` (path and query string)."""
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query, keep_blank_values=True)
        vnow = self.virtual_now(real_now)
        base = f"http://{host}" if host and _HOST.match(host) else self.base_url

        def arg(name: str) -> str | None:
            values = query.get(name)
            return values[0] if values else None

        if path == "/robots.txt":
            return Response(200, "text/plain; charset=utf-8", ROBOTS)
        if path == "/__scenario":
            return _json(self.state(real_now))
        if path == "/inbox":
            return Response(200, "text/html; charset=utf-8", render_inbox(self.inbox))
        if path in ("/news/rss.xml", "/local/rss.xml"):
            outlet_key = "central" if path.startswith("/news/") else "local"
            outlet = CENTRAL_OUTLET if outlet_key == "central" else LOCAL_OUTLET
            shown = [a for a in self.scenario.news if a.outlet == outlet_key and a.at <= vnow]
            return Response(200, RSS, news.rss_xml(outlet, shown, base, vnow))
        if path in self._articles:
            a = self._articles[path]
            if a.at > vnow:
                return _not_found()
            others = [o for o in self.scenario.news if o.outlet == a.outlet and o.at <= vnow]
            render = news.central_article_html if a.outlet == "central" else news.local_article_html
            outlet = CENTRAL_OUTLET if a.outlet == "central" else LOCAL_OUTLET
            return Response(200, HTML, render(a, others, outlet))
        if path == "/api/container/getIndex":
            return self._weibo_search(arg("containerid") or "", arg("page"), vnow)
        if path.startswith("/detail/") or path == "/statuses/extend":
            mid = path.removeprefix("/detail/") if path.startswith("/detail/") else (arg("id") or "")
            post = self.scenario.weibo_by_mid.get(mid)
            if post is None or post.at > vnow:
                return _json({"ok": 0, "msg": "微博不存在或暂无查看权限!"}) if path == "/statuses/extend" \
                    else _not_found()
            if path == "/statuses/extend":
                return _json(weibo_api.extend_json(post, self.scenario, vnow))
            return Response(200, HTML, weibo_api.detail_html(post, self.scenario, vnow))
        if path == "/f/search/res":
            pn, rn = _int(arg("pn"), 1), _int(arg("rn"), 20)
            if pn is None or rn is None:
                return Response(400, HTML, "<html><body>参数错误</body></html>")
            return Response(200, HTML, tieba.search_html(self.scenario.tieba, vnow, kw=arg("qw") or "",
                                                         rn=rn, pn=pn))
        if path.startswith("/p/"):
            tid = path.removeprefix("/p/")
            thread = self._threads.get(int(tid)) if _ID.match(tid) else None
            if thread is None or thread.at > vnow:
                return Response(404, HTML, "<html><head><meta charset=\"utf-8\"></head>"
                                           "<body>很抱歉，该贴已被删除。</body></html>")
            return Response(200, HTML, tieba.thread_html(thread, vnow))
        m = _RELEASE_PAGE.match(path)
        if m:
            page = int(m.group(1)) if m.group(1) else 0
            html = releases.list_html(self.scenario.releases, vnow, page)
            return Response(200, HTML, html) if html is not None else _not_found()
        if path in self._releases:
            r = self._releases[path]
            return Response(200, HTML, releases.detail_html(r)) if r.at <= vnow else _not_found()
        return _not_found()

    def _weibo_search(self, containerid: str, page_arg: str | None, vnow: datetime) -> Response:
        if not containerid.startswith("100103"):
            return _json({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}})
        inner = parse_qs(containerid.removeprefix("100103"), keep_blank_values=True)
        search_type = (inner.get("type") or ["1"])[0]
        q = (inner.get("q") or [""])[0]
        page = _int(page_arg, 1)
        window = weibo_api.parse_timescope((inner.get("timescope") or [""])[0])
        if page is None or search_type not in ("1", "60", "61") or window is False:
            return _json({"ok": 0, "msg": "请求参数错误"})
        return _json(weibo_api.search_json(self.scenario, vnow, q=q, search_type=search_type, page=page,
                                           window=window or None))


def _handler_for(world: World) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "nginx"
        sys_version = ""

        def do_GET(self) -> None:
            try:
                resp = world.respond(self.path, host=self.headers.get("Host"))
            except Exception as exc:  # a bug in one page must not kill the world
                resp = Response(500, "text/plain; charset=utf-8", f"internal error: {type(exc).__name__}")
            body = resp.encoded()
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            """Only the notification inbox takes POSTs: /inbox/wecom, /inbox/dingtalk, /inbox/webhook."""
            channel = self.path.split("?", 1)[0].removeprefix("/inbox/")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, 1_000_000))
            if not self.path.startswith("/inbox/") or channel not in ("wecom", "dingtalk", "webhook"):
                status, reply = 404, {"errcode": 404, "errmsg": "not found"}
            else:
                status, reply = world.inbox.receive_robot(channel, body, self.headers.get(KEY_HEADER))
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            if world_logging.is_set():
                super().log_message(format, *args)

    return Handler


world_logging = threading.Event()


@dataclass
class WorldHandle:
    """A running world: its URL, the World itself, and stop()."""

    url: str
    world: World
    server: ThreadingHTTPServer
    thread: threading.Thread

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def make_world(*, speed: float, seed: int, span_hours: float = DEFAULT_SPAN_HOURS,
               real_start: datetime | None = None, base_url: str = "http://127.0.0.1:8765") -> World:
    clock = VirtualClock(real_start or wall.now(), timedelta(hours=span_hours), speed)
    return World(build_scenario(clock, seed), base_url)


def start_world(port: int = 8765, speed: float = 240, seed: int = 7, *,
                span_hours: float = DEFAULT_SPAN_HOURS, real_start: datetime | None = None) -> WorldHandle:
    """Serve the world on 127.0.0.1:`port` (0: any free port) from a background thread."""
    server = ThreadingHTTPServer(("127.0.0.1", port), BaseHTTPRequestHandler)
    server.daemon_threads = True
    url = f"http://127.0.0.1:{server.server_address[1]}"
    world = make_world(speed=speed, seed=seed, span_hours=span_hours, real_start=real_start, base_url=url)
    server.RequestHandlerClass = _handler_for(world)
    # polls for shutdown every 50 ms (not 0.5 s): `stop` returns at once, in tests and on Ctrl-C
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="demo-world", daemon=True)
    thread.start()
    return WorldHandle(url, world, server, thread)
