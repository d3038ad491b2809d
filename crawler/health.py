"""Source health (last success, items per run, errors, quarantine, back-off) on the `sources` row.

The dashboard and API read these columns; a blocked source shows why and until when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from yuqing.store.models import Source
from yuqing.vocab import SourceStatus

_EXC = "spider_exceptions/count"  # Scrapy's count of exceptions raised in callbacks


@dataclass(frozen=True)
class RunOutcome:
    stored: int  # new rows written (documents or releases)
    duplicates: int  # items the store already held
    quarantined: int
    errors: int  # failed requests after retries (timeouts, 5xx, refused)
    pages_ok: int  # responses parsed successfully
    blocked_reason: str | None  # 418/432/403 or captcha
    last_error: str | None
    disallowed: int = 0  # requests robots.txt forbade
    items_found: int = 0  # items the parsed pages held (list rows, posts, feed entries)
    skipped_known: int = 0  # items not fetched because the source already holds them
    skipped_links: int = 0  # items dropped for a bad link (javascript:, no scheme…), by reason in stats
    short_pages: int = 0  # pages that yielded fewer items than they held
    items_lost: int = 0  # items a page or feed declared but could not be read (bad XML…)
    parse_errors: int = 0  # exceptions raised in a spider callback (the rest of that page is lost)
    parse_error_kinds: tuple[str, ...] = ()  # their exception classes
    last_quarantined: str | None = None  # the last item quarantined, with its reason

    @classmethod
    def from_stats(cls, stats: dict[str, Any]) -> RunOutcome:
        """From a crawl's Scrapy stats. Spiders count with these keys: `yuqing/items_found`,
        `yuqing/pages_short` (crawler.spiders.base.SourceSpider.page_items), items a feed held but
        lost `yuqing/feed_items_lost`, and skipped links `yuqing/skipped_links` with one
        `yuqing/skipped_link/<reason>` key per reason (crawler.spiders.base); Scrapy counts
        exceptions raised in callbacks as `spider_exceptions/count` and per class."""
        skipped = stats.get("yuqing/skipped_links", 0) or sum(
            v for k, v in stats.items() if k.startswith("yuqing/skipped_link/") and isinstance(v, int)
        )
        return cls(
            stored=stats.get("yuqing/stored", 0),
            duplicates=stats.get("yuqing/duplicates", 0),
            quarantined=stats.get("yuqing/quarantined", 0),
            errors=stats.get("yuqing/errors", 0),
            pages_ok=stats.get("yuqing/pages_ok", 0),
            blocked_reason=stats.get("yuqing/blocked"),
            last_error=stats.get("yuqing/last_error"),
            last_quarantined=stats.get("yuqing/last_quarantined"),
            disallowed=stats.get("yuqing/disallowed", 0),
            items_found=stats.get("yuqing/items_found", 0),
            skipped_known=stats.get("yuqing/skipped_known", 0),
            skipped_links=skipped,
            short_pages=stats.get("yuqing/pages_short", 0),
            items_lost=stats.get("yuqing/feed_items_lost", 0),
            parse_errors=stats.get(_EXC, 0),
            parse_error_kinds=tuple(
                sorted(k.split("/", 1)[1] for k in stats if k.startswith("spider_exceptions/") and k != _EXC)
            ),
        )


def silent_loss(outcome: RunOutcome) -> str | None:
    """Why a run that raised no error still lost items (Chinese), or None.

    Pages held items but nothing reached the store, not even as already known; or some page
    yielded fewer items than it held; or a callback raised (whatever its page held after that is
    lost). Such a run is never 正常. Links skipped for what they are
    (javascript:, empty, no scheme: page furniture, not articles) are counted, not a loss: see
    `remark`.
    """
    if outcome.parse_errors:  # a callback that raised lost what its page still held
        kinds = "、".join(outcome.parse_error_kinds) or "异常"
        return f"解析页面时出错 {outcome.parse_errors} 次（{kinds}），页面其余条目可能丢失，详见日志"
    handled = outcome.stored + outcome.duplicates + outcome.skipped_known + outcome.quarantined
    if outcome.items_found and handled == 0:
        return f"页面共有 {outcome.items_found} 条，入库 0 条"
    if outcome.items_lost:
        return f"有 {outcome.items_lost} 条未能解析"
    if outcome.short_pages:
        return f"{outcome.short_pages} 个页面读出的条目少于页面所含条目"
    return None


def remark(outcome: RunOutcome) -> str | None:
    """What the run summary says besides the counts: a loss first, else the links skipped."""
    if loss := silent_loss(outcome):
        return loss
    if outcome.skipped_links:
        return f"跳过无效链接 {outcome.skipped_links} 条（原因见日志）"
    return None


def run_status(outcome: RunOutcome) -> str:
    """The source's status after one run (never UNKNOWN: that is a source that has not run)."""
    if outcome.blocked_reason:
        return SourceStatus.BLOCKED
    if outcome.pages_ok == 0 and (outcome.errors or outcome.quarantined):
        return SourceStatus.ERROR
    if outcome.errors or outcome.quarantined or outcome.disallowed or silent_loss(outcome):
        return SourceStatus.WARNING
    return SourceStatus.OK


def record_run(
    session: Session, source_id: int, outcome: RunOutcome, *, now: datetime, backoff_minutes: float
) -> Source:
    """Write one run's outcome onto the source row (flushes, does not commit)."""
    src = session.get_one(Source, source_id)
    src.status = run_status(outcome)
    src.last_run_at = now
    src.items_last_run = outcome.stored
    src.total_items = (src.total_items or 0) + outcome.stored
    src.error_count = (src.error_count or 0) + outcome.errors
    src.quarantined_count = (src.quarantined_count or 0) + outcome.quarantined
    if outcome.pages_ok:
        src.last_success_at = now
    if outcome.blocked_reason:
        src.backoff_until = now + timedelta(minutes=backoff_minutes)
        src.last_error, src.last_error_at = f"被限流或要求验证：{outcome.blocked_reason}", now
    elif outcome.last_error:
        src.last_error, src.last_error_at = outcome.last_error, now
    elif loss := silent_loss(outcome):
        src.last_error, src.last_error_at = loss, now
    elif outcome.last_quarantined:  # 告警 for a quarantine says which item and why
        src.last_error, src.last_error_at = outcome.last_quarantined, now
    if not outcome.blocked_reason:
        src.backoff_until = None
    session.flush()
    return src
