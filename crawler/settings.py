"""Scrapy settings for one source, from the application's settings (one place, ranked).

Package defaults here < [crawl] in the config file / YUQING_CRAWL__* < the source's `options`.
"""

from __future__ import annotations

from typing import Any

from yuqing.config import Settings, SourceConfig
from yuqing.crawler.frontier import scrapy_redis_settings
from yuqing.source_options import DEFAULT_MAX_BYTES, MB


def scrapy_settings(
    settings: Settings, source: SourceConfig, *, log_level: str = "WARNING"
) -> dict[str, Any]:
    crawl, opts = settings.crawl, source.options
    delay = opts.download_delay if opts.download_delay is not None else crawl.download_delay
    max_bytes = opts.max_download_bytes or DEFAULT_MAX_BYTES.get(source.kind, 10 * MB)
    warn_bytes = min(opts.warn_download_bytes or max_bytes // 2, max_bytes)
    return {
        "BOT_NAME": "yuqing",
        "USER_AGENT": opts.user_agent or crawl.user_agent,
        "ROBOTSTXT_OBEY": source.obey_robots,
        "DOWNLOAD_DELAY": delay,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle and delay > 0,
        "AUTOTHROTTLE_START_DELAY": max(delay, 0.1),
        "AUTOTHROTTLE_MAX_DELAY": opts.max_delay,
        "CONCURRENT_REQUESTS": opts.concurrent_requests,
        # Scrapy starts this many asyncio workers per callback; the store pipeline is synchronous,
        # so more only costs CPU (100, the default, doubled the per-article cost)
        "CONCURRENT_ITEMS": opts.concurrent_items,
        "CONCURRENT_REQUESTS_PER_DOMAIN": opts.concurrency_per_domain or crawl.concurrency_per_domain,
        "DOWNLOAD_TIMEOUT": opts.timeout_seconds or crawl.timeout_seconds,
        "RETRY_TIMES": opts.retry_times if opts.retry_times is not None else crawl.retry_times,
        "YUQING_RETRY_BACKOFF_SECONDS": opts.retry_backoff_seconds,
        "YUQING_BACKOFF_MINUTES": crawl.backoff_minutes,
        "YUQING_REFETCH_AFTER_MINUTES": crawl.refetch_after_minutes,
        "YUQING_REFETCH_ATTEMPTS": crawl.refetch_attempts,
        "YUQING_DATABASE_URL": settings.database_url,
        "YUQING_BATCH_SIZE": opts.batch_size,
        # size caps: Scrapy cancels a download above DOWNLOAD_MAXSIZE (Content-Length or bytes
        # received) and HttpCompressionMiddleware refuses a body that decompresses beyond it
        # (a gzip bomb); SourceSpider.failed quarantines either with its true reason
        "DOWNLOAD_MAXSIZE": max_bytes,
        "DOWNLOAD_WARNSIZE": warn_bytes,
        "COOKIES_ENABLED": True,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,  # no listening sockets from a crawl
        "LOGSTATS_INTERVAL": 0,
        "LOG_LEVEL": log_level,
        "REDIRECT_ENABLED": True,
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "yuqing.crawler.middlewares.BackoffRetryMiddleware": 550,
            "yuqing.crawler.middlewares.BlockDetectorMiddleware": 560,
        },
        "SPIDER_MIDDLEWARES": {"yuqing.crawler.middlewares.RefetchMiddleware": 10},
        "ITEM_PIPELINES": {"yuqing.crawler.pipelines.StorePipeline": 300},
        "EXTENSIONS": {"yuqing.crawler.progress.ProgressExtension": 500},
        **scrapy_redis_settings(settings, source),  # a frontier shared by crawler processes, if configured
    }
