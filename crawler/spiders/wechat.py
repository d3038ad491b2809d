"""wechat: public-account (公众号) articles found through a configurable search page.

source.url is the search page as a template with {keyword} and {page} (e.g. Sogou's WeChat search,
`https://weixin.sogou.com/weixin?type=2&query={keyword}&page={page}`); the source's and the watch
topics' keywords are asked in turn. options: item_selector (CSS of result links to articles,
default `a[href*="/s"]` inside `.news-list`, falling back to every link to mp.weixin.qq.com),
max_pages (default 1). Each new article page is read with crawler/parsing/wechat.py; a search page
without results markup, a verification page or a deleted article is quarantined with its reason.
Incremental: an article already stored (same __biz/mid/idx or /s/ id) is never fetched again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote

from scrapy.http import Response

from yuqing.crawler.items import DocumentItem
from yuqing.crawler.parsing.wechat import WechatError, article_key, parse_wechat_article, redirect_target
from yuqing.crawler.spiders.news import ArticleSpider
from yuqing.source_options import WechatOptions

DEFAULT_ITEMS = ".news-list h3 a, .news-list .txt-box a[href*='/s'], a[href*='mp.weixin.qq.com/s']"


class WechatSpider(ArticleSpider):
    name = "wechat"
    platform = "wechat"
    options: WechatOptions  # type: ignore[assignment]  # no publisher: articles name their account

    def search_url(self, keyword: str, page: int) -> str:
        return self.source.url.format(keyword=quote(keyword), page=page)

    async def start(self) -> AsyncIterator[Any]:
        for keyword in self.keywords():
            yield self.request(
                self.search_url(keyword, 1), self.parse_search, cb_kwargs={"keyword": keyword, "page": 1}
            )

    def parse_search(self, response: Response, keyword: str, page: int) -> Iterator[Any]:
        html, bad = self.decode_or_quarantine(response)
        if bad is not None:
            yield bad
            return
        if "antispider" in response.url or "请输入验证码" in (html or ""):
            self.crawler.stats.set_value("yuqing/blocked", "搜索页要求输入验证码")
            yield self.quarantine(response, "搜索页要求输入验证码（antispider）")
            return
        selection = response.replace(body=(html or "").encode("utf-8"), encoding="utf-8")
        # ::attr per alternative: appended once it would apply to the last alternative only
        links = selection.css(self.options.item_selector or DEFAULT_ITEMS).xpath("@href").getall()
        if not links:
            if selection.css(".news-list, #noresult_part1_container, .no-sosuo"):
                self.ok()  # a results page with no result for this keyword
                return
            yield self.quarantine(response, "不是公众号搜索结果页（没有结果列表）")
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
            yield self.request(url, self.parse_wechat, cb_kwargs={"keyword": keyword, "key": key})
        yield from self.all_links_bad(response, len(links), followed)
        if new and page < self.options.max_pages:
            yield self.request(
                self.search_url(keyword, page + 1),
                self.parse_search,
                cb_kwargs={"keyword": keyword, "page": page + 1},
            )

    def parse_wechat(self, response: Response, keyword: str, key: str, hop: int = 0) -> Iterator[Any]:
        html, bad = self.decode_or_quarantine(response)
        if bad is not None:
            yield bad
            return
        if target := redirect_target(html or ""):  # a search engine's script redirect: follow it once
            url = self.follow_link(response.url, target)
            if url is not None and not hop:
                real = article_key(url)
                if self.seen.add(real):
                    yield self.request(
                        url, self.parse_wechat, cb_kwargs={"keyword": keyword, "key": real, "hop": 1}
                    )
                else:
                    self.crawler.stats.inc_value("yuqing/skipped_known")
                return
        try:
            art = parse_wechat_article(html or "", response.url, now=self.crawl_time)
        except WechatError as exc:
            if exc.blocked:
                self.crawler.stats.set_value("yuqing/blocked", str(exc))
            yield self.quarantine(response, f"公众号文章解析失败：{exc}")
            return
        self.ok()
        if art.key != key:  # reached through a redirect: remember the article's own key too
            self.seen.add(art.key)
        yield DocumentItem(
            {
                "platform": "wechat",
                "dedup_key": art.key,
                "external_id": None,
                "url": response.url,
                "canonical_url": None,
                "title": art.title,
                "text": art.text,
                "author": (art.author or art.account or "")[:200] or None,
                "publisher": (art.account or "")[:200] or None,
                "published_at": art.published_at,
                "published_raw": art.published_raw,
                "extra": {"keyword": keyword, "account": art.account, "search_key": key},
                "raw": html,
            }
        )
