"""Scrapy settings for one source, from the application's settings (one place, ranked).

Package defaults here < [crawl] in the config file / YUQING_CRAWL__* < the source's `options`.
"""

from __future__ import annotations

from typing import Any

from crawler.frontier import scrapy_redis_settings
from yuqing.config import Settings, SourceConfig


def scrapy_settings(
    settings: Settings, source: SourceConfig, *, log_level: str = "WARNING"
) -> dict[str, Any]:
    crawl, opts = settings.crawl, source.options
    delay = float(opts.get("download_delay", crawl.download_delay))
    return {
        "BOT_NAME": "yuqing",
        "USER_AGENT": opts.get("user_agent", crawl.user_agent),
        "ROBOTSTXT_OBEY": source.obey_robots,
        "DOWNLOAD_DELAY": delay,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle and delay > 0,
        "AUTOTHROTTLE_START_DELAY": max(delay, 0.1),
        "AUTOTHROTTLE_MAX_DELAY": float(opts.get("max_delay", 60.0)),
        "CONCURRENT_REQUESTS": int(opts.get("concurrent_requests", 16)),
        # Scrapy starts this many asyncio workers per callback; the store pipeline is synchronous,
        # so more only costs CPU (100, the default, doubled the per-article cost)
        "CONCURRENT_ITEMS": int(opts.get("concurrent_items", 4)),
        "CONCURRENT_REQUESTS_PER_DOMAIN": int(
            opts.get("concurrency_per_domain", crawl.concurrency_per_domain)
        ),
        "DOWNLOAD_TIMEOUT": float(opts.get("timeout_seconds", crawl.timeout_seconds)),
        "RETRY_TIMES": int(opts.get("retry_times", crawl.retry_times)),
        "YUQING_RETRY_BACKOFF_SECONDS": float(opts.get("retry_backoff_seconds", 1.0)),
        "YUQING_BACKOFF_MINUTES": crawl.backoff_minutes,
        "YUQING_DATABASE_URL": settings.database_url,
        "YUQING_BATCH_SIZE": int(opts.get("batch_size", 500)),
        "COOKIES_ENABLED": True,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,  # no listening sockets from a crawl
        "LOGSTATS_INTERVAL": 0,
        "LOG_LEVEL": log_level,
        "REDIRECT_ENABLED": True,
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawler.middlewares.BackoffRetryMiddleware": 550,
            "crawler.middlewares.BlockDetectorMiddleware": 560,
        },
        "ITEM_PIPELINES": {"crawler.pipelines.StorePipeline": 300},
        "EXTENSIONS": {"crawler.progress.ProgressExtension": 500},
        **scrapy_redis_settings(settings, source),  # a frontier shared by crawler processes, if configured
    }
