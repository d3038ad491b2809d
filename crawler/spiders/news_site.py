"""news_site: sites without feeds, read through list-page selectors from configuration.

options: item_selector (CSS of article links, default "a"), next_selector (CSS of the next-page link),
max_pages (default 5). Paging stops at the first list page holding no unseen article.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Response

from yuqing.crawler.links import link_target
from yuqing.crawler.spiders.news import ArticleSpider, article_key
from yuqing.source_options import NewsSiteOptions


class NewsSiteSpider(ArticleSpider):
    name = "news_site"
    options: NewsSiteOptions

    async def start(self) -> AsyncIterator[Any]:
        yield self.request(self.source.url, self.parse_list, cb_kwargs={"page": 1})

    def parse_list(self, response: Response, page: int) -> Iterator[Any]:
        html, bad = self.decode_or_quarantine(response)
        if bad is not None:
            yield bad
            return
        selection = response.replace(body=html.encode("utf-8"), encoding="utf-8") if html else response
        # "@href" per match: "a.x, a.y::attr(href)" would apply ::attr to the last alternative only
        links = selection.css(self.options.item_selector).xpath("@href").getall()
        if not links:
            yield self.quarantine(response, "列表页没有匹配 item_selector 的链接")
            return
        self.ok()
        new = followed = 0
        for href in dict.fromkeys(links):
            url = self.follow_link(response.url, href)
            if url is None:
                continue
            followed += 1
            key = article_key(url)
            if not self.seen.add(key):
                self.crawler.stats.inc_value("yuqing/skipped_known")
                continue
            new += 1
            yield self.article_request(url, {"key": key, "list_url": response.url})
        yield from self.all_links_bad(response, len(links), followed)
        next_sel = self.options.next_selector
        nxt = selection.css(f"{next_sel}::attr(href)").get() if next_sel else None
        nxt_url = link_target(response.url, nxt)[0] if nxt else None  # "javascript:void(0)" on the last page
        if new and nxt_url and page < self.options.max_pages:
            yield self.request(nxt_url, self.parse_list, cb_kwargs={"page": page + 1})
