"""Running crawls in this process (the `yuqing crawl` CLI; the scheduler runs that as a subprocess,
because Twisted's reactor cannot be restarted in one process)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from crawler.health import RunOutcome, run_status
from crawler.progress import ProgressCallback, counters
from crawler.seen import load_seen
from store.db import make_engine, session_factory, session_scope
from store.models import Source
from yuqing.clock import local_iso, now
from yuqing.config import Settings


class CrawlError(ValueError):
    """The crawl cannot be started as asked (unknown source, wrong spider)."""


@dataclass
class CrawlResult:
    source: str
    spider: str
    status: str  # ok | warning | blocked | error | skipped
    stored: int = 0
    duplicates: int = 0
    skipped_known: int = 0
    quarantined: int = 0
    errors: int = 0
    requests: int = 0
    message: str | None = None
    finish_reason: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)


def run_crawl(
    settings: Settings,
    source_name: str,
    spider: str | None = None,
    *,
    progress: ProgressCallback | None = None,
    log_level: str = "WARNING",
) -> CrawlResult:
    """One real Scrapy crawl of one configured source (exits early while the source backs off)."""
    return run_crawls(settings, [source_name], spider, progress=progress, log_level=log_level)[0]


def run_crawls(
    settings: Settings,
    source_names: list[str],
    spider: str | None = None,
    *,
    progress: ProgressCallback | None = None,
    log_level: str = "WARNING",
) -> list[CrawlResult]:
    """Several sources in one reactor run, concurrently; one result per source, in order."""
    from scrapy.crawler import CrawlerProcess

    from crawler.settings import scrapy_settings
    from crawler.spiders import spider_class
    from crawler.spiders.base import SourceSpider

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
                    results[name] = CrawlResult(name, kind, "skipped", message="来源已停用")
                elif row.backoff_until is not None and row.backoff_until > t:
                    results[name] = CrawlResult(
                        name,
                        kind,
                        "skipped",
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
        process = CrawlerProcess(
            {"LOG_LEVEL": log_level, "TELNETCONSOLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False}
        )
        crawlers = []
        for name, spidercls, kwargs in planned:
            cfg = kwargs["source"]
            crawler = process.create_crawler(spidercls)
            crawler.settings.setdict(scrapy_settings(settings, cfg, log_level=log_level), priority="cmdline")
            crawler.settings.set("YUQING_PROGRESS", progress, priority="cmdline")
            process.crawl(crawler, **kwargs)
            crawlers.append((name, spidercls.name, crawler))
        process.start()
        for name, kind, crawler in crawlers:
            stats = dict(crawler.stats.get_stats())
            c = counters(stats)
            status = run_status(
                RunOutcome(
                    c["stored"],
                    c["duplicates"],
                    c["quarantined"],
                    c["errors"],
                    c["pages_ok"],
                    c["blocked"],
                    None,
                    stats.get("yuqing/disallowed", 0),
                )
            )
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
                message=f"被拒绝访问：{c['blocked']}，已退避" if c["blocked"] else None,
                finish_reason=stats.get("finish_reason"),
                stats=stats,
            )
    return [results[name] for name in source_names]
