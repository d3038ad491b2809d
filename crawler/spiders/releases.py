"""releases: the bureau's release list (stats.gov.cn /sj/zxfb/ layout) -> `releases` rows.

Indicator, reference period and headline figure come from the title (analysis.release_title),
the publication time from the detail page (else the list date at options.default_time, "09:30").
Paging stops at a list page with no unseen release, the page count, or options.max_pages (default 3).
Other bureaus' templates: options list_container, row, title, date, body (CSS; see Layout).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

from scrapy.http import Response

from yuqing.analysis.release_title import parse_release_title
from yuqing.crawler.items import ReleaseItem
from yuqing.crawler.parsing.release_list import (
    Layout,
    ReleaseFormatError,
    ReleaseRow,
    detail_page,
    list_page,
    page_url,
)
from yuqing.crawler.parsing.times import parse_time
from yuqing.crawler.spiders.base import SourceSpider


class ReleasesSpider(SourceSpider):
    name = "releases"
    platform = "release"
    refetch_callbacks = frozenset({"parse_detail"})  # see refetch_request

    async def start(self) -> AsyncIterator[Any]:
        yield self.request(page_url(self.source.url, 0), self.parse_list, cb_kwargs={"n": 0})

    def parse_list(self, response: Response, n: int) -> Iterator[Any]:
        html, bad = self.decode_or_quarantine(response)
        if bad is not None:
            yield bad
            return
        try:
            rows, pages = list_page(html or "", response.url, Layout.from_options(self.options))
        except ReleaseFormatError as exc:
            yield self.quarantine(response, f"发布列表页无法解析：{exc}")
            return
        self.ok()
        usable = [row for row in rows if self.follow_link(response.url, row.url)]  # bad links counted
        yield from self.all_links_bad(response, len(rows), len(usable))
        new = [row for row in usable if self.seen.add(row.url)]
        self.crawler.stats.inc_value("yuqing/skipped_known", len(usable) - len(new))
        for row in new:
            yield self.request(row.url, self.parse_detail, cb_kwargs={"row": row})
        last = (pages or 1) - 1
        if new and n < last and n + 1 < self.options.max_pages:
            yield self.request(page_url(self.source.url, n + 1), self.parse_list, cb_kwargs={"n": n + 1})

    def release(
        self,
        row: ReleaseRow,
        title: str,
        published_raw: str | None,
        body: str | None,
        meta_published_raw: str | None = None,
    ) -> ReleaseItem:
        """The page's stated time, else the list date at options.default_time, else the page's
        PubDate meta (a moved page's meta carries its move date, not its release date)."""
        parsed = parse_release_title(title, row.url)
        raw = published_raw or (
            f"{row.date} {self.options.default_time}" if row.date else meta_published_raw
        )
        published: datetime | None = parse_time(raw, self.crawl_time) if raw else None
        return ReleaseItem(
            {
                "url": row.url,
                "title": title,
                "indicator": parsed.indicator,
                "indicator_name": parsed.indicator_name,
                "period_label": parsed.period_label,
                "period_start": parsed.period_start,
                "period_end": parsed.period_end,
                "published_at": published.astimezone(UTC) if published else None,
                "headline_value": parsed.headline_value,
                "headline_unit": parsed.headline_unit,
                "headline_text": parsed.headline_text,
                "body": body,
            }
        )

    def parse_detail(self, response: Response, row: ReleaseRow) -> Iterator[Any]:
        html, bad = self.decode_or_quarantine(response)
        page = None
        if bad is not None:
            yield bad
        else:
            try:
                page = detail_page(html or "", Layout.from_options(self.options))
                self.ok()
            except ReleaseFormatError as exc:
                yield self.quarantine(response, f"发布详情页无法解析：{exc}")
        # the list's title attribute is the full title; the detail page's is used when present
        title = (page.title if page and page.title else None) or row.title
        yield self.release(
            row,
            title,
            page.published_raw if page else None,
            page.body if page else None,
            page.meta_published_raw if page else None,
        )

    def refetch_request(self, url: str) -> Any:
        """A quarantined release page read again (its list row is gone: title from the page)."""
        if page_url(self.source.url, 0) in url and "index" in url.rsplit("/", 1)[-1]:
            return None  # a list page: the next crawl reads the list anyway
        return self.request(url, self.parse_detail, cb_kwargs={"row": ReleaseRow(url, "", None)})

    def on_failure(self, request: Any) -> Iterator[Any]:
        row = request.cb_kwargs.get("row")
        if row is not None:  # keep what the list said
            yield self.release(row, row.title, None, None)
