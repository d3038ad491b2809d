"""Running crawls in this process.

Twisted's reactor starts once per process: when `crawler.reactor`'s thread runs (tests, an embedding
service), each crawl is handed to it (`CrawlerRunner`); otherwise the crawl starts and stops the
reactor itself (`CrawlerProcess`, the one crawl of a `yuqing crawl` process, which the scheduler
starts as a subprocess). Neither path migrates the database: that is `yuqing migrate`'s job, at
deploy time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from yuqing.clock import local_iso, now
from yuqing.config import Settings
from yuqing.crawler.health import RunOutcome, remark, run_status
from yuqing.crawler.progress import ProgressCallback, counters
from yuqing.crawler.seen import load_seen
from yuqing.store.db import make_engine, session_factory, session_scope
from yuqing.store.models import Source
from yuqing.vocab import SourceStatus


class CrawlError(ValueError):
    """The crawl cannot be started as asked (unknown source, wrong spider)."""


# A run that did not crawl (source disabled or backing off): not a SourceStatus, the source keeps its own.
SKIPPED = "skipped"
SKIPPED_LABEL = "未抓取"


def status_label(status: str) -> str:
    """A run's status as people read it: the source status's label, or 未抓取."""
    return SKIPPED_LABEL if status == SKIPPED else SourceStatus.label_of(status)


@dataclass
class CrawlResult:
    source: str
    spider: str
    status: str  # a SourceStatus, or SKIPPED
    stored: int = 0
    duplicates: int = 0
    skipped_known: int = 0
    quarantined: int = 0
    errors: int = 0
    requests: int = 0
    message: str | None = None
    finish_reason: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)


def run_crawls(
    settings: Settings,
    source_names: list[str],
    spider: str | None = None,
    *,
    progress: ProgressCallback | None = None,
    log_level: str = "WARNING",
    timeout: float | None = None,
) -> list[CrawlResult]:
    """Several sources in one reactor run, concurrently; one result per source, in order.
    `timeout` (seconds) bounds a crawl run in the reactor thread: it is stopped, then TimeoutError."""
    from yuqing.crawler.spiders import spider_class
    from yuqing.crawler.spiders.base import SourceSpider

    engine = make_engine(settings.database_url)
    results: dict[str, CrawlResult] = {}
    planned: list[tuple[str, type[SourceSpider], dict[str, Any]]] = []
    try:
        with session_scope(session_factory(engine)) as session:
            for name in source_names:
                try:
                    cfg = settings.source(name)
                except KeyError as exc:
                    raise CrawlError(f"配置中没有名为 {name!r} 的来源") from exc
                kind = spider or cfg.kind
                if kind != cfg.kind:
                    raise CrawlError(f"来源 {name!r} 的类型是 {cfg.kind}，不能用爬虫 {kind} 抓取")
                row = session.scalar(select(Source).where(Source.name == name))
                if row is None:
                    raise CrawlError(f"来源 {name!r} 尚未同步到数据库（先运行 yuqing migrate）")
                t = now()
                if not cfg.enabled:
                    results[name] = CrawlResult(name, kind, SKIPPED, message="来源已停用")
                elif row.backoff_until is not None and row.backoff_until > t:
                    results[name] = CrawlResult(
                        name,
                        kind,
                        SKIPPED,
                        message=f"来源处于退避期（{row.last_error or '被限流'}），"
                        f"{local_iso(row.backoff_until)} 之后再抓取",
                    )
                else:
                    seen = load_seen(session, source_id=row.id, kind=kind, now=t)
                    planned.append(
                        (
                            name,
                            spider_class(kind),
                            {"source": cfg, "source_id": row.id, "app_settings": settings, "seen": seen},
                        )
                    )
    finally:
        engine.dispose()

    if planned:
        crawlers = _crawl(settings, planned, progress=progress, log_level=log_level, timeout=timeout)
        for name, kind, crawler in crawlers:
            stats = dict(crawler.stats.get_stats())
            c = counters(stats)
            outcome = RunOutcome.from_stats(stats)
            status = run_status(outcome)
            results[name] = CrawlResult(
                name,
                kind,
                status,
                stored=c["stored"],
                duplicates=c["duplicates"],
                skipped_known=c["skipped_known"],
                quarantined=c["quarantined"],
                errors=c["errors"],
                requests=c["requests"],
                message=f"被拒绝访问：{c['blocked']}，已退避" if c["blocked"] else remark(outcome),
                finish_reason=stats.get("finish_reason"),
                stats=stats,
            )
    return [results[name] for name in source_names]


def _crawl(
    settings: Settings,
    planned: list[tuple[str, Any, dict[str, Any]]],
    *,
    progress: ProgressCallback | None,
    log_level: str,
    timeout: float | None = None,
) -> list[tuple[str, str, Any]]:
    """Run the planned spiders together; (source, spider name, finished crawler) each."""
    from scrapy.crawler import CrawlerProcess, CrawlerRunner

    from yuqing.crawler import reactor
    from yuqing.crawler.settings import scrapy_settings

    base = {"LOG_LEVEL": log_level, "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False}
    in_thread = reactor.running()
    runner = CrawlerRunner(base) if in_thread else CrawlerProcess(base)
    crawlers = []
    for name, spidercls, kwargs in planned:
        crawler = runner.create_crawler(spidercls)
        own = scrapy_settings(settings, kwargs["source"], log_level=log_level)
        crawler.settings.setdict(own, priority="cmdline")
        crawler.settings.set("YUQING_PROGRESS", progress, priority="cmdline")
        crawlers.append((name, spidercls.name, crawler, kwargs))
    if in_thread:
        from twisted.internet.defer import DeferredList

        def crawl_all() -> Any:
            return DeferredList([runner.crawl(c, **kw) for _, _, c, kw in crawlers])

        try:
            reactor.call(crawl_all, timeout=timeout)
        except TimeoutError:  # stop the crawls (their pipelines still record the run), then report
            reactor.call(lambda: DeferredList([c.stop() for _, _, c, _ in crawlers]), timeout=60)
            raise
    else:
        for _, _, crawler, kwargs in crawlers:
            runner.crawl(crawler, **kwargs)
        runner.start()  # type: ignore[union-attr]
    return [(name, kind, crawler) for name, kind, crawler, _ in crawlers]


def in_process_runner(settings: Settings, timeout: float = 600) -> Callable[[str], int]:
    """A scheduler's crawl runner without a child process: each crawl goes to the reactor thread
    (started on first use). 0 when the crawl ran (whatever its status), 1 when it could not."""
    import logging

    from yuqing.crawler import reactor

    log = logging.getLogger(__name__)

    def run(source_name: str) -> int:
        reactor.start()
        try:
            result = run_crawls(settings, [source_name], timeout=timeout)[0]
        except (CrawlError, TimeoutError) as exc:
            log.warning("抓取 %s 未完成：%s", source_name, exc)
            return 1
        log.info("抓取 %s：%s，入库 %d", source_name, result.status, result.stored)
        return 0

    return run
